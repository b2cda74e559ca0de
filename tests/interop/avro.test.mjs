// Avro interoperability with avsc: container files lakepipe writes are read
// by avsc with the same values, and files avsc writes are read by lakepipe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  COLUMNS, NULL_COLUMN, assertRowsEqual, duck, lakepipeOk, makeRecords, makeSchema, norm,
  readAvroFile, sameValue, selectNormalised, tempDir, writeAvroFile,
} from './lib.mjs';

const ALL = [...COLUMNS, NULL_COLUMN];
const CODECS = ['null', 'deflate', 'snappy', 'zstandard', 'bzip2', 'xz'];

function assertRecordsEqual(got, want, label) {
  assert.equal(got.length, want.length, `${label}: rows`);
  for (let i = 0; i < want.length; i++) {
    for (const c of ALL) {
      const a = norm(c.kind, got[i][c.name]);
      const b = norm(c.kind, want[i][c.name]);
      if (!sameValue(a, b)) assert.fail(`${label}: row ${i} column ${c.name}: avsc read ${String(a)}, wrote ${String(b)}`);
    }
  }
}

test('lakepipe Avro is read by avsc for every codec, keeping the schema text', async (t) => {
  const dir = tempDir(t, 'avro-out');
  for (const nullable of [false, true]) {
    const schema = makeSchema(nullable, ALL);
    const records = makeRecords(2500, nullable, ALL);
    const input = join(dir, `in-${nullable}.avro`);
    await writeAvroFile(input, schema, records);
    const inputSchemaText = (await readAvroFile(input)).header.meta['avro.schema'].toString();
    for (const codec of CODECS) {
      const label = `nullable=${nullable} codec=${codec}`;
      const out = join(dir, `out-${nullable}-${codec}.avro`);
      lakepipeOk(0, 'convert', input, out, '--compression', codec, '--quiet');
      const { rows, header } = await readAvroFile(out);
      assert.equal(header.codec, codec, `${label}: avro.codec`);
      // The schema text travels unchanged (logical types, defaults, docs kept).
      assert.equal(header.meta['avro.schema'].toString(), inputSchemaText, `${label}: schema text`);
      assertRecordsEqual(rows, records, label);
    }
  }
});

test('avsc Avro (every codec) is read by lakepipe', async (t) => {
  const dir = tempDir(t, 'avro-in');
  for (const nullable of [false, true]) {
    const records = makeRecords(2500, nullable, ALL);
    for (const codec of CODECS) {
      const label = `nullable=${nullable} codec=${codec}`;
      const input = join(dir, `avsc-${nullable}-${codec}.avro`);
      await writeAvroFile(input, makeSchema(nullable, ALL), records, codec);
      const out = join(dir, `from-avsc-${nullable}-${codec}.parquet`);
      lakepipeOk(0, 'convert', input, out, '--quiet');
      const got = await duck(selectNormalised(`'${out}'`, ALL));
      assertRowsEqual(assert, got, records, ALL, label);
    }
  }
});

test('lakepipe resolves avsc data into an evolved reader schema', async (t) => {
  const dir = tempDir(t, 'avro-evolve');
  const writer = {
    type: 'record', name: 'Person', fields: [
      { name: 'id', type: 'int' },
      { name: 'name', type: 'string' },
      { name: 'score', type: 'float' },
      { name: 'dropped', type: 'string' },
      { name: 'level', type: { type: 'enum', name: 'Level', symbols: ['LOW', 'HIGH'] } },
    ],
  };
  const records = Array.from({ length: 50 }, (_, i) => ({ id: i, name: `p${i}`, score: i / 4, dropped: 'x', level: i % 2 ? 'HIGH' : 'LOW' }));
  const input = join(dir, 'v1.avro');
  await writeAvroFile(input, writer, records);
  const reader = {
    type: 'record', name: 'Person', fields: [
      { name: 'id', type: 'long' },
      { name: 'full_name', aliases: ['name'], type: 'bytes' },
      { name: 'score', type: ['null', 'double'] },
      { name: 'country', type: 'string', default: 'unknown' },
      { name: 'level', type: { type: 'enum', name: 'Level', symbols: ['LOW', 'MID', 'HIGH'] } },
    ],
  };
  const schemaPath = join(dir, 'v2.avsc');
  (await import('node:fs')).writeFileSync(schemaPath, JSON.stringify(reader));
  const out = join(dir, 'v2.avro');
  lakepipeOk(0, 'convert', input, out, '--schema', schemaPath, '--quiet');
  const { rows } = await readAvroFile(out, reader);
  assert.equal(rows.length, 50);
  for (let i = 0; i < 50; i++) {
    assert.equal(BigInt(rows[i].id), BigInt(i));
    assert.equal(Buffer.from(rows[i].full_name).toString(), `p${i}`);
    assert.equal(rows[i].score, i / 4);
    assert.equal(rows[i].country, 'unknown');
    assert.equal(rows[i].level, i % 2 ? 'HIGH' : 'LOW');
    assert.equal(rows[i].dropped, undefined);
  }
});

test('logical types are annotations: plain reader types read avsc uuid, timestamp and date values', async (t) => {
  const dir = tempDir(t, 'avro-logical');
  const writer = {
    type: 'record', name: 'Event', fields: [
      { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
      { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'day', type: { type: 'int', logicalType: 'date' } },
      { name: 'seen', type: { type: 'long', logicalType: 'timestamp-millis' } },
    ],
  };
  const uuid = (i) => `123e4567-e89b-12d3-a456-${String(426614174000 + i).padStart(12, '0')}`;
  const records = Array.from({ length: 20 }, (_, i) => ({
    id: uuid(i), at: BigInt(1700000000000 + i), day: 19000 + i, seen: BigInt(-1500 + i),
  }));
  const input = join(dir, 'events.avro');
  await writeAvroFile(input, writer, records);
  // The reader drops the logical types of id, at and day, and converts seen to microseconds.
  const reader = {
    type: 'record', name: 'Event', fields: [
      { name: 'id', type: 'string' },
      { name: 'at', type: 'long' },
      { name: 'day', type: 'int' },
      { name: 'seen', type: { type: 'long', logicalType: 'timestamp-micros' } },
    ],
  };
  const schemaPath = join(dir, 'plain.avsc');
  (await import('node:fs')).writeFileSync(schemaPath, JSON.stringify(reader));
  const out = join(dir, 'events.parquet');
  lakepipeOk(0, 'convert', input, out, '--schema', schemaPath, '--quiet');
  const rows = await duck(`SELECT id, typeof(id) AS id_type, "at", typeof("at") AS at_type, "day", typeof("day") AS day_type,
    epoch_us(seen) AS seen_us FROM '${out}' ORDER BY "at"`);
  assert.equal(rows.length, records.length);
  for (const [i, r] of rows.entries()) {
    assert.deepEqual(r, {
      id: uuid(i), id_type: 'VARCHAR', at: BigInt(1700000000000 + i), at_type: 'BIGINT', day: 19000 + i, day_type: 'INTEGER',
      seen_us: BigInt((-1500 + i) * 1000),
    }, `row ${i}`);
  }
});

test('an unknown Avro codec is refused naming the known ones', async (t) => {
  const dir = tempDir(t, 'avro-codec');
  const input = join(dir, 'in.avro');
  await writeAvroFile(input, makeSchema(false, ALL), makeRecords(10, false, ALL));
  const r = lakepipeOk(1, 'convert', input, join(dir, 'out.avro'), '--compression', 'lzma');
  assert.match(r.stderr, /unknown Avro codec 'lzma'; use one of null, deflate, snappy, zstandard, bzip2, xz/);
});

test('an avsc file whose schema is not a record is unsupported, not corrupt', async (t) => {
  const dir = tempDir(t, 'avro-toplevel');
  const cases = [
    ['string', ['a', 'b'], /a top-level Avro schema of type "string" is not supported yet; lakepipe reads record schemas/],
    [['null', 'string'], ['x', 'y'], /a top-level Avro schema that is a union \(\["null","string"\]\) is not supported yet/],
    [{ type: 'array', items: 'int' }, [[1, 2]], /a top-level Avro schema of type "array" is not supported yet/],
  ];
  for (const [i, [schema, values, message]] of cases.entries()) {
    const input = join(dir, `top-${i}.avro`);
    await writeAvroFile(input, schema, values);
    const r = lakepipeOk(1, 'convert', input, join(dir, `top-${i}.jsonl`));
    assert.match(r.stderr, /unsupported: /, JSON.stringify(schema));
    assert.match(r.stderr, message, JSON.stringify(schema));
    assert.doesNotMatch(r.stderr, /corrupt|invalid/, JSON.stringify(schema));
  }
});

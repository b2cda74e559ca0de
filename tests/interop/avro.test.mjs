// Avro interoperability with avsc: container files lakepipe writes are read
// by avsc with the same values, and files avsc writes are read by lakepipe.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import avro from 'avsc';
import {
  COLUMNS, NULL_COLUMN, assertRowsEqual, avroCodecs, avroDecoders, decimalText, duck, lakepipeOk, makeRecords,
  makeSchema, norm, readAvroFile, sameValue, selectNormalised, tempDir, writeAvroFile,
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

test('an avsc file whose schema is not a record is read as one column and written back as it was', async (t) => {
  const dir = tempDir(t, 'avro-toplevel');
  const cases = [
    ['string', ['a', 'b']],
    [['null', 'string'], ['x', 'y']],
    [{ type: 'array', items: 'int' }, [[1, 2], [], [3]]],
    [{ type: 'map', values: ['null', 'double'] }, [{ a: 1.5, b: null }, {}]],
    [{ type: 'enum', name: 'Suit', symbols: ['HEARTS', 'SPADES'] }, ['SPADES', 'HEARTS']],
  ];
  for (const [i, [schema, values]] of cases.entries()) {
    const label = JSON.stringify(schema);
    const input = join(dir, `top-${i}.avro`);
    const out = join(dir, `top-${i}-out.avro`);
    await writeAvroFile(input, schema, values);
    lakepipeOk(0, 'convert', input, out, '--quiet');
    const { rows, header } = await readAvroFile(out);
    assert.deepEqual(JSON.parse(header.meta['avro.schema'].toString()), schema, `${label}: schema`);
    assert.deepEqual(rows, values, `${label}: values`);
  }
});

// ------------------------------------------------------------ nested types

const NESTED_SCHEMA = {
  type: 'record',
  name: 'Person',
  namespace: 'example.people',
  fields: [
    { name: 'id', type: 'long' },
    {
      name: 'name',
      type: {
        type: 'record', name: 'Name',
        fields: [
          { name: 'title', type: 'string' },
          { name: 'first', type: 'string' },
          { name: 'last', type: ['null', 'string'] },
        ],
      },
    },
    {
      name: 'location',
      type: ['null', {
        type: 'record', name: 'Location',
        fields: [
          { name: 'street', type: { type: 'record', name: 'Street', fields: [{ name: 'number', type: 'int' }, { name: 'name', type: 'string' }] } },
          { name: 'coordinates', type: { type: 'map', values: ['null', 'double'] } },
        ],
      }],
    },
    { name: 'tags', type: ['null', { type: 'array', items: ['null', 'string'] }] },
    { name: 'scores', type: { type: 'array', items: { type: 'array', items: 'int' } } },
    { name: 'friends', type: { type: 'array', items: 'Name' } },
    { name: 'attrs', type: { type: 'map', values: { type: 'array', items: ['null', 'long'] } } },
    { name: 'choice', type: ['null', 'int', 'string', 'Street'] },
    { name: 'choice_null_last', type: ['double', { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN', 'BLUE'] }, 'null'] },
    { name: 'color', type: 'Color' },
    { name: 'hash', type: { type: 'fixed', name: 'Hash', size: 4 } },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
    { name: 'big', type: ['null', { type: 'fixed', name: 'Big', size: 16, logicalType: 'decimal', precision: 38, scale: 10 }] },
    { name: 'uid', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'uid_fixed', type: { type: 'fixed', name: 'Uid', size: 16, logicalType: 'uuid' } },
    { name: 'wait', type: { type: 'fixed', name: 'Wait', size: 12, logicalType: 'duration' } },
    { name: 'born', type: { type: 'int', logicalType: 'date' } },
    { name: 'at_local', type: { type: 'long', logicalType: 'local-timestamp-micros' } },
    { name: 'at_nanos', type: ['null', { type: 'long', logicalType: 'timestamp-nanos' }] },
    { name: 'small', type: { type: 'int', logicalType: 'int8' } },
    { name: 'custom', type: { type: 'string', logicalType: 'my-thing', flavour: 'x' } },
    {
      name: 'by_id', // Iceberg's map with keys that are not strings
      type: {
        type: 'array', logicalType: 'map',
        items: { type: 'record', name: 'KV', fields: [{ name: 'key', type: 'int' }, { name: 'value', type: ['null', 'string'] }] },
      },
    },
  ],
};

// avsc with every union wrapped ({branch: value}) and longs as BigInt.
function nestedType(schema = NESTED_SCHEMA) {
  return avro.Type.forSchema(schema, { wrapUnions: true, registry: { long: BigLongType() } });
}

function BigLongType() {
  return avro.types.LongType.__with({
    fromBuffer: (buf) => buf.readBigInt64LE(),
    toBuffer: (n) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(n)); return b; },
    fromJSON: (x) => BigInt(x),
    toJSON: (n) => Number(n),
    isValid: (n) => typeof n === 'bigint',
    compare: (a, b) => (a === b ? 0 : a < b ? -1 : 1),
  });
}

function nestedRecord(i) {
  const bytes = (n, seed) => Buffer.from(Array.from({ length: n }, (_, k) => (seed * 31 + k * 7) & 0xff));
  const pick = (...xs) => xs[i % xs.length];
  return {
    id: BigInt(i) * 1000003n - 5n,
    name: { title: pick('Mr', 'Ms', ''), first: `first-${i}`, last: pick({ string: `last-${i}` }, null) },
    location: pick(
      { 'example.people.Location': { street: { number: i, name: `street ${i}` }, coordinates: { lat: { double: i / 3 }, lon: null } } },
      null,
      { 'example.people.Location': { street: { number: -i, name: 'ü€' }, coordinates: {} } },
    ),
    tags: pick(null, { array: [] }, { array: [null, null] }, { array: [{ string: 'a' }, null, { string: `t${i}` }] }),
    scores: pick([], [[]], [[1, 2], [], [i]]),
    friends: pick([], [{ title: 'Dr', first: 'F', last: null }, { title: '', first: '', last: { string: 'L' } }]),
    attrs: pick({}, { a: [], b: [null, { long: BigInt(-i) }] }),
    choice: pick(null, { int: i }, { string: `s${i}` }, { 'example.people.Street': { number: 7, name: 'x' } }),
    choice_null_last: pick({ double: i * 0.5 }, { 'example.people.Color': 'BLUE' }, null),
    color: pick('RED', 'GREEN', 'BLUE'),
    hash: bytes(4, i),
    price: pick(Buffer.from([0x00, 0x96]), Buffer.from([0xff, 0x6a]), Buffer.from([0x01, 0x00, 0x00, 0x00])),
    big: pick(null, { 'example.people.Big': bytes(16, i) }),
    uid: `0000${String(i).padStart(4, '0')}-1111-2222-3333-444455556666`,
    uid_fixed: bytes(16, i + 1),
    wait: bytes(12, i + 2),
    born: 19000 + i,
    at_local: i * 86400000000, // avsc reads a long with a logical type as a number
    at_nanos: pick(null, { long: i * 1000000001 }),
    small: (i % 256) - 128,
    custom: `c${i}`,
    by_id: pick([], [{ key: i, value: null }, { key: -1, value: { string: 'v' } }]),
  };
}

function writeNested(path, type, records, codec) {
  return new Promise((resolve, reject) => {
    const enc = new avro.streams.BlockEncoder(type, { codec, codecs: avroCodecs });
    // avsc writes a Type's schema without the logical types it does not
    // know; the header must hold the schema as written.
    enc._schema = NESTED_SCHEMA;
    const file = createWriteStream(path);
    enc.on('error', reject);
    file.on('error', reject);
    file.on('close', resolve);
    enc.pipe(file);
    for (const r of records) enc.write(r);
    enc.end();
  });
}

function readNested(path) {
  return new Promise((resolve, reject) => {
    const rows = [];
    let header;
    avro
      .createFileDecoder(path, { codecs: avroDecoders, parseHook: (s) => nestedType(s) })
      .on('metadata', (type, codec, h) => (header = { type, codec, meta: h.meta }))
      .on('data', (r) => rows.push(r))
      .on('error', reject)
      .on('end', () => resolve({ rows, header }));
  });
}

// A schema with its names unqualified (lakepipe may write full names).
function sameSchemaForm(schema) {
  const strip = (v) => (typeof v === 'string' ? v.replace(/^example\.people\./, '') : v);
  const walk = (v, top) => {
    if (Array.isArray(v)) return v.map((x) => walk(x, false));
    if (v === null || typeof v !== 'object') return strip(v);
    const out = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === 'namespace' && !top) continue;
      out[k] = walk(x, false);
    }
    return out;
  };
  return walk(schema, true);
}

// Values compared as avsc returns them: numbers and BigInts by value, bytes as hex.
function plain(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint' || typeof v === 'number') return String(v);
  if (Buffer.isBuffer(v)) return `hex:${v.toString('hex')}`;
  if (Array.isArray(v)) return v.map(plain);
  if (typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, plain(v[k])]));
  return v;
}

function assertSameNested(got, want, label) {
  assert.equal(got.length, want.length, `${label}: rows`);
  for (let i = 0; i < want.length; i++) assert.deepEqual(plain(got[i]), plain(want[i]), `${label}: row ${i}`);
}

test('nested Avro with logical types round-trips avsc -> lakepipe -> avsc for every codec', async (t) => {
  const dir = tempDir(t, 'avro-nested');
  const type = nestedType();
  const records = Array.from({ length: 300 }, (_, i) => nestedRecord(i));
  for (const codec of CODECS) {
    const input = join(dir, `nested-${codec}.avro`);
    const out = join(dir, `nested-${codec}-out.avro`);
    await writeNested(input, type, records, codec);
    lakepipeOk(0, 'convert', input, out, '--compression', codec, '--quiet');
    const { rows, header } = await readNested(out);
    assert.equal(header.codec, codec, `${codec}: avro.codec`);
    // The same schema (names may be written in full), logical types and attributes kept.
    assert.deepEqual(sameSchemaForm(JSON.parse(header.meta['avro.schema'].toString())), sameSchemaForm(NESTED_SCHEMA), `${codec}: schema`);
    assertSameNested(rows, records, codec);
  }
});

test('inspect shows the full schema of a nested Avro file', async (t) => {
  const dir = tempDir(t, 'avro-nested-inspect');
  const input = join(dir, 'nested.avro');
  await writeNested(input, nestedType(), [nestedRecord(1)], 'null');
  const r = lakepipeOk(0, 'inspect', input, '--json');
  const info = JSON.parse(r.stdout);
  assert.deepEqual(sameSchemaForm(typeof info.schema === 'string' ? JSON.parse(info.schema) : info.schema), sameSchemaForm(NESTED_SCHEMA));
});

// ------------------------------------------------------------ decimals

// avsc reads an Avro decimal (bytes or fixed) as its exact text, as DuckDB
// prints a DECIMAL; any other underlying value is left as its plain text.
class DecimalText extends avro.types.LogicalType {
  constructor(schema, opts) {
    super(schema, opts);
    if (this._underlyingType.typeName === 'long') this._underlyingType = BigLongType();
    this._scale = schema.scale ?? 0;
  }
  _fromValue(v) {
    return Buffer.isBuffer(v) ? decimalText(v, this._scale) : String(v);
  }
  _toValue(v) {
    return v;
  }
}

test('Parquet decimals on INT32/INT64 stay decimals in Avro: avsc reads DuckDB\'s exact values', async (t) => {
  const dir = tempDir(t, 'avro-decimal');
  const parquet = join(dir, 'decimals.parquet');
  const out = join(dir, 'decimals.avro');
  const back = join(dir, 'back.parquet');
  const sign = `CASE WHEN i % 2 = 0 THEN '-' ELSE '' END`;
  const pad = (expr, n) => `lpad((${expr})::VARCHAR, ${n}, '0')`;
  // Precision 4 and 10 and 18: INT32 and INT64 in DuckDB's Parquet; 38: FIXED_LEN_BYTE_ARRAY.
  const column = (name, type, nullEvery, max, text) => `CASE WHEN i % ${nullEvery} = 0 THEN NULL
      WHEN i = 1 THEN '${max}' WHEN i = 2 THEN '-${max}' WHEN i = 3 THEN '0'
      ELSE ${sign} || ${text} END::${type} AS ${name}`;
  await duck(`COPY (SELECT i,
      ${column('d4', 'DECIMAL(4,1)', 5, '999.9', `(i * 37 % 1000) || '.' || (i % 10)`)},
      ${column('d10', 'DECIMAL(10,2)', 6, '99999999.99', `(i * 7919 % 100000000) || '.' || ${pad('i * 13 % 100', 2)}`)},
      ${column('d18', 'DECIMAL(18,3)', 7, '999999999999999.999', `(i * 104729 % 1000000000000000) || '.' || ${pad('i % 1000', 3)}`)},
      ${column('d38', 'DECIMAL(38,10)', 8, '9999999999999999999999999999.9999999999', `(i * 104729 % 1000000000000000) || ${pad('i', 13)} || '.' || ${pad('i * 31 % 10000000000', 10)}`)}
    FROM range(300) r(i)) TO '${parquet}' (FORMAT parquet)`);
  const want = await duck(`SELECT i::VARCHAR AS i, d4::VARCHAR AS d4, d10::VARCHAR AS d10, d18::VARCHAR AS d18,
      d38::VARCHAR AS d38 FROM read_parquet('${parquet}') ORDER BY i::BIGINT`);
  const types = await duck(`SELECT path_in_schema AS name, type FROM parquet_metadata('${parquet}') WHERE row_group_id = 0`);
  assert.deepEqual(Object.fromEntries(types.map((r) => [r.name, r.type])),
    { i: 'INT64', d4: 'INT32', d10: 'INT64', d18: 'INT64', d38: 'FIXED_LEN_BYTE_ARRAY' });

  lakepipeOk(0, 'convert', parquet, out, '--quiet');
  const { rows, header } = await new Promise((resolve, reject) => {
    const got = [];
    let meta;
    avro
      .createFileDecoder(out, {
        codecs: avroDecoders,
        parseHook: (s) => avro.Type.forSchema(s, { logicalTypes: { decimal: DecimalText }, registry: { long: BigLongType() } }),
      })
      .on('metadata', (type, codec, h) => (meta = h.meta))
      .on('data', (r) => got.push(r))
      .on('error', reject)
      .on('end', () => resolve({ rows: got, header: meta }));
  });
  // The spec's decimal is on bytes or fixed, with the same precision and scale.
  const fields = JSON.parse(header['avro.schema'].toString()).fields;
  const decimals = Object.fromEntries(fields.filter((f) => f.name !== 'i').map((f) => {
    const type = Array.isArray(f.type) ? f.type.find((b) => b !== 'null') : f.type;
    return [f.name, [type.type, type.logicalType, type.precision, type.scale]];
  }));
  assert.deepEqual(decimals, {
    d4: ['bytes', 'decimal', 4, 1],
    d10: ['bytes', 'decimal', 10, 2],
    d18: ['bytes', 'decimal', 18, 3],
    d38: ['fixed', 'decimal', 38, 10],
  });
  const read = rows.map((r) => ({ i: String(r.i), d4: r.d4, d10: r.d10, d18: r.d18, d38: r.d38 }));
  assert.equal(read.length, 300);
  assert.deepEqual(read, want);
  assert.ok(want.some((r) => r.d10 === null) && want.some((r) => r.d18 === '-999999999999999.999'));

  // lakepipe reads its Avro back as the same decimals.
  lakepipeOk(0, 'convert', out, back, '--quiet');
  const again = await duck(`SELECT i::VARCHAR AS i, d4::VARCHAR AS d4, d10::VARCHAR AS d10, d18::VARCHAR AS d18,
      d38::VARCHAR AS d38 FROM read_parquet('${back}') ORDER BY i::BIGINT`);
  assert.deepEqual(again, want);
});

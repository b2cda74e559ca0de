// CSV, JSON Lines and JSON arrays written by lakepipe are read by DuckDB's
// read_csv / read_json with the same values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  COLUMNS, NULL_COLUMN, assertRowsEqual, duck, lakepipeOk, makeRecords, makeSchema, sqlNorm, tempDir, writeAvroFile,
} from './lib.mjs';

const ALL = [...COLUMNS, NULL_COLUMN];
const DUCK_TYPES = {
  bool: 'BOOLEAN', int: 'INTEGER', long: 'BIGINT', float: 'FLOAT', double: 'DOUBLE', string: 'VARCHAR',
  bytes: 'VARCHAR', enum: 'VARCHAR', date: 'DATE', ts_ms: 'TIMESTAMP', ts_us: 'TIMESTAMP', null: 'VARCHAR',
};
const columnsArg = `{${ALL.map((c) => `'${c.name}': '${DUCK_TYPES[c.kind]}'`).join(', ')}}`;

// Bytes travel as base64 text; everything else normalises as for Parquet.
function select(from) {
  const cols = ALL.map((c) => (c.kind === 'bytes' ? `lower(hex(from_base64("${c.name}"))) AS "${c.name}"` : `${sqlNorm(c.name, c.kind)} AS "${c.name}"`));
  return `SELECT ${cols.join(', ')} FROM ${from}`;
}

const READERS = {
  jsonl: (p) => `read_json('${p}', format = 'newline_delimited', columns = ${columnsArg})`,
  json: (p) => `read_json('${p}', format = 'array', columns = ${columnsArg})`,
  // DuckDB reads a quoted empty field as NULL unless told otherwise; lakepipe
  // writes the empty string as "" and null as an empty field.
  csv: (p) => `read_csv('${p}', header = true, columns = ${columnsArg}, allow_quoted_nulls = false)`,
};

test('CSV, JSON Lines and JSON written by lakepipe are read by DuckDB with the same values', async (t) => {
  const dir = tempDir(t, 'text-out');
  for (const nullable of [false, true]) {
    const records = makeRecords(2000, nullable, ALL);
    const input = join(dir, `in-${nullable}.avro`);
    await writeAvroFile(input, makeSchema(nullable, ALL), records);
    for (const [format, reader] of Object.entries(READERS)) {
      const out = join(dir, `out-${nullable}.${format}`);
      lakepipeOk(0, 'convert', input, out, '--quiet');
      const got = await duck(select(reader(out)));
      assertRowsEqual(assert, got, records, ALL, `nullable=${nullable} format=${format}`);
    }
  }
});

test('text written by lakepipe reads back through lakepipe unchanged', async (t) => {
  const dir = tempDir(t, 'text-round');
  const records = makeRecords(1500, true, ALL);
  const input = join(dir, 'in.avro');
  const schemaPath = join(dir, 'schema.avsc');
  (await import('node:fs')).writeFileSync(schemaPath, JSON.stringify(makeSchema(true, ALL)));
  await writeAvroFile(input, makeSchema(true, ALL), records);
  for (const format of ['jsonl', 'json', 'csv']) {
    const text = join(dir, `t.${format}`);
    const back = join(dir, `back-${format}.parquet`);
    lakepipeOk(0, 'convert', input, text, '--quiet');
    lakepipeOk(0, 'convert', text, back, '--schema', schemaPath, '--quiet');
    const got = await duck(select(`'${back}'`).replace(/lower\(hex\(from_base64\("y"\)\)\)/, 'lower(hex("y"))'));
    assertRowsEqual(assert, got, records, ALL, `round trip through ${format}`);
  }
});

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

// ------------------------------------------------------------ nested values

const NESTED_AVSC = {
  type: 'record', name: 'nested', fields: [
    { name: 'id', type: 'long' },
    { name: 's', type: ['null', { type: 'record', name: 's_t', fields: [
      { name: 'a', type: ['null', 'int'] },
      { name: 'b', type: ['null', { type: 'array', items: ['null', 'double'] }] },
      { name: 'deep', type: ['null', { type: 'record', name: 'deep_t', fields: [
        { name: 'x', type: ['null', { type: 'array', items: { type: 'record', name: 'x_t', fields: [
          { name: 'k', type: 'string' }, { name: 'v', type: ['null', 'long'] }] } }] }] }] }] }] },
    { name: 'd', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 38, scale: 3 }] },
    { name: 'd9', type: ['null', { type: 'int', logicalType: 'decimal', precision: 9, scale: 2 }] },
    { name: 'm', type: ['null', { type: 'map', values: ['null', 'long'] }] },
    { name: 'ts', type: ['null', { type: 'long', logicalType: 'local-timestamp-micros' }] },
    { name: 'tz', type: ['null', { type: 'long', logicalType: 'timestamp-micros' }] },
    { name: 't', type: ['null', { type: 'long', logicalType: 'time-micros' }] },
    { name: 'i8', type: ['null', { type: 'int', logicalType: 'int8' }] },
    { name: 'u64', type: ['null', { type: 'long', logicalType: 'uint64' }] },
    { name: 'u', type: ['null', { type: 'string', logicalType: 'uuid' }] },
    { name: 'f', type: ['null', 'float'] },
  ],
};
const NESTED_DUCK_COLUMNS = `{'id': 'BIGINT', 's': 'STRUCT(a INTEGER, b DOUBLE[], deep STRUCT(x STRUCT(k VARCHAR, v BIGINT)[]))', `
  + `'d': 'DECIMAL(38,3)', 'd9': 'DECIMAL(9,2)', 'm': 'MAP(VARCHAR, BIGINT)', 'ts': 'TIMESTAMP', 'tz': 'TIMESTAMPTZ', `
  + `'t': 'TIME', 'i8': 'TINYINT', 'u64': 'UBIGINT', 'u': 'UUID', 'f': 'FLOAT'}`;
// Rows covering nulls at every level, empty lists, lists of nulls, maps with
// null values, deep nesting and decimals beyond a double's precision.
const NESTED_ROWS_SQL = `SELECT * FROM (VALUES
  (1, {'a': 1, 'b': [1.5, NULL, -2.0], 'deep': {'x': [{'k': 'p', 'v': 9007199254740993}, {'k': 'q', 'v': NULL}]}},
   12345678901234567890.123::DECIMAL(38,3), -1234567.89::DECIMAL(9,2), MAP {'k': 1, 'n': NULL},
   TIMESTAMP '2024-01-31 12:34:56.789', TIMESTAMPTZ '1969-07-20 20:17:40.5+00', TIME '23:59:59.999999',
   (-128)::TINYINT, 18446744073709551615::UBIGINT, '0123abcd-4567-89ab-cdef-0123456789ab'::UUID, 0.1::FLOAT),
  (2, {'a': NULL, 'b': [], 'deep': {'x': []}}, -0.001::DECIMAL(38,3), 0::DECIMAL(9,2), MAP {},
   NULL, NULL, TIME '00:00:00', 127::TINYINT, 0::UBIGINT, NULL, 'NaN'::FLOAT),
  (3, {'a': 3, 'b': NULL, 'deep': NULL}, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, NULL, -99999999999999999999999999999999999.999::DECIMAL(38,3), 9999999.99::DECIMAL(9,2), MAP {'': NULL},
   TIMESTAMP '0001-01-01 00:00:00', TIMESTAMPTZ '9999-12-31 23:59:59.999999+00', TIME '12:00:00.5', 0::TINYINT,
   9223372036854775808::UBIGINT, NULL, -3.5::FLOAT)
) v(id, s, d, d9, m, ts, tz, t, i8, u64, u, f)`;

// Each row as DuckDB's to_json prints it, in id order. DuckDB's read_json
// parses JSON numbers through a double, so decimal(38,3) 'd' is compared as
// text instead (decimalTexts).
async function toJsonRows(from) {
  const rows = await duck(`SELECT to_json(r)::VARCHAR AS j FROM (SELECT * EXCLUDE (d) FROM ${from}) r ORDER BY id`);
  return rows.map((r) => r.j);
}

// The text of each line's "d" value.
function decimalTexts(text) {
  return text.split('\n').filter((l) => l).map((l) => /"d":(null|-?[0-9.]+)/.exec(l)[1]);
}

test('lakepipe reads DuckDB nested JSON and writes nested JSON Lines DuckDB reads back identically', async (t) => {
  const dir = tempDir(t, 'text-nested');
  const { writeFileSync, readFileSync } = await import('node:fs');
  const schema = join(dir, 'nested.avsc');
  writeFileSync(schema, JSON.stringify(NESTED_AVSC));
  const source = join(dir, 'duck.json');
  await duck(`COPY (${NESTED_ROWS_SQL}) TO '${source}' (FORMAT json)`);
  const want = await toJsonRows(`(${NESTED_ROWS_SQL})`);

  const out = join(dir, 'out.jsonl');
  lakepipeOk(0, 'convert', source, out, '--input-format', 'jsonl', '--schema', schema, '--quiet');
  const got = await toJsonRows(`read_json('${out}', format = 'newline_delimited', columns = ${NESTED_DUCK_COLUMNS})`);
  assert.deepEqual(got, want);
  // Decimals are written exactly, as JSON numbers, as DuckDB wrote them.
  const written = readFileSync(out, 'utf8');
  assert.deepEqual(decimalTexts(written), ['12345678901234567890.123', '-0.001', 'null', '-99999999999999999999999999999999999.999']);
  assert.deepEqual(decimalTexts(written), decimalTexts(readFileSync(source, 'utf8')));
  const first = written.split('\n')[0];
  assert.match(first, /"s":\{"a":1,"b":\[1\.5,null,-2\],"deep":\{"x":\[\{"k":"p","v":9007199254740993\},\{"k":"q","v":null\}\]\}\}/);
});

test('nested values survive JSON to CSV to JSON with --schema', async (t) => {
  const dir = tempDir(t, 'text-nested-csv');
  const { writeFileSync, readFileSync } = await import('node:fs');
  const schema = join(dir, 'nested.avsc');
  writeFileSync(schema, JSON.stringify(NESTED_AVSC));
  const source = join(dir, 'duck.jsonl');
  await duck(`COPY (${NESTED_ROWS_SQL}) TO '${source}' (FORMAT json)`);
  const csv = join(dir, 'mid.csv');
  const back = join(dir, 'back.jsonl');
  lakepipeOk(0, 'convert', source, csv, '--schema', schema, '--quiet');
  lakepipeOk(0, 'convert', csv, back, '--schema', schema, '--quiet');
  // The CSV cell of a nested column is its JSON text.
  const lines = readFileSync(csv, 'utf8').split('\n');
  assert.equal(lines[3].split(',')[0], '3');
  assert.match(lines[3], /^3,"\{""a"":3,""b"":null,""deep"":null\}",,,/);
  const want = await toJsonRows(`(${NESTED_ROWS_SQL})`);
  const got = await toJsonRows(`read_json('${back}', format = 'newline_delimited', columns = ${NESTED_DUCK_COLUMNS})`);
  assert.deepEqual(got, want);
  assert.deepEqual(decimalTexts(readFileSync(back, 'utf8')), decimalTexts(readFileSync(source, 'utf8')));
});

test('a nested JSON document infers nested structs and lists', async (t) => {
  const dir = tempDir(t, 'text-nested-infer');
  const source = join(import.meta.dirname, '..', '..', 'src', 'sources', 'testdata', 'randomuser-sample.json');
  const r = lakepipeOk(0, 'inspect', source, '--json');
  const schema = JSON.parse(r.stdout).schema;
  const results = schema.fields.find((f) => f.name === 'results');
  assert.equal(results.type.type, 'array');
  const person = results.type.items;
  assert.equal(person.type, 'record');
  const field = (rec, name) => rec.fields.find((f) => f.name === name).type;
  const location = field(person, 'location');
  assert.equal(location.type, 'record');
  assert.deepEqual(field(location, 'street').fields.map((f) => [f.name, f.type]), [['number', 'int'], ['name', 'string']]);
  assert.deepEqual(field(person, 'name').fields.map((f) => f.name), ['title', 'first', 'last']);
  assert.deepEqual(field(person, 'dob'), {
    type: 'record', name: 'results_element_dob',
    fields: [{ name: 'date', type: { type: 'long', logicalType: 'timestamp-micros' } }, { name: 'age', type: 'int' }],
  });
  // The inferred schema reads the document, and DuckDB agrees with the values.
  const out = join(dir, 'people.jsonl');
  lakepipeOk(0, 'convert', source, out, '--quiet');
  const got = await duck(`SELECT p.name.first AS first, p.location.street.number AS number, p.dob.age AS age
    FROM (SELECT unnest(results) AS p FROM read_json('${out}', format = 'newline_delimited'))`);
  const want = await duck(`SELECT p.name.first AS first, p.location.street.number AS number, p.dob.age AS age
    FROM (SELECT unnest(results) AS p FROM read_json('${source}'))`);
  assert.deepEqual(got, want);
  assert.ok(got.length >= 2);
});

// DuckDB writes nested and logical-type Parquet; lakepipe reads it. The
// oracle is DuckDB's own to_json of each row, compared with the rows
// `lakepipe inspect --json --rows N` prints (core/column_json's RowJson).
//
// Textual differences normalised on both sides (and only these):
//  - numbers: trailing zeros of a fraction (DuckDB prints a DECIMAL(10,2)
//    10.00 as 10.0, lakepipe as 10.00); numbers are compared as their exact
//    text otherwise, never through a double;
//  - NaN/Infinity: DuckDB prints bare NaN/Infinity tokens, lakepipe the
//    strings "nan"/"inf"/"-inf";
//  - timestamps: DuckDB "2024-01-31 12:34:56.789" and "...+00", lakepipe
//    "2024-01-31T12:34:56.789" (local) and "...Z" (UTC);
//  - times: DuckDB drops trailing zeros of the fraction ("12:34:56.789"),
//    lakepipe prints the column's unit ("12:34:56.789000").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { duck, lakepipeOk, tempDir } from './lib.mjs';

// A JSON parser that keeps numbers as their (normalised) text and accepts
// DuckDB's NaN/Infinity tokens.
function parseLoose(text) {
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
  };
  const value = () => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const obj = {};
      ws();
      if (text[i] === '}') return i++, obj;
      for (;;) {
        ws();
        const k = value();
        ws();
        assert.equal(text[i++], ':', `':' expected at ${i} in ${text}`);
        obj[k] = value();
        ws();
        if (text[i++] === '}') return obj;
      }
    }
    if (c === '[') {
      i++;
      const arr = [];
      ws();
      if (text[i] === ']') return i++, arr;
      for (;;) {
        arr.push(value());
        ws();
        if (text[i++] === ']') return arr;
      }
    }
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const s = JSON.parse(text.slice(i, j + 1));
      i = j + 1;
      return normString(s);
    }
    for (const [token, v] of [['true', true], ['false', false], ['null', null], ['NaN', 'nan'], ['Infinity', 'inf'], ['-Infinity', '-inf']]) {
      if (text.startsWith(token, i)) return (i += token.length), v;
    }
    const m = /^-?\d+(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i));
    assert.ok(m, `bad JSON at ${i}: ${text.slice(i, i + 40)}`);
    i += m[0].length;
    return `#${normNumber(m[0])}`;
  };
  const v = value();
  return v;
}

function normNumber(t) {
  if (/[eE]/.test(t)) return String(Number(t));
  if (!t.includes('.')) return t;
  return t.replace(/0+$/, '').replace(/\.$/, '');
}

function normString(s) {
  if (s === 'nan' || s === 'inf' || s === '-inf') return s;
  let m = /^(\d{4,}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?(Z|\+00)?$/.exec(s);
  if (m) return `${m[1]} ${m[2]}${(m[3] ?? '').replace(/\.?0+$/, '')}${m[4] ? '+00' : ''}`;
  m = /^(\d{2}:\d{2}:\d{2})(\.\d+)?$/.exec(s);
  if (m) return `${m[1]}${(m[2] ?? '').replace(/\.?0+$/, '')}`;
  return s;
}

// lakepipe's rows of `file` equal DuckDB's to_json of the same rows.
async function assertReadsAsDuckDB(file, label) {
  const duckRows = await duck(`SELECT to_json(tbl)::VARCHAR AS j FROM '${file}' tbl`);
  const out = lakepipeOk(0, 'inspect', file, '--json', '--rows', String(duckRows.length + 1)).stdout;
  const info = parseLoose(out);
  assert.equal(info.rows.length, duckRows.length, `${label}: rows`);
  for (let r = 0; r < duckRows.length; r++) {
    const want = parseLoose(duckRows[r].j);
    for (const k of Object.keys(want)) {
      if (JSON.stringify(info.rows[r][k]) !== JSON.stringify(want[k])) {
        assert.fail(`${label}: row ${r} column ${k}: lakepipe ${JSON.stringify(info.rows[r][k])}, DuckDB ${JSON.stringify(want[k])}`);
      }
    }
    assert.deepEqual(Object.keys(info.rows[r]), Object.keys(want), `${label}: row ${r} columns`);
  }
  return info;
}

// Nulls at every level: the value, a struct field, a list, its elements,
// a map and its values; empty lists and maps.
const NESTED = {
  tags: `CASE i % 6 WHEN 0 THEN NULL WHEN 1 THEN [] WHEN 2 THEN [NULL] WHEN 3 THEN [NULL, NULL] ELSE [i, NULL, -i] END::INTEGER[]`,
  words: `CASE i % 4 WHEN 0 THEN ['a', NULL, ''] WHEN 1 THEN NULL ELSE ['w' || i] END`,
  person: `CASE WHEN i % 5 = 0 THEN NULL ELSE {'name': CASE WHEN i % 3 = 0 THEN NULL ELSE 'n' || i END, 'age': (i % 90)::TINYINT, 'address': CASE WHEN i % 4 = 0 THEN NULL ELSE {'street': {'number': i, 'name': 'St ' || i}, 'postcode': NULL::VARCHAR} END} END`,
  attrs: `CASE i % 5 WHEN 0 THEN NULL WHEN 1 THEN MAP {} ::MAP(VARCHAR, BIGINT) WHEN 2 THEN MAP {'k': NULL::BIGINT} ELSE MAP {'a': i, 'b': NULL, 'c': -i} END`,
  deep: `CASE i % 4 WHEN 0 THEN NULL WHEN 1 THEN [] ELSE [{'l': [MAP {'x': [i, NULL]}, NULL, MAP {}]}, NULL, {'l': NULL}] END`,
  grid: `CASE i % 3 WHEN 0 THEN [[1, 2], [], NULL, [NULL]] WHEN 1 THEN NULL ELSE [[i]] END::BIGINT[][]`,
  amounts: `CASE WHEN i % 7 = 0 THEN NULL ELSE [(i * 0.01)::DECIMAL(9,2), NULL, (-i * 1.5)::DECIMAL(9,2)] END`,
  events: `CASE WHEN i % 6 = 0 THEN NULL ELSE [{'at': TIMESTAMP '2024-01-31 12:00:00' + to_microseconds(i * 1001), 'id': md5(i::VARCHAR)::UUID, 'n': NULL::INTEGER}] END`,
};

// Logical types, each nullable, with edge values.
const LOGICAL = {
  i8: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN -128 WHEN i = 1 THEN 127 ELSE i % 100 END::TINYINT`,
  i16: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN -32768 WHEN i = 1 THEN 32767 ELSE i END::SMALLINT`,
  u8: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN 255 ELSE i % 200 END::UTINYINT`,
  u16: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN 65535 ELSE i END::USMALLINT`,
  u32: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN 4294967295 ELSE i END::UINTEGER`,
  u64: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN 18446744073709551615 WHEN i = 1 THEN 9223372036854775808 ELSE i END::UBIGINT`,
  d4: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN -99.99 ELSE (i % 9999) / 100 END::DECIMAL(4,2)`,
  d18: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN 999999999999.999999 WHEN i = 1 THEN -999999999999.999999 ELSE i * 1.000001 END::DECIMAL(18,6)`,
  d38: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN 9999999999999999999999999999.9999999999 WHEN i = 1 THEN -1.0000000001 ELSE i * 12345678901234567.1234567891 END::DECIMAL(38,10)`,
  uid: `CASE WHEN i % 7 = 3 THEN NULL ELSE md5(CAST(i % 200 AS VARCHAR))::UUID END`,
  tm: `CASE WHEN i % 7 = 3 THEN NULL ELSE TIME '00:00:00' + to_microseconds(i * 86399999) END`,
  ts: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN TIMESTAMP '1900-01-01 00:00:00.000001' ELSE TIMESTAMP '1969-12-31 23:59:59' + to_microseconds(i * 1000003) END`,
  tstz: `CASE WHEN i % 7 = 3 THEN NULL ELSE TIMESTAMPTZ '2025-11-21 04:40:00+00' + to_microseconds(i * 999) END`,
  tsms: `CASE WHEN i % 7 = 3 THEN NULL ELSE (TIMESTAMP '1960-06-01 12:00:00' + to_milliseconds(i * 1001))::TIMESTAMP_MS END`,
  tsns: `CASE WHEN i % 7 = 3 THEN NULL ELSE (TIMESTAMP '2001-02-03 04:05:06' + to_microseconds(i * 17))::TIMESTAMP_NS + to_microseconds(0) END::TIMESTAMP_NS`,
  dt: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN DATE '0001-01-01' ELSE DATE '1970-01-01' + (i % 400 - 200)::INTEGER END`,
  f32: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN 'NaN'::FLOAT WHEN i = 1 THEN '-inf'::FLOAT ELSE ((i % 100) - 50) / 8 END::FLOAT`,
  blob: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN '\\x00\\xFF\\x80'::BLOB ELSE ('b' || (i % 90))::BLOB END`,
};

const CODECS = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'ZSTD'];

function select(columns) {
  return `SELECT ${Object.entries(columns).map(([k, sql]) => `${sql} AS "${k}"`).join(', ')} FROM range(0, 600) r(i) ORDER BY i`;
}

for (const [name, columns] of [['nested', NESTED], ['logical', LOGICAL]]) {
  test(`DuckDB's ${name} Parquet reads as DuckDB reads it: codec x page version x dictionary`, async (t) => {
    const dir = tempDir(t, `pq-nested-${name}`);
    for (const codec of CODECS) {
      for (const version of ['V1', 'V2']) {
        for (const dictionary of [true, false]) {
          const label = `${name} codec=${codec} version=${version} dictionary=${dictionary}`;
          const file = join(dir, `${name}-${codec}-${version}-${dictionary}.parquet`);
          await duck(`COPY (${select(columns)}) TO '${file}' (FORMAT parquet, COMPRESSION ${codec}, PARQUET_VERSION ${version}, ROW_GROUP_SIZE 256${dictionary ? '' : ', DICTIONARY_SIZE_LIMIT 1'})`);
          await assertReadsAsDuckDB(file, label);
        }
      }
    }
  });
}

test('inspect --json lists nested fields with their kinds, parameters and field ids', async (t) => {
  const dir = tempDir(t, 'pq-nested-schema');
  const file = join(dir, 'ids.parquet');
  await duck(`COPY (${select({ person: NESTED.person, attrs: NESTED.attrs, tags: NESTED.tags, d18: LOGICAL.d18, ts: LOGICAL.ts, tstz: LOGICAL.tstz, uid: LOGICAL.uid, u64: LOGICAL.u64 })}) TO '${file}' (FORMAT parquet, FIELD_IDS 'auto')`);
  const info = await assertReadsAsDuckDB(file, 'field ids');
  const byName = Object.fromEntries(info.fields.map((f) => [f.name, f]));
  assert.equal(byName.person.type, 'struct');
  assert.deepEqual(byName.person.children.map((c) => [c.name, c.type]), [['name', 'string'], ['age', 'int8'], ['address', 'struct']]);
  assert.equal(byName.attrs.type, 'map');
  assert.deepEqual(byName.attrs.children.map((c) => [c.name, c.type, c.nullable]), [['key', 'string', false], ['value', 'int64', true]]);
  assert.equal(byName.tags.type, 'list');
  assert.equal(byName.tags.children[0].type, 'int32');
  assert.deepEqual([byName.d18.type, byName.d18.precision, byName.d18.scale], ['decimal', '#18', '#6']);
  assert.deepEqual([byName.ts.type, byName.ts.unit, byName.ts.utc], ['timestamp', 'micros', false]);
  assert.deepEqual([byName.tstz.type, byName.tstz.utc], ['timestamp', true]);
  assert.deepEqual([byName.uid.type, byName.uid.base], ['uuid', 'fixed']);
  assert.equal(byName.u64.type, 'uint64');
  // Every field, at every depth, carries the id DuckDB wrote.
  const ids = [];
  const walk = (f) => {
    ids.push(f.field_id);
    for (const c of f.children ?? []) walk(c);
  };
  info.fields.forEach(walk);
  assert.ok(ids.every((id) => typeof id === 'string' && id.startsWith('#')), `field ids: ${JSON.stringify(ids)}`);
  assert.equal(new Set(ids).size, ids.length, 'field ids are distinct');
  // The text form describes the nesting too.
  const text = lakepipeOk(0, 'inspect', file, '--rows', '1').stdout;
  assert.match(text, /attrs +nullable map<string, nullable long>/);
  assert.match(text, /person +nullable struct \{name: nullable string, age: nullable int \(int8\)/);
});

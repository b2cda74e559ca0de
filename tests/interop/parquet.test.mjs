// Parquet interoperability: files lakepipe writes are read by DuckDB and by
// hyparquet with the same values, and files DuckDB writes are read by
// lakepipe with the same values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import lz4 from 'lz4js';
import {
  COLUMNS, NULL_COLUMN, ROOT, assertRowsEqual, dateText, duck, lakepipeOk, makeRecords, makeSchema, norm,
  readAvroFile, sameValue, selectNormalised, tempDir, writeAvroFile,
} from './lib.mjs';

const ALL = [...COLUMNS, NULL_COLUMN];
// lakepipe's codec names and the codec id each writes (lz4 is LZ4_RAW, as in DuckDB).
const CODECS = {
  none: 'UNCOMPRESSED', snappy: 'SNAPPY', gzip: 'GZIP', zstd: 'ZSTD', brotli: 'BROTLI', lz4: 'LZ4_RAW', lz4_raw: 'LZ4_RAW',
};
// DuckDB's COMPRESSION names and the codec id DuckDB writes for each.
const DUCK_CODECS = {
  uncompressed: 'UNCOMPRESSED', snappy: 'SNAPPY', gzip: 'GZIP', zstd: 'ZSTD', lz4: 'LZ4_RAW', lz4_raw: 'LZ4_RAW', brotli: 'BROTLI',
};

test('lakepipe Parquet is read by DuckDB: every type x nullability x codec x dictionary/plain', async (t) => {
  const dir = tempDir(t, 'pq-out');
  for (const nullable of [false, true]) {
    const records = makeRecords(3000, nullable, ALL);
    const input = join(dir, `in-${nullable}.avro`);
    await writeAvroFile(input, makeSchema(nullable, ALL), records);
    for (const [codec, codecName] of Object.entries(CODECS)) {
      for (const dictionary of [true, false]) {
        const label = `nullable=${nullable} codec=${codec} dictionary=${dictionary}`;
        const out = join(dir, `out-${nullable}-${codec}-${dictionary}.parquet`);
        const args = ['convert', input, out, '--compression', codec, '--page-bytes', '8KiB', '--quiet'];
        if (!dictionary) args.push('--no-dictionary');
        lakepipeOk(0, ...args);

        const got = await duck(selectNormalised(`'${out}'`, ALL));
        assertRowsEqual(assert, got, records, ALL, label);

        const meta = await duck(`SELECT path_in_schema AS col, encodings, compression FROM parquet_metadata('${out}')`);
        assert.ok(meta.length >= ALL.length, `${label}: column chunks`);
        for (const m of meta) assert.equal(m.compression, codecName, `${label}: ${m.col} codec`);
        const dictColumns = meta.filter((m) => /DICTIONARY/.test(m.encodings)).map((m) => m.col);
        if (dictionary) {
          // Repeating values (strings, enums, ints) are dictionary-encoded.
          for (const col of ['s', 'e', 'i', 'u']) assert.ok(dictColumns.includes(col), `${label}: ${col} uses a dictionary`);
        } else {
          assert.deepEqual(dictColumns, [], `${label}: no dictionary`);
        }
      }
    }
  }
});

test('lakepipe Parquet with 1,000,000 rows and several row groups is read by DuckDB', async (t) => {
  const dir = tempDir(t, 'pq-big');
  const columns = COLUMNS.filter((c) => ['l', 'd', 's', 'tu', 'b'].includes(c.name));
  const n = 1_000_000;
  const records = makeRecords(n, true, columns);
  // Make strings mostly distinct so the file is not trivially small.
  for (let i = 0; i < n; i += 3) if (records[i].s !== null) records[i].s = `row-${i}-${(i * 2654435761) >>> 0}`;
  const input = join(dir, 'big.avro');
  await writeAvroFile(input, makeSchema(true, columns, 'Big'), records, 'deflate');
  const out = join(dir, 'big.parquet');
  lakepipeOk(0, 'convert', input, out, '--row-group-bytes', '4MiB', '--quiet');

  const groups = await duck(`SELECT count(DISTINCT row_group_id) AS n, sum(row_group_num_rows) // count(DISTINCT path_in_schema) AS rows FROM parquet_metadata('${out}')`);
  assert.ok(groups[0].n > 2, `expected several row groups, got ${groups[0].n}`);
  assert.equal(groups[0].rows, BigInt(n));
  const got = await duck(selectNormalised(`'${out}'`, columns));
  assertRowsEqual(assert, got, records, columns, '1M rows');
});

// DuckDB writes; lakepipe reads (through to Avro, which avsc decodes).
const DUCK_TYPES = [
  { name: 'b', kind: 'bool', sql: `CASE WHEN i % 7 = 3 THEN NULL ELSE i % 2 = 0 END` },
  { name: 'i32', kind: 'int', sql: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN 2147483647 WHEN i = 1 THEN -2147483648 ELSE (i * 7919) % 200 - 100 END::INTEGER` },
  { name: 'i64', kind: 'long', sql: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN 9223372036854775807 WHEN i = 1 THEN -9223372036854775808 ELSE (i * 104729) % 5000 - 2500 END::BIGINT` },
  { name: 'f32', kind: 'float', sql: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN 'NaN'::FLOAT WHEN i = 1 THEN 'inf'::FLOAT WHEN i = 2 THEN '-inf'::FLOAT WHEN i = 4 THEN '-0.0'::FLOAT ELSE ((i % 100) - 50) / 8 END::FLOAT` },
  { name: 'f64', kind: 'double', sql: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN 'NaN'::DOUBLE WHEN i = 1 THEN 'inf'::DOUBLE WHEN i = 2 THEN '-inf'::DOUBLE WHEN i = 4 THEN 1.7976931348623157e308 ELSE ((i % 300) - 150) / 7 END::DOUBLE` },
  { name: 'str', kind: 'string', sql: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN '' WHEN i = 1 THEN 'ünïcödé ✓ 日本語 😀' WHEN i % 11 = 0 THEN 'unique-' || i ELSE 's' || (i % 150) END` },
  { name: 'blob', kind: 'bytes', sql: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN ''::BLOB WHEN i = 1 THEN '\\x00\\xFF\\x80'::BLOB ELSE ('b' || (i % 90))::BLOB END` },
  { name: 'dt', kind: 'date', sql: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN DATE '0001-01-01' WHEN i = 1 THEN DATE '9999-12-31' ELSE DATE '1970-01-01' + (i % 400 - 200)::INTEGER END` },
  { name: 'ts', kind: 'ts_us', sql: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN TIMESTAMP '1900-01-01 00:00:00.000001' ELSE TIMESTAMP '1969-12-31 23:59:59' + to_microseconds(i * 1000003) END` },
  { name: 'tstz', kind: 'ts_us', sql: `CASE WHEN i % 7 = 3 THEN NULL ELSE TIMESTAMPTZ '2025-11-21 04:40:00+00' + to_microseconds(i * 999) END` },
  { name: 'tsms', kind: 'ts_ms', sql: `CASE WHEN i % 7 = 3 THEN NULL ELSE (TIMESTAMP '1960-06-01 12:00:00' + to_milliseconds(i * 1001))::TIMESTAMP_MS END` },
  { name: 'tsns', kind: 'ts_ns', sql: `CASE WHEN i % 7 = 3 THEN NULL ELSE (TIMESTAMP '2001-02-03 04:05:06' + to_microseconds(i * 17))::TIMESTAMP_NS END` },
  { name: 'uid', kind: 'string', sql: `CASE WHEN i % 7 = 3 THEN NULL ELSE md5(CAST(i % 200 AS VARCHAR))::UUID END`, norm: 'CAST(uid AS VARCHAR)' },
  { name: 'u32', kind: 'long', sql: `CASE WHEN i % 7 = 3 THEN NULL WHEN i = 0 THEN 4294967295 ELSE i END::UINTEGER` },
];

function duckNorm(c) {
  if (c.norm) return `${c.norm} AS "${c.name}"`;
  const q = `"${c.name}"`;
  switch (c.kind) {
    case 'long': return `CAST(${q} AS VARCHAR) AS ${q}`;
    case 'float': return `CAST(${q} AS DOUBLE) AS ${q}`;
    case 'bytes': return `lower(hex(${q})) AS ${q}`;
    case 'date': return `CAST(${q} AS VARCHAR) AS ${q}`;
    case 'ts_ms': return `CAST(epoch_ms(${q}) AS VARCHAR) AS ${q}`;
    case 'ts_us': return `CAST(epoch_us(${q}) AS VARCHAR) AS ${q}`;
    case 'ts_ns': return `CAST(epoch_ns(${q}) AS VARCHAR) AS ${q}`;
    default: return q;
  }
}

// Normalises an avsc-decoded value of lakepipe's Avro output.
function avroNorm(kind, v) {
  if (v === null || v === undefined) return null;
  if (kind === 'date') return norm('date', v);
  if (kind === 'bytes') return Buffer.from(v).toString('hex');
  if (kind === 'long' || kind === 'ts_ms' || kind === 'ts_us' || kind === 'ts_ns') return BigInt(v).toString();
  return v;
}

test('DuckDB Parquet is read by lakepipe: every type x codec x page version x dictionary/plain', async (t) => {
  const dir = tempDir(t, 'pq-in');
  // TIMESTAMP_NS keeps its nanoseconds. A UUID reads as fixed(16), which
  // parquet_nested_read.test.mjs compares with DuckDB through inspect.
  const DUCK_COLUMNS = DUCK_TYPES.filter((c) => c.name !== 'uid');
  await duck(`CREATE OR REPLACE TABLE duck_src AS SELECT i, ${DUCK_COLUMNS.map((c) => `${c.sql} AS "${c.name}"`).join(', ')} FROM range(0, 5000) r(i)`);
  for (const [codec, codecId] of Object.entries(DUCK_CODECS)) {
    for (const version of ['V1', 'V2']) {
      for (const dictionary of [true, false]) {
        const label = `codec=${codec} version=${version} dictionary=${dictionary}`;
        const src = join(dir, `duck-${codec}-${version}-${dictionary}.parquet`);
        await duck(`COPY (SELECT * EXCLUDE (i) FROM duck_src ORDER BY i) TO '${src}' (FORMAT parquet, COMPRESSION ${codec}, PARQUET_VERSION ${version}, ROW_GROUP_SIZE 2048${dictionary ? '' : ', DICTIONARY_SIZE_LIMIT 1'})`);
        // The oracle is DuckDB reading its own file (its dictionary, for one,
        // folds -0.0 into 0.0 or the reverse).
        const expected = await duck(`SELECT ${DUCK_COLUMNS.map(duckNorm).join(', ')} FROM '${src}'`);
        const facts = JSON.parse(lakepipeOk(0, 'inspect', src, '--json').stdout);
        assert.deepEqual(facts.codecs, [codecId], `${label}: the codec DuckDB wrote`);
        const out = join(dir, `from-duck-${codec}-${version}-${dictionary}.avro`);
        lakepipeOk(0, 'convert', src, out, '--quiet');
        const { rows } = await readAvroFile(out);
        assert.equal(rows.length, expected.length, `${label}: rows`);
        for (let r = 0; r < rows.length; r++) {
          for (const c of DUCK_COLUMNS) {
            const have = avroNorm(c.kind, rows[r][c.name]);
            const want = c.kind === 'float' && expected[r][c.name] !== null ? Math.fround(expected[r][c.name]) : expected[r][c.name];
            if (!sameValue(have, want)) {
              assert.fail(`${label}: row ${r} column ${c.name}: lakepipe read ${String(have)}, DuckDB has ${String(want)}`);
            }
          }
        }
      }
    }
  }
});

test('lz4_hadoop writes the LZ4 codec id in Hadoop frames, which lakepipe reads back', async (t) => {
  // DuckDB reads the footer (parquet_metadata) but not LZ4 pages; the framing
  // itself is checked byte by byte in the compress module's tests.
  const dir = tempDir(t, 'pq-lz4-hadoop');
  const records = makeRecords(3000, true, ALL);
  const input = join(dir, 'in.avro');
  await writeAvroFile(input, makeSchema(true, ALL), records);
  const out = join(dir, 'hadoop.parquet');
  lakepipeOk(0, 'convert', input, out, '--compression', 'lz4_hadoop', '--page-bytes', '8KiB', '--quiet');
  const meta = await duck(`SELECT DISTINCT compression FROM parquet_metadata('${out}')`);
  assert.deepEqual(meta.map((m) => m.compression), ['LZ4']);
  const back = join(dir, 'back.avro');
  lakepipeOk(0, 'convert', out, back, '--quiet');
  const { rows } = await readAvroFile(back);
  assert.equal(rows.length, records.length);
  for (let i = 0; i < records.length; i++) {
    for (const c of ALL) {
      const a = norm(c.kind, rows[i][c.name]);
      const b = norm(c.kind, records[i][c.name]);
      if (!sameValue(a, b)) assert.fail(`row ${i} column ${c.name}: read back ${String(a)}, wrote ${String(b)}`);
    }
  }
});

test('an unknown Parquet codec is refused naming the known ones', async (t) => {
  const dir = tempDir(t, 'pq-codec');
  const input = join(dir, 'in.avro');
  await writeAvroFile(input, makeSchema(false, ALL), makeRecords(10, false, ALL));
  const r = lakepipeOk(1, 'convert', input, join(dir, 'out.parquet'), '--compression', 'lzo');
  assert.match(r.stderr, /unknown Parquet compression 'lzo' \(use none, snappy, gzip, zstd, brotli, lz4, lz4_raw or lz4_hadoop\)/);
});

test('unsupported Parquet features are named in the error', async (t) => {
  const dir = tempDir(t, 'pq-unsupported');
  // Nested and DECIMAL columns, refused before, are read.
  const nested = join(dir, 'nested.parquet');
  await duck(`COPY (SELECT 1 AS id, [1, 2, 3] AS tags, 1.25::DECIMAL(5,2) AS price) TO '${nested}' (FORMAT parquet)`);
  const info = JSON.parse(lakepipeOk(0, 'inspect', nested, '--json', '--rows', '1').stdout);
  assert.deepEqual(info.rows[0], { id: 1, tags: [1, 2, 3], price: 1.25 });
  // Modular encryption is not supported, and says so.
  const encrypted = join(dir, 'encrypted.parquet');
  await duck(`SET force_mbedtls_unsafe = 'true'`);
  await duck(`PRAGMA add_parquet_key('key256', '01234567891123450123456789112345')`);
  await duck(`COPY (SELECT 1 AS id) TO '${encrypted}' (FORMAT parquet, ENCRYPTION_CONFIG {footer_key: 'key256'})`);
  const r = lakepipeOk(1, 'convert', encrypted, join(dir, 'y.jsonl'));
  assert.match(r.stderr, /encrypt/);
  assert.match(r.stderr, /unsupported:/);
  assert.doesNotMatch(r.stderr, /corrupt data/);
});

// INT96 values far outside the usual range (Spark writes such values; DuckDB
// cannot write INT96, so the file is made by lakepipe's test encoders).
test('Parquet INT96 timestamps are read as DuckDB reads them, whatever their range', async (t) => {
  const dir = tempDir(t, 'pq-int96');
  const src = join(ROOT, 'src', 'formats', 'parquet', 'testdata', 'int96_extremes.parquet');
  const expected = await duck(`SELECT CAST(epoch_us(ts) AS VARCHAR) AS ts FROM '${src}'`);
  const out = join(dir, 'int96.avro');
  lakepipeOk(0, 'convert', src, out, '--quiet');
  const { rows } = await readAvroFile(out);
  assert.equal(rows.length, expected.length);
  assert.ok(expected.some((e) => e.ts === '1939426010608967680'), 'the file holds a wrapped value');
  rows.forEach((row, i) => assert.equal(BigInt(row.ts).toString(), expected[i].ts, `row ${i}`));
});

test('lakepipe Parquet is read by hyparquet: every type x nullability x codec x dictionary/plain', async (t) => {
  const { asyncBufferFromFile, parquetReadObjects } = await import('hyparquet');
  // hyparquet decodes snappy itself; gzip and brotli through Node's zlib,
  // LZ4_RAW through lz4js's block decoder. Node 20's zlib has no zstd, so
  // zstd files are left to DuckDB above.
  const compressors = {
    GZIP: (input) => new Uint8Array(gunzipSync(input)),
    BROTLI: (input) => new Uint8Array(brotliDecompressSync(input)),
    LZ4_RAW: (input, outputLength) => {
      const out = new Uint8Array(outputLength);
      const end = lz4.decompressBlock(input, out, 0, input.length, 0);
      assert.equal(end, outputLength, 'an LZ4_RAW page decodes to its stated size');
      return out;
    },
  };
  // Raw values, so that nothing is rounded on the way (microseconds, 64-bit).
  const parsers = {
    timestampFromMilliseconds: (v) => BigInt(v).toString(),
    timestampFromMicroseconds: (v) => BigInt(v).toString(),
    timestampFromNanoseconds: (v) => BigInt(v).toString(),
    dateFromDays: (d) => dateText(d),
    stringFromBytes: (b) => b && new TextDecoder().decode(b),
  };
  const text = new TextDecoder();
  const asExpected = (kind, v) => {
    if (v === null || v === undefined) return null;
    switch (kind) {
      case 'long': return v.toString();
      case 'bytes': return Buffer.from(v).toString('hex');
      case 'enum': case 'string': return typeof v === 'string' ? v : text.decode(v);
      default: return v;
    }
  };
  const dir = tempDir(t, 'pq-hyparquet');
  for (const nullable of [false, true]) {
    const records = makeRecords(2000, nullable, ALL);
    const input = join(dir, `in-${nullable}.avro`);
    await writeAvroFile(input, makeSchema(nullable, ALL), records);
    for (const codec of ['none', 'snappy', 'gzip', 'brotli', 'lz4_raw']) {
      for (const dictionary of [true, false]) {
        const label = `hyparquet nullable=${nullable} codec=${codec} dictionary=${dictionary}`;
        const out = join(dir, `out-${nullable}-${codec}-${dictionary}.parquet`);
        const args = ['convert', input, out, '--compression', codec, '--page-bytes', '8KiB', '--quiet'];
        if (!dictionary) args.push('--no-dictionary');
        lakepipeOk(0, ...args);
        const rows = await parquetReadObjects({ file: await asyncBufferFromFile(out), compressors, parsers, utf8: false });
        assert.equal(rows.length, records.length, `${label}: row count`);
        for (let i = 0; i < records.length; i++) {
          for (const c of ALL) {
            const want = norm(c.kind, records[i][c.name]);
            const have = asExpected(c.kind, rows[i][c.name]);
            if (!sameValue(have, want)) {
              assert.fail(`${label}: row ${i} column ${c.name}: got ${String(have)} (${typeof have}), want ${String(want)} (${typeof want})`);
            }
          }
        }
      }
    }
  }
});

// Nested and logical-type Parquet written by lakepipe is read by DuckDB and
// hyparquet with the values that were written: every type at the top level,
// in lists, in maps and in structs, nullable or not at each level, deep
// nesting, every codec, dictionary on and off. The files come from
// parquet_nested_matrix_tool (built beside lakepipe), which also prints the
// written rows as lakepipe's column_json prints them (DuckDB's to_json form).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import lz4 from 'lz4js';
import { LAKEPIPE, duck, tempDir } from './lib.mjs';

const TOOL = process.env.PARQUET_NESTED_MATRIX_TOOL
  ?? join(dirname(LAKEPIPE), 'src', 'formats', 'parquet', 'parquet_nested_matrix_tool');

function writeMatrix(t, rows = 400) {
  const dir = tempDir(t, 'pq-nested');
  const out = execFileSync(TOOL, [dir, String(rows)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  return out.trim().split('\n').map((line) => JSON.parse(line));
}

const frac = (f) => {
  const digits = (f ?? '').slice(0, 6).replace(/0+$/, '');
  return digits ? `.${digits}` : '';
};

// One spelling for what both sides print differently but mean the same:
// DuckDB escapes more bytes as \xNN, prints timestamps as "1970-01-01
// 00:00:00+00" and times with a zone offset, and trims zeros of fractions;
// DuckDB has no nanosecond TIMESTAMP WITH TIME ZONE, so fractions compare to
// the microsecond.
function canonString(s) {
  s = s.replace(/\\x([0-9A-Fa-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
  let m = /^(-?\d{4,}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(?:\.(\d+))?(\+00|Z)?$/.exec(s);
  if (m) return `${m[1]}T${m[2]}${frac(m[3])}${m[4] ? 'Z' : ''}`;
  m = /^(\d\d:\d\d:\d\d)(?:\.(\d+))?(?:\+00)?$/.exec(s);
  if (m) return `${m[1]}${frac(m[2])}`;
  return s;
}

// JSON text without spaces, numbers kept as written (no rounding through
// doubles), strings in their canonical spelling.
function canon(text) {
  let out = '';
  for (let i = 0; i < text.length;) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      out += JSON.stringify(canonString(JSON.parse(text.slice(i, j + 1))));
      i = j + 1;
    } else if (/[-0-9]/.test(c)) {
      // Numbers: DuckDB prints whole floats as "118.0".
      let j = i + 1;
      while (j < text.length && /[-+.eE0-9]/.test(text[j])) j++;
      const n = text.slice(i, j);
      out += /^-?\d+\.\d+$/.test(n) ? n.replace(/\.?0+$/, '') : n;
      i = j;
    } else {
      if (!/\s/.test(c)) out += c;
      i++;
    }
  }
  return out;
}

function expectedRows(file) {
  return readFileSync(file, 'utf8').trim().split('\n');
}

// What parquet_schema() shows for each top-level leaf type.
const TOP_TYPES = {
  bool: { type: 'BOOLEAN' },
  i32: { type: 'INT32', converted: null },
  i64: { type: 'INT64', converted: null },
  i8: { type: 'INT32', converted: 'INT_8', logical: /IntType\(bitWidth=.*, isSigned=1\)/ },
  i16: { type: 'INT32', converted: 'INT_16', logical: /isSigned=1/ },
  u8: { type: 'INT32', converted: 'UINT_8', logical: /isSigned=0/ },
  u16: { type: 'INT32', converted: 'UINT_16', logical: /isSigned=0/ },
  u32: { type: 'INT32', converted: 'UINT_32', logical: /isSigned=0/ },
  u64: { type: 'INT64', converted: 'UINT_64', logical: /isSigned=0/ },
  dec9: { type: 'INT32', converted: 'DECIMAL', logical: /DecimalType\(scale=2, precision=9\)/ },
  dec18: { type: 'INT64', converted: 'DECIMAL', logical: /DecimalType\(scale=4, precision=18\)/ },
  dec38: { type: 'FIXED_LEN_BYTE_ARRAY', converted: 'DECIMAL', logical: /scale=10, precision=38/ },
  decfix: { type: 'FIXED_LEN_BYTE_ARRAY', converted: 'DECIMAL', logical: /scale=3, precision=25/ },
  uuid: { type: 'BYTE_ARRAY', converted: 'UTF8', logical: /StringType/ },
  uuidfix: { type: 'FIXED_LEN_BYTE_ARRAY', logical: /UUIDType/ },
  fix5: { type: 'FIXED_LEN_BYTE_ARRAY', converted: null },
  enum: { type: 'BYTE_ARRAY', converted: 'ENUM', logical: /EnumType/ },
  str: { type: 'BYTE_ARRAY', converted: 'UTF8', logical: /StringType/ },
  date: { type: 'INT32', converted: 'DATE', logical: /DateType/ },
  tms: { type: 'INT32', converted: 'TIME_MILLIS', logical: /TimeType\(isAdjustedToUTC=1.*MILLIS=MilliSeconds/ },
  tus: { type: 'INT64', converted: 'TIME_MICROS', logical: /TimeType\(isAdjustedToUTC=1.*MICROS=MicroSeconds/ },
  tsms: { type: 'INT64', converted: 'TIMESTAMP_MILLIS', logical: /TimestampType\(isAdjustedToUTC=1.*MILLIS=MilliSeconds/ },
  tsus: { type: 'INT64', converted: 'TIMESTAMP_MICROS', logical: /TimestampType\(isAdjustedToUTC=1.*MICROS=MicroSeconds/ },
  tsns: { type: 'INT64', converted: null, logical: /TimestampType\(isAdjustedToUTC=1.*NANOS=NanoSeconds/ },
  ltsms: { type: 'INT64', converted: null, logical: /TimestampType\(isAdjustedToUTC=0.*MILLIS=MilliSeconds/ },
  ltsus: { type: 'INT64', converted: null, logical: /TimestampType\(isAdjustedToUTC=0.*MICROS=MicroSeconds/ },
  ltsns: { type: 'INT64', converted: null, logical: /TimestampType\(isAdjustedToUTC=0.*NANOS=NanoSeconds/ },
  f16: { type: 'FIXED_LEN_BYTE_ARRAY', logical: /Float16Type/ },
};

test('DuckDB reads lakepipe nested Parquet identically: type x nullability x codec x dictionary', async (t) => {
  const files = writeMatrix(t);
  assert.ok(files.length >= 16 * 12, 'every case, codec and dictionary setting');
  const expected = new Map();
  for (const f of files) {
    if (!expected.has(f.expected)) expected.set(f.expected, expectedRows(f.expected).map(canon));
    const want = expected.get(f.expected);
    const label = `${f.case} codec=${f.codec} dictionary=${f.dictionary}`;
    if (!f.values) {
      // Values DuckDB prints in forms of its own (JSON, WKT, INTERVAL): it reads them all.
      const [{ n }] = await duck(`SELECT count(*)::INT AS n FROM read_parquet('${f.file}')`);
      assert.equal(n, want.length, `${label}: rows`);
      continue;
    }
    const got = await duck(`SELECT to_json(t) AS j FROM read_parquet('${f.file}') t`);
    assert.equal(got.length, want.length, `${label}: rows`);
    for (let i = 0; i < want.length; i++) {
      const have = canon(got[i].j);
      if (have !== want[i]) assert.fail(`${label}: row ${i}\n got ${have}\nwant ${want[i]}`);
    }
    const meta = await duck(`SELECT DISTINCT compression FROM parquet_metadata('${f.file}')`);
    const codec = { none: 'UNCOMPRESSED', lz4_raw: 'LZ4_RAW' }[f.codec] ?? f.codec.toUpperCase();
    assert.deepEqual(meta.map((m) => m.compression), [codec], `${label}: codec`);
  }
});

test('DuckDB sees the logical types, list and map groups and a field id on every element', async (t) => {
  const files = writeMatrix(t, 20).filter((f) => f.codec === 'none' && f.dictionary);
  for (const f of files) {
    const schema = await duck(`SELECT name, type, converted_type, logical_type, repetition_type,
        CAST(field_id AS BIGINT) AS field_id FROM parquet_schema('${f.file}')`);
    const ids = new Set();
    for (const e of schema.slice(1)) {
      assert.notEqual(e.field_id, null, `${f.case}: ${e.name} has a field id`);
      ids.add(e.field_id);
    }
    assert.equal(ids.size, schema.length - 1, `${f.case}: field ids are distinct`);
    if (f.case.startsWith('top-')) {
      for (const [name, want] of Object.entries(TOP_TYPES)) {
        const e = schema.find((s) => s.name === name);
        assert.ok(e, `${f.case}: ${name}`);
        assert.equal(e.type, want.type, `${f.case}: ${name} type`);
        if ('converted' in want) assert.equal(e.converted_type, want.converted, `${f.case}: ${name} converted type`);
        if (want.logical) assert.match(String(e.logical_type), want.logical, `${f.case}: ${name} logical type`);
        assert.equal(e.repetition_type, f.case === 'top-opt' ? 'OPTIONAL' : 'REQUIRED', `${f.case}: ${name}`);
      }
    }
    if (f.case === 'attrs') {
      const by = Object.fromEntries(schema.map((e) => [e.name, e]));
      assert.equal(by.js.converted_type, 'JSON');
      assert.match(String(by.js.logical_type), /JsonType/);
      assert.match(String(by.bs.logical_type), /BsonType/);
      assert.match(String(by.geom.logical_type), /GeometryType\(crs=OGC:CRS84\)/);
      assert.match(String(by.geog.logical_type), /GeographyType\(.*algorithm=VINCENTY\)/);
      assert.equal(by.iv.type, 'FIXED_LEN_BYTE_ARRAY');
      assert.equal(by.iv.converted_type, 'INTERVAL');
      assert.match(String(by.element.logical_type), /TimeType\(isAdjustedToUTC=1.*NANOS=NanoSeconds/);
    }
    if (f.case.startsWith('list-') || f.case.startsWith('map-')) {
      const list = f.case.startsWith('list-');
      const i = schema.findIndex((s) => s.name === 'i32');
      assert.equal(schema[i].converted_type, list ? 'LIST' : 'MAP', `${f.case}: annotation`);
      assert.equal(schema[i + 1].name, list ? 'list' : 'key_value', `${f.case}: repeated group`);
      assert.equal(schema[i + 1].repetition_type, 'REPEATED', `${f.case}: repeated group`);
      assert.equal(schema[i + 2].name, list ? 'element' : 'key', `${f.case}: child`);
      if (!list) assert.equal(schema[i + 2].repetition_type, 'REQUIRED', `${f.case}: map key`);
    }
  }
});

// hyparquet returns JavaScript values: print them as to_json would, per
// the Parquet annotations of the leaves.
test('hyparquet reads lakepipe nested Parquet identically (every codec but zstd)', async (t) => {
  const { asyncBufferFromFile, parquetReadObjects, parquetMetadataAsync, parquetSchema } = await import('hyparquet');
  const compressors = {
    GZIP: (input) => new Uint8Array(gunzipSync(input)),
    BROTLI: (input) => new Uint8Array(brotliDecompressSync(input)),
    LZ4_RAW: (input, outputLength) => {
      const out = new Uint8Array(outputLength);
      lz4.decompressBlock(input, out, 0, input.length, 0);
      return out;
    },
  };
  const files = writeMatrix(t, 200).filter((f) => f.codec !== 'zstd' && f.values);
  for (const f of files) {
    const label = `hyparquet ${f.case} codec=${f.codec} dictionary=${f.dictionary}`;
    const file = await asyncBufferFromFile(f.file);
    const metadata = await parquetMetadataAsync(file);
    const root = parquetSchema(metadata);
    const rows = await parquetReadObjects({ file, metadata, compressors, utf8: false, parsers: RAW_PARSERS });
    const want = expectedRows(f.expected).map(canon);
    assert.equal(rows.length, want.length, `${label}: rows`);
    for (let i = 0; i < want.length; i++) {
      const have = canon(`{${root.children.map((c) => `${JSON.stringify(c.element.name)}:${hyJson(c, rows[i][c.element.name])}`).join(',')}}`);
      if (have !== want[i] && !sameNumbers(JSON.parse(have), JSON.parse(want[i]))) {
        assert.fail(`${label}: row ${i}\n got ${have}\nwant ${want[i]}`);
      }
    }
  }
});

// Equal JSON values, numbers within double rounding (hyparquet reads
// decimals as doubles).
function sameNumbers(a, b) {
  if (typeof a === 'number' && typeof b === 'number') {
    return a === b || Math.abs(a - b) <= 1e-15 * Math.max(Math.abs(a), Math.abs(b));
  }
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && sameNumbers(a[k], b[k]));
}

// Raw stored values; hyJson below formats them.
const RAW_PARSERS = {
  timestampFromMilliseconds: (v) => ({ ts: BigInt(v), per: 1000n }),
  timestampFromMicroseconds: (v) => ({ ts: BigInt(v), per: 1000000n }),
  timestampFromNanoseconds: (v) => ({ ts: BigInt(v), per: 1000000000n }),
  dateFromDays: (d) => ({ days: d }),
  stringFromBytes: (b) => b && new TextDecoder().decode(b),
};

const hex2 = (n) => n.toString(16).padStart(2, '0').toUpperCase();
function bytesText(b) {
  let s = '';
  for (const c of b) s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${hex2(c)}`;
  return s;
}
function dateText(days) {
  return new Date(Number(days) * 86400000).toISOString().slice(0, 10);
}
function timestampText({ ts, per }, utc) {
  let secs = ts / per;
  let rest = ts % per;
  if (rest < 0n) {
    rest += per;
    secs -= 1n;
  }
  const base = new Date(Number(secs) * 1000).toISOString().slice(0, 19);
  const digits = per === 1000n ? 3 : per === 1000000n ? 6 : 9;
  return `${base}.${rest.toString().padStart(digits, '0')}${utc ? 'Z' : ''}`;
}
function timeText(v, per) {
  const n = BigInt(v);
  const secs = n / per;
  const rest = n % per;
  const p = (x) => x.toString().padStart(2, '0');
  return `${p(secs / 3600n)}:${p((secs / 60n) % 60n)}:${p(secs % 60n)}.${rest.toString().padStart(per === 1000n ? 3 : 6, '0')}`;
}
function decimalText(unscaled, scale) {
  const neg = unscaled < 0n;
  let digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  if (scale > 0) digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return (neg ? '-' : '') + digits;
}
function bigEndian(b) {
  let v = 0n;
  for (const c of b) v = (v << 8n) | BigInt(c);
  if (b.length && b[0] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v;
}

function hyJson(node, v) {
  if (v === null || v === undefined) return 'null';
  const e = node.element;
  const lt = e.logical_type;
  const ct = e.converted_type;
  if (ct === 'LIST') {
    const element = node.children[0].children[0];
    return `[${v.map((x) => hyJson(element, x)).join(',')}]`;
  }
  if (ct === 'MAP') {
    const [key, value] = node.children[0].children;
    const entries = v instanceof Map ? [...v.entries()] : Object.entries(v);
    return `{${entries.map(([k, x]) => `${JSON.stringify(typeof k === 'string' ? k : new TextDecoder().decode(k))}:${hyJson(value, x)}`).join(',')}}`;
  }
  if (node.children.length) {
    return `{${node.children.map((c) => `${JSON.stringify(c.element.name)}:${hyJson(c, v[c.element.name])}`).join(',')}}`;
  }
  switch (lt?.type) {
    case 'DECIMAL':
      // hyparquet gives decimals as doubles; compared as numbers below.
      return String(v);
    case 'TIMESTAMP':
      return JSON.stringify(timestampText(v, lt.isAdjustedToUTC));
    case 'TIME':
      return JSON.stringify(timeText(v, lt.unit === 'MILLIS' ? 1000n : 1000000n));
    case 'DATE':
      return JSON.stringify(dateText(v.days ?? v));
    case 'UUID': {
      const h = typeof v === 'string' ? v.replace(/-/g, '') : [...v].map((c) => hex2(c)).join('').toLowerCase();
      return JSON.stringify(`${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`);
    }
    case 'FLOAT16':
      return String(v);
    case 'STRING':
    case 'ENUM':
      return JSON.stringify(typeof v === 'string' ? v : new TextDecoder().decode(v));
    default:
      break;
  }
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return String(v);
  if (v instanceof Uint8Array) return JSON.stringify(bytesText(v));
  if (typeof v === 'string') return JSON.stringify(v);
  return JSON.stringify(v);
}

// Shared helpers for the interoperability tests: the lakepipe binary, DuckDB
// and avsc as independent readers and writers, and the typed test data.
import { spawnSync, execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import avro from 'avsc';
import { DuckDBInstance } from '@duckdb/node-api';

const here = dirname(fileURLToPath(import.meta.url));
export const ROOT = join(here, '..', '..');
export const LAKEPIPE = resolve(process.env.LAKEPIPE_BINARY ?? join(ROOT, 'build', 'lakepipe'));

export function lakepipe(...args) {
  return lakepipeWith({}, ...args);
}

// Runs lakepipe with extra environment variables and an optional working directory (`cwd` key).
export function lakepipeWith({ cwd, ...env }, ...args) {
  const r = spawnSync(LAKEPIPE, args, { encoding: 'utf8', maxBuffer: 64 << 20, cwd, env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

// Runs lakepipe and fails with its output unless it exits with `expected`.
export function lakepipeOk(expected, ...args) {
  const r = lakepipe(...args);
  if (r.status !== expected) {
    throw new Error(`lakepipe ${args.join(' ')} exited ${r.status}, expected ${expected}\n${r.stderr}${r.stdout}`);
  }
  return r;
}

// A loopback TCP port nothing listens on right now.
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function tempDir(t, name) {
  const dir = mkdtempSync(join(tmpdir(), `lakepipe-${name}-`));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let db;
export async function duck(sql) {
  if (!db) db = await (await DuckDBInstance.create(':memory:')).connect();
  const reader = await db.runAndReadAll(sql);
  return reader.getRowObjectsJS();
}

// ------------------------------------------------------------------ Avro

// 64-bit longs as BigInt, so INT64 extremes survive avsc.
const BigLong = avro.types.LongType.__with({
  fromBuffer: (buf) => buf.readBigInt64LE(),
  toBuffer: (n) => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64LE(BigInt(n));
    return buf;
  },
  fromJSON: (x) => BigInt(x),
  toJSON: (n) => Number(n),
  isValid: (n) => typeof n === 'bigint',
  compare: (a, b) => (a === b ? 0 : a < b ? -1 : 1),
});

// Logical types keep their annotation in the schema but pass the
// underlying values through unchanged (days, epoch units, text).
class PassThrough extends avro.types.LogicalType {
  constructor(schema, opts) {
    super(schema, opts);
    if (this._underlyingType.typeName === 'long') this._underlyingType = BigLong;
  }
  _fromValue(v) {
    return v;
  }
  _toValue(v) {
    return v;
  }
  _resolve(type) {
    if (type.typeName === this.typeName || type.typeName === this.underlyingType.typeName) return (v) => v;
    return undefined;
  }
}
const LOGICAL_TYPES = {
  date: PassThrough,
  'timestamp-millis': PassThrough,
  'timestamp-micros': PassThrough,
  'timestamp-nanos': PassThrough,
  'local-timestamp-millis': PassThrough,
  'local-timestamp-micros': PassThrough,
  'local-timestamp-nanos': PassThrough,
  uuid: PassThrough,
};

// Every long is a BigLong (logical types wrap it).
export function avroType(schema) {
  return avro.Type.forSchema(schema, { registry: { long: BigLong }, logicalTypes: LOGICAL_TYPES });
}

// Table-driven CRC-32 (IEEE), for Avro's snappy framing.
const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();
export function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function readVarint(buf, pos) {
  let result = 0, shift = 0, b;
  do {
    b = buf[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [result, pos];
}

// A snappy block decompressor written from the format description.
export function snappyDecompress(buf) {
  let [len, pos] = readVarint(buf, 0);
  const out = Buffer.alloc(len);
  let op = 0;
  while (pos < buf.length) {
    const tag = buf[pos++];
    const kind = tag & 3;
    if (kind === 0) {
      let n = tag >> 2;
      if (n >= 60) {
        const bytes = n - 59;
        n = 0;
        for (let i = 0; i < bytes; i++) n |= buf[pos++] << (8 * i);
      }
      n += 1;
      buf.copy(out, op, pos, pos + n);
      pos += n;
      op += n;
      continue;
    }
    let length, offset;
    if (kind === 1) {
      length = ((tag >> 2) & 7) + 4;
      offset = ((tag >> 5) << 8) | buf[pos++];
    } else if (kind === 2) {
      length = (tag >> 2) + 1;
      offset = buf[pos] | (buf[pos + 1] << 8);
      pos += 2;
    } else {
      length = (tag >> 2) + 1;
      offset = buf.readUInt32LE(pos);
      pos += 4;
    }
    for (let i = 0; i < length; i++, op++) out[op] = out[op - offset];
  }
  if (op !== len) throw new Error(`snappy: produced ${op} bytes, header says ${len}`);
  return out;
}

// A valid snappy block of literals only (no matching).
export function snappyCompressLiterals(data) {
  const parts = [];
  let n = data.length;
  const head = [];
  do {
    head.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  parts.push(Buffer.from(head));
  for (let pos = 0; pos < data.length; pos += 65536) {
    const chunk = data.subarray(pos, Math.min(pos + 65536, data.length));
    const m = chunk.length - 1;
    if (m < 60) parts.push(Buffer.from([m << 2]));
    else if (m < 256) parts.push(Buffer.from([60 << 2, m]));
    else parts.push(Buffer.from([61 << 2, m & 0xff, m >> 8]));
    parts.push(chunk);
  }
  return Buffer.concat(parts);
}

export const avroCodecs = {
  null: (buf, cb) => cb(null, buf),
  deflate: (buf, cb) => zlib.deflateRaw(buf, cb),
  snappy: (buf, cb) => {
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(buf));
    cb(null, Buffer.concat([snappyCompressLiterals(buf), crc]));
  },
  zstandard: (buf, cb) => cb(null, execFileSync('zstd', ['-q', '-c'], { input: buf })),
  bzip2: (buf, cb) => cb(null, execFileSync('bzip2', ['-c'], { input: buf })),
  xz: (buf, cb) => cb(null, execFileSync('xz', ['-c'], { input: buf })),
};

export const avroDecoders = {
  null: (buf, cb) => cb(null, buf),
  deflate: (buf, cb) => zlib.inflateRaw(buf, cb),
  snappy: (buf, cb) => {
    try {
      const data = snappyDecompress(buf.subarray(0, buf.length - 4));
      if (crc32(data) !== buf.readUInt32BE(buf.length - 4)) throw new Error('snappy CRC mismatch');
      cb(null, data);
    } catch (e) {
      cb(e);
    }
  },
  zstandard: (buf, cb) => cb(null, execFileSync('zstd', ['-d', '-q', '-c'], { input: buf })),
  bzip2: (buf, cb) => cb(null, execFileSync('bzip2', ['-d', '-c'], { input: buf })),
  xz: (buf, cb) => cb(null, execFileSync('xz', ['-d', '-c'], { input: buf })),
};

// Resolves once the file is completely written and closed.
export function writeAvroFile(path, schema, records, codec = 'null') {
  return new Promise((resolve, reject) => {
    const enc = new avro.streams.BlockEncoder(avroType(schema), { codec, codecs: avroCodecs });
    const file = createWriteStream(path);
    enc.on('error', reject);
    file.on('error', reject);
    file.on('close', resolve);
    enc.pipe(file);
    for (const r of records) enc.write(r);
    enc.end();
  });
}

export function readAvroFile(path, schema) {
  return new Promise((resolve, reject) => {
    const rows = [];
    let header;
    const options = { codecs: avroDecoders };
    if (schema) options.readerSchema = avroType(schema);
    else options.parseHook = (s) => avroType(s);
    avro
      .createFileDecoder(path, options)
      .on('metadata', (type, codec, h) => (header = { type, codec, meta: h.meta }))
      .on('data', (r) => rows.push(r))
      .on('error', reject)
      .on('end', () => resolve({ rows, header }));
  });
}

// ------------------------------------------------------------------ data

// One column per supported type. `kind` tells how values are compared.
export const COLUMNS = [
  { name: 'b', type: 'boolean', kind: 'bool' },
  { name: 'i', type: 'int', kind: 'int' },
  { name: 'l', type: 'long', kind: 'long' },
  { name: 'f', type: 'float', kind: 'float' },
  { name: 'd', type: 'double', kind: 'double' },
  { name: 's', type: 'string', kind: 'string' },
  { name: 'y', type: 'bytes', kind: 'bytes' },
  { name: 'e', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN', 'BLUE'] }, kind: 'enum' },
  { name: 'dt', type: { type: 'int', logicalType: 'date' }, kind: 'date' },
  { name: 'tm', type: { type: 'long', logicalType: 'timestamp-millis' }, kind: 'ts_ms' },
  { name: 'tu', type: { type: 'long', logicalType: 'timestamp-micros' }, kind: 'ts_us' },
  { name: 'u', type: { type: 'string', logicalType: 'uuid' }, kind: 'string' },
];

const EDGES = {
  bool: [true, false],
  int: [0, 1, -1, 2147483647, -2147483648],
  long: [0n, -1n, 9223372036854775807n, -9223372036854775808n],
  float: [NaN, Infinity, -Infinity, -0, 0, 3.4028234663852886e38, 1.401298464324817e-45],
  double: [NaN, Infinity, -Infinity, -0, 0, Number.MAX_VALUE, 5e-324, -1.5e300],
  string: ['', 'a', 'ünïcödé ✓', '日本語テキスト', 'emoji 😀 ok', 'quote " comma , newline \n tab \t', ' padded '],
  bytes: [Buffer.alloc(0), Buffer.from([0]), Buffer.from([255, 0, 1, 128])],
  enum: ['RED', 'GREEN', 'BLUE'],
  date: [0, -1, -719162, 2932896, -25567],
  ts_ms: [0n, -1n, -62135596800000n, 253402300799999n, -2208988800000n],
  ts_us: [0n, -1n, -62135596800000000n, 253402300799999999n, -2208988799999999n],
};

function uuidFor(k) {
  const h = (k * 2654435761 >>> 0).toString(16).padStart(8, '0');
  return `${h}-${h.slice(0, 4)}-4${h.slice(1, 4)}-8${h.slice(5, 8)}-${h}${h.slice(0, 4)}`;
}

// The value of column `kind` in row `i` (rows after the edge cases repeat,
// so dictionary encoding engages).
export function valueAt(kind, i) {
  const e = EDGES[kind];
  if (e && i < e.length) return e[i];
  switch (kind) {
    case 'bool': return i % 3 === 0;
    case 'int': return ((i * 7919) % 200) - 100;
    case 'long': return BigInt((i * 104729) % 5000) - 2500n;
    case 'float': return Math.fround(((i % 100) - 50) / 8);
    case 'double': return ((i % 300) - 150) / 7;
    case 'string': return `s${i % 150}`;
    case 'bytes': return Buffer.from(`b${i % 90}`);
    case 'enum': return ['RED', 'GREEN', 'BLUE'][i % 3];
    case 'date': return 19000 + (i % 400) - 200;
    case 'ts_ms': return 1700000000000n + BigInt((i % 500) * 1001);
    case 'ts_us': return -1700000000000000n + BigInt((i % 700) * 1000003);
    default: throw new Error(kind);
  }
}

// The Avro "null" type: a column that is always null.
export const NULL_COLUMN = { name: 'n', type: 'null', kind: 'null' };

// Records for `columns`; nullable columns are null in every 5th row.
export function makeRecords(n, nullable, columns = COLUMNS) {
  const rows = [];
  for (let i = 0; i < n; i++) {
    const r = {};
    for (const c of columns) {
      if (c.kind === 'null') r[c.name] = null;
      else if (c.kind === 'string' && c.name === 'u') r[c.name] = uuidFor(i % 120);
      else r[c.name] = valueAt(c.kind, i);
      if (nullable && i % 5 === 4) r[c.name] = null;
    }
    rows.push(r);
  }
  return rows;
}

export function makeSchema(nullable, columns = COLUMNS, name = 'Everything') {
  return {
    type: 'record',
    name,
    fields: columns.map((c) => ({ name: c.name, type: nullable && c.kind !== 'null' ? ['null', c.type] : c.type })),
  };
}

// avsc wants union values wrapped unless given a wrapUnions:false type; it
// accepts plain values for ["null", T] unions by default.

// ---------------------------------------------------------- comparing

// SQL that turns column c (of `kind`) into a value comparable with norm().
export function sqlNorm(name, kind) {
  const q = `"${name}"`;
  switch (kind) {
    case 'long': return `CAST(${q} AS VARCHAR)`;
    case 'float': return `CAST(${q} AS DOUBLE)`;
    case 'bytes': return `lower(hex(${q}))`;
    case 'date': return `CAST(${q} AS VARCHAR)`;
    case 'ts_ms': return `CAST(epoch_ms(${q}) AS VARCHAR)`;
    case 'ts_us': return `CAST(epoch_us(${q}) AS VARCHAR)`;
    default: return q;
  }
}

export function dateText(days) {
  const d = new Date(days * 86400000);
  const y = d.getUTCFullYear();
  return `${String(y).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

// An Avro decimal's bytes (big-endian two's complement of the unscaled
// value) as its exact text, as DuckDB prints a DECIMAL.
export function decimalText(buf, scale) {
  let unscaled = 0n;
  for (const b of buf) unscaled = (unscaled << 8n) | BigInt(b);
  if (buf.length > 0 && buf[0] & 0x80) unscaled -= 1n << BigInt(8 * buf.length);
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const cut = digits.length - scale;
  const text = scale === 0 ? digits : `${digits.slice(0, cut)}.${digits.slice(cut)}`;
  return negative ? `-${text}` : text;
}

// The expected normalised value of a JS test value.
export function norm(kind, v) {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'long': case 'ts_ms': case 'ts_us': return v.toString();
    case 'float': return Math.fround(v);
    case 'bytes': return Buffer.from(v).toString('hex');
    case 'date': return dateText(v);
    default: return v;
  }
}

export function sameValue(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
  return a === b;
}

// Compares DuckDB rows (normalised with sqlNorm) with the expected records.
export function assertRowsEqual(assert, got, records, columns, label) {
  assert.equal(got.length, records.length, `${label}: row count`);
  for (let i = 0; i < records.length; i++) {
    for (const c of columns) {
      const want = norm(c.kind, records[i][c.name]);
      const have = got[i][c.name];
      if (!sameValue(have, want)) {
        assert.fail(`${label}: row ${i} column ${c.name}: got ${String(have)} (${typeof have}), want ${String(want)} (${typeof want})`);
      }
    }
  }
}

export function selectNormalised(from, columns, extra = '') {
  return `SELECT ${columns.map((c) => `${sqlNorm(c.name, c.kind)} AS "${c.name}"`).join(', ')} FROM ${from} ${extra}`;
}

// Reads an Iceberg table on the local disk with two readers lakepipe did
// not write, and prints what each saw as JSON:
//   icebird  — the table through its metadata, manifest list and manifests
//   duckdb   — read_parquet over the live data files icebird's manifests list
//   files    — those files with their record counts, partition tuples and
//              metrics as icebird decoded them, and per column DuckDB's
//              min, max and null count
// Used by src/iceberg tests through RunNodeScript:
//   node -e "import('./interop/iceberg_read.mjs')" <file:// table location>
// Rows are normalised for comparison: longs and timestamps (µs since the
// epoch) as decimal strings.
import fs from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { icebergManifests, icebergMetadata, icebergRead } from 'icebird';

const tableUrl = process.argv[1];

// icebird fetches every file through the global fetch, which refuses
// file:// URLs: serve them from the disk, with Range requests.
globalThis.fetch = async (input, init = {}) => {
  const url = typeof input === 'string' ? input : input.url;
  if (!url.startsWith('file://')) throw new Error(`unexpected fetch of ${url}`);
  const path = decodeURIComponent(new URL(url).pathname);
  if (!fs.existsSync(path)) return new Response('not found', { status: 404 });
  const bytes = fs.readFileSync(path);
  if ((init.method || 'GET') === 'HEAD') {
    return new Response(null, { status: 200, headers: { 'Content-Length': String(bytes.length) } });
  }
  const range = new Headers(init.headers).get('Range');
  if (range) {
    const [, start, end] = /bytes=(\d+)-(\d*)/.exec(range);
    return new Response(bytes.subarray(Number(start), end ? Number(end) + 1 : bytes.length), {
      status: 206,
    });
  }
  return new Response(bytes, { status: 200 });
};

const text = (v) => {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return (BigInt(v.getTime()) * 1000n).toString();
  return v;
};
const normalise = (row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, text(v)]));
const byId = (a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : BigInt(a.id) > BigInt(b.id) ? 1 : 0);

try {
  const icebird = (await icebergRead({ tableUrl })).map(normalise).sort(byId);
  const metadata = await icebergMetadata({ tableUrl });
  const manifests = await icebergManifests(metadata);
  const live = manifests
    .flatMap((m) => m.entries)
    .filter((e) => e.status !== 2 && !e.data_file.content);
  const hexMap = (entries) =>
    Object.fromEntries((entries || []).map(({ key, value }) => [key, Buffer.from(value).toString('hex')]));
  const countMap = (entries) =>
    Object.fromEntries((entries || []).map(({ key, value }) => [key, Number(value)]));
  const files = live.map((e) => ({
    path: e.data_file.file_path,
    records: Number(e.data_file.record_count),
    size: Number(e.data_file.file_size_in_bytes),
    partition: normalise(e.data_file.partition),
    lower_bounds: hexMap(e.data_file.lower_bounds),
    upper_bounds: hexMap(e.data_file.upper_bounds),
    null_value_counts: countMap(e.data_file.null_value_counts),
    value_counts: countMap(e.data_file.value_counts),
  }));
  const paths = files.map((f) => `'${decodeURIComponent(new URL(f.path).pathname)}'`).join(', ');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const columns = metadata.schemas
    .find((s) => s['schema-id'] === metadata['current-schema-id'])
    .fields.map((f) => f.name);
  const select = columns
    .map((c) => {
      const type = metadata.schemas[0].fields.find((f) => f.name === c).type;
      if (type === 'long') return `CAST("${c}" AS VARCHAR) AS "${c}"`;
      if (type === 'timestamptz' || type === 'timestamp') {
        return `CAST(epoch_us("${c}") AS VARCHAR) AS "${c}"`;
      }
      return `"${c}"`;
    })
    .join(', ');
  const reader = await connection.runAndReadAll(`SELECT ${select} FROM read_parquet([${paths}])`);
  const duckdb = reader.getRowObjectsJS().map(normalise).sort(byId);
  // Per data file, DuckDB's min, max and null count of every column (its
  // own reading of the data, to check the manifests' metrics against).
  for (const f of files) {
    const path = decodeURIComponent(new URL(f.path).pathname);
    const stats = {};
    for (const field of metadata.schemas[0].fields) {
      const c = `"${field.name}"`;
      const v = (x) =>
        field.type === 'long' ? `CAST(${x} AS VARCHAR)`
          : field.type.startsWith('timestamp') ? `CAST(epoch_us(${x}) AS VARCHAR)` : x;
      const r = await connection.runAndReadAll(
        `SELECT ${v(`min(${c})`)} AS lo, ${v(`max(${c})`)} AS hi, count(*) - count(${c}) AS nulls ` +
          `FROM read_parquet('${path}')`,
      );
      stats[field.id] = normalise(r.getRowObjectsJS()[0]);
    }
    f.duckdb = stats;
  }
  console.log(JSON.stringify({ icebird, duckdb, files }));
} catch (e) {
  console.error(e.stack || String(e));
  process.exit(1);
}

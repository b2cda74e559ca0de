// Reads an Iceberg table on the local disk with two readers lakepipe did
// not write, and prints what each saw as JSON:
//   icebird  — the table through its metadata, manifest list and manifests
//   duckdb   — read_parquet over the live data files icebird's manifests list
//   files    — those files with their record counts and partition tuples
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
  const files = live.map((e) => ({
    path: e.data_file.file_path,
    records: Number(e.data_file.record_count),
    partition: normalise(e.data_file.partition),
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
  console.log(JSON.stringify({ icebird, duckdb, files }));
} catch (e) {
  console.error(e.stack || String(e));
  process.exit(1);
}

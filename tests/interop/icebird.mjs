// Reading Iceberg tables with icebird (an independent Iceberg reader, npm
// icebird 0.3.1) from local disk or from moto S3.
//
// icebird fetches every path it finds (version-hint.text, the metadata JSON,
// the manifest list, the manifests, the data files) with the global `fetch`,
// and rewrites s3://bucket/key to https://bucket.s3.amazonaws.com/key first.
// Node's fetch cannot read file:// URLs, so while a read runs the global fetch
// is replaced by one that serves
//   - file:///abs/path and plain /abs/path from disk,
//   - https://<bucket>.s3.amazonaws.com/<key> (an s3:// path) from the moto
//     endpoint given, path-style: <endpoint>/<bucket>/<key>,
// with Range requests answered 206 as S3 does; anything else goes to the real
// fetch. The original fetch is put back when the last read ends.
//
// icebird's own rules (kept, not papered over): without metadataFileName it
// opens metadata/version-hint.text and reads v<N>.metadata.json; tables named
// <NNNNN>-<uuid>.metadata.json (SQL and REST catalogs) need metadataFileName
// or metadata. An empty table (no current snapshot) makes icebird throw; the
// helpers here return no rows for it instead, after checking that the
// metadata really has no snapshot.
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { icebergManifests, icebergMetadata, icebergRead } from 'icebird';
import { freePort } from './lib.mjs';

const AWS_HOST = /^https:\/\/([^./]+)\.s3\.amazonaws\.com(\/[^?]*)?(\?.*)?$/;

// The local file a URL names, or null when it is not a local path.
function localPath(url) {
  if (url.startsWith('file://')) return decodeURIComponent(fileURLToPath(url));
  if (url.startsWith('/')) return url;
  return null;
}

function rangeOf(init, input) {
  const headers = new Headers(init?.headers ?? (typeof input === 'object' ? input.headers : undefined));
  return headers.get('Range');
}

function serveFile(path, method, range) {
  if (!existsSync(path) || !statSync(path).isFile()) {
    return new Response(`no such file: ${path}`, { status: 404, statusText: 'Not Found' });
  }
  const buf = readFileSync(path);
  if (method === 'HEAD') {
    return new Response(null, { status: 200, headers: { 'Content-Length': String(buf.length) } });
  }
  if (range) {
    const m = /^bytes=(\d+)-(\d*)$/.exec(range);
    if (!m) return new Response(`bad range ${range}`, { status: 416 });
    const start = Number(m[1]);
    const end = m[2] === '' ? buf.length : Math.min(Number(m[2]) + 1, buf.length);
    if (start >= buf.length) return new Response('range past the end', { status: 416 });
    return new Response(buf.subarray(start, end), {
      status: 206,
      headers: { 'Content-Range': `bytes ${start}-${end - 1}/${buf.length}`, 'Content-Length': String(end - start) },
    });
  }
  return new Response(buf, { status: 200, headers: { 'Content-Length': String(buf.length) } });
}

// A fetch serving local paths from disk and s3:// (as icebird rewrites it)
// from `s3Endpoint`. `requests`, if given, collects every URL asked for.
export function icebirdFetch({ s3Endpoint, requests, realFetch = globalThis.fetch } = {}) {
  return async (input, init = {}) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    requests?.push(url);
    const method = String(init.method ?? (typeof input === 'object' ? input.method : undefined) ?? 'GET').toUpperCase();
    const path = localPath(url);
    if (path !== null) return serveFile(path, method, rangeOf(init, input));
    const s3 = AWS_HOST.exec(url);
    if (s3) {
      if (!s3Endpoint) {
        throw new TypeError(`icebird asked for ${url} (an s3:// path): pass s3Endpoint (the moto URL) to read it`);
      }
      const query = new URLSearchParams((s3[3] ?? '').slice(1));
      const key = decodeURIComponent((s3[2] ?? '/').slice(1));
      const headers = new Headers(init.headers);
      return s3Request(s3Endpoint, method, s3[1], key, { query, headers, realFetch });
    }
    return realFetch(input, init);
  };
}

let installed = 0;
let original;
let active;

// Runs `fn` with the serving fetch installed as the global fetch; nested and
// concurrent calls share one installation (the options of the first win
// while it lasts), the original fetch returns when the last one ends.
export async function withIcebirdFetch(options, fn) {
  if (installed === 0) {
    original = globalThis.fetch;
    active = options;
    globalThis.fetch = icebirdFetch({ ...options, realFetch: original });
  } else if (active.s3Endpoint !== options.s3Endpoint && options.s3Endpoint) {
    throw new Error(`icebird reads against two S3 endpoints at once (${active.s3Endpoint}, ${options.s3Endpoint})`);
  }
  installed++;
  try {
    return await fn();
  } finally {
    installed--;
    if (installed === 0) {
      globalThis.fetch = original;
      original = undefined;
      active = undefined;
    }
  }
}

// icebird joins `${tableUrl}/metadata/...`: no trailing slash, and file://
// is turned into a plain absolute path (served the same way).
function tableUrlOf(location) {
  if (!location) throw new Error('location is required (file:///abs, /abs or s3://bucket/prefix)');
  const url = location.startsWith('file://') ? fileURLToPath(location) : location;
  return url.replace(/\/+$/, '');
}

function hasNoSnapshot(metadata) {
  const id = metadata['current-snapshot-id'];
  return (id === undefined || id === null || id === -1) && (metadata.snapshots ?? []).length === 0;
}

// The table metadata JSON icebird opens: version-hint.text → v<N>.metadata.json,
// or metadata/<metadataFileName>.
export async function readIcebergMetadata({ location, metadataFileName, s3Endpoint, requests } = {}) {
  const tableUrl = tableUrlOf(location);
  return withIcebirdFetch({ s3Endpoint, requests }, () => icebergMetadata({ tableUrl, metadataFileName }));
}

// Every row of the table's current snapshot, as icebird reads it (longs as
// BigInt, timestamps as Date, missing optional values as null). `metadata`
// (a parsed metadata object) skips the metadata lookup. An empty table gives [].
export async function readIcebergRows({ location, metadataFileName, metadata, s3Endpoint, requests, rowStart, rowEnd } = {}) {
  const tableUrl = tableUrlOf(location);
  return withIcebirdFetch({ s3Endpoint, requests }, async () => {
    const meta = metadata ?? (await icebergMetadata({ tableUrl, metadataFileName }));
    if (hasNoSnapshot(meta)) return [];
    return icebergRead({ tableUrl, metadata: meta, rowStart, rowEnd });
  });
}

// The live data files of the current snapshot as icebird's manifest reader
// sees them: [{ path, format, recordCount, fileSize, partition, status,
// sequenceNumber }] (ADDED and EXISTING entries; DELETED ones are left out).
export async function readIcebergDataFiles({ location, metadataFileName, metadata, s3Endpoint, requests } = {}) {
  const tableUrl = tableUrlOf(location);
  return withIcebirdFetch({ s3Endpoint, requests }, async () => {
    const meta = metadata ?? (await icebergMetadata({ tableUrl, metadataFileName }));
    if (hasNoSnapshot(meta)) return [];
    const manifests = await icebergManifests(meta);
    const files = [];
    for (const { entries } of manifests) {
      for (const e of entries) {
        if (e.status === 2 || e.data_file.content) continue;
        files.push({
          path: e.data_file.file_path,
          format: e.data_file.file_format,
          recordCount: Number(e.data_file.record_count),
          fileSize: Number(e.data_file.file_size_in_bytes),
          partition: e.data_file.partition,
          status: e.status,
          sequenceNumber: e.sequence_number,
        });
      }
    }
    return files;
  });
}

// A local copy of a table file (for DuckDB, which cannot read S3 here):
// local paths come back as they are, s3://bucket/key is downloaded from
// `s3Endpoint` into `dir`.
export async function localCopy(path, { s3Endpoint, dir }) {
  const local = localPath(path);
  if (local !== null) return local;
  const m = /^s3a?:\/\/([^/]+)\/(.+)$/.exec(path);
  if (!m) throw new Error(`cannot copy ${path}: neither local nor s3://`);
  if (!s3Endpoint || !dir) throw new Error(`copying ${path} needs s3Endpoint and dir`);
  const res = await s3Request(s3Endpoint, 'GET', m[1], m[2]);
  if (!res.ok) throw new Error(`GET ${path} from ${s3Endpoint}: ${res.status}`);
  const target = join(dir, m[1], m[2]);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, Buffer.from(await res.arrayBuffer()));
  return target;
}

// ------------------------------------------------------------------ S3

// The test credentials: moto takes any key unless it checks signatures.
export const S3_TEST_KEYS = { accessKeyId: 'AKIDINTEROP', secretAccessKey: 'x', region: 'us-east-1' };

const sha256 = (data) => createHash('sha256').update(data).digest('hex');
const hmac = (key, data) => createHmac('sha256', key).update(data).digest();
const encodeRfc3986 = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

// One path-style request to s3://bucket/key at `endpoint`, signed with AWS
// SigV4 (moto refuses anonymous reads of private objects with 403).
export async function s3Request(endpoint, method, bucket, key = '', { query, headers, body, keys = S3_TEST_KEYS, realFetch = fetch } = {}) {
  const base = new URL(endpoint);
  const path = `/${bucket}${key ? `/${key.split('/').map(encodeRfc3986).join('/')}` : ''}`;
  const params = [...(query ?? new URLSearchParams())].map(([k, v]) => [encodeRfc3986(k), encodeRfc3986(v)]).sort(
    (a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const qs = params.map(([k, v]) => `${k}=${v}`).join('&');
  const amzDate = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const payloadHash = body === undefined ? sha256('') : sha256(body);
  const out = new Headers(headers);
  out.set('x-amz-date', amzDate);
  out.set('x-amz-content-sha256', payloadHash);
  const signed = ['host', 'x-amz-content-sha256', 'x-amz-date'];
  const canonical = [method, path, qs, `host:${base.host}`, `x-amz-content-sha256:${payloadHash}`,
    `x-amz-date:${amzDate}`, '', signed.join(';'), payloadHash].join('\n');
  const scope = `${day}/${keys.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let k = hmac(`AWS4${keys.secretAccessKey}`, day);
  for (const part of [keys.region, 's3', 'aws4_request']) k = hmac(k, part);
  const signature = createHmac('sha256', k).update(toSign).digest('hex');
  out.set('Authorization', `AWS4-HMAC-SHA256 Credential=${keys.accessKeyId}/${scope}, SignedHeaders=${signed.join(';')}, Signature=${signature}`);
  return realFetch(`${base.origin}${path}${qs ? `?${qs}` : ''}`, { method, headers: out, body });
}

// ------------------------------------------------------------------ moto

// Starts moto_server on a free loopback port: { url, stop() }.
export async function startMoto() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 150; i++) {
    try {
      if ((await fetch(`${url}/moto-api/`)).ok) return { url, child, stop: () => child.kill('SIGTERM') };
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`moto_server did not answer on ${url} (is moto[server] installed?)`);
}

// Creates `bucket` on moto.
export async function s3CreateBucket(endpoint, bucket) {
  const res = await s3Request(endpoint, 'PUT', bucket);
  if (!res.ok && res.status !== 409) throw new Error(`create bucket ${bucket}: ${res.status} ${await res.text()}`);
}

// Puts `body` (Buffer or string) at s3://bucket/key on moto.
export async function s3Put(endpoint, bucket, key, body) {
  const res = await s3Request(endpoint, 'PUT', bucket, key, { body });
  if (!res.ok) throw new Error(`put s3://${bucket}/${key}: ${res.status} ${await res.text()}`);
}

// Objects under s3://bucket/prefix on moto: [{ key, size }].
export async function s3List(endpoint, bucket, prefix = '') {
  const out = [];
  let token = '';
  for (;;) {
    const q = new URLSearchParams({ 'list-type': '2', prefix });
    if (token) q.set('continuation-token', token);
    const res = await s3Request(endpoint, 'GET', bucket, '', { query: q });
    const xml = await res.text();
    if (!res.ok) throw new Error(`list s3://${bucket}/${prefix}: ${res.status} ${xml}`);
    for (const m of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
      const key = /<Key>([^<]*)<\/Key>/.exec(m[1])[1];
      const size = Number(/<Size>(\d+)<\/Size>/.exec(m[1])[1]);
      out.push({ key: key.replace(/&amp;/g, '&'), size });
    }
    const next = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml);
    if (!next) return out;
    token = next[1];
  }
}

// ------------------------------------------------------------------ values

// A value made comparable across readers: BigInt → decimal text, Date → ISO
// text, bytes → hex; numbers, strings, booleans and null as they are.
export function plainValue(v) {
  if (v === null || v === undefined) return null;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(plainValue);
  if (typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plainValue(x)]));
  return v;
}

// Rows with plainValue applied to every column, sorted by `key` columns'
// text (so reads in different file orders compare equal).
export function plainRows(rows, key = []) {
  const out = rows.map((r) => plainValue(r));
  if (key.length) {
    const k = (r) => key.map((c) => String(r[c])).join('\u0000');
    out.sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
  }
  return out;
}

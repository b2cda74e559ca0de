// The icebird harness (icebird.mjs) on a table lakepipe did not write: a
// two-snapshot Iceberg v2 table built here by hand — DuckDB writes the
// Parquet data files with field ids, avsc writes the manifests and manifest
// lists with the spec's Avro schemas, field ids and key/value metadata, the
// metadata JSON is written as the spec shows it. icebird reads it from local
// disk (file:// and plain paths) and from moto S3, and gives the rows DuckDB
// reads from the same data files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import avro from 'avsc';
import { avroType, duck, readAvroFile, tempDir } from './lib.mjs';
import {
  localCopy,
  plainRows,
  readIcebergDataFiles,
  readIcebergMetadata,
  readIcebergRows,
  s3CreateBucket,
  s3List,
  s3Put,
  startMoto,
} from './icebird.mjs';

// ---------------------------------------------------------------- schemas

const opt = (name, type, id) => ({ name, type: ['null', type], default: null, 'field-id': id });
const kv = (field, name, k, v, value) => opt(field, {
  type: 'array', logicalType: 'map',
  items: { type: 'record', name, fields: [{ name: 'key', type: 'int', 'field-id': k }, { name: 'value', type: value, 'field-id': v }] },
}, [108, 109, 110, 137, 125, 128][['column_sizes', 'value_counts', 'null_value_counts', 'nan_value_counts', 'lower_bounds', 'upper_bounds'].indexOf(field)]);

const MANIFEST_ENTRY = {
  type: 'record', name: 'manifest_entry', fields: [
    { name: 'status', type: 'int', 'field-id': 0 },
    opt('snapshot_id', 'long', 1),
    opt('sequence_number', 'long', 3),
    opt('file_sequence_number', 'long', 4),
    { name: 'data_file', 'field-id': 2, type: { type: 'record', name: 'r2', fields: [
      { name: 'content', type: 'int', 'field-id': 134 },
      { name: 'file_path', type: 'string', 'field-id': 100 },
      { name: 'file_format', type: 'string', 'field-id': 101 },
      { name: 'partition', 'field-id': 102, type: { type: 'record', name: 'r102', fields: [opt('category', 'string', 1000)] } },
      { name: 'record_count', type: 'long', 'field-id': 103 },
      { name: 'file_size_in_bytes', type: 'long', 'field-id': 104 },
      kv('column_sizes', 'k117_v118', 117, 118, 'long'),
      kv('value_counts', 'k119_v120', 119, 120, 'long'),
      kv('null_value_counts', 'k121_v122', 121, 122, 'long'),
      kv('nan_value_counts', 'k138_v139', 138, 139, 'long'),
      kv('lower_bounds', 'k126_v127', 126, 127, 'bytes'),
      kv('upper_bounds', 'k129_v130', 129, 130, 'bytes'),
      opt('key_metadata', 'bytes', 131),
      opt('split_offsets', { type: 'array', items: 'long', 'element-id': 133 }, 132),
      opt('equality_ids', { type: 'array', items: 'int', 'element-id': 136 }, 135),
      opt('sort_order_id', 'int', 140),
    ] } },
  ],
};

const MANIFEST_FILE = {
  type: 'record', name: 'manifest_file', fields: [
    { name: 'manifest_path', type: 'string', 'field-id': 500 },
    { name: 'manifest_length', type: 'long', 'field-id': 501 },
    { name: 'partition_spec_id', type: 'int', 'field-id': 502 },
    { name: 'content', type: 'int', 'field-id': 517 },
    { name: 'sequence_number', type: 'long', 'field-id': 515 },
    { name: 'min_sequence_number', type: 'long', 'field-id': 516 },
    { name: 'added_snapshot_id', type: 'long', 'field-id': 503 },
    { name: 'added_files_count', type: 'int', 'field-id': 504 },
    { name: 'existing_files_count', type: 'int', 'field-id': 505 },
    { name: 'deleted_files_count', type: 'int', 'field-id': 506 },
    { name: 'added_rows_count', type: 'long', 'field-id': 512 },
    { name: 'existing_rows_count', type: 'long', 'field-id': 513 },
    { name: 'deleted_rows_count', type: 'long', 'field-id': 514 },
    opt('partitions', { type: 'array', 'element-id': 508, items: { type: 'record', name: 'r508', fields: [
      { name: 'contains_null', type: 'boolean', 'field-id': 509 },
      opt('contains_nan', 'boolean', 518),
      opt('lower_bound', 'bytes', 510),
      opt('upper_bound', 'bytes', 511),
    ] } }, 507),
    opt('key_metadata', 'bytes', 519),
  ],
};

const TABLE_SCHEMA = { type: 'struct', 'schema-id': 0, fields: [
  { id: 1, name: 'id', required: true, type: 'long' },
  { id: 2, name: 'name', required: false, type: 'string' },
  { id: 3, name: 'amount', required: false, type: 'double' },
  { id: 4, name: 'category', required: false, type: 'string' },
] };
const SPEC_FIELDS = [{ name: 'category', transform: 'identity', 'source-id': 4, 'field-id': 1000 }];

// The two data files: category 'a' (snapshot 1) and 'b' (snapshot 2).
const FILES = [
  { category: 'a', rows: [[1, 'ann', 1.5], [2, 'bob', -2.25], [3, 'cy', 0]] },
  { category: 'b', rows: [[4, null, 10], [5, 'dee', null], [6, 'éva ✓', 1e300], [7, 'fay', -0.5]] },
];
const SNAPSHOTS = [1234567890123, 2234567890123];

function writeAvro(path, schema, records, meta) {
  return new Promise((resolve, reject) => {
    const metadata = Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, Buffer.from(v)]));
    const enc = new avro.streams.BlockEncoder(avroType(schema), { codec: 'null', metadata });
    // avsc leaves field attributes (field-id) out of the schema it writes
    // from a type; the header must carry the schema as given.
    enc._schema = schema;
    const chunks = [];
    enc.on('data', (c) => chunks.push(c)).on('end', () => {
      writeFileSync(path, Buffer.concat(chunks));
      resolve(statSync(path).size);
    }).on('error', reject);
    for (const r of records) enc.write(r);
    enc.end();
  });
}

const bytesOfLong = (n) => { const b = Buffer.alloc(8); b.writeBigInt64LE(BigInt(n)); return b; };
const bytesOfDouble = (x) => { const b = Buffer.alloc(8); b.writeDoubleLE(x); return b; };

// Builds the table under `dir`; paths inside name it as `uri(relativePath)`.
// Returns the relative paths of everything written.
async function buildTable(dir, uri) {
  mkdirSync(join(dir, 'metadata'), { recursive: true });
  const manifests = [];
  const snapshots = [];
  let lastMs = 1733600000000;
  for (let s = 0; s < FILES.length; s++) {
    const f = FILES[s];
    const rel = `data/category=${f.category}/0000${s}-data.parquet`;
    mkdirSync(join(dir, 'data', `category=${f.category}`), { recursive: true });
    const values = f.rows.map(([id, name, amount]) =>
      `(${id}::BIGINT, ${name === null ? 'NULL' : `'${name}'`}::VARCHAR, ${amount === null ? 'NULL' : amount}::DOUBLE, '${f.category}'::VARCHAR)`).join(', ');
    await duck(`COPY (SELECT * FROM (VALUES ${values}) t(id, name, amount, category))
      TO '${join(dir, rel)}' (FORMAT parquet, FIELD_IDS {id: 1, name: 2, amount: 3, category: 4})`);
    const size = statSync(join(dir, rel)).size;
    const ids = f.rows.map((r) => r[0]);
    const amounts = f.rows.map((r) => r[2]).filter((x) => x !== null);
    const n = f.rows.length;
    const nulls = (i) => f.rows.filter((r) => r[i] === null).length;
    const entry = {
      status: 1, snapshot_id: BigInt(SNAPSHOTS[s]), sequence_number: null, file_sequence_number: null,
      data_file: {
        content: 0, file_path: uri(rel), file_format: 'PARQUET', partition: { category: f.category },
        record_count: BigInt(n), file_size_in_bytes: BigInt(size),
        column_sizes: null,
        value_counts: [1, 2, 3, 4].map((k) => ({ key: k, value: BigInt(n) })),
        null_value_counts: [[1, 0], [2, nulls(1)], [3, nulls(2)], [4, 0]].map(([k, v]) => ({ key: k, value: BigInt(v) })),
        nan_value_counts: [{ key: 3, value: 0n }],
        lower_bounds: [{ key: 1, value: bytesOfLong(Math.min(...ids)) }, { key: 3, value: bytesOfDouble(Math.min(...amounts)) },
          { key: 4, value: Buffer.from(f.category) }],
        upper_bounds: [{ key: 1, value: bytesOfLong(Math.max(...ids)) }, { key: 3, value: bytesOfDouble(Math.max(...amounts)) },
          { key: 4, value: Buffer.from(f.category) }],
        key_metadata: null, split_offsets: null, equality_ids: null, sort_order_id: 0,
      },
    };
    const manifestRel = `metadata/manifest-${s}-m0.avro`;
    const manifestLength = await writeAvro(join(dir, manifestRel), MANIFEST_ENTRY, [entry], {
      schema: JSON.stringify(TABLE_SCHEMA), 'schema-id': '0', 'partition-spec': JSON.stringify(SPEC_FIELDS),
      'partition-spec-id': '0', 'format-version': '2', content: 'data',
    });
    manifests.push({
      manifest_path: uri(manifestRel), manifest_length: BigInt(manifestLength), partition_spec_id: 0, content: 0,
      sequence_number: BigInt(s + 1), min_sequence_number: BigInt(s + 1), added_snapshot_id: BigInt(SNAPSHOTS[s]),
      added_files_count: 1, existing_files_count: 0, deleted_files_count: 0,
      added_rows_count: BigInt(n), existing_rows_count: 0n, deleted_rows_count: 0n,
      partitions: [{ contains_null: false, contains_nan: null, lower_bound: Buffer.from(f.category), upper_bound: Buffer.from(f.category) }],
      key_metadata: null,
    });
    const listRel = `metadata/snap-${SNAPSHOTS[s]}-0-list.avro`;
    await writeAvro(join(dir, listRel), MANIFEST_FILE, [...manifests].reverse(), {
      'snapshot-id': String(SNAPSHOTS[s]), 'parent-snapshot-id': s === 0 ? 'null' : String(SNAPSHOTS[s - 1]),
      'sequence-number': String(s + 1), 'format-version': '2',
    });
    const total = FILES.slice(0, s + 1).reduce((a, x) => a + x.rows.length, 0);
    lastMs += 1000;
    snapshots.push({
      'snapshot-id': SNAPSHOTS[s], ...(s ? { 'parent-snapshot-id': SNAPSHOTS[s - 1] } : {}), 'sequence-number': s + 1,
      'timestamp-ms': lastMs, 'manifest-list': uri(listRel), 'schema-id': 0,
      summary: { operation: 'append', 'added-data-files': '1', 'added-records': String(n), 'added-files-size': String(size),
        'changed-partition-count': '1', 'total-records': String(total), 'total-data-files': String(s + 1),
        'total-delete-files': '0', 'total-position-deletes': '0', 'total-equality-deletes': '0' },
    });
    const metadata = {
      'format-version': 2, 'table-uuid': '9c12d441-03fe-4693-9a96-a0705ddf69c1', location: uri('').replace(/\/$/, ''),
      'last-sequence-number': s + 1, 'last-updated-ms': lastMs, 'last-column-id': 4,
      'current-schema-id': 0, schemas: [TABLE_SCHEMA],
      'default-spec-id': 0, 'partition-specs': [{ 'spec-id': 0, fields: SPEC_FIELDS }], 'last-partition-id': 1000,
      'default-sort-order-id': 0, 'sort-orders': [{ 'order-id': 0, fields: [] }],
      properties: { 'write.format.default': 'parquet' },
      'current-snapshot-id': SNAPSHOTS[s], refs: { main: { 'snapshot-id': SNAPSHOTS[s], type: 'branch' } },
      snapshots: [...snapshots], statistics: [], 'partition-statistics': [],
      'snapshot-log': snapshots.map((x) => ({ 'timestamp-ms': x['timestamp-ms'], 'snapshot-id': x['snapshot-id'] })),
      'metadata-log': s ? [{ 'timestamp-ms': lastMs - 1000, 'metadata-file': uri('metadata/v1.metadata.json') }] : [],
    };
    writeFileSync(join(dir, `metadata/v${s + 1}.metadata.json`), JSON.stringify(metadata, null, 2));
    writeFileSync(join(dir, 'metadata/version-hint.text'), String(s + 1));
  }
  return walk(dir).map((p) => relative(dir, p));
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]);
}

const expected = (upTo) => FILES.slice(0, upTo).flatMap((f) =>
  f.rows.map(([id, name, amount]) => ({ id: String(id), name, amount, category: f.category })));

// DuckDB's reading of the given local data files, in the same plain form.
async function duckRows(paths) {
  const list = paths.map((p) => `'${p}'`).join(', ');
  const rows = await duck(`SELECT CAST(id AS VARCHAR) AS id, name, amount, category FROM read_parquet([${list}]) ORDER BY id`);
  return plainRows(rows, ['id']);
}

let moto;
before(async () => {
  const which = spawnSync('sh', ['-c', 'command -v moto_server']);
  assert.equal(which.status, 0, 'moto_server is not installed: the S3 tests need it (pip install "moto[server]")');
  moto = await startMoto();
});
after(() => moto?.stop());

test('icebird reads a hand-built v2 table from disk (file:// paths): the latest snapshot through version-hint.text, v1 by name', async (t) => {
  const dir = tempDir(t, 'iceberg-harness');
  await buildTable(dir, (rel) => pathToFileURL(join(dir, rel)).href);
  // avsc, reading with the schema each file names, agrees the manifest list of v2 holds both manifests.
  const list = await readAvroFile(join(dir, `metadata/snap-${SNAPSHOTS[1]}-0-list.avro`));
  assert.equal(list.rows.length, 2);
  assert.equal(list.header.meta['parent-snapshot-id'].toString(), String(SNAPSHOTS[0]));
  assert.match(list.header.meta['avro.schema'].toString(), /"field-id":500/);

  const requests = [];
  const originalFetch = globalThis.fetch;
  const rows = await readIcebergRows({ location: pathToFileURL(dir).href, requests });
  assert.equal(globalThis.fetch, originalFetch, 'the global fetch is restored');
  assert.deepEqual(plainRows(rows, ['id']), plainRows(expected(2), ['id']));
  assert.equal(requests[0], `${dir}/metadata/version-hint.text`);
  assert.equal(requests[1], `${dir}/metadata/v2.metadata.json`);
  assert.ok(requests.some((r) => r.endsWith('00001-data.parquet')), requests.join('\n'));

  const v1 = await readIcebergRows({ location: dir, metadataFileName: 'v1.metadata.json' });
  assert.deepEqual(plainRows(v1, ['id']), plainRows(expected(1), ['id']));

  const meta = await readIcebergMetadata({ location: dir });
  assert.equal(meta['current-snapshot-id'], SNAPSHOTS[1]);
  const files = await readIcebergDataFiles({ location: dir });
  assert.equal(files.length, 2);
  assert.deepEqual(files.map((f) => f.recordCount).sort(), [3, 4]);
  assert.deepEqual(await duckRows(await Promise.all(files.map((f) => localCopy(f.path, {})))), plainRows(rows, ['id']));
});

test('icebird reads the same table written with plain absolute paths, and a missing data file is an error, not fewer rows', async (t) => {
  const dir = tempDir(t, 'iceberg-harness');
  await buildTable(dir, (rel) => join(dir, rel));
  const rows = await readIcebergRows({ location: dir });
  assert.deepEqual(plainRows(rows, ['id']), plainRows(expected(2), ['id']));
  unlinkSync(join(dir, 'data/category=a/00000-data.parquet'));
  await assert.rejects(readIcebergRows({ location: dir }));
});

test('an empty table (no snapshot) reads as no rows; a table without metadata is an error', async (t) => {
  const dir = tempDir(t, 'iceberg-harness');
  await buildTable(dir, (rel) => join(dir, rel));
  const meta = JSON.parse(readFileSync(join(dir, 'metadata/v1.metadata.json'), 'utf8'));
  const empty = { ...meta, 'current-snapshot-id': -1, refs: {}, snapshots: [], 'snapshot-log': [] };
  assert.deepEqual(await readIcebergRows({ location: dir, metadata: empty }), []);
  assert.deepEqual(await readIcebergDataFiles({ location: dir, metadata: empty }), []);
  rmSync(join(dir, 'metadata'), { recursive: true });
  await assert.rejects(readIcebergRows({ location: dir }), /version/);
});

test('icebird reads the table from moto S3 (s3:// paths, range reads of the data files) and agrees with DuckDB', async (t) => {
  const dir = tempDir(t, 'iceberg-harness');
  const prefix = 'wh/db/events';
  const written = await buildTable(dir, (rel) => `s3://harness/${prefix}/${rel}`);
  await s3CreateBucket(moto.url, 'harness');
  for (const rel of written) await s3Put(moto.url, 'harness', `${prefix}/${rel}`, readFileSync(join(dir, rel)));
  assert.equal((await s3List(moto.url, 'harness', prefix)).length, written.length);

  const requests = [];
  const rows = await readIcebergRows({ location: `s3://harness/${prefix}`, s3Endpoint: moto.url, requests });
  assert.deepEqual(plainRows(rows, ['id']), plainRows(expected(2), ['id']));
  assert.equal(requests[0], `https://harness.s3.amazonaws.com/${prefix}/metadata/version-hint.text`);
  await assert.rejects(readIcebergRows({ location: `s3://harness/${prefix}` }), /s3Endpoint/);

  const files = await readIcebergDataFiles({ location: `s3://harness/${prefix}`, s3Endpoint: moto.url });
  const copies = join(dir, 'copies');
  const local = await Promise.all(files.map((f) => localCopy(f.path, { s3Endpoint: moto.url, dir: copies })));
  assert.deepEqual(await duckRows(local), plainRows(rows, ['id']));
});

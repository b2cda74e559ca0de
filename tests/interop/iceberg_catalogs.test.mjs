// `lakepipe archive --table-format iceberg` through every catalog kind —
// file, sql (a SQLite file, checked with the sqlite3 CLI) and rest (the REST
// stand-in, tests/interop/rest_catalog_standin.mjs) — on a local lake and on
// moto S3: icebird (an independent Iceberg reader) reads every produced id
// exactly once, and DuckDB over the live data files icebird lists reads the
// same ids. avsc opens the manifest list and manifests and finds the spec's
// field ids and header keys. The REST catalog's faults during archiving (409
// conflicts, a 503 after the commit was applied, a timeout after applying)
// still give every id once, `lakepipe table verify` passes and the log says
// what the archiver did. `lakepipe table show|verify` open the sql and rest
// catalogs' tables by name.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import avro from 'avsc';
import kafkajs from 'kafkajs';
import lz4 from 'lz4js';
import { LAKEPIPE, duck, sleep, tempDir } from './lib.mjs';
import {
  S3_TEST_KEYS,
  localCopy,
  readIcebergDataFiles,
  readIcebergMetadata,
  readIcebergRows,
  s3CreateBucket,
  startMoto,
} from './icebird.mjs';
import { startRestCatalog } from './rest_catalog_standin.mjs';

const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = kafkajs;
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (encoder) => Buffer.from(lz4.compress(encoder.buffer)),
  decompress: async (buffer) => Buffer.from(lz4.decompress(buffer)),
});

const COUNTRIES = ['de', 'fr', 'nl', 'it'];
const SCHEMA = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'country', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
};
const TOPICS = ['file_local', 'sql_local', 'rest_local', 'file_s3', 'sql_s3', 'rest_s3',
  'rest_conflicts', 'rest_unavailable', 'rest_timeout'];
const BUCKET = 'catalogs';

let broker;
let moto;

before(async () => {
  const args = ['broker', '--partitions', '2', ...TOPICS.flatMap((t) => ['--topic', t])];
  const child = spawn(LAKEPIPE, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const bootstrap = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`lakepipe broker exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`no bootstrap line from lakepipe broker: ${stderr}`)), 15000);
  });
  const kafka = new Kafka({ clientId: 'interop-catalogs', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  broker = { child, bootstrap, producer };
  moto = await startMoto();
  await s3CreateBucket(moto.url, BUCKET);
});

after(async () => {
  await broker?.producer.disconnect();
  if (broker) {
    const exited = new Promise((resolve) => broker.child.once('exit', resolve));
    broker.child.kill('SIGTERM');
    await exited;
  }
  moto?.stop();
});

const S3_ENV = () => ({
  AWS_ENDPOINT_URL: moto.url,
  AWS_ACCESS_KEY_ID: S3_TEST_KEYS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3_TEST_KEYS.secretAccessKey,
  AWS_REGION: S3_TEST_KEYS.region,
});

function order(id) {
  return { id, country: COUNTRIES[id % COUNTRIES.length], amount: id / 4 };
}

async function produce(topic, from, to) {
  const messages = [];
  for (let id = from; id < to; id++) messages.push({ key: String(id), value: JSON.stringify(order(id)) });
  await broker.producer.send({ topic, messages, acks: -1 });
}

const range = (from, to) => Array.from({ length: to - from }, (_, i) => from + i);

// Runs lakepipe without blocking the event loop (the REST stand-in serves
// from this process): { status, stdout, stderr }.
function run(env, ...args) {
  return new Promise((resolve, reject) => {
    const child = spawn(LAKEPIPE, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

// One archive run of `topic` into default.<topic> through the catalog `flags`.
function archive(topic, lake, schema, flags, env = {}) {
  return run(env, 'archive', '--brokers', broker.bootstrap, '--topic', topic, '--group', `g-${topic}`,
    '--lake', lake, '--schema', schema, '--table-format', 'iceberg', '--partition-by', 'country',
    '--flush-records', '40', '--commit-interval', '300ms', '--exit-when-idle', '3s', '--metrics-addr', 'off',
    ...flags);
}

// Where a table is and how icebird opens it: { location, metadataFileName }.
function tableOf(metadataLocation) {
  const m = /^(.*)\/metadata\/([^/]+\.metadata\.json)$/.exec(metadataLocation);
  assert.ok(m, `a metadata location: ${metadataLocation}`);
  return { location: m[1].replace(/^file:\/\//, ''), metadataFileName: m[2] };
}

// The sql catalog's row for default.<name>, read with the sqlite3 CLI; the
// standard iceberg_tables columns must be there.
function sqliteRow(db, name) {
  const columns = spawnSync('sqlite3', [db, 'PRAGMA table_info(iceberg_tables);'], { encoding: 'utf8' });
  assert.equal(columns.status, 0, columns.stderr);
  const names = columns.stdout.trim().split('\n').map((l) => l.split('|')[1]);
  for (const c of ['catalog_name', 'table_namespace', 'table_name', 'metadata_location', 'previous_metadata_location']) {
    assert.ok(names.includes(c), `iceberg_tables has ${c}: ${names}`);
  }
  const nsColumns = spawnSync('sqlite3', [db, 'PRAGMA table_info(iceberg_namespace_properties);'], { encoding: 'utf8' });
  assert.deepEqual(nsColumns.stdout.trim().split('\n').map((l) => l.split('|')[1]),
    ['catalog_name', 'namespace', 'property_key', 'property_value']);
  const r = spawnSync('sqlite3', ['-json', db,
    `SELECT catalog_name, table_namespace, table_name, metadata_location, previous_metadata_location, iceberg_type
       FROM iceberg_tables WHERE table_name = '${name}';`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const rows = JSON.parse(r.stdout || '[]');
  assert.equal(rows.length, 1, `one row for ${name}: ${r.stdout}`);
  assert.equal(rows[0].table_namespace, 'default');
  assert.equal(rows[0].iceberg_type, 'TABLE');
  return rows[0];
}

// The table through icebird: every row's id, sorted (each row checked
// against what was produced), and the live data files.
async function icebirdRead(table, s3Endpoint) {
  const rows = await readIcebergRows({ ...table, s3Endpoint });
  for (const r of rows) {
    const want = order(Number(r.id));
    assert.equal(r.country, want.country, `country of ${r.id}`);
    assert.equal(r.amount, want.amount, `amount of ${r.id}`);
  }
  const files = await readIcebergDataFiles({ ...table, s3Endpoint });
  return { ids: rows.map((r) => Number(r.id)).sort((a, b) => a - b), files };
}

// DuckDB over the data files icebird lists (local copies of S3 objects).
async function duckIds(files, s3Endpoint, dir) {
  assert.ok(files.length > 0);
  const paths = files.map((f) => f.path);
  assert.equal(new Set(paths).size, paths.length, 'no data file is listed twice');
  const local = [];
  for (const p of paths) {
    const copy = await localCopy(p, { s3Endpoint, dir });
    assert.ok(existsSync(copy), `${p} exists`);
    local.push(`'${copy.replaceAll("'", "''")}'`);
  }
  const rows = await duck(`SELECT id FROM read_parquet([${local.join(', ')}]) ORDER BY id`);
  return rows.map((r) => Number(r.id));
}

// A catalog of `kind` for a lake at `lake` (a local path or s3://): the
// flags archive and table take, and how to find the table's metadata.
async function catalogFor(t, kind, dir, lake, extraConfig = '') {
  if (kind === 'file') {
    return { flags: [] };
  }
  if (kind === 'sql') {
    const db = join(dir, 'catalog.db');
    return { flags: ['--catalog-type', 'sql', '--catalog-uri', db], db };
  }
  const rest = await startRestCatalog({ warehouse: join(dir, 'rest-warehouse') });
  t.after(() => rest.stop());
  const config = join(dir, 'lakepipe.yaml');
  writeFileSync(config, `catalog:\n  type: rest\n  uri: ${rest.url}\n${extraConfig}`);
  return { flags: ['--config', config], rest };
}

// The table's current metadata location, from its catalog.
async function currentMetadata(kind, catalog, lake, name) {
  if (kind === 'sql') return sqliteRow(catalog.db, name).metadata_location;
  if (kind === 'rest') {
    const tables = await (await fetch(`${catalog.rest.url}/control/tables`)).json();
    assert.ok(tables[`default.${name}`], `the stand-in has default.${name}: ${JSON.stringify(tables)}`);
    return tables[`default.${name}`];
  }
  return null;
}

async function archiveThrough(t, kind, where) {
  const topic = `${kind}_${where}`;
  const dir = tempDir(t, `catalogs-${topic}`);
  const schema = join(dir, 'order.avsc');
  writeFileSync(schema, JSON.stringify(SCHEMA));
  const lake = where === 's3' ? `s3://${BUCKET}/${topic}` : join(dir, 'lake');
  const env = where === 's3' ? S3_ENV() : {};
  const s3Endpoint = where === 's3' ? moto.url : undefined;
  const catalog = await catalogFor(t, kind, dir, lake);

  await produce(topic, 0, 300);
  const first = await archive(topic, lake, schema, catalog.flags, env);
  assert.equal(first.status, 0, first.stderr + first.stdout);
  assert.match(first.stderr + first.stdout, new RegExp(`Iceberg table default\\.${topic} at .*\\(${kind} catalog\\)`));
  assert.match(first.stderr + first.stdout, /committed snapshot \d+/);
  await produce(topic, 300, 500);
  const second = await archive(topic, lake, schema, catalog.flags, env);
  assert.equal(second.status, 0, second.stderr + second.stdout);

  let table;
  let metadataLocation;
  if (kind === 'file') {
    table = { location: where === 's3' ? `${lake}/default/${topic}` : join(lake, 'default', topic) };
  } else {
    metadataLocation = await currentMetadata(kind, catalog, lake, topic);
    table = tableOf(metadataLocation);
  }
  if (kind === 'sql') {
    const row = sqliteRow(catalog.db, topic);
    assert.equal(row.catalog_name, 'lakepipe');
    assert.ok(row.previous_metadata_location, 'a second commit keeps the previous metadata location');
    const location = where === 's3' ? `${lake}/default/${topic}` : `file://${join(lake, 'default', topic)}`;
    assert.ok(row.metadata_location.startsWith(`${location}/metadata/`), row.metadata_location);
    assert.match(basename(row.metadata_location), /^\d{5}-[0-9a-f-]{36}\.metadata\.json$/);
  }
  const { ids, files } = await icebirdRead(table, s3Endpoint);
  assert.deepEqual(ids, range(0, 500));
  for (const f of files) {
    if (where === 's3') assert.ok(f.path.startsWith(`s3://${BUCKET}/${topic}/`), f.path);
  }
  assert.deepEqual(await duckIds(files, s3Endpoint, join(dir, 'copies')), range(0, 500));
  return { dir, lake, env, table, catalog, topic, s3Endpoint, metadataLocation, files };
}

for (const where of ['local', 's3']) {
  for (const kind of ['file', 'sql', 'rest']) {
    const also = kind !== 'file' ? '; table show and verify open it by name'
      : where === 'local' ? '; avsc reads the manifests' : '';
    test(`archive through the ${kind} catalog (${where} lake): icebird and DuckDB read every id once${also}`, async (t) => {
      const got = await archiveThrough(t, kind, where);
      if (kind === 'file' && where === 'local') await checkManifests(got.table.location);
      if (kind !== 'file') await showAndVerify({ ...got, count: 500 });
    });
  }
}

// ------------------------------------------------------------- manifests

// name → field-id of every field in an Avro schema (nested records too).
function fieldIds(schema, out = {}) {
  if (Array.isArray(schema)) {
    for (const s of schema) fieldIds(s, out);
  } else if (schema && typeof schema === 'object') {
    if (schema.type === 'record') {
      for (const f of schema.fields) {
        if (f['field-id'] !== undefined) out[f.name] = f['field-id'];
        fieldIds(f.type, out);
      }
    } else if (schema.type === 'array') {
      fieldIds(schema.items, out);
    } else if (schema.type === 'map') {
      fieldIds(schema.values, out);
    } else if (typeof schema.type === 'object') {
      fieldIds(schema.type, out);
    }
  }
  return out;
}

// The header (key → text) and records of an Avro container file.
function readAvro(path) {
  return new Promise((resolve, reject) => {
    let meta;
    const records = [];
    avro.createFileDecoder(path)
      .on('metadata', (type, codec, header) => {
        meta = Object.fromEntries(Object.entries(header.meta).map(([k, v]) => [k, v.toString('utf8')]));
      })
      .on('data', (r) => records.push(r))
      .on('error', reject)
      .on('end', () => resolve({ meta, records }));
  });
}

async function checkManifests(location) {
  const metadata = await readIcebergMetadata({ location });
  assert.ok(metadata.snapshots.length >= 2, 'two runs, at least two snapshots');
  const local = (p) => p.replace(/^file:\/\//, '');
  let manifests = 0;
  for (const snapshot of metadata.snapshots) {
    const list = await readAvro(local(snapshot['manifest-list']));
    assert.equal(list.meta['snapshot-id'], String(snapshot['snapshot-id']));
    assert.equal(list.meta['parent-snapshot-id'], String(snapshot['parent-snapshot-id'] ?? 'null'));
    assert.equal(list.meta['sequence-number'], String(snapshot['sequence-number']));
    assert.equal(list.meta['format-version'], '2');
    const ids = fieldIds(JSON.parse(list.meta['avro.schema']));
    for (const [name, id] of Object.entries({ manifest_path: 500, manifest_length: 501, partition_spec_id: 502,
      content: 517, sequence_number: 515, min_sequence_number: 516, added_snapshot_id: 503,
      added_files_count: 504, existing_files_count: 505, deleted_files_count: 506, added_rows_count: 512,
      existing_rows_count: 513, deleted_rows_count: 514, partitions: 507, contains_null: 509,
      lower_bound: 510, upper_bound: 511 })) {
      assert.equal(ids[name], id, `manifest list field ${name}`);
    }
    assert.ok(list.records.length > 0);
    for (const entry of list.records) {
      manifests++;
      const manifest = await readAvro(local(entry.manifest_path));
      for (const key of ['schema', 'schema-id', 'partition-spec', 'partition-spec-id', 'format-version', 'content']) {
        assert.ok(manifest.meta[key] !== undefined, `manifest header ${key}`);
      }
      assert.equal(manifest.meta['format-version'], '2');
      assert.equal(manifest.meta.content, 'data');
      assert.equal(manifest.meta['partition-spec-id'], String(entry.partition_spec_id));
      assert.deepEqual(JSON.parse(manifest.meta['partition-spec']).map((f) => f.name), ['country']);
      assert.deepEqual(JSON.parse(manifest.meta.schema).fields.map((f) => f.id), [1, 2, 3]);
      const fids = fieldIds(JSON.parse(manifest.meta['avro.schema']));
      for (const [name, id] of Object.entries({ status: 0, snapshot_id: 1, sequence_number: 3,
        file_sequence_number: 4, data_file: 2, content: 134, file_path: 100, file_format: 101, partition: 102,
        record_count: 103, file_size_in_bytes: 104, column_sizes: 108, value_counts: 109,
        null_value_counts: 110, nan_value_counts: 137, lower_bounds: 125, upper_bounds: 128, split_offsets: 132,
        sort_order_id: 140 })) {
        assert.equal(fids[name], id, `manifest field ${name}`);
      }
      assert.equal(manifest.records.length, entry.added_files_count + entry.existing_files_count + entry.deleted_files_count);
      for (const e of manifest.records) {
        assert.match(e.data_file.file_path, /\.parquet$/);
        // The double column `amount` (id 3) has a NaN count (none are produced), the others none.
        assert.deepEqual(e.data_file.nan_value_counts.map((kv) => [kv.key, Number(kv.value)]), [[3, 0]]);
        // Row group starts: the first one right after the magic "PAR1".
        assert.equal(Number(e.data_file.split_offsets[0]), 4, JSON.stringify(e.data_file.split_offsets));
      }
    }
  }
  assert.ok(manifests >= 2);
}

// ------------------------------------------------------------- table command

// `table show --json` and `table verify` open default.<topic> by name
// through the catalog: the metadata file the catalog names, the live files
// icebird lists, `count` records and the group's ends summing to `count`.
async function showAndVerify({ catalog, topic, lake, metadataLocation, files, count, env = {} }) {
  const name = `default.${topic}`;
  const show = await run(env, 'table', 'show', name, '--json', '--lake', lake, ...catalog.flags);
  assert.equal(show.status, 0, show.stderr + show.stdout);
  const doc = JSON.parse(show.stdout);
  assert.equal(doc.metadata_location, metadataLocation);
  assert.equal(doc.format_version, 2);
  assert.deepEqual(doc.schema.fields.map((f) => [f.name, f.id]), [['id', 1], ['country', 2], ['amount', 3]]);
  assert.equal(doc.current_snapshot.total_records, count);
  assert.deepEqual(doc.data_files.map((f) => f.path).sort(), files.map((f) => f.path).sort());
  const ends = doc.kafka_offsets.filter((o) => o.group === `g-${topic}` && o.topic === topic);
  assert.equal(ends.reduce((a, o) => a + o.offset, 0), count, JSON.stringify(doc.kafka_offsets));
  const verify = await run(env, 'table', 'verify', name, '--lake', lake, ...catalog.flags);
  assert.equal(verify.status, 0, verify.stderr + verify.stdout);
  return doc;
}

// ------------------------------------------------------------- REST faults

async function archiveWithFaults(t, topic, faults, config) {
  const dir = tempDir(t, `catalogs-${topic}`);
  const schema = join(dir, 'order.avsc');
  writeFileSync(schema, JSON.stringify(SCHEMA));
  const lake = join(dir, 'lake');
  mkdirSync(lake);
  const catalog = await catalogFor(t, 'rest', dir, lake, config);
  await produce(topic, 0, 200);
  // The first run creates the table and commits without faults.
  const first = await archive(topic, lake, schema, catalog.flags);
  assert.equal(first.status, 0, first.stderr + first.stdout);
  await produce(topic, 200, 400);
  const commitPath = `/v1/namespaces/default/tables/${topic}`;
  const postedCommits = () => catalog.rest.requests.filter((r) => r.method === 'POST' && r.path === commitPath).length;
  const commitsBefore = postedCommits();
  const snapshotsBefore = (await readIcebergMetadataOf(catalog, topic)).snapshots.length;
  catalog.rest.setFaults(faults);
  // More records once the run's first commit is on its way: the run
  // commits again while the faults play out.
  const running = archive(topic, lake, schema, catalog.flags);
  for (let i = 0; i < 200 && postedCommits() === commitsBefore; i++) await sleep(50);
  assert.ok(postedCommits() > commitsBefore, 'the archiver sent a commit within 10 s');
  await produce(topic, 400, 600);
  const second = await running;
  assert.equal(second.status, 0, second.stderr + second.stdout);
  const commits = postedCommits() - commitsBefore;
  const snapshots = (await readIcebergMetadataOf(catalog, topic)).snapshots;
  assert.ok(snapshots.length >= snapshotsBefore + 2, `the run committed twice: ${snapshots.length - snapshotsBefore}`);
  const metadataLocation = await currentMetadata('rest', catalog, lake, topic);
  const { ids, files } = await icebirdRead(tableOf(metadataLocation));
  assert.deepEqual(ids, range(0, 600));
  assert.deepEqual(await duckIds(files), range(0, 600));
  await showAndVerify({ catalog, topic, lake, metadataLocation, files, count: 600 });
  return { log: second.stderr + second.stdout, commits, snapshots };
}

// The current metadata of default.<name> in the REST stand-in.
async function readIcebergMetadataOf(catalog, name) {
  return readIcebergMetadata(tableOf(await currentMetadata('rest', catalog, null, name)));
}

// Each snapshot's lakepipe.commit-id appears once.
function commitIdsOnce(snapshots) {
  const ids = snapshots.map((s) => s.summary['lakepipe.commit-id']);
  assert.equal(new Set(ids).size, ids.length, `one snapshot per commit id: ${ids}`);
}

test('REST catalog: 409 conflicts on the next commits are retried; every id once', async (t) => {
  const { log, commits, snapshots } = await archiveWithFaults(t, 'rest_conflicts', { conflicts: 3 });
  assert.equal((log.match(/refused: .*409.*reload, rebase and retry/g) ?? []).length, 3, log);
  assert.ok(commits >= 5, `3 refused commits and the two applied: ${commits}`);
  commitIdsOnce(snapshots);
});

test('REST catalog: a 503 after the commit was applied; the archiver finds its commit', async (t) => {
  const { log, commits, snapshots } = await archiveWithFaults(t, 'rest_unavailable', { unavailableAfterApply: 1 });
  assert.match(log, /outcome unknown: .*503/);
  assert.equal(commits, 2, 'the applied commit is found, not sent again; then the next one');
  assert.match(log, /found commit \S+ in the table as snapshot \d+; not committing it again/);
  commitIdsOnce(snapshots);
});

test('REST catalog: a timeout after the commit was applied; the archiver finds its commit', async (t) => {
  const { log, commits, snapshots } = await archiveWithFaults(t, 'rest_timeout', { timeoutAfterApply: 1, holdMs: 4000 },
    '  timeout: 1s\n');
  assert.match(log, /outcome unknown: .*timed out after 1\d\d\d milliseconds/i);
  assert.equal(commits, 2, 'the applied commit is found, not sent again; then the next one');
  assert.match(log, /found commit \S+ in the table as snapshot \d+; not committing it again/);
  commitIdsOnce(snapshots);
});

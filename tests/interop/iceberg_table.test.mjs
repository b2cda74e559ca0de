// `lakepipe table show|history|verify` on Iceberg tables made by
// iceberg_table_tool (built beside lakepipe: Parquet data files appended
// through the file catalog, each snapshot carrying Kafka ranges and offsets).
// What `show` lists agrees with icebird, an independent Iceberg reader,
// reading the same metadata and manifests, and with DuckDB counting each
// data file's rows; `history` agrees with the snapshots icebird reads;
// `verify` finds nothing in the clean table and names the gap, the overlap,
// the duplicate listing, the missing and the resized file of the broken one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { icebergManifests, icebergMetadata } from 'icebird';
import { LAKEPIPE, duck, lakepipe, tempDir } from './lib.mjs';

const TOOL = process.env.ICEBERG_TABLE_TOOL
  ?? join(dirname(LAKEPIPE), 'src', 'iceberg', 'iceberg_table_tool');

// With `sqlite`, the table is in an sql catalog in that file.
function makeTable(t, kind, sqlite) {
  const dir = tempDir(t, `iceberg-table-${kind}`);
  const args = sqlite ? [dir, kind, join(dir, sqlite)] : [dir, kind];
  return JSON.parse(execFileSync(TOOL, args, { encoding: 'utf8' }));
}

function tableJson(...args) {
  const r = lakepipe('table', ...args, '--json');
  return { status: r.status, stderr: r.stderr, doc: r.stdout ? JSON.parse(r.stdout) : null };
}

// icebird fetches every path it reads; the tables here are on local disk
// (plain paths and file:// URIs), which Node's fetch does not serve.
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init = {}) => {
  const url = typeof input === 'string' ? input : input.url;
  const path = url.startsWith('file://') ? decodeURIComponent(new URL(url).pathname)
    : url.startsWith('/') ? url : null;
  if (path === null) return realFetch(input, init);
  if (!existsSync(path)) return new Response('not found', { status: 404 });
  const buf = readFileSync(path);
  const range = new Headers(init.headers).get('Range');
  if (range) {
    const [, s, e] = /bytes=(\d+)-(\d*)/.exec(range);
    return new Response(buf.subarray(Number(s), e ? Number(e) + 1 : buf.length), { status: 206 });
  }
  return new Response(buf, { status: 200 });
};

const byPath = (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);

test('table show lists the files icebird reads, with the rows DuckDB counts', async (t) => {
  const made = makeTable(t, 'clean');
  const { status, stderr, doc: show } = tableJson('show', made.location);
  assert.equal(status, 0, stderr);

  const metadata = await icebergMetadata({ tableUrl: made.location });
  assert.equal(show.table_uuid, metadata['table-uuid']);
  assert.equal(show.current_snapshot.snapshot_id, metadata['current-snapshot-id']);
  assert.equal(show.snapshots, metadata.snapshots.length);
  const schema = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  assert.deepEqual(show.schema.fields.map((f) => [f.id, f.name, f.type]),
    schema.fields.map((f) => [f.id, f.name, f.type]));
  const spec = metadata['partition-specs'].find((s) => s['spec-id'] === metadata['default-spec-id']);
  assert.deepEqual(show.partition_spec.fields.map((f) => [f.name, f.field_id, f.source_id, f.transform]),
    spec.fields.map((f) => [f.name, f['field-id'], f['source-id'], f.transform]));

  const manifests = await icebergManifests(metadata);
  const live = manifests.flatMap((m) => m.entries).filter((e) => e.status !== 2).map((e) => ({
    path: e.data_file.file_path,
    records: Number(e.data_file.record_count),
    size: Number(e.data_file.file_size_in_bytes),
    region: e.data_file.partition.region,
  })).sort(byPath);
  const shown = show.data_files.map((f) => ({
    path: f.path, records: f.records, size: f.size, region: f.partition.region,
  })).sort(byPath);
  assert.equal(shown.length, 4);
  assert.deepEqual(shown, live);
  for (const f of shown) {
    const [row] = await duck(`SELECT count(*)::INTEGER AS n, min(region) AS lo, max(region) AS hi
                              FROM read_parquet('${f.path}')`);
    assert.deepEqual(row, { n: f.records, lo: f.region, hi: f.region }, f.path);
  }
  assert.equal(show.current_snapshot.total_records, shown.reduce((n, f) => n + f.records, 0));
  assert.deepEqual(show.kafka_offsets, [
    { group: 'archivers', topic: 'orders', partition: 0, offset: 17 },
    { group: 'archivers', topic: 'orders', partition: 1, offset: 9 },
  ]);

  // By name in the configured catalog: a file catalog whose warehouse is the lake.
  const byName = tableJson('show', '--lake', made.warehouse, made.id);
  assert.equal(byName.status, 0, byName.stderr);
  assert.equal(byName.doc.table_uuid, show.table_uuid);
  const text = lakepipe('table', 'show', `file://${made.location}`);
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /region = identity\(region\)/);
  assert.match(text.stdout, /archivers\s+orders\s+1\s+9/);
});

test('table history lists every snapshot, newest first, with its Kafka ranges', async (t) => {
  const made = makeTable(t, 'clean');
  const { status, stderr, doc } = tableJson('history', made.location);
  assert.equal(status, 0, stderr);
  assert.deepEqual(doc.snapshots.map((s) => s.snapshot_id), [...made.snapshot_ids].reverse());
  const metadata = await icebergMetadata({ tableUrl: made.location });
  for (const s of doc.snapshots) {
    const theirs = metadata.snapshots.find((m) => m['snapshot-id'] === s.snapshot_id);
    assert.equal(s.parent_snapshot_id ?? undefined, theirs['parent-snapshot-id']);
    assert.equal(s.timestamp_ms, theirs['timestamp-ms']);
    assert.equal(s.operation, theirs.summary.operation);
    assert.equal(String(s.added_records), theirs.summary['added-records']);
    assert.equal(String(s.total_records), theirs.summary['total-records']);
    assert.ok(s.current_ancestor);
  }
  assert.deepEqual(doc.snapshots.map((s) => s.kafka.ranges), [
    [{ topic: 'orders', partition: 1, start: 5, end: 9 }],
    [{ topic: 'orders', partition: 0, start: 10, end: 17 }],
    [{ topic: 'orders', partition: 0, start: 0, end: 10 }, { topic: 'orders', partition: 1, start: 0, end: 5 }],
  ]);
});

test('table verify: a clean table exits 0; each problem of a broken one is named, exit 1', (t) => {
  const clean = makeTable(t, 'clean');
  const ok = tableJson('verify', clean.location);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal(ok.doc.clean, true);
  assert.equal(ok.doc.data_files, 4);
  assert.deepEqual(ok.doc.problems, []);

  const broken = makeTable(t, 'broken');
  const bad = tableJson('verify', broken.location);
  assert.equal(bad.status, 1, bad.stderr);
  assert.equal(bad.doc.clean, false);
  assert.equal(bad.doc.data_files, 7);
  const kinds = Object.fromEntries(bad.doc.problems.map((p) => [p.kind, p]));
  assert.deepEqual(Object.keys(kinds).sort(), ['duplicate', 'gap', 'missing', 'overlap', 'size']);
  assert.equal(kinds.duplicate.path, broken.duplicate_file);
  assert.equal(kinds.duplicate.count, 2);
  assert.equal(kinds.missing.path, broken.missing_file);
  assert.equal(kinds.size.path, broken.resized_file);
  assert.equal(kinds.size.actual, kinds.size.expected + 1);
  assert.deepEqual([kinds.gap.partition, kinds.gap.previous, kinds.gap.next, kinds.gap.snapshot_id],
    [0, [10, 17], [20, 23], broken.snapshot_ids[3]]);
  assert.deepEqual([kinds.overlap.partition, kinds.overlap.previous, kinds.overlap.next],
    [1, [5, 9], [7, 13]]);

  const text = lakepipe('table', 'verify', broken.location);
  assert.equal(text.status, 1);
  assert.match(text.stdout, /^gap: group archivers, orders\/0: .*offsets 17\.\.19 are in no snapshot$/m);
  assert.match(text.stdout, /^overlap: .*offsets 7\.\.8 are in two snapshots$/m);
  assert.match(text.stdout, new RegExp(`^missing: data file ${broken.missing_file} `, 'm'));
  assert.match(text.stdout, /5 problems$/m);
});

test('table opens ns.name in an sql catalog, from flags or the catalog: section', async (t) => {
  const made = makeTable(t, 'clean', 'catalog.db');
  const db = join(made.warehouse, 'catalog.db');
  const { status, stderr, doc: show } = tableJson('show', '--catalog-type', 'sql', '--catalog-uri', db, made.id);
  assert.equal(status, 0, stderr);
  assert.match(show.metadata_location, /\/metadata\/\d{5}-[0-9a-f-]{36}\.metadata\.json$/);
  const metadata = await icebergMetadata({
    tableUrl: made.location, metadataFileName: show.metadata_location.split('/').pop(),
  });
  const manifests = await icebergManifests(metadata);
  const theirs = manifests.flatMap((m) => m.entries).filter((e) => e.status !== 2)
    .map((e) => e.data_file.file_path).sort();
  assert.deepEqual(show.data_files.map((f) => f.path).sort(), theirs);
  assert.equal(show.table_uuid, metadata['table-uuid']);

  const config = join(made.warehouse, 'lakepipe.yaml');
  writeFileSync(config, `catalog:\n  type: sql\n  uri: ${db}\n`);
  const verify = tableJson('verify', '--config', config, made.id);
  assert.equal(verify.status, 0, verify.stderr);
  assert.equal(verify.doc.clean, true);
  assert.equal(verify.doc.metadata_location, show.metadata_location);
  // The file catalog does not know the table.
  const missing = lakepipe('table', 'show', '--lake', made.warehouse, made.id);
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /not found: table db\.events in the file catalog/);
  // A typo in the section is an error naming it.
  writeFileSync(config, `catalog:\n  typ: sql\n`);
  const typo = lakepipe('table', 'show', '--config', config, made.id);
  assert.equal(typo.status, 1);
  assert.match(typo.stderr, /unknown key 'typ' in section 'catalog'/);
});

test('table --help names its subcommands; each subcommand has --help', () => {
  const r = lakepipe('table', '--help');
  assert.equal(r.status, 0, r.stderr);
  for (const sub of ['show', 'history', 'verify']) {
    assert.match(r.stdout, new RegExp(`^  ${sub} `, 'm'));
    const h = lakepipe('table', sub, '--help');
    assert.equal(h.status, 0, h.stderr);
    assert.match(h.stdout, new RegExp(`lakepipe table ${sub} \\[OPTIONS\\] TABLE`));
    assert.match(h.stdout, /--catalog-type/);
  }
  const none = lakepipe('table');
  assert.equal(none.status, 2);
});

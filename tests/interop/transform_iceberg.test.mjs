// transform --table-format iceberg, checked by readers we did not write:
// users produced onto the dev broker and archived into an Iceberg table
// (archive --table-format iceberg); the transform reads that table and
// writes the clean, rejected and metric tables as Iceberg tables of the
// same catalog. icebird reads every output table, and its rows must equal
// what DuckDB computes from the raw table's data files with the SQL of
// transform_sql.mjs (the oracle of transform.test.mjs). A second wave (new
// users and repeats of old ones) and a second run: still equal, the clean
// table's new snapshot an overwrite whose replaced files icebird no longer
// lists, and `lakepipe table verify` clean for every table.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LAKEPIPE, ROOT, duck, lakepipeWith, tempDir } from './lib.mjs';
import { readIcebergDataFiles, readIcebergMetadata, readIcebergRows } from './icebird.mjs';
import { usersClean, usersMetrics } from './transform_sql.mjs';

const AS_OF = '2026-06-14';
let broker, bootstrap;

before(async () => {
  broker = spawn(LAKEPIPE, ['broker', '--partitions', '4', '--topic', 'users'], { stdio: ['ignore', 'pipe', 'pipe'] });
  bootstrap = await new Promise((resolve, reject) => {
    createInterface({ input: broker.stdout }).once('line', resolve);
    setTimeout(() => reject(new Error('no bootstrap line from lakepipe broker')), 15000);
  });
});

after(() => broker?.kill('SIGTERM'));

function ok(...args) {
  const r = lakepipeWith({}, ...args);
  assert.equal(r.status, 0, `lakepipe ${args.join(' ')}\n${r.stderr}${r.stdout}`);
  return r;
}

function wave(lake, seed, count) {
  ok('produce', '--brokers', bootstrap, '--topic', 'users', '--source', 'users', '--seed', String(seed),
    '--count', String(count), '--quiet');
  ok('archive', '--brokers', bootstrap, '--topic', 'users', '--group', 'transform-iceberg', '--table', 'users',
    '--lake', lake, '--schema', join(ROOT, 'schemas', 'user.avsc'), '--table-format', 'iceberg',
    '--exit-when-idle', '5s', '-X', 'session.timeout.ms=6000');
}

function transform(lake, ...extra) {
  const stats = join(lake, '..', `stats-${Date.now()}-${Math.random()}.json`);
  ok('transform', '--lake', lake, '--table', 'users', '--as-of', AS_OF, '--stats-json', stats, '--job', 'all',
    '--table-format', 'iceberg', ...extra);
  return JSON.parse(readFileSync(stats, 'utf8')).jobs;
}

// A value of an icebird row as DuckDB's JSON reader types it: longs as
// numbers, dates at midnight as dates, other times as timestamps.
function jsonValue(v) {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19).replace('T', ' ');
  }
  return v;
}

// The table `name` as icebird reads it, as a DuckDB relation (SQL) over a
// JSON Lines file of its rows; and the rows' count.
async function icebirdRelation(lake, name) {
  const rows = await readIcebergRows({ location: join(lake, 'default', name) });
  const file = join(lake, '..', `${name}-${Date.now()}.jsonl`);
  writeFileSync(file, rows.map((r) => JSON.stringify(Object.fromEntries(Object.entries(r).map(([k, v]) => [k, jsonValue(v)])))).join('\n') + '\n');
  return { sql: `SELECT * FROM read_json('${file}', format = 'newline_delimited')`, count: rows.length };
}

// Rows of `expected` and `got` (SQL) must match one to one on `keys`, with
// `exact` columns equal and `approx` columns within 1e-9.
async function assertSameTable(label, expected, got, keys, exact, approx) {
  const on = keys.map((k) => `e.${k} IS NOT DISTINCT FROM g.${k}`).join(' AND ');
  const same = [...exact.map((c) => `e.${c} IS NOT DISTINCT FROM g.${c}`),
    ...approx.map((c) => `((e.${c} IS NULL AND g.${c} IS NULL) OR abs(e.${c} - g.${c}) <= 1e-9 * greatest(1, abs(e.${c})))`)].join(' AND ');
  const [r] = await duck(`SELECT (SELECT count(*) FROM (${expected})) AS ne, (SELECT count(*) FROM (${got})) AS ng,
    (SELECT count(*) FROM (${expected}) e JOIN (${got}) g ON ${on} WHERE ${same}) AS matched`);
  assert.ok(Number(r.ne) > 0, `${label}: DuckDB computed no rows`);
  assert.equal(Number(r.ng), Number(r.ne), `${label}: ${r.ng} rows, DuckDB ${r.ne}`);
  assert.equal(Number(r.matched), Number(r.ne), `${label}: ${r.matched} of ${r.ne} rows agree`);
}

const CLEAN_COLUMNS = ['first_name', 'last_name', 'gender', 'email', 'email_domain', 'phone', 'nat', 'city', 'state', 'country',
  'dob_date', 'registration_date', 'age', 'tenure_days', 'registration_year'];

// The clean table and every metric, read by icebird, against DuckDB over
// the raw Iceberg table's data files.
async function checkTables(t, lake) {
  const raw = await readIcebergDataFiles({ location: join(lake, 'default', 'users') });
  assert.ok(raw.length > 0);
  const paths = raw.map((f) => `'${f.path.replace(/^file:\/\//, '')}'`).join(', ');
  const clean = usersClean(lake, AS_OF, false).replace(`'${lake}/users/raw/parquet/**/*.parquet'`, `[${paths}]`);
  assert.ok(clean.includes(paths), 'the oracle reads the raw Iceberg table\'s files');
  const got = await icebirdRelation(lake, 'users_clean');
  await assertSameTable('users_clean', clean, got.sql, ['id'], CLEAN_COLUMNS, []);
  const metrics = usersMetrics(`(${clean})`);
  for (const m of metrics) {
    const table = `users_${m.job}_${m.metric}`;
    const rel = await icebirdRelation(lake, table);
    await assertSameTable(table, m.sql, rel.sql, m.keys, m.exact, m.approx);
  }
  t.diagnostic(`users_clean (${got.count} rows) and ${metrics.length} metrics read by icebird agree with DuckDB`);
}

// Every table the transform writes, by name.
function outputTables(lake) {
  return readdirSync(join(lake, 'default')).filter((n) => n.startsWith('users_')).sort();
}

test('transform --table-format iceberg: icebird reads clean and metric tables equal to DuckDB, also after a second wave', async (t) => {
  const dir = tempDir(t, 'transform-iceberg');
  const lake = join(dir, 'lake');

  wave(lake, 41, 3000);
  let jobs = transform(lake);
  assert.equal(jobs[0].job, 'clean');
  assert.equal(jobs[0].raw_table, 'default.users');
  assert.equal(jobs[0].records_in, 3000);
  assert.ok(jobs[0].iceberg.some((c) => c.table === 'default.users_clean' && c.snapshot_id > 0));
  assert.ok(!existsSync(join(lake, 'users', 'raw')), 'no Hive raw files: the input is the Iceberg table');
  await checkTables(t, lake);

  // Second wave: new users and the first 800 of the first wave again.
  wave(lake, 42, 2000);
  wave(lake, 41, 800);
  jobs = transform(lake);
  assert.equal(jobs[0].new_files > 0, true);
  assert.equal(jobs[0].records_in, 2800);
  assert.equal(jobs[0].duplicates, 800);
  await checkTables(t, lake);

  // The clean table's second snapshot replaced the partitions it rewrote:
  // an overwrite whose deleted files icebird no longer lists.
  const meta = await readIcebergMetadata({ location: join(lake, 'default', 'users_clean') });
  assert.equal(meta.snapshots.length, 2);
  const last = meta.snapshots.find((s) => s['snapshot-id'] === meta['current-snapshot-id']);
  assert.equal(last.summary.operation, 'overwrite');
  const deleted = Number(last.summary['deleted-data-files']);
  assert.ok(deleted > 0, 'the rewritten partitions\' old files are deleted');
  const live = await readIcebergDataFiles({ location: join(lake, 'default', 'users_clean') });
  assert.equal(Number(last.summary['total-data-files']), live.length);
  assert.equal(live.reduce((n, f) => n + f.recordCount, 0), Number(last.summary['total-records']));
  // One live file per partition, as in the lake's clean directory.
  const partitions = new Set(live.map((f) => JSON.stringify(f.partition, (k, v) => (typeof v === 'bigint' ? Number(v) : v))));
  assert.equal(partitions.size, live.length);
  for (const f of live) assert.ok(existsSync(f.path.replace(/^file:\/\//, '')), `${f.path} exists`);
  // The copies hold the Parquet types the table's types map to: its
  // timestamps in microseconds (the lake's clean files have milliseconds).
  const types = await duck(`SELECT name, logical_type FROM parquet_schema('${live[0].path.replace(/^file:\/\//, '')}')
    WHERE name IN ('dob', 'registered_date')`);
  assert.equal(types.length, 2);
  for (const t of types) assert.match(String(t.logical_type), /MICROS=MicroSeconds/, `${t.name}: ${t.logical_type}`);
  assert.deepEqual(meta.schemas[0].fields.filter((f) => ['dob', 'registered_date'].includes(f.name)).map((f) => f.type), ['timestamptz', 'timestamptz']);

  // Every table verifies.
  const tables = outputTables(lake);
  assert.ok(tables.includes('users_clean') && tables.includes('users_timeseries_registrations_daily'), tables.join(' '));
  for (const name of tables) {
    const r = lakepipeWith({}, 'table', 'verify', '--lake', lake, `default.${name}`);
    assert.equal(r.status, 0, `verify ${name}: ${r.stdout}${r.stderr}`);
  }

  // Nothing new: no table gets a snapshot.
  const before = tables.map((n) => readdirSync(join(lake, 'default', n, 'metadata')).length);
  jobs = transform(lake);
  assert.equal(jobs[0].new_files, 0);
  for (const j of jobs) for (const c of j.iceberg ?? []) assert.equal(c.snapshot_id, undefined, `${c.table} unchanged`);
  assert.deepEqual(tables.map((n) => readdirSync(join(lake, 'default', n, 'metadata')).length), before);
});

test('run --table-format iceberg runs the transform jobs too: icebird reads the clean and metric tables', async (t) => {
  const dir = tempDir(t, 'run-iceberg-transform');
  const stats = join(dir, 'stats.json');
  const r = lakepipeWith({ cwd: dir }, 'run', '--count', '3000', '--seed', '5', '--lake', 'lake', '--local-copies', 'none',
    '--table-format', 'iceberg', '--metrics-addr', 'off', '--stats-json', stats);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  assert.equal(s.jobs, 4);
  assert.equal(s.clean + s.rejected, s.archived);
  const lake = join(dir, 'lake');
  const clean = await readIcebergRows({ location: join(lake, 'default', 'users_clean') });
  assert.equal(clean.length, s.clean);
  const genders = await readIcebergRows({ location: join(lake, 'default', 'users_analytics_gender_distribution') });
  assert.equal(genders.reduce((n, g) => n + Number(g.users), 0), s.clean);
  for (const name of outputTables(lake)) {
    const v = lakepipeWith({}, 'table', 'verify', '--lake', lake, `default.${name}`);
    assert.equal(v.status, 0, `verify ${name}: ${v.stdout}${v.stderr}`);
  }
});

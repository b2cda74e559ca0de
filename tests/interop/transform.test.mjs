// transform --job clean, checked against DuckDB: users produced in waves
// onto the dev broker and archived into a local lake, plus a raw JSON Lines
// file seeded with bad rows. DuckDB computes the clean table from the raw
// files on its own (same rules, in SQL) and the tables must be equal; the
// rejected records must have the expected rules; three incremental runs
// must equal one full refresh; a rerun with nothing new changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LAKEPIPE, ROOT, duck, lakepipeWith, sleep, tempDir } from './lib.mjs';
import { activityClean, activityMetrics, usersClean, usersMetrics } from './transform_sql.mjs';

const AS_OF = '2026-06-14';
let broker, bootstrap;

before(async () => {
  broker = spawn(LAKEPIPE, ['broker', '--partitions', '4', '--topic', 'users', '--topic', 'user_activity'], { stdio: ['ignore', 'pipe', 'pipe'] });
  bootstrap = await new Promise((resolve, reject) => {
    createInterface({ input: broker.stdout }).once('line', resolve);
    setTimeout(() => reject(new Error('no bootstrap line from lakepipe broker')), 15000);
  });
});

after(() => broker?.kill('SIGTERM'));

function ok(...args) {
  const r = lakepipeWith({}, ...args);
  assert.equal(r.status, 0, `lakepipe ${args.join(' ')}\n${r.stderr}`);
  return r;
}

function wave(lake, seed, count, table = 'users') {
  const source = table === 'users' ? 'users' : 'activity';
  const schema = table === 'users' ? 'user.avsc' : 'user_activity.avsc';
  ok('produce', '--brokers', bootstrap, '--topic', table, '--source', source, '--seed', String(seed),
    '--count', String(count), '--quiet');
  ok('archive', '--brokers', bootstrap, '--topic', table, '--group', `transform-${lake.length}`, '--table', table,
    '--lake', lake, '--schema', join(ROOT, 'schemas', schema), '--exit-when-idle', '5s', '-X', 'session.timeout.ms=6000');
}

function transform(lake, ...extra) {
  const stats = join(lake, '..', `stats-${Date.now()}-${Math.random()}.json`);
  ok('transform', '--lake', lake, ...(extra.includes('--table') ? [] : ['--table', 'users']), '--as-of', AS_OF, '--stats-json', stats,
    ...(extra.includes('--job') ? [] : ['--job', 'clean']), ...extra);
  const { jobs } = JSON.parse(readFileSync(stats, 'utf8'));
  return jobs.length === 1 ? jobs[0] : jobs;
}

// Every file under `dir` with its size, for "nothing changed".
function snapshot(dir) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(`${p} ${statSync(p).size} ${statSync(p).mtimeMs}`);
    }
  };
  walk(dir);
  return out.sort();
}

const u = (id, over = {}) => JSON.stringify({
  id, first_name: 'Test', last_name: 'User', gender: 'female', address: '1 Main St', post_code: '1',
  email: `${id.slice(0, 8)}@example.org`, username: 'tester', dob: Date.UTC(1985, 4, 3), registered_date: Date.UTC(2016, 7, 9),
  phone: '(555) 010-0000', picture: 'p', city: 'Oslo', state: 'Oslo', country: 'Norway', nat: 'NO', ...over,
});
const uuid = (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

const LAKEPIPE_CLEAN = (lake) => `
SELECT id, first_name, last_name, gender, email, email_domain, phone, nat, city, state, country, dob_date, registration_date, age,
  tenure_days, registration_year
FROM read_parquet('${lake}/users/clean/parquet/**/*.parquet', hive_partitioning = true)`;

test('clean users: equal to DuckDB over the raw files, rejected rows with their rules, waves equal a full refresh', async (t) => {
  const dir = tempDir(t, 'transform');
  const lake = join(dir, 'lake');

  // Wave 1: 6,000 users.
  wave(lake, 31, 6000);
  let s = transform(lake);
  assert.equal(s.records_in, 6000);
  assert.equal(s.records_in, s.clean + s.rejected);

  // Wave 2: 4,000 new users and the first 1,500 of wave 1 again.
  wave(lake, 32, 4000);
  wave(lake, 31, 1500);
  s = transform(lake);
  assert.equal(s.records_in, 5500);
  assert.equal(s.duplicates, 1500);

  // Wave 3: a hand-written raw file with 5 good rows and 9 bad ones.
  const bad = join(lake, 'users', 'raw', 'jsonl', 'event_date=2026-06-01', 'hour=10');
  mkdirSync(bad, { recursive: true });
  const lines = [
    ...[1, 2, 3, 4, 5].map((n) => u(uuid(n))),
    u(uuid(10), { email: 'no-at-sign.example.org' }),
    u(uuid(11), { email: 'two@@example.org' }),
    u(uuid(12), { email: 'x@localhost' }),
    u(uuid(13), { gender: 'unknown' }),
    u('not-a-uuid'),
    u(uuid(14), { dob: Date.UTC(2020, 0, 1) }),          // born after registering
    u(uuid(15), { registered_date: Date.UTC(1995, 0, 1) }),
    '{"id": "truncated',
    '[1, 2, 3]',
  ];
  writeFileSync(join(bad, 'handwritten.jsonl'), `${lines.join('\n')}\n`);
  s = transform(lake);
  assert.equal(s.new_files, 1);
  assert.equal(s.records_in, 14);
  assert.equal(s.clean, 5);
  assert.equal(s.rejected, 9);

  // Nothing new: nothing changes.
  const before = snapshot(lake);
  s = transform(lake);
  assert.equal(s.new_files, 0);
  assert.deepEqual(snapshot(lake), before);

  // DuckDB's clean table equals lakepipe's, both ways.
  const [{ n: expected }] = await duck(`SELECT count(*) AS n FROM (${usersClean(lake, AS_OF)})`);
  const [{ n: got, ids }] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM (${LAKEPIPE_CLEAN(lake)})`);
  t.diagnostic(`clean rows: lakepipe ${got}, DuckDB ${expected}`);
  assert.equal(Number(got), Number(expected));
  assert.equal(Number(ids), Number(got), 'one row per id');
  assert.equal(Number(got), 6000 + 4000 + 5);
  for (const [a, b] of [[usersClean(lake, AS_OF), LAKEPIPE_CLEAN(lake)], [LAKEPIPE_CLEAN(lake), usersClean(lake, AS_OF)]]) {
    const diff = await duck(`SELECT * FROM ((${a}) EXCEPT (${b})) LIMIT 3`);
    assert.deepEqual(diff, [], `rows in one table and not the other: ${JSON.stringify(diff, (k, v) => (typeof v === 'bigint' ? Number(v) : v))}`);
  }
  const groups = await duck(`SELECT age_group, min(age) AS lo, max(age) AS hi FROM (SELECT * FROM read_parquet('${lake}/users/clean/parquet/**/*.parquet')) GROUP BY 1`);
  for (const g of groups) {
    const [lo, hi] = g.age_group === 'under 18' ? [0, 17] : g.age_group === '65+' ? [65, 200] : g.age_group.split('-').map(Number);
    assert.ok(Number(g.lo) >= lo && Number(g.hi) <= hi, `age_group ${g.age_group}: ages ${g.lo}..${g.hi}`);
  }

  // Rejected records: rule, source file and the record itself.
  const rejected = await duck(`SELECT rule, count(*) AS n, min(source_file) AS f, count(record) AS with_record
    FROM read_parquet('${lake}/users/rejected/parquet/*.parquet') GROUP BY rule ORDER BY rule`);
  const byRule = Object.fromEntries(rejected.map((r) => [r.rule, Number(r.n)]));
  // 'not-a-uuid' does not even read as the schema's uuid: a 'record' rejection.
  assert.deepEqual(byRule, { dob: 1, email: 3, gender: 1, record: 3, registered_date: 1 });
  for (const r of rejected) assert.equal(r.f, 'users/raw/jsonl/event_date=2026-06-01/hour=10/handwritten.jsonl');

  // The aggregates, against DuckDB over the same raw files.
  const jobs = transform(lake, '--job', 'all');
  assert.deepEqual(jobs.map((j) => j.job), ['clean', 'analytics', 'demographics', 'timeseries']);
  assert.equal(jobs[0].new_files, 0);
  for (const j of jobs.slice(1)) assert.equal(j.records_in, 10005);
  await checkMetrics(t, lake, 'users');
  const [{ n: anomalies }] = await duck(`SELECT count(*) FILTER (WHERE anomaly) AS n FROM read_parquet('${lake}/users/timeseries/parquet/registrations_daily/**/*.parquet', hive_partitioning = true)`);
  t.diagnostic(`${anomalies} anomalous registration days`);
  const again = transform(lake, '--job', 'all');
  for (const j of again) assert.equal(j.new_files, 0, `${j.job} ran again with nothing new`);

  // Three incremental runs equal one full refresh.
  const copy = join(dir, 'full');
  cpSync(lake, copy, { recursive: true });
  s = transform(copy, '--full-refresh');
  assert.equal(s.records_in, 6000 + 5500 + 14);
  for (const [a, b] of [[LAKEPIPE_CLEAN(lake), LAKEPIPE_CLEAN(copy)], [LAKEPIPE_CLEAN(copy), LAKEPIPE_CLEAN(lake)]]) {
    const diff = await duck(`SELECT * FROM ((${a}) EXCEPT (${b})) LIMIT 3`);
    assert.deepEqual(diff, []);
  }
});

// Puts `table` of `lake` back to its raw files as in `pristine`: its
// zones, bookmarks and job state go; other tables stay as they are.
function resetTable(lake, pristine, table) {
  for (const d of [join(lake, table), join(lake, '_lakepipe', 'bookmarks', table), join(lake, '_lakepipe', 'state', table)]) {
    rmSync(d, { recursive: true, force: true });
  }
  cpSync(join(pristine, table), join(lake, table), { recursive: true });
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

// Every metric of `table` in `lake` against DuckDB's, computed from the
// clean table DuckDB derives from the raw files.
async function checkMetrics(t, lake, table) {
  const clean = table === 'users' ? `(${usersClean(lake, AS_OF)})` : `(${activityClean(lake, AS_OF)})`;
  const metrics = table === 'users' ? usersMetrics(clean) : activityMetrics(clean);
  for (const m of metrics) {
    await assertSameTable(`${table} ${m.metric}`, m.sql, `SELECT * FROM read_parquet('${lake}/${table}/${m.job}/parquet/${m.metric}/**/*.parquet', hive_partitioning = true)`,
      m.keys, m.exact, m.approx);
  }
  t.diagnostic(`${metrics.length} ${table} metrics agree with DuckDB`);
}

const LAKEPIPE_ACTIVITY = (lake) => `
SELECT event_id, user_id, session_id, event_type, epoch_ms(event_time) AS event_ms, product_id, price, quantity, revenue, device,
  country, event_date, hour, session_ordinal
FROM read_parquet('${lake}/user_activity/clean/parquet/**/*.parquet', hive_partitioning = true)`;

test('clean user_activity: equal to DuckDB (session ordinals across hours and waves), aggregates too, waves equal a full refresh', async (t) => {
  const dir = tempDir(t, 'activity');
  const lake = join(dir, 'lake');
  // About 31,000 events per hour of generator time: the first wave crosses
  // into a second hour, so some sessions span two hour partitions.
  wave(lake, 41, 45000, 'user_activity');
  let s = transform(lake, '--table', 'user_activity', '--job', 'clean');
  assert.equal(s.records_in, 45000);
  wave(lake, 42, 30000, 'user_activity');
  wave(lake, 41, 3000, 'user_activity');  // re-sent: duplicates
  s = transform(lake, '--table', 'user_activity', '--job', 'clean');
  assert.equal(s.records_in, 33000);
  assert.equal(s.duplicates, 3000);

  // A late event at the start of an existing session shifts the ordinals of
  // its later events, in later hours too; plus bad rows.
  const [first] = await duck(`SELECT session_id, user_id, epoch_ms(min(event_time)) AS t0, event_date
    FROM read_parquet('${lake}/user_activity/clean/parquet/**/*.parquet', hive_partitioning = true)
    GROUP BY session_id, user_id, event_date HAVING count(DISTINCT hour) > 1 ORDER BY session_id LIMIT 1`);
  assert.ok(first, 'a session spanning two hours');
  const ev = (n, over = {}) => JSON.stringify({ event_id: uuid(900 + n), user_id: first.user_id, session_id: first.session_id,
    event_type: 'page_view', event_time: Number(first.t0) - 60000, page_url: 'https://shop.example/', product_id: null, price: null,
    quantity: null, device: 'mobile', country: 'NO', ...over });
  const rawDir = join(lake, 'user_activity', 'raw', 'jsonl', 'event_date=2026-06-01', 'hour=10');
  mkdirSync(rawDir, { recursive: true });
  writeFileSync(join(rawDir, 'late.jsonl'), `${[ev(1), ev(2, { device: 'toaster' }), ev(3, { country: 'Norway' }),
    ev(4, { event_type: 'purchase' }), ev(5, { event_type: 'purchase', product_id: 'P100001', price: -1, quantity: 1 }),
    ev(6, { event_type: 'purchase', product_id: 'P100001', price: 10.5, quantity: 3 })].join('\n')}\n`);
  s = transform(lake, '--table', 'user_activity', '--job', 'clean');
  assert.equal(s.records_in, 6);
  assert.equal(s.clean, 2);
  assert.ok(s.partitions_written >= 2, `later hours of the day are rewritten too: ${s.partitions_written}`);
  const rejected = await duck(`SELECT rule, count(*) AS n FROM read_parquet('${lake}/user_activity/rejected/parquet/*.parquet') GROUP BY 1 ORDER BY 1`);
  assert.deepEqual(Object.fromEntries(rejected.map((r) => [r.rule, Number(r.n)])), { country: 1, device: 1, price: 1, product_id: 1 });

  const [{ n: expected }] = await duck(`SELECT count(*) AS n FROM (${activityClean(lake, AS_OF)})`);
  t.diagnostic(`clean events: DuckDB ${expected}`);
  assert.equal(Number(expected), 75002);
  await assertSameTable('clean user_activity', activityClean(lake, AS_OF), LAKEPIPE_ACTIVITY(lake), ['event_id'],
    ['user_id', 'session_id', 'event_type', 'event_ms', 'product_id', 'quantity', 'device', 'country', 'event_date', 'hour', 'session_ordinal'],
    ['price', 'revenue']);

  const jobs = transform(lake, '--table', 'user_activity', '--job', 'all');
  assert.equal(jobs[0].new_files, 0);
  for (const j of jobs.slice(1)) assert.equal(j.records_in, 75002, j.job);
  await checkMetrics(t, lake, 'user_activity');

  // Events of a new day, two days after the data: the aggregate jobs read
  // only that day's clean rows; the daily metrics write only its partitions;
  // the series rewrite from the day before the gap on (zero counts for the
  // gap day). Every other partition stays as it was.
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  const t3 = Number(first.t0) + 2 * 86400000;
  const [d1, d2, d3] = [day(t3 - 2 * 86400000), day(t3 - 86400000), day(t3)];
  const newDay = [];
  for (let i = 0; i < 10; i++) {
    const base = { user_id: first.user_id, session_id: `late-session-${i}`, page_url: 'https://shop.example/', device: 'desktop', country: 'SE' };
    const sale = { product_id: 'P100002', price: 4.25, quantity: 1 + (i % 3) };
    newDay.push({ ...base, event_type: 'page_view', product_id: null, price: null, quantity: null });
    newDay.push({ ...base, event_type: 'page_view', product_id: null, price: null, quantity: null });
    newDay.push({ ...base, event_type: 'add_to_cart', ...sale });
    newDay.push({ ...base, event_type: i % 2 ? 'remove_from_cart' : 'purchase', ...sale });
    newDay.push({ ...base, event_type: 'page_view', product_id: null, price: null, quantity: null });
  }
  const newDir = join(lake, 'user_activity', 'raw', 'jsonl', `event_date=${d3}`, 'hour=00');
  mkdirSync(newDir, { recursive: true });
  writeFileSync(join(newDir, 'new-day.jsonl'),
    `${newDay.map((e, i) => JSON.stringify({ event_id: uuid(5000 + i), event_time: t3 + i * 1000, ...e })).join('\n')}\n`);
  const beforeDay = snapshot(join(lake, 'user_activity'));
  const [cleanDay, ...aggDay] = transform(lake, '--table', 'user_activity', '--job', 'all');
  assert.equal(cleanDay.clean, 50);
  for (const j of aggDay) assert.equal(j.records_in, 50, `${j.job} read only the new day's rows`);
  const afterDay = snapshot(join(lake, 'user_activity'));
  const kept = (metricDir) => beforeDay.filter((f) => f.includes(metricDir) && afterDay.includes(f));
  for (const metric of ['events_by_type_daily', 'events_by_type_hourly', 'users_sessions_daily', 'funnel_daily', 'revenue_daily']) {
    const files = (list, d) => list.filter((f) => f.includes(`/analytics/parquet/${metric}/event_date=${d}/`));
    assert.ok(files(beforeDay, d1).length > 0, `${metric} has a partition for ${d1}`);
    assert.deepEqual(files(afterDay, d1), files(beforeDay, d1), `${metric} ${d1} left as it was`);
    assert.equal(files(afterDay, d3).length, 1, `${metric} ${d3} written`);
  }
  for (const metric of ['events_daily', 'events_hourly']) {
    const files = (d) => afterDay.filter((f) => f.includes(`/timeseries/parquet/${metric}/event_date=${d}/`));
    assert.equal(files(d2).length, 1, `${metric}: the gap day ${d2} has its zero counts`);
    assert.equal(files(d3).length, 1, `${metric}: ${d3} written`);
  }
  const [{ n: gap }] = await duck(`SELECT sum(events) AS n FROM read_parquet('${lake}/user_activity/timeseries/parquet/events_daily/**/*.parquet', hive_partitioning = true) WHERE event_date = DATE '${d2}'`);
  assert.equal(Number(gap), 0);
  t.diagnostic(`a new day kept ${kept('/parquet/').length} of the earlier output and table files as they were`);
  await checkMetrics(t, lake, 'user_activity');
  // The newest hour and day hold a few events so far: partial, one row per
  // event type, never an anomaly; every earlier step is complete.
  for (const [metric, k] of [['events_daily', 'event_date'], ['events_hourly', 'hour_start']]) {
    const [r] = await duck(`SELECT count(*) FILTER (WHERE partial) AS partial, count(*) FILTER (WHERE partial AND anomaly) AS flagged,
        count(*) FILTER (WHERE partial IS DISTINCT FROM (${k} = newest)) AS misplaced, count(*) FILTER (WHERE partial AND events > 0) AS with_events,
        any_value(CAST(event_date AS VARCHAR)) FILTER (WHERE partial) AS day
      FROM (SELECT *, max(${k}) OVER () AS newest FROM read_parquet('${lake}/user_activity/timeseries/parquet/${metric}/**/*.parquet', hive_partitioning = true))`);
    assert.deepEqual([Number(r.partial), Number(r.flagged), Number(r.misplaced), r.day], [4, 0, 0, d3], `${metric}: ${JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? Number(v) : v))}`);
    assert.ok(Number(r.with_events) > 0, `${metric}: the partial step has the new day's events`);
  }
  // The same metrics as a full refresh of every job.
  const refreshed = join(dir, 'refreshed');
  cpSync(lake, refreshed, { recursive: true });
  transform(refreshed, '--table', 'user_activity', '--job', 'all', '--full-refresh');
  for (const m of activityMetrics('x')) {
    const at = (root) => `SELECT * FROM read_parquet('${root}/user_activity/${m.job}/parquet/${m.metric}/**/*.parquet', hive_partitioning = true)`;
    await assertSameTable(`${m.metric}: incremental vs full refresh`, at(refreshed), at(lake), m.keys, m.exact, m.approx);
  }
  const nothing = snapshot(join(lake, 'user_activity'));
  for (const j of transform(lake, '--table', 'user_activity', '--job', 'all')) assert.equal(j.new_files, 0, j.job);
  assert.deepEqual(snapshot(join(lake, 'user_activity')), nothing, 'a rerun with nothing new changes nothing');

  const copy = join(dir, 'full');
  cpSync(lake, copy, { recursive: true });
  transform(copy, '--table', 'user_activity', '--job', 'clean', '--full-refresh');
  await assertSameTable('waves vs full refresh', LAKEPIPE_ACTIVITY(lake), LAKEPIPE_ACTIVITY(copy), ['event_id'],
    ['session_ordinal', 'event_date', 'hour', 'event_ms'], ['revenue']);
});

test('kills at random points: a rerun ends with the tables of an uninterrupted run', async (t) => {
  const dir = tempDir(t, 'kills');
  const lake = join(dir, 'lake');
  wave(lake, 51, 100000, 'users');
  wave(lake, 52, 100000, 'user_activity');
  const reference = join(dir, 'reference');
  cpSync(lake, reference, { recursive: true });
  const pristine = join(dir, 'pristine');  // raw files only
  cpSync(lake, pristine, { recursive: true });
  const took = {};
  for (const table of ['users', 'user_activity']) {
    const start = Date.now();
    transform(reference, '--table', table, '--job', 'all', '--max-buffer-bytes', '1MiB');
    took[table] = Date.now() - start;
  }

  // Kill transform --job all at random moments (small buffers: many spill
  // files, so kills land while spilling, merging, deleting and writing the
  // bookmark), then let one run finish. A run that finishes before its kill
  // puts its table back to the raw files, so that the next runs have work
  // to be killed in; the first run of each table is always let finish, so
  // that this reset is exercised every time: it must leave the other table,
  // finished earlier, as it was.
  const kills = [];
  const finished = {};
  for (const table of ['users', 'user_activity']) {
    for (let i = 0; i < 8; i++) {
      // Well within the time an uninterrupted run takes: most runs are killed.
      const delay = i === 0 ? null : 20 + Math.floor(Math.random() * took[table] * 0.6);
      const child = spawn(LAKEPIPE, ['transform', '--lake', lake, '--table', table, '--job', 'all', '--as-of', AS_OF,
        '--max-buffer-bytes', '1MiB'], { stdio: 'ignore' });
      const timer = delay === null ? null : setTimeout(() => child.kill('SIGKILL'), delay);
      const [code, signal] = await new Promise((resolve) => child.once('exit', (c, sig) => resolve([c, sig])));
      clearTimeout(timer);
      kills.push(`${table} ${delay === null ? 'not killed' : `${delay}ms`} ${signal ?? `exit ${code}`}`);
      if (signal === null) {
        assert.equal(code, 0, `${table}: a run that was not killed failed`);
        resetTable(lake, pristine, table);
      }
    }
    transform(lake, '--table', table, '--job', 'all', '--max-buffer-bytes', '1MiB');
    finished[table] = snapshot(join(lake, table));
  }
  assert.deepEqual(snapshot(join(lake, 'users')), finished.users, 'the user_activity runs left users alone');
  t.diagnostic(`uninterrupted: ${JSON.stringify(took)} ms; runs: ${kills.join(', ')}`);
  assert.ok(kills.filter((k) => k.endsWith('SIGKILL')).length >= 10, 'most runs were killed');

  for (const [table, view] of [['users', LAKEPIPE_CLEAN], ['user_activity', LAKEPIPE_ACTIVITY]]) {
    const key = table === 'users' ? 'id' : 'event_id';
    const cols = table === 'users' ? ['email', 'age', 'tenure_days', 'registration_year'] : ['session_ordinal', 'event_date', 'hour', 'event_ms'];
    await assertSameTable(`${table} clean after kills`, view(reference), view(lake), [key], cols, []);
    const metrics = table === 'users' ? usersMetrics('x') : activityMetrics('x');
    for (const m of metrics) {
      const at = (root) => `SELECT * FROM read_parquet('${root}/${table}/${m.job}/parquet/${m.metric}/**/*.parquet', hive_partitioning = true)`;
      await assertSameTable(`${table} ${m.metric} after kills`, at(reference), at(lake), m.keys, m.exact, m.approx);
    }
  }
  const leftovers = snapshot(lake).filter((f) => f.includes('/_spill/') || f.includes('.tmp-'));
  assert.deepEqual(leftovers, [], 'spill and temporary files are gone');
});

// True while another process holds the flock of `file`.
const locked = (file) => spawnSync('flock', ['--nonblock', file, 'true']).status !== 0;

test('one transform per table at a time; what killed runs left goes with the next run', async (t) => {
  const dir = tempDir(t, 'lock');
  const lake = join(dir, 'lake');
  const raw = join(lake, 'users', 'raw', 'jsonl', 'event_date=2026-06-01', 'hour=10');
  mkdirSync(raw, { recursive: true });
  writeFileSync(join(raw, 'users.jsonl'), `${[1, 2, 3].map((n) => u(uuid(n))).join('\n')}\n`);
  transform(lake, '--job', 'all');
  const lockFile = join(lake, '_lakepipe', 'locks', 'users.transform');
  assert.ok(existsSync(lockFile), 'the lock file is kept');

  // Another process holds the table's lock (flock(1) takes the same lock;
  // --no-fork: the process killed below is the one holding it).
  const holder = spawn('flock', ['--no-fork', lockFile, 'sleep', '600'], { stdio: 'ignore' });
  t.after(() => holder.kill('SIGKILL'));
  for (const start = Date.now(); !locked(lockFile); await sleep(20)) {
    assert.ok(Date.now() - start < 10000, 'flock took the lock');
  }
  let r = lakepipeWith({}, 'transform', '--lake', lake, '--table', 'users', '--job', 'analytics');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /job analytics: users is being transformed by another run \(.*; lock file .*\/_lakepipe\/locks\/users\.transform\), waited 0 ms for it: .*--wait-for-lock DURATION/);
  r = lakepipeWith({}, 'transform', '--lake', lake, '--table', 'users', '--job', 'clean', '--wait-for-lock', '300ms');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /waited 300 ms/);
  // Another table is not held up.
  const activityRaw = join(lake, 'user_activity', 'raw', 'jsonl', 'event_date=2026-06-01', 'hour=10');
  mkdirSync(activityRaw, { recursive: true });
  writeFileSync(join(activityRaw, 'events.jsonl'), '{}\n');
  r = lakepipeWith({}, 'transform', '--lake', lake, '--table', 'user_activity', '--job', 'clean', '--as-of', AS_OF);
  assert.equal(r.status, 0, r.stderr);
  // A holder that is killed leaves no stale lock.
  holder.kill('SIGKILL');
  await new Promise((resolve) => (holder.exitCode !== null || holder.signalCode !== null ? resolve() : holder.once('exit', resolve)));
  assert.equal(locked(lockFile), false);

  // Files killed runs were writing: the next run deletes them, even with
  // nothing new to do.
  const leftovers = [
    join(lake, '_lakepipe', 'bookmarks', 'users', '.demographics.json.tmp-00000000000000aa'),
    join(lake, '_lakepipe', 'state', 'users', 'analytics', '.registration_year=2016.parquet.tmp-00000000000000ab'),
    join(lake, 'users', 'clean', 'parquet', 'registration_year=2016', '_spill', 'part-0000000000000000-0000.parquet'),
    join(lake, 'users', 'timeseries', 'parquet', 'registrations_daily', '.part-x.parquet.tmp-00000000000000ac'),
  ];
  for (const f of leftovers) {
    mkdirSync(join(f, '..'), { recursive: true });
    writeFileSync(f, 'half written');
  }
  const jobs = transform(lake, '--job', 'all');
  for (const j of jobs) assert.equal(j.new_files, 0, `${j.job}: nothing new`);
  assert.deepEqual(leftovers.filter((f) => existsSync(f)), [], 'leftovers of killed runs are gone');
  const [{ n }] = await duck(`SELECT count(*) AS n FROM (${LAKEPIPE_CLEAN(lake)})`);
  assert.equal(Number(n), 3);
});

test('transform and sql take the lake and table from the config file; flags win', async (t) => {
  const dir = tempDir(t, 'lake-from-config');
  const lakes = [join(dir, 'lake-a'), join(dir, 'lake-b')];
  for (const lake of lakes) {
    const raw = join(lake, 'users', 'raw', 'jsonl', 'event_date=2026-06-01', 'hour=10');
    mkdirSync(raw, { recursive: true });
    writeFileSync(join(raw, 'users.jsonl'), `${[1, 2, 3].map((n) => u(uuid(n))).join('\n')}\n`);
  }
  // The table is archive.topics' only topic when archive.table is empty, as archive names it.
  const config = join(dir, 'lakepipe.yaml');
  writeFileSync(config, `archive:\n  topics: [users]\n  lake: ${lakes[0]}\n`);
  const stats = join(dir, 'stats.json');
  ok('transform', '--config', config, '--job', 'clean', '--as-of', AS_OF, '--stats-json', stats);
  assert.equal(JSON.parse(readFileSync(stats, 'utf8')).jobs[0].table, 'users');
  assert.ok(existsSync(join(lakes[0], 'users', 'clean', 'parquet')));
  assert.ok(!existsSync(join(lakes[1], 'users', 'clean')));
  let r = ok('sql', '--config', config, '--dialect', 'duckdb');
  assert.ok(r.stdout.includes(`${lakes[0]}/users/clean/parquet`), r.stdout);
  // archive.table names the table; --lake and --table win over the file.
  writeFileSync(config, `archive:\n  topics: [a, b]\n  lake: ${lakes[0]}\n  table: user_activity\n`);
  r = ok('transform', '--config', config, '--print-config');
  assert.match(r.stdout, /table: user_activity {2}#/);
  ok('transform', '--config', config, '--lake', lakes[1], '--table', 'users', '--job', 'clean', '--as-of', AS_OF);
  assert.ok(existsSync(join(lakes[1], 'users', 'clean', 'parquet')));
  r = ok('sql', '--config', config, '--lake', lakes[1], '--dialect', 'duckdb');
  assert.ok(r.stdout.includes(`${lakes[1]}/users/clean/parquet`) && !r.stdout.includes(lakes[0]), r.stdout);
  // Neither a flag nor the file: the error names both.
  for (const cmd of [['transform'], ['sql', '--dialect', 'duckdb']]) {
    r = lakepipeWith({ cwd: dir }, ...cmd);
    assert.equal(r.status, 1, `${cmd[0]}: ${r.stderr}`);
    assert.match(r.stderr, /no lake: give --lake .*archive\.lake/, cmd[0]);
  }
});

test('transform of a table without raw files fails, names the raw path and writes nothing', async (t) => {
  const lake = join(tempDir(t, 'empty'), 'lake');
  mkdirSync(lake);
  // Files of another table: the lake is not empty, the table is.
  const other = join(lake, 'user_activity', 'raw', 'jsonl', 'event_date=2026-06-01', 'hour=10');
  mkdirSync(other, { recursive: true });
  writeFileSync(join(other, 'events.jsonl'), '{}\n');
  const before = snapshot(lake);
  for (const job of ['all', 'clean', 'analytics', 'timeseries']) {
    const r = lakepipeWith({}, 'transform', '--lake', lake, '--table', 'users', '--job', job);
    assert.equal(r.status, 1, `--job ${job}: ${r.stdout}${r.stderr}`);
    assert.match(r.stderr, new RegExp(`no raw files under ${lake}/users/raw: archive a topic into table 'users' first: lakepipe archive --topic TOPIC --table users --lake ${lake}`));
    assert.doesNotMatch(r.stdout, /nothing changed/);
    assert.deepEqual(snapshot(lake), before, `--job ${job} wrote nothing`);
    assert.deepEqual(readdirSync(lake).sort(), ['user_activity'], `--job ${job} created no directory`);
  }
});

test('transform --table for a table without jobs names the tables that have them', async (t) => {
  const lake = join(tempDir(t, 'nojobs'), 'lake');
  mkdirSync(lake);
  for (const job of ['clean', 'analytics', 'all']) {
    const r = lakepipeWith({}, 'transform', '--lake', lake, '--table', 'orders', '--job', job);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /--table: table 'orders' has no jobs: the tables with jobs are users and user_activity; archive a topic under one of these names with lakepipe archive --topic TOPIC --table users/);
  }
  assert.deepEqual(readdirSync(lake), [], 'nothing written');
});

test('transform: bad arguments are named', () => {
  let r = lakepipeWith({}, 'transform', '--lake', '/tmp/x', '--job', 'everything');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--job 'everything' is not a job \(clean, analytics, demographics, timeseries, all\)/);
  r = lakepipeWith({}, 'transform', '--lake', '/tmp/x', '--table', 'orders');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /table 'orders'/);
  r = lakepipeWith({}, 'transform', '--lake', '/tmp/x', '--since', '21/11/2026');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--since '21\/11\/2026' is not a date/);
});

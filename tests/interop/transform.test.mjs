// transform --job clean, checked against DuckDB: users produced in waves
// onto the dev broker and archived into a local lake, plus a raw JSON Lines
// file seeded with bad rows. DuckDB computes the clean table from the raw
// files on its own (same rules, in SQL) and the tables must be equal; the
// rejected records must have the expected rules; three incremental runs
// must equal one full refresh; a rerun with nothing new changes nothing.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LAKEPIPE, ROOT, duck, lakepipeWith, tempDir } from './lib.mjs';

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

// The clean table computed by DuckDB from the raw files.
const ORACLE = (lake) => `
WITH raw AS (
  SELECT id, first_name, last_name, gender, email, phone, nat, city, state, country, epoch_ms(dob) AS dob_ms, epoch_ms(registered_date) AS reg_ms
  FROM read_parquet('${lake}/users/raw/parquet/**/*.parquet', hive_partitioning = false)
  UNION ALL
  SELECT id, first_name, last_name, gender, email, phone, nat, city, state, country, dob, registered_date
  FROM read_json('${lake}/users/raw/jsonl/**/*.jsonl', format = 'newline_delimited', ignore_errors = true,
    columns = {id: 'VARCHAR', first_name: 'VARCHAR', last_name: 'VARCHAR', gender: 'VARCHAR', email: 'VARCHAR',
               phone: 'VARCHAR', nat: 'VARCHAR', city: 'VARCHAR', state: 'VARCHAR', country: 'VARCHAR', dob: 'BIGINT', registered_date: 'BIGINT'})
  WHERE dob IS NOT NULL AND registered_date IS NOT NULL
), t AS (
  SELECT trim(id) AS id, trim(first_name) AS first_name, trim(last_name) AS last_name,
    lower(trim(gender)) AS gender, lower(trim(email)) AS email, regexp_replace(phone, '[^0-9]', '', 'g') AS phone,
    upper(nullif(trim(nat), '')) AS nat, nullif(trim(city), '') AS city, nullif(trim(state), '') AS state,
    nullif(trim(country), '') AS country,
    CAST(make_timestamp(dob_ms * 1000) AS DATE) AS dob_date, CAST(make_timestamp(reg_ms * 1000) AS DATE) AS reg_date
  FROM raw
), valid AS (
  SELECT * FROM t
  WHERE regexp_full_match(id, '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
    AND first_name <> '' AND last_name <> ''
    AND regexp_full_match(email, '[^@\\s,;<>]+@[^@\\s,;<>.][^@\\s,;<>]*\\.[^@\\s,;<>.]+') AND NOT contains(split_part(email, '@', 2), '..')
    AND gender IN ('female', 'male')
    AND dob_date BETWEEN DATE '1900-01-01' AND DATE '${AS_OF}'
    AND reg_date BETWEEN DATE '2000-01-01' AND DATE '${AS_OF}'
    AND dob_date <= reg_date
)
SELECT DISTINCT lower(id) AS id, first_name, last_name, gender, email, split_part(email, '@', 2) AS email_domain, phone, nat, city,
  state, country,
  dob_date, reg_date AS registration_date,
  year(DATE '${AS_OF}') - year(dob_date) - CASE WHEN month(DATE '${AS_OF}') * 100 + day(DATE '${AS_OF}') < month(dob_date) * 100 + day(dob_date) THEN 1 ELSE 0 END AS age,
  DATE '${AS_OF}' - reg_date AS tenure_days, year(reg_date) AS registration_year
FROM valid`;

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
  const [{ n: expected }] = await duck(`SELECT count(*) AS n FROM (${ORACLE(lake)})`);
  const [{ n: got, ids }] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM (${LAKEPIPE_CLEAN(lake)})`);
  t.diagnostic(`clean rows: lakepipe ${got}, DuckDB ${expected}`);
  assert.equal(Number(got), Number(expected));
  assert.equal(Number(ids), Number(got), 'one row per id');
  assert.equal(Number(got), 6000 + 4000 + 5);
  for (const [a, b] of [[ORACLE(lake), LAKEPIPE_CLEAN(lake)], [LAKEPIPE_CLEAN(lake), ORACLE(lake)]]) {
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
  await checkAggregates(t, lake);
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

async function checkAggregates(t, lake) {
  const clean = `(${ORACLE(lake)})`;
  const table = (job, metric) => `SELECT * FROM read_parquet('${lake}/users/${job}/parquet/${metric}/*.parquet')`;
  const share = (group) => `SELECT ${group}, count(*) AS users, count(*) / sum(count(*)) OVER () AS share FROM ${clean} GROUP BY ${group}`;
  await assertSameTable('gender_distribution', share('gender'), table('analytics', 'gender_distribution'), ['gender'], ['users'], ['share']);
  await assertSameTable('email_domains', `SELECT row_number() OVER (ORDER BY users DESC, email_domain) AS rank, * FROM (${share('email_domain')}) ORDER BY users DESC, email_domain LIMIT 100`,
    table('analytics', 'email_domains'), ['rank'], ['email_domain', 'users'], ['share']);
  const ageGroup = `CASE WHEN age < 18 THEN 'under 18' WHEN age < 25 THEN '18-24' WHEN age < 35 THEN '25-34' WHEN age < 45 THEN '35-44'
    WHEN age < 55 THEN '45-54' WHEN age < 65 THEN '55-64' ELSE '65+' END`;
  await assertSameTable('age_groups', `SELECT ${ageGroup} AS age_group, count(*) AS users, count(*) / sum(count(*)) OVER () AS share FROM ${clean} GROUP BY 1`,
    table('analytics', 'age_groups'), ['age_group'], ['users'], ['share']);
  await assertSameTable('users_by_country', share('country'), table('demographics', 'users_by_country'), ['country'], ['users'], ['share']);
  await assertSameTable('users_by_country_state',
    `SELECT country, state, count(*) AS users, count(*) / sum(count(*)) OVER (PARTITION BY country) AS share_of_country,
       count(*) / sum(count(*)) OVER () AS share FROM ${clean} GROUP BY country, state`,
    table('demographics', 'users_by_country_state'), ['country', 'state'], ['users'], ['share_of_country', 'share']);
  await assertSameTable('registrations_daily', `
    WITH c AS (SELECT registration_date AS d, count(*) AS n FROM ${clean} GROUP BY 1),
    s AS (SELECT CAST(g AS DATE) AS d FROM generate_series((SELECT min(d) FROM c), (SELECT max(d) FROM c), INTERVAL 1 DAY) t(g)),
    x AS (SELECT s.d, coalesce(c.n, 0) AS n FROM s LEFT JOIN c USING (d)),
    w AS (SELECT d, n, avg(n) OVER (ORDER BY d ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS moving_avg,
            avg(n) OVER p AS m, stddev_pop(n) OVER p AS sd, count(*) OVER p AS k
          FROM x WINDOW p AS (ORDER BY d ROWS BETWEEN 28 PRECEDING AND 1 PRECEDING))
    SELECT d AS date, n AS registrations, moving_avg,
      CASE WHEN k = 28 AND sd > 0 THEN (n - m) / sd END AS zscore,
      coalesce(k = 28 AND sd > 0 AND abs((n - m) / sd) >= 3, false) AS anomaly
    FROM w`, table('timeseries', 'registrations_daily'), ['date'], ['registrations', 'anomaly'], ['moving_avg', 'zscore']);
  const [{ n: anomalies }] = await duck(`SELECT count(*) FILTER (WHERE anomaly) AS n FROM (${table('timeseries', 'registrations_daily')})`);
  t.diagnostic(`aggregates agree with DuckDB; ${anomalies} anomalous registration days`);
}

// The clean activity table computed by DuckDB from the raw files.
const ACTIVITY_ORACLE = (lake) => `
WITH raw AS (
  SELECT event_id, user_id, session_id, CAST(event_type AS VARCHAR) AS event_type, epoch_ms(event_time) AS t, page_url,
    product_id, price, quantity, device, country
  FROM read_parquet('${lake}/user_activity/raw/parquet/**/*.parquet', hive_partitioning = false)
  UNION ALL
  SELECT event_id, user_id, session_id, event_type, event_time, page_url, product_id, price, quantity, device, country
  FROM read_json('${lake}/user_activity/raw/jsonl/**/*.jsonl', format = 'newline_delimited', ignore_errors = true,
    columns = {event_id: 'VARCHAR', user_id: 'VARCHAR', session_id: 'VARCHAR', event_type: 'VARCHAR', event_time: 'BIGINT',
               page_url: 'VARCHAR', product_id: 'VARCHAR', price: 'DOUBLE', quantity: 'INTEGER', device: 'VARCHAR', country: 'VARCHAR'})
  WHERE event_time IS NOT NULL AND event_type IN ('page_view', 'add_to_cart', 'remove_from_cart', 'purchase')
    AND regexp_full_match(event_id, '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}')
), t AS (
  SELECT lower(trim(event_id)) AS event_id, trim(user_id) AS user_id, trim(session_id) AS session_id, event_type, t,
    make_timestamp(t * 1000) AS ts, trim(page_url) AS page_url, nullif(trim(product_id), '') AS product_id, price, quantity,
    lower(trim(device)) AS device, upper(trim(country)) AS country
  FROM raw
), valid AS (
  SELECT DISTINCT * FROM t
  WHERE user_id <> '' AND session_id <> '' AND CAST(ts AS DATE) BETWEEN DATE '2000-01-01' AND DATE '${AS_OF}'
    AND device IN ('mobile', 'desktop', 'tablet') AND regexp_full_match(country, '[A-Z]{2}')
    AND (price IS NULL OR price >= 0) AND (quantity IS NULL OR quantity >= 1)
    AND (event_type = 'page_view' OR (product_id IS NOT NULL AND price IS NOT NULL AND quantity IS NOT NULL))
)
SELECT event_id, user_id, session_id, event_type, t AS event_ms, product_id, price, quantity,
  CASE WHEN event_type = 'purchase' THEN price * quantity END AS revenue, device, country,
  CAST(ts AS DATE) AS event_date, hour(ts) AS hour,
  row_number() OVER (PARTITION BY session_id, CAST(ts AS DATE) ORDER BY t, event_id) AS session_ordinal
FROM valid`;

const LAKEPIPE_ACTIVITY = (lake) => `
SELECT event_id, user_id, session_id, event_type, epoch_ms(event_time) AS event_ms, product_id, price, quantity, revenue, device,
  country, event_date, hour, session_ordinal
FROM read_parquet('${lake}/user_activity/clean/parquet/**/*.parquet', hive_partitioning = true)`;

async function checkActivityAggregates(t, lake) {
  const c = `(${ACTIVITY_ORACLE(lake)})`;
  const table = (job, metric) => `SELECT * FROM read_parquet('${lake}/user_activity/${job}/parquet/${metric}/*.parquet')`;
  await assertSameTable('events_by_type_daily', `SELECT event_date, event_type, count(*) AS events FROM ${c} GROUP BY ALL`,
    table('analytics', 'events_by_type_daily'), ['event_date', 'event_type'], ['events'], []);
  await assertSameTable('events_by_type_hourly', `SELECT event_date, hour, event_type, count(*) AS events FROM ${c} GROUP BY ALL`,
    table('analytics', 'events_by_type_hourly'), ['event_date', 'hour', 'event_type'], ['events'], []);
  await assertSameTable('users_sessions_daily', `SELECT event_date, count(DISTINCT user_id) AS unique_users, count(DISTINCT session_id) AS sessions FROM ${c} GROUP BY ALL`,
    table('analytics', 'users_sessions_daily'), ['event_date'], ['unique_users', 'sessions'], []);
  await assertSameTable('funnel_daily', `
    WITH s AS (SELECT event_date, session_id, bool_or(event_type = 'page_view') AS v, bool_or(event_type = 'add_to_cart') AS a,
                 bool_or(event_type = 'purchase') AS p FROM ${c} GROUP BY ALL),
    d AS (SELECT event_date, count(*) FILTER (WHERE v) AS page_view_sessions, count(*) FILTER (WHERE a) AS add_to_cart_sessions,
            count(*) FILTER (WHERE p) AS purchase_sessions FROM s GROUP BY ALL)
    SELECT *, add_to_cart_sessions / nullif(page_view_sessions, 0) AS view_to_cart,
      purchase_sessions / nullif(add_to_cart_sessions, 0) AS cart_to_purchase, purchase_sessions / nullif(page_view_sessions, 0) AS view_to_purchase
    FROM d`, table('analytics', 'funnel_daily'), ['event_date'], ['page_view_sessions', 'add_to_cart_sessions', 'purchase_sessions'],
  ['view_to_cart', 'cart_to_purchase', 'view_to_purchase']);
  await assertSameTable('revenue_daily', `SELECT event_date, count(*) AS purchases, sum(quantity) AS units, sum(revenue) AS revenue FROM ${c} WHERE event_type = 'purchase' GROUP BY ALL`,
    table('analytics', 'revenue_daily'), ['event_date'], ['purchases', 'units'], ['revenue']);
  await assertSameTable('revenue_by_product', `SELECT product_id, count(*) AS purchases, sum(quantity) AS units, sum(revenue) AS revenue FROM ${c} WHERE event_type = 'purchase' GROUP BY ALL`,
    table('analytics', 'revenue_by_product'), ['product_id'], ['purchases', 'units'], ['revenue']);
  await assertSameTable('events_by_country', `SELECT country, count(*) AS users, count(*) / sum(count(*)) OVER () AS share FROM ${c} GROUP BY ALL`,
    table('demographics', 'events_by_country'), ['country'], ['users'], ['share']);
  await assertSameTable('users_by_country (activity)', `SELECT country, count(DISTINCT user_id) AS users,
      count(DISTINCT user_id) / (SELECT count(DISTINCT user_id) FROM ${c}) AS share FROM ${c} GROUP BY ALL`,
    table('demographics', 'users_by_country'), ['country'], ['users'], ['share']);
  for (const [metric, unit, key] of [['events_hourly', 'HOUR', 'hour_start'], ['events_daily', 'DAY', 'event_date']]) {
    const bucket = unit === 'HOUR' ? `date_trunc('hour', make_timestamp(event_ms * 1000))` : 'event_date';
    await assertSameTable(metric, `
      WITH c AS (SELECT ${bucket} AS k, event_type, count(*) AS n FROM ${c} GROUP BY ALL),
      span AS (SELECT g AS k FROM generate_series((SELECT min(k) FROM c), (SELECT max(k) FROM c), INTERVAL 1 ${unit}) s(g)),
      types AS (SELECT DISTINCT unnest(['page_view', 'add_to_cart', 'remove_from_cart', 'purchase']) AS event_type),
      x AS (SELECT span.k, types.event_type, coalesce(c.n, 0) AS n FROM span CROSS JOIN types LEFT JOIN c USING (k, event_type)),
      w AS (SELECT k, event_type, n, avg(n) OVER (PARTITION BY event_type ORDER BY k ROWS BETWEEN 6 PRECEDING AND CURRENT ROW) AS moving_avg,
              avg(n) OVER p AS m, stddev_pop(n) OVER p AS sd, count(*) OVER p AS cnt
            FROM x WINDOW p AS (PARTITION BY event_type ORDER BY k ROWS BETWEEN 28 PRECEDING AND 1 PRECEDING))
      SELECT CAST(k AS ${unit === 'HOUR' ? 'TIMESTAMP' : 'DATE'}) AS ${key}, event_type, n AS events, moving_avg,
        CASE WHEN cnt = 28 AND sd > 0 THEN (n - m) / sd END AS zscore, coalesce(cnt = 28 AND sd > 0 AND abs((n - m) / sd) >= 3, false) AS anomaly
      FROM w`, table('timeseries', metric), [key, 'event_type'], ['events', 'anomaly'], ['moving_avg', 'zscore']);
  }
  t.diagnostic('activity aggregates agree with DuckDB');
}

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

  const [{ n: expected }] = await duck(`SELECT count(*) AS n FROM (${ACTIVITY_ORACLE(lake)})`);
  t.diagnostic(`clean events: DuckDB ${expected}`);
  assert.equal(Number(expected), 75002);
  await assertSameTable('clean user_activity', ACTIVITY_ORACLE(lake), LAKEPIPE_ACTIVITY(lake), ['event_id'],
    ['user_id', 'session_id', 'event_type', 'event_ms', 'product_id', 'quantity', 'device', 'country', 'event_date', 'hour', 'session_ordinal'],
    ['price', 'revenue']);

  const jobs = transform(lake, '--table', 'user_activity', '--job', 'all');
  assert.equal(jobs[0].new_files, 0);
  for (const j of jobs.slice(1)) assert.equal(j.records_in, 75002, j.job);
  await checkActivityAggregates(t, lake);

  const copy = join(dir, 'full');
  cpSync(lake, copy, { recursive: true });
  transform(copy, '--table', 'user_activity', '--job', 'clean', '--full-refresh');
  await assertSameTable('waves vs full refresh', LAKEPIPE_ACTIVITY(lake), LAKEPIPE_ACTIVITY(copy), ['event_id'],
    ['session_ordinal', 'event_date', 'hour', 'event_ms'], ['revenue']);
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

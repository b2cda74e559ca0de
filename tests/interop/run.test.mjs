// lakepipe run end to end, checked with DuckDB: the counts of every phase
// balance, the three local copies hold the records the lake got, the DuckDB
// SQL of `lakepipe sql` runs and its sample queries return the analytics
// tables' rows; --sequential; an unreachable S3 lake still leaves the local
// copies and a failed exit; the Snowflake, Athena and Spark SQL against
// golden files (UPDATE_GOLDEN=1 rewrites them) and the partition
// columns of each table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, duck, lakepipeWith, tempDir } from './lib.mjs';

const AS_OF = '2026-06-14';

function run(dir, ...args) {
  const stats = join(dir, `run-${Date.now()}.json`);
  const r = lakepipeWith({ cwd: dir }, 'run', '--stats-json', stats, ...args);
  return { ...r, stats: existsSync(stats) ? JSON.parse(readFileSync(stats, 'utf8')) : null };
}

function balanced(s) {
  assert.equal(s.delivered, s.produced, 'every produced record was delivered');
  assert.equal(s.produced, s.archived + s.dead_lettered, 'produced = archived + dead-lettered');
  assert.equal(s.archived, s.clean + s.rejected, 'archived = clean + rejected');
  assert.equal(s.data_loss_records, 0);
  assert.deepEqual(s.errors, []);
}

// Rows of `a` and `b` (SQL) must match one to one on `keys`, the other
// columns equal, doubles within 1e-9.
async function assertSameRows(label, a, b, keys) {
  const cols = (await duck(`DESCRIBE (${a})`)).map((c) => ({ name: c.column_name, type: c.column_type }));
  const on = keys.map((k) => `x.${k} IS NOT DISTINCT FROM y.${k}`).join(' AND ');
  const same = cols.filter((c) => !keys.includes(c.name)).map((c) => (c.type === 'DOUBLE'
    ? `abs(x.${c.name} - y.${c.name}) <= 1e-9 * greatest(1, abs(x.${c.name}))`
    : `x.${c.name} IS NOT DISTINCT FROM y.${c.name}`)).join(' AND ') || 'true';
  const [r] = await duck(`SELECT (SELECT count(*) FROM (${a})) AS na, (SELECT count(*) FROM (${b})) AS nb,
    (SELECT count(*) FROM (${a}) x JOIN (${b}) y ON ${on} WHERE ${same}) AS matched`);
  assert.ok(Number(r.na) > 0, `${label}: no rows`);
  assert.equal(Number(r.nb), Number(r.na), `${label}: ${r.na} rows against ${r.nb}`);
  assert.equal(Number(r.matched), Number(r.na), `${label}: ${r.matched} of ${r.na} rows agree`);
}

// The statements of a SQL script, with the "-- sample: <table>" name of the
// ones that have it.
function statements(sql) {
  const out = [];
  let sample = null;
  let text = '';
  for (const line of sql.split('\n')) {
    const m = line.match(/^-- sample: (\S+)/);
    if (m) sample = m[1];
    if (line.startsWith('--') || (!text && !line.trim())) continue;
    text += `${line}\n`;
    if (line.trimEnd().endsWith(';')) {
      out.push({ sql: text.trim().replace(/;$/, ''), sample });
      text = '';
      sample = null;
    }
  }
  return out;
}

test('run with defaults: counts balance, local copies, DuckDB SQL and its samples; then activity into the same lake', async (t) => {
  const dir = tempDir(t, 'run');
  const users = run(dir, '--as-of', AS_OF);
  assert.equal(users.status, 0, users.stderr);
  const s = users.stats;
  t.diagnostic(`defaults: ${s.produced} users in ${s.seconds.total.toFixed(1)} s (produce ${s.seconds.produce.toFixed(2)} s, archive ${s.seconds.archive.toFixed(2)} s, transform ${s.seconds.transform.toFixed(2)} s)`);
  assert.equal(s.produced, 100000, 'the default count');
  balanced(s);
  assert.equal(s.jobs, 4);
  assert.match(users.stdout, /produced 100,000 = archived 100,000 \+ dead-lettered 0/);
  assert.match(users.stdout, /local copy +out\/users_data\.parquet/);

  // The local copies: the same records as the lake's raw zone.
  const out = join(dir, 'out');
  const lake = join(out, 'lake');
  const raw = `SELECT id, email, registered_date FROM read_parquet('${lake}/users/raw/parquet/**/*.parquet')`;
  const copies = {
    json: `SELECT id, email, registered_date FROM read_json('${out}/users_data.json', format = 'array')`,
    csv: `SELECT id, email, registered_date FROM read_csv('${out}/users_data.csv', header = true)`,
    parquet: `SELECT id, email, registered_date FROM read_parquet('${out}/users_data.parquet')`,
  };
  const [{ n }] = await duck(`SELECT count(*) AS n FROM (${raw})`);
  assert.equal(Number(n), s.archived);
  for (const [format, sql] of Object.entries(copies)) {
    const [{ rows, ids }] = await duck(`SELECT count(*) AS rows, count(DISTINCT id) AS ids FROM (${sql})`);
    assert.equal(Number(rows), s.archived, `${format}: every consumed record`);
    assert.equal(Number(ids), s.archived, `${format}: no record twice`);
    const [{ missing }] = await duck(`SELECT count(*) AS missing FROM (SELECT id, email FROM (${raw}) EXCEPT SELECT id, email FROM (${sql}))`);
    assert.equal(Number(missing), 0, `${format}: the lake's records`);
  }

  // Activity into the same lake; the users table stays.
  const activity = run(dir, '--source', 'activity', '--count', '60000', '--seed', '3', '--as-of', AS_OF);
  assert.equal(activity.status, 0, activity.stderr);
  balanced(activity.stats);
  assert.ok(existsSync(join(out, 'user_activity_data.json')));

  // The DuckDB SQL runs as printed; each sample returns its metric table.
  const sql = lakepipeWith({ cwd: dir }, 'sql', '--dialect', 'duckdb', '--lake', 'out/lake');
  assert.equal(sql.status, 0, sql.stderr);
  assert.ok(sql.stdout.includes(`read_parquet('${lake}/users/clean/parquet/**/*.parquet'`), 'the lake as an absolute path');
  const keys = {
    users_analytics_gender_distribution: ['gender'], users_demographics_users_by_country: ['country'],
    users_analytics_age_groups: ['age_group'], user_activity_analytics_events_by_type_daily: ['event_date', 'event_type'],
    user_activity_analytics_users_sessions_daily: ['event_date'], user_activity_analytics_revenue_daily: ['event_date'],
  };
  let samples = 0, checks = 0;
  for (const st of statements(sql.stdout)) {
    if (st.sample) {
      assert.ok(keys[st.sample], `a known sample: ${st.sample}`);
      await assertSameRows(st.sample, st.sql, `SELECT * FROM ${st.sample}`, keys[st.sample]);
      samples++;
    } else {
      const rows = await duck(st.sql);
      if (/^SELECT/i.test(st.sql)) {
        assert.ok(rows.length > 0, `a check returns rows: ${st.sql.slice(0, 60)}`);
        checks++;
      }
    }
  }
  assert.equal(samples, 6);
  t.diagnostic(`${samples} sample queries equal their metric tables; ${checks} data-quality queries ran`);
  const counts = await duck(`SELECT table_name, row_count FROM (${statements(sql.stdout).find((x) => x.sql.includes("AS table_name")).sql})`);
  const count = Object.fromEntries(counts.map((r) => [r.table_name, Number(r.row_count)]));
  assert.equal(count.users_clean, s.clean);
  assert.equal(count.user_activity_raw, activity.stats.archived);
});

test('run --sequential: produce, settle, then consume everything', (t) => {
  const dir = tempDir(t, 'run-seq');
  const r = run(dir, '--sequential', '--settle', '1s', '--count', '20000', '--lake', 'lake', '--output', 'copies');
  assert.equal(r.status, 0, r.stderr);
  balanced(r.stats);
  assert.equal(r.stats.produced, 20000);
  assert.equal(r.stats.local_records, 20000);
  assert.match(r.stderr, /produce .*produced 20,000\/20,000/);
  assert.match(r.stderr, /settle +waiting 1\.00 s/);
  assert.match(r.stderr, /archive +consumed 20,000 \([\d,]+\/s\), archived 20,000, dead letters 0, files \d+/);
  // A second run on a lake given by --lake does not overwrite it unasked.
  const again = run(dir, '--count', '1000', '--lake', 'lake', '--output', 'copies');
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already holds \d+ files from an earlier run.*--replace/);
  const replaced = run(dir, '--count', '1000', '--lake', 'lake', '--output', 'copies', '--replace');
  assert.equal(replaced.status, 0, replaced.stderr);
  assert.equal(replaced.stats.clean, 1000);
});

test('run with an unreachable S3 lake: the local copies hold what was consumed, the exit is non-zero', async (t) => {
  const dir = tempDir(t, 'run-s3');
  writeFileSync(join(dir, 'lakepipe.yaml'), 's3:\n  retry_deadline: 2s\n');
  const r = lakepipeWith({ cwd: dir, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'not-a-secret' },
    'run', '--config', 'lakepipe.yaml', '--count', '3000', '--lake', 's3://nowhere/lake', '--s3-endpoint', 'http://127.0.0.1:9',
    '--output', 'copies', '--stats-json', 'stats.json');
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /FAILED archive: unavailable: S3 PUT s3:\/\/nowhere\/lake\/users\/raw\/parquet\/.*unreachable after/);
  assert.match(r.stderr, /the 3,000 records consumed are in copies\/users_data\.json/);
  const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
  assert.equal(stats.local_records, 3000);
  assert.equal(stats.archived, 0);
  for (const ext of ['json', 'csv', 'parquet']) {
    const reader = { json: 'read_json', csv: 'read_csv', parquet: 'read_parquet' }[ext];
    const [{ n }] = await duck(`SELECT count(DISTINCT id) AS n FROM ${reader}('${join(dir, 'copies', `users_data.${ext}`)}')`);
    assert.equal(Number(n), 3000, ext);
  }
});

// Partition columns of each table, as the lake has them.
const PARTITIONS = {
  users_raw: ['event_date', 'hour'], users_clean: ['registration_year'], users_timeseries_registrations_daily: ['registration_year'],
  user_activity_raw: ['event_date', 'hour'], user_activity_clean: ['event_date', 'hour'],
  user_activity_analytics_events_by_type_daily: ['event_date'], user_activity_analytics_funnel_daily: ['event_date'],
  user_activity_timeseries_events_hourly: ['event_date'], user_activity_analytics_revenue_by_product: [],
  users_analytics_gender_distribution: [],
};

test('sql: snowflake, athena and spark against golden files, with the partition columns of each table', async (t) => {
  const dir = tempDir(t, 'run-sql');
  for (const [source, count] of [['users', '5000'], ['activity', '20000']]) {
    const r = run(dir, '--source', source, '--count', count, '--seed', '7', '--as-of', AS_OF);
    assert.equal(r.status, 0, r.stderr);
  }
  const lake = join(dir, 'out', 'lake');
  // The raw zone is partitioned by the time records reached Kafka: today.
  const rawDates = new Set();
  for (const table of ['users', 'user_activity']) {
    for (const d of readdirSync(join(lake, table, 'raw', 'parquet'))) rawDates.add(d.replace('event_date=', ''));
  }
  const normalize = (sql) => [...rawDates].reduce((s, d) => s.replaceAll(d, '<archive date>'), sql);
  const golden = join(ROOT, 'tests', 'golden', 'sql');
  for (const dialect of ['snowflake', 'athena', 'spark']) {
    const r = lakepipeWith({}, 'sql', '--dialect', dialect, '--lake', lake, '--location', 's3://example-bucket/lake',
      '--storage-integration', 'lakepipe_s3');
    assert.equal(r.status, 0, r.stderr);
    const got = normalize(r.stdout);
    const file = join(golden, `${dialect}.sql`);
    if (process.env.UPDATE_GOLDEN === '1') {
      mkdirSync(golden, { recursive: true });
      writeFileSync(file, got);
    }
    assert.equal(got, readFileSync(file, 'utf8'), `${dialect}: differs from tests/golden/sql/${dialect}.sql`);
    // Each table's partition columns.
    for (const [table, parts] of Object.entries(PARTITIONS)) {
      const start = got.search(new RegExp(`(EXTERNAL TABLE|TABLE IF NOT EXISTS) (lakepipe\\.)?${table} \\(`));
      assert.ok(start >= 0, `${dialect}: ${table} declared`);
      const ddl = got.slice(start, got.indexOf(';', start));
      const declared = dialect === 'snowflake' ? ddl.match(/PARTITION BY \(([^)]*)\)/)
        : ddl.match(/PARTITIONED BY \(([^)]*)\)/);
      const names = declared ? declared[1].split(',').map((p) => p.trim().split(' ')[0].replaceAll('`', '')) : [];
      assert.deepEqual(names, parts, `${dialect}: ${table} partitioned by ${parts.join(', ') || 'nothing'}`);
    }
  }
  const bad = lakepipeWith({}, 'sql', '--dialect', 'snowflake', '--lake', lake);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /snowflake reads external tables from S3.*--location s3:\/\/bucket\/prefix/);
  const unknown = lakepipeWith({}, 'sql', '--dialect', 'oracle', '--lake', lake);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /--dialect 'oracle' is not a dialect \(snowflake, duckdb, athena, spark\)/);
});

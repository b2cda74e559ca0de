// lakepipe run end to end, checked with DuckDB: the counts of every phase
// balance, the three local copies hold the records the lake got, the DuckDB
// SQL of `lakepipe sql` runs and its sample queries return the analytics
// tables' rows; --sequential; an unreachable S3 lake still leaves the local
// copies and a failed exit; a failed run leaves an earlier run's local
// copies byte-identical; --local-copies chooses the copies; raw files
// rotate as archive's do; SIGTERM mid-run names the records not archived; --shape api gives the
// users table the API's nested shape; the Snowflake, Athena and Spark SQL against
// golden files (UPDATE_GOLDEN=1 rewrites them) and the partition
// columns of each table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { LAKEPIPE, ROOT, duck, freePort, lakepipeWith, sleep, tempDir } from './lib.mjs';

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

test('run --shape api: the users table takes the API\'s nested shape, and no transform job runs over it', (t) => {
  const dir = tempDir(t, 'run-api');
  const r = run(dir, '--shape', 'api', '--count', '2000', '--seed', '7', '--local-copies', 'none');
  const s = r.stats;
  assert.ok(s, r.stderr);
  assert.equal(s.produced, 2000, r.stderr);
  assert.equal(s.delivered, 2000);
  assert.equal(s.produced, s.archived + s.dead_lettered, 'produced = archived + dead-lettered');
  const said = r.stdout + r.stderr;
  assert.match(said, /topic 'users': table schema: built-in UserApi schema/);
  assert.match(said, /transform: skipped: the jobs read the flat users table; table 'users' has the API's nested shape/);
  assert.equal(s.jobs, 0);
  assert.deepEqual(s.tables.filter((x) => x.table !== 'users'), []);
});

// The leaf paths of a JSON object ("name.first", ...).
function leaves(v, prefix = '') {
  if (v === null || typeof v !== 'object') return [prefix];
  return Object.entries(v).flatMap(([k, x]) => leaves(x, prefix ? `${prefix}.${k}` : k));
}

// Every leaf of every record of the local JSON copy is in the nested lake,
// and the other way round: text as text, numbers as numbers, dates as the
// same instants (DuckDB reads the lake's as TIMESTAMP WITH TIME ZONE).
async function assertLakeHoldsTheMessages(raw, json) {
  const [first] = await duck(`SELECT json::VARCHAR AS j FROM read_json_objects('${json}', format = 'array') LIMIT 1`);
  const paths = leaves(JSON.parse(first.j));
  assert.equal(paths.length, 34, paths.join());
  const column = (p) => p.split('.').map((x) => `"${x}"`).join('.');
  const dated = (p) => /^(dob|registered)\.date$/.test(p);
  const lake = paths.map((p, i) => (dated(p) ? `epoch_ms(${column(p)})` : `${column(p)}::VARCHAR`) + ` AS c${i}`).join(', ');
  const copy = paths.map((p, i) => {
    const text = `json_extract_string(json, '$.${p}')`;
    return (dated(p) ? `epoch_ms(${text}::TIMESTAMPTZ)` : text) + ` AS c${i}`;
  }).join(', ');
  const fromCopy = `SELECT ${copy} FROM read_json_objects('${json}', format = 'array')`;
  const fromLake = `SELECT ${lake} FROM ${raw}`;
  const [r] = await duck(`SELECT (SELECT count(*) FROM (${fromCopy})) AS n,
    (SELECT count(*) FROM (${fromCopy} EXCEPT ALL ${fromLake})) AS missing,
    (SELECT count(*) FROM (${fromLake} EXCEPT ALL ${fromCopy})) AS extra,
    (SELECT count(*) FROM ${raw} WHERE id.value IS NULL) AS null_ids,
    (SELECT count(*) FROM (${fromCopy}) WHERE c${paths.indexOf('id.value')} IS NULL) AS null_ids_copy`);
  assert.equal(Number(r.n), 2000);
  assert.equal(Number(r.missing), 0, 'every message is in the lake');
  assert.equal(Number(r.extra), 0, 'the lake holds nothing else');
  assert.ok(Number(r.null_ids) > 0, 'some nationalities have no identifier');
  assert.equal(Number(r.null_ids), Number(r.null_ids_copy), 'id.value is null where the message has null');
}

for (const format of ['json', 'avro']) {
  test(`run --shape api end to end (${format} messages): DuckDB reads the nested lake with the messages' values`, async (t) => {
    const dir = tempDir(t, `run-api-lake-${format}`);
    // Partitioned by a top-level field of the nested record.
    writeFileSync(join(dir, 'lakepipe.yaml'), `produce:\n  message_format: ${format}\narchive:\n  partition_by: nat={nat}\n`);
    const r = run(dir, '--config', 'lakepipe.yaml', '--shape', 'api', '--count', '2000', '--seed', '7',
      '--local-copies', 'json');
    assert.equal(r.status, 0, r.stderr);
    const s = r.stats;
    assert.equal(s.delivered, s.produced);
    assert.equal(s.produced, 2000);
    assert.equal(s.archived, 2000, r.stderr);
    assert.equal(s.dead_lettered, 0, 'no dead letters');
    assert.equal(s.data_loss_records, 0);
    assert.deepEqual(s.errors, []);
    assert.match(r.stderr, /archived 2,000, dead letters 0/);
    const lake = join(dir, 'out', 'lake');
    const natDirs = readdirSync(join(lake, 'users', 'raw', 'parquet'));
    assert.equal(natDirs.length, 21, natDirs.join());
    assert.ok(natDirs.every((d) => /^nat=[A-Z]{2}$/.test(d)), natDirs.join());
    const raw = `read_parquet('${lake}/users/raw/parquet/**/*.parquet', hive_partitioning = true)`;
    const types = Object.fromEntries((await duck(`DESCRIBE SELECT * FROM ${raw}`)).map((c) => [c.column_name, c.column_type]));
    assert.equal(types.name, 'STRUCT(title VARCHAR, "first" VARCHAR, "last" VARCHAR)');
    assert.match(types.location, /^STRUCT\(street STRUCT\("?number"? INTEGER, "name" VARCHAR\), city VARCHAR/);
    assert.match(types.location, /coordinates STRUCT\(latitude VARCHAR, longitude VARCHAR\)/);
    assert.equal(types.dob, 'STRUCT(date TIMESTAMP WITH TIME ZONE, age INTEGER)');
    assert.equal(types.id, 'STRUCT("name" VARCHAR, "value" VARCHAR)');
    const [{ n, uuids, wrong }] = await duck(`SELECT count(*) AS n, count(DISTINCT login.uuid) AS uuids,
      count(*) FILTER (WHERE nat IS DISTINCT FROM regexp_extract(filename, 'nat=([A-Z]+)', 1)) AS wrong
      FROM read_parquet('${lake}/users/raw/parquet/**/*.parquet', filename = true, hive_partitioning = false)`);
    assert.deepEqual([Number(n), Number(uuids), Number(wrong)], [2000, 2000, 0]);
    await assertLakeHoldsTheMessages(raw, join(dir, 'out', 'users_data.json'));
    // The DuckDB SQL of `lakepipe sql` runs over the nested lake as printed,
    // and its query by path reads every person's leaves.
    const sql = lakepipeWith({ cwd: dir }, 'sql', '--dialect', 'duckdb', '--lake', lake);
    assert.equal(sql.status, 0, sql.stderr);
    const sts = statements(sql.stdout);
    for (const st of sts) await duck(st.sql);
    const byPath = sts.find((x) => x.sql.includes('"location"."street"."number" AS "location_street_number"'));
    assert.ok(byPath, sql.stdout);
    const rows = await duck(byPath.sql.replace(/LIMIT 10$/, ''));
    assert.equal(rows.length, 2000);
    assert.ok(rows.every((x) => Number.isInteger(x.location_street_number) && /^-?\d+\.\d{4}$/.test(x.location_coordinates_latitude)));
    assert.equal(rows.filter((x) => x.id_value === null).length > 0, true);
  });
}

test('run --shape api: a nested partition field is refused by name', (t) => {
  const dir = tempDir(t, 'run-api-partition');
  for (const [templ, said] of [
    ['country={location}', /field 'location' is struct \{street: struct .*partition by a top-level string, number/],
    ['country={location.country}', /'location\.country' is inside field 'location' \(struct .*\): use a top-level string/]]) {
    writeFileSync(join(dir, 'lakepipe.yaml'), `archive:\n  partition_by: "${templ}"\n`);
    const r = run(dir, '--config', 'lakepipe.yaml', '--shape', 'api', '--count', '10', '--local-copies', 'none');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, said);
    assert.ok(!existsSync(join(dir, 'out', 'lake', 'users')), 'nothing archived');
  }
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

// The files of `dir`, name -> bytes.
function filesOf(dir) {
  return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name))]));
}

test('a failed run leaves the local copies of an earlier run byte-identical, with no temporaries', (t) => {
  const dir = tempDir(t, 'run-keep');
  const first = run(dir, '--count', '3000', '--seed', '1', '--lake', 'lake', '--output', 'copies');
  assert.equal(first.status, 0, first.stderr);
  const before = filesOf(join(dir, 'copies'));
  assert.deepEqual(Object.keys(before), ['users_data.csv', 'users_data.json', 'users_data.parquet']);

  // A lake under a regular file cannot be written: the archive fails.
  writeFileSync(join(dir, 'blocker'), '');
  const failed = run(dir, '--count', '2000', '--seed', '2', '--lake', 'blocker/lake', '--output', 'copies');
  assert.equal(failed.status, 1, failed.stderr);
  assert.match(failed.stderr, /FAILED archive: .*blocker\/lake/);
  assert.match(failed.stderr, /the local copies copies\/users_data\.json, copies\/users_data\.csv, copies\/users_data\.parquet are an earlier run's, left as they were/);
  assert.deepEqual(failed.stats.local_outputs, []);
  const after = filesOf(join(dir, 'copies'));
  assert.deepEqual(Object.keys(after), Object.keys(before), 'the same files, no temporaries');
  for (const name of Object.keys(before)) assert.ok(after[name].equals(before[name]), `${name} is byte-identical`);

  // A run that succeeds replaces them.
  const second = run(dir, '--count', '1000', '--seed', '3', '--lake', 'lake', '--output', 'copies', '--replace');
  assert.equal(second.status, 0, second.stderr);
  assert.deepEqual(Object.keys(filesOf(join(dir, 'copies'))), Object.keys(before));
  assert.equal(readFileSync(join(dir, 'copies', 'users_data.csv'), 'utf8').trim().split('\n').length, 1001);
});

test('run --local-copies: none writes none, csv only csv, run.local_copies from the config; unknown values are named', async (t) => {
  const dir = tempDir(t, 'run-copies');
  const none = run(dir, '--count', '2000', '--lake', 'lake-none', '--output', 'none', '--local-copies', 'none');
  assert.equal(none.status, 0, none.stderr);
  assert.equal(none.stats.archived, 2000);
  assert.deepEqual(none.stats.local_outputs, []);
  assert.ok(!existsSync(join(dir, 'none')), 'no directory for no copies');
  assert.doesNotMatch(none.stdout, /local copy/);

  const csv = run(dir, '--count', '2000', '--lake', 'lake-csv', '--output', 'csv', '--local-copies', 'csv');
  assert.equal(csv.status, 0, csv.stderr);
  assert.deepEqual(readdirSync(join(dir, 'csv')), ['users_data.csv']);
  assert.deepEqual(csv.stats.local_outputs, ['csv/users_data.csv']);
  const [{ n }] = await duck(`SELECT count(DISTINCT id) AS n FROM read_csv('${join(dir, 'csv', 'users_data.csv')}', header = true)`);
  assert.equal(Number(n), 2000);

  writeFileSync(join(dir, 'two.yaml'), 'run:\n  local_copies: [parquet, json]\n');
  const two = run(dir, '--config', 'two.yaml', '--count', '1000', '--lake', 'lake-two', '--output', 'two');
  assert.equal(two.status, 0, two.stderr);
  assert.deepEqual(readdirSync(join(dir, 'two')).sort(), ['users_data.json', 'users_data.parquet']);

  const bad = run(dir, '--count', '1000', '--lake', 'lake-bad', '--output', 'bad', '--local-copies', 'json,xml');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--local-copies: 'xml' is not a local copy format: name json, csv, parquet, or none/);
  writeFileSync(join(dir, 'bad.yaml'), 'run:\n  local_copies: [csv, pdf]\n');
  const badConfig = run(dir, '--config', 'bad.yaml', '--count', '1000', '--lake', 'lake-bad', '--output', 'bad');
  assert.equal(badConfig.status, 1);
  assert.match(badConfig.stderr, /run\.local_copies \(bad\.yaml:2\): 'pdf' is not a local copy format/);
  assert.ok(!existsSync(join(dir, 'bad')) && !existsSync(join(dir, 'lake-bad')), 'nothing written');
});

test('SIGTERM mid-run on real Kafka: the records not archived stay in the topic, and the next run archives them first', async (t) => {
  const dir = tempDir(t, 'run-term-kafka');
  const broker = spawn(LAKEPIPE, ['broker', '--partitions', '16', '--topic', 'users'], { stdio: ['ignore', 'pipe', 'pipe'] });
  const brokerExited = new Promise((resolve) => broker.on('exit', (code) => resolve(code)));
  t.after(async () => {
    broker.kill('SIGTERM');
    await brokerExited;
  });
  const bootstrap = await new Promise((resolve, reject) => {
    let out = '';
    broker.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]);
    });
    setTimeout(() => reject(new Error('no bootstrap line from lakepipe broker')), 15000);
  });
  // A short session: the second run's group does not wait out the first's.
  writeFileSync(join(dir, 'kafka.yaml'), `kafka:\n  bootstrap.servers: ${bootstrap}\n  session.timeout.ms: 6000\n`);

  // Stopped early, well within the broker's retention.
  const { code, stdout, stderr } = await interruptedRun(dir, 0, '--config', 'kafka.yaml', '--count', '2000000', '--rate', '20000',
    '--lake', 'lake', '--local-copies', 'none');
  assert.equal(code, 1, stderr);
  const m = stderr.match(/interrupted: ([\d,]+) of ([\d,]+) produced records were not archived yet; they stay in topic 'users', and consumer group 'lakepipe-run' archives them first when it starts again/);
  assert.ok(m, stderr);
  assert.doesNotMatch(stdout, /lost to retention/);
  const [notArchived, produced] = [m[1], m[2]].map((x) => Number(x.replaceAll(',', '')));
  t.diagnostic(m[0]);
  assert.ok(notArchived > 0);

  // The next run with the same config archives them along with its own.
  const next = run(dir, '--config', 'kafka.yaml', '--count', '1000', '--lake', 'lake', '--local-copies', 'none');
  assert.equal(next.status, 0, next.stderr);
  assert.match(next.stdout, new RegExp(`produced 1,000 by this run; the topic held ${m[1]} more`));
  const [{ n, ids }] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM read_parquet('${join(dir, 'lake')}/users/raw/parquet/**/*.parquet')`);
  assert.equal(Number(n), produced + 1000, 'every produced record is in the lake');
  assert.equal(Number(ids), produced + 1000, 'each once');
});

// The raw zone's files of `table` in `lake`, by Hive partition directory.
function rawFiles(lake, table) {
  const byDir = {};
  const root = join(lake, table, 'raw', 'parquet');
  for (const date of readdirSync(root)) {
    for (const hour of readdirSync(join(root, date))) {
      byDir[`${date}/${hour}`] = readdirSync(join(root, date, hour)).filter((f) => f.endsWith('.parquet'));
    }
  }
  return byDir;
}

test('run rotates raw files as archive does: one file per Kafka partition and Hive partition within rotate_interval', async (t) => {
  const dir = tempDir(t, 'run-rotate');
  // 13 s of records on 4 partitions: within archive's rotate_interval (60s)
  // and flush_records (100,000), each partition's records go to one file
  // per Hive partition, however long the run takes.
  const r = run(dir, '--count', '26000', '--rate', '2000', '--partitions', '4', '--lake', 'lake');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stats.archived, 26000);
  assert.ok(r.stats.seconds.produce > 10, `the run lasted ${r.stats.seconds.produce} s`);
  const byDir = rawFiles(join(dir, 'lake'), 'users');
  t.diagnostic(`raw files per Hive partition: ${JSON.stringify(Object.fromEntries(Object.entries(byDir).map(([d, f]) => [d, f.length])))}`);
  for (const [d, files] of Object.entries(byDir)) {
    assert.ok(files.length <= 4, `${d}: ${files.length} files, at most one per Kafka partition`);
  }
  const [{ n }] = await duck(`SELECT count(*) AS n FROM read_parquet('${join(dir, 'lake')}/users/raw/parquet/**/*.parquet')`);
  assert.equal(Number(n), 26000);

  // archive.flush_records from the config file cuts the files as archive's does.
  writeFileSync(join(dir, 'flush.yaml'), 'archive:\n  flush_records: 2500\n');
  const flushed = run(dir, '--config', 'flush.yaml', '--count', '20000', '--partitions', '4', '--lake', 'flushed');
  assert.equal(flushed.status, 0, flushed.stderr);
  const rows = await duck(`SELECT count(*) AS n FROM read_parquet('${join(dir, 'flushed')}/users/raw/parquet/**/*.parquet', filename = true) GROUP BY filename`);
  assert.ok(rows.every((x) => Number(x.n) <= 2500), 'no file over flush_records');
  assert.ok(rows.length >= 8, `${rows.length} files of at most 2,500 records hold 20,000`);
});

// Starts `lakepipe run ARGS` in `dir`, sends SIGTERM `afterMs` after its
// first progress line with records produced (long before 2,000,000), and
// resolves with its exit status and output.
async function interruptedRun(dir, afterMs, ...args) {
  const child = spawn(LAKEPIPE, ['run', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no progress:\n${stderr}`)), 60000);
    child.stderr.on('data', (d) => {
      stderr += d;
      if (/produced [1-9][\d,]*\/2,000,000/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await sleep(afterMs);
  child.kill('SIGTERM');
  const code = await exited;
  return { code, stdout, stderr };
}

test('SIGTERM mid-run: says how many produced records were not archived, as the lake shows; earlier copies stay', async (t) => {
  const dir = tempDir(t, 'run-term');
  const first = run(dir, '--count', '2000', '--lake', 'lake-a', '--output', 'copies');
  assert.equal(first.status, 0, first.stderr);
  const before = filesOf(join(dir, 'copies'));

  const { code, stdout, stderr } = await interruptedRun(dir, 4000, '--count', '2000000', '--rate', '200000', '--lake', 'lake-b', '--output', 'copies',
    '--stats-json', 'stats.json');
  assert.equal(code, 1, stderr);

  const m = stderr.match(/interrupted: ([\d,]+) of ([\d,]+) produced records were not archived/);
  assert.ok(m, stderr);
  const [notArchived, produced] = [m[1], m[2]].map((x) => Number(x.replaceAll(',', '')));
  assert.ok(produced < 2000000 && notArchived > 0, m[0]);
  assert.match(stderr, /they were only in topic 'users' of the dev broker in this process/);
  const raw = join(dir, 'lake-b', 'users', 'raw', 'parquet');
  const [{ n }] = existsSync(raw) ? await duck(`SELECT count(*) AS n FROM read_parquet('${raw}/**/*.parquet')`) : [{ n: 0 }];
  t.diagnostic(`${m[0]}; the lake holds ${n}`);
  assert.equal(notArchived, produced - Number(n), 'produced - archived, as the lake has them');
  const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
  assert.equal(stats.interrupted, true);
  assert.equal(stats.produced, produced);
  assert.equal(stats.archived, Number(n));
  assert.equal(stats.not_archived, notArchived);
  // The summary's balance holds: every produced record is accounted for.
  const b = stdout.match(/produced ([\d,]+) = archived ([\d,]+) \+ dead-lettered ([\d,]+)(?: \+ lost to retention ([\d,]+))? \+ not archived ([\d,]+) \(interrupted\)/);
  assert.ok(b, stdout);
  const num = (x) => Number((x ?? '0').replaceAll(',', ''));
  assert.equal(num(b[1]), num(b[2]) + num(b[3]) + num(b[4]) + num(b[5]));
  assert.equal(num(b[1]), produced);

  // The interrupted run's copies did not replace the earlier ones.
  const after = filesOf(join(dir, 'copies'));
  assert.deepEqual(Object.keys(after), Object.keys(before));
  for (const name of Object.keys(before)) assert.ok(after[name].equals(before[name]), `${name} is byte-identical`);
});

test('run, produce and archive against unreachable Kafka: one line naming the address within 15 s', async (t) => {
  const dir = tempDir(t, 'run-nokafka');
  const port = await freePort();
  writeFileSync(join(dir, 'refused.yaml'), `kafka:\n  bootstrap.servers: 127.0.0.1:${port}\n  linger.ms: "20"\n`);
  writeFileSync(join(dir, 'unresolved.yaml'), 'kafka:\n  bootstrap.servers: nonexistent.invalid:9092\n');
  const cases = [
    ['refused.yaml', `127\\.0\\.0\\.1:${port}`, 'Connection refused', ['run', '--count', '10', '--metrics-addr', 'off']],
    ['refused.yaml', `127\\.0\\.0\\.1:${port}`, 'Connection refused', ['produce', '--topic', 'users', '--count', '10']],
    ['unresolved.yaml', 'nonexistent\\.invalid:9092', 'Failed to resolve', ['archive', '--topic', 'users', '--group', 'g',
      '--lake', 'lake', '--schema', join(ROOT, 'schemas', 'user.avsc'), '--metrics-addr', 'off']],
  ];
  for (const [config, address, reason, args] of cases) {
    const started = Date.now();
    const r = lakepipeWith({ cwd: dir }, ...args, '--config', config);
    const seconds = (Date.now() - started) / 1000;
    const label = `${args[0]} with ${config}`;
    assert.equal(r.status, 1, `${label}: ${r.stderr}`);
    assert.ok(seconds < 15, `${label} took ${seconds} s`);
    const lines = r.stderr.trim().split('\n');
    assert.ok(lines.length <= 5, `${label}: ${lines.length} lines on stderr:\n${r.stderr}`);
    assert.match(r.stderr, new RegExp(`^lakepipe ${args[0]}: unavailable: no Kafka broker answered at ${address} within 10 s: .*${reason}.*; start the brokers, or point the bootstrap servers \\(kafka\\.bootstrap\\.servers\\) at running ones$`, 'm'), label);
    assert.doesNotMatch(r.stderr, /lakepipe kafka:/, `${label}: no librdkafka log lines`);
  }
});

test('run with producer and consumer settings in one kafka section: no "will be ignored" warnings; unknown ones still fail', (t) => {
  const dir = tempDir(t, 'run-settings');
  writeFileSync(join(dir, 'shared.yaml'), 'kafka:\n  compression.type: lz4\n  linger.ms: "20"\n  acks: all\n'
    + '  session.timeout.ms: "10000"\n  fetch.wait.max.ms: "50"\n  client.id: lakepipe\n');
  const r = run(dir, '--config', 'shared.yaml', '--count', '500', '--metrics-addr', 'off', '--as-of', AS_OF);
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /is a (producer|consumer) property and will be ignored/);
  assert.doesNotMatch(r.stderr, /CONFWARN/);
  balanced(r.stats);
  writeFileSync(join(dir, 'unknown.yaml'), 'kafka:\n  linger.ms: "20"\n  no.such.property: "1"\n');
  const bad = run(dir, '--config', 'unknown.yaml', '--count', '10', '--metrics-addr', 'off');
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stderr, /unknown Kafka setting 'no\.such\.property'/);
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

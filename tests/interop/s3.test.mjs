// S3: lakepipe archives topics into s3://bucket/lake on moto_server (a real
// S3 HTTP API on loopback), directly, through a proxy that injects faults and
// through an outage that outlasts the retries; boto3 lists and downloads what
// it wrote and DuckDB reads the Hive-partitioned Parquet back: every record
// exactly once. Also: lakepipe check against a moto that verifies
// signatures, settings from the config file, LAKEPIPE_S3_* and ./.env with
// every output searched for the secret, and HTTPS certificate checks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import kafkajs from 'kafkajs';
import { LAKEPIPE, ROOT, duck, freePort, lakepipeWith } from './lib.mjs';

const { Kafka, logLevel } = kafkajs;

const SECRET = 'lakepipe-interop-secret-9f3a';
let moto, endpoint, broker, bootstrap, work, signing;

// Starts moto_server on a free loopback port; resolves once it answers.
async function startMoto() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/moto-api/`)).ok) return { child, url };
    } catch { /* not up yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`moto_server did not answer on ${url}`);
}

// boto3 against moto (the shared one unless told); prints JSON.
function boto(code, url = endpoint, key = { id: 'AKIDINTEROP', secret: 'x' }) {
  const r = spawnSync('python3', ['-c', `
import boto3, json, sys
s3 = boto3.client('s3', endpoint_url='${url}', region_name='us-east-1',
                  aws_access_key_id='${key.id}', aws_secret_access_key='${key.secret}')
${code}
`], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`boto3 failed: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : null;
}

// Produces `count` users to `topic`, then archives the topic into
// s3://<bucket>/lake; fails on a non-zero exit or the secret in the output.
function produceAndArchive(env, { topic, bucket, count, seed, flushRecords }) {
  let r = lakepipeWith(env, 'produce', '--brokers', bootstrap, '--topic', topic, '--source', 'users',
    '--seed', String(seed), '--count', String(count), '--quiet');
  assert.equal(r.status, 0, r.stderr);
  r = lakepipeWith(env, 'archive', '--brokers', bootstrap, '--topic', topic, '--group', topic,
    '--lake', `s3://${bucket}/lake`, '--schema', join(ROOT, 'schemas', 'user.avsc'),
    '--flush-records', String(flushRecords), '--exit-when-idle', '6s', '-X', 'session.timeout.ms=6000');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!(r.stdout + r.stderr).includes(SECRET), 'the secret appears in the output');
}

// Downloads every object of `bucket` under `dir` with boto3; returns the keys.
function downloadBucket(bucket, dir) {
  return boto(`
import os
keys = []
for page in s3.get_paginator('list_objects_v2').paginate(Bucket='${bucket}'):
    for o in page.get('Contents', []):
        path = os.path.join('${dir}', o['Key'])
        os.makedirs(os.path.dirname(path), exist_ok=True)
        s3.download_file('${bucket}', o['Key'], path)
        keys.append(o['Key'])
print(json.dumps(keys))`);
}

before(async () => {
  const which = spawnSync('sh', ['-c', 'command -v moto_server']);
  assert.equal(which.status, 0, 'moto_server is not installed: the S3 tests need it (pip install "moto[server]")');
  work = mkdtempSync(join(tmpdir(), 'lakepipe-s3-'));
  ({ child: moto, url: endpoint } = await startMoto());
  signing = await startSigningMoto();
  broker = spawn(LAKEPIPE, ['broker', '--partitions', '4', '--topic', 'users', '--topic', 'faulty',
    '--topic', 'secrets', '--topic', 'stuck', '--topic', 'run_users'], { stdio: ['ignore', 'pipe', 'pipe'] });
  bootstrap = await new Promise((resolve, reject) => {
    createInterface({ input: broker.stdout }).once('line', resolve);
    setTimeout(() => reject(new Error('no bootstrap line from lakepipe broker')), 15000);
  });
});

after(() => {
  moto?.kill('SIGTERM');
  signing?.child.kill('SIGTERM');
  broker?.kill('SIGTERM');
  if (work) rmSync(work, { recursive: true, force: true });
});

test('archive to s3://: boto3 finds the files, DuckDB reads every record once, no secret in the output', async () => {
  boto("s3.create_bucket(Bucket='lake-bucket')");
  const env = {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'AKIDINTEROP',
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_REGION: 'us-east-1',
  };
  produceAndArchive(env, { topic: 'users', bucket: 'lake-bucket', count: 20000, seed: 3, flushRecords: 3000 });
  const uploads = boto("print(json.dumps(s3.list_multipart_uploads(Bucket='lake-bucket').get('Uploads', [])))");
  assert.deepEqual(uploads, []);
  const local = join(work, 'download');
  const listed = downloadBucket('lake-bucket', local);
  assert.ok(listed.length >= 8, `expected several files, got ${listed.length}`);
  for (const key of listed) {
    assert.match(key, /^lake\/users\/raw\/parquet\/event_date=\d{4}-\d\d-\d\d\/hour=\d\d\/users\+\d\+\d{20}\.parquet$/);
  }
  const rows = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids, min(event_date) AS d
    FROM read_parquet('${local}/lake/users/raw/parquet/**/*.parquet', hive_partitioning = true)`);
  assert.equal(Number(rows[0].n), 20000);
  assert.equal(Number(rows[0].ids), 20000);

  // inspect on a prefix lists its objects with their row counts and sizes.
  for (const prefix of ['s3://lake-bucket/lake/users/raw', 's3://lake-bucket/lake/users/raw/']) {
    const r = lakepipeWith(env, 'inspect', prefix, '--json', '--rows', '1');
    assert.equal(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.equal(info.directory, 's3://lake-bucket/lake/users/raw');
    assert.equal(info.num_rows, 20000);
    assert.deepEqual(info.files.map((f) => `lake/users/raw/${f.file}`), [...listed].sort());
    assert.ok(info.files.every((f) => f.format === 'parquet' && f.num_rows > 0 && f.file_size > 0));
    assert.equal(info.rows.length, 1);
  }
  const text = lakepipeWith(env, 'inspect', 's3://lake-bucket/lake/users');
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^files +${listed.length} \\(20,000 rows, `, 'm'), text.stdout);
});

test('lakepipe run with a config: the configured Kafka and S3 instead of the dev broker', async () => {
  boto("s3.create_bucket(Bucket='run-bucket')");
  const dir = join(work, 'run-config');
  mkdirSync(dir);
  writeFileSync(join(dir, 'lakepipe.yaml'), `kafka:
  bootstrap.servers: ${bootstrap}
s3:
  endpoint: ${endpoint}
  region: us-east-1
produce:
  topic: run_users
archive:
  lake: s3://run-bucket/lake
  group: run-config
`);
  const r = lakepipeWith({ cwd: dir, AWS_ACCESS_KEY_ID: 'AKIDINTEROP', AWS_SECRET_ACCESS_KEY: SECRET },
    'run', '--config', 'lakepipe.yaml', '--count', '5000', '--seed', '11', '--as-of', '2026-06-14', '--stats-json', 'stats.json');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`Kafka at ${bootstrap.replaceAll('.', '\\.')}, topic 'run_users'`));
  assert.doesNotMatch(r.stderr, /dev broker/);
  assert.ok(!(r.stdout + r.stderr).includes(SECRET), 'the secret appears in the output');
  const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
  assert.equal(stats.lake, 's3://run-bucket/lake');
  assert.equal(stats.produced, 5000);
  assert.equal(stats.archived, 5000);
  assert.equal(stats.clean, 5000);
  assert.equal(stats.local_records, 5000);
  // What the bucket holds: every zone of the table, read by DuckDB.
  const local = join(dir, 'download');
  const keys = downloadBucket('run-bucket', local);
  for (const zone of ['raw', 'clean', 'analytics', 'demographics', 'timeseries']) {
    assert.ok(keys.some((k) => k.startsWith(`lake/users/${zone}/parquet/`)), `${zone} in the bucket`);
  }
  const [{ n, ids }] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids
    FROM read_parquet('${local}/lake/users/clean/parquet/**/*.parquet', hive_partitioning = true)`);
  assert.equal(Number(n), 5000);
  assert.equal(Number(ids), 5000);
  const [{ copies }] = await duck(`SELECT count(*) AS copies FROM read_parquet('${join(dir, 'out', 'users_data.parquet')}')`);
  assert.equal(Number(copies), 5000);

  // DuckDB's SQL for the lake finds the bucket where lakepipe did: the
  // endpoint of the config file, path-style.
  const host = endpoint.replace('http://', '');
  const sql = lakepipeWith({ cwd: dir, AWS_ACCESS_KEY_ID: 'AKIDINTEROP', AWS_SECRET_ACCESS_KEY: SECRET },
    'sql', '--dialect', 'duckdb', '--config', 'lakepipe.yaml', '--lake', 's3://run-bucket/lake');
  assert.equal(sql.status, 0, sql.stderr);
  assert.ok(sql.stdout.includes(`CREATE OR REPLACE SECRET lakepipe_s3 (TYPE s3, PROVIDER credential_chain, ENDPOINT '${host}', URL_STYLE 'path', USE_SSL false, REGION 'us-east-1');`), sql.stdout);
  assert.match(sql.stdout, /read_parquet\('s3:\/\/run-bucket\/lake\/users\/clean\/parquet\/\*\*\/\*\.parquet'/);
  assert.ok(!sql.stdout.includes(SECRET), 'the secret appears in the SQL');
  // From AWS_ENDPOINT_URL too, for a local lake to be read from a bucket.
  const fromEnv = lakepipeWith({ cwd: dir, AWS_ENDPOINT_URL: endpoint }, 'sql', '--dialect', 'duckdb', '--lake', join(local, 'lake'),
    '--location', 's3://run-bucket/lake');
  assert.equal(fromEnv.status, 0, fromEnv.stderr);
  assert.match(fromEnv.stdout, new RegExp(`ENDPOINT '${host.replaceAll('.', '\\.')}', URL_STYLE 'path', USE_SSL false`));
});

test('through a proxy that fails, resets, loses answers and stalls ~25% of requests: nothing lost, nothing duplicated', async (t) => {
  boto("s3.create_bucket(Bucket='faulty')");
  const proxy = spawn('python3', [join(ROOT, 'tests', 'interop', 'fault_proxy.py'), endpoint, '0.25', '7'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let summary = '';
  proxy.stderr.on('data', (d) => (summary += d));
  const proxyUrl = await new Promise((resolve, reject) => {
    createInterface({ input: proxy.stdout }).once('line', resolve);
    setTimeout(() => reject(new Error('no address from fault_proxy.py')), 10000);
  });
  try {
    const env = { AWS_ENDPOINT_URL: proxyUrl, AWS_ACCESS_KEY_ID: 'AKIDINTEROP', AWS_SECRET_ACCESS_KEY: SECRET };
    produceAndArchive(env, { topic: 'faulty', bucket: 'faulty', count: 12000, seed: 5, flushRecords: 500 });
  } finally {
    proxy.kill('SIGTERM');
    await new Promise((resolve) => proxy.once('exit', resolve));
  }
  const counts = JSON.parse(summary.trim().split('\n').pop());
  t.diagnostic(`fault proxy: ${JSON.stringify(counts)}`);
  for (const fault of ['500', '503', 'reset', 'lost-answer', 'stall']) assert.ok(counts[fault] > 0, `no ${fault} injected: ${summary}`);
  const local = join(work, 'faulty');
  downloadBucket('faulty', local);
  const rows = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids
    FROM read_parquet('${local}/lake/faulty/raw/parquet/**/*.parquet')`);
  assert.equal(Number(rows[0].n), 12000);
  assert.equal(Number(rows[0].ids), 12000);
});

test('uploads that keep failing: archive stops naming bucket, key and status, commits only what it wrote; a rerun archives every record once', async (t) => {
  boto("s3.create_bucket(Bucket='stuck')");
  let r = lakepipeWith({}, 'produce', '--brokers', bootstrap, '--topic', 'stuck', '--source', 'users',
    '--seed', '13', '--count', '6000', '--quiet');
  assert.equal(r.status, 0, r.stderr);
  // Four writes get through, every later one is 503 SlowDown for good.
  const proxy = spawn('python3', [join(ROOT, 'tests', 'interop', 'fault_proxy.py'), endpoint, '0', '1', '4'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  const proxyUrl = await new Promise((resolve, reject) => {
    createInterface({ input: proxy.stdout }).once('line', resolve);
    setTimeout(() => reject(new Error('no address from fault_proxy.py')), 10000);
  });
  const archive = (url, extra = {}) => lakepipeWith({ AWS_ENDPOINT_URL: url, AWS_ACCESS_KEY_ID: 'AKIDINTEROP',
    AWS_SECRET_ACCESS_KEY: SECRET, ...extra }, 'archive', '--brokers', bootstrap, '--topic', 'stuck', '--group', 'stuck',
  '--lake', 's3://stuck/lake', '--schema', join(ROOT, 'schemas', 'user.avsc'), '--flush-records', '500',
  '--exit-when-idle', '6s', '-X', 'session.timeout.ms=6000');
  try {
    r = archive(proxyUrl, { LAKEPIPE_S3_RETRY_DEADLINE: '3s' });
  } finally {
    proxy.kill('SIGTERM');
    await new Promise((resolve) => proxy.once('exit', resolve));
  }
  t.diagnostic(`failed run: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  assert.notEqual(r.status, 0, 'archive must fail when S3 keeps failing');
  assert.match(r.stderr, /s3:\/\/stuck\/lake\/stuck\/raw\/parquet\/\S+\.parquet.*HTTP 503/);
  assert.ok(!(r.stdout + r.stderr).includes(SECRET));

  // What the group committed is covered by the files in the bucket: per
  // partition, the files written start at 0 and reach the committed offset.
  const local = join(work, 'stuck');
  const first = downloadBucket('stuck', local);
  assert.ok(first.length >= 1 && first.length <= 4, `the four writes that got through: ${first}`);
  const admin = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  let committed;
  try {
    [committed] = await admin.fetchOffsets({ groupId: 'stuck', topics: ['stuck'] });
  } finally {
    await admin.disconnect();
  }
  const files = await duck(`SELECT regexp_extract(filename, 'stuck\\+(\\d+)\\+(\\d+)', 1)::INT AS p,
      regexp_extract(filename, 'stuck\\+(\\d+)\\+(\\d+)', 2)::BIGINT AS start, count(*) AS n
    FROM read_parquet('${local}/lake/stuck/raw/parquet/**/*.parquet', filename = true) GROUP BY ALL`);
  let total = 0;
  for (const { partition, offset } of committed.partitions) {
    const mine = files.filter((f) => Number(f.p) === partition).sort((a, b) => Number(a.start) - Number(b.start));
    let covered = 0;
    for (const f of mine) if (Number(f.start) === covered) covered += Number(f.n);
    const at = Math.max(0, Number(offset));
    assert.ok(at <= covered, `partition ${partition}: committed ${at} but files cover only [0, ${covered})`);
    total += at;
  }
  assert.ok(total < 6000, `the failed run committed ${total} of 6000`);

  r = archive(endpoint);
  assert.equal(r.status, 0, r.stderr);
  rmSync(local, { recursive: true, force: true });
  downloadBucket('stuck', local);
  const rows = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids
    FROM read_parquet('${local}/lake/stuck/raw/parquet/**/*.parquet')`);
  assert.equal(Number(rows[0].n), 6000);
  assert.equal(Number(rows[0].ids), 6000);
  assert.deepEqual(boto("print(json.dumps(s3.list_multipart_uploads(Bucket='stuck').get('Uploads', [])))"), []);
});

// A moto of its own that checks signatures (they stay on once enabled),
// with an IAM user allowed everything on S3 and the bucket 'checked'.
async function startSigningMoto() {
  const { child, url } = await startMoto();
  const r = spawnSync('python3', ['-c', `
import boto3, json
kw = dict(endpoint_url='${url}', region_name='us-east-1', aws_access_key_id='x', aws_secret_access_key='x')
iam = boto3.client('iam', **kw)
iam.create_user(UserName='lp')
iam.put_user_policy(UserName='lp', PolicyName='s3', PolicyDocument=json.dumps(
    {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 's3:*', 'Resource': '*'}]}))
key = iam.create_access_key(UserName='lp')['AccessKey']
boto3.client('s3', **kw).create_bucket(Bucket='checked')
print(json.dumps({'id': key['AccessKeyId'], 'secret': key['SecretAccessKey']}))`], { encoding: 'utf8' });
  if (r.status !== 0) {
    child.kill('SIGKILL');
    throw new Error(`setting up the signing moto failed: ${r.stderr}`);
  }
  const enabled = await fetch(`${url}/moto-api/reset-auth`, { method: 'POST', body: '0' });
  assert.ok(enabled.ok);
  return { child, url, key: JSON.parse(r.stdout) };
}

test('lakepipe check: all OK with the right keys, a clear FAIL with a wrong secret (moto checking signatures)', async (t) => {
  const args = ['check', '--brokers', bootstrap, '--topic', 'users', '--lake', 's3://checked/lake'];
  const { key } = signing;
  let r = lakepipeWith({ AWS_ENDPOINT_URL: signing.url, AWS_ACCESS_KEY_ID: key.id, AWS_SECRET_ACCESS_KEY: key.secret }, ...args);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^kafka\s.*topic users\s+OK\s+4 partitions$/m);
  assert.match(r.stdout, /^lake\s+s3:\/\/checked\/lake\s+OK\s+wrote, read back and deleted lake\/_lakepipe\/check\//m);
  assert.ok(!(r.stdout + r.stderr).includes(key.secret));

  const wrong = `${key.secret.slice(0, -4)}zzzz`;
  r = lakepipeWith({ AWS_ENDPOINT_URL: signing.url, AWS_ACCESS_KEY_ID: key.id, AWS_SECRET_ACCESS_KEY: wrong }, ...args);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  t.diagnostic(`with a wrong secret:\n${r.stdout}`);
  assert.match(r.stdout, /^kafka\s.*\sOK\s/m);
  assert.match(r.stdout, /^lake\s+s3:\/\/checked\/lake\s+FAIL\s+.*SignatureDoesNotMatch/m);
  assert.ok(!(r.stdout + r.stderr).includes(wrong));
  assert.ok(!(r.stdout + r.stderr).includes(key.secret));
});

test('S3 settings from the config file, LAKEPIPE_S3_* and ./.env; no secret in any output of a whole run', async (t) => {
  const { key, url } = signing;
  const dir = join(work, 'settings');
  mkdirSync(dir);
  // No AWS_* variable of the test's own environment may help.
  const clean = { cwd: dir, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_SESSION_TOKEN: '',
    AWS_ENDPOINT_URL: '', AWS_ENDPOINT_URL_S3: '', AWS_PROFILE: '', HOME: dir };
  const config = join(dir, 'lakepipe.yaml');
  writeFileSync(config, `kafka:
  bootstrap.servers: ${bootstrap}
archive:
  topics: [secrets]
  group: secrets
  lake: s3://checked/lake
  schema: ${join(ROOT, 'schemas', 'user.avsc')}
  flush_records: 2000
  exit_when_idle: 6s
  stats_json: ${join(dir, 'stats.json')}
s3:
  endpoint: ${url}
  access_key_id: ${key.id}
  secret_access_key: ${key.secret}
`);
  const outputs = [];
  const run = (env, ...args) => {
    const r = lakepipeWith({ ...clean, ...env }, ...args);
    outputs.push(`$ lakepipe ${args.join(' ')}\n${r.stdout}${r.stderr}`);
    return r;
  };
  let r = run({}, 'produce', '--brokers', bootstrap, '--topic', 'secrets', '--source', 'users', '--seed', '11',
    '--count', '5000', '--quiet');
  assert.equal(r.status, 0, r.stderr);
  for (const command of ['archive', 'check', 'convert', 'inspect']) assert.equal(run({}, command, '--help').status, 0);

  r = run({}, 'archive', '--config', config, '--print-config');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /secret_access_key: "\*\*\*"/);
  assert.match(r.stdout, new RegExp(`access_key_id: "?${key.id}"?`));

  // The file's keys are right: moto, checking signatures, accepts them.
  r = run({}, 'check', '--config', config);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^lake\s+s3:\/\/checked\/lake\s+OK/m);

  // The archive itself goes to the shared moto (LAKEPIPE_S3_ENDPOINT beats
  // the file): moto's signature check rejects keys with '=', '+' or '$'
  // (boto3's requests too), and Hive paths have '='.
  boto("s3.create_bucket(Bucket='checked')");
  const plain = { LAKEPIPE_S3_ENDPOINT: endpoint };
  r = run(plain, 'archive', '--config', config);
  assert.equal(r.status, 0, r.stderr);
  const stats = JSON.parse(readFileSync(join(dir, 'stats.json'), 'utf8'));
  assert.equal(stats.archived, 5000);
  outputs.push(readFileSync(join(dir, 'stats.json'), 'utf8'));

  const listed = boto(`print(json.dumps([o['Key'] for o in s3.list_objects_v2(Bucket='checked', Prefix='lake/secrets/')['Contents']]))`);
  assert.ok(listed.length >= 3, `expected several files, got ${listed}`);
  r = run(plain, 'inspect', '--config', config, `s3://checked/${listed[0]}`, '--rows', '1');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /rows/i);
  const local = join(dir, 'first.jsonl');
  r = run(plain, 'convert', '--config', config, `s3://checked/${listed[0]}`, local);
  assert.equal(r.status, 0, r.stderr);
  // A write signed with the file's keys, checked by moto.
  r = run({}, 'convert', '--config', config, local, 's3://checked/copies/first.parquet', '--s3-part-size', '5MiB');
  assert.equal(r.status, 0, r.stderr);

  // LAKEPIPE_S3_* beats the file: a wrong secret from the environment fails.
  const wrong = `${key.secret.slice(0, -4)}zzzz`;
  r = run({ LAKEPIPE_S3_SECRET_ACCESS_KEY: wrong }, 'check', '--config', config);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^lake\s+s3:\/\/checked\/lake\s+FAIL\s+.*SignatureDoesNotMatch/m);
  r = run(plain, 'archive', '--config', config, '--lake', 's3://no-such-bucket-here/lake', '--group', 'secrets-missing');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /no-such-bucket-here/);

  // ./.env alone: AWS_* entries are read (not exported), the real
  // environment stays empty.
  writeFileSync(join(dir, '.env'), `AWS_ENDPOINT_URL=${url}\nAWS_ACCESS_KEY_ID=${key.id}\nAWS_SECRET_ACCESS_KEY="${key.secret}"\n`);
  r = run({}, 'check', '--lake', 's3://checked/lake');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /^lake\s+s3:\/\/checked\/lake\s+OK/m);

  const all = outputs.join('\n');
  t.diagnostic(`${outputs.length} outputs, ${all.length} characters, checked for the secrets`);
  assert.ok(!all.includes(key.secret), 'the secret appears in an output');
  assert.ok(!all.includes(wrong), 'the wrong secret appears in an output');
  const copied = boto(`print(json.dumps(s3.head_object(Bucket='checked', Key='copies/first.parquet')['ContentLength']))`, url, key);
  assert.ok(copied > 0);
  const rows = await duck(`SELECT count(*) AS n FROM read_json_auto('${local}')`);
  assert.ok(Number(rows[0].n) > 0);
});

test('HTTPS: certificates are verified; --s3-ca-bundle trusts a private CA; --s3-insecure only with a warning', async (t) => {
  const dir = join(work, 'tls');
  mkdirSync(dir);
  const cert = join(dir, 'cert.pem');
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-keyout', join(dir, 'key.pem'), '-out', cert, '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const port = await freePort();
  const https = `https://127.0.0.1:${port}`;
  const tls = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port), '-c', cert, '-k', join(dir, 'key.pem')],
    { stdio: 'ignore' });
  try {
    const env = { AWS_ACCESS_KEY_ID: 'AKIDINTEROP', AWS_SECRET_ACCESS_KEY: SECRET, AWS_ENDPOINT_URL: '' };
    const check = (...extra) => lakepipeWith(env, 'check', '--lake', 's3://tls-bucket/lake', '--s3-endpoint', https, ...extra);
    let r;
    for (let i = 0; i < 100; i++) {  // until moto answers (and the bucket exists)
      r = spawnSync('python3', ['-c', `
import boto3
boto3.client('s3', endpoint_url='${https}', region_name='us-east-1', verify='${cert}',
             aws_access_key_id='a', aws_secret_access_key='b').create_bucket(Bucket='tls-bucket')`]);
      if (r.status === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(r.status, 0, `moto over HTTPS did not come up: ${r.stderr}`);

    const started = Date.now();
    r = check();
    t.diagnostic(`self-signed, no CA bundle: ${r.stdout.trim().split('\n').pop()}`);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^lake\s+s3:\/\/tls-bucket\/lake\s+FAIL\s+.*certificate.*s3\.ca_bundle \(--s3-ca-bundle\)/m);
    assert.ok(Date.now() - started < 10000, 'an untrusted certificate is not retried');

    r = check('--s3-ca-bundle', cert);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^lake\s+s3:\/\/tls-bucket\/lake\s+OK/m);
    assert.doesNotMatch(r.stderr, /warning/);

    r = check('--s3-insecure');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stderr, /warning: s3\.insecure is set \(flag\): the S3 endpoint's HTTPS certificate is not verified/);
  } finally {
    tls.kill('SIGTERM');
  }
});

test('a lake in a bucket that does not exist fails clearly and commits nothing', () => {
  const env = { AWS_ENDPOINT_URL: endpoint, AWS_ACCESS_KEY_ID: 'AKIDINTEROP', AWS_SECRET_ACCESS_KEY: SECRET };
  const r = lakepipeWith(env, 'archive', '--brokers', bootstrap, '--topic', 'users', '--group', 's3-missing',
    '--lake', 's3://no-such-bucket/lake', '--schema', join(ROOT, 'schemas', 'user.avsc'),
    '--exit-when-idle', '6s', '-X', 'session.timeout.ms=6000');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /no-such-bucket/);
  assert.ok(!(r.stdout + r.stderr).includes(SECRET));
});

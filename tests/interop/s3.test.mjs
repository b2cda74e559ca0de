// S3: lakepipe archives a topic into s3://bucket/lake on moto_server (a real
// S3 HTTP API on loopback); boto3 lists and downloads what it wrote and
// DuckDB reads the Hive-partitioned Parquet back: every record exactly once.
// Secrets given in the environment never appear in lakepipe's output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { LAKEPIPE, ROOT, duck, lakepipeWith } from './lib.mjs';

const SECRET = 'lakepipe-interop-secret-9f3a';
let moto, endpoint, broker, bootstrap, work;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

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

// boto3 against moto; prints JSON.
function boto(code) {
  const r = spawnSync('python3', ['-c', `
import boto3, json, sys
s3 = boto3.client('s3', endpoint_url='${endpoint}', region_name='us-east-1',
                  aws_access_key_id='AKIDINTEROP', aws_secret_access_key='x')
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
  broker = spawn(LAKEPIPE, ['broker', '--partitions', '4', '--topic', 'users', '--topic', 'faulty'], { stdio: ['ignore', 'pipe', 'pipe'] });
  bootstrap = await new Promise((resolve, reject) => {
    createInterface({ input: broker.stdout }).once('line', resolve);
    setTimeout(() => reject(new Error('no bootstrap line from lakepipe broker')), 15000);
  });
});

after(() => {
  moto?.kill('SIGTERM');
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

test('lakepipe check: all OK with the right keys, a clear FAIL with a wrong secret (moto checking signatures)', async (t) => {
  // A moto of its own: signature checks stay on once enabled.
  const { child: authMoto, url: authEndpoint } = await startMoto();
  try {
    // While moto still accepts anything: an IAM user with an access key and S3 rights, and a bucket.
    const r0 = spawnSync('python3', ['-c', `
import boto3, json
kw = dict(endpoint_url='${authEndpoint}', region_name='us-east-1', aws_access_key_id='x', aws_secret_access_key='x')
iam = boto3.client('iam', **kw)
iam.create_user(UserName='lp')
iam.put_user_policy(UserName='lp', PolicyName='s3', PolicyDocument=json.dumps(
    {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': 's3:*', 'Resource': '*'}]}))
key = iam.create_access_key(UserName='lp')['AccessKey']
boto3.client('s3', **kw).create_bucket(Bucket='checked')
print(json.dumps({'id': key['AccessKeyId'], 'secret': key['SecretAccessKey']}))`], { encoding: 'utf8' });
    assert.equal(r0.status, 0, r0.stderr);
    const key = JSON.parse(r0.stdout);
    const enabled = await fetch(`${authEndpoint}/moto-api/reset-auth`, { method: 'POST', body: '0' });
    assert.ok(enabled.ok);

    const args = ['check', '--brokers', bootstrap, '--topic', 'users', '--lake', 's3://checked/lake'];
    let r = lakepipeWith({ AWS_ENDPOINT_URL: authEndpoint, AWS_ACCESS_KEY_ID: key.id, AWS_SECRET_ACCESS_KEY: key.secret }, ...args);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^kafka\s.*topic users\s+OK\s+4 partitions$/m);
    assert.match(r.stdout, /^lake\s+s3:\/\/checked\/lake\s+OK\s+wrote, read back and deleted lake\/_lakepipe\/check\//m);
    assert.ok(!(r.stdout + r.stderr).includes(key.secret));

    const wrong = `${key.secret.slice(0, -4)}zzzz`;
    r = lakepipeWith({ AWS_ENDPOINT_URL: authEndpoint, AWS_ACCESS_KEY_ID: key.id, AWS_SECRET_ACCESS_KEY: wrong }, ...args);
    assert.equal(r.status, 1, r.stdout + r.stderr);
    t.diagnostic(`with a wrong secret:\n${r.stdout}`);
    assert.match(r.stdout, /^kafka\s.*\sOK\s/m);
    assert.match(r.stdout, /^lake\s+s3:\/\/checked\/lake\s+FAIL\s+.*SignatureDoesNotMatch/m);
    assert.ok(!(r.stdout + r.stderr).includes(wrong));
    assert.ok(!(r.stdout + r.stderr).includes(key.secret));
  } finally {
    authMoto.kill('SIGTERM');
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

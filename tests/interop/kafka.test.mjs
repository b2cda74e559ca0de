// Kafka: `lakepipe broker` + `lakepipe produce`, checked with clients we did
// not write: kafkajs consumes, avsc decodes Avro payloads, and a schema
// registry stand-in (below) serves the registered schemas.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import kafkajs from 'kafkajs';
import lz4 from 'lz4js';
import { LAKEPIPE, ROOT, avroType, decimalText, duck, freePort, lakepipe, lakepipeWith, tempDir } from './lib.mjs';

const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = kafkajs;
// kafkajs ships no LZ4 codec (lakepipe's default); a pure-JS LZ4 frame decoder fills in.
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (encoder) => Buffer.from(lz4.compress(encoder.buffer)),
  decompress: async (buffer) => Buffer.from(lz4.decompress(buffer)),
});
const TOPICS = ['users_created', 'user_activity_avro_stream', 'users_plain_avro', 'replayed', 'limited', 'seeded_activity',
  'users_api', 'users_api_avro', 'users_api_registry'];
let broker;
let bootstrap;

// Starts `lakepipe broker` and reads the bootstrap address from its first stdout line.
before(async () => {
  broker = spawn(LAKEPIPE, ['broker', '--partitions', '4', ...TOPICS.flatMap((t) => ['--topic', t])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  broker.stderr.on('data', (d) => (stderr += d));
  bootstrap = await new Promise((resolve, reject) => {
    const lines = createInterface({ input: broker.stdout });
    lines.once('line', resolve);
    broker.once('exit', (code) => reject(new Error(`lakepipe broker exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`no bootstrap line from lakepipe broker: ${stderr}`)), 15000);
  });
  assert.match(bootstrap, /^127\.0\.0\.1:\d+/);
  // The start-up notice goes to stderr; give it a moment to arrive.
  for (let i = 0; i < 50 && !/5 MB/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(stderr, /in memory/i);
  assert.match(stderr, /5 MB/);
});

after(async () => {
  if (!broker) return;
  const exited = new Promise((resolve) => broker.once('exit', resolve));
  broker.kill('SIGTERM');
  assert.equal(await exited, 0, 'lakepipe broker exits 0 on SIGTERM');
});

// Runs lakepipe produce without blocking this process (the registry stand-in lives here).
function produce(...args) {
  return new Promise((resolve, reject) => {
    const child = spawn(LAKEPIPE, ['produce', '--brokers', bootstrap, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => {
      if (status !== 0) reject(new Error(`lakepipe produce ${args.join(' ')} exited ${status}\n${stderr}`));
      else resolve({ status, stderr });
    });
  });
}

// Runs lakepipe without blocking this process; resolves with its exit
// status and output.
function run(...args) {
  return new Promise((resolve) => {
    const child = spawn(LAKEPIPE, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (status) => resolve({ status, stdout, stderr }));
  });
}

// Consumes `count` messages of `topic` from the beginning with kafkajs.
async function consume(topic, count) {
  const kafka = new Kafka({ clientId: 'interop', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `interop-${topic}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const messages = [];
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${messages.length} of ${count} messages from ${topic}`)), 60000);
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        messages.push({ partition, key: message.key, value: message.value });
        if (messages.length >= count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  return messages;
}

const USER_FIELDS = ['id', 'first_name', 'last_name', 'gender', 'address', 'post_code', 'email', 'username', 'dob',
  'registered_date', 'phone', 'picture', 'city', 'state', 'country', 'nat'];

test('users as JSON: count, keys = ids, one partition per key', async () => {
  const r = await produce('--topic', 'users_created', '--source', 'users', '--count', '5000', '--seed', '7');
  assert.match(r.stderr, /produced 5,000 records/);
  assert.match(r.stderr, /delivered 5,000, failed 0/);
  const messages = await consume('users_created', 5000);
  assert.equal(messages.length, 5000);
  const partitionOf = new Map();
  for (const m of messages) {
    const user = JSON.parse(m.value.toString());
    assert.deepEqual(Object.keys(user), USER_FIELDS);
    assert.equal(m.key.toString(), user.id);
    assert.match(user.id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.match(user.registered_date, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    assert.ok(partitionOf.get(user.id) === undefined || partitionOf.get(user.id) === m.partition);
    partitionOf.set(user.id, m.partition);
  }
  assert.equal(new Set(messages.map((m) => m.partition)).size, 4, 'keys spread over all partitions');
});

// The keys of `v` and of every object below it, in order, with each leaf's JSON type.
function keyShape(v) {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, keyShape(x)]));
}

test('users --shape api: each message is a person exactly in the randomuser.me API\'s nested shape', async (t) => {
  for (const cmd of ['produce', 'run']) {
    const help = lakepipeWith({}, cmd, '--help').stdout.replace(/\s+/g, ' ');
    assert.match(help, /--shape TEXT users and randomuser: flat \(default; schemas\/user\.avsc\) or api/, cmd);
  }
  const r = await produce('--topic', 'users_api', '--source', 'users', '--shape', 'api', '--count', '2000', '--seed', '7');
  assert.match(r.stderr, /delivered 2,000, failed 0/);
  const messages = await consume('users_api', 2000);
  // A real API answer (GB: its postcode is a string, its id.value is set).
  const sample = JSON.parse(readFileSync(join(ROOT, 'src', 'sources', 'testdata', 'randomuser-sample.json'), 'utf8'));
  const api = keyShape(sample.results[1]);
  const expected = JSON.stringify(api);
  const withoutId = JSON.stringify({ ...api, id: { name: 'string', value: 'null' } });
  const nats = new Set();
  for (const m of messages) {
    const person = JSON.parse(m.value.toString());
    const shape = JSON.stringify(keyShape(person));
    assert.ok(shape === expected || shape === withoutId, `${shape}\n!=\n${expected}`);
    assert.equal(m.key.toString(), person.login.uuid);
    assert.match(person.login.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const dated of [person.dob, person.registered]) {
      assert.match(dated.date, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      assert.ok(Number.isInteger(dated.age) && dated.age >= 0);
    }
    assert.match(person.location.coordinates.latitude, /^-?\d{1,2}\.\d{4}$/);
    assert.match(person.location.coordinates.longitude, /^-?\d{1,3}\.\d{4}$/);
    assert.match(person.location.timezone.offset, /^[+-]?\d{1,2}:\d{2}$/);
    assert.match(person.login.md5, /^[0-9a-f]{32}$/);
    assert.match(person.login.sha1, /^[0-9a-f]{40}$/);
    assert.match(person.login.sha256, /^[0-9a-f]{64}$/);
    assert.ok(person.picture.medium.includes('/portraits/med/'));
    nats.add(person.nat);
  }
  assert.equal(nats.size, 21, 'every nationality');
  // As nested Avro (plain, and framed through a schema registry): avsc
  // decodes every message with schemas/user_api.avsc into the same person
  // as the JSON message of the same key.
  const byKey = new Map(messages.map((m) => [m.key.toString(), JSON.parse(m.value.toString())]));
  const type = avroType(JSON.parse(readFileSync(join(ROOT, 'schemas', 'user_api.avsc'), 'utf8')));
  const asJson = (person) => JSON.parse(JSON.stringify(person, (k, v) =>
    (typeof v === 'bigint' ? new Date(Number(v)).toISOString() : v)));
  const url = await startRegistry(t);
  for (const [topic, extra, header] of [['users_api_avro', [], 0], ['users_api_registry', ['--schema-registry', url], 5]]) {
    const a = await produce('--topic', topic, '--source', 'users', '--shape', 'api', '--count', '2000', '--seed', '7',
      '--message-format', 'avro', ...extra);
    assert.match(a.stderr, /delivered 2,000, failed 0/);
    const avroMessages = await consume(topic, 2000);
    for (const m of avroMessages) {
      if (header) {
        assert.equal(m.value[0], 0, 'magic byte');
        assert.equal(m.value.readInt32BE(1), 1, 'schema id');
      }
      const person = asJson(type.fromBuffer(m.value.subarray(header)));
      assert.equal(m.key.toString(), person.login.uuid);
      assert.deepEqual(person, byKey.get(person.login.uuid), topic);
    }
  }
  const latest = await (await fetch(`${url}/subjects/users_api_registry-value/versions/latest`)).json();
  assert.equal(latest.schema, readFileSync(join(ROOT, 'schemas', 'user_api.avsc'), 'utf8'));
  const activity = await run('produce', '--brokers', bootstrap, '--topic', 'users_api', '--source', 'activity',
    '--shape', 'api', '--count', '1');
  assert.match(activity.stderr, /source activity has no shape 'api'/);
});

test('a seeded activity source counts from the fixed time base --help names', async () => {
  for (const cmd of ['produce', 'run']) {
    const help = lakepipeWith({}, cmd, '--help').stdout.replace(/\s+/g, ' ');
    assert.match(help, /clock is fixed at 2026-01-01T00:00:00Z/, cmd);
    assert.match(help, /activity event times start at 2025-12-31T00:00:00Z/, cmd);
  }
  await produce('--topic', 'seeded_activity', '--source', 'activity', '--count', '2000', '--seed', '11');
  const messages = await consume('seeded_activity', 2000);
  const times = messages.map((m) => Date.parse(JSON.parse(m.value.toString()).event_time)).sort((a, b) => a - b);
  assert.equal(new Date(times[0]).toISOString(), '2025-12-31T00:00:00.000Z');
  assert.ok(times[times.length - 1] < Date.UTC(2026, 0, 1), 'a simulated day before the time base');
});

test('activity as Avro through a schema registry: Confluent framing, avsc decodes with the registered schema', async (t) => {
  // A stand-in for a schema registry: only the documented endpoints
  // POST /subjects/{subject}/versions and GET /schemas/ids/{id}.
  const schemas = [];
  const registry = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const post = req.url.match(/^\/subjects\/([^/]+)\/versions$/);
      if (req.method === 'POST' && post) {
        assert.equal(req.headers['content-type'], 'application/vnd.schemaregistry.v1+json');
        const { schema } = JSON.parse(body);
        let id = schemas.findIndex((s) => s.subject === decodeURIComponent(post[1]) && s.schema === schema) + 1;
        if (id === 0) id = schemas.push({ subject: decodeURIComponent(post[1]), schema });
        res.setHeader('content-type', 'application/vnd.schemaregistry.v1+json');
        return res.end(JSON.stringify({ id }));
      }
      const get = req.url.match(/^\/schemas\/ids\/(\d+)$/);
      if (req.method === 'GET' && get && schemas[get[1] - 1]) {
        return res.end(JSON.stringify({ schema: schemas[get[1] - 1].schema }));
      }
      // GET /subjects/{subject}/versions/latest (lakepipe check).
      const latest = req.url.match(/^\/subjects\/([^/]+)\/versions\/latest$/);
      const found = latest && schemas.filter((x) => x.subject === decodeURIComponent(latest[1])).pop();
      if (req.method === 'GET' && found) {
        return res.end(JSON.stringify({ subject: found.subject, version: 1, id: schemas.indexOf(found) + 1, schema: found.schema }));
      }
      res.statusCode = 404;
      res.end(JSON.stringify({ error_code: 40403, message: 'not found' }));
    });
  });
  await new Promise((resolve) => registry.listen(0, '127.0.0.1', resolve));
  t.after(() => registry.close());
  const url = `http://127.0.0.1:${registry.address().port}`;

  await produce('--topic', 'user_activity_avro_stream', '--source', 'activity', '--message-format', 'avro', '--schema-registry', url,
    '--count', '3000', '--seed', '11');
  assert.equal(schemas.length, 1);
  assert.equal(schemas[0].subject, 'user_activity_avro_stream-value');
  // The original schema text is registered.
  assert.equal(schemas[0].schema, readFileSync(join(ROOT, 'schemas', 'user_activity.avsc'), 'utf8'));
  const type = avroType(JSON.parse(schemas[0].schema));
  const messages = await consume('user_activity_avro_stream', 3000);
  const types = new Set();
  for (const m of messages) {
    assert.equal(m.value[0], 0, 'magic byte');
    assert.equal(m.value.readInt32BE(1), 1, 'schema id');
    const event = type.fromBuffer(m.value.subarray(5));
    assert.equal(m.key.toString(), event.user_id);
    types.add(event.event_type);
    if (event.event_type === 'page_view') assert.equal(event.quantity, null);
  }
  assert.ok(types.has('page_view') && types.has('add_to_cart') && types.has('purchase'), [...types].join());

  // lakepipe check probes the topics and their subjects: OK for what exists,
  // FAIL with the reason for what does not, exit status 1.
  const check = await run('check', '--brokers', bootstrap, '--topic', 'user_activity_avro_stream,no_such_topic',
    '--schema-registry', url);
  t.diagnostic(`lakepipe check:\n${check.stdout}`);
  assert.equal(check.status, 1, check.stdout + check.stderr);
  assert.match(check.stdout, /^kafka\s.*topic user_activity_avro_stream\s+OK\s+\d+ partitions$/m);
  assert.match(check.stdout, /^kafka\s.*topic no_such_topic\s+FAIL\s+.*no_such_topic/m);
  assert.match(check.stdout, /^schema registry\s.*subject user_activity_avro_stream-value\s+OK\s+latest schema found$/m);
  assert.match(check.stdout, /^schema registry\s.*subject no_such_topic-value\s+FAIL\s+.*not found/m);
});

test('randomuser and the schema registry out of reach: one line per retry, then a clear failure within a few seconds', async () => {
  const port = await freePort();
  const cases = [
    [['--source', 'randomuser', '--url', `http://127.0.0.1:${port}/api/`], 'randomuser', 'GET',
      `http://127\\.0\\.0\\.1:${port}/api/\\?results=\\d+`, 'connection refused', 'nothing listens there'],
    [['--source', 'randomuser', '--url', 'http://nonexistent.invalid/'], 'randomuser', 'GET',
      'http://nonexistent\\.invalid/\\?results=\\d+', 'host name does not resolve', 'check the host name'],
    [['--format', 'avro', '--schema-registry', `http://localhost:${port}`], 'schema registry', 'POST',
      `http://localhost:${port}/subjects/users_created-value/versions`, 'connection refused', 'nothing listens there'],
  ];
  for (const [args, who, method, url, reason, hint] of cases) {
    const started = Date.now();
    const r = lakepipe('produce', '--brokers', bootstrap, '--topic', 'users_created', '--count', '10', ...args);
    const seconds = (Date.now() - started) / 1000;
    assert.equal(r.status, 1, r.stderr);
    assert.ok(seconds < 5, `${who} ${args.join(' ')}: ${seconds} s\n${r.stderr}`);
    for (const retry of [1, 2]) {
      assert.match(r.stderr, new RegExp(`^lakepipe ${who}: ${method} ${url} failed: ${reason}; retry ${retry}/2 in \\d+\\.\\d s$`, 'm'), r.stderr);
    }
    assert.match(r.stderr, new RegExp(`^lakepipe produce: unavailable: .*${url} unreachable after 3 attempts .*${reason}; ${hint}`, 'm'), r.stderr);
    assert.ok(r.stderr.trim().split('\n').length <= 4, r.stderr);
  }
});

test('users as plain Avro with --schema decode with avsc', async () => {
  const schemaPath = join(ROOT, 'schemas', 'user.avsc');
  await produce('--topic', 'users_plain_avro', '--source', 'users', '--message-format', 'avro', '--schema', schemaPath, '--count', '1000');
  const type = avroType(JSON.parse(readFileSync(schemaPath, 'utf8')));
  const messages = await consume('users_plain_avro', 1000);
  for (const m of messages) {
    const user = type.fromBuffer(m.value);
    assert.equal(m.key.toString(), user.id);
    assert.ok(user.email.includes('@'));
  }
});

// Starts `lakepipe registry --port 0` and reads its URL from the first stdout line.
async function startRegistry(t) {
  const child = spawn(LAKEPIPE, ['registry', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.after(async () => {
    child.kill('SIGTERM');
    assert.equal(await exited, 0, 'lakepipe registry exits 0 on SIGTERM');
  });
  const url = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    exited.then((code) => reject(new Error(`lakepipe registry exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`no URL line from lakepipe registry: ${stderr}`)), 15000);
  });
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  for (let i = 0; i < 50 && !/development only/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(stderr, /in memory, development only/i);
  return url;
}

test('lakepipe registry: produce Avro, archive --schema-registry (Avro implied), DuckDB reads the lake', async (t) => {
  const help = lakepipe('registry', '--help');
  assert.equal(help.status, 0);
  assert.match(help.stdout, /in memory, development only/);
  const url = await startRegistry(t);
  await produce('--topic', 'registry_users', '--source', 'users', '--message-format', 'avro', '--schema-registry', url,
    '--count', '2000', '--seed', '5');
  const get = async (path) => (await fetch(url + path)).json();
  assert.deepEqual(await get('/subjects'), ['registry_users-value']);
  const latest = await get('/subjects/registry_users-value/versions/latest');
  assert.equal(latest.version, 1);
  assert.equal(latest.schema, readFileSync(join(ROOT, 'schemas', 'user.avsc'), 'utf8'));

  // No --message-format: the registry implies Avro in the Confluent wire format,
  // and the table schema is the subject's latest, logged at start.
  const dir = tempDir(t, 'registry');
  const r = await run('archive', '--brokers', bootstrap, '--topic', 'registry_users', '--group', 'registry-archiver',
    '--lake', dir, '--schema-registry', url, '--exit-when-idle', '6s', '-X', 'session.timeout.ms=6000');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`topic 'registry_users': table schema: subject 'registry_users-value' version 1 \\(id ${latest.id}\\) from ${url.replace(/\./g, '\\.')}, latest at start`), r.stderr);
  const [row] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids, min(email LIKE '%@%') AS emails
    FROM read_parquet('${join(dir, 'registry_users', 'raw', 'parquet', '**', '*.parquet')}')`);
  assert.deepEqual({ n: Number(row.n), ids: Number(row.ids), emails: row.emails }, { n: 2000, ids: 2000, emails: true });

  // A contradicting --message-format is named as such.
  const bad = await run('archive', '--brokers', bootstrap, '--topic', 'registry_users', '--group', 'registry-archiver',
    '--lake', dir, '--schema-registry', url, '--message-format', 'json');
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stderr, /--message-format json contradicts --schema-registry/);
  assert.doesNotMatch(bad.stderr, /pass --schema\b/);

  // An incompatible schema is refused with Confluent's 409.
  const user = JSON.parse(latest.schema);
  user.fields.push({ name: 'loyalty', type: 'int' });
  const refused = await fetch(`${url}/subjects/registry_users-value/versions`, {
    method: 'POST',
    headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
    body: JSON.stringify({ schema: JSON.stringify(user) }),
  });
  assert.equal(refused.status, 409);
  const error = await refused.json();
  assert.equal(error.error_code, 409);
  assert.match(error.message, /loyalty/);
});

test('Parquet decimals on INT32/INT64 are registered and framed as Avro decimals on bytes', async (t) => {
  const url = await startRegistry(t);
  const dir = tempDir(t, 'registry-decimals');
  const parquet = join(dir, 'decimals.parquet');
  await duck(`COPY (SELECT i AS id, CASE WHEN i % 4 = 0 THEN NULL ELSE ((i * 7919 - 500000) / 100)::DECIMAL(10,2) END AS price,
      ((i % 100 - 50) / 10)::DECIMAL(4,1) AS rate FROM range(200) r(i)) TO '${parquet}' (FORMAT parquet)`);
  const want = await duck(`SELECT id::VARCHAR AS id, price::VARCHAR AS price, rate::VARCHAR AS rate
    FROM read_parquet('${parquet}') ORDER BY id::BIGINT`);
  await produce('--topic', 'registry_decimals', '--source', `file:${parquet}`, '--message-format', 'avro',
    '--schema-registry', url, '--key', 'id');
  const latest = await (await fetch(`${url}/subjects/registry_decimals-value/versions/latest`)).json();
  const fields = Object.fromEntries(JSON.parse(latest.schema).fields.map((f) => [f.name, f.type]));
  const decimalOf = (type) => (Array.isArray(type) ? type.find((b) => b !== 'null') : type);
  assert.deepEqual(decimalOf(fields.price), { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 });
  assert.deepEqual(decimalOf(fields.rate), { type: 'bytes', logicalType: 'decimal', precision: 4, scale: 1 });

  // avsc decodes the framed values by the registered schema: the exact decimals.
  const type = avroType(JSON.parse(latest.schema));
  const got = (await consume('registry_decimals', want.length)).map((m) => {
    assert.equal(m.value.readInt32BE(1), latest.id, 'schema id');
    const r = type.fromBuffer(m.value.subarray(5));
    return { id: String(r.id), price: r.price === null ? null : decimalText(r.price, 2), rate: decimalText(r.rate, 1) };
  });
  got.sort((a, b) => Number(a.id) - Number(b.id));
  assert.deepEqual(got, want);
});

test('archive logs where the table schema comes from: --schema FILE', async (t) => {
  const schema = join(ROOT, 'schemas', 'user.avsc');
  const dir = tempDir(t, 'schema-origin');
  const r = await run('archive', '--brokers', bootstrap, '--topic', 'users_created', '--group', 'origin-archiver',
    '--lake', dir, '--schema', schema, '--exit-when-idle', '1ms', '-X', 'session.timeout.ms=6000');
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stderr.includes(`topic 'users_created': table schema: from --schema ${schema}`), r.stderr);
});

test('file source replays a JSON Lines file record for record', async () => {
  const path = join(ROOT, 'samples', 'users.jsonl');
  const lines = readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  await produce('--topic', 'replayed', '--source', `file:${path}`, '--key', 'id', '--schema', join(ROOT, 'schemas', 'user.avsc'));
  const messages = await consume('replayed', lines.length);
  const byId = new Map(messages.map((m) => [m.key.toString(), JSON.parse(m.value.toString())]));
  assert.equal(byId.size, lines.length);
  for (const line of lines) {
    const got = byId.get(line.id);
    assert.ok(got, `record ${line.id} missing`);
    assert.equal(got.first_name, line.first_name);
    assert.equal(got.post_code, String(line.post_code));
    assert.equal(Date.parse(got.dob), Date.parse(line.dob));
  }
});

test('rate limits and bad settings', async () => {
  const start = Date.now();
  await produce('--topic', 'limited', '--source', 'users', '--count', '300', '--rate', '200');
  const seconds = (Date.now() - start) / 1000;
  assert.ok(seconds >= 1.3, `300 records at 200/s took ${seconds} s`);
  let r = lakepipe('produce', '--brokers', bootstrap, '--topic', 'limited', '--count', '1', '-X', 'no.such.setting=1');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /no\.such\.setting/);
  r = lakepipe('produce', '--brokers', bootstrap, '--topic', 'limited', '--source', 'nope', '--count', '1');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /nope/);
  assert.match(r.stderr, /users/);
  r = lakepipe('produce', '--brokers', '127.0.0.1:1', '--topic', 'limited', '--count', '1');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /127\.0\.0\.1:1/);
});

test('settings: flags > environment > ./.env > config file > defaults; secrets masked', async (t) => {
  const dir = tempDir(t, 'config');
  const config = join(dir, 'lakepipe.yaml');
  writeFileSync(config, [
    'kafka:',
    `  bootstrap.servers: ${bootstrap}`,
    '  linger.ms: 7',
    'schema_registry:',
    '  url: http://registry.invalid:8081',
    '  password: hunter2-secret',
    'produce:',
    '  topic: from-file',
    '  message_format: avro',
    'source:',
    '  name: activity',
  ].join('\n') + '\n');
  let r = lakepipeWith({ cwd: dir }, 'produce', '--config', config, '--print-config');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /from-file/);
  assert.match(r.stdout, /linger\.ms/);
  assert.ok(!r.stdout.includes('hunter2-secret') && !r.stderr.includes('hunter2-secret'), 'secret masked');
  writeFileSync(join(dir, '.env'), 'LAKEPIPE_PRODUCE_TOPIC=from-dotenv\n');
  r = lakepipeWith({ cwd: dir }, 'produce', '--config', config, '--print-config');
  assert.match(r.stdout, /from-dotenv/);
  r = lakepipeWith({ cwd: dir, LAKEPIPE_PRODUCE_TOPIC: 'from-env' }, 'produce', '--config', config, '--print-config');
  assert.match(r.stdout, /from-env/);
  r = lakepipeWith({ cwd: dir, LAKEPIPE_PRODUCE_TOPIC: 'from-env' }, 'produce', '--config', config, '--topic', 'from-flag',
    '--print-config');
  assert.match(r.stdout, /from-flag/);
  assert.doesNotMatch(r.stdout, /from-env/);
  // Unknown keys and bad values name the key and what is allowed.
  writeFileSync(config, 'produce:\n  topic: x\n  formatt: json\n');
  r = lakepipeWith({ cwd: dir }, 'produce', '--config', config, '--print-config');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /formatt/);
  assert.match(r.stderr, /format/);
  writeFileSync(config, 'produce:\n  message_format: xml\n');
  r = lakepipeWith({ cwd: dir }, 'produce', '--config', config, '--print-config');
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /xml/);
  assert.match(r.stderr, /avro/);
  // A config file drives a real run (without the .env above, which would win).
  rmSync(join(dir, '.env'));
  writeFileSync(config, `kafka:\n  bootstrap.servers: ${bootstrap}\nproduce:\n  topic: limited\n  count: 10\n`);
  r = lakepipeWith({ cwd: dir }, 'produce', '--config', config);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /produced 10 records to 'limited'/);
});

test('credentials in URLs are masked in --print-config, check, logs and errors', async (t) => {
  const PASSWORD = 'Pa55-in-url-7c1e';
  // A registry stand-in that knows no subject; it records the credentials it is sent.
  const authorizations = [];
  const registry = createServer((req, res) => {
    authorizations.push(req.headers.authorization);
    res.statusCode = 404;
    res.end(JSON.stringify({ error_code: 40401, message: 'subject not found' }));
  });
  await new Promise((resolve) => registry.listen(0, '127.0.0.1', resolve));
  t.after(() => registry.close());
  const url = `http://reguser:${PASSWORD}@127.0.0.1:${registry.address().port}`;
  const down = `http://reguser:${PASSWORD}@127.0.0.1:${await freePort()}`;
  const dir = tempDir(t, 'url-credentials');
  // produce reads the kafka, schema_registry and source sections; archive and check also s3.
  const produceConfig = join(dir, 'produce.yaml');
  const common = ['kafka:', `  bootstrap.servers: ${bootstrap}`, 'schema_registry:', `  url: ${url}`];
  writeFileSync(produceConfig, [...common, 'source:', `  url: https://api:${PASSWORD}@127.0.0.1:1/api/`].join('\n') + '\n');
  const config = join(dir, 'lakepipe.yaml');
  writeFileSync(config, [...common, 's3:', `  endpoint: http://akid:${PASSWORD}@127.0.0.1:${await freePort()}`,
    '  retry_deadline: 0', '  access_key_id: AKIDURLTEST', `  secret_access_key: sk-${PASSWORD}`].join('\n') + '\n');
  const outputs = [];
  let r = await run('produce', '--config', produceConfig, '--print-config');
  outputs.push(r);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /url: "?http:\/\/reguser:\*\*\*@127\.0\.0\.1:\d+"?/, r.stdout);
  assert.match(r.stdout, /url: "?https:\/\/api:\*\*\*@127\.0\.0\.1:1\/api\/"?/, r.stdout);
  r = await run('archive', '--config', config, '--print-config');
  outputs.push(r);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /url: "?http:\/\/reguser:\*\*\*@127\.0\.0\.1:\d+"?/, r.stdout);
  assert.match(r.stdout, /endpoint: "?http:\/\/akid:\*\*\*@127\.0\.0\.1:\d+"?/, r.stdout);
  // check: the registry's row names the URL, masked; the credentials still reach the registry.
  r = await run('check', '--config', config, '--topic', 'limited');
  outputs.push(r);
  t.diagnostic(`lakepipe check:\n${r.stdout}${r.stderr}`);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^schema registry\s+http:\/\/reguser:\*\*\*@127\.0\.0\.1:\d+ subject limited-value\s+FAIL/m);
  assert.ok(authorizations.includes(`Basic ${Buffer.from(`reguser:${PASSWORD}`).toString('base64')}`),
    `the registry got ${JSON.stringify(authorizations)}`);
  // A registry that is down, and an S3 endpoint that is down: errors name them, masked.
  r = await run('check', '--config', config, '--topic', 'limited', '--schema-registry', down, '--lake', 's3://bucket/lake');
  outputs.push(r);
  t.diagnostic(`lakepipe check:\n${r.stdout}${r.stderr}`);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^schema registry\s+http:\/\/reguser:\*\*\*@127\.0\.0\.1:\d+ subject limited-value\s+FAIL\s+.*unavailable/m);
  assert.match(r.stdout, /^lake\s+s3:\/\/bucket\/lake\s+FAIL\s+.*http:\/\/akid:\*\*\*@127\.0\.0\.1:\d+\//m);
  // archive and produce reach the registry and fail there.
  r = await run('archive', '--config', config, '--topic', 'limited', '--group', 'url-credentials', '--lake', join(dir, 'lake'),
    '--message-format', 'avro', '--schema-registry', down, '--exit-when-idle', '1s', '--log-format', 'json');
  outputs.push(r);
  r = await run('produce', '--config', produceConfig, '--topic', 'limited', '--message-format', 'avro', '--schema-registry', down,
    '--count', '1');
  outputs.push(r);
  assert.notEqual(r.status, 0, r.stderr);
  assert.match(r.stderr, /schema registry: .*127\.0\.0\.1:\d+/, r.stderr);
  for (const o of outputs) {
    assert.ok(!(o.stdout + o.stderr).includes(PASSWORD), `the password appears in:\n${o.stdout}${o.stderr}`);
  }
});

test('usage errors and rejected Kafka settings never echo secret values', async (t) => {
  const SECRET = 'flag-secret-41d9';
  const lake = join(tempDir(t, 'usage-secrets'), 'lake');
  // Flags given to a command that does not have them, and values without their flag.
  const misplaced = [
    ['transform', '--lake', lake, '--schema-registry-auth', `reguser:${SECRET}`, '-X', `sasl.password=${SECRET}`],
    ['transform', '--lake', lake, `--schema-registry-auth=reguser:${SECRET}`, `-Xsasl.password=${SECRET}`],
    ['archive', '--brokers', bootstrap, `reguser:${SECRET}`, `sasl.password=${SECRET}`, '--topic', 'limited'],
    ['sql', '--dialect', 'duckdb', '--lake', lake, '--sasl-password', SECRET],
    ['produce', '--brokers', bootstrap, '--topic', 'limited', '--count', '1', '--password', SECRET],
  ];
  for (const args of misplaced) {
    const r = lakepipe(...args);
    assert.equal(r.status, 2, `${args[0]} exited ${r.status}\n${r.stderr}`);
    assert.ok(!(r.stdout + r.stderr).includes(SECRET), `the secret is echoed:\n${r.stderr}`);
    assert.match(r.stderr, /--help/);
  }
  let r = lakepipe(...misplaced[0]);
  assert.match(r.stderr, /--schema-registry-auth/, 'the unexpected flag is named');
  assert.match(r.stderr, /-X/);
  r = lakepipe(...misplaced[2]);
  assert.match(r.stderr, /2 values/, r.stderr);
  // An unknown -X key is named, its value is not; nor is a bad value.
  for (const setting of [`sasl.pasword=${SECRET}`, `acks=${SECRET}`]) {
    r = lakepipe('produce', '--brokers', bootstrap, '--topic', 'limited', '--count', '1', '-X', setting);
    assert.notEqual(r.status, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`'${setting.split('=')[0].replace('.', '\\.')}'`), r.stderr);
    assert.ok(!(r.stdout + r.stderr).includes(SECRET), `the value is echoed:\n${r.stderr}`);
  }
  // --print-config masks a misspelt secret key too.
  r = lakepipe('produce', '--brokers', bootstrap, '--topic', 'limited', '-X', `sasl.pasword=${SECRET}`, '--print-config');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /sasl\.pasword/);
  assert.ok(!(r.stdout + r.stderr).includes(SECRET), r.stdout);
});

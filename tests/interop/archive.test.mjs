// `lakepipe archive`: Kafka -> Hive-partitioned lake, checked with clients we
// did not write: kafkajs produces the input and reads the dead-letter topic
// and the broker's offsets, DuckDB reads the lake (Parquet, JSON Lines, CSV,
// Hive partition values) and avsc reads the Avro files.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative, sep } from 'node:path';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import avro from 'avsc';
import kafkajs from 'kafkajs';
import lz4 from 'lz4js';
import { LAKEPIPE, ROOT, duck, lakepipe, lakepipeWith, readAvroFile, tempDir } from './lib.mjs';

const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = kafkajs;
// kafkajs ships no LZ4 codec (lakepipe's default); a pure-JS LZ4 frame codec fills in.
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (encoder) => Buffer.from(lz4.compress(encoder.buffer)),
  decompress: async (buffer) => Buffer.from(lz4.decompress(buffer)),
});

// The dev broker's group coordinator (librdkafka's mock cluster) keeps a
// group rebalancing for the previous member's session timeout after that
// member has left (lakepipe does send LeaveGroup on exit), so a second run in
// the same group would wait ~45 s to join. A short session timeout keeps
// reruns quick; it changes nothing else.
const QUICK_REJOIN = ['-X', 'session.timeout.ms=6000'];
// The first join of a group on the dev broker takes 3-5 s.
const IDLE = '6s';

const brokers = [];

// Starts `lakepipe broker` and returns its bootstrap address (first stdout line).
async function startBroker(partitions, topics) {
  const child = spawn(LAKEPIPE, ['broker', '--partitions', String(partitions), ...topics.flatMap((t) => ['--topic', t])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const bootstrap = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`lakepipe broker exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`no bootstrap line from lakepipe broker: ${stderr}`)), 15000);
  });
  assert.match(bootstrap, /^127\.0\.0\.1:\d+/);
  const kafka = new Kafka({ clientId: 'interop-archive', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  const admin = kafka.admin();
  await admin.connect();
  const broker = { child, bootstrap, kafka, producer, admin };
  brokers.push(broker);
  return broker;
}

let main; // 3 partitions per topic

before(async () => {
  main = await startBroker(3, ['dl', 'dl.dlq', 'fb', 'fb.dlq', 'hostile', 'rot', 'fmt', 'u8', 'u8.dlq', 'u8cf', 'u8cf.dlq', 'names', '_names', 'many', 'wide']);
});

after(async () => {
  for (const b of brokers) {
    await b.producer.disconnect();
    await b.admin.disconnect();
    const exited = new Promise((resolve) => b.child.once('exit', resolve));
    b.child.kill('SIGTERM');
    assert.equal(await exited, 0, 'lakepipe broker exits 0 on SIGTERM');
  }
});

// Runs `lakepipe archive` without blocking this process; resolves with its
// exit status, output and (when asked for) the --stats-json document. Fails
// if it is still running after `limitMs`. `openFiles` runs it under
// `ulimit -n openFiles` (soft and hard limit); `peakRss` samples its peak
// resident memory (VmHWM, bytes) into the result.
function archive(broker, args, { statsPath, limitMs = 90000, openFiles, peakRss } = {}) {
  const all = ['archive', '--brokers', broker.bootstrap, ...QUICK_REJOIN, ...args];
  if (statsPath) all.push('--stats-json', statsPath);
  return new Promise((resolve, reject) => {
    const child = openFiles
      ? spawn('bash', ['-c', `ulimit -n ${openFiles} && exec "$0" "$@"`, LAKEPIPE, ...all], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(LAKEPIPE, all, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let peak = 0;
    const sampler = peakRss && setInterval(() => {
      try {
        const hwm = readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/^VmHWM:\s+(\d+) kB/m);
        if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024);
      } catch {
        // exited
      }
    }, 20);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lakepipe ${all.join(' ')} still running after ${limitMs} ms\n${stderr}`));
    }, limitMs);
    child.on('exit', (status, signal) => {
      clearTimeout(timer);
      if (sampler) clearInterval(sampler);
      const stats = statsPath && existsSync(statsPath) ? JSON.parse(readFileSync(statsPath, 'utf8')) : undefined;
      resolve({ status, signal, stdout, stderr, stats, peakRss: peak });
    });
  });
}

// Sends messages one by one (so each one's offset is known); returns them
// with `partition` and `offset` filled in.
async function sendEach(broker, topic, messages) {
  const out = [];
  for (const m of messages) {
    const [meta] = await broker.producer.send({ topic, messages: [m], acks: -1 });
    assert.equal(meta.errorCode, 0);
    out.push({ ...m, partition: meta.partition, offset: Number(meta.baseOffset) });
  }
  return out;
}

// Every entry but directories (files, symlinks, ...) under `dir`, as paths.
function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true })
    .map((p) => join(dir, p))
    .filter((p) => !lstatSync(p).isDirectory());
}

function sqlString(s) {
  return `'${s.replaceAll("'", "''")}'`;
}

// Reads every message of `topic` with kafkajs: the count comes from the
// broker's watermarks, so missing or extra messages are noticed.
async function readTopic(broker, topic) {
  const offsets = await broker.admin.fetchTopicOffsets(topic);
  const expected = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  const messages = [];
  if (expected === 0) return messages;
  const consumer = broker.kafka.consumer({ groupId: `interop-read-${topic}-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${messages.length} of ${expected} messages from ${topic}`)), 60000);
      consumer.run({
        eachMessage: async ({ partition, message }) => {
          messages.push({ partition, ...message });
          if (messages.length >= expected) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const DATA_FILE = /^(?<topic>[A-Za-z0-9._-]+)\+(?<partition>\d+)\+(?<offset>\d{20})\.(?<ext>[a-z]+)$/;

// ------------------------------------------------------------ dead letters

const DL_SCHEMA = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'name', type: 'string' },
    { name: 'qty', type: 'int' },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN', 'BLUE'] } },
  ],
};

test('dead letters: good records in the lake, bad ones byte-identical in <topic>.dlq with their origin and reason', async (t) => {
  const dir = tempDir(t, 'archive-dl');
  const lake = join(dir, 'lake');
  const schemaPath = join(dir, 'order.avsc');
  writeFileSync(schemaPath, JSON.stringify(DL_SCHEMA));
  const ts = (i) => String(1700000000000 + i * 1000);

  const good = [];
  for (let i = 0; i < 24; i++) {
    const rec = {
      name: `order-${i}`, qty: i * 3 - 7, note: i % 4 === 0 ? null : `note ${i} ✓`, color: ['RED', 'GREEN', 'BLUE'][i % 3],
    };
    const value = JSON.stringify(i % 8 === 1 ? { name: rec.name, qty: rec.qty, color: rec.color } : rec); // note omitted: null
    if (i % 8 === 1) rec.note = null;
    good.push({ kind: 'good', rec, message: { key: i % 2 ? `k${i}` : null, value, partition: i % 3, timestamp: ts(i) } });
  }
  const okRec = { name: 'x', qty: 1, note: null, color: 'RED' };
  const badCases = [
    // Not JSON at all: either reason names the problem.
    { value: Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x22]), error: /invalid JSON|expected a JSON object/ },
    { value: 'not json {', error: /invalid JSON|expected a JSON object/ },
    { value: '{"name": "x", "qty": 1, "color": "RED"', error: /invalid JSON/ },
    { value: '', error: /empty input/ },
    // A tombstone (null value) is no record either; it stays a tombstone.
    { value: null, error: /empty input/ },
    { value: '[1, 2, 3]', error: /expected a JSON object/ },
    { value: JSON.stringify({ ...okRec, qty: 'abc' }), error: /field 'qty': expected int, got "abc"/ },
    { value: JSON.stringify({ ...okRec, qty: 1.5 }), error: /field 'qty': expected int, got 1\.5/ },
    { value: JSON.stringify({ ...okRec, qty: 2147483648 }), error: /field 'qty'.*2147483648.*out of range/ },
    { value: JSON.stringify({ ...okRec, qty: true }), error: /field 'qty': expected int, got true/ },
    { value: JSON.stringify({ ...okRec, qty: { n: 1 } }), error: /field 'qty': expected int/ },
    // A number for a string field is converted (text_formats.h); null is not.
    { value: JSON.stringify({ ...okRec, name: null }), error: /field 'name'.*null.*not nullable/ },
    { value: JSON.stringify({ ...okRec, color: 5 }), error: /field 'color': expected one of the symbols RED, GREEN, BLUE/ },
    { value: JSON.stringify({ qty: 3, color: 'RED' }), error: /field 'name': missing, and the field is not nullable/ },
    { value: JSON.stringify({ name: 'n', qty: 3 }), error: /field 'color': missing, and the field is not nullable/ },
    {
      value: JSON.stringify({ ...okRec, color: 'PURPLE' }),
      error: /field 'color': expected one of the symbols RED, GREEN, BLUE, got "PURPLE"/,
    },
    { value: JSON.stringify({ ...okRec, color: 'red' }), error: /field 'color': expected one of the symbols.*"red"/ },
    // Valid records, but larger than --max-record-bytes.
    { value: JSON.stringify({ ...okRec, note: 'y'.repeat(4070) }), error: /^oversize: .*\b4114 bytes.*4096 bytes/ },
    { value: randomBytes(6000), error: /^oversize: .*\b6000 bytes.*4096 bytes/ },
  ];
  const bad = badCases.map((c, i) => ({
    kind: 'bad',
    error: c.error,
    message: { key: i % 2 ? Buffer.from([0, 1, 2, i]) : null, value: c.value, partition: (i + 1) % 3, timestamp: ts(100 + i) },
  }));
  // An empty key is a key (not the absence of one).
  bad.push({
    kind: 'bad',
    error: /field 'qty'/,
    message: { key: Buffer.alloc(0), value: '{"name": "e", "qty": "x", "color": "RED"}', partition: 1, timestamp: ts(99) },
  });
  // Interleave, so bad records sit between good ones in every partition.
  const all = [];
  for (let i = 0; i < Math.max(good.length, bad.length); i++) {
    if (good[i]) all.push(good[i]);
    if (bad[i]) all.push(bad[i]);
  }
  const sent = await sendEach(main, 'dl', all.map((x) => x.message));
  all.forEach((x, i) => Object.assign(x, { partition: sent[i].partition, offset: sent[i].offset }));

  const start = Date.now();
  const statsPath = join(dir, 'stats.json');
  const r = await archive(main, ['--topic', 'dl', '--group', 'dl-archiver', '--lake', lake, '--schema', schemaPath,
    '--max-record-bytes', '4096', '--exit-when-idle', IDLE], { statsPath });
  assert.equal(r.status, 0, r.stderr);
  const s = r.stats;
  assert.ok(s, `no stats written\n${r.stderr}`);
  assert.equal(s.consumed, all.length, 'consumed');
  assert.equal(s.archived, good.length, 'archived');
  assert.equal(s.dead_lettered, bad.length, 'dead_lettered');
  assert.equal(s.dead_letter_files, 0, 'nothing fell back to files');
  assert.equal(s.given_back, 0, 'nothing given back on a plain run');
  assert.equal(s.consumed, s.archived + s.dead_lettered);
  assert.equal(s.ok, true);
  assert.ok(!existsSync(join(lake, '_rejected')), 'no fallback files when the DLQ topic takes everything');

  // The lake: exactly the good records, in files named after their first offset.
  const files = filesUnder(join(lake, 'dl', 'raw', 'parquet'));
  assert.ok(files.length > 0);
  const rows = await duck(`SELECT name, qty, note, CAST(color AS VARCHAR) AS color, filename
    FROM read_parquet(${sqlString(join(lake, 'dl', 'raw', 'parquet', '**', '*.parquet'))}, filename=true) ORDER BY name`);
  const want = good.map((g) => g.rec).sort((a, b) => (a.name < b.name ? -1 : 1));
  assert.deepEqual(rows.map(({ filename, ...row }) => row), want);
  const byName = new Map(good.map((g) => [g.rec.name, g]));
  const firstOffsets = new Map();
  for (const row of rows) {
    const m = basename(row.filename).match(DATA_FILE);
    assert.ok(m, `file name ${row.filename}`);
    const g = byName.get(row.name);
    assert.equal(m.groups.topic, 'dl');
    assert.equal(Number(m.groups.partition), g.partition, `${row.name} in the file of its partition`);
    const first = Math.min(firstOffsets.get(row.filename) ?? Infinity, g.offset);
    firstOffsets.set(row.filename, first);
  }
  for (const [file, first] of firstOffsets) {
    assert.equal(Number(basename(file).match(DATA_FILE).groups.offset), first, `${file} is named after its first offset`);
  }

  // The dead-letter topic: exactly the bad records, unchanged, with their origin.
  const dlq = await readTopic(main, 'dl.dlq');
  assert.equal(dlq.length, bad.length, 'dead letters in dl.dlq');
  const byOrigin = new Map(bad.map((b) => [`${b.partition}/${b.offset}`, b]));
  const seen = new Set();
  const changed = []; // values and keys that did not come through unchanged
  const show = (x) => (x === null ? 'null' : `<${x.length} bytes>`);
  for (const m of dlq) {
    const h = Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, v?.toString()]));
    assert.equal(h['lakepipe.source.topic'], 'dl');
    assert.match(h['lakepipe.source.partition'], /^\d+$/);
    assert.match(h['lakepipe.source.offset'], /^\d+$/);
    const origin = `${h['lakepipe.source.partition']}/${h['lakepipe.source.offset']}`;
    const b = byOrigin.get(origin);
    assert.ok(b, `dead letter from ${origin} is not one of the bad records`);
    assert.ok(!seen.has(origin), `dead letter from ${origin} twice`);
    seen.add(origin);
    assert.equal(h['lakepipe.source.timestamp'], b.message.timestamp, `timestamp of ${origin}`);
    assert.match(h['lakepipe.error'], b.error, `reason for ${origin}`);
    assert.match(h['lakepipe.time'], ISO_UTC);
    const when = Date.parse(h['lakepipe.time']);
    assert.ok(when >= start - 1000 && when <= Date.now() + 1000, `lakepipe.time ${h['lakepipe.time']} is during the run`);
    const same = (a, x) => (a === null ? x === null : x !== null && Buffer.from(a).equals(x));
    for (const part of ['value', 'key']) {
      const sent = b.message[part] === null ? null : Buffer.from(b.message[part]);
      if (!same(sent, m[part])) changed.push(`${origin} ${part}: sent ${show(sent)}, dead letter ${show(m[part])}`);
    }
  }
  // The null value (tombstone) and the empty key were sent as such (read back with kafkajs).
  const source = await readTopic(main, 'dl');
  const at = (b) => source.find((m) => m.partition === b.partition && Number(m.offset) === b.offset);
  assert.equal(at(bad.find((b) => b.message.value === null)).value, null, 'kafkajs produced a tombstone');
  assert.deepEqual(at(bad.find((b) => b.message.key?.length === 0)).key, Buffer.alloc(0), 'kafkajs produced an empty key');
  assert.deepEqual(changed, [], 'dead letters keep value and key unchanged');
});

// ------------------------------------------------------------ Avro strings that are not UTF-8

const U8_SCHEMA = {
  type: 'record',
  name: 'Msg',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'text', type: 'string' },
    { name: 'tag', type: ['null', 'string'], default: null },
  ],
};
// Avro encodes string and bytes alike, so this twin makes avsc write any bytes where U8_SCHEMA has strings.
const U8_RAW = avro.Type.forSchema({
  ...U8_SCHEMA,
  fields: [{ name: 'id', type: 'int' }, { name: 'text', type: 'bytes' }, { name: 'tag', type: ['null', 'bytes'] }],
});

test('Avro strings that are not UTF-8 are dead-lettered, plain and Confluent-framed; DuckDB reads the rest', async (t) => {
  const dir = tempDir(t, 'archive-utf8');
  const schemaPath = join(dir, 'msg.avsc');
  writeFileSync(schemaPath, JSON.stringify(U8_SCHEMA));
  // A schema registry stand-in that knows one id: GET /schemas/ids/7.
  const SCHEMA_ID = 7;
  const registry = createServer((req, res) => {
    if (req.method === 'GET' && req.url === `/schemas/ids/${SCHEMA_ID}`) return res.end(JSON.stringify({ schema: JSON.stringify(U8_SCHEMA) }));
    res.statusCode = 404;
    res.end(JSON.stringify({ error_code: 40403, message: 'Schema not found' }));
  });
  await new Promise((resolve) => registry.listen(0, '127.0.0.1', resolve));
  t.after(() => registry.close());
  const url = `http://127.0.0.1:${registry.address().port}`;

  const b = (...bytes) => Buffer.from(bytes);
  const records = [
    { id: 1, text: 'plain', tag: null },
    { id: 2, text: 'ünïcødé ✓ 😀', tag: 'é' },
    { id: 3, text: b(0x63, 0x61, 0x66, 0xe9), tag: null, error: /field 'text': string is not valid UTF-8 \(byte 0xe9 at offset 3 of 4\)/ },
    { id: 4, text: 'ok', tag: b(0xed, 0xa0, 0x80), error: /field 'tag': string is not valid UTF-8 \(byte 0xed at offset 0/ },
    { id: 5, text: b(0xc0, 0xaf), tag: 'x', error: /field 'text': string is not valid UTF-8/ },
    { id: 6, text: b(0x61, 0xe2, 0x9c), tag: null, error: /field 'text': string is not valid UTF-8 \(byte 0xe2 at offset 1/ },
    { id: 7, text: 'last', tag: 'good' },
  ];
  const datum = (r) => U8_RAW.toBuffer({ id: r.id, text: Buffer.from(r.text), tag: r.tag === null ? null : Buffer.from(r.tag) });
  const header = Buffer.alloc(5);
  header.writeInt32BE(SCHEMA_ID, 1);
  const framings = [
    { topic: 'u8', args: [], value: datum },
    { topic: 'u8cf', args: ['--schema-registry', url], value: (r) => Buffer.concat([header, datum(r)]) },
  ];
  for (const f of framings) {
    await main.producer.send({ topic: f.topic, acks: -1, messages: records.map((r, i) => ({ value: f.value(r), partition: i % 3 })) });
  }
  const runs = await Promise.all(framings.map((f) => archive(main, ['--topic', f.topic, '--group', `${f.topic}-archiver`,
    '--lake', join(dir, f.topic), '--schema', schemaPath, '--message-format', 'avro', ...f.args, '--exit-when-idle', IDLE],
  { statsPath: join(dir, `${f.topic}.json`) })));

  const good = records.filter((r) => !r.error);
  const bad = records.filter((r) => r.error);
  for (const [k, f] of framings.entries()) {
    const r = runs[k];
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stats.archived, good.length, `${f.topic}: archived`);
    assert.equal(r.stats.dead_lettered, bad.length, `${f.topic}: dead-lettered`);
    // The whole table reads back with DuckDB: exactly the good records.
    const rows = await duck(`SELECT id, text, tag FROM read_parquet(${sqlString(join(dir, f.topic, f.topic, 'raw', 'parquet', '**', '*.parquet'))}) ORDER BY id`);
    assert.deepEqual(rows, good.map(({ id, text, tag }) => ({ id, text, tag })), `${f.topic}: the lake`);
    // Every bad record is in the dead-letter topic, unchanged, with its reason.
    const dlq = await readTopic(main, `${f.topic}.dlq`);
    assert.equal(dlq.length, bad.length, `${f.topic}: dead letters`);
    for (const m of dlq) {
      const rec = bad.find((x) => f.value(x).equals(m.value));
      assert.ok(rec, `${f.topic}: dead letter ${m.value.toString('hex')} is one of the bad records`);
      assert.match(m.headers['lakepipe.error'].toString(), rec.error, `${f.topic}: reason for id ${rec.id}`);
    }
  }
});

test('dead letters the topic refuses (larger than the producer allows) go to <lake>/_rejected/<topic>/*.jsonl', async (t) => {
  // The dev broker creates any topic it is asked for (even a name like
  // "bad/name!"), so a missing or unwritable --dlq-topic cannot be staged
  // here. A dead letter larger than the producer's message.max.bytes
  // (librdkafka's default 1,000,000) is refused at once, which the sink
  // documents as a fallback case. --max-record-bytes stays at its 8 MiB
  // default, so the record is judged on its content, not its size.
  const dir = tempDir(t, 'archive-fb');
  const lake = join(dir, 'lake');
  const schemaPath = join(dir, 'order.avsc');
  writeFileSync(schemaPath, JSON.stringify(DL_SCHEMA));
  const huge = Buffer.concat([Buffer.from('{"name": "big", "qty": "'), Buffer.alloc(1_200_000, 'z'), Buffer.from('"}')]);
  const sent = await sendEach(main, 'fb', [
    { key: 'ok-1', value: JSON.stringify({ name: 'a', qty: 1, color: 'RED' }), partition: 0 },
    { key: Buffer.from([0xde, 0xad]), value: huge, partition: 0, timestamp: '1700000000555' },
    { value: 'small and bad', partition: 0 },
    { value: JSON.stringify({ name: 'b', qty: 2, color: 'BLUE' }), partition: 0 },
  ]);
  const statsPath = join(dir, 'stats.json');
  const start = Date.now();
  const r = await archive(main, ['--topic', 'fb', '--group', 'fb-archiver', '--lake', lake, '--schema', schemaPath,
    '--exit-when-idle', IDLE], { statsPath });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stats.consumed, 4);
  assert.equal(r.stats.archived, 2);
  assert.equal(r.stats.dead_lettered, 2);
  assert.equal(r.stats.dead_letter_files, 1);
  // Said once, with where and why.
  const told = r.stderr.split('\n').filter((l) => l.includes('dead letters of topic'));
  assert.equal(told.length, 1, r.stderr);
  assert.match(told[0], /warning: dead letters of topic 'fb' go to files under .*\/_rejected\/fb instead of the dead-letter topic 'fb\.dlq' \(.*\)/);

  const rejected = filesUnder(join(lake, '_rejected'));
  assert.equal(rejected.length, 1, rejected.join('\n'));
  assert.equal(relative(lake, dirname(rejected[0])), join('_rejected', 'fb'));
  const m = basename(rejected[0]).match(/^fb\+0\+(\d{20})-(\d+)\.jsonl$/);
  assert.ok(m, basename(rejected[0]));
  assert.equal(Number(m[1]), sent[1].offset, 'named after its smallest offset');
  assert.ok(Number(m[2]) >= start - 1000 && Number(m[2]) <= Date.now(), 'unix ms in the name');
  const lines = readFileSync(rejected[0], 'utf8').split('\n').filter((l) => l !== '');
  assert.equal(lines.length, 1);
  const row = JSON.parse(lines[0]);
  assert.deepEqual(Object.keys(row).sort(), ['key', 'lakepipe.error', 'lakepipe.source.offset', 'lakepipe.source.partition',
    'lakepipe.source.timestamp', 'lakepipe.source.topic', 'lakepipe.time', 'value'].sort());
  assert.equal(row['lakepipe.source.topic'], 'fb');
  assert.equal(Number(row['lakepipe.source.partition']), 0);
  assert.equal(Number(row['lakepipe.source.offset']), sent[1].offset);
  assert.equal(Number(row['lakepipe.source.timestamp']), 1700000000555);
  assert.match(row['lakepipe.error'], /field 'qty'/);
  assert.match(row['lakepipe.time'], ISO_UTC);
  assert.equal(row.key, Buffer.from([0xde, 0xad]).toString('base64'));
  assert.ok(Buffer.from(row.value, 'base64').equals(huge), 'value unchanged (base64)');

  // The small bad record went to the topic, and only there.
  const dlq = await readTopic(main, 'fb.dlq');
  assert.equal(dlq.length, 1);
  assert.equal(dlq[0].value.toString(), 'small and bad');
  assert.equal(dlq[0].key, null);
  assert.equal(dlq[0].headers['lakepipe.source.offset'].toString(), String(sent[2].offset));
  const rows = await duck(
    `SELECT name FROM read_parquet(${sqlString(join(lake, 'fb', 'raw', 'parquet', '**', '*.parquet'))}) ORDER BY name`);
  assert.deepEqual(rows.map((x) => x.name), ['a', 'b']);
});

// ------------------------------------------------- hostile partition values

// An independent rendering of partitioner.h's EscapeHiveValue().
const HIVE_SPECIAL = new Set([...'"#%\'*/:=?\\{[]^'].map((c) => c.charCodeAt(0)));
function fnv1a64(bytes) {
  let h = 0xcbf29ce484222325n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return h.toString(16).padStart(16, '0');
}
function escapeHive(value) {
  if (value === null || value === '') return '__HIVE_DEFAULT_PARTITION__';
  // One unit per character: its escaped text (never split when cutting).
  const units = [];
  for (const ch of value) {
    const bytes = Buffer.from(ch, 'utf8');
    if (bytes.length === 1 && (bytes[0] < 0x20 || bytes[0] === 0x7f || HIVE_SPECIAL.has(bytes[0]))) {
      units.push(`%${bytes[0].toString(16).toUpperCase().padStart(2, '0')}`);
    } else {
      units.push(ch);
    }
  }
  if (value.toLowerCase() === 'null') units[0] = `%${value.charCodeAt(0).toString(16).toUpperCase()}`;
  if (value === '__HIVE_DEFAULT_PARTITION__') units[0] = '%5F';
  const escaped = units.join('');
  if (Buffer.byteLength(escaped) <= 200) return escaped;
  const suffix = `~${fnv1a64(Buffer.from(value, 'utf8'))}`;
  let cut = '';
  for (const u of units) {
    if (Buffer.byteLength(cut + u) + suffix.length > 200) break;
    cut += u;
  }
  return cut + suffix;
}
// What a reader that decodes %XX sees.
function unescapeHive(escaped) {
  return escaped === '__HIVE_DEFAULT_PARTITION__' ? null : decodePercent(escaped);
}
function decodePercent(s) {
  const out = [];
  for (let i = 0; i < s.length;) {
    if (s[i] === '%' && /^[0-9A-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      out.push(Buffer.from([parseInt(s.slice(i + 1, i + 3), 16)]));
      i += 3;
    } else {
      const cp = s.codePointAt(i);
      const ch = String.fromCodePoint(cp);
      out.push(Buffer.from(ch, 'utf8'));
      i += ch.length;
    }
  }
  return Buffer.concat(out).toString('utf8');
}

test('hostile partition values stay inside the table, Hive-escaped, and read back with DuckDB', async (t) => {
  const dir = tempDir(t, 'archive-hostile');
  const lake = join(dir, 'lake');
  const schemaPath = join(dir, 'place.avsc');
  writeFileSync(schemaPath, JSON.stringify({
    type: 'record', name: 'Place', fields: [{ name: 'id', type: 'int' }, { name: 'country', type: ['null', 'string'] }],
  }));
  const values = [
    '../../etc', '../../../../../../tmp/escaped', '/etc/passwd', 'a/b', 'x=y', '%2F', '', null, 'Zürich 東京', '..', '.',
    'line1\nline2:colon\ttab\r\u0001\u007f', 'a"b#c\'d*e?f\\g{h[i]j^k}l', 'null', 'NULL', 'Null', '__HIVE_DEFAULT_PARTITION__',
    'b'.repeat(200), 'c'.repeat(201), 'L'.repeat(1024), 'é'.repeat(600), 'a/'.repeat(300), '/'.repeat(70),
    '😀'.repeat(60), ' spaced ', 'plain',
  ];
  await main.producer.send({
    topic: 'hostile',
    messages: values.map((country, id) => ({ value: JSON.stringify({ id, country }), partition: id % 3 })),
  });
  const statsPath = join(dir, 'stats.json');
  const r = await archive(main, ['--topic', 'hostile', '--group', 'hostile-archiver', '--lake', lake, '--schema', schemaPath,
    '--partition-by', 'region={country}', '--exit-when-idle', IDLE], { statsPath });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stats.archived, values.length, r.stderr);
  assert.equal(r.stats.dead_lettered, 0);

  // Every file is a data file of the table (or lakepipe's own state), one
  // "region=<escaped>" level below raw/parquet, never a symlink.
  const table = realpathSync(join(lake, 'hostile', 'raw', 'parquet'));
  const state = realpathSync(lake) + sep + '_lakepipe' + sep;
  const dirs = new Set();
  for (const f of filesUnder(lake)) {
    assert.ok(lstatSync(f).isFile(), `${f} is not a regular file`);
    const real = realpathSync(f);
    if (real.startsWith(state)) continue;
    assert.ok(real.startsWith(table + sep), `${JSON.stringify(real)} is outside ${table}`);
    const rel = relative(table, real).split(sep);
    assert.equal(rel.length, 2, `${JSON.stringify(rel)}: one partition level`);
    assert.match(rel[1], DATA_FILE);
    dirs.add(rel[0]);
  }
  for (const d of readdirSync(dir)) assert.ok(['lake', 'place.avsc', 'stats.json'].includes(d), `unexpected ${d} next to the lake`);
  for (const d of readdirSync(tmpdir())) assert.ok(!d.startsWith('region='), `${d} in ${tmpdir()}`);
  for (const d of readdirSync('/etc')) assert.ok(!d.startsWith('region=') && !/^hostile\+/.test(d), `/etc/${d}`);
  assert.ok(!existsSync('/tmp/escaped'));

  // The directories are exactly the documented escapes.
  const expected = values.map((v) => `region=${escapeHive(v)}`);
  assert.deepEqual([...dirs].sort(), [...new Set(expected)].sort());
  for (const d of dirs) assert.ok(Buffer.byteLength(d) <= 'region='.length + 200, `${d} longer than the cap`);
  // Spot checks of the documented forms, independent of escapeHive() above.
  assert.ok(dirs.has('region=a%2Fb') && dirs.has('region=x%3Dy') && dirs.has('region=%252F') && dirs.has('region=..'));
  assert.ok(dirs.has('region=__HIVE_DEFAULT_PARTITION__') && dirs.has('region=%4EULL'));
  assert.ok(dirs.has('region=%5F_HIVE_DEFAULT_PARTITION__') && dirs.has('region=%6Eull'));
  assert.ok(dirs.has(`region=${'b'.repeat(200)}`), '200 bytes are kept whole');
  assert.ok(dirs.has(`region=${'c'.repeat(183)}~${fnv1a64(Buffer.from('c'.repeat(201)))}`), '201 bytes are cut and hashed');

  // DuckDB: region reads back as the value, NULL for null and empty, the cut
  // value for long ones; the record keeps the full value.
  const rows = await duck(`SELECT id, country, region FROM read_parquet(
    ${sqlString(join(lake, 'hostile', 'raw', 'parquet', '**', '*.parquet'))},
    hive_partitioning = true, hive_types = {'region': VARCHAR}) ORDER BY id`);
  assert.equal(rows.length, values.length);
  for (const row of rows) {
    const v = values[row.id];
    assert.equal(row.country, v, `record ${row.id} keeps its value`);
    const escaped = escapeHive(v);
    const want = escaped.includes('~') ? decodePercent(escaped) : v === '' ? null : v;
    assert.equal(row.region, want, `region of ${JSON.stringify(v)?.slice(0, 60)}`);
    if (want !== null && !escaped.includes('~')) assert.equal(unescapeHive(escaped), v);
  }
});

// ---------------------------------------------------------------- retention

test('retention: offsets dropped before archiving are reported as DATA LOSS (and --strict fails)', async (t) => {
  const dir = tempDir(t, 'archive-retention');
  const lake = join(dir, 'lake');
  const strictLake = join(dir, 'strict-lake');
  const schemaPath = join(dir, 'payload.avsc');
  writeFileSync(schemaPath, JSON.stringify({
    type: 'record', name: 'Payload', fields: [{ name: 'id', type: 'int' }, { name: 'payload', type: 'string' }],
  }));
  const broker = await startBroker(1, ['ret']);
  const first = 1000;
  for (let i = 0; i < first; i += 250) {
    await broker.producer.send({
      topic: 'ret', messages: Array.from({ length: 250 }, (_, k) => ({ value: JSON.stringify({ id: i + k, payload: 'small' }) })),
    });
  }
  const common = ['--topic', 'ret', '--schema', schemaPath, '--exit-when-idle', IDLE];
  const [a, b] = await Promise.all([
    archive(broker, [...common, '--group', 'ret-g', '--lake', lake], { statsPath: join(dir, 'a.json') }),
    archive(broker, [...common, '--group', 'ret-strict', '--lake', strictLake], { statsPath: join(dir, 'b.json') }),
  ]);
  for (const x of [a, b]) {
    assert.equal(x.status, 0, x.stderr);
    assert.equal(x.stats.archived, first);
    assert.equal(x.stats.data_loss_records, 0);
    assert.doesNotMatch(x.stderr, /DATA LOSS:/);
  }
  for (const group of ['ret-g', 'ret-strict']) {
    const [committed] = await broker.admin.fetchOffsets({ groupId: group, topics: ['ret'] });
    assert.equal(Number(committed.partitions[0].offset), first, `${group} committed ${first}`);
  }

  // ~8 MB of incompressible payload: the broker keeps about 5 MB.
  let id = first;
  for (let batch = 0; batch < 8; batch++) {
    await broker.producer.send({
      topic: 'ret',
      messages: Array.from({ length: 100 }, () => ({
        value: JSON.stringify({ id: id++, payload: randomBytes(7500).toString('base64') }),
      })),
    });
  }
  const [offsets] = await broker.admin.fetchTopicOffsets('ret');
  const low = Number(offsets.low);
  const high = Number(offsets.high);
  assert.equal(high, id);
  assert.ok(low > first, `the broker dropped the committed offset (log starts at ${low})`);

  const [c, d] = await Promise.all([
    archive(broker, [...common, '--group', 'ret-g', '--lake', lake], { statsPath: join(dir, 'c.json') }),
    archive(broker, [...common, '--group', 'ret-strict', '--lake', strictLake, '--strict'], { statsPath: join(dir, 'd.json') }),
  ]);
  const range = `ret[0] offsets ${first}..${low - 1}`;
  assert.equal(c.status, 0, c.stderr);
  const lossLines = c.stderr.split('\n').filter((l) => l.includes('DATA LOSS:'));
  assert.equal(lossLines.length, 1, c.stderr);
  assert.match(lossLines[0], /(^|: )DATA LOSS: /);
  assert.ok(lossLines[0].includes(range), `${lossLines[0]} names ${range}`);
  assert.equal(c.stats.data_loss_records, low - first);
  assert.equal(c.stats.data_loss_ranges, 1);
  assert.equal(c.stats.consumed, high - low);
  assert.equal(c.stats.archived, high - low);
  // The lake holds what was there before the loss and everything after it, once.
  const ids = await duck(
    `SELECT id FROM read_parquet(${sqlString(join(lake, 'ret', 'raw', 'parquet', '**', '*.parquet'))}) ORDER BY id`);
  const wantIds = [...Array.from({ length: first }, (_, i) => i), ...Array.from({ length: high - low }, (_, i) => low + i)];
  assert.deepEqual(ids.map((x) => x.id), wantIds);

  assert.notEqual(d.status, 0, `--strict exits non-zero on data loss\n${d.stderr}`);
  assert.match(d.stderr, /DATA LOSS/);
  assert.ok(d.stderr.includes(range), d.stderr);

  // A group that never read the topic starts at the log start: what
  // retention removed before it is reported too, not skipped silently.
  const e = await archive(broker, [...common, '--group', 'ret-new', '--lake', join(dir, 'new-lake')],
    { statsPath: join(dir, 'e.json') });
  assert.equal(e.status, 0, e.stderr);
  assert.ok(e.stderr.includes(`DATA LOSS: ret[0] offsets 0..${low - 1}`), e.stderr);
  assert.equal(e.stats.data_loss_records, low);
  assert.equal(e.stats.archived, high - low);

  // --log-format json: the DATA LOSS line names the topic, the partition and
  // the range of offsets as fields.
  const g = await archive(broker, [...common, '--group', 'ret-json', '--lake', join(dir, 'json-lake'), '--log-format', 'json'],
    { statsPath: join(dir, 'g.json') });
  assert.equal(g.status, 0, g.stderr);
  const logs = g.stderr.split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l));
  const loss = logs.find((l) => l.message.startsWith('DATA LOSS'));
  assert.ok(loss, g.stderr);
  assert.equal(loss.level, 'error');
  assert.equal(loss.source, 'archive');
  assert.equal(loss.topic, 'ret');
  assert.equal(loss.partition, 0);
  assert.equal(loss.offset, 0);
  assert.equal(loss.offset_end, low - 1);
  assert.equal(d.stats?.ok, false);
  assert.equal(d.stats.data_loss_records, low - first);
});

// ------------------------------------------------------------ idle rotation

test('idle rotation: files appear within --rotate-interval after the last record; SIGTERM exits 0', async (t) => {
  const dir = tempDir(t, 'archive-rotate');
  const lake = join(dir, 'lake');
  const schemaPath = join(dir, 'tick.avsc');
  writeFileSync(schemaPath, JSON.stringify({ type: 'record', name: 'Tick', fields: [{ name: 'id', type: 'int' }] }));
  const statsPath = join(dir, 'stats.json');
  const child = spawn(LAKEPIPE, ['archive', '--brokers', main.bootstrap, ...QUICK_REJOIN, '--topic', 'rot', '--group', 'rot-archiver',
    '--lake', lake, '--schema', schemaPath, '--rotate-interval', '3s', '--stats-json', statsPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  t.after(() => child.exitCode === null && child.kill('SIGKILL'));
  const glob = sqlString(join(lake, 'rot', 'raw', 'parquet', '**', '*.parquet'));
  const count = async (where) => (filesUnder(join(lake, 'rot')).some((f) => f.endsWith('.parquet'))
    ? Number((await duck(`SELECT count(*) AS n FROM read_parquet(${glob}) WHERE ${where}`))[0].n) : 0);
  const waitFor = async (what, limitMs, pred) => {
    const until = Date.now() + limitMs;
    while (Date.now() < until) {
      if (await pred()) return;
      if (child.exitCode !== null) assert.fail(`lakepipe archive exited ${child.exitCode} while waiting for ${what}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.fail(`${what}: not within ${limitMs} ms\n${stderr}`);
  };

  // A first record tells when the archiver has joined and is consuming.
  await main.producer.send({ topic: 'rot', messages: [{ value: JSON.stringify({ id: -1 }), partition: 0 }] });
  await waitFor('the warm-up record', 30000, async () => (await count('id = -1')) === 1);

  const burst = 600;
  for (let i = 0; i < burst; i += 100) {
    await main.producer.send({
      topic: 'rot', messages: Array.from({ length: 100 }, (_, k) => ({ value: JSON.stringify({ id: i + k }), partition: (i + k) % 3 })),
    });
  }
  const last = Date.now();
  await waitFor('the burst in the lake', 3000 + 5000, async () => (await count('id >= 0')) === burst);
  const took = Date.now() - last;
  assert.ok(took <= 8000, `visible ${took} ms after the last record`);
  t.diagnostic(`the burst was in the lake ${took} ms after its last record`);
  const rows = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS d, min(id) AS lo, max(id) AS hi FROM read_parquet(${glob})`);
  assert.deepEqual(rows[0], { n: BigInt(burst + 1), d: BigInt(burst + 1), lo: -1, hi: burst - 1 });

  child.kill('SIGTERM');
  const { code, signal } = await exited;
  assert.equal(signal, null, stderr);
  assert.equal(code, 0, stderr);
  const stats = JSON.parse(readFileSync(statsPath, 'utf8'));
  assert.equal(stats.ok, true);
  assert.equal(stats.archived, burst + 1);
  assert.equal(Number((await duck(`SELECT count(*) AS n FROM read_parquet(${glob})`))[0].n), burst + 1, 'nothing added at shutdown');
  // The staging directories, empty, are gone with the archiver.
  assert.deepEqual(readdirSync(lake), ['rot'], 'no empty staging directory is left');
});

// ---------------------------------------------------------------- CLI, formats

test('archive --help and bad settings', async (t) => {
  let r = lakepipe('archive', '--help');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /--partition-by/);
  assert.match(r.stdout, /--dlq-topic/);

  const dir = tempDir(t, 'archive-cli');
  const schemaPath = join(dir, 's.avsc');
  writeFileSync(schemaPath, JSON.stringify({ type: 'record', name: 'S', fields: [{ name: 'a', type: 'string' }] }));
  const base = ['--brokers', main.bootstrap, '--topic', 'fmt', '--group', 'cli', '--lake', join(dir, 'lake'), '--schema', schemaPath];
  const bad = [
    [['--file-format', 'xml'], /xml/, /parquet/],
    [['--flush-records', '0'], /flush.records/, /'0'|\b0\b/],
    [['--flush-records', 'many'], /flush.records/, /many/],
    [['--rotate-interval', '5parsecs'], /rotate.interval/, /5parsecs/],
    [['--max-record-bytes', '-1'], /max.record.bytes/, /-1/],
    [['--exit-when-idle', 'soon'], /exit.when.idle/, /soon/],
    // Values that could not mean what they say: rejected with the range.
    [['--flush-bytes', '1'], /flush.bytes/, /'1' is below the minimum of 1048576 bytes/],
    [['--max-buffer-bytes', '1'], /max.buffer.bytes/, /'1' is below the minimum of 1048576 bytes/],
    [['--max-record-bytes', '0'], /max.record.bytes/, /'0' is below the minimum of 1 bytes?/],
    [['--exit-when-idle', '0s'], /exit.when.idle/, /'0s' is below the minimum of 1 ?ms/],
    [['--broker-timeout', '0s'], /broker.timeout/, /'0s' is below the minimum of 1 ?ms/],
    [['--partition-by', 'region={nope}'], /nope/, /\ba\b/],
    [['--partition-by', 'r={a:%Y}'], /r=\{a:%Y\}|FORMAT|format/i, /\ba\b/],
    [['--message-format', 'xml'], /xml/, /json/],
  ];
  for (const [args, ...patterns] of bad) {
    r = lakepipe('archive', ...base, ...args);
    assert.notEqual(r.status, 0, `${args.join(' ')} is refused`);
    for (const p of patterns) assert.match(r.stderr, p, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(!existsSync(join(dir, 'lake')), `${args.join(' ')}: nothing written`);
  }
  // Missing required settings.
  r = lakepipe('archive', '--brokers', main.bootstrap, '--group', 'cli', '--lake', join(dir, 'lake'), '--schema', schemaPath);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /topic/i);
  r = lakepipe('archive', '--brokers', main.bootstrap, '--topic', 'fmt', '--group', 'cli', '--lake', join(dir, 'lake'));
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /schema/i);
  r = lakepipe('archive', '--brokers', main.bootstrap, '--topic', 'fmt', '--group', 'cli', '--lake', join(dir, 'lake'),
    '--schema', join(dir, 'missing.avsc'));
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /missing\.avsc/);
});

test('an unknown --compression codec is refused before anything runs', async (t) => {
  // The codec names of --help (parquet none|snappy|gzip|zstd); a typo must
  // fail up front like --file-format does, not once the archiver is consuming.
  const dir = tempDir(t, 'archive-codec');
  const schemaPath = join(dir, 's.avsc');
  writeFileSync(schemaPath, JSON.stringify({ type: 'record', name: 'S', fields: [{ name: 'a', type: 'string' }] }));
  const r = await archive(main, ['--topic', 'fmt', '--group', 'codec', '--lake', join(dir, 'lake'), '--schema', schemaPath,
    '--compression', 'lzma', '--exit-when-idle', '1s'], { limitMs: 60000 });
  assert.notEqual(r.status, 0, `--compression lzma was accepted\n${r.stderr}`);
  assert.match(r.stderr, /lzma/);
  assert.doesNotMatch(r.stderr, /group 'codec'/, 'refused before joining the group');
});

test('times readers cannot take and inexact integers are dead-lettered; the table stays readable', async (t) => {
  const broker = await startBroker(1, ['nums', 'nums.dlq']);
  const dir = tempDir(t, 'archive-nums');
  const lake = join(dir, 'lake');
  const schemaPath = join(dir, 'n.avsc');
  writeFileSync(schemaPath, JSON.stringify({
    type: 'record', name: 'N', fields: [
      { name: 'id', type: 'string' },
      { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
      { name: 'v', type: 'long' },
    ],
  }));
  // Raw JSON text: these numbers do not survive a JavaScript number.
  const good = [
    ['now', '1700000000000', '1'],
    ['last', '253402300799999', '9223372036854775807'],
    ['first', '-62135596800000', '-9223372036854775808'],
    ['dec', '1700000000000', '1234567890123456789.0'],
    ['p53', '1700000000000', '9007199254740993.0'],
  ];
  const outside = "is outside the timestamps the lake's readers accept";
  const bad = [
    ['max', '9223372036854775807', '0', new RegExp(`field 'at': 9223372036854775807 ${outside}`)],
    ['min', '-9223372036854775808', '0', new RegExp(`field 'at': -9223372036854775808 ${outside}`)],
    ['y10000', '253402300800000', '0', new RegExp(`field 'at': 253402300800000 ${outside}`)],
    ['below', '0', '-9223372036854775809', /field 'v': -9223372036854775809 is out of range for long/],
    ['frac', '0', '1.5', /field 'v': expected long, got 1\.5/],
  ];
  const json = ([id, at, v]) => `{"id": "${id}", "at": ${at}, "v": ${v}}`;
  await sendEach(broker, 'nums', [...good, ...bad].map((x) => ({ value: json(x), timestamp: '1700000000000' })));
  const statsPath = join(dir, 'stats.json');
  const r = await archive(broker, ['--topic', 'nums', '--group', 'nums', '--lake', lake, '--schema', schemaPath,
    '--time-field', 'at', '--exit-when-idle', IDLE], { statsPath });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stats.archived, good.length, 'archived');
  assert.equal(r.stats.dead_lettered, bad.length, 'dead_lettered');
  const dirs = filesUnder(join(lake, 'nums', 'raw', 'parquet')).map((f) => relative(join(lake, 'nums', 'raw', 'parquet'), dirname(f)));
  assert.ok(!dirs.some((d) => d.includes('__HIVE_DEFAULT_PARTITION__')), `no null event time: ${dirs}`);
  const rows = await duck(`SELECT id, epoch_ms("at")::VARCHAR AS "at", v::VARCHAR AS v
    FROM read_parquet(${sqlString(join(lake, 'nums', '**'))}) ORDER BY id`);
  const exact = (v) => (v.endsWith('.0') ? v.slice(0, -2) : v);
  assert.deepEqual(rows, good.map(([id, at, v]) => ({ id, at, v: exact(v) })).sort((a, b) => (a.id < b.id ? -1 : 1)));
  const dlq = await readTopic(broker, 'nums.dlq');
  assert.equal(dlq.length, bad.length);
  for (const [id, at, v, error] of bad) {
    const m = dlq.find((x) => x.value.toString() === json([id, at, v]));
    assert.ok(m, `${id} dead-lettered unchanged`);
    assert.match(m.headers['lakepipe.error'].toString(), error, id);
  }
});

const FMT_SCHEMA = {
  type: 'record',
  name: 'Row',
  fields: [
    { name: 's', type: 'string' },
    { name: 'i', type: 'int' },
    { name: 'l', type: 'long' },
    { name: 'd', type: 'double' },
    { name: 'b', type: 'boolean' },
    { name: 'n', type: ['null', 'string'] },
    { name: 'e', type: { type: 'enum', name: 'E', symbols: ['A', 'B'] } },
  ],
};

test('--file-format jsonl, csv and avro archives read back with DuckDB and avsc', async (t) => {
  const dir = tempDir(t, 'archive-formats');
  const schemaPath = join(dir, 'row.avsc');
  writeFileSync(schemaPath, JSON.stringify(FMT_SCHEMA));
  const records = Array.from({ length: 40 }, (_, i) => ({
    s: i % 5 === 0 ? `quote " comma , ünï ${i}` : `s${i}`,
    i: i * 1000 - 20000,
    l: 4_000_000_000 + i,
    d: i / 8 - 2,
    b: i % 2 === 0,
    n: i % 3 === 0 ? null : `n${i}`,
    e: i % 2 ? 'B' : 'A',
  }));
  await main.producer.send({ topic: 'fmt', messages: records.map((r, i) => ({ value: JSON.stringify(r), partition: i % 3 })) });
  const runs = await Promise.all(['jsonl', 'csv', 'avro'].map((format) =>
    archive(main, ['--topic', 'fmt', '--group', `fmt-${format}`, '--lake', join(dir, format), '--schema', schemaPath,
      '--file-format', format, '--partition-by', 'flag={b}', '--exit-when-idle', IDLE], { statsPath: join(dir, `${format}.json`) })));
  for (const r of runs) {
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stats.archived, records.length);
  }
  const byS = (a, b) => (a.s < b.s ? -1 : a.s > b.s ? 1 : 0);
  const want = [...records].sort(byS);
  for (const [format, ext] of [['jsonl', 'jsonl'], ['csv', 'csv'], ['avro', 'avro']]) {
    const files = filesUnder(join(dir, format, 'fmt', 'raw', format));
    assert.ok(files.length >= 2, `${format}: one file per flag value at least`);
    for (const f of files) {
      assert.match(basename(f), DATA_FILE);
      assert.equal(basename(f).match(DATA_FILE).groups.ext, ext);
      assert.match(basename(dirname(f)), /^flag=(true|false)$/);
    }
  }
  const cols = `s, CAST(i AS INTEGER) AS i, CAST(l AS BIGINT) AS l, CAST(d AS DOUBLE) AS d, CAST(b AS BOOLEAN) AS b,
    CAST(n AS VARCHAR) AS n, CAST(e AS VARCHAR) AS e, CAST(flag AS BOOLEAN) AS flag`;
  const toJs = (rows) => rows.map((r) => ({ ...r, l: Number(r.l) }));
  const jsonl = await duck(`SELECT ${cols} FROM read_json(${sqlString(join(dir, 'jsonl', 'fmt', 'raw', 'jsonl', '**', '*.jsonl'))},
    format = 'newline_delimited', hive_partitioning = true) ORDER BY s`);
  assert.deepEqual(toJs(jsonl), want.map((r) => ({ ...r, flag: r.b })));
  const csv = await duck(`SELECT ${cols} FROM read_csv(${sqlString(join(dir, 'csv', 'fmt', 'raw', 'csv', '**', '*.csv'))},
    header = true, hive_partitioning = true, all_varchar = true) ORDER BY s`);
  assert.deepEqual(toJs(csv), want.map((r) => ({ ...r, flag: r.b })));
  const avroRows = [];
  for (const f of filesUnder(join(dir, 'avro', 'fmt', 'raw', 'avro'))) {
    const { rows } = await readAvroFile(f, FMT_SCHEMA);
    const flag = basename(dirname(f)) === 'flag=true';
    for (const r of rows) {
      assert.equal(r.b, flag, `${f}: record in the partition of its value`);
      avroRows.push({ ...r, l: Number(r.l) });
    }
  }
  assert.deepEqual(avroRows.sort(byS), want);
});

// ------------------------------------------------------------ nested records

const NESTED_SCHEMA = {
  type: 'record',
  name: 'Person',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'team', type: 'string' },
    { name: 'name', type: { type: 'record', name: 'Name', fields: [
      { name: 'first', type: 'string' },
      { name: 'last', type: ['null', 'string'], default: null },
    ] } },
    { name: 'address', type: ['null', { type: 'record', name: 'Address', fields: [
      { name: 'street', type: { type: 'record', name: 'Street', fields: [
        { name: 'number', type: 'int' },
        { name: 'name', type: 'string' },
      ] } },
      { name: 'city', type: 'string' },
    ] }], default: null },
    { name: 'tags', type: { type: 'array', items: ['null', 'string'] } },
    { name: 'scores', type: { type: 'map', values: ['null', 'long'] } },
    { name: 'born', type: { type: 'long', logicalType: 'timestamp-millis' } },
  ],
};

// The same bytes with name.first as bytes, to send strings that are not UTF-8.
const NESTED_RAW = avro.Type.forSchema(JSON.parse(JSON.stringify(NESTED_SCHEMA).replace(
  '{"name":"first","type":"string"}', '{"name":"first","type":"bytes"}')));

// People with nulls and empty values at every level.
function nestedPeople() {
  return Array.from({ length: 30 }, (_, i) => ({
    id: `p${String(i).padStart(2, '0')}`,
    team: ['red', 'blue', 'green'][i % 3],
    name: { first: i % 7 === 0 ? `Zoë "${i}", ünï` : `First${i}`, last: i % 4 === 0 ? null : `Last${i}` },
    address: i % 5 === 0 ? null : { street: { number: i * 11 - 40, name: `Street ${i}` }, city: `City${i % 4}` },
    tags: i % 6 === 0 ? [] : Array.from({ length: i % 4 }, (_, k) => (k === 1 ? null : `t${i}.${k}`)),
    scores: i % 8 === 0 ? {} : Object.fromEntries(Array.from({ length: (i % 3) + 1 }, (_, k) => [`s${k}`, k === 2 ? null : i * 1000 + k])),
    born: Date.UTC(1950 + i, i % 12, (i % 27) + 1, i % 24, i % 60, i % 60, i * 7),
  }));
}

// A person as the test compares it: plain objects, `born` as epoch ms,
// maps as objects, whatever the reader gave.
function normPerson(r) {
  const map = (m) => (Array.isArray(m) ? Object.fromEntries(m.map((e) => [e.key, e.value])) : m instanceof Map ? Object.fromEntries(m) : { ...m });
  const num = (v) => (v === null ? null : Number(v));
  const ms = (v) => (v instanceof Date ? v.getTime() : typeof v === 'string' ? Date.parse(v) : Number(v));
  return {
    id: r.id,
    team: r.team,
    name: { first: r.name.first, last: r.name.last },
    address: r.address === null ? null : { street: { number: Number(r.address.street.number), name: r.address.street.name }, city: r.address.city },
    tags: [...r.tags],
    scores: Object.fromEntries(Object.entries(map(r.scores)).map(([k, v]) => [k, num(v)])),
    born: ms(r.born),
  };
}

test('nested JSON and nested Avro messages archive to Parquet, Avro and JSON Lines; DuckDB and avsc read the records sent', async (t) => {
  const broker = await startBroker(2, ['nest_json', 'nest_json.dlq', 'nest_avro', 'nest_avro.dlq']);
  const dir = tempDir(t, 'archive-nested');
  const schemaPath = join(dir, 'nested.avsc');
  writeFileSync(schemaPath, JSON.stringify(NESTED_SCHEMA));
  const people = nestedPeople();
  const type = avro.Type.forSchema(NESTED_SCHEMA);
  const asJson = (p) => JSON.stringify({ ...p, born: new Date(p.born).toISOString() });
  const asAvro = (p) => type.toBuffer({ ...p, born: p.born, address: p.address, tags: p.tags });
  // Records that do not fit the schema, each with the path of its bad value.
  const badJson = [
    [asJson(people[1]).replace('"number":-29', '"number":"x"'), /field 'address\.street\.number'/],
    [asJson(people[2]).replace('"s0":2000', '"s0":"many"'), /field 'scores\b.*"many"/],
    [asJson(people[3]).replace('"tags":["t3.0",null,"t3.2"]', '"tags":{"a":1}'), /field 'tags'/],
  ];
  for (const [k, [text]] of badJson.entries()) assert.notEqual(text, asJson(people[k + 1]), text);
  const badFirst = NESTED_RAW.toBuffer({ ...people[4], name: { first: Buffer.from([0x61, 0xff]), last: null } });
  const badAvro = [[badFirst, /field 'name\.first': .*not valid UTF-8/]];
  await broker.producer.send({ topic: 'nest_json', acks: -1, messages: [...people.map(asJson), ...badJson.map((b) => b[0])].map((value) => ({ value })) });
  await broker.producer.send({ topic: 'nest_avro', acks: -1, messages: [...people.map(asAvro), ...badAvro.map((b) => b[0])].map((value) => ({ value })) });

  const cases = [];
  for (const [topic, format] of [['nest_json', 'json'], ['nest_avro', 'avro']]) {
    for (const fileFormat of ['parquet', 'avro', 'jsonl']) cases.push({ topic, format, fileFormat, lake: join(dir, `${topic}-${fileFormat}`) });
  }
  const runs = await Promise.all(cases.map((c) => archive(broker, ['--topic', c.topic, '--group', `${c.topic}-${c.fileFormat}`,
    '--lake', c.lake, '--schema', schemaPath, '--message-format', c.format, '--file-format', c.fileFormat,
    '--partition-by', 'team={team}', '--exit-when-idle', IDLE], { statsPath: `${c.lake}.json` })));
  const want = people.map(normPerson).sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const [k, c] of cases.entries()) {
    const label = `${c.format} messages -> ${c.fileFormat}`;
    const r = runs[k];
    assert.equal(r.status, 0, `${label}\n${r.stderr}`);
    assert.equal(r.stats.archived, people.length, label);
    const bad = c.format === 'json' ? badJson : badAvro;
    assert.equal(r.stats.dead_lettered, bad.length, label);
    const root = join(c.lake, c.topic, 'raw', c.fileFormat);
    assert.deepEqual(readdirSync(root).sort(), ['team=blue', 'team=green', 'team=red'], label);
    let rows;
    if (c.fileFormat === 'avro') {
      rows = [];
      for (const f of filesUnder(root)) rows.push(...(await readAvroFile(f)).rows);
    } else {
      const reader = c.fileFormat === 'parquet' ? `read_parquet(${sqlString(join(root, '**', '*.parquet'))}, hive_partitioning = false)`
        : `read_json(${sqlString(join(root, '**', '*.jsonl'))}, format = 'newline_delimited', hive_partitioning = false, columns = {
          id: 'VARCHAR', team: 'VARCHAR', name: 'STRUCT(first VARCHAR, last VARCHAR)',
          address: 'STRUCT(street STRUCT(number INTEGER, name VARCHAR), city VARCHAR)', tags: 'VARCHAR[]',
          scores: 'MAP(VARCHAR, BIGINT)', born: 'TIMESTAMPTZ'})`;
      if (c.fileFormat === 'parquet') {
        const types = Object.fromEntries((await duck(`DESCRIBE SELECT * FROM ${reader}`)).map((x) => [x.column_name, x.column_type]));
        assert.equal(types.address, 'STRUCT(street STRUCT(number INTEGER, "name" VARCHAR), city VARCHAR)', label);
        assert.equal(types.tags, 'VARCHAR[]', label);
        assert.equal(types.scores, 'MAP(VARCHAR, BIGINT)', label);
        assert.equal(types.born, 'TIMESTAMP WITH TIME ZONE', label);
      }
      rows = await duck(`SELECT id, team, name, address, tags, map_entries(scores) AS scores, epoch_ms(born) AS born FROM ${reader}`);
    }
    assert.deepEqual(rows.map(normPerson).sort((a, b) => (a.id < b.id ? -1 : 1)), want, label);
    // Each bad record is a dead letter, unchanged, with the path of its bad value.
    const dlq = await readTopic(broker, `${c.topic}.dlq`);
    for (const [value, reason] of bad) {
      const m = dlq.filter((x) => Buffer.from(value).equals(x.value));
      assert.equal(m.length, 3, `${label}: one dead letter per archive of ${c.topic}`);
      for (const x of m) assert.match(x.headers['lakepipe.error'].toString(), reason, label);
    }
  }
});

// ------------------------------------------------------------- table names

test('table names that would leave or hide in the lake are refused by archive, transform, sql and run', async (t) => {
  // <dir>/deep/lake is the lake; <dir>/escape is what "../../escape" reaches.
  const dir = tempDir(t, 'archive-names');
  const lake = join(dir, 'deep', 'lake');
  const outside = join(dir, 'escape');
  // Files a table named "../../escape" would replace or delete.
  for (const zone of ['clean', 'rejected', 'raw']) {
    mkdirSync(join(outside, zone), { recursive: true });
    writeFileSync(join(outside, zone, 'keep.txt'), 'not lakepipe\'s\n');
  }
  const untouched = () => {
    for (const zone of ['clean', 'rejected', 'raw']) {
      assert.ok(existsSync(join(outside, zone, 'keep.txt')), `${zone}/keep.txt outside the lake is gone`);
    }
    assert.deepEqual(readdirSync(outside).sort(), ['clean', 'raw', 'rejected'], 'nothing new outside the lake');
    assert.deepEqual(readdirSync(join(outside, 'raw')), ['keep.txt'], 'nothing written outside the lake');
  };
  const schemaPath = join(dir, 's.avsc');
  writeFileSync(schemaPath, JSON.stringify({ type: 'record', name: 'S', fields: [{ name: 'a', type: 'string' }] }));
  await main.producer.send({ topic: 'names', messages: [{ value: JSON.stringify({ a: 'x' }) }] });
  await main.producer.send({ topic: '_names', messages: [{ value: JSON.stringify({ a: 'y' }) }] });
  const base = ['archive', '--brokers', main.bootstrap, ...QUICK_REJOIN, '--group', 'names', '--lake', lake,
    '--schema', schemaPath, '--exit-when-idle', '1s'];

  // --table: a usage error (exit 2) that names the value and the rule.
  for (const table of ['../../escape', '..', '.', '_lakepipe', '_rejected', '.hidden', 'a/b', 'a\\b', '', 'tab\there']) {
    const r = lakepipe(...base, '--topic', 'names', '--table', table);
    assert.equal(r.status, 2, `--table ${JSON.stringify(table)} exited ${r.status}\n${r.stderr}`);
    assert.match(r.stderr, /--table/, r.stderr);
    assert.match(r.stderr, table === '' ? /empty/ : /table name '/, r.stderr);
    assert.match(r.stderr, /letters, digits/, r.stderr);
    assert.ok(!existsSync(lake), `--table ${JSON.stringify(table)}: the lake was created`);
    untouched();
  }
  let r = lakepipe(...base, '--topic', 'names', '--table', '../../escape');
  assert.match(r.stderr, /'\.\.\/\.\.\/escape'/);
  assert.match(r.stderr, /'\/'/);
  r = lakepipe(...base, '--topic', 'names', '--table', '_lakepipe');
  assert.match(r.stderr, /reserved/);

  // archive.table from a config file or the environment: refused before the group is joined.
  const config = join(dir, 'lakepipe.yaml');
  writeFileSync(config, 'archive:\n  table: ../../escape\n');
  r = lakepipe(...base, '--topic', 'names', '--config', config);
  assert.notEqual(r.status, 0, r.stderr);
  assert.match(r.stderr, /'\.\.\/\.\.\/escape'/);
  assert.doesNotMatch(r.stderr, /group 'names'/, 'refused before joining the group');
  r = lakepipeWith({ LAKEPIPE_ARCHIVE_TABLE: '_rejected' }, ...base, '--topic', 'names');
  assert.notEqual(r.status, 0, r.stderr);
  assert.match(r.stderr, /'_rejected'/);
  assert.ok(!existsSync(lake));
  untouched();

  // The default table is the topic name: a topic that is no table name says so and points at --table.
  r = lakepipe(...base, '--topic', '_names');
  assert.notEqual(r.status, 0, r.stderr);
  assert.match(r.stderr, /topic '_names'/);
  assert.match(r.stderr, /--table/);
  assert.ok(!existsSync(join(lake, '_names')), 'no table under a reserved name');

  // transform --table: refused before a full refresh deletes anything.
  for (const job of ['clean', 'analytics']) {
    r = lakepipe('transform', '--lake', lake, '--table', '../../escape', '--job', job, '--full-refresh');
    assert.equal(r.status, 2, `transform --job ${job}: ${r.status}\n${r.stderr}`);
    assert.match(r.stderr, /table name '\.\.\/\.\.\/escape'/);
    untouched();
  }
  // sql --table.
  r = lakepipe('sql', '--dialect', 'duckdb', '--lake', lake, '--table', '../../escape');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /table name '\.\.\/\.\.\/escape'/);
  // run takes its table from archive.table: refused before --replace deletes anything.
  r = lakepipeWith({ LAKEPIPE_ARCHIVE_TABLE: '../../escape' }, 'run', '--lake', lake, '--count', '10', '--replace',
    '--output', join(dir, 'out'), '--metrics-addr', 'off');
  assert.notEqual(r.status, 0, r.stderr);
  assert.match(r.stderr, /table name '\.\.\/\.\.\/escape'/);
  untouched();
  // check validates archive.table too.
  r = lakepipeWith({ LAKEPIPE_ARCHIVE_TABLE: '../../escape' }, 'check', '--lake', lake);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /^config\s+archive\.table .*FAIL\s+.*table name '\.\.\/\.\.\/escape'/m, r.stdout);
  untouched();
});

// ------------------------------------------------------- many open files

const MANY_SCHEMA = {
  type: 'record',
  name: 'Many',
  fields: [
    { name: 'id', type: 'int' },
    { name: 'bucket', type: 'string' },
  ],
};

test('1,000 partition values under ulimit -n 256: every format archives every record once', async (t) => {
  const dir = tempDir(t, 'archive-many');
  const schemaPath = join(dir, 'many.avsc');
  writeFileSync(schemaPath, JSON.stringify(MANY_SCHEMA));
  const count = 3000;
  const values = 1000;
  const messages = Array.from({ length: count }, (_, id) => ({
    value: JSON.stringify({ id, bucket: `b${(id * 7) % values}` }),
    partition: id % 3,
  }));
  for (let i = 0; i < count; i += 500) await main.producer.send({ topic: 'many', messages: messages.slice(i, i + 500) });
  const formats = ['parquet', 'avro', 'jsonl', 'csv'];
  const runs = await Promise.all(formats.map((format) => archive(main, ['--topic', 'many', '--group', `many-${format}`,
    '--lake', join(dir, format), '--schema', schemaPath, '--file-format', format, '--partition-by', 'part={bucket}',
    '--exit-when-idle', IDLE], { statsPath: join(dir, `${format}.json`), openFiles: 256, limitMs: 300000 })));
  for (const [i, format] of formats.entries()) {
    const r = runs[i];
    assert.equal(r.status, 0, `${format}: ${r.stderr}`);
    assert.equal(r.stats.archived, count, format);
    assert.equal(r.stats.dead_lettered, 0, format);
  }
  const check = async (format, from) => {
    const [row] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids,
      count(*) FILTER (WHERE bucket <> 'b' || ((id * 7) % ${values}) OR CAST(part AS VARCHAR) <> bucket) AS misplaced,
      count(DISTINCT part) AS buckets FROM ${from}`);
    assert.deepEqual({ n: Number(row.n), ids: Number(row.ids), misplaced: Number(row.misplaced), buckets: Number(row.buckets) },
      { n: count, ids: count, misplaced: 0, buckets: values }, format);
  };
  const glob = (format) => sqlString(join(dir, format, 'many', 'raw', format, '**', `*.${format}`));
  await check('parquet', `read_parquet(${glob('parquet')}, hive_partitioning = true)`);
  await check('jsonl', `read_json(${glob('jsonl')}, format = 'newline_delimited', hive_partitioning = true)`);
  await check('csv', `read_csv(${glob('csv')}, header = true, hive_partitioning = true)`);
  const seen = new Map();
  for (const f of filesUnder(join(dir, 'avro', 'many', 'raw', 'avro'))) {
    const { rows } = await readAvroFile(f, MANY_SCHEMA);
    for (const r of rows) {
      assert.equal(basename(dirname(f)), `part=${r.bucket}`, `${f}: record in the partition of its value`);
      seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
    }
  }
  assert.equal(seen.size, count, 'avro: every id');
  assert.ok([...seen.values()].every((n) => n === 1), 'avro: no id twice');
});

test('5,000+ partition values at --max-buffer-bytes 8MiB: memory stays bounded, every record archived once', async (t) => {
  const dir = tempDir(t, 'archive-wide');
  const count = 6000;
  const produced = lakepipe('produce', '--brokers', main.bootstrap, '--topic', 'wide', '--source', 'users', '--count',
    String(count), '--seed', '7', '-q');
  assert.equal(produced.status, 0, produced.stderr);
  const lake = join(dir, 'lake');
  const r = await archive(main, ['--topic', 'wide', '--group', 'wide', '--lake', lake, '--schema', join(ROOT, 'schemas', 'user.avsc'),
    '--partition-by', 'pc={post_code}', '--max-buffer-bytes', '8MiB', '--exit-when-idle', IDLE],
  { statsPath: join(dir, 'stats.json'), peakRss: true, limitMs: 300000 });
  assert.equal(r.status, 0, r.stderr);
  // 8 MiB of open files on top of the process's own ~60 MB (Kafka client,
  // fetched records, writer queue); without the bound it passed 400 MB.
  t.diagnostic(`peak RSS ${(r.peakRss / 1048576).toFixed(0)} MiB`);
  assert.ok(r.peakRss > 0 && r.peakRss < 160 * 1024 * 1024, `peak RSS ${(r.peakRss / 1048576).toFixed(0)} MiB`);
  assert.equal(r.stats.archived, count);
  const [row] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids, count(DISTINCT pc) AS values,
    count(*) FILTER (WHERE CAST(pc AS VARCHAR) <> post_code) AS misplaced
    FROM read_parquet(${sqlString(join(lake, 'wide', 'raw', 'parquet', '**', '*.parquet'))}, hive_partitioning = true,
      hive_types_autocast = false)`);
  assert.equal(Number(row.n), count);
  assert.equal(Number(row.ids), count, 'no record twice');
  assert.equal(Number(row.misplaced), 0);
  assert.ok(Number(row.values) >= 5000, `${row.values} partition values`);
});

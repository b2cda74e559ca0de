// `lakepipe archive --table-format iceberg` and `lakepipe run --table-format
// iceberg`: Kafka (the dev broker, fed by kafkajs) into an Apache Iceberg
// table of the file catalog, read back by readers we did not write: icebird
// (an independent Iceberg reader) reads the table, DuckDB reads the data
// files the table lists. Every produced id must be in the table exactly
// once, also after a second archive run over more records.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import kafkajs from 'kafkajs';
import lz4 from 'lz4js';
import { LAKEPIPE, duck, lakepipe, lakepipeWith, tempDir } from './lib.mjs';
import { readIcebergDataFiles, readIcebergMetadata, readIcebergRows } from './icebird.mjs';

const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = kafkajs;
CompressionCodecs[CompressionTypes.LZ4] = () => ({
  compress: async (encoder) => Buffer.from(lz4.compress(encoder.buffer)),
  decompress: async (buffer) => Buffer.from(lz4.decompress(buffer)),
});

// Short sessions: a second run in the same group joins quickly.
const QUICK_REJOIN = ['-X', 'session.timeout.ms=6000'];
const IDLE = '6s';
const COUNTRIES = ['de', 'fr', 'nl', 'it'];

const SCHEMA = {
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'country', type: 'string' },
    { name: 'amount', type: 'double' },
  ],
};

let broker;

before(async () => {
  const child = spawn(LAKEPIPE, ['broker', '--partitions', '3', '--topic', 'orders', '--topic', 'visits', '--topic', 'far'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const bootstrap = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`lakepipe broker exited ${code}: ${stderr}`)));
    setTimeout(() => reject(new Error(`no bootstrap line from lakepipe broker: ${stderr}`)), 15000);
  });
  const kafka = new Kafka({ clientId: 'interop-iceberg', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  broker = { child, bootstrap, producer };
});

after(async () => {
  await broker.producer.disconnect();
  const exited = new Promise((resolve) => broker.child.once('exit', resolve));
  broker.child.kill('SIGTERM');
  await exited;
});

function order(id) {
  return { id, country: COUNTRIES[id % COUNTRIES.length], amount: id / 4 };
}

async function produce(from, to) {
  const messages = [];
  for (let id = from; id < to; id++) messages.push({ key: String(id), value: JSON.stringify(order(id)) });
  await broker.producer.send({ topic: 'orders', messages, acks: -1 });
}

function archive(lake, schema, extra = [], partitionBy = 'country, bucket[4](id)') {
  return lakepipeWith({}, 'archive', '--brokers', broker.bootstrap, ...QUICK_REJOIN, '--topic', 'orders',
    '--group', 'iceberg-archiver', '--lake', lake, '--schema', schema, '--table-format', 'iceberg',
    '--partition-by', partitionBy, '--flush-records', '50', '--exit-when-idle', IDLE,
    '--metrics-addr', 'off', ...extra);
}

// The table through icebird: its rows' ids, sorted, and each id's row.
async function icebirdIds(location) {
  const rows = await readIcebergRows({ location });
  for (const r of rows) {
    const want = order(Number(r.id));
    assert.equal(r.country, want.country, `country of ${r.id}`);
    assert.equal(r.amount, want.amount, `amount of ${r.id}`);
  }
  return rows.map((r) => Number(r.id)).sort((a, b) => a - b);
}

// The same table through DuckDB over the data files icebird lists.
async function duckIds(location) {
  const files = await readIcebergDataFiles({ location });
  assert.ok(files.length > 0);
  const paths = files.map((f) => `'${f.path.replace(/^file:\/\//, '').replaceAll("'", "''")}'`);
  assert.equal(new Set(paths).size, paths.length, 'no data file is listed twice');
  for (const f of files) assert.ok(existsSync(f.path.replace(/^file:\/\//, '')), `${f.path} exists`);
  const rows = await duck(`SELECT id FROM read_parquet([${paths.join(', ')}]) ORDER BY id`);
  return rows.map((r) => Number(r.id));
}

const range = (from, to) => Array.from({ length: to - from }, (_, i) => from + i);

test('archive --table-format iceberg: icebird and DuckDB read every record once, also after a restart', async (t) => {
  const dir = tempDir(t, 'iceberg-archive');
  const schema = join(dir, 'order.avsc');
  writeFileSync(schema, JSON.stringify(SCHEMA));
  const lake = join(dir, 'lake');
  const location = join(lake, 'default', 'orders');

  await produce(0, 600);
  const first = archive(lake, schema);
  assert.equal(first.status, 0, first.stderr + first.stdout);
  assert.match(first.stderr + first.stdout, /Iceberg table default\.orders at file:\/\//);
  assert.match(first.stderr + first.stdout, /committed snapshot \d+/);
  assert.deepEqual(await icebirdIds(location), range(0, 600));
  assert.deepEqual(await duckIds(location), range(0, 600));

  // The table's spec and the data files' partition values, as icebird sees them.
  const metadata = await readIcebergMetadata({ location });
  assert.equal(metadata['format-version'], 2);
  const spec = metadata['partition-specs'].find((s) => s['spec-id'] === metadata['default-spec-id']);
  assert.deepEqual(spec.fields.map((f) => f.transform), ['identity', 'bucket[4]']);
  assert.equal(metadata.properties['write.format.default'], 'parquet');
  const files = await readIcebergDataFiles({ location });
  for (const f of files) {
    assert.match(f.path, /\/data\/country=[a-z]{2}\/id_bucket=\d\/orders\+\d\+\d+-[0-9a-f-]{36}\.parquet$/);
    assert.ok(COUNTRIES.includes(f.partition.country), JSON.stringify(f.partition));
  }
  const snapshot = metadata.snapshots.find((s) => s['snapshot-id'] === metadata['current-snapshot-id']);
  const offsets = JSON.parse(snapshot.summary['lakepipe.kafka.offsets']);
  const ends = Object.values(offsets.orders).reduce((a, b) => a + b, 0);
  assert.equal(ends, 600, 'the group\'s ends in the table sum to the records produced');

  // More records, a second run: it resumes from the table.
  await produce(600, 1000);
  const second = archive(lake, schema);
  assert.equal(second.status, 0, second.stderr + second.stdout);
  assert.deepEqual(await icebirdIds(location), range(0, 1000));
  assert.deepEqual(await duckIds(location), range(0, 1000));

  // A run with nothing new adds nothing.
  const third = archive(lake, schema);
  assert.equal(third.status, 0, third.stderr + third.stdout);
  assert.match(third.stderr + third.stdout, /no snapshot committed by this run/);
  assert.deepEqual(await icebirdIds(location), range(0, 1000));

  // The group's offsets follow the table (lag is 0).
  const lag = lakepipe('lag', '--brokers', broker.bootstrap, '--group', 'iceberg-archiver', '--topic', 'orders', '--json');
  assert.equal(lag.status, 0, lag.stderr);
  const report = JSON.parse(lag.stdout);
  assert.equal(report.total_lag, 0);
  assert.equal(report.partitions.reduce((a, p) => a + p.committed_offset, 0), 1000);
});

// Avro types whose Parquet form is not Iceberg's: a uuid as text,
// timestamp-millis and time-millis (also nested).
const VISIT_SCHEMA = {
  type: 'record',
  name: 'Visit',
  fields: [
    { name: 'id', type: { type: 'string', logicalType: 'uuid' } },
    { name: 'registered', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'alarm', type: ['null', { type: 'int', logicalType: 'time-millis' }], default: null },
    { name: 'seen', type: { type: 'array', items: { type: 'long', logicalType: 'timestamp-millis' } } },
  ],
};
const DAY_MS = 86400000;
const T0 = Date.UTC(2026, 11, 5, 23, 59, 59, 998);

function visit(i) {
  const hex = i.toString(16).padStart(12, '0');
  return {
    id: `7d8e9f00-1a2b-4c3d-8e4f-${hex}`,
    registered: T0 + i * 997 + (i % 2) * DAY_MS,
    alarm: i % 3 === 0 ? null : (i * 1234567) % DAY_MS,
    seen: [T0 - i, T0 + i * 1001],
  };
}

const show = (o) => JSON.stringify(o, (k, v) => (typeof v === 'bigint' ? Number(v) : v));
const FILE_TYPES = `SELECT name, type, logical_type, field_id FROM parquet_schema(?) WHERE name IN ('id', 'registered', 'alarm', 'element')`;

test('archive --table-format iceberg: data files hold the Parquet types of the table\'s Iceberg types', async (t) => {
  const dir = tempDir(t, 'iceberg-types');
  const schema = join(dir, 'visit.avsc');
  writeFileSync(schema, JSON.stringify(VISIT_SCHEMA));
  const lake = join(dir, 'lake');
  const location = join(lake, 'default', 'visits');
  const n = 200;
  const messages = [];
  for (let i = 0; i < n; i++) messages.push({ key: String(i), value: JSON.stringify(visit(i)) });
  await broker.producer.send({ topic: 'visits', messages, acks: -1 });
  const stats = join(dir, 'stats.json');
  const r = lakepipeWith({}, 'archive', '--brokers', broker.bootstrap, ...QUICK_REJOIN, '--topic', 'visits',
    '--group', 'iceberg-types', '--lake', lake, '--schema', schema, '--table-format', 'iceberg',
    '--partition-by', 'day(registered)', '--exit-when-idle', IDLE, '--metrics-addr', 'off', '--stats-json', stats);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  assert.equal(s.archived, n);
  assert.equal(s.dead_lettered, 0);

  // The table's types.
  const metadata = await readIcebergMetadata({ location });
  const current = metadata.schemas.find((s) => s['schema-id'] === metadata['current-schema-id']);
  const types = Object.fromEntries(current.fields.map((f) => [f.name, f.type]));
  assert.equal(types.id, 'string');
  assert.equal(types.registered, 'timestamptz');
  assert.equal(types.alarm, 'time');
  assert.equal(types.seen.element, 'timestamptz');

  // Each data file stores them as the spec's Parquet mapping says, as DuckDB reads its footer.
  const files = await readIcebergDataFiles({ location });
  assert.ok(files.length >= 2, 'a file per day');
  for (const f of files) {
    const path = f.path.replace(/^file:\/\//, '').replaceAll("'", "''");
    const columns = await duck(FILE_TYPES.replace('?', `'${path}'`));
    const byName = Object.fromEntries(columns.map((c) => [c.name, c]));
    const ids = Object.fromEntries(current.fields.map((c) => [c.name, c.id]));
    for (const name of ['id', 'registered', 'alarm']) assert.equal(Number(byName[name].field_id), ids[name], `field id of ${name}`);
    assert.equal(byName.id.type, 'BYTE_ARRAY', show(byName.id));
    assert.match(String(byName.id.logical_type), /StringType/, show(byName.id));
    for (const name of ['registered', 'element']) {
      assert.equal(byName[name].type, 'INT64', show(byName[name]));
      assert.match(String(byName[name].logical_type), /TimestampType\(isAdjustedToUTC=1, .*MICROS=MicroSeconds\(\)/, show(byName[name]));
    }
    assert.equal(byName.alarm.type, 'INT64', show(byName.alarm));
    assert.match(String(byName.alarm.logical_type), /TimeType\(.*MICROS=MicroSeconds\(\)/, show(byName.alarm));
    // The partition (from the records' days) is the day of the values stored.
    // (icebird gives a day partition value as a Date.)
    const day = new Date(f.partition.registered_day).toISOString().slice(0, 10);
    const [{ off }] = await duck(`SELECT count(*) AS off FROM read_parquet('${path}') WHERE CAST(registered AT TIME ZONE 'UTC' AS DATE) <> DATE '${day}'`);
    assert.equal(Number(off), 0, `rows of ${f.path} outside day ${day}`);
  }

  // icebird reads the values produced: ids once each, timestamps to the millisecond.
  const rows = await readIcebergRows({ location });
  assert.equal(rows.length, n);
  const byId = new Map(rows.map((row) => [row.id, row]));
  assert.equal(byId.size, n, 'each id once');
  for (let i = 0; i < n; i++) {
    const want = visit(i);
    const got = byId.get(want.id);
    assert.ok(got, `id ${want.id}`);
    assert.equal(new Date(got.registered).getTime(), want.registered, `registered of ${i}`);
    assert.deepEqual(got.seen.map((v) => new Date(v).getTime()), want.seen, `seen of ${i}`);
    assert.equal(got.alarm === null ? null : Number(got.alarm), want.alarm === null ? null : want.alarm * 1000, `alarm of ${i} (µs)`);
  }
});

// Avro binary of a Visit (VISIT_SCHEMA), longs as BigInt.
function avroVisit({ id, registered, seen }) {
  const out = [];
  const long = (v) => {
    let n = (BigInt(v) << 1n) ^ (BigInt(v) >> 63n);
    while (n >= 0x80n) {
      out.push(Number(n & 0x7fn) | 0x80);
      n >>= 7n;
    }
    out.push(Number(n));
  };
  const text = Buffer.from(id);
  long(text.length);
  out.push(...text);
  long(registered);
  long(0); // alarm: null
  if (seen.length > 0) {
    long(seen.length);
    for (const v of seen) long(v);
  }
  long(0);
  return Buffer.from(out);
}

test('archive --table-format iceberg: a nested timestamp microseconds cannot hold is a dead letter', async (t) => {
  const dir = tempDir(t, 'iceberg-far');
  const schema = join(dir, 'visit.avsc');
  writeFileSync(schema, JSON.stringify(VISIT_SCHEMA));
  const lake = join(dir, 'lake');
  const id = (i) => `7d8e9f00-1a2b-4c3d-8e4f-00000000000${i}`;
  await broker.producer.send({
    topic: 'far',
    acks: -1,
    messages: [
      { key: 'near', value: avroVisit({ id: id(1), registered: T0, seen: [T0] }) },
      // 9e18 ms is a long, but beyond 2^63 µs.
      { key: 'far', value: avroVisit({ id: id(2), registered: T0, seen: [9000000000000000000n] }) },
      { key: 'near', value: avroVisit({ id: id(3), registered: T0, seen: [] }) },
    ],
  });
  const stats = join(dir, 'stats.json');
  const r = lakepipeWith({}, 'archive', '--brokers', broker.bootstrap, ...QUICK_REJOIN, '--topic', 'far',
    '--group', 'iceberg-far', '--lake', lake, '--schema', schema, '--message-format', 'avro', '--table-format', 'iceberg',
    '--partition-by', 'none', '--exit-when-idle', IDLE, '--metrics-addr', 'off', '--stats-json', stats);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  assert.equal(s.archived, 2);
  assert.equal(s.dead_lettered, 1);
  const rows = await readIcebergRows({ location: join(lake, 'default', 'far') });
  assert.deepEqual(rows.map((row) => row.id).sort(), [id(1), id(3)]);
  assert.deepEqual(rows.find((row) => row.id === id(1)).seen.map((v) => new Date(v).getTime()), [T0]);
});

test('archive --table-format iceberg refuses a Hive template and other file formats, naming what to give', async (t) => {
  const dir = tempDir(t, 'iceberg-refuse');
  const schema = join(dir, 'order.avsc');
  writeFileSync(schema, JSON.stringify(SCHEMA));
  const hive = archive(join(dir, 'lake'), schema, [], 'country={country}');
  assert.notEqual(hive.status, 0);
  assert.match(hive.stderr, /Hive path template.*--partition-by 'country'/);
  const avro = archive(join(dir, 'lake'), schema, ['--file-format', 'avro']);
  assert.notEqual(avro.status, 0);
  assert.match(avro.stderr, /--file-format avro cannot be used with --table-format iceberg/);
});

test('run --table-format iceberg: the run\'s table through icebird, the summary names it', async (t) => {
  const dir = tempDir(t, 'iceberg-run');
  const stats = join(dir, 'stats.json');
  const r = lakepipeWith({ cwd: dir }, 'run', '--count', '3000', '--seed', '5', '--lake', 'lake', '--local-copies', 'none',
    '--table-format', 'iceberg', '--metrics-addr', 'off', '--stats-json', stats);
  assert.equal(r.status, 0, r.stderr + r.stdout);
  assert.match(r.stdout, /iceberg table default\.users at file:\/\//);
  assert.match(r.stdout, /snapshot\s+\d+ \(metadata file:\/\/.*\.metadata\.json\)/);
  const s = JSON.parse(readFileSync(stats, 'utf8'));
  assert.equal(s.archived + s.dead_lettered, 3000);
  const rows = await readIcebergRows({ location: join(dir, 'lake', 'default', 'users') });
  assert.equal(rows.length, s.archived);
  const files = await readIcebergDataFiles({ location: join(dir, 'lake', 'default', 'users') });
  const paths = files.map((f) => `'${f.path.replace(/^file:\/\//, '')}'`);
  const [{ n }] = await duck(`SELECT count(*) AS n FROM read_parquet([${paths.join(', ')}])`);
  assert.equal(Number(n), s.archived);
});

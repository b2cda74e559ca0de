// `lakepipe archive` under crashes and rebalances, end to end: a producer
// writes users onto a 16-partition topic of `lakepipe broker` while archivers
// are killed with SIGKILL at random moments (or join and leave a group), and
// DuckDB checks the lake against the topic as kafkajs reads it: every record
// in exactly one file, in the file its name promises, nothing left in staging.
// The same into an Iceberg table (--table-format iceberg): icebird reads
// every record of the topic exactly once from the table, and DuckDB the same
// from the data files the table lists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import kafkajs from 'kafkajs';
import { LAKEPIPE, ROOT, duck, lakepipe, sleep, tempDir } from './lib.mjs';
import { readIcebergDataFiles, readIcebergRows } from './icebird.mjs';

const { Kafka, logLevel, CompressionTypes, CompressionCodecs } = kafkajs;

// The dev broker keeps ~5 MB of compressed log per partition: produce with
// zstd, batched (linger) so batches compress well. kafkajs ships no zstd
// codec and Node 20 has none; the zstd command line fills in.
function zstd(args, input) {
  return new Promise((resolve, reject) => {
    const p = spawn('zstd', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out = [];
    let err = '';
    p.stdout.on('data', (d) => out.push(d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`zstd exited ${code}: ${err}`))));
    p.stdin.end(input);
  });
}
CompressionCodecs[CompressionTypes.ZSTD] = () => ({
  compress: async (encoder) => zstd(['-q', '-c'], encoder.buffer),
  decompress: async (buffer) => zstd(['-d', '-q', '-c'], buffer),
});

const PRODUCE_SETTINGS = ['-X', 'compression.type=zstd', '-X', 'linger.ms=500'];
// A member killed with SIGKILL stays in the group until its session times
// out: a short session lets a restarted archiver join quickly. The mock
// broker waits up to 3 s before the first assignment, so shorter sessions
// (2 s tried) expire while joining and never get one. In a rebalance it
// gives members session - 1 s to rejoin.
const GROUP_SETTINGS = ['-X', 'session.timeout.ms=3000', '-X', 'heartbeat.interval.ms=300'];
const SCHEMA = join(ROOT, 'schemas', 'user.avsc');
// The crash producer writes for ~120 s, a bit longer than the kill loop
// needs: a restarted archiver takes ~5.5 s to join (the dead member's
// session expires, then the mock's join delay).
const CRASH = { topic: 'crash', count: 200000, rate: 1700 };
// Joining a live group can take the mock broker many seconds (rounds of
// its rebalance timeout): the producer writes for 40 s, so that it still
// writes when the first archiver leaves.
const REBALANCE = { topic: 'rebalance', count: 180000, rate: 4500 };
// Restarts on the archive's own group settings (no -X): two batches.
const RESTART = { topic: 'restart', count: 3000, rate: 0 };
// The same two scenarios into Iceberg tables.
const ICE_CRASH = { topic: 'crash_ice', count: 200000, rate: 1700 };
const ICE_REBALANCE = { topic: 'rebalance_ice', count: 180000, rate: 4500 };
const ICEBERG = ['--table-format', 'iceberg', '--commit-interval', '2s', '--partition-by', 'bucket[4](id)'];

let broker;
let bootstrap;
const live = new Set(); // lakepipe processes still running (killed at the end)

function killAll() {
  for (const proc of live) if (proc !== broker) proc.child.kill('SIGKILL');
}

// Starts lakepipe without waiting; `done` resolves with the exit code or signal once its output is read.
function start(args) {
  const child = spawn(LAKEPIPE, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const proc = { child, stdout: '', stderr: '', started: Date.now() };
  child.stdout.on('data', (d) => (proc.stdout += d));
  child.stderr.on('data', (d) => (proc.stderr += d));
  live.add(proc);
  proc.done = new Promise((resolve) => {
    const ended = (code, signal) => {
      live.delete(proc);
      proc.ended ??= Date.now();
      resolve({ code, signal });
    };
    child.on('close', ended);
    child.on('error', (e) => {
      proc.stderr += `${e}\n`;
      ended(null, null);
    });
  });
  return proc;
}

// Waits for `proc` to exit; kills it and fails after `ms`.
async function exitOf(proc, ms, what) {
  let timer;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  const r = await Promise.race([proc.done, timeout]);
  clearTimeout(timer);
  if (r === null) {
    proc.child.kill('SIGKILL');
    await proc.done;
    assert.fail(`${what} did not exit within ${ms / 1000} s\n${proc.stderr}`);
  }
  return r;
}

before(async () => {
  broker = start(['broker', '--partitions', '16', '--topic', CRASH.topic, '--topic', REBALANCE.topic,
    '--topic', RESTART.topic, '--topic', ICE_CRASH.topic, '--topic', ICE_REBALANCE.topic]);
  bootstrap = await new Promise((resolve, reject) => {
    createInterface({ input: broker.child.stdout }).once('line', resolve);
    broker.done.then(({ code }) => reject(new Error(`lakepipe broker exited ${code}: ${broker.stderr}`)));
    setTimeout(() => reject(new Error(`no bootstrap line from lakepipe broker: ${broker.stderr}`)), 15000).unref();
  });
  assert.match(bootstrap, /^127\.0\.0\.1:\d+/);
});

after(async () => {
  killAll();
  if (!broker) return;
  broker.child.kill('SIGTERM');
  const { code } = await exitOf(broker, 15000, 'lakepipe broker');
  assert.equal(code, 0, 'lakepipe broker exits 0 on SIGTERM');
});

function produce({ topic, count, rate }, seed) {
  return start(['produce', '--brokers', bootstrap, '--topic', topic, '--source', 'users', '--count', String(count),
    '--seed', String(seed), ...(rate ? ['--rate', String(rate)] : []), ...PRODUCE_SETTINGS, '-q']);
}

async function producedOk(proc, count, ms) {
  const { code } = await exitOf(proc, ms, 'lakepipe produce');
  assert.equal(code, 0, `lakepipe produce exited ${code}\n${proc.stderr}`);
  const n = count.toLocaleString('en-US');
  assert.match(proc.stderr, new RegExp(`delivered ${n}, failed 0`), proc.stderr);
}

function archive(topic, group, lake, ...extra) {
  return start(['archive', '--brokers', bootstrap, '--topic', topic, '--group', group, '--lake', lake,
    '--schema', SCHEMA, ...GROUP_SETTINGS, ...extra]);
}

// Reads the whole topic with kafkajs (an independent client) while it is
// written and writes partition, offset, timestamp and id of every record as
// CSV for DuckDB. `done` resolves with the number of records read.
function indexTopic(t, topic, count, csv, ms) {
  const kafka = new Kafka({ clientId: 'archive-crash', brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `index-${topic}-${Date.now()}` });
  const seen = new Map();
  let timer;
  t.after(() => {
    clearTimeout(timer);
    return consumer.disconnect();
  });
  const done = (async () => {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise((resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`kafkajs read only ${seen.size} of ${count} records of ${topic}`)), ms);
      consumer.run({
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const id = JSON.parse(m.value.toString()).id;
            seen.set(`${batch.partition}:${m.offset}`, `${batch.partition},${m.offset},${m.timestamp},${id}`);
          }
          if (seen.size >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      }).catch(reject);
    });
    await consumer.disconnect();
    writeFileSync(csv, `partition,offset,ts,id\n${[...seen.values()].join('\n')}\n`);
    return seen.size;
  })();
  done.catch(() => {}); // awaited by the test
  return done;
}

// Every file below `dir`, relative to it.
function walk(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isDirectory()) out.push(relative(dir, join(e.parentPath ?? e.path, e.name)));
  }
  return out;
}

// The lake holds only finished files under their final names: no staging
// (the last archivers exited cleanly and removed it, empty), nothing else
// under the table.
function assertOnlyFinalFiles(lake, topic) {
  const staging = join(lake, '_lakepipe', 'staging');
  assert.deepEqual(existsSync(staging) ? walk(staging) : [], [], 'staging is empty');
  assert.ok(!existsSync(staging), 'no empty staging directory is left');
  const files = walk(join(lake, topic));
  const pattern = new RegExp(`^raw/parquet/event_date=\\d{4}-\\d{2}-\\d{2}/hour=\\d{2}/${topic}\\+(\\d|1[0-5])\\+\\d{20}\\.parquet$`);
  const odd = files.filter((f) => !pattern.test(f));
  assert.deepEqual(odd, [], 'every file under the table is a finished, well-named parquet file');
  assert.deepEqual(readdirSync(lake).sort(), [topic], 'nothing else in the lake (no _rejected, no empty _lakepipe)');
  return files.length;
}

// Checks the lake against the kafkajs index with DuckDB; returns the totals.
async function checkLake(lake, topic, csv, count) {
  const rows = `read_parquet('${lake}/${topic}/raw/parquet/**/*.parquet', hive_partitioning=true, filename=true)`;
  const index = `read_csv('${csv}', header=true, columns={'partition': 'INTEGER', 'offset': 'BIGINT', 'ts': 'BIGINT', 'id': 'VARCHAR'})`;
  const [k] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ${index}`);
  assert.equal(Number(k.n), count, 'kafkajs read every produced record');
  assert.equal(Number(k.ids), count, 'the produced ids are unique');

  const [totals] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids, count(DISTINCT filename) AS files FROM ${rows}`);
  const n = Number(totals.n), ids = Number(totals.ids);
  // On a mismatch, say which records are duplicated (and in which files) or missing.
  let detail = '';
  if (n !== count || ids !== count) {
    const dups = await duck(`SELECT files, count(*) AS ids FROM (SELECT id, list(filename ORDER BY filename) AS files
      FROM ${rows} GROUP BY id HAVING count(*) > 1) GROUP BY files ORDER BY ids DESC LIMIT 10`);
    const missing = await duck(`SELECT k.partition, count(*) AS n, min(k.offset) AS first, max(k.offset) AS last
      FROM ${index} k ANTI JOIN ${rows} l ON l.id = k.id GROUP BY ALL ORDER BY 1`);
    detail = `\nduplicated ids by files: ${JSON.stringify(dups, (_, v) => (typeof v === 'bigint' ? Number(v) : v), 1)}` +
      `\nmissing by partition: ${JSON.stringify(missing, (_, v) => (typeof v === 'bigint' ? Number(v) : v))}`;
  }
  assert.equal(n, count, `rows in the lake${detail}`);
  assert.equal(ids, count, `distinct ids in the lake${detail}`);

  // The same ids as in Kafka, both ways.
  const [diff] = await duck(`SELECT (SELECT count(*) FROM ${index} k ANTI JOIN ${rows} l ON l.id = k.id) AS missing,
    (SELECT count(*) FROM ${rows} l ANTI JOIN ${index} k ON l.id = k.id) AS extra`);
  assert.equal(Number(diff.missing), 0, 'ids of the topic missing from the lake');
  assert.equal(Number(diff.extra), 0, 'ids in the lake that are not in the topic');

  // Each file holds records of the partition its name gives, starting at the
  // offset its name gives, in the Hive path of their Kafka timestamps (UTC).
  const wrong = await duck(`SELECT filename, name_partition, name_offset, partitions, first_offset, bad_paths FROM (
      SELECT l.filename,
        CAST(regexp_extract(l.filename, '\\+(\\d+)\\+(\\d{20})\\.parquet$', 1) AS INTEGER) AS name_partition,
        CAST(regexp_extract(l.filename, '\\+(\\d+)\\+(\\d{20})\\.parquet$', 2) AS BIGINT) AS name_offset,
        list(DISTINCT k.partition) AS partitions, min(k.offset) AS first_offset,
        count(*) FILTER (WHERE strftime(make_timestamp(k.ts * 1000), '%Y-%m-%d') <> CAST(l.event_date AS VARCHAR)
                           OR strftime(make_timestamp(k.ts * 1000), '%H') <> CAST(l.hour AS VARCHAR)) AS bad_paths
      FROM ${rows} l JOIN ${index} k ON l.id = k.id GROUP BY l.filename)
    WHERE partitions <> [name_partition] OR first_offset <> name_offset OR bad_paths > 0 LIMIT 10`);
  assert.deepEqual(wrong, [], 'files whose contents do not match their names or paths');
  return { rows: n, files: Number(totals.files) };
}

// Checks the Iceberg table `default.<topic>` of `lake` against the kafkajs
// index: icebird reads every id of the topic exactly once, DuckDB reads the
// same rows from the data files the table lists, and `lakepipe table
// verify` finds its offset ranges contiguous. Returns the totals.
async function checkIcebergTable(lake, topic, csv, count) {
  const location = join(lake, 'default', topic);
  const index = `read_csv('${csv}', header=true, columns={'partition': 'INTEGER', 'offset': 'BIGINT', 'ts': 'BIGINT', 'id': 'VARCHAR'})`;
  const [k] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ${index}`);
  assert.equal(Number(k.n), count, 'kafkajs read every produced record');
  assert.equal(Number(k.ids), count, 'the produced ids are unique');
  const wanted = new Set((await duck(`SELECT id FROM ${index}`)).map((r) => r.id));

  const rows = await readIcebergRows({ location });
  const seen = new Map();
  for (const r of rows) seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
  const doubled = [...seen].filter(([, n]) => n > 1).slice(0, 5);
  const missing = [...wanted].filter((id) => !seen.has(id)).slice(0, 5);
  const extra = [...seen.keys()].filter((id) => !wanted.has(id)).slice(0, 5);
  assert.deepEqual({ doubled, missing, extra }, { doubled: [], missing: [], extra: [] }, 'icebird reads every id once');
  assert.equal(rows.length, count, 'icebird rows');

  const files = await readIcebergDataFiles({ location });
  const paths = files.map((f) => `'${f.path.replace(/^file:\/\//, '')}'`);
  assert.equal(new Set(paths).size, paths.length, 'no data file listed twice');
  const [totals] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM read_parquet([${paths.join(', ')}])`);
  assert.equal(Number(totals.n), count, 'DuckDB rows of the listed data files');
  assert.equal(Number(totals.ids), count, 'DuckDB distinct ids of the listed data files');
  const verify = lakepipe('table', 'verify', location);
  assert.equal(verify.status, 0, `lakepipe table verify\n${verify.stdout}${verify.stderr}`);
  return { rows: rows.length, files: files.length };
}

function readStats(path) {
  assert.ok(existsSync(path), `--stats-json wrote ${path}`);
  return JSON.parse(readFileSync(path, 'utf8'));
}

// A small seeded generator, so a run's kill schedule can be replayed (LAKEPIPE_CRASH_SEED).
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Resolves true once a file in staging was written after `since` (the
// archiver joined and consumes), false after `ms`.
async function activity(stagingDir, since, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    for (const f of walk(stagingDir)) {
      try {
        if (statSync(join(stagingDir, f)).mtimeMs >= since) return true;
      } catch {
        // renamed or deleted meanwhile
      }
    }
    await sleep(100);
  }
  return false;
}

test('archive: SIGKILL at random moments while producing, restart each time: every record exactly once', { timeout: 270_000 }, async (t) => {
  const dir = tempDir(t, 'archive-crash');
  const lake = join(dir, 'lake');
  const csv = join(dir, 'index.csv');
  const group = 'crash-archivers';
  const seed = Number(process.env.LAKEPIPE_CRASH_SEED ?? Date.now() % 1e9);
  const random = mulberry32(seed);
  const MIN_KILLS = 22;
  t.diagnostic(`kill schedule seed ${seed} (LAKEPIPE_CRASH_SEED)`);

  const t0 = Date.now();
  const producer = produce(CRASH, 21);
  let producing = true;
  producer.done.then(() => (producing = false));
  t.after(killAll);
  const indexed = indexTopic(t, CRASH.topic, CRASH.count, csv, 220_000);

  // Time-based rotation cuts every partition every 2 s; the backlog a
  // restarted archiver catches up on is cut by size as well.
  const rotating = ['--rotate-interval', '2s', '--flush-records', '500'];
  const staging = join(lake, '_lakepipe', 'staging');
  const kills = [];
  let early = 0, active = 0;
  // Kill until the producer is done and at least MIN_KILLS happened: every
  // third 0.3-4 s after start (starting up or joining), the others 0.3-3.5 s
  // after the archiver began writing (catching up or keeping up).
  while ((kills.length < MIN_KILLS || producing) && Date.now() - t0 < 170_000 && !t.signal.aborted) {
    const proc = archive(CRASH.topic, group, lake, ...rotating);
    let what;
    if (kills.length % 3 === 0) {
      await sleep(300 + random() * 3700);
      early++;
      what = 'after start';
    } else {
      const consuming = await activity(staging, proc.started, 9000);
      const joined = (Date.now() - proc.started) / 1000;
      await sleep(300 + random() * 3200);
      if (consuming) active++;
      what = consuming ? `writing from ${joined.toFixed(1)} s` : 'never wrote';
    }
    const r = await Promise.race([proc.done, sleep(0).then(() => null)]);
    assert.equal(r, null, `an archiver exited by itself before it was killed: ${JSON.stringify(r)}\n${proc.stderr}`);
    proc.child.kill('SIGKILL');
    assert.equal((await proc.done).signal, 'SIGKILL');
    kills.push(`${((Date.now() - proc.started) / 1000).toFixed(1)} s ${what}`);
  }
  t.diagnostic(`${kills.length} kills (${early} while starting, ${active} while writing) in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  t.diagnostic(`kills: ${kills.map((k, i) => `#${i + 1} ${k}`).join(', ')}`);
  assert.ok(kills.length >= 20, `only ${kills.length} kills`);
  assert.ok(early >= 5 && active >= 12, `kills while starting ${early}, while writing ${active}`);
  await producedOk(producer, CRASH.count, 60_000);

  // A last archiver takes over, catches up and exits when idle.
  const statsPath = join(dir, 'final-stats.json');
  const last = archive(CRASH.topic, group, lake, ...rotating, '--exit-when-idle', '10s', '--stats-json', statsPath);
  const { code } = await exitOf(last, 90_000, 'the final archiver');
  assert.equal(code, 0, `final archiver exited ${code}\n${last.stderr}`);
  const stats = readStats(statsPath);
  t.diagnostic(`final archiver: ${JSON.stringify(stats)}`);
  assert.equal(stats.ok, true);
  assert.equal(stats.data_loss_records, 0, 'no offsets lost to retention');
  assert.equal(stats.dead_lettered, 0);
  assert.equal(stats.consumed - stats.given_back, stats.archived, 'the final archiver archived what it consumed and kept');

  assert.equal(await indexed, CRASH.count);
  const files = assertOnlyFinalFiles(lake, CRASH.topic);
  const lakeTotals = await checkLake(lake, CRASH.topic, csv, CRASH.count);
  assert.equal(lakeTotals.files, files);
  t.diagnostic(`${lakeTotals.rows} rows in ${files} files; test took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
});

test('archive: a second archiver joins mid-stream, the first leaves on SIGTERM: every record exactly once', { timeout: 150_000 }, async (t) => {
  const dir = tempDir(t, 'archive-rebalance');
  const lake = join(dir, 'lake');
  const csv = join(dir, 'index.csv');
  const group = 'rebalance-archivers';
  const t0 = Date.now();
  const producer = produce(REBALANCE, 22);
  t.after(killAll);
  const indexed = indexTopic(t, REBALANCE.topic, REBALANCE.count, csv, 120_000);

  const rotating = ['--rotate-interval', '2s', '--flush-records', '5000'];
  const statsA = join(dir, 'a.json'), statsB = join(dir, 'b.json');
  const a = archive(REBALANCE.topic, group, lake, ...rotating, '--stats-json', statsA);
  // B joins once A has archived something.
  const deadline = Date.now() + 30_000;
  while (walk(join(lake, REBALANCE.topic)).length === 0) {
    assert.ok(Date.now() < deadline, `archiver A wrote no file in 30 s\n${a.stderr}`);
    await sleep(100);
  }
  const bStarted = Date.now();
  const b = archive(REBALANCE.topic, group, lake, ...rotating, '--exit-when-idle', '10s', '--stats-json', statsB);
  // A leaves once B has consumed records (its progress line, every 10 s, says so).
  const progress = /consumed ([\d,]+) \(/g;
  const consumedByB = () => Math.max(0, ...[...b.stderr.matchAll(progress)].map((m) => Number(m[1].replaceAll(',', ''))));
  while (consumedByB() === 0) {
    if (!live.has(a)) {
      const { code } = await a.done;
      assert.fail(`archiver A exited ${code} by itself ${((a.ended - bStarted) / 1000).toFixed(2)} s after B was started ` +
        `(before it was sent SIGTERM)\n${a.stderr}`);
    }
    assert.ok(live.has(b), `archiver B exited before it consumed anything\n${b.stderr}`);
    assert.ok(Date.now() - bStarted < 40_000, `archiver B consumed nothing in 40 s next to A\n${b.stderr}`);
    await sleep(200);
  }
  const writing = live.has(producer);
  const left = (Date.now() - t0) / 1000;
  a.child.kill('SIGTERM');
  const ra = await exitOf(a, 30_000, 'archiver A after SIGTERM');
  assert.equal(ra.code, 0, `archiver A exited ${JSON.stringify(ra)} after SIGTERM\n${a.stderr}`);
  await producedOk(producer, REBALANCE.count, 60_000);
  const rb = await exitOf(b, 60_000, 'archiver B');
  assert.equal(rb.code, 0, `archiver B exited ${JSON.stringify(rb)}\n${b.stderr}`);

  const sa = readStats(statsA), sb = readStats(statsB);
  t.diagnostic(`B started at ${((bStarted - t0) / 1000).toFixed(1)} s, A left at ${left.toFixed(1)} s ` +
    `(producer ${writing ? 'still writing' : 'done'}); A ${JSON.stringify(sa)}; B ${JSON.stringify(sb)}`);
  for (const s of [sa, sb]) {
    assert.equal(s.ok, true);
    assert.equal(s.data_loss_records, 0);
    assert.equal(s.dead_lettered, 0);
    assert.equal(s.consumed - s.given_back, s.archived, 'consumed - given back (aborted segments) = archived');
  }
  assert.ok(sa.archived > 0 && sb.archived > 0, 'both archivers archived records');
  // B got partitions when it joined and A's when A left.
  assert.ok(sb.rebalances >= 2, 'B was assigned partitions twice (joining, then when A left)');
  assert.equal(sa.archived + sb.archived, REBALANCE.count, 'archived by A + archived by B = produced');

  assert.equal(await indexed, REBALANCE.count);
  const files = assertOnlyFinalFiles(lake, REBALANCE.topic);
  const lakeTotals = await checkLake(lake, REBALANCE.topic, csv, REBALANCE.count);
  assert.equal(lakeTotals.files, files);
  t.diagnostic(`${lakeTotals.rows} rows in ${files} files; test took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
});

// Files of the table committed at or after `since` (ms since the epoch).
function filesSince(lake, topic, since) {
  const dir = join(lake, topic);
  return walk(dir).filter((f) => statSync(join(dir, f)).mtimeMs >= since);
}

async function untilFiles(lake, topic, since, ms) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (filesSince(lake, topic, since).length > 0) return Date.now();
    await sleep(100);
  }
  return null;
}

test('archive: killed with SIGKILL and restarted with the same arguments, it archives again within 10 s, each record once', { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t, 'archive-restart');
  const lake = join(dir, 'lake');
  const statsPath = join(dir, 'stats.json');
  t.after(killAll);
  // The group settings are the archive's own: no -X.
  const args = ['archive', '--brokers', bootstrap, '--topic', RESTART.topic, '--group', 'restarted', '--lake', lake,
    '--schema', SCHEMA, '--rotate-interval', '1s', '--exit-when-idle', '8s', '--stats-json', statsPath];
  await producedOk(produce(RESTART, 31), RESTART.count, 30_000);
  const first = start(args);
  const wrote = await untilFiles(lake, RESTART.topic, 0, 30_000);
  assert.ok(wrote, `the first archiver wrote no file in 30 s\n${first.stderr}`);
  first.child.kill('SIGKILL');
  assert.equal((await first.done).signal, 'SIGKILL');

  const restarted = Date.now();
  const second = start(args);
  const more = produce(RESTART, 32);
  const again = await untilFiles(lake, RESTART.topic, restarted, 20_000);
  const seconds = again === null ? null : (again - restarted) / 1000;
  t.diagnostic(`after the restart, the first new file came after ${seconds} s`);
  assert.ok(seconds !== null && seconds <= 10,
    `records flow again ${seconds} s after the restart (at most 10 s)\n${first.stderr}\n${second.stderr}`);
  await producedOk(more, RESTART.count, 30_000);
  const { code } = await exitOf(second, 60_000, 'the restarted archiver');
  assert.equal(code, 0, `the restarted archiver exited ${code}\n${second.stderr}`);
  assert.equal(readStats(statsPath).ok, true);

  const rows = `read_parquet('${lake}/${RESTART.topic}/raw/parquet/**/*.parquet')`;
  const [got] = await duck(`SELECT count(*) AS n, count(DISTINCT id) AS ids FROM ${rows}`);
  assert.equal(Number(got.n), 2 * RESTART.count, 'every record of both batches is in the lake');
  assert.equal(Number(got.ids), 2 * RESTART.count, 'no record is in the lake twice');
  assertOnlyFinalFiles(lake, RESTART.topic);
});

test('archive --table-format iceberg: SIGKILL at random moments while producing, restart each time: every record once in the table', { timeout: 300_000 }, async (t) => {
  const dir = tempDir(t, 'archive-crash-iceberg');
  const lake = join(dir, 'lake');
  const csv = join(dir, 'index.csv');
  const group = 'crash-iceberg-archivers';
  const seed = Number(process.env.LAKEPIPE_CRASH_SEED ?? Date.now() % 1e9);
  const random = mulberry32(seed);
  const MIN_KILLS = 22;
  t.diagnostic(`kill schedule seed ${seed} (LAKEPIPE_CRASH_SEED)`);

  const t0 = Date.now();
  const producer = produce(ICE_CRASH, 23);
  let producing = true;
  producer.done.then(() => (producing = false));
  t.after(killAll);
  const indexed = indexTopic(t, ICE_CRASH.topic, ICE_CRASH.count, csv, 220_000);

  const settings = [...ICEBERG, '--rotate-interval', '2s', '--flush-records', '500'];
  const staging = join(lake, '_lakepipe', 'staging');
  const kills = [];
  let early = 0, active = 0;
  while ((kills.length < MIN_KILLS || producing) && Date.now() - t0 < 170_000 && !t.signal.aborted) {
    const proc = archive(ICE_CRASH.topic, group, lake, ...settings);
    let what;
    if (kills.length % 3 === 0) {
      await sleep(300 + random() * 3700);
      early++;
      what = 'after start';
    } else {
      const consuming = await activity(staging, proc.started, 9000);
      const joined = (Date.now() - proc.started) / 1000;
      await sleep(300 + random() * 3200);
      if (consuming) active++;
      what = consuming ? `writing from ${joined.toFixed(1)} s` : 'never wrote';
    }
    const r = await Promise.race([proc.done, sleep(0).then(() => null)]);
    assert.equal(r, null, `an archiver exited by itself before it was killed: ${JSON.stringify(r)}\n${proc.stderr}`);
    proc.child.kill('SIGKILL');
    assert.equal((await proc.done).signal, 'SIGKILL');
    kills.push(`${((Date.now() - proc.started) / 1000).toFixed(1)} s ${what}`);
  }
  t.diagnostic(`${kills.length} kills (${early} while starting, ${active} while writing) in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  assert.ok(kills.length >= 20, `only ${kills.length} kills`);
  assert.ok(early >= 5 && active >= 12, `kills while starting ${early}, while writing ${active}`);
  await producedOk(producer, ICE_CRASH.count, 60_000);

  const statsPath = join(dir, 'final-stats.json');
  const last = archive(ICE_CRASH.topic, group, lake, ...settings, '--exit-when-idle', '10s', '--stats-json', statsPath);
  const { code } = await exitOf(last, 90_000, 'the final archiver');
  assert.equal(code, 0, `final archiver exited ${code}\n${last.stderr}`);
  const stats = readStats(statsPath);
  t.diagnostic(`final archiver: ${JSON.stringify(stats)}`);
  assert.equal(stats.ok, true);
  assert.equal(stats.data_loss_records, 0, 'no offsets lost to retention');

  assert.equal(await indexed, ICE_CRASH.count);
  const totals = await checkIcebergTable(lake, ICE_CRASH.topic, csv, ICE_CRASH.count);
  t.diagnostic(`${totals.rows} rows in ${totals.files} data files; test took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
});

test('archive --table-format iceberg: two archivers commit to one table while the group rebalances: every record once', { timeout: 150_000 }, async (t) => {
  const dir = tempDir(t, 'archive-rebalance-iceberg');
  const lake = join(dir, 'lake');
  const csv = join(dir, 'index.csv');
  const group = 'rebalance-iceberg-archivers';
  const t0 = Date.now();
  const producer = produce(ICE_REBALANCE, 24);
  t.after(killAll);
  const indexed = indexTopic(t, ICE_REBALANCE.topic, ICE_REBALANCE.count, csv, 120_000);

  const settings = [...ICEBERG, '--rotate-interval', '2s', '--flush-records', '5000'];
  const statsA = join(dir, 'a.json'), statsB = join(dir, 'b.json');
  const a = archive(ICE_REBALANCE.topic, group, lake, ...settings, '--stats-json', statsA);
  const table = join(lake, 'default', ICE_REBALANCE.topic, 'metadata');
  const deadline = Date.now() + 30_000;
  while (walk(table).filter((f) => f.endsWith('.metadata.json')).length < 2) {
    assert.ok(Date.now() < deadline, `archiver A committed no snapshot in 30 s\n${a.stderr}`);
    await sleep(100);
  }
  const bStarted = Date.now();
  const b = archive(ICE_REBALANCE.topic, group, lake, ...settings, '--exit-when-idle', '10s', '--stats-json', statsB);
  const progress = /consumed ([\d,]+) \(/g;
  const consumedByB = () => Math.max(0, ...[...b.stderr.matchAll(progress)].map((m) => Number(m[1].replaceAll(',', ''))));
  while (consumedByB() === 0) {
    assert.ok(live.has(a), `archiver A exited by itself\n${a.stderr}`);
    assert.ok(live.has(b), `archiver B exited before it consumed anything\n${b.stderr}`);
    assert.ok(Date.now() - bStarted < 40_000, `archiver B consumed nothing in 40 s next to A\n${b.stderr}`);
    await sleep(200);
  }
  a.child.kill('SIGTERM');
  const ra = await exitOf(a, 30_000, 'archiver A after SIGTERM');
  assert.equal(ra.code, 0, `archiver A exited ${JSON.stringify(ra)} after SIGTERM\n${a.stderr}`);
  await producedOk(producer, ICE_REBALANCE.count, 60_000);
  const rb = await exitOf(b, 60_000, 'archiver B');
  assert.equal(rb.code, 0, `archiver B exited ${JSON.stringify(rb)}\n${b.stderr}`);

  const sa = readStats(statsA), sb = readStats(statsB);
  t.diagnostic(`A ${JSON.stringify(sa)}; B ${JSON.stringify(sb)}`);
  for (const s of [sa, sb]) {
    assert.equal(s.ok, true);
    assert.equal(s.data_loss_records, 0);
    assert.equal(s.consumed - s.given_back, s.archived + s.dead_lettered, 'consumed - given back = archived');
  }
  assert.ok(sa.archived > 0 && sb.archived > 0, 'both archivers committed records');
  assert.equal(sa.archived + sb.archived, ICE_REBALANCE.count, 'committed by A + committed by B = produced');

  assert.equal(await indexed, ICE_REBALANCE.count);
  const totals = await checkIcebergTable(lake, ICE_REBALANCE.topic, csv, ICE_REBALANCE.count);
  t.diagnostic(`${totals.rows} rows in ${totals.files} data files; test took ${((Date.now() - t0) / 1000).toFixed(0)} s`);
});

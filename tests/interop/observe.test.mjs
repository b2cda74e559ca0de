// --metrics-addr, lakepipe lag and JSON logs, checked from outside: /metrics
// scraped during an archive run and parsed with a Prometheus text parser we
// did not write; the counters move and end equal to the run's summary;
// /healthz and /status.json; the status page loaded in headless Chromium
// during lakepipe run (one lag entry per partition, the charts drawn, no
// request leaving the process; a screenshot is written to
// build/test-artifacts/status-page.png); lakepipe lag against the group's
// committed offsets; --log-format json.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import parsePrometheus from 'parse-prometheus-text-format';
import puppeteer from 'puppeteer-core';
import { LAKEPIPE, ROOT, freePort, lakepipeWith, sleep, tempDir } from './lib.mjs';

let broker, bootstrap;

before(async () => {
  broker = spawn(LAKEPIPE, ['broker', '--partitions', '4', '--topic', 'observed', '--topic', 'lagging', '--topic', 'joining'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  bootstrap = await new Promise((resolve, reject) => {
    createInterface({ input: broker.stdout }).once('line', resolve);
    setTimeout(() => reject(new Error('no bootstrap line from lakepipe broker')), 15000);
  });
});

after(() => broker?.kill('SIGTERM'));

async function get(url) {
  try {
    const r = await fetch(url);
    return { status: r.status, text: await r.text() };
  } catch {
    return null;  // not up yet, or gone
  }
}

// The value of a metric's series whose labels include `labels`, from the
// parser's families; the sum over every matching series.
function value(families, name, labels = {}) {
  const family = families.find((f) => f.name === name);
  if (!family) return undefined;
  return family.metrics.filter((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
    .reduce((s, m) => s + Number(m.value), 0);
}

// Resolves when `child` has exited (at once if it already has).
function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

test('archive waiting for a killed member\'s session: its stats lines and /healthz say it is joining, never lag 0', { timeout: 120_000 }, async (t) => {
  const dir = tempDir(t, 'joining');
  const lake = join(dir, 'lake');
  // A session long enough (12 s) for the wait to span stats lines (every 10 s).
  const args = ['archive', '--brokers', bootstrap, '--topic', 'joining', '--group', 'joiner', '--lake', lake,
    '--schema', join(ROOT, 'schemas', 'user.avsc'), '--rotate-interval', '1s', '-X', 'session.timeout.ms=12000'];
  const produce = (seed) => lakepipeWith({}, 'produce', '--brokers', bootstrap, '--topic', 'joining', '--source', 'users',
    '--count', '1000', '--seed', String(seed), '--quiet');
  assert.equal(produce(1).status, 0);
  const first = spawn(LAKEPIPE, args, { stdio: 'ignore' });
  const raw = join(lake, 'joining', 'raw');
  const deadline = Date.now() + 30_000;
  while (!existsSync(raw)) {
    assert.ok(Date.now() < deadline, 'the first archiver wrote nothing in 30 s');
    await sleep(100);
  }
  first.kill('SIGKILL');
  await exited(first);
  assert.equal(produce(2).status, 0);

  const port = await freePort();
  const second = spawn(LAKEPIPE, [...args, '--metrics-addr', `127.0.0.1:${port}`, '--exit-when-idle', '3s'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  second.stderr.on('data', (d) => { stderr += d; });
  const done = exited(second);
  let finished = false;
  done.then(() => { finished = true; });
  const health = [];
  while (!finished) {
    const h = await get(`http://127.0.0.1:${port}/healthz`);
    if (h) health.push(`${h.status} ${h.text.trim()}`);
    await sleep(250);
  }
  assert.equal((await done).code, 0, stderr);
  const joining = health.filter((h) => h.startsWith('503 joining'));
  assert.ok(joining.length > 0, `/healthz said it was joining: ${[...new Set(health)].join(' | ')}`);
  assert.match(joining.at(-1), /^503 joining group 'joiner' \(\d+ s so far\): waiting for the group's assignment; a previous member that did not leave holds its partitions until its session expires \(up to 12 s\)/);
  assert.ok(health.includes('200 ok'), 'healthy once it archives');
  const lines = stderr.split('\n');
  assert.ok(lines.some((l) => /^lakepipe archive: joining group 'joiner' \(\d+ s so far\)/.test(l)), `a stats line said joining:\n${stderr}`);
  assert.ok(!lines.some((l) => /consumed 0 \(0\/s\).*lag 0/.test(l)), `no stats line says lag 0 while it waits:\n${stderr}`);
  t.diagnostic(lines.filter((l) => l.includes('joining')).join('\n'));
});

test('archive --metrics-addr: /metrics parses, counters move and end equal to the summary; /healthz; /status.json', async (t) => {
  const dir = tempDir(t, 'observe');
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const stats = join(dir, 'stats.json');
  const archive = spawn(LAKEPIPE, ['archive', '--brokers', bootstrap, '--topic', 'observed', '--group', 'observer',
    '--lake', join(dir, 'lake'), '--schema', join(ROOT, 'schemas', 'user.avsc'), '--flush-records', '4000', '--rotate-interval', '2s',
    '--exit-when-idle', '8s', '--stats-json', stats, '--metrics-addr', `127.0.0.1:${port}`, '--log-format', 'json',
    '-X', 'session.timeout.ms=6000'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  archive.stderr.on('data', (d) => { stderr += d; });
  const done = exited(archive);
  // Produced while archived, over about 3 seconds.
  const producer = spawn(LAKEPIPE, ['produce', '--brokers', bootstrap, '--topic', 'observed', '--source', 'users',
    '--count', '30000', '--rate', '10000', '--seed', '5', '--quiet'], { stdio: 'ignore' });
  const produced = exited(producer);
  const scrapes = [];
  const health = new Set();
  let status = null;
  let finished = false;
  done.then(() => { finished = true; });
  while (!finished) {
    const m = await get(`${base}/metrics`);
    if (m && m.status === 200) {
      const families = parsePrometheus(m.text);  // throws on malformed text
      scrapes.push({ text: m.text, families });
      const h = await get(`${base}/healthz`);
      if (h) health.add(`${h.status} ${h.text.trim()}`);
      const s = await get(`${base}/status.json`);
      if (s && s.status === 200) status = JSON.parse(s.text);
    }
    await sleep(250);
  }
  assert.equal((await done).code, 0, stderr);
  assert.equal((await produced).code, 0);
  const summary = JSON.parse(readFileSync(stats, 'utf8'));
  assert.equal(summary.archived, 30000);

  assert.ok(scrapes.length >= 8, `${scrapes.length} scrapes`);
  const consumed = scrapes.map((s) => value(s.families, 'lakepipe_records_in_total', { stage: 'archive' }));
  const archived = scrapes.map((s) => value(s.families, 'lakepipe_records_out_total', { stage: 'archive' }));
  for (let i = 1; i < consumed.length; i++) {
    assert.ok(consumed[i] >= consumed[i - 1] && archived[i] >= archived[i - 1], 'counters never go down');
  }
  const distinct = new Set(archived.filter((v) => v > 0 && v < 30000));
  assert.ok(distinct.size >= 1, `archived moved through intermediate values: ${[...new Set(archived)].join(', ')}`);
  // The last scrape (idle, before exit) agrees with the summary.
  const last = scrapes.at(-1).families;
  assert.equal(value(last, 'lakepipe_records_in_total', { stage: 'archive' }), summary.consumed);
  assert.equal(value(last, 'lakepipe_records_out_total', { stage: 'archive' }), summary.archived);
  assert.equal(value(last, 'lakepipe_files_written_total'), summary.files_written);
  assert.equal(value(last, 'lakepipe_bytes_out_total', { stage: 'archive' }), summary.bytes_written);
  assert.equal(value(last, 'lakepipe_dead_letters_total'), summary.dead_lettered);
  assert.equal(value(last, 'lakepipe_data_loss_records_total'), summary.data_loss_records);
  const lag = last.find((f) => f.name === 'lakepipe_consumer_lag');
  assert.equal(lag.type, 'GAUGE');
  assert.deepEqual(lag.metrics.map((m) => m.labels.partition).sort(), ['0', '1', '2', '3']);
  assert.equal(value(last, 'lakepipe_consumer_lag'), 0);
  const upload = last.find((f) => f.name === 'lakepipe_upload_seconds');
  assert.equal(upload.type, 'HISTOGRAM');
  assert.equal(Number(upload.metrics[0].buckets['+Inf']), summary.files_written, 'one upload timed per file');
  assert.ok(value(last, 'lakepipe_process_resident_memory_bytes') > 1e6);
  for (const name of ['lakepipe_rebalances_total', 'lakepipe_open_files', 'lakepipe_buffered_bytes']) {
    assert.ok(last.some((f) => f.name === name), name);
  }
  assert.ok([...health].some((h) => h === '200 ok'), `healthy while consuming: ${[...health].join(' | ')}`);
  assert.ok([...health].some((h) => /^503 joining group 'observer' \(\d+ s so far\)/.test(h)), `503 before the group is joined: ${[...health].join(' | ')}`);
  assert.equal(status.command, 'archive');
  assert.ok(status.metrics.lakepipe_consumer_lag.series.length === 4);
  t.diagnostic(`${scrapes.length} scrapes; archived went ${[...new Set(archived)].join(' → ')}`);

  // Every log line is a JSON object.
  const lines = stderr.split('\n').filter((l) => l.trim());
  assert.ok(lines.length > 0);
  for (const line of lines) {
    const j = JSON.parse(line);
    for (const k of ['time', 'level', 'source', 'message']) assert.ok(k in j, `${k} in ${line}`);
  }
});

test('lakepipe lag: committed and end offsets per partition, the lag, the members', async (t) => {
  const dir = tempDir(t, 'lag');
  let r = lakepipeWith({}, 'produce', '--brokers', bootstrap, '--topic', 'lagging', '--source', 'users', '--count', '4000', '--seed', '9', '--quiet');
  assert.equal(r.status, 0, r.stderr);
  r = lakepipeWith({}, 'archive', '--brokers', bootstrap, '--topic', 'lagging', '--group', 'behind', '--lake', join(dir, 'lake'),
    '--schema', join(ROOT, 'schemas', 'user.avsc'), '--exit-when-idle', '4s', '-X', 'session.timeout.ms=6000');
  assert.equal(r.status, 0, r.stderr);
  r = lakepipeWith({}, 'produce', '--brokers', bootstrap, '--topic', 'lagging', '--source', 'users', '--count', '1500', '--seed', '10', '--quiet');
  assert.equal(r.status, 0, r.stderr);
  r = lakepipeWith({}, 'lag', '--brokers', bootstrap, '--group', 'behind', '--topic', 'lagging', '--json');
  assert.equal(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.partitions.length, 4);
  assert.equal(j.total_lag, 1500);
  assert.equal(j.partitions.reduce((s, p) => s + p.log_end_offset, 0), 5500);
  assert.equal(j.partitions.reduce((s, p) => s + p.committed_offset, 0), 4000);
  for (const p of j.partitions) assert.equal(p.lag, p.log_end_offset - p.committed_offset);
  r = lakepipeWith({}, 'lag', '--brokers', bootstrap, '--group', 'behind', '--topic', 'lagging');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^GROUP +TOPIC +PARTITION +CURRENT-OFFSET +LOG-END-OFFSET +LAG/);
  assert.match(r.stdout, /group 'behind': 4 partitions, total lag 1,500/);
  t.diagnostic(r.stdout.trim().split('\n').slice(0, 2).join(' / '));

  // With a member consuming. The dev broker does not answer DescribeGroups
  // (real Kafka does), so the members are reported unknown, with why.
  const port = await freePort();
  const live = spawn(LAKEPIPE, ['archive', '--brokers', bootstrap, '--topic', 'lagging', '--group', 'behind', '--lake', join(dir, 'lake'),
    '--schema', join(ROOT, 'schemas', 'user.avsc'), '--exit-when-idle', '120s', '--rotate-interval', '1s', '--metrics-addr', `127.0.0.1:${port}`,
    '-X', 'session.timeout.ms=6000'], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100; i++) {
      const h = await get(`http://127.0.0.1:${port}/healthz`);
      if (h && h.status === 200) break;
      await sleep(200);
    }
    for (let i = 0; i < 50; i++) {  // until the member has caught up
      r = lakepipeWith({}, 'lag', '--brokers', bootstrap, '--group', 'behind', '--topic', 'lagging', '--json');
      if (r.status === 0 && JSON.parse(r.stdout).total_lag === 0) break;
      await sleep(200);
    }
    assert.equal(r.status, 0, r.stderr);
    const m = JSON.parse(r.stdout);
    assert.equal(m.total_lag, 0, 'the member consumed the backlog');
    assert.equal(m.partitions.reduce((s, p) => s + p.committed_offset, 0), 5500);
    if (m.members.length > 0) {
      assert.equal(m.members[0].assignment.length, 4);
    } else {
      assert.match(m.members_error, /not supported by broker/);
    }
    t.diagnostic(`members: ${m.members.length ? JSON.stringify(m.members) : m.members_error}`);
  } finally {
    live.kill('SIGTERM');
    await exited(live);
  }
  // Without --topic: the topics the group committed offsets for.
  r = lakepipeWith({}, 'lag', '--brokers', bootstrap, '--group', 'behind', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual([...new Set(JSON.parse(r.stdout).partitions.map((p) => p.topic))], ['lagging']);
  // A group that does not exist says so, naming it and the brokers.
  for (const topic of [[], ['--topic', 'lagging']]) {
    r = lakepipeWith({}, 'lag', '--brokers', bootstrap, '--group', 'nobody', ...topic);
    assert.equal(r.status, 1, r.stdout);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, new RegExp(`consumer group 'nobody' does not exist on ${bootstrap.replaceAll('.', '\\.')}: it has no members and no committed offsets \\(on ${topic.length ? 'topic lagging' : 'any topic'}\\)`));
  }
});

test('the status page in headless Chromium during lakepipe run: in and out per stage, one lag entry per partition, a chart with times that commits do not flatten, no outside request; a screenshot', async (t) => {
  const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
  assert.ok(chromium, 'chromium is not installed (scripts/test installs it)');
  const dir = tempDir(t, 'page');
  const port = await freePort();
  const rate = 15000;
  const run = spawn(LAKEPIPE, ['run', '--count', String(rate * 20), '--rate', String(rate), '--partitions', '6', '--lake', join(dir, 'lake'),
    '--output', join(dir, 'out'), '--metrics-addr', `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  run.stderr.on('data', (d) => { stderr += d; });
  const done = exited(run);
  const browser = await puppeteer.launch({ executablePath: chromium, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    for (let i = 0; i < 100 && !stderr.includes('status page'); i++) await sleep(100);
    assert.match(stderr, new RegExp(`status page http://127\\.0\\.0\\.1:${port}/`));
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    const outside = [];
    page.on('request', (req) => { if (!req.url().startsWith(`http://127.0.0.1:${port}/`)) outside.push(req.url()); });
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.waitForFunction(() => document.querySelectorAll('.lag-entry').length > 0
      && Number(document.getElementById('throughput').dataset.points) >= 3, { timeout: 20000 });
    const entries = await page.$$eval('.lag-entry', (els) => els.map((e) => e.dataset.partition));
    assert.deepEqual(entries.map(Number).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5], 'one lag entry per partition');
    assert.match(await page.$eval('#health', (e) => e.textContent), /healthy/);

    // Each stage's figure on its own; no sum of two stages. Wait for a
    // file commit: archived moves only then.
    const figure = (key) => page.$eval(`[data-figure="${key}"] b`, (e) => Number(e.textContent.replaceAll(',', '')));
    await page.waitForFunction(() => Number((document.querySelector('[data-figure="archived"] b')?.textContent ?? '0').replaceAll(',', '')) > 0,
      { timeout: 30000 });
    const [produced, consumed, archived] = [await figure('produced'), await figure('consumed'), await figure('archived')];
    t.diagnostic(`page: produced ${produced}, consumed ${consumed}, archived ${archived}`);
    assert.ok(produced > 0 && consumed > 0 && archived > 0, 'produced, consumed and archived each have a figure');
    // (Consumed may pass produced for a moment: records are read before
    // their delivery reports reach the producer.)
    assert.ok(archived <= consumed, `archived ${archived} <= consumed ${consumed}`);
    assert.doesNotMatch(await page.$eval('#figures', (e) => e.textContent), /records out/);
    const stages = await page.$$eval('#stages tbody tr', (rows) => rows.map((r) => [r.dataset.stage, ...[...r.cells].map((c) => c.textContent)]));
    assert.deepEqual(stages.map((r) => r[0]), ['produce', 'archive'], 'a row per stage');
    assert.match(stages[0].join(' '), /read from the source .* delivered to Kafka/);
    assert.match(stages[1].join(' '), /consumed from Kafka .* archived/);

    // The time axis: clock labels, in order, near now (UTC).
    await page.waitForFunction(() => JSON.parse(document.getElementById('throughput').dataset.xLabels).length >= 2, { timeout: 10000 });
    const labels = await page.$eval('#throughput', (c) => JSON.parse(c.dataset.xLabels));
    t.diagnostic(`time axis: ${labels.join(' ')}`);
    for (const l of labels) assert.match(l, /^\d\d:\d\d:\d\d$/);
    const seconds = (l) => l.split(':').reduce((s, x) => s * 60 + Number(x), 0);
    const nowSeconds = seconds(new Date().toISOString().slice(11, 19));
    assert.ok(labels.every((l, i) => i === 0 || seconds(l) > seconds(labels[i - 1])) || nowSeconds < 600, 'labels in order');
    assert.ok(Math.abs(seconds(labels[labels.length - 1]) - nowSeconds) < 60 || nowSeconds < 600, `the last label is about now: ${labels.at(-1)}`);

    // The axis follows the steady rates (produced, consumed), not a commit's
    // burst: the run commits its files every 10 s, some 150,000 records at
    // once. After that, the produce rate still fills a good part of the
    // chart's height.
    await page.waitForFunction(() => window.lakepipeChart.history.at(-1).archived >= 100000, { timeout: 20000 });
    await sleep(2100);
    const chart = await page.evaluate(() => {
      const c = document.getElementById('throughput');
      const { history: h, rates } = window.lakepipeChart;
      const steady = Math.max(...['produced', 'consumed'].flatMap((key) => rates(h, key, 3).map((p) => p.v)));
      return { top: Number(c.dataset.top), clipped: Number(c.dataset.clipped), produced: rates(h, 'produced', 3).at(-1).v, steady,
        burst: Math.max(0, ...h.slice(1).map((s, i) => (s.archived - h[i].archived) / (s.t - h[i].t))) };
    });
    t.diagnostic(`axis top ${chart.top}/s; produced ${Math.round(chart.produced)}/s, steady lines' highest ${Math.round(chart.steady)}/s; the archived count's largest one-sample jump ${Math.round(chart.burst)}/s; ${chart.clipped} points clipped`);
    // The top is the steady lines' highest rate with room above (at most
    // 2.5 times it: a 1-2-2.5-5 step over 1.1 times), whatever the produce
    // rate a loaded machine reaches at this moment; a burst above that is
    // clipped, not scaled to.
    assert.ok(chart.top >= chart.steady && chart.top <= 2.5 * chart.steady,
      `axis up to ${chart.top}/s for steady lines up to ${Math.round(chart.steady)}/s`);
    if (chart.burst > 2.5 * chart.steady) assert.ok(chart.top < chart.burst, `axis up to ${chart.top}/s, below the commit's ${Math.round(chart.burst)}/s`);
    // The same rule on a made-up minute: 10,000 records/s produced and
    // consumed, archived 100,000 at a time every 10 s.
    const made = await page.evaluate(() => {
      const { rates, axisTop } = window.lakepipeChart;
      const h = [];
      for (let t = 0; t <= 60; t++) h.push({ t, produced: 10000 * t, consumed: 10000 * t, archived: 100000 * Math.floor(t / 10) });
      const lines = [['produced', 3, true], ['consumed', 3, true], ['archived', 10, false]]
        .map(([key, window, steady]) => ({ steady, points: rates(h, key, window) }));
      const spike = Math.max(...rates(h, 'archived', 1).map((p) => p.v));
      return { top: axisTop(lines), spike };
    });
    assert.equal(made.spike, 100000);
    assert.ok(made.top >= 10000 && made.top <= 20000, `made-up minute: axis top ${made.top}, not the commit's ${made.spike}`);
    const artifacts = join(ROOT, 'build', 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    const shot = join(artifacts, 'status-page.png');
    await page.screenshot({ path: shot, fullPage: true });
    assert.ok(statSync(shot).size > 20000, 'a screenshot with content');
    assert.deepEqual(outside, [], 'the page fetched nothing from elsewhere');
    t.diagnostic(`screenshot: ${shot}`);
  } finally {
    await browser.close();
  }
  assert.equal((await done).code, 0, stderr);
});

// Runs `lakepipe archive` with --metrics-addr on a free port; scrapes
// /healthz and /metrics every 200 ms until it exits.
async function watchedArchive(dir, brokers, extra) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const statsPath = join(dir, 'stats.json');
  const started = Date.now();
  const child = spawn(LAKEPIPE, ['archive', '--brokers', brokers, '--topic', 'lost', '--group', 'loser',
    '--lake', join(dir, 'lake'), '--schema', join(ROOT, 'schemas', 'user.avsc'), '--stats-json', statsPath,
    '--metrics-addr', `127.0.0.1:${port}`, '-X', 'session.timeout.ms=6000', ...extra], { stdio: ['ignore', 'ignore', 'pipe'] });
  const run = { child, stderr: '', health: [], consumed: [], started };
  child.stderr.on('data', (d) => { run.stderr += d; });
  const done = exited(child);
  let finished = false;
  done.then(() => { finished = true; });
  run.scraping = (async () => {
    while (!finished) {
      const h = await get(`${base}/healthz`);
      if (h) run.health.push({ at: Date.now() - started, status: h.status, text: h.text.trim() });
      const m = await get(`${base}/metrics`);
      if (m && m.status === 200) {
        const v = value(parsePrometheus(m.text), 'lakepipe_records_in_total', { stage: 'archive' });
        if (v !== undefined) run.consumed.push(v);
      }
      await sleep(200);
    }
  })();
  run.done = done.then(async (r) => {
    await run.scraping;
    return { ...r, seconds: (Date.now() - started) / 1000, stats: JSON.parse(readFileSync(statsPath, 'utf8')) };
  });
  return run;
}

test('archive against an address where nothing listens: exit 1 and "ok": false within --broker-timeout, one line naming the address', async (t) => {
  const dir = tempDir(t, 'nobroker');
  const nothing = `127.0.0.1:${await freePort()}`;
  const run = await watchedArchive(dir, nothing, ['--broker-timeout', '5s', '--exit-when-idle', '2s']);
  const limit = setTimeout(() => run.child.kill('SIGKILL'), 40_000);
  const r = await run.done;
  clearTimeout(limit);
  assert.equal(r.code, 1, `exit ${JSON.stringify(r)}\n${run.stderr}`);
  assert.ok(r.seconds >= 5 && r.seconds < 10, `exited after ${r.seconds} s`);
  assert.equal(r.stats.ok, false);
  const reason = new RegExp(`no Kafka broker answered at ${nothing} within 5 s: .*Connection refused`);
  assert.match(r.stats.error, reason);
  assert.match(run.stderr, reason);
  assert.equal(run.stderr.trim().split('\n').length, 1, run.stderr);
  assert.ok(!run.health.some((h) => h.status === 200), 'never healthy');
});

test('archive whose broker dies mid-run: exit 1 and "ok": false, /healthz 503, counters never go down', async (t) => {
  const dir = tempDir(t, 'brokerdies');
  const own = spawn(LAKEPIPE, ['broker', '--partitions', '2', '--topic', 'lost'], { stdio: ['ignore', 'pipe', 'ignore'] });
  t.after(() => own.kill('SIGKILL'));
  const ownBootstrap = await new Promise((resolve, reject) => {
    createInterface({ input: own.stdout }).once('line', resolve);
    setTimeout(() => reject(new Error('no bootstrap line from lakepipe broker')), 15000);
  });
  const produced = lakepipeWith({}, 'produce', '--brokers', ownBootstrap, '--topic', 'lost', '--source', 'users',
    '--count', '5000', '--seed', '3', '--quiet');
  assert.equal(produced.status, 0, produced.stderr);
  // One file per 1,000 records: some are archived before the broker dies.
  const run = await watchedArchive(dir, ownBootstrap,
    ['--broker-timeout', '5s', '--exit-when-idle', '20s', '--flush-records', '1000', '--rotate-interval', '60s']);
  const limit = setTimeout(() => run.child.kill('SIGKILL'), 60_000);
  while (!run.consumed.some((v) => v >= 5000)) {
    assert.equal(run.child.exitCode, null, `the archive exited before it consumed everything\n${run.stderr}`);
    await sleep(100);
  }
  const healthyBefore = run.health.some((h) => h.status === 200);
  const killedAt = Date.now() - run.started;
  own.kill('SIGKILL');
  const r = await run.done;
  clearTimeout(limit);
  assert.ok(healthyBefore, `healthy while the broker ran: ${JSON.stringify(run.health)}`);
  assert.equal(r.code, 1, `exit ${JSON.stringify(r)}\n${run.stderr}`);
  assert.ok(r.seconds * 1000 - killedAt >= 5000, 'not before --broker-timeout');
  assert.equal(r.stats.ok, false);
  assert.match(r.stats.error, /no Kafka broker reachable at .* for \d+ s/);
  // librdkafka reports all brokers down after its first failed reconnect.
  const after = run.health.filter((h) => h.at > killedAt + 2000);
  assert.ok(after.length > 0 && after.every((h) => h.status === 503), `503 once the broker is gone: ${JSON.stringify(after)}`);
  for (let i = 1; i < run.consumed.length; i++) {
    assert.ok(run.consumed[i] >= run.consumed[i - 1], `lakepipe_records_in_total went down: ${run.consumed.join(', ')}`);
  }
  // What was read stays counted; the open segment was given back.
  assert.equal(r.stats.consumed, 5000);
  assert.equal(r.stats.consumed - r.stats.given_back, r.stats.archived + r.stats.dead_lettered);
  assert.match(run.stderr, r.stats.given_back > 0 ? /consumed 5,000 \([\d,]+ given back uncommitted/ : /consumed 5,000,/);
});

test('bad --metrics-addr and --log-format values are named', () => {
  let r = lakepipeWith({}, 'archive', '--brokers', '127.0.0.1:1', '--topic', 't', '--group', 'g', '--lake', '/tmp/x',
    '--schema', join(ROOT, 'schemas', 'user.avsc'), '--metrics-addr', 'nine');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--metrics-addr 'nine' is not HOST:PORT/);
  r = lakepipeWith({}, 'transform', '--lake', '/tmp/x', '--log-format', 'xml');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /--log-format 'xml' is not a log format \(text, json\)/);
});

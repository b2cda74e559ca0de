#include "observe/server.h"

namespace lakepipe::observe {

// Everything inline: the page works without any network access but to the
// process serving it.
const char* StatusPageHtml() {
  return R"html(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>lakepipe status</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2330; background: #f6f7f9; }
  h1 { font-size: 20px; margin: 0 0 4px; }
  h2 { font-size: 15px; margin: 0 0 8px; }
  .sub { color: #5a6375; margin-bottom: 16px; }
  .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
  .card { background: #fff; border: 1px solid #dde1e7; border-radius: 8px; padding: 14px; }
  .wide { grid-column: 1 / span 2; }
  .badge { display: inline-block; padding: 2px 8px; border-radius: 10px; font-weight: 600; }
  .ok { background: #d8f3e0; color: #17693a; } .bad { background: #fde0df; color: #9b1c17; }
  .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 8px; }
  .figure b { display: block; font-size: 18px; }
  .figure span { color: #5a6375; font-size: 12px; }
  .lag-entry { display: grid; grid-template-columns: 180px 1fr 90px; gap: 8px; align-items: center; margin: 3px 0; }
  .bar { height: 10px; background: #e6e9ef; border-radius: 5px; overflow: hidden; }
  .bar i { display: block; height: 100%; background: #3b6fd8; }
  table { border-collapse: collapse; width: 100%; }
  td, th { text-align: left; padding: 3px 6px; border-bottom: 1px solid #eef0f3; }
  td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
  .error { font-family: ui-monospace, monospace; font-size: 12px; margin: 4px 0; }
  .error.warning { color: #8a5a00; } .error.error { color: #9b1c17; }
  canvas { width: 100%; height: 200px; }
  .legend span { margin-right: 12px; } .legend i { display: inline-block; width: 10px; height: 3px; margin-right: 4px; vertical-align: middle; }
</style>
</head>
<body>
<h1>lakepipe <span id="command"></span> <span id="health" class="badge"></span></h1>
<div class="sub" id="sub">connecting…</div>
<div class="grid">
  <div class="card wide">
    <div class="figures" id="figures"></div>
  </div>
  <div class="card wide">
    <h2>Records in and out per stage</h2>
    <table id="stages"><thead><tr><th>stage</th><th class="n">in</th><th></th><th class="n">out</th><th></th></tr></thead><tbody></tbody></table>
  </div>
  <div class="card wide">
    <h2>Throughput (records/s; times in UTC)</h2>
    <div class="legend" id="legend"></div>
    <canvas id="throughput" width="1000" height="200" data-points="0" data-top="0" data-x-labels="[]"></canvas>
  </div>
  <div class="card">
    <h2>Consumer lag per partition</h2>
    <div id="lag"><div class="sub">no partitions assigned</div></div>
  </div>
  <div class="card">
    <h2>Files per table</h2>
    <table id="files"><thead><tr><th>table</th><th>zone</th><th class="n">files</th><th class="n">records written</th></tr></thead><tbody></tbody></table>
  </div>
  <div class="card wide">
    <h2>Recent errors and warnings</h2>
    <div id="errors"><div class="sub">none</div></div>
  </div>
</div>
<script>
"use strict";
// Samples of the per-stage counters: {t (seconds since the epoch), produced, consumed, archived}.
const history = [];
const HISTORY_SECONDS = 180;
// What each stage takes in and gives out, as lakepipe_records_{in,out}_total{stage}.
const STAGES = [
  { stage: "produce", name: "produce", in: "read from the source", out: "delivered to Kafka" },
  { stage: "archive", name: "archive", in: "consumed from Kafka", out: "archived (in committed lake files)" },
  { stage: "transform", name: "transform", in: "clean rows read", out: "rows written" },
];
// The chart's lines. A steady line sets the axis; archived records arrive in
// bursts, as files commit, so that line is averaged over a longer window and
// drawn clipped (a marker) where a commit takes it above the axis.
const LINES = [
  { key: "produced", label: "produced", color: "#3b6fd8", window: 3, steady: true },
  { key: "consumed", label: "consumed", color: "#2a9d5b", window: 3, steady: true },
  { key: "archived", label: "archived (10 s average; moves as files commit)", color: "#e07b24", window: 10, steady: false },
];
const fmt = (n) => Math.round(n).toLocaleString("en-US");
const bytes = (n) => n >= 1 << 30 ? (n / (1 << 30)).toFixed(1) + " GiB" : n >= 1 << 20 ? (n / (1 << 20)).toFixed(1) + " MiB" : (n / 1024).toFixed(1) + " KiB";
function series(m, name) { return (m[name] && m[name].series) || []; }
function total(m, name, stage) {
  return series(m, name).filter((x) => stage === undefined || (x.labels && x.labels.stage === stage)).reduce((s, x) => s + (x.value || 0), 0);
}
function has(m, name, stage) { return series(m, name).some((x) => x.labels && x.labels.stage === stage); }
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
// The rate of `key` at each sample from the second on: the change over the
// last `window` seconds (or since the first sample) divided by the time it took.
function rates(samples, key, window) {
  const out = [];
  let j = 0;
  for (let i = 1; i < samples.length; i++) {
    while (j < i - 1 && samples[i].t - samples[j + 1].t >= window) j++;
    const dt = samples[i].t - samples[j].t;
    if (dt > 0 && samples[i][key] !== undefined && samples[j][key] !== undefined) {
      out.push({ t: samples[i].t, v: Math.max(0, (samples[i][key] - samples[j][key]) / dt) });
    }
  }
  return out;
}
// 1, 2, 2.5 or 5 times a power of ten, at least `v`.
function niceCeil(v) {
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const f of [1, 2, 2.5, 5, 10]) if (f * p >= v) return f * p;
  return 10 * p;
}
// The axis' top: the steady lines' highest rate with room above; the bursty
// lines' only when no steady line moves. A commit does not flatten the rest.
function axisTop(lines) {
  const highest = (ls) => Math.max(0, ...ls.flatMap((l) => l.points.map((p) => p.v)));
  const steady = highest(lines.filter((l) => l.steady));
  return niceCeil(Math.max(1, 1.1 * (steady > 0 ? steady : highest(lines))));
}
// Ticks for [t0, t1] at a round number of seconds, at most six of them.
function timeTicks(t0, t1) {
  const span = Math.max(1, t1 - t0);
  const step = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600].find((s) => span / s <= 6) || 3600;
  const ticks = [];
  for (let t = Math.ceil(t0 / step) * step; t <= t1; t += step) ticks.push(t);
  return ticks;
}
const clock = (t) => new Date(t * 1000).toISOString().slice(11, 19);
window.lakepipeChart = { history, rates, axisTop, timeTicks, clock };
function draw(present) {
  const c = document.getElementById("throughput");
  const g = c.getContext("2d");
  g.clearRect(0, 0, c.width, c.height);
  const lines = LINES.filter((l) => present[l.key]).map((l) => ({ ...l, points: rates(history, l.key, l.window) }));
  c.dataset.points = String(Math.max(0, ...lines.map((l) => l.points.length)));
  const top = axisTop(lines);
  c.dataset.top = String(top);
  const left = 70, right = c.width - 10, bottom = c.height - 22, height = c.height - 34;
  const t1 = history.length ? history[history.length - 1].t : 0;
  const t0 = Math.min(history.length ? history[0].t : t1, t1 - 10);
  const x = (t) => left + (right - left) * (t - t0) / (t1 - t0);
  const y = (v) => bottom - height * Math.min(v, top) / top;
  g.strokeStyle = "#eef0f3"; g.fillStyle = "#5a6375"; g.font = "12px sans-serif"; g.lineWidth = 1;
  for (let k = 0; k <= 4; k++) {
    const yy = bottom - height * k / 4;
    g.beginPath(); g.moveTo(left, yy); g.lineTo(right, yy); g.stroke();
    g.textAlign = "right"; g.fillText(fmt(top * k / 4), left - 6, yy + 4);
  }
  const labels = [];
  g.textAlign = "center";
  for (const t of timeTicks(t0, t1)) {
    g.strokeStyle = "#c9ced8"; g.beginPath(); g.moveTo(x(t), bottom); g.lineTo(x(t), bottom + 4); g.stroke();
    g.fillText(clock(t), x(t), c.height - 4);
    labels.push(clock(t));
  }
  c.dataset.xLabels = JSON.stringify(labels);
  let clipped = 0;
  for (const l of lines) {
    g.strokeStyle = l.color; g.fillStyle = l.color; g.lineWidth = 2; g.beginPath();
    l.points.forEach((p, i) => { if (i === 0) g.moveTo(x(p.t), y(p.v)); else g.lineTo(x(p.t), y(p.v)); });
    g.stroke();
    for (const p of l.points.filter((p) => p.v > top)) {
      clipped++;
      g.beginPath(); g.moveTo(x(p.t) - 4, bottom - height + 7); g.lineTo(x(p.t) + 4, bottom - height + 7); g.lineTo(x(p.t), bottom - height); g.fill();
    }
  }
  c.dataset.clipped = String(clipped);
  const legend = document.getElementById("legend");
  if (!lines.length) { legend.replaceChildren(el("span", {}, "no records produced, consumed or archived by this command")); return; }
  legend.replaceChildren(...lines.map((l) => {
    const s = el("span", { "data-line": l.key }); const i = el("i"); i.style.background = l.color;
    const now = l.points.length ? l.points[l.points.length - 1].v : 0;
    s.append(i, document.createTextNode(l.label + ": " + fmt(now) + "/s")); return s;
  }));
}
function render(s) {
  const m = s.metrics || {};
  const now = typeof s.time === "number" ? s.time : Date.now() / 1000;
  document.getElementById("command").textContent = s.command || "";
  const h = document.getElementById("health");
  h.textContent = s.health && s.health.ok ? "healthy" : "unhealthy: " + ((s.health && s.health.reason) || "");
  h.className = "badge " + (s.health && s.health.ok ? "ok" : "bad");
  document.getElementById("sub").textContent = "up " + (s.uptime_seconds || 0).toFixed(0) + " s · refreshed " + clock(now) + " UTC";
  const IN = "lakepipe_records_in_total", OUT = "lakepipe_records_out_total";
  const present = { produced: has(m, OUT, "produce"), consumed: has(m, IN, "archive"), archived: has(m, OUT, "archive") };
  const counts = { produced: total(m, OUT, "produce"), consumed: total(m, IN, "archive"), archived: total(m, OUT, "archive") };
  const figures = [];
  if (present.produced) figures.push(["produced", "produced (delivered to Kafka)", fmt(counts.produced)]);
  if (present.consumed) figures.push(["consumed", "consumed (read from Kafka)", fmt(counts.consumed)]);
  if (present.archived) figures.push(["archived", "archived (in committed lake files)", fmt(counts.archived)]);
  if (has(m, OUT, "transform")) figures.push(["transformed", "rows written by transform", fmt(total(m, OUT, "transform"))]);
  figures.push(
    ["files", "files written", fmt(total(m, "lakepipe_files_written_total"))],
    ["dead-letters", "dead letters", fmt(total(m, "lakepipe_dead_letters_total"))],
    ["rejected", "rejected", fmt(total(m, "lakepipe_rejected_records_total"))],
    ["lost", "lost to retention", fmt(total(m, "lakepipe_data_loss_records_total"))],
    ["rebalances", "rebalances", fmt(total(m, "lakepipe_rebalances_total"))],
    ["memory", "memory (RSS)", bytes(total(m, "lakepipe_process_resident_memory_bytes"))]);
  const f = document.getElementById("figures");
  f.replaceChildren(...figures.map(([key, k, v]) => { const d = el("div", { class: "figure", "data-figure": key }); d.append(el("b", {}, v), el("span", {}, k)); return d; }));
  const stages = STAGES.filter((st) => has(m, IN, st.stage) || has(m, OUT, st.stage));
  document.querySelector("#stages tbody").replaceChildren(...stages.map((st) => {
    const r = el("tr", { "data-stage": st.stage });
    r.append(el("td", {}, st.name), el("td", { class: "n" }, has(m, IN, st.stage) ? fmt(total(m, IN, st.stage)) : "–"), el("td", {}, st.in),
      el("td", { class: "n" }, has(m, OUT, st.stage) ? fmt(total(m, OUT, st.stage)) : "–"), el("td", {}, st.out));
    return r;
  }));
  history.push({ t: now, ...counts });
  while (history.length > 1 && now - history[0].t > HISTORY_SECONDS) history.shift();
  draw(present);
  const lags = series(m, "lakepipe_consumer_lag").slice().sort((a, b) => (a.labels.topic + a.labels.partition.padStart(6, "0")).localeCompare(b.labels.topic + b.labels.partition.padStart(6, "0")));
  const lag = document.getElementById("lag");
  if (lags.length) {
    const maxLag = Math.max(1, ...lags.map((x) => x.value));
    lag.replaceChildren(...lags.map((x) => {
      const d = el("div", { class: "lag-entry", "data-partition": x.labels.partition });
      const bar = el("div", { class: "bar" }); const fill = el("i"); fill.style.width = (100 * x.value / maxLag) + "%"; bar.append(fill);
      d.append(el("span", {}, x.labels.topic + " [" + x.labels.partition + "]"), bar, el("span", { class: "n" }, fmt(x.value)));
      return d;
    }));
  }
  // Files and the records in them per table and zone: raw files hold what
  // the archive wrote, the other zones what a transform job wrote.
  const files = {};
  const entry = (table, zone) => (files[table + "\u0000" + zone] = files[table + "\u0000" + zone] || { table, zone, files: 0, records: 0 });
  for (const x of series(m, "lakepipe_files_written_total")) entry(x.labels.table, x.labels.zone || "").files += x.value;
  for (const x of series(m, OUT)) {
    if (x.labels.stage === "archive" && x.labels.table) entry(x.labels.table, "raw").records += x.value;
    if (x.labels.stage === "transform" && x.labels.table) entry(x.labels.table, x.labels.job || "").records += x.value;
  }
  document.querySelector("#files tbody").replaceChildren(...Object.values(files).map((v) => {
    const r = el("tr"); r.append(el("td", {}, v.table), el("td", {}, v.zone), el("td", { class: "n" }, fmt(v.files)), el("td", { class: "n" }, fmt(v.records))); return r;
  }));
  const errors = s.errors || [];
  if (errors.length) {
    document.getElementById("errors").replaceChildren(...errors.slice(-12).reverse().map((e) => el("div", { class: "error " + e.level }, e.time + " " + e.level + ": " + e.text)));
  }
}
async function refresh() {
  try {
    const r = await fetch("/status.json", { cache: "no-store" });
    render(await r.json());
  } catch (e) {
    document.getElementById("sub").textContent = "cannot reach the process: " + e;
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
)html";
}

}  // namespace lakepipe::observe

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
  .figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 8px; }
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
  canvas { width: 100%; height: 180px; }
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
    <h2>Throughput (records/s)</h2>
    <div class="legend"><span><i style="background:#3b6fd8"></i>in</span><span><i style="background:#e07b24"></i>out</span></div>
    <canvas id="throughput" width="1000" height="180" data-points="0"></canvas>
  </div>
  <div class="card">
    <h2>Consumer lag per partition</h2>
    <div id="lag"><div class="sub">no partitions assigned</div></div>
  </div>
  <div class="card">
    <h2>Files per table</h2>
    <table id="files"><thead><tr><th>table</th><th class="n">files</th><th class="n">records out</th></tr></thead><tbody></tbody></table>
  </div>
  <div class="card wide">
    <h2>Recent errors and warnings</h2>
    <div id="errors"><div class="sub">none</div></div>
  </div>
</div>
<script>
"use strict";
const history = [];  // {t, in, out}
const fmt = (n) => Math.round(n).toLocaleString("en-US");
const bytes = (n) => n >= 1 << 30 ? (n / (1 << 30)).toFixed(1) + " GiB" : n >= 1 << 20 ? (n / (1 << 20)).toFixed(1) + " MiB" : (n / 1024).toFixed(1) + " KiB";
function series(m, name) { return (m[name] && m[name].series) || []; }
function total(m, name) { return series(m, name).reduce((s, x) => s + (x.value || 0), 0); }
function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}
function draw() {
  const c = document.getElementById("throughput");
  const g = c.getContext("2d");
  g.clearRect(0, 0, c.width, c.height);
  const rates = [];
  for (let i = 1; i < history.length; i++) {
    const dt = history[i].t - history[i - 1].t;
    if (dt > 0) rates.push({ in: (history[i].in - history[i - 1].in) / dt, out: (history[i].out - history[i - 1].out) / dt });
  }
  c.dataset.points = String(rates.length);
  const max = Math.max(1, ...rates.map((r) => Math.max(r.in, r.out)));
  g.strokeStyle = "#eef0f3"; g.fillStyle = "#5a6375"; g.font = "12px sans-serif";
  for (let k = 0; k <= 4; k++) {
    const y = c.height - 20 - (c.height - 30) * k / 4;
    g.beginPath(); g.moveTo(60, y); g.lineTo(c.width, y); g.stroke();
    g.fillText(fmt(max * k / 4), 4, y + 4);
  }
  for (const [key, color] of [["in", "#3b6fd8"], ["out", "#e07b24"]]) {
    g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
    rates.forEach((r, i) => {
      const x = 60 + (c.width - 60) * (rates.length === 1 ? 1 : i / (rates.length - 1));
      const y = c.height - 20 - (c.height - 30) * r[key] / max;
      if (i === 0) g.moveTo(x, y); else g.lineTo(x, y);
    });
    g.stroke();
  }
}
function render(s) {
  const m = s.metrics || {};
  document.getElementById("command").textContent = s.command || "";
  const h = document.getElementById("health");
  h.textContent = s.health && s.health.ok ? "healthy" : "unhealthy: " + ((s.health && s.health.reason) || "");
  h.className = "badge " + (s.health && s.health.ok ? "ok" : "bad");
  document.getElementById("sub").textContent = "up " + (s.uptime_seconds || 0).toFixed(0) + " s · refreshed " + new Date().toLocaleTimeString();
  const figures = [
    ["records in", fmt(total(m, "lakepipe_records_in_total"))],
    ["records out", fmt(total(m, "lakepipe_records_out_total"))],
    ["files written", fmt(total(m, "lakepipe_files_written_total"))],
    ["dead letters", fmt(total(m, "lakepipe_dead_letters_total"))],
    ["rejected", fmt(total(m, "lakepipe_rejected_records_total"))],
    ["lost to retention", fmt(total(m, "lakepipe_data_loss_records_total"))],
    ["rebalances", fmt(total(m, "lakepipe_rebalances_total"))],
    ["memory (RSS)", bytes(total(m, "lakepipe_process_resident_memory_bytes"))],
  ];
  const f = document.getElementById("figures");
  f.replaceChildren(...figures.map(([k, v]) => { const d = el("div", { class: "figure" }); d.append(el("b", {}, v), el("span", {}, k)); return d; }));
  history.push({ t: s.uptime_seconds || 0, in: total(m, "lakepipe_records_in_total"), out: total(m, "lakepipe_records_out_total") });
  if (history.length > 120) history.shift();
  draw();
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
  const files = {};
  for (const x of series(m, "lakepipe_files_written_total")) (files[x.labels.table] = files[x.labels.table] || { files: 0, out: 0 }).files += x.value;
  for (const x of series(m, "lakepipe_records_out_total")) if (x.labels.table) (files[x.labels.table] = files[x.labels.table] || { files: 0, out: 0 }).out += x.value;
  document.querySelector("#files tbody").replaceChildren(...Object.entries(files).map(([t, v]) => {
    const r = el("tr"); r.append(el("td", {}, t), el("td", { class: "n" }, fmt(v.files)), el("td", { class: "n" }, fmt(v.out))); return r;
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

// DuckDB's side of bench/transform: the transform jobs of both tables as
// SQL (tests/interop/transform_sql.mjs), one thread, writing zstd Parquet
// like lakepipe does: each clean table Hive-partitioned, then every metric
// from DuckDB's own clean table. Prints {"seconds": S, "rows": {...}}.
//   node transform_duckdb.mjs LAKE OUT AS_OF
import { mkdirSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';
import { activityClean, activityMetrics, usersClean, usersMetrics } from '../interop/transform_sql.mjs';

const [lake, out, asOf] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:', { threads: '1' });
const conn = await db.connect();
const start = performance.now();
const rows = {};
for (const [table, clean, metrics, partition] of [
  ['users', usersClean(lake, asOf, false), usersMetrics, 'registration_year'],
  ['user_activity', activityClean(lake, asOf, false), activityMetrics, 'event_date, hour'],
]) {
  mkdirSync(`${out}/${table}`, { recursive: true });
  await conn.run(`COPY (${clean}) TO '${out}/${table}/clean' (FORMAT parquet, COMPRESSION zstd, PARTITION_BY (${partition}))`);
  const c = `read_parquet('${out}/${table}/clean/**/*.parquet', hive_partitioning = true)`;
  for (const m of metrics(c)) {
    await conn.run(`COPY (${m.sql}) TO '${out}/${table}/${m.job}_${m.metric}.parquet' (FORMAT parquet, COMPRESSION zstd)`);
  }
}
const seconds = (performance.now() - start) / 1000;
for (const table of ['users', 'user_activity']) {
  const reader = await conn.runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${out}/${table}/clean/**/*.parquet')`);
  rows[table] = Number(reader.getRowObjectsJS()[0].n);
}
console.log(JSON.stringify({ seconds, rows }));

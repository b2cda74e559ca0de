// Runs SQL statements with DuckDB and prints each result as JSON Lines.
//   node duckdb_sql.mjs [--threads N] [--time] "SQL" ["SQL" ...]
// With --time, prints {"seconds": S} for each statement instead of its rows.
// BIGINT values print as strings; NaN and infinities as "NaN"/"Infinity"/"-Infinity".
import { DuckDBInstance } from '@duckdb/node-api';

const args = process.argv.slice(2);
const options = {};
let time = false;
while (args[0]?.startsWith('--')) {
  const flag = args.shift();
  if (flag === '--threads') options.threads = String(args.shift());
  else if (flag === '--time') time = true;
  else throw new Error(`unknown flag ${flag}`);
}
const db = await DuckDBInstance.create(':memory:', options);
const conn = await db.connect();
const replacer = (_, v) => {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
  return v;
};
for (const sql of args) {
  const start = performance.now();
  const reader = await conn.runAndReadAll(sql);
  const seconds = (performance.now() - start) / 1000;
  if (time) {
    console.log(JSON.stringify({ seconds }));
    continue;
  }
  for (const row of reader.getRowObjectsJS()) console.log(JSON.stringify(row, replacer));
}

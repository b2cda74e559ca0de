// lakepipe sql over Iceberg tables (also the one `run --table-format
// iceberg` writes): a table committed through lakepipe's
// catalogs and appends (iceberg_fixture_tool, two snapshots of two Parquet
// files each) is declared by `lakepipe sql --table-format iceberg --dialect
// duckdb --live-files`; DuckDB runs that SQL as printed and its view gives
// exactly the rows icebird (an independent Iceberg reader) reads from the
// table, for the file and the sql catalog, locally and on moto S3 (there
// DuckDB, without httpfs offline, reads local copies of the files the SQL
// lists). The iceberg_scan form (DuckDB's iceberg extension cannot be
// installed offline) names the current metadata file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LAKEPIPE, duck, lakepipe, lakepipeWith, tempDir } from './lib.mjs';
import {
  S3_TEST_KEYS,
  localCopy,
  plainRows,
  readIcebergDataFiles,
  readIcebergRows,
  s3CreateBucket,
  startMoto,
} from './icebird.mjs';

const TOOL = process.env.LAKEPIPE_ICEBERG_FIXTURE_TOOL
  ?? join(dirname(LAKEPIPE), 'src', 'warehouse', 'iceberg_fixture_tool');

// Commits `commits` snapshots of 2 files x `rows` rows to default.users;
// returns the table's current metadata location.
function makeTable(warehouse, type, sqlite, commits, rows, env = {}) {
  assert.ok(existsSync(TOOL), `${TOOL} is missing: build the iceberg_fixture_tool target`);
  const r = spawnSync(TOOL, [warehouse, type, sqlite ?? '-', String(commits), String(rows)],
    { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

// Runs each statement of `sql` in DuckDB (the SQL as lakepipe prints it).
async function runScript(sql) {
  for (const statement of sql.split(/;\s*\n/)) {
    const body = statement.split('\n').filter((l) => !l.startsWith('--')).join('\n').trim();
    if (body) await duck(body);
  }
}

async function duckRows(view) {
  const rows = await duck(`SELECT CAST(id AS VARCHAR) AS id, name, amount,
    CAST(epoch_ms(event_time) AS VARCHAR) AS event_time FROM ${view}`);
  return plainRows(rows, ['id']);
}

function icebirdPlain(rows) {
  return plainRows(rows.map((r) => ({ ...r, event_time: String(r.event_time.getTime()) })), ['id']);
}

test('duckdb --live-files: DuckDB runs the SQL over a file catalog table and reads what icebird reads', async (t) => {
  const warehouse = tempDir(t, 'iceberg-sql');
  const metadata = makeTable(warehouse, 'file', null, 2, 50);
  const table = join(warehouse, 'default', 'users');
  assert.equal(metadata, join(table, 'metadata', 'v3.metadata.json'));

  const r = lakepipe('sql', '--table-format', 'iceberg', '--dialect', 'duckdb', '--live-files', '--lake', warehouse);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /CREATE OR REPLACE VIEW users_raw AS\n  SELECT \* FROM read_parquet\(\[/);
  const listed = [...r.stdout.matchAll(/'([^']+\.parquet)'/g)].map((m) => m[1]).sort();
  const files = (await readIcebergDataFiles({ location: table })).map((f) => f.path).sort();
  assert.equal(files.length, 4);
  assert.deepEqual(listed, files);

  await runScript(r.stdout);
  const fromIcebird = icebirdPlain(await readIcebergRows({ location: table }));
  assert.equal(fromIcebird.length, 200);
  assert.deepEqual(await duckRows('users_raw'), fromIcebird);
  // The printed data-quality query counts the same rows.
  assert.match(r.stdout, /SELECT 'users_raw' AS table_name, count\(\*\) AS row_count FROM users_raw/);

  // Without --live-files: iceberg_scan of the current metadata file.
  const scan = lakepipe('sql', '--table-format', 'iceberg', '--dialect', 'duckdb', '--lake', warehouse);
  assert.equal(scan.status, 0, scan.stderr);
  assert.ok(scan.stdout.includes('INSTALL iceberg;\nLOAD iceberg;\n'), scan.stdout);
  assert.ok(scan.stdout.includes(`SELECT * FROM iceberg_scan('${metadata}');`), scan.stdout);
});

test('duckdb --live-files over the sql catalog (tables listed from iceberg_tables), one commit later', async (t) => {
  const warehouse = tempDir(t, 'iceberg-sql');
  const db = join(warehouse, 'catalog.db');
  const metadata = makeTable(warehouse, 'sql', db, 3, 20);
  const table = join(warehouse, 'default', 'users');
  assert.match(basename(metadata), /^\d{5}-[0-9a-f-]{36}\.metadata\.json$/);

  const args = ['sql', '--table-format', 'iceberg', '--dialect', 'duckdb', '--live-files', '--lake', warehouse,
    '--catalog-type', 'sql', '--catalog-uri', db];
  const r = lakepipe(...args);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /1 iceberg tables of the sql catalog/);
  await runScript(r.stdout);
  const fromIcebird = icebirdPlain(await readIcebergRows({ location: table, metadataFileName: basename(metadata) }));
  assert.equal(fromIcebird.length, 120);
  assert.deepEqual(await duckRows('users_raw'), fromIcebird);

  // Spark gets the JDBC catalog's settings for the same table.
  const spark = lakepipe('sql', '--table-format', 'iceberg', '--dialect', 'spark', '--lake', warehouse,
    '--catalog-type', 'sql', '--catalog-uri', db);
  assert.equal(spark.status, 0, spark.stderr);
  assert.ok(spark.stdout.includes(`spark.sql.catalog.lakepipe.uri=jdbc:sqlite:${db}`), spark.stdout);
  assert.ok(spark.stdout.includes('CREATE OR REPLACE TEMPORARY VIEW users_raw AS SELECT * FROM lakepipe.`default`.`users`;'));
});

test('sql --table-format iceberg: a lake without Iceberg tables, and a local table for snowflake, are clear errors', async (t) => {
  const warehouse = tempDir(t, 'iceberg-sql');
  let r = lakepipe('sql', '--table-format', 'iceberg', '--dialect', 'duckdb', '--lake', warehouse);
  assert.equal(r.status === 0, false);
  assert.match(r.stderr, /no Iceberg table in the file catalog/);
  makeTable(warehouse, 'file', null, 1, 5);
  r = lakepipe('sql', '--table-format', 'iceberg', '--dialect', 'snowflake', '--lake', warehouse);
  assert.equal(r.status === 0, false);
  assert.match(r.stderr, /snowflake reads Iceberg tables from S3; default\.users/);
  r = lakepipe('sql', '--dialect', 'duckdb', '--live-files', '--lake', warehouse);
  assert.equal(r.status === 0, false);
  assert.match(r.stderr, /--table-format iceberg/);
});

test('duckdb --live-files on moto S3: the SQL lists the table\'s files on S3 with the endpoint lakepipe uses', async (t) => {
  const which = spawnSync('sh', ['-c', 'command -v moto_server']);
  assert.equal(which.status, 0, 'moto_server is not installed: the S3 tests need it (pip install "moto[server]")');
  const moto = await startMoto();
  t.after(() => moto.stop());
  await s3CreateBucket(moto.url, 'icewh');
  const env = {
    AWS_ENDPOINT_URL: moto.url,
    AWS_ACCESS_KEY_ID: S3_TEST_KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3_TEST_KEYS.secretAccessKey,
    AWS_REGION: S3_TEST_KEYS.region,
  };
  const metadata = makeTable('s3://icewh/lake', 'file', null, 2, 30, env);
  assert.equal(metadata, 's3://icewh/lake/default/users/metadata/v3.metadata.json');

  const r = lakepipeWith(env, 'sql', '--table-format', 'iceberg', '--dialect', 'duckdb', '--live-files',
    '--lake', 's3://icewh/lake');
  assert.equal(r.status, 0, r.stderr);
  const host = moto.url.replace('http://', '');
  assert.ok(r.stdout.includes(`ENDPOINT '${host}', URL_STYLE 'path', USE_SSL false`), r.stdout);
  const listed = [...r.stdout.matchAll(/'(s3:\/\/[^']+\.parquet)'/g)].map((m) => m[1]);
  const location = 's3://icewh/lake/default/users';
  const files = await readIcebergDataFiles({ location, s3Endpoint: moto.url });
  assert.deepEqual([...listed].sort(), files.map((f) => f.path).sort());

  // DuckDB cannot load httpfs offline: it runs the same views over local
  // copies of the listed files.
  const dir = tempDir(t, 'iceberg-sql-s3');
  let sql = r.stdout.replace(/INSTALL httpfs;[\s\S]*?CREATE OR REPLACE SECRET[^\n]*\n/, '');
  for (const f of listed) sql = sql.replace(`'${f}'`, `'${await localCopy(f, { s3Endpoint: moto.url, dir })}'`);
  await runScript(sql);
  const fromIcebird = icebirdPlain(await readIcebergRows({ location, s3Endpoint: moto.url }));
  assert.equal(fromIcebird.length, 120);
  assert.deepEqual(await duckRows('users_raw'), fromIcebird);
});

test('run --table-format iceberg, then sql --live-files: DuckDB\'s users_raw holds every row icebird reads, column by column', async (t) => {
  const dir = tempDir(t, 'iceberg-sql-run');
  const run = lakepipeWith({ cwd: dir }, 'run', '--count', '1500', '--seed', '11', '--lake', 'lake', '--local-copies',
    'none', '--table-format', 'iceberg', '--metrics-addr', 'off');
  assert.equal(run.status, 0, run.stderr + run.stdout);
  const r = lakepipeWith({ cwd: dir }, 'sql', '--table-format', 'iceberg', '--dialect', 'duckdb', '--live-files',
    '--lake', 'lake');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /-- users_raw: Iceberg table default\.users \(file catalog, snapshot \d+\)/);
  // The same from a config file whose archive section says table_format iceberg.
  writeFileSync(join(dir, 'lakepipe.yaml'), 'archive:\n  lake: lake\n  table_format: iceberg\n');
  const fromConfig = lakepipeWith({ cwd: dir }, 'sql', '--dialect', 'duckdb', '--live-files', '--config', 'lakepipe.yaml');
  assert.equal(fromConfig.status, 0, fromConfig.stderr);
  assert.equal(fromConfig.stdout, r.stdout);
  await runScript(r.stdout);
  const fromIcebird = plainRows(await readIcebergRows({ location: join(dir, 'lake', 'default', 'users') }), ['id']);
  assert.ok(fromIcebird.length > 1000, `${fromIcebird.length} rows`);
  const fromDuck = plainRows(await duck('SELECT * REPLACE (CAST(id AS VARCHAR) AS id) FROM users_raw'), ['id']);
  assert.deepEqual(fromDuck, fromIcebird);
});

// `lakepipe sql` over a nested lake that DuckDB wrote (Hive-partitioned
// Parquet in the randomuser.me API's shape, with a list of structs, a map,
// decimals, unsigned integers and local and UTC timestamps): DuckDB runs the
// SQL as printed, reads the types the SQL names, and path, unnest and map
// queries over the views return the rows written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { duck, lakepipe, tempDir } from './lib.mjs';

const N = 300;

// The people: person i has first name First<i>, street number i, i % 3
// phones, a map of logins, balance i * 1.25 and lifetime i * 1000.000000001.
async function writeLake(lake) {
  mkdirSync(join(lake, 'people', 'raw'), { recursive: true });
  await duck(`COPY (
    SELECT
      CAST(printf('00000000-0000-4000-8000-%012d', i) AS UUID) AS id,
      {'title': ['Mr', 'Ms', 'Dr'][i % 3 + 1], 'first': 'First' || i, 'last': 'Last' || i} AS name,
      CASE WHEN i % 10 = 0 THEN NULL ELSE {
        'street': {'number': CAST(i AS INTEGER), 'name': 'Street ' || i}, 'city': 'City' || (i % 7),
        'postcode': lpad(CAST(i AS VARCHAR), 5, '0'),
        'coordinates': {'latitude': CAST(i / 10 AS VARCHAR), 'longitude': CAST(-i / 10 AS VARCHAR)}} END AS location,
      {'date': CAST('1990-01-01 00:00:00+00' AS TIMESTAMPTZ) + to_days(CAST(i AS INTEGER)), 'age': CAST(20 + i % 50 AS TINYINT)} AS dob,
      CASE i % 3 WHEN 0 THEN [] WHEN 1 THEN [{'kind': 'home', 'number': 'h' || i}]
        ELSE [{'kind': 'home', 'number': 'h' || i}, {'kind': 'cell', 'number': 'c' || i}] END AS phones,
      CASE WHEN i % 2 = 0 THEN MAP {'web': CAST(i AS BIGINT), 'app': CAST(2 * i AS BIGINT)}
        ELSE MAP {'web': CAST(i AS BIGINT)} END AS logins,
      CAST(i * 1.25 AS DECIMAL(10,2)) AS balance,
      CAST(i * 1000.000000001 AS DECIMAL(38,9)) AS lifetime,
      CAST('2020-01-01 00:00:00+00' AS TIMESTAMPTZ) + to_hours(CAST(i AS INTEGER)) AS registered,
      CAST('2020-01-01 08:00:00' AS TIMESTAMP) + to_minutes(CAST(i AS INTEGER)) AS seen_local,
      CAST(i % 256 AS UTINYINT) AS level,
      CAST(18446744073709551615 - i AS UBIGINT) AS visits,
      ['DE', 'GB', 'FR'][i % 3 + 1] AS nat
    FROM range(1, ${N + 1}) t(i)
  ) TO '${lake}/people/raw/parquet' (FORMAT parquet, PARTITION_BY (nat), COMPRESSION zstd)`);
}

// The same columns as an Avro schema (what --schema declares).
const PEOPLE = {
  type: 'record', name: 'Person', namespace: 'test', fields: [
    { name: 'id', type: ['null', { type: 'fixed', name: 'Uuid', size: 16, logicalType: 'uuid' }] },
    { name: 'name', type: ['null', { type: 'record', name: 'Name', fields: [
      { name: 'title', type: ['null', 'string'] }, { name: 'first', type: ['null', 'string'] }, { name: 'last', type: ['null', 'string'] }] }] },
    { name: 'location', type: ['null', { type: 'record', name: 'Location', fields: [
      { name: 'street', type: ['null', { type: 'record', name: 'Street', fields: [
        { name: 'number', type: ['null', 'int'] }, { name: 'name', type: ['null', 'string'] }] }] },
      { name: 'city', type: ['null', 'string'] }, { name: 'postcode', type: ['null', 'string'] },
      { name: 'coordinates', type: ['null', { type: 'record', name: 'Coordinates', fields: [
        { name: 'latitude', type: ['null', 'string'] }, { name: 'longitude', type: ['null', 'string'] }] }] }] }] },
    { name: 'dob', type: ['null', { type: 'record', name: 'Dob', fields: [
      { name: 'date', type: ['null', { type: 'long', logicalType: 'timestamp-micros' }] },
      { name: 'age', type: ['null', { type: 'int', logicalType: 'int8' }] }] }] },
    { name: 'phones', type: ['null', { type: 'array', items: ['null', { type: 'record', name: 'Phone', fields: [
      { name: 'kind', type: ['null', 'string'] }, { name: 'number', type: ['null', 'string'] }] }] }] },
    { name: 'logins', type: ['null', { type: 'map', values: ['null', 'long'] }] },
    { name: 'balance', type: ['null', { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 }] },
    { name: 'lifetime', type: ['null', { type: 'fixed', name: 'D38', size: 16, logicalType: 'decimal', precision: 38, scale: 9 }] },
    { name: 'registered', type: ['null', { type: 'long', logicalType: 'timestamp-micros' }] },
    { name: 'seen_local', type: ['null', { type: 'long', logicalType: 'local-timestamp-micros' }] },
    { name: 'level', type: ['null', { type: 'int', logicalType: 'uint8' }] },
    { name: 'visits', type: ['null', { type: 'long', logicalType: 'uint64' }] },
  ],
};

// The statements of a script (comment lines dropped).
function statements(sql) {
  const out = [];
  let text = '';
  for (const line of sql.split('\n')) {
    if (line.startsWith('--') || (!text && !line.trim())) continue;
    text += `${line}\n`;
    if (line.trimEnd().endsWith(';')) {
      out.push(text.trim().replace(/;$/, ''));
      text = '';
    }
  }
  return out;
}

// The columns the SQL names above a view: [[name, type], ...].
function declared(sql, table) {
  const lines = sql.split('\n');
  const start = lines.indexOf(`-- ${table}: the columns as DuckDB reads them from the files`);
  assert.ok(start >= 0, `the columns of ${table} are listed`);
  const out = [];
  for (const line of lines.slice(start + 1)) {
    const m = line.match(/^-- {3}"((?:[^"]|"")*)" (.+)$/);
    if (!m) break;
    out.push([m[1].replaceAll('""', '"'), m[2]]);
  }
  return out;
}

async function checkNestedLake(t, args) {
  const dir = tempDir(t, 'sql-nested');
  const lake = join(dir, 'lake');
  await writeLake(lake);
  const schema = join(dir, 'people.avsc');
  writeFileSync(schema, JSON.stringify(PEOPLE));
  const r = lakepipe('sql', '--dialect', 'duckdb', '--lake', lake, ...args(schema));
  assert.equal(r.status, 0, r.stderr);

  // Every statement runs as printed.
  const sts = statements(r.stdout);
  for (const st of sts) await duck(st);

  // The types the SQL names are the types DuckDB reads.
  const columns = declared(r.stdout, 'people_raw');
  assert.deepEqual(columns.map(([n]) => n), [...PEOPLE.fields.map((f) => f.name), 'nat']);
  for (const [name, type] of columns) {
    const [{ got, want }] = await duck(
      `SELECT (SELECT typeof("${name}") FROM people_raw LIMIT 1) AS got, typeof(CAST(NULL AS ${type})) AS want`);
    assert.equal(got, want, `${name}: the SQL says ${type}`);
  }

  // The printed path query reads struct leaves.
  const paths = sts.find((s) => s.includes('"name"."first" AS "name_first"'));
  assert.ok(paths, 'a query by path');
  const rows = await duck(paths.replace(/LIMIT 10$/, ''));
  assert.equal(rows.length, N);
  for (const row of rows) {
    const i = Number(row.name_first.slice('First'.length));
    assert.equal(row.location_street_number, i % 10 === 0 ? null : i, `person ${i}: location.street.number`);
    assert.equal(row.location_coordinates_latitude, i % 10 === 0 ? null : String(i / 10));
    assert.equal(row.dob_age, 20 + (i % 50));
  }

  // Path queries, unnesting, map lookups, decimals, partitions.
  const [one] = await duck(`SELECT "name"."first" AS first, "location"."street"."name" AS street, logins['web'] AS web,
      logins['app'] AS app, CAST(balance AS VARCHAR) AS balance, CAST(lifetime AS VARCHAR) AS lifetime,
      CAST(visits AS VARCHAR) AS visits, level, nat, CAST(seen_local AS VARCHAR) AS seen_local,
      CAST(registered AT TIME ZONE 'UTC' AS VARCHAR) AS registered
    FROM people_raw WHERE "location"."street"."number" = 124`);
  assert.deepEqual(one, {
    first: 'First124', street: 'Street 124', web: 124n, app: 248n, balance: '155.00', lifetime: '124000.000000124',
    visits: '18446744073709551491', level: 124, nat: 'GB', seen_local: '2020-01-01 10:04:00', registered: '2020-01-06 04:00:00',
  });
  const [phones] = await duck(`SELECT count(*) AS n, count(*) FILTER (WHERE p.kind = 'cell') AS cells,
      max(p.number) FILTER (WHERE p.kind = 'cell') AS last_cell
    FROM (SELECT unnest(phones) AS p FROM people_raw)`);
  const expectPhones = Array.from({ length: N }, (_, k) => (k + 1) % 3).reduce((a, b) => a + b, 0);
  assert.equal(Number(phones.n), expectPhones, 'every phone of every person');
  assert.equal(Number(phones.cells), N / 3);
  assert.equal(phones.last_cell, 'c98');  // the greatest of c2, c5, ... as text
  const [maps] = await duck(`SELECT count(*) FILTER (WHERE logins['app'] IS NOT NULL) AS with_app,
      sum(logins['web']) AS web, count(*) FILTER (WHERE location IS NULL) AS no_location,
      CAST(sum(balance) AS VARCHAR) AS balance FROM people_raw`);
  assert.equal(Number(maps.with_app), N / 2);
  assert.equal(Number(maps.web), (N * (N + 1)) / 2);
  assert.equal(Number(maps.no_location), N / 10);
  assert.equal(maps.balance, '56437.50', 'decimals sum exactly');
  const parts = await duck(`SELECT nat, count(*) AS n FROM people_raw GROUP BY nat ORDER BY nat`);
  assert.deepEqual(parts.map((p) => [p.nat, Number(p.n)]), [['DE', 100], ['FR', 100], ['GB', 100]]);
}

test('sql: DuckDB runs the DuckDB SQL over a nested lake declared with --schema', async (t) => {
  await checkNestedLake(t, (schema) => ['--schema', `people_raw=${schema}`]);
});

test('sql: a nested lake\'s columns from its files\' footers', async (t) => {
  await checkNestedLake(t, () => []);
});

test('sql: --schema names a table of the lake and a schema that parses', async (t) => {
  const dir = tempDir(t, 'sql-nested-bad');
  const lake = join(dir, 'lake');
  await writeLake(lake);
  const schema = join(dir, 'people.avsc');
  writeFileSync(schema, JSON.stringify(PEOPLE));
  const unknown = lakepipe('sql', '--dialect', 'duckdb', '--lake', lake, '--schema', `people_clean=${schema}`);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /no table 'people_clean' \(its tables: people_raw\)/);
  const bad = lakepipe('sql', '--dialect', 'duckdb', '--lake', lake, '--schema', 'people_raw');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--schema 'people_raw': give a table and an Avro schema file/);
});

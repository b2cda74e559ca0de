// Scenarios through the lakepipe CLI: bad input, damaged files, inference,
// inspect and help; outcomes checked with DuckDB where data is involved.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAKEPIPE, ROOT, duck, lakepipe, lakepipeOk, lakepipeWith, tempDir } from './lib.mjs';

const SCHEMA = JSON.stringify({
  type: 'record', name: 'P', fields: [
    { name: 'id', type: 'string' },
    { name: 'age', type: ['null', 'int'], default: null },
  ],
});

test('help is available for every command', () => {
  const top = lakepipeOk(0, '--help');
  assert.match(top.stdout, /convert/);
  assert.match(top.stdout, /inspect/);
  for (const cmd of ['convert', 'inspect']) {
    const r = lakepipeOk(0, cmd, '--help');
    assert.match(r.stdout, /Usage|usage/);
  }
  assert.match(lakepipeOk(0, 'convert', '--help').stdout, /--bad-records/);
  assert.equal(lakepipe('frobnicate').status, 2);
  assert.equal(lakepipe('convert').status, 2);
});

test('malformed JSON lines stop the conversion with file:line, or go to --bad-records', async (t) => {
  const dir = tempDir(t, 'bad-json');
  const input = join(dir, 'people.jsonl');
  writeFileSync(input, [
    '{"id": "a", "age": 1}',
    '{"id": "b", "age": ',
    '{"id": "c"}',
    '{"id": "d", "age": "old"}',
    '',
    '{"id": "e", "age": 5}',
  ].join('\n') + '\n');
  const schema = join(dir, 'p.avsc');
  writeFileSync(schema, SCHEMA);
  const out = join(dir, 'people.parquet');

  let r = lakepipe('convert', input, out, '--schema', schema);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`${input.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: `));
  assert.ok(!existsSync(out), 'no output after a failed conversion');

  const bad = join(dir, 'rejected.jsonl');
  r = lakepipe('convert', input, out, '--schema', schema, '--bad-records', bad);
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /2 rejected/);
  const rows = await duck(`SELECT id, age FROM '${out}' ORDER BY id`);
  assert.deepEqual(rows, [{ id: 'a', age: 1 }, { id: 'c', age: null }, { id: 'e', age: 5 }]);
  const rejected = readFileSync(bad, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rejected.map((x) => x.line), [2, 4]);
  for (const x of rejected) {
    assert.equal(x.source, input);
    assert.ok(x.reason.length > 0);
  }
  assert.equal(rejected[0].record, '{"id": "b", "age": ');
  assert.match(rejected[1].reason, /age/);
});

test('integers are stored exactly or rejected, never rounded: convert --bad-records', async (t) => {
  const dir = tempDir(t, 'exact-ints');
  const input = join(dir, 'numbers.jsonl');
  const lines = [
    '{"id": "max", "v": 9223372036854775807, "t": 253402300799999}',
    '{"id": "min", "v": -9223372036854775808, "t": -62135596800000}',
    '{"id": "dec", "v": 1234567890123456789.0, "t": 0}',
    '{"id": "p53", "v": 9007199254740993.0, "t": 1e3}',
    '{"id": "exp", "v": 1e2, "t": -0.0}',
    '{"id": "below", "v": -9223372036854775809, "t": 0}',
    '{"id": "below1000", "v": -9223372036854776808, "t": 0}',
    '{"id": "frac", "v": 1.5, "t": 0}',
    '{"id": "tmax", "v": 0, "t": 9223372036854775807}',
    '{"id": "tmin", "v": 0, "t": -9223372036854775808}',
    '{"id": "t10000", "v": 0, "t": 253402300800000}',
  ];
  writeFileSync(input, lines.join('\n') + '\n');
  const schema = join(dir, 'n.avsc');
  writeFileSync(schema, JSON.stringify({
    type: 'record', name: 'N', fields: [
      { name: 'id', type: 'string' },
      { name: 'v', type: 'long' },
      { name: 't', type: { type: 'long', logicalType: 'timestamp-millis' } },
    ],
  }));
  const out = join(dir, 'numbers.parquet');
  const bad = join(dir, 'rejected.jsonl');
  const r = lakepipe('convert', input, out, '--schema', schema, '--bad-records', bad);
  assert.equal(r.status, 3, r.stderr);
  const rows = await duck(`SELECT id, v::VARCHAR AS v, epoch_ms(t)::VARCHAR AS t FROM read_parquet('${out}') ORDER BY id`);
  assert.deepEqual(rows, [
    { id: 'dec', v: '1234567890123456789', t: '0' },
    { id: 'exp', v: '100', t: '0' },
    { id: 'max', v: '9223372036854775807', t: '253402300799999' },
    { id: 'min', v: '-9223372036854775808', t: '-62135596800000' },
    { id: 'p53', v: '9007199254740993', t: '1000' },
  ]);
  const rejected = readFileSync(bad, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const outside = "is outside the timestamps the lake's readers accept (0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z)";
  assert.deepEqual(rejected.map((x) => [x.line, x.reason]), [
    [6, "field 'v': -9223372036854775809 is out of range for long (-2^63 to 2^63-1)"],
    [7, "field 'v': -9223372036854776808 is out of range for long (-2^63 to 2^63-1)"],
    [8, "field 'v': expected long, got 1.5"],
    [9, `field 't': 9223372036854775807 ${outside}`],
    [10, `field 't': -9223372036854775808 ${outside}`],
    [11, `field 't': 253402300800000 ${outside}`],
  ]);
  assert.deepEqual(rejected.map((x) => x.record), lines.slice(5));
});

test('inference of a file whose only line is over the limit says the line is too long', async (t) => {
  const dir = tempDir(t, 'infer-long');
  const input = join(dir, 'big.jsonl');
  const line = `{"s": "${'x'.repeat(64 << 20)}"}`;
  writeFileSync(input, line + '\n');
  const r = lakepipe('convert', input, join(dir, 'big.parquet'));
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`big\\.jsonl:1: the line is ${line.length} bytes, longer than the limit of ${64 << 20} bytes`));
  assert.ok(!existsSync(join(dir, 'big.parquet')));
});

test('malformed CSV rows are rejected with their line', async (t) => {
  const dir = tempDir(t, 'bad-csv');
  const input = join(dir, 'people.csv');
  writeFileSync(input, 'id,age\na,1\nb,2,extra\n"c ""quoted""",3\nd,notanumber\n"e\nmultiline",4\nf,\n');
  const schema = join(dir, 'p.avsc');
  writeFileSync(schema, SCHEMA);
  const out = join(dir, 'people.parquet');
  const bad = join(dir, 'rejected.jsonl');
  const r = lakepipe('convert', input, out, '--schema', schema, '--bad-records', bad);
  assert.equal(r.status, 3, r.stderr);
  const rows = await duck(`SELECT id, age FROM '${out}'`);
  assert.deepEqual(rows, [
    { id: 'a', age: 1 }, { id: 'c "quoted"', age: 3 }, { id: 'e\nmultiline', age: 4 }, { id: 'f', age: null },
  ]);
  const rejected = readFileSync(bad, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rejected.map((x) => x.line), [3, 5]);
});

test('damaged Parquet and Avro files give an error naming the file, never a crash', async (t) => {
  const dir = tempDir(t, 'damaged');
  const good = join(dir, 'good.parquet');
  await duck(`COPY (SELECT i, 'v' || i AS s FROM range(0, 20000) r(i)) TO '${good}' (FORMAT parquet)`);
  const goodAvro = join(dir, 'good.avro');
  lakepipeOk(0, 'convert', good, goodAvro, '--compression', 'deflate', '--quiet');
  for (const src of [good, goodAvro]) {
    const bytes = readFileSync(src);
    const ext = src.endsWith('.avro') ? '.avro' : '.parquet';
    const cases = {
      empty: Buffer.alloc(0),
      truncated: bytes.subarray(0, Math.floor(bytes.length / 2)),
      'header-only': bytes.subarray(0, 4),
      garbage: Buffer.from('this is not a data file at all, just text\n'.repeat(10)),
      'flipped-middle': Buffer.from(bytes).fill(0x5a, Math.floor(bytes.length / 3), Math.floor(bytes.length / 3) + 64),
    };
    for (const [name, data] of Object.entries(cases)) {
      const path = join(dir, `${name}${ext}`);
      writeFileSync(path, data);
      const r = lakepipe('convert', path, join(dir, `${name}-out.jsonl`));
      assert.equal(r.status, 1, `${name}${ext}: exit ${r.status} signal ${r.signal}\n${r.stderr}`);
      assert.ok(r.stderr.includes(path), `${name}${ext}: error names the file:\n${r.stderr}`);
      assert.ok(!existsSync(join(dir, `${name}-out.jsonl`)), `${name}${ext}: no partial output`);
    }
  }
});

test('schemas are inferred from JSON Lines: widening and nullability', async (t) => {
  const dir = tempDir(t, 'infer');
  const input = join(dir, 'events.jsonl');
  writeFileSync(input, [
    '{"n": 1, "x": 1, "name": "a", "when": "2025-11-21T04:40:00Z", "day": "2025-11-21", "flag": true}',
    '{"n": 2, "x": 2.5, "when": "2025-11-21T04:41:00.5Z", "day": "2025-11-22", "flag": false}',
    '{"n": 3000000000, "x": 3, "name": null, "when": "1969-07-20T20:17:40Z", "day": "1969-07-20", "flag": true}',
  ].join('\n') + '\n');
  const out = join(dir, 'events.parquet');
  lakepipeOk(0, 'convert', input, out, '--quiet');
  const types = Object.fromEntries((await duck(`DESCRIBE SELECT * FROM '${out}'`)).map((r) => [r.column_name, r.column_type]));
  assert.deepEqual(types, { n: 'BIGINT', x: 'DOUBLE', name: 'VARCHAR', when: 'TIMESTAMP WITH TIME ZONE', day: 'DATE', flag: 'BOOLEAN' });
  const rows = await duck(`SELECT n::VARCHAR AS n, x, name, epoch_ms("when")::VARCHAR AS w, day::VARCHAR AS d FROM '${out}'`);
  assert.deepEqual(rows, [
    { n: '1', x: 1, name: 'a', w: '1763700000000', d: '2025-11-21' },
    { n: '2', x: 2.5, name: null, w: '1763700060500', d: '2025-11-22' },
    { n: '3000000000', x: 3, name: null, w: '-14182940000', d: '1969-07-20' },
  ]);
});

test('inspect shows schema, layout and first rows; --json is machine-readable', async (t) => {
  const dir = tempDir(t, 'inspect');
  const out = join(dir, 'users.parquet');
  lakepipeOk(0, 'convert', join(ROOT, 'samples', 'users.jsonl'), out, '--schema', join(ROOT, 'schemas', 'user.avsc'), '--quiet');
  const text = lakepipeOk(0, 'inspect', out, '--rows', '2').stdout;
  for (const needle of ['rows', '500', 'first_name', 'ZSTD', 'RLE_DICTIONARY', 'row groups', 'first 2 rows', 'lakepipe version']) {
    assert.ok(text.includes(needle), `inspect output lacks ${needle}:\n${text}`);
  }
  const info = JSON.parse(lakepipeOk(0, 'inspect', out, '--json', '--rows', '3').stdout);
  assert.equal(info.num_rows, 500);
  assert.equal(info.rows.length, 3);
  assert.equal(info.schema.fields[0].name, 'id');
  assert.ok(info.row_groups[0].columns.every((c) => c.codec === 'ZSTD'));
  const firstId = (await duck(`SELECT id::VARCHAR AS id FROM '${out}' LIMIT 1`))[0].id;
  assert.equal(info.rows[0].id, firstId);
  for (const format of ['avro', 'csv', 'jsonl', 'json']) {
    const f = join(dir, `users.${format}`);
    lakepipeOk(0, 'convert', out, f, '--quiet');
    const r = JSON.parse(lakepipeOk(0, 'inspect', f, '--json', '--rows', '1').stdout);
    assert.equal(r.num_rows, 500, format);
    assert.equal(r.rows[0].first_name, info.rows[0].first_name, format);
  }
  // Every label is apart from its value: "sync marker" is the longest.
  const avroText = lakepipeOk(0, 'inspect', join(dir, 'users.avro')).stdout;
  assert.match(avroText, /^sync marker +[0-9a-f]{32}$/m, avroText);
  assert.match(avroText, /^rows +500$/m, avroText);
});

test('inspect on a directory lists its data files with row counts and sizes; --rows reads the first', async (t) => {
  const dir = tempDir(t, 'inspect-dir');
  const lake = join(dir, 'lake');
  const hour = join(lake, 'event_date=2026-06-01', 'hour=10');
  mkdirSync(join(hour, '_spill'), { recursive: true });
  const first = join(lake, 'a.parquet');
  lakepipeOk(0, 'convert', join(ROOT, 'samples', 'users.jsonl'), first, '--schema', join(ROOT, 'schemas', 'user.avsc'), '--quiet');
  lakepipeOk(0, 'convert', first, join(hour, 'b.avro'), '--quiet');
  writeFileSync(join(hour, 'c.jsonl'), `${readFileSync(join(ROOT, 'samples', 'users.jsonl'), 'utf8').split('\n').slice(0, 3).join('\n')}\n`);
  writeFileSync(join(hour, '.d.parquet.tmp-0000000000000001'), 'being written');
  writeFileSync(join(hour, '_spill', 'e.parquet'), 'spilled');
  writeFileSync(join(lake, 'notes.txt'), 'not data');
  const size = (f) => statSync(f).size;

  let r = lakepipeOk(0, 'inspect', lake);
  assert.match(r.stdout, new RegExp(`^directory +${lake}$`, 'm'), r.stdout);
  assert.match(r.stdout, /^files +3 \(1,003 rows, /m, r.stdout);
  assert.match(r.stdout, /^ +500 +\S+ \S+ +parquet +a\.parquet$/m, r.stdout);
  assert.match(r.stdout, /^ +500 +\S+ \S+ +avro +event_date=2026-06-01\/hour=10\/b\.avro$/m, r.stdout);
  assert.match(r.stdout, /^ +3 +\S+ \S+ +jsonl +event_date=2026-06-01\/hour=10\/c\.jsonl$/m, r.stdout);
  assert.doesNotMatch(r.stdout, /tmp-|_spill|notes|first \d+ rows/, r.stdout);

  const info = JSON.parse(lakepipeOk(0, 'inspect', `${lake}/`, '--json', '--rows', '2').stdout);
  assert.equal(info.num_files, 3);
  assert.equal(info.num_rows, 1003);
  assert.deepEqual(info.files.map((f) => [f.file, f.format, f.num_rows, f.file_size]), [
    ['a.parquet', 'parquet', 500, size(first)],
    ['event_date=2026-06-01/hour=10/b.avro', 'avro', 500, size(join(hour, 'b.avro'))],
    ['event_date=2026-06-01/hour=10/c.jsonl', 'jsonl', 3, size(join(hour, 'c.jsonl'))],
  ]);
  assert.equal(info.total_size, info.files.reduce((n, f) => n + f.file_size, 0));
  const firstId = (await duck(`SELECT id::VARCHAR AS id FROM '${first}' LIMIT 1`))[0].id;
  assert.equal(info.rows.length, 2);
  assert.equal(info.rows[0].id, firstId);
  r = lakepipeOk(0, 'inspect', lake, '--rows', '1');
  assert.match(r.stdout, /^first 1 rows of a\.parquet:$/m, r.stdout);

  // A damaged file is named; the others are still listed.
  writeFileSync(join(hour, 'z.parquet'), 'not parquet');
  r = lakepipe('inspect', lake);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /^ +\? +\S+ \S+ +parquet +event_date=2026-06-01\/hour=10\/z\.parquet \(unreadable\)$/m, r.stdout);
  assert.match(r.stderr, /z\.parquet: not a Parquet file/);
});

// Every directory and file under `dir`, relative, sorted ("a/", "a/b.txt").
function tree(dir) {
  const out = [];
  const walk = (d, rel) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      out.push(e.isDirectory() ? `${rel}${e.name}/` : `${rel}${e.name}`);
      if (e.isDirectory()) walk(join(d, e.name), `${rel}${e.name}/`);
    }
  };
  walk(dir, '');
  return out.sort();
}

test('check probes a local lake and leaves its tree as it was', (t) => {
  const dir = tempDir(t, 'check');
  const empty = join(dir, 'empty');
  const used = join(dir, 'used');
  mkdirSync(empty);
  mkdirSync(join(used, '_lakepipe', 'bookmarks', 'users'), { recursive: true });
  writeFileSync(join(used, '_lakepipe', 'bookmarks', 'users', 'clean.json'), '{}');
  for (const lake of [empty, used, join(dir, 'missing', 'lake')]) {
    const before = tree(dir);
    const r = lakepipe('check', '--lake', lake);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(`^lake +${lake} +OK +wrote, read back and deleted ${lake}/_lakepipe/check/`, 'm'));
    assert.deepEqual(tree(dir), before, `check --lake ${lake} left the tree as it was`);
  }
});

test('unknown extensions and options give clear errors', (t) => {
  const dir = tempDir(t, 'errors');
  let r = lakepipe('convert', join(ROOT, 'samples', 'users.jsonl'), join(dir, 'out.xlsx'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /out\.xlsx/);
  assert.match(r.stderr, /\.parquet/);
  r = lakepipe('convert', join(ROOT, 'samples', 'users.jsonl'), join(dir, 'out.parquet'), '--compression', 'lz5');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /lz5/);
  assert.ok(!existsSync(join(dir, 'out.parquet')));
  r = lakepipe('convert', join(dir, 'missing.jsonl'), join(dir, 'out.parquet'));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /missing\.jsonl/);
});

// One config file for every command: each command validates every section,
// reads its own and accepts the others'; a typo anywhere names file:line.
test('one config file serves every command; typos in any section name file:line', (t) => {
  const dir = tempDir(t, 'one-config');
  const config = join(dir, 'lakepipe.yaml');
  writeFileSync(config, [
    'kafka:',
    '  bootstrap.servers: 127.0.0.1:1',
    'produce:',
    '  topic: shared',
    'archive:',
    '  topics: [shared]',
    '  lake: ./lake',
    's3:',
    '  region: eu-west-1',
  ].join('\n') + '\n');
  let r = lakepipe('produce', '--config', config, '--print-config');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /lake: "?\.\/lake"?  #/);
  // LAKEPIPE_<SECTION>_<KEY> of any section too.
  r = lakepipeWith({ LAKEPIPE_ARCHIVE_GROUP: 'from-env' }, 'produce', '--config', config, '--print-config');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /group: from-env  # environment variable LAKEPIPE_ARCHIVE_GROUP/);
  // A key of a section this command does not read is still checked.
  writeFileSync(config, 'produce:\n  topic: shared\narchive:\n  lkae: ./lake\n');
  r = lakepipe('produce', '--config', config, '--print-config');
  assert.equal(r.status, 1);
  assert.ok(r.stderr.includes(`${config}:4: unknown key 'lkae' in section 'archive'`), r.stderr);
  // A section no command knows.
  writeFileSync(config, 'kafka:\n  bootstrap.servers: 127.0.0.1:1\narchvie:\n  lake: ./lake\n');
  for (const args of [['produce'], ['lag', '--group', 'g']]) {
    r = lakepipe(...args, '--config', config);
    assert.equal(r.status, 1, `${args[0]}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`${config}:3: unknown section 'archvie'`), `${args[0]}: ${r.stderr}`);
  }
});

// Every command that takes --config prints the effective configuration with
// --print-config, secrets masked, and exits 0 without its other arguments.
test('--print-config on every command that takes --config; the example file works with each', (t) => {
  const dir = tempDir(t, 'print-config');
  const example = join(ROOT, 'config', 'lakepipe.example.yaml');
  const commands = [...lakepipeOk(0, '--help').stdout.matchAll(/^  ([a-z]+) /gm)].map((m) => m[1]);
  const withConfig = commands.filter((c) => /--config/.test(lakepipeOk(0, c, '--help').stdout));
  for (const c of ['run', 'produce', 'archive', 'transform', 'sql', 'check', 'lag', 'convert', 'inspect']) {
    assert.ok(withConfig.includes(c), `${c} takes --config`);
  }
  const SECRET = 'S3cret-Value-4b1d';
  for (const c of withConfig) {
    const r = lakepipeWith({ cwd: dir, LAKEPIPE_S3_SECRET_ACCESS_KEY: SECRET, LAKEPIPE_S3_ACCESS_KEY_ID: 'AKID' },
      c, '--config', example, '--print-config');
    assert.equal(r.status, 0, `${c}: ${r.stderr}`);
    assert.match(r.stdout, /^kafka:$/m, c);
    assert.match(r.stdout, /bootstrap\.servers: localhost:9092  # .*lakepipe\.example\.yaml:\d+/, c);
    assert.match(r.stdout, /secret_access_key: "\*\*\*"  # environment variable/, c);
    assert.ok(!r.stdout.includes(SECRET) && !r.stderr.includes(SECRET), `${c}: secret masked`);
  }
});

// Message format and file format have their own flags and keys; the old
// spellings still work, each with one deprecation line naming the new one.
test('--message-format and --file-format; the old --format and --input-format are deprecated aliases', (t) => {
  const dir = tempDir(t, 'renamed-flags');
  for (const [cmd, flag] of [['produce', '--message-format'], ['archive', '--file-format'], ['archive', '--message-format']]) {
    assert.ok(lakepipeOk(0, cmd, '--help').stdout.includes(flag), `${cmd} --help shows ${flag}`);
  }
  assert.doesNotMatch(lakepipeOk(0, 'produce', '--help').stdout, /--format\b/);
  assert.doesNotMatch(lakepipeOk(0, 'archive', '--help').stdout, /--format\b|--input-format/);
  let r = lakepipe('produce', '--message-format', 'avro', '--print-config');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ {2}message_format: avro {2}# flag$/m);
  assert.equal(r.stderr, '');
  r = lakepipe('produce', '--format', 'avro', '--print-config');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ {2}message_format: avro {2}# flag$/m);
  assert.equal(r.stderr, 'lakepipe produce: warning: --format is deprecated: use --message-format\n');
  r = lakepipe('archive', '--format', 'csv', '--input-format', 'avro', '--print-config');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ {2}file_format: csv {2}# flag$/m);
  assert.match(r.stdout, /^ {2}message_format: avro {2}# flag$/m);
  assert.deepEqual(r.stderr.trim().split('\n'), [
    'lakepipe archive: warning: --format is deprecated: use --file-format',
    'lakepipe archive: warning: --input-format is deprecated: use --message-format',
  ]);
  r = lakepipe('archive', '--format', 'csv', '--file-format', 'avro', '--print-config');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--format is the old name of --file-format: give --file-format only/);
  // The old config keys too, named with file:line.
  const config = join(dir, 'old.yaml');
  writeFileSync(config, 'produce:\n  format: avro\narchive:\n  format: jsonl\n');
  r = lakepipe('archive', '--config', config, '--print-config');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^ {2}file_format: jsonl {2}# .*old\.yaml:4$/m);
  assert.ok(r.stderr.includes(`lakepipe: warning: ${config}:2: produce.format is deprecated: use produce.message_format`), r.stderr);
  assert.ok(r.stderr.includes(`lakepipe: warning: ${config}:4: archive.format is deprecated: use archive.file_format`), r.stderr);
});

// Outputs that are not regular files: written in place, never replaced.
// Never the real /dev/null or /dev/stdout: twins made in a temp dir.

// Runs `cmd` without blocking the event loop; resolves with its exit and output.
function run(cmd, args) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: Buffer.alloc(0), stderr: '' };
  child.stdout.on('data', (d) => { out.stdout = Buffer.concat([out.stdout, d]); });
  child.stderr.on('data', (d) => { out.stderr += d; });
  const done = new Promise((resolve) => child.on('close', (status, signal) => resolve({ ...out, status, signal })));
  return { child, done };
}

function mkfifo(path) {
  const r = spawnSync('mkfifo', [path]);
  assert.equal(r.status, 0, String(r.stderr));
}

// Reads a FIFO with cat until lakepipe, which must have kept it a FIFO, closes it.
async function readFifoAfter(lakepipeRun, readers) {
  const r = await lakepipeRun.done;
  const results = [];
  for (const [path] of readers) {
    if (!lstatSync(path).isFIFO()) {
      for (const [, reader] of readers) reader.child.kill();
      assert.fail(`${path} was replaced by a ${lstatSync(path).isFile() ? 'regular file' : 'non-FIFO'}\n${r.stderr}`);
    }
  }
  for (const [, reader] of readers) results.push(await reader.done);
  return [r, ...results];
}

function peopleWithABadLine(dir) {
  const input = join(dir, 'people.jsonl');
  writeFileSync(input, '{"id": "a", "age": 1}\n{"id": "b", "age": \n{"id": "c", "age": 3}\n');
  const schema = join(dir, 'p.avsc');
  writeFileSync(schema, SCHEMA);
  return { input, schema };
}

test('convert writes the output and --bad-records into FIFOs in place', async (t) => {
  const dir = tempDir(t, 'fifo');
  const { input, schema } = peopleWithABadLine(dir);
  const out = join(dir, 'out.jsonl');
  const bad = join(dir, 'bad.jsonl');
  mkfifo(out);
  mkfifo(bad);
  const readers = [[bad, run('cat', [bad])], [out, run('cat', [out])]];
  const lp = run(LAKEPIPE, ['convert', input, out, '--schema', schema, '--bad-records', bad]);
  const [r, badRead, outRead] = await readFifoAfter(lp, readers);
  assert.equal(r.status, 3, r.stderr);
  const rows = outRead.stdout.toString().trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rows, [{ id: 'a', age: 1 }, { id: 'c', age: 3 }]);
  const rejected = badRead.stdout.toString().trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(rejected.map((x) => x.line), [2]);
  assert.ok(lstatSync(out).isFIFO() && lstatSync(bad).isFIFO());
  assert.deepEqual(readdirSync(dir).sort(), ['bad.jsonl', 'out.jsonl', 'p.avsc', 'people.jsonl']);
});

test('--stats-json writes into a FIFO in place', async (t) => {
  const dir = tempDir(t, 'stats-fifo');
  const lake = join(dir, 'lake');
  const raw = join(lake, 'users', 'raw', 'jsonl');
  mkdirSync(raw, { recursive: true });
  writeFileSync(join(raw, 'users.jsonl'), '{}\n');
  const stats = join(dir, 'stats.json');
  mkfifo(stats);
  const reader = run('cat', [stats]);
  const lp = run(LAKEPIPE, ['transform', '--lake', lake, '--table', 'users', '--stats-json', stats]);
  const [r, read] = await readFifoAfter(lp, [[stats, reader]]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(typeof JSON.parse(read.stdout.toString()), 'object');
});

test('convert follows a symlink and replaces its target; the link stays', async (t) => {
  const dir = tempDir(t, 'symlink');
  const { input, schema } = peopleWithABadLine(dir);
  mkdirSync(join(dir, 'real'));
  writeFileSync(join(dir, 'real', 'people.parquet'), 'old contents');
  symlinkSync('real/people.parquet', join(dir, 'latest.parquet'));
  symlinkSync('real/new.parquet', join(dir, 'dangling.parquet'));
  for (const link of ['latest.parquet', 'dangling.parquet']) {
    const r = lakepipe('convert', input, join(dir, link), '--schema', schema, '--bad-records', join(dir, 'bad.jsonl'));
    assert.equal(r.status, 3, r.stderr);
    assert.ok(lstatSync(join(dir, link)).isSymbolicLink(), `${link} is still a symlink`);
  }
  for (const target of ['people.parquet', 'new.parquet']) {
    const rows = await duck(`SELECT id FROM '${join(dir, 'real', target)}' ORDER BY id`);
    assert.deepEqual(rows.map((x) => x.id), ['a', 'c']);
  }
  assert.deepEqual(readdirSync(join(dir, 'real')).sort(), ['new.parquet', 'people.parquet']);
});

test('convert writes character devices in place: a full device reports ENOSPC and stays a device', (t) => {
  const dir = tempDir(t, 'chardev');
  const { input, schema } = peopleWithABadLine(dir);
  // Twins of /dev/null (1,3) and /dev/full (1,7); the tests run as root.
  for (const [name, minor] of [['null', '3'], ['full', '7']]) {
    const made = spawnSync('mknod', ['-m', '666', join(dir, name), 'c', '1', minor]);
    assert.equal(made.status, 0, String(made.stderr));
  }
  let r = lakepipe('convert', input, join(dir, 'null'), '--output-format', 'jsonl', '--schema', schema,
    '--bad-records', join(dir, 'null'));
  assert.equal(r.status, 3, r.stderr);
  r = lakepipe('convert', input, join(dir, 'full'), '--output-format', 'parquet', '--schema', schema,
    '--bad-records', join(dir, 'null'));
  assert.equal(r.status, 1, r.stderr);
  assert.ok(r.stderr.includes(`'${join(dir, 'full')}'`), r.stderr);
  assert.match(r.stderr, /No space left on device/);
  assert.ok(lstatSync(join(dir, 'null')).isCharacterDevice(), 'null is still a device');
  assert.ok(lstatSync(join(dir, 'full')).isCharacterDevice(), 'full is still a device');
  assert.deepEqual(readdirSync(dir).sort(), ['full', 'null', 'p.avsc', 'people.jsonl']);
});

test('a conversion that fails on a full disk publishes no truncated bad-records file', (t) => {
  const dir = tempDir(t, 'full-disk');
  const schema = join(dir, 'p.avsc');
  writeFileSync(schema, SCHEMA);
  // 3,000 malformed lines: about 400 KB of rejects for a 64 KiB file system.
  const input = join(dir, 'bad.jsonl');
  const lines = [];
  for (let i = 0; i < 3000; i++) lines.push(i % 2 ? `{"id": "r${i}", "age": ${'9'.repeat(80)}x}` : `{"id": "r${i}", "age": ${i}}`);
  writeFileSync(input, lines.join('\n') + '\n');
  const small = join(dir, 'small');
  mkdirSync(small);
  // A private mount namespace with a 64 KiB tmpfs; what convert left there is listed before it goes.
  const script = 'mount -t tmpfs -o size=64k tmpfs "$1" || exit 90; "$2" convert "$3" "$1/out.parquet" --schema "$4" ' +
    '--bad-records "$1/rejected.jsonl"; echo "exit=$?"; ls -A "$1"';
  const r = spawnSync('unshare', ['-m', 'sh', '-c', script, 'sh', small, LAKEPIPE, input, schema], { encoding: 'utf8' });
  assert.equal(r.status, 0, `unshare: ${r.stderr}`);
  const [exit, ...left] = r.stdout.trim().split('\n');
  assert.equal(exit, 'exit=1', r.stderr);
  assert.deepEqual(left, [], `files left on the full file system:\n${r.stderr}`);
  assert.match(r.stderr, /No space left on device/);
  assert.ok(r.stderr.includes(`'${small}/rejected.jsonl'`) || r.stderr.includes(`'${small}/out.parquet'`), r.stderr);
  assert.ok(!r.stderr.includes('.tmp-'), `errors name the final file:\n${r.stderr}`);
});

test('convert creates no directories: a missing one is named', (t) => {
  const dir = tempDir(t, 'no-dirs');
  const { input, schema } = peopleWithABadLine(dir);
  let r = lakepipe('convert', input, join(dir, 'nonexistent_dir_zz', 'sub', 'out.parquet'), '--schema', schema);
  assert.equal(r.status, 1, r.stderr);
  assert.ok(r.stderr.includes(`directory '${join(dir, 'nonexistent_dir_zz')}' does not exist`), r.stderr);
  r = lakepipe('convert', input, join(dir, 'out.parquet'), '--schema', schema, '--bad-records', join(dir, 'nope', 'bad.jsonl'));
  assert.equal(r.status, 1, r.stderr);
  assert.ok(r.stderr.includes(`directory '${join(dir, 'nope')}' does not exist`), r.stderr);
  assert.deepEqual(readdirSync(dir).sort(), ['p.avsc', 'people.jsonl']);
  assert.match(lakepipeOk(0, 'convert', '--help').stdout, /creates no\s+directories/);
  assert.match(lakepipeOk(0, 'convert', '--help').stdout, /symbolic link is followed/);
});

test('the repository carries its license, and the README names it', () => {
  const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
  assert.match(license, /Apache License\s+Version 2\.0, January 2004/);
  assert.match(license, /TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION/);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.match(readme, /## License\n\nlakepipe is licensed under the Apache License, Version 2\.0/);
  assert.match(readme, /\[LICENSE\]\(LICENSE\)/);
});

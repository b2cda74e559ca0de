#include "iceberg/manifest.h"

#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "iceberg/manifest_avro.h"

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

Field Make(std::string name, Kind kind, int32_t id, bool nullable = false) {
  Field f;
  f.name = std::move(name);
  f.full_kind = kind;
  f.nullable = nullable;
  f.field_id = id;
  SetFlatView(&f);
  return f;
}

struct Table {
  TableSchema schema;
  PartitionSpec spec;
};

// id long, ts timestamptz, name string, amount double; day(ts), bucket[4](id).
Table MakeTable() {
  std::vector<Field> fields = {Make("id", Kind::kInt64, 1), Make("ts", Kind::kTimestamp, 2),
                               Make("name", Kind::kString, 3, true),
                               Make("amount", Kind::kDouble, 4, true)};
  Table t;
  t.schema.schema_id = 0;
  t.schema.schema = std::make_shared<Schema>("table", std::move(fields));
  auto day = Transform::Parse("day");
  auto bucket = Transform::Parse("bucket[4]");
  t.spec.spec_id = 0;
  t.spec.fields = {PartitionField{2, 1000, "ts_day", *day},
                   PartitionField{1, 1001, "id_bucket", *bucket}};
  return t;
}

std::string Le32(int32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }
std::string Le64(int64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); }

DataFile MakeFile(const std::string& path, int32_t day, int32_t bucket, int64_t rows) {
  DataFile f;
  f.file_path = path;
  f.partition = {day, bucket};
  f.record_count = rows;
  f.file_size_in_bytes = 1000 + rows;
  f.column_sizes = {{1, 100}, {2, 200}, {3, 300}, {4, 400}};
  f.value_counts = {{1, rows}, {2, rows}, {3, rows}, {4, rows}};
  f.null_value_counts = {{1, 0}, {2, 0}, {3, 1}, {4, 0}};
  f.nan_value_counts = {{4, 2}};
  f.lower_bounds = {{1, Le64(5)}, {3, "apple"}};
  f.upper_bounds = {{1, Le64(rows)}, {3, "pear"}};
  f.split_offsets = {4, 500 + rows};
  f.sort_order_id = 0;
  return f;
}

std::vector<ManifestEntry> MakeEntries() {
  ManifestEntry a;
  a.data_file = MakeFile("file:///t/data/a.parquet", 19700, 1, 10);
  ManifestEntry b;
  b.data_file = MakeFile("file:///t/data/b.parquet", 19702, 3, 7);
  ManifestEntry c;  // an existing entry carries its sequence numbers
  c.status = EntryStatus::kExisting;
  c.snapshot_id = 11;
  c.sequence_number = 1;
  c.file_sequence_number = 1;
  c.data_file = MakeFile("file:///t/data/c.parquet", 19699, 0, 5);
  c.data_file.partition[0] = std::monostate{};
  return {a, b, c};
}

TEST(Manifest, RoundTripsEntriesAndInheritsSequenceNumbers) {
  Table t = MakeTable();
  ManifestContext context{&t.schema, &t.spec, 42};
  const std::vector<ManifestEntry> entries = MakeEntries();
  auto bytes = WriteManifest(context, entries);
  ASSERT_OK(bytes);
  ManifestFile listed =
      SummarizeManifest(context, "file:///t/metadata/m0.avro", bytes->size(), 3, entries);
  EXPECT_EQ(listed.added_files_count, 2);
  EXPECT_EQ(listed.existing_files_count, 1);
  EXPECT_EQ(listed.added_rows_count, 17);
  EXPECT_EQ(listed.existing_rows_count, 5);
  EXPECT_EQ(listed.sequence_number, 3);
  EXPECT_EQ(listed.min_sequence_number, 1);
  EXPECT_EQ(listed.added_snapshot_id, 42);
  ASSERT_EQ(listed.partitions.size(), 2u);
  EXPECT_TRUE(listed.partitions[0].contains_null);
  EXPECT_EQ(listed.partitions[0].lower_bound, Le32(19700));
  EXPECT_EQ(listed.partitions[0].upper_bound, Le32(19702));
  EXPECT_FALSE(listed.partitions[1].contains_null);
  EXPECT_EQ(listed.partitions[1].lower_bound, Le32(0));
  EXPECT_EQ(listed.partitions[1].upper_bound, Le32(3));

  auto read = ReadManifest(*bytes, listed);
  ASSERT_OK(read);
  ASSERT_EQ(read->size(), 3u);
  const ManifestEntry& a = (*read)[0];
  EXPECT_EQ(a.status, EntryStatus::kAdded);
  EXPECT_EQ(a.snapshot_id, 42);
  EXPECT_EQ(a.sequence_number, 3);  // inherited
  EXPECT_EQ(a.file_sequence_number, 3);
  EXPECT_EQ(a.data_file.file_path, "file:///t/data/a.parquet");
  EXPECT_EQ(a.data_file.file_format, "PARQUET");
  EXPECT_EQ(a.data_file.partition, (std::vector<Datum>{int32_t{19700}, int32_t{1}}));
  EXPECT_EQ(a.data_file.record_count, 10);
  EXPECT_EQ(a.data_file.file_size_in_bytes, 1010);
  EXPECT_EQ(a.data_file.column_sizes, entries[0].data_file.column_sizes);
  EXPECT_EQ(a.data_file.value_counts, entries[0].data_file.value_counts);
  EXPECT_EQ(a.data_file.null_value_counts, entries[0].data_file.null_value_counts);
  EXPECT_EQ(a.data_file.nan_value_counts, entries[0].data_file.nan_value_counts);
  EXPECT_EQ(a.data_file.lower_bounds, entries[0].data_file.lower_bounds);
  EXPECT_EQ(a.data_file.upper_bounds, entries[0].data_file.upper_bounds);
  EXPECT_EQ(a.data_file.split_offsets, (std::vector<int64_t>{4, 510}));
  EXPECT_EQ(a.data_file.sort_order_id, 0);
  const ManifestEntry& c = (*read)[2];
  EXPECT_EQ(c.status, EntryStatus::kExisting);
  EXPECT_EQ(c.snapshot_id, 11);
  EXPECT_EQ(c.sequence_number, 1);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(c.data_file.partition[0]));
}

TEST(Manifest, ListRoundTrips) {
  Table t = MakeTable();
  ManifestContext context{&t.schema, &t.spec, 42};
  const std::vector<ManifestEntry> entries = MakeEntries();
  ManifestFile m = SummarizeManifest(context, "file:///t/metadata/m0.avro", 1234, 3, entries);
  ManifestFile old = m;
  old.manifest_path = "file:///t/metadata/old.avro";
  old.partitions.clear();
  old.sequence_number = 1;
  old.min_sequence_number = 1;
  auto bytes = WriteManifestList(42, 11, 3, {m, old});
  ASSERT_OK(bytes);
  auto read = ReadManifestList(*bytes);
  ASSERT_OK(read);
  ASSERT_EQ(read->size(), 2u);
  const ManifestFile& r = (*read)[0];
  EXPECT_EQ(r.manifest_path, m.manifest_path);
  EXPECT_EQ(r.manifest_length, 1234);
  EXPECT_EQ(r.sequence_number, 3);
  EXPECT_EQ(r.min_sequence_number, 1);
  EXPECT_EQ(r.added_snapshot_id, 42);
  EXPECT_EQ(r.added_files_count, 2);
  EXPECT_EQ(r.existing_rows_count, 5);
  ASSERT_EQ(r.partitions.size(), 2u);
  EXPECT_EQ(r.partitions[0].lower_bound, m.partitions[0].lower_bound);
  EXPECT_EQ(r.partitions[1].upper_bound, m.partitions[1].upper_bound);
  EXPECT_EQ(r.partitions[0].contains_nan, false);
  EXPECT_EQ((*read)[1].manifest_path, "file:///t/metadata/old.avro");
  EXPECT_TRUE((*read)[1].partitions.empty());

  auto header = avro_io::ReadContainer(*bytes, "list");
  ASSERT_OK(header);
  EXPECT_EQ(header->metadata["snapshot-id"], "42");
  EXPECT_EQ(header->metadata["parent-snapshot-id"], "11");
  EXPECT_EQ(header->metadata["sequence-number"], "3");
  EXPECT_EQ(header->metadata["format-version"], "2");
  EXPECT_EQ(header->metadata["avro.codec"], "null");
  auto first = WriteManifestList(42, std::nullopt, 1, {m});
  ASSERT_OK(first);
  EXPECT_EQ(avro_io::ReadContainer(*first, "list")->metadata["parent-snapshot-id"], "null");
}

TEST(Manifest, RefusesAPartitionTupleOfTheWrongSize) {
  Table t = MakeTable();
  ManifestContext context{&t.schema, &t.spec, 42};
  std::vector<ManifestEntry> entries = MakeEntries();
  entries[0].data_file.partition.pop_back();
  auto bytes = WriteManifest(context, entries);
  ASSERT_FALSE(bytes.ok());
  EXPECT_NE(bytes.status().message().find("a.parquet"), std::string::npos);
}

TEST(Manifest, DamagedFilesAreCorruption) {
  Table t = MakeTable();
  ManifestContext context{&t.schema, &t.spec, 42};
  auto bytes = WriteManifest(context, MakeEntries());
  ASSERT_OK(bytes);
  ManifestFile m;
  m.manifest_path = "m.avro";
  EXPECT_EQ(ReadManifest(bytes->substr(0, bytes->size() - 30), m).status().code(),
            StatusCode::kCorruption);
  EXPECT_EQ(ReadManifest("not avro", m).status().code(), StatusCode::kCorruption);
}

std::set<int> FieldIds(const json& schema) {
  std::set<int> out;
  if (schema.is_array()) {
    for (const json& s : schema) out.merge(FieldIds(s));
  } else if (schema.is_object()) {
    for (const char* key : {"field-id", "element-id"}) {
      if (schema.contains(key)) out.insert(schema[key].get<int>());
    }
    for (const char* key : {"type", "items", "fields"}) {
      if (schema.contains(key)) out.merge(FieldIds(schema[key]));
    }
  }
  return out;
}

// Prints {file: {meta: {key: text}, recs: [...]}} for every .avro file in
// the directory, bytes as hex, read by avsc.
constexpr const char* kAvscDump =
    "const avsc = require('avsc'); const fs = require('fs'); const dir = process.argv[1];"
    "const hex = (k, v) => (v && v.type === 'Buffer' && Array.isArray(v.data)) ?"
    "  Buffer.from(v.data).toString('hex') : v;"
    "const files = fs.readdirSync(dir).filter((f) => f.endsWith('.avro')); const out = {};"
    "let pending = files.length;"
    "for (const f of files) { const recs = []; const meta = {};"
    "  avsc.createFileDecoder(dir + '/' + f)"
    "    .on('metadata', (type, codec, header) => { for (const k of Object.keys(header.meta))"
    "      meta[k] = header.meta[k].toString('utf8'); })"
    "    .on('data', (r) => recs.push(r))"
    "    .on('error', (e) => { console.error(f, e.message); process.exit(2); })"
    "    .on('end', () => { out[f] = { meta, recs: JSON.parse(JSON.stringify(recs, hex)) };"
    "      if (--pending === 0) console.log(JSON.stringify(out)); }); }";

std::string Hex(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

// avsc, a reader we did not write, reads every manifest and manifest list
// with the spec's field ids in the header schema and the values written.
TEST(Manifest, AvscReadsManifestsAndListsWithTheSpecsFieldIds) {
  LP_NEEDS_NODE_PACKAGE(LAKEPIPE_SOURCE_DIR, "avsc");
  Table t = MakeTable();
  ManifestContext context{&t.schema, &t.spec, 42};
  const std::vector<ManifestEntry> entries = MakeEntries();
  auto manifest = WriteManifest(context, entries);
  ASSERT_OK(manifest);
  ManifestFile m = SummarizeManifest(context, "file:///t/m0.avro", manifest->size(), 3, entries);
  auto list = WriteManifestList(42, 11, 3, {m});
  ASSERT_OK(list);
  const std::string dir = testing::MakeTempDir("iceberg_manifest_avsc");
  std::ofstream(dir + "/manifest.avro", std::ios::binary) << *manifest;
  std::ofstream(dir + "/list.avro", std::ios::binary) << *list;
  const testing::NodeRun run = testing::RunNodeScript(LAKEPIPE_SOURCE_DIR, kAvscDump, dir);
  ASSERT_EQ(run.status, 0) << run.output;
  const json out = json::parse(run.output, nullptr, false);
  ASSERT_FALSE(out.is_discarded()) << run.output;

  const json& man = out["manifest.avro"];
  EXPECT_EQ(man["meta"]["format-version"], "2");
  EXPECT_EQ(man["meta"]["content"], "data");
  EXPECT_EQ(man["meta"]["schema-id"], "0");
  EXPECT_EQ(man["meta"]["partition-spec-id"], "0");
  EXPECT_EQ(json::parse(man["meta"]["partition-spec"].get<std::string>()),
            json::parse(R"([{"name":"ts_day","transform":"day","source-id":2,"field-id":1000},
                            {"name":"id_bucket","transform":"bucket[4]","source-id":1,"field-id":1001}])"));
  const json table_schema = json::parse(man["meta"]["schema"].get<std::string>());
  EXPECT_EQ(table_schema["fields"][1]["type"], "timestamptz");
  EXPECT_EQ(table_schema["fields"][1]["id"], 2);
  const json entry_schema = json::parse(man["meta"]["avro.schema"].get<std::string>());
  EXPECT_EQ(entry_schema["name"], "manifest_entry");
  EXPECT_EQ(FieldIds(entry_schema),
            (std::set<int>{0,   1,   3,   4,   2,   134, 100, 101, 102, 1000, 1001, 103, 104,
                           108, 117, 118, 109, 119, 120, 110, 121, 122, 137,  138,  139, 125,
                           126, 127, 128, 129, 130, 131, 132, 133, 135, 136,  140}));
  const json& rec = man["recs"][0];
  EXPECT_EQ(rec["status"], 1);
  EXPECT_EQ(rec["snapshot_id"], 42);
  EXPECT_TRUE(rec["sequence_number"].is_null());
  EXPECT_EQ(rec["data_file"]["file_path"], "file:///t/data/a.parquet");
  EXPECT_EQ(rec["data_file"]["file_format"], "PARQUET");
  EXPECT_EQ(rec["data_file"]["partition"], json({{"ts_day", 19700}, {"id_bucket", 1}}));
  EXPECT_EQ(rec["data_file"]["record_count"], 10);
  EXPECT_EQ(rec["data_file"]["column_sizes"][2], json({{"key", 3}, {"value", 300}}));
  EXPECT_EQ(rec["data_file"]["lower_bounds"][0], json({{"key", 1}, {"value", Hex(Le64(5))}}));
  EXPECT_EQ(rec["data_file"]["upper_bounds"][1], json({{"key", 3}, {"value", Hex("pear")}}));
  EXPECT_EQ(rec["data_file"]["nan_value_counts"][0], json({{"key", 4}, {"value", 2}}));
  EXPECT_EQ(rec["data_file"]["split_offsets"], json({4, 510}));
  EXPECT_EQ(man["recs"][2]["status"], 0);
  EXPECT_EQ(man["recs"][2]["sequence_number"], 1);
  EXPECT_TRUE(man["recs"][2]["data_file"]["partition"]["ts_day"].is_null());

  const json& lst = out["list.avro"];
  EXPECT_EQ(lst["meta"]["snapshot-id"], "42");
  EXPECT_EQ(lst["meta"]["parent-snapshot-id"], "11");
  EXPECT_EQ(lst["meta"]["sequence-number"], "3");
  EXPECT_EQ(lst["meta"]["format-version"], "2");
  const json list_schema = json::parse(lst["meta"]["avro.schema"].get<std::string>());
  EXPECT_EQ(list_schema["name"], "manifest_file");
  EXPECT_EQ(FieldIds(list_schema),
            (std::set<int>{500, 501, 502, 517, 515, 516, 503, 504, 505, 506,
                           512, 513, 514, 507, 508, 509, 518, 510, 511, 519}));
  const json& mf = lst["recs"][0];
  EXPECT_EQ(mf["manifest_path"], "file:///t/m0.avro");
  EXPECT_EQ(mf["manifest_length"], manifest->size());
  EXPECT_EQ(mf["sequence_number"], 3);
  EXPECT_EQ(mf["min_sequence_number"], 1);
  EXPECT_EQ(mf["added_files_count"], 2);
  EXPECT_EQ(mf["added_rows_count"], 17);
  EXPECT_EQ(mf["partitions"][0]["contains_null"], true);
  EXPECT_EQ(mf["partitions"][0]["lower_bound"], Hex(Le32(19700)));
  EXPECT_EQ(mf["partitions"][1]["upper_bound"], Hex(Le32(3)));
}

// Java writes manifests with deflate (its default) and may use snappy or
// zstandard: every codec reads back to the same entries.
TEST(Manifest, ReadsEveryAvroCodec) {
  Table t = MakeTable();
  ManifestContext context{&t.schema, &t.spec, 42};
  const std::vector<ManifestEntry> entries = MakeEntries();
  auto plain = WriteManifest(context, entries);
  ASSERT_OK(plain);
  auto decoded = avro_io::ReadContainer(*plain, "m");
  ASSERT_OK(decoded);
  std::map<std::string, std::string> meta = decoded->metadata;
  meta.erase("avro.schema");
  meta.erase("avro.codec");
  ManifestFile m = SummarizeManifest(context, "m", plain->size(), 3, entries);
  auto want = ReadManifest(*plain, m);
  ASSERT_OK(want);
  for (const char* codec : {"deflate", "snappy", "zstandard", "bzip2", "xz"}) {
    auto bytes = avro_io::WriteContainer(decoded->schema, meta, decoded->records, codec);
    ASSERT_OK(bytes);
    auto c = avro_io::ReadContainer(*bytes, "m");
    ASSERT_OK(c);
    EXPECT_EQ(c->metadata["avro.codec"], codec);
    EXPECT_EQ(c->metadata["partition-spec-id"], "0");
    auto read = ReadManifest(*bytes, m);
    ASSERT_OK(read);
    ASSERT_EQ(read->size(), want->size()) << codec;
    for (size_t i = 0; i < read->size(); ++i) {
      EXPECT_EQ((*read)[i].data_file.file_path, (*want)[i].data_file.file_path) << codec;
      EXPECT_EQ((*read)[i].data_file.partition, (*want)[i].data_file.partition) << codec;
      EXPECT_EQ((*read)[i].data_file.upper_bounds, (*want)[i].data_file.upper_bounds) << codec;
      EXPECT_EQ((*read)[i].sequence_number, (*want)[i].sequence_number) << codec;
    }
    if (std::string_view(codec) == "snappy") {
      // The block's CRC-32 (just before the 16-byte sync marker) is checked.
      std::string damaged = *bytes;
      damaged[damaged.size() - 17] ^= 0x01;
      EXPECT_EQ(ReadManifest(damaged, m).status().code(), StatusCode::kCorruption);
    }
  }
  EXPECT_EQ(avro_io::WriteContainer(decoded->schema, meta, decoded->records, "lzo").status().code(),
            StatusCode::kUnimplemented);
}

// Partition names that are not Avro names are sanitised as Java does,
// keeping the original in "iceberg-field-name"; avsc accepts the schema.
TEST(Manifest, PartitionNamesBecomeAvroNames) {
  Table t = MakeTable();
  t.spec.fields[0].name = "event-date_day";
  t.spec.fields[1].name = "1bücket";
  ManifestContext context{&t.schema, &t.spec, 42};
  auto bytes = WriteManifest(context, MakeEntries());
  ASSERT_OK(bytes);
  auto c = avro_io::ReadContainer(*bytes, "m");
  ASSERT_OK(c);
  const auto& partition = c->schema["fields"][4]["type"]["fields"][3]["type"]["fields"];
  EXPECT_EQ(partition[0]["name"], "event_x2Ddate_day");
  EXPECT_EQ(partition[0]["iceberg-field-name"], "event-date_day");
  EXPECT_EQ(partition[1]["name"], "_1b_xFCcket");
  EXPECT_EQ(partition[1]["field-id"], 1001);
  ManifestFile m;
  auto read = ReadManifest(*bytes, m);
  ASSERT_OK(read);
  EXPECT_EQ((*read)[0].data_file.partition, (std::vector<Datum>{int32_t{19700}, int32_t{1}}));
  if (!testing::HasNodePackage(LAKEPIPE_SOURCE_DIR, "avsc")) return;
  const std::string dir = testing::MakeTempDir("iceberg_manifest_names");
  std::ofstream(dir + "/m.avro", std::ios::binary) << *bytes;
  const testing::NodeRun run = testing::RunNodeScript(LAKEPIPE_SOURCE_DIR, kAvscDump, dir);
  ASSERT_EQ(run.status, 0) << run.output;
  const json out = json::parse(run.output, nullptr, false);
  ASSERT_FALSE(out.is_discarded()) << run.output;
  EXPECT_EQ(out["m.avro"]["recs"][0]["data_file"]["partition"]["event_x2Ddate_day"], 19700);
}

// A manifest another writer made: format v1 (no sequence numbers, no
// content), deflate blocks, a named type used twice, a map of a different
// key type, fields in another order.
TEST(Manifest, ReadsAV1DeflateManifestWrittenByAnotherWriter) {
  LP_NEEDS_NODE_PACKAGE(LAKEPIPE_SOURCE_DIR, "avsc");
  const std::string dir = testing::MakeTempDir("iceberg_manifest_v1");
  const std::string script =
      "const avsc = require('avsc'); const dir = process.argv[1];"
      "const kv = (k, v, t) => ({type: 'array', logicalType: 'map', items: {type: 'record',"
      "  name: 'k' + k + '_v' + v, fields: [{name: 'key', type: 'int', 'field-id': k},"
      "  {name: 'value', type: t, 'field-id': v}]}});"
      "const schema = {type: 'record', name: 'manifest_entry', fields: ["
      " {name: 'status', type: 'int', 'field-id': 0},"
      " {name: 'snapshot_id', type: 'long', 'field-id': 1},"
      " {name: 'data_file', 'field-id': 2, type: {type: 'record', name: 'r2', fields: ["
      "  {name: 'file_path', type: 'string', 'field-id': 100},"
      "  {name: 'file_format', type: 'string', 'field-id': 101},"
      "  {name: 'partition', 'field-id': 102, type: {type: 'record', name: 'r102', fields: ["
      "    {name: 'cat', type: ['null', 'string'], 'field-id': 1000}]}},"
      "  {name: 'record_count', type: 'long', 'field-id': 103},"
      "  {name: 'file_size_in_bytes', type: 'long', 'field-id': 104},"
      "  {name: 'block_size_in_bytes', type: 'long', 'field-id': 105},"
      "  {name: 'value_counts', type: ['null', kv(119, 120, 'long')], 'field-id': 109},"
      "  {name: 'lower_bounds', type: ['null', kv(126, 127, 'bytes')], 'field-id': 125},"
      "  {name: 'key_metadata', type: ['null', {type: 'fixed', name: 'k', size: 2}], 'field-id': "
      "131},"
      "  {name: 'more_key_metadata', type: ['null', 'k'], 'field-id': 9131}"
      " ]}}]};"
      "const enc = avsc.createFileEncoder(dir + '/v1.avro', schema, {codec: 'deflate',"
      "  metadata: {'format-version': Buffer.from('1')}});"
      "for (let i = 0; i < 300; ++i) enc.write({status: i % 3, snapshot_id: 7,"
      "  data_file: {file_path: 's3://b/t/data/f' + i + '.parquet', file_format: 'PARQUET',"
      "  partition: {cat: i % 2 ? 'x' : null}, record_count: i, file_size_in_bytes: 100 + i,"
      "  block_size_in_bytes: 67108864, value_counts: [{key: 1, value: i}],"
      "  lower_bounds: [{key: 1, value: Buffer.from([i % 256, 0, 0, 0])}],"
      "  key_metadata: Buffer.from('ab'), more_key_metadata: Buffer.from('cd')}});"
      "enc.end();";
  const testing::NodeRun run = testing::RunNodeScript(LAKEPIPE_SOURCE_DIR, script, dir);
  ASSERT_EQ(run.status, 0) << run.output;
  std::ifstream in(dir + "/v1.avro", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ManifestFile m;
  m.manifest_path = "s3://b/t/metadata/v1.avro";
  m.sequence_number = 0;  // a v1 table's manifests have sequence number 0
  auto read = ReadManifest(bytes, m);
  ASSERT_OK(read);
  ASSERT_EQ(read->size(), 300u);
  const ManifestEntry& e = (*read)[257];
  EXPECT_EQ(e.status, EntryStatus::kDeleted);
  EXPECT_EQ(e.snapshot_id, 7);
  EXPECT_EQ(e.sequence_number, 0);
  EXPECT_EQ(e.data_file.content, 0);
  EXPECT_EQ(e.data_file.file_path, "s3://b/t/data/f257.parquet");
  EXPECT_EQ(e.data_file.partition, std::vector<Datum>{std::string("x")});
  EXPECT_EQ(e.data_file.record_count, 257);
  EXPECT_EQ(e.data_file.value_counts, (std::map<int32_t, int64_t>{{1, 257}}));
  EXPECT_EQ(e.data_file.lower_bounds.at(1), std::string("\x01\0\0\0", 4));
  EXPECT_TRUE(std::holds_alternative<std::monostate>((*read)[256].data_file.partition[0]));
}

}  // namespace
}  // namespace lakepipe::iceberg

// A table written by lakepipe (Parquet data files with the table's field
// ids, manifests, manifest lists, metadata through the file catalog, three
// appends, partitioned by day(ts) and bucket[4](id)) read back by icebird,
// an independent Iceberg reader, and by DuckDB over the live data files;
// the manifests' metrics as icebird decodes them agree with DuckDB's reading
// of each file.
#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "formats/parquet/parquet_writer.h"
#include "iceberg/append.h"
#include "iceberg/schema_json.h"

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

constexpr const char* kSchema = R"js({"type":"struct","schema-id":0,"fields":[
  {"id":1,"name":"id","required":true,"type":"long"},
  {"id":2,"name":"ts","required":true,"type":"timestamptz"},
  {"id":3,"name":"name","required":false,"type":"string"},
  {"id":4,"name":"amount","required":false,"type":"double"}]})js";

constexpr int kCommits = 3;
constexpr int kRowsPerCommit = 40;
constexpr int64_t kTs0 = 1733000000000000;  // 2024-11-30T20:53:20Z
constexpr int64_t kThreeHours = 3LL * 3600 * 1000000;

struct Row {
  int64_t id = 0;
  int64_t ts = 0;
  std::optional<std::string> name;
  std::optional<double> amount;
};

Row MakeRow(int commit, int k) {
  Row r;
  r.id = commit * 1000 + k;
  r.ts = kTs0 + (commit * kRowsPerCommit + k) * kThreeHours;
  if (k % 6 != 0) r.name = fmt::format("n{}", r.id);
  if (k % 9 != 0) r.amount = r.id * 1.5;
  return r;
}

json Normalised(const Row& r) {
  return {{"id", std::to_string(r.id)},
          {"ts", std::to_string(r.ts)},
          {"name", r.name ? json(*r.name) : json(nullptr)},
          {"amount", r.amount ? json(*r.amount) : json(nullptr)}};
}

// Writes `rows` as one Parquet data file at `uri` and describes it.
Result<DataFile> WriteDataFile(const TableSchema& schema, const std::string& uri,
                               const std::vector<Row>& rows, std::vector<Datum> partition) {
  LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> out, OpenOutputStream(uri));
  ParquetWriteOptions options;
  options.repeated_group_field_ids = false;
  LP_ASSIGN_OR_RETURN(std::unique_ptr<FileWriter> writer,
                      NewParquetWriter(std::move(out), schema.schema, options));
  RecordBatch batch(schema.schema);
  for (const Row& r : rows) {
    batch.column(0).AppendInt64(r.id);
    batch.column(1).AppendInt64(r.ts);
    if (r.name) {
      batch.column(2).AppendBytes(*r.name);
    } else {
      batch.column(2).AppendNull();
    }
    if (r.amount) {
      batch.column(3).AppendDouble(*r.amount);
    } else {
      batch.column(3).AppendNull();
    }
    batch.CommitRow();
  }
  LP_RETURN_IF_ERROR(writer->Write(batch));
  LP_RETURN_IF_ERROR(writer->Finish());
  LP_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> in, OpenInputFile(uri));
  return DataFileFromParquet(in.get(), uri, schema, std::move(partition));
}

std::string Hex(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) out += fmt::format("{:02x}", c);
  return out;
}

template <typename T>
std::string LeHex(T v) {
  return Hex(std::string_view(reinterpret_cast<const char*>(&v), sizeof(T)));
}

// The metrics icebird decoded from a manifest agree with what DuckDB reads
// from the data file: bounds are the columns' min and max (names are short:
// no truncation), null counts match, value counts are the row count.
void CheckMetrics(const json& f) {
  const json& duck = f["duckdb"];
  const int64_t rows = f["records"].get<int64_t>();
  for (const char* id : {"1", "2", "3", "4"}) {
    EXPECT_EQ(f["value_counts"][id], rows) << id << f.dump();
    EXPECT_EQ(f["null_value_counts"][id].get<int64_t>(),
              std::stoll(duck[id]["nulls"].get<std::string>()))
        << id << f.dump();
    const json& lo = duck[id]["lo"];
    const json& hi = duck[id]["hi"];
    if (lo.is_null()) {
      EXPECT_FALSE(f["lower_bounds"].contains(id)) << id << f.dump();
      continue;
    }
    std::string want_lo;
    std::string want_hi;
    if (std::string_view(id) == "1" || std::string_view(id) == "2") {
      want_lo = LeHex(std::stoll(lo.get<std::string>()));
      want_hi = LeHex(std::stoll(hi.get<std::string>()));
    } else if (std::string_view(id) == "3") {
      want_lo = Hex(lo.get<std::string>());
      want_hi = Hex(hi.get<std::string>());
    } else {
      want_lo = LeHex(lo.get<double>());
      want_hi = LeHex(hi.get<double>());
    }
    EXPECT_EQ(f["lower_bounds"][id], want_lo) << id << f.dump();
    EXPECT_EQ(f["upper_bounds"][id], want_hi) << id << f.dump();
  }
}

TEST(AppendInterop, IcebirdAndDuckDBReadExactlyTheRowsWritten) {
  LP_NEEDS_NODE_PACKAGE(LAKEPIPE_SOURCE_DIR, "icebird");
  LP_NEEDS_NODE_PACKAGE(LAKEPIPE_SOURCE_DIR, "@duckdb/node-api");
  CatalogOptions options;
  options.type = "file";
  options.warehouse = "file://" + testing::MakeTempDir("iceberg_interop");
  auto catalog = MakeFileCatalog(options);
  ASSERT_OK(catalog);
  const TableIdentifier id{{"db"}, "events"};
  auto schema = SchemaFromJson(json::parse(kSchema));
  ASSERT_OK(schema);
  auto spec = ParsePartitionSpec("day(ts), bucket[4](id)", *schema);
  ASSERT_OK(spec);
  auto location = (*catalog)->DefaultLocation(id);
  ASSERT_OK(location);
  auto created = TableMetadata::New(*location, *schema, *spec);
  ASSERT_OK(created);
  ASSERT_OK((*catalog)->CreateTable(id, *created));

  json expected = json::array();
  size_t files_written = 0;
  // The third commit merges the first two manifests: icebird reads
  // existing entries with explicit sequence numbers too.
  AppendOptions append_options;
  append_options.merge_manifests_at = 2;
  AppendFiles append(catalog->get(), id, append_options);
  for (int c = 0; c < kCommits; ++c) {
    auto table = (*catalog)->LoadTable(id);
    ASSERT_OK(table);
    const TableSchema& ts = *table->metadata.CurrentSchema();
    const PartitionSpec& ps = *table->metadata.DefaultSpec();
    // Rows grouped by their partition tuple, one data file per tuple.
    std::map<std::vector<Datum>, std::vector<Row>> groups;
    for (int k = 0; k < kRowsPerCommit; ++k) {
      const Row r = MakeRow(c, k);
      expected.push_back(Normalised(r));
      std::vector<Datum> tuple;
      for (const PartitionField& pf : ps.fields) {
        const Field& source = ts.schema->field(static_cast<size_t>(pf.source_id - 1));
        const Datum value = pf.source_id == 1 ? Datum(r.id) : Datum(r.ts);
        auto p = pf.transform.Apply(source, value);
        ASSERT_OK(p);
        tuple.push_back(*p);
      }
      groups[tuple].push_back(r);
    }
    std::vector<DataFile> files;
    for (const auto& [tuple, rows] : groups) {
      const std::string uri =
          fmt::format("{}/data/ts_day={}/id_bucket={}/c{}.parquet", *location,
                      std::get<int32_t>(tuple[0]), std::get<int32_t>(tuple[1]), c);
      auto file = WriteDataFile(ts, uri, rows, tuple);
      ASSERT_OK(file);
      files.push_back(std::move(file).value());
    }
    files_written += files.size();
    auto r = append.Commit(NewUuid(), [&](const LoadedTable&) -> Result<AppendPlan> {
      AppendPlan plan;
      plan.files = files;
      return plan;
    });
    ASSERT_OK(r);
  }
  std::sort(expected.begin(), expected.end(), [](const json& a, const json& b) {
    return std::stoll(a["id"].get<std::string>()) < std::stoll(b["id"].get<std::string>());
  });

  const testing::NodeRun run = testing::RunNodeScript(
      LAKEPIPE_SOURCE_DIR,
      "import('./interop/iceberg_read.mjs').catch((e) => { console.error(e); process.exit(1); })",
      *location);
  ASSERT_EQ(run.status, 0) << run.output;
  // The JSON is the last line (readers may warn on stderr before it).
  std::string last = run.output.substr(0, run.output.find_last_not_of('\n') + 1);
  last = last.substr(last.find_last_of('\n') + 1);
  const json out = json::parse(last, nullptr, false);
  ASSERT_FALSE(out.is_discarded()) << run.output;
  EXPECT_EQ(out["icebird"].size(), size_t{kCommits * kRowsPerCommit});
  EXPECT_EQ(out["icebird"], expected);
  EXPECT_EQ(out["duckdb"], expected);
  ASSERT_EQ(out["files"].size(), files_written);
  std::set<std::string> paths;
  int64_t records = 0;
  std::map<int, int> statuses;
  for (const json& f : out["files"]) {
    ++statuses[f["status"].get<int>()];
    paths.insert(f["path"].get<std::string>());
    records += f["records"].get<int64_t>();
    // The partition tuple icebird decoded names the file's directory.
    const std::string dir = fmt::format("id_bucket={}/", f["partition"]["id_bucket"].get<int>());
    EXPECT_NE(f["path"].get<std::string>().find(dir), std::string::npos) << f.dump();
    CheckMetrics(f);
  }
  EXPECT_EQ(paths.size(), files_written);
  EXPECT_GT(statuses[0], 0);  // existing entries of the merged manifest
  EXPECT_GT(statuses[1], 0);  // the last commit's added entries
  EXPECT_EQ(records, kCommits * kRowsPerCommit);
}

}  // namespace
}  // namespace lakepipe::iceberg

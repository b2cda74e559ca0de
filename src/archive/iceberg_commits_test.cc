// The Iceberg commit protocol (iceberg_commits.h) under a crash at each of
// its steps (a data file made visible, a snapshot committed, an offset
// committed to the group), and with a second archiver committing the same
// partition meanwhile: every offset is in the table exactly once, and every
// data file the table lists exists.
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "archive/archiver.h"
#include "archive/archiver_fakes.h"
#include "core/testing.h"
#include "formats/format.h"
#include "formats/open.h"
#include "iceberg/kafka_ranges.h"
#include "iceberg/manifest.h"
#include "storage/local_store.h"

namespace lakepipe::archive {
namespace {

using fakes::CrashPlan;
using fakes::FakeClock;
using fakes::FakeConsumer;
using fakes::FakeKafka;
using fakes::FaultStore;
using fakes::Interlude;

constexpr char kSchema[] = R"({"type": "record", "name": "Row", "fields": [
  {"name": "id", "type": "long"}, {"name": "country", "type": "string"}]})";
constexpr int kPartitions = 2;
constexpr int kRecords = 60;  // per partition
const char* const kCountries[] = {"de", "fr", "nl"};

int64_t IdOf(int partition, int64_t offset) { return partition * 1000 + offset; }

FakeKafka MakeKafka() {
  FakeKafka kafka;
  for (int p = 0; p < kPartitions; ++p) {
    auto& log = kafka.logs[kafka::TopicPartition{"rows", p}];
    for (int o = 0; o < kRecords; ++o) {
      log.push_back({fmt::format("k{}", o),
                     fmt::format(R"({{"id": {}, "country": "{}"}})", IdOf(p, o),
                                 kCountries[(o * 7 + p) % 5 % 3]),
                     1700000000000 + o});
    }
  }
  return kafka;
}

// The catalog's state: what outlives a process.
struct FakeTables {
  std::map<std::string, iceberg::LoadedTable> tables;
  int versions = 0;
};

// A catalog in memory whose commits are steps of `plan`.
class FakeCatalog final : public iceberg::Catalog {
 public:
  FakeCatalog(FakeTables* tables, CrashPlan* plan, std::string warehouse)
      : tables_(tables), plan_(plan), warehouse_(std::move(warehouse)) {}
  std::string_view type() const override { return "memory"; }
  Result<iceberg::LoadedTable> LoadTable(const iceberg::TableIdentifier& id) override {
    if (plan_->crashed()) return fakes::CrashedError();
    auto it = tables_->tables.find(id.ToString());
    if (it == tables_->tables.end()) return NotFoundError("no table {}", id.ToString());
    return it->second;
  }
  Result<iceberg::LoadedTable> CreateTable(const iceberg::TableIdentifier& id,
                                           const iceberg::TableMetadata& metadata) override {
    if (plan_->crashed()) return fakes::CrashedError();
    if (tables_->tables.count(id.ToString()) > 0) return AlreadyExistsError("exists");
    iceberg::LoadedTable t{metadata, fmt::format("memory://v{}", ++tables_->versions)};
    tables_->tables[id.ToString()] = t;
    return t;
  }
  Result<iceberg::LoadedTable> CommitTable(const iceberg::TableIdentifier& id,
                                           const iceberg::LoadedTable& base,
                                           const iceberg::TableMetadata& updated,
                                           const iceberg::TableCommit&) override {
    if (plan_->crashed()) return fakes::CrashedError();
    iceberg::LoadedTable& current = tables_->tables.at(id.ToString());
    if (current.metadata_location != base.metadata_location) {
      return FailedPreconditionError("{} moved on", id.ToString());
    }
    const iceberg::Snapshot* snap = updated.CurrentSnapshot();
    if (!plan_->Begin(fmt::format("snapshot {}", snap ? snap->snapshot_id : 0))) {
      return fakes::CrashedError();
    }
    current = iceberg::LoadedTable{updated, fmt::format("memory://v{}", ++tables_->versions)};
    plan_->End();
    return current;
  }
  Result<std::string> DefaultLocation(const iceberg::TableIdentifier& id) override {
    return fmt::format("{}/{}/{}", warehouse_, fmt::join(id.namespace_levels, "/"), id.name);
  }
  nlohmann::json Describe() const override { return nlohmann::json::object(); }

 private:
  FakeTables* tables_;
  CrashPlan* plan_;
  std::string warehouse_;
};

size_t FilesUnder(const std::string& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    n += it->is_regular_file(ec) ? 1 : 0;
  }
  return n;
}

std::string PathOf(const std::string& uri) {
  return uri.rfind("file://", 0) == 0 ? uri.substr(7) : uri;
}

// Reads the table's current snapshot: each id exactly once, each listed
// file once and present, every data file on disk listed unless
// `orphans_allowed` (a killed process leaves unlisted files).
void ExpectEveryOffsetOnce(const FakeTables& tables, const std::string& data_dir,
                           bool orphans_allowed) {
  ASSERT_EQ(tables.tables.count("default.rows"), 1u);
  const iceberg::TableMetadata& m = tables.tables.at("default.rows").metadata;
  const iceberg::Snapshot* snapshot = m.CurrentSnapshot();
  ASSERT_NE(snapshot, nullptr);
  ASSERT_OK_AND_ASSIGN(std::vector<iceberg::ManifestEntry> entries,
                       iceberg::LiveEntries(*snapshot));
  ASSERT_OK_AND_ASSIGN(const FormatInfo* format, FormatRegistry::Default().Find("parquet"));
  std::map<int64_t, int> seen;
  std::set<std::string> listed;
  for (const iceberg::ManifestEntry& e : entries) {
    const std::string path = PathOf(e.data_file.file_path);
    EXPECT_TRUE(listed.insert(path).second) << path << " listed twice";
    ASSERT_OK_AND_ASSIGN(auto reader, OpenReader(path, *format, ReadOptions()));
    RecordBatch batch(reader->schema());
    int64_t rows = 0;
    while (true) {
      ASSERT_OK_AND_ASSIGN(bool more, reader->ReadBatch(&batch));
      if (!more) break;
      for (size_t r = 0; r < batch.num_rows(); ++r) ++seen[batch.column(0).GetInt64(r)];
      rows += static_cast<int64_t>(batch.num_rows());
    }
    EXPECT_EQ(rows, e.data_file.record_count) << path;
  }
  for (int p = 0; p < kPartitions; ++p) {
    for (int o = 0; o < kRecords; ++o) {
      EXPECT_EQ(seen[IdOf(p, o)], 1) << "partition " << p << " offset " << o;
    }
  }
  EXPECT_EQ(seen.size(), size_t{kPartitions * kRecords});
  ASSERT_OK_AND_ASSIGN(auto offsets, iceberg::CommittedOffsets(m, "g"));
  for (int p = 0; p < kPartitions; ++p) {
    EXPECT_EQ((offsets[iceberg::KafkaPartition{"rows", p}]), kRecords) << "partition " << p;
  }
  ASSERT_OK_AND_ASSIGN(auto problems, iceberg::CheckRanges(m));
  EXPECT_TRUE(problems.empty()) << problems.size() << " gaps or overlaps, the first in snapshot "
                                << problems.front().snapshot_id;
  if (orphans_allowed || !std::filesystem::exists(data_dir)) return;
  for (const auto& f : std::filesystem::recursive_directory_iterator(data_dir)) {
    if (!f.is_regular_file() || f.path().filename().string().front() == '.') continue;
    EXPECT_EQ(listed.count(f.path().string()), 1u) << f.path() << " is not in the table";
  }
}

class IcebergCommitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = lakepipe::testing::MakeTempDir("iceberg_commits");
    ASSERT_OK_AND_ASSIGN(Schema schema, Schema::FromAvroJson(kSchema));
    schema_ = std::make_shared<const Schema>(std::move(schema));
  }

  ArchiveOptions Options(uint64_t commit_bytes) const {
    ArchiveOptions o;
    o.group = "g";
    o.topics = {"rows"};
    o.decoder.schema = schema_;
    o.table_format = "iceberg";
    o.partition_by = "country";
    o.flush_records = 7;
    o.rotate_interval = std::chrono::hours(1);
    o.commit_interval = std::chrono::hours(1);
    o.commit_bytes = commit_bytes;
    o.exit_when_idle = std::chrono::seconds(1);
    o.stats_interval = std::chrono::hours(1);
    o.log = [](const std::string&) {};
    return o;
  }

  // One process over `kafka` and `tables` with the lake `dir`, until idle
  // or killed. The table is under `dir`/warehouse, or under `warehouse`
  // when given (a second process on its own lake).
  Status RunProcess(FakeKafka* kafka, FakeTables* tables, const std::string& dir, CrashPlan* plan,
                    uint64_t commit_bytes, std::vector<Interlude> interludes = {},
                    std::string warehouse = "") {
    FakeClock clock;
    std::unique_ptr<ObjectStore> local = NewLocalObjectStore();
    FaultStore store(local.get(), plan);
    FakeCatalog catalog(tables, plan,
                        "file://" + (warehouse.empty() ? dir + "/warehouse" : warehouse));
    ArchiverParts parts;
    parts.store = &store;
    parts.lake_path = dir;
    parts.source = std::make_unique<FakeConsumer>(
        kafka, plan, &clock, std::vector<fakes::Revocation>{}, 5, std::move(interludes));
    DeadLetterOptions dead;
    dead.fallback_root = dir + "/_rejected";
    parts.dead_letters = std::make_unique<DeadLetterSink>(dead, nullptr);
    parts.clock = clock.Function();
    parts.catalog = &catalog;
    LP_ASSIGN_OR_RETURN(auto archiver, Archiver::Make(Options(commit_bytes), std::move(parts)));
    std::atomic<bool> stop{false};
    return archiver->Run(stop).status();
  }

  std::string DataDir(const std::string& dir) const { return dir + "/warehouse/default/rows/data"; }

  void RunWithASecondArchiver(const std::string& dir, uint64_t commit_bytes, bool one_lake);

  // Kills a run at every step of a clean run, before and after it, and
  // restarts it to idle.
  void CrashAtEveryStep(uint64_t commit_bytes) {
    FakeKafka clean_kafka = MakeKafka();
    FakeTables clean_tables;
    CrashPlan clean;
    const std::string reference = fmt::format("{}/{}-reference", root_, ++scenario_);
    ASSERT_OK(RunProcess(&clean_kafka, &clean_tables, reference, &clean, commit_bytes));
    ExpectEveryOffsetOnce(clean_tables, DataDir(reference), /*orphans_allowed=*/false);
    const std::vector<std::string> steps = clean.taken();
    ASSERT_GE(steps.size(), 10u);
    int snapshots = 0;
    for (const std::string& step : steps) snapshots += step.rfind("snapshot", 0) == 0;
    EXPECT_GE(snapshots, commit_bytes == 1 ? 4 : 1);
    for (size_t k = 1; k <= steps.size(); ++k) {
      for (CrashPlan::When when : {CrashPlan::When::kBefore, CrashPlan::When::kAfter}) {
        const bool before = when == CrashPlan::When::kBefore;
        SCOPED_TRACE(fmt::format("killed {} step {} of {}: {}", before ? "before" : "after", k,
                                 steps.size(), steps[k - 1]));
        const std::string dir =
            fmt::format("{}/{}-{}-{}", root_, scenario_, k, before ? "before" : "after");
        FakeKafka kafka = MakeKafka();
        FakeTables tables;
        CrashPlan plan(static_cast<int>(k), when);
        Status killed = RunProcess(&kafka, &tables, dir, &plan, commit_bytes);
        ASSERT_TRUE(plan.crashed()) << killed.ToString();
        CrashPlan restart;
        ASSERT_OK(RunProcess(&kafka, &tables, dir, &restart, commit_bytes));
        ExpectEveryOffsetOnce(tables, DataDir(dir), /*orphans_allowed=*/true);
        for (const auto& [tp, committed] : kafka.committed) {
          EXPECT_EQ(committed.offset, kRecords) << kafka::ToString(tp);
        }
        if (HasFailure()) return;
      }
    }
  }

  std::string root_;
  int scenario_ = 0;
  SchemaPtr schema_;
};

// A snapshot at every poll that closed segments.
TEST_F(IcebergCommitsTest, KilledAtAnyStepThenRestartedHasEveryOffsetOnce) {
  CrashAtEveryStep(/*commit_bytes=*/1);
}

// One snapshot at the end, holding every segment.
TEST_F(IcebergCommitsTest, KilledAtAnyStepOfOneBatchThenRestartedHasEveryOffsetOnce) {
  CrashAtEveryStep(/*commit_bytes=*/1ull << 40);
}

// While the first archiver reads partition 0, a second one (after a
// rebalance it has not noticed yet) archives all of partition 0 into the
// same table for the same group. The first one's later ranges of
// partition 0 are dropped and their files deleted, and it moves partition
// 0 to the table's end: nothing is doubled or lost. `one_lake`: both
// archivers use the lake `dir`, as two processes on one machine do, and
// share the partition's staging directory; else the second one has its own.
void IcebergCommitsTest::RunWithASecondArchiver(const std::string& dir, uint64_t commit_bytes,
                                                bool one_lake) {
  FakeKafka kafka = MakeKafka();
  FakeTables tables;
  FakeKafka only_p0;
  only_p0.logs[kafka::TopicPartition{"rows", 0}] = kafka.logs[kafka::TopicPartition{"rows", 0}];
  Status second;
  size_t open_then = 0;
  Interlude meanwhile{kafka::TopicPartition{"rows", 0}, 30, [&] {
                        open_then = FilesUnder(dir + "/_lakepipe/staging");
                        CrashPlan plan;
                        second = RunProcess(&only_p0, &tables, one_lake ? dir : dir + "-second",
                                            &plan, 1, {}, dir + "/warehouse");
                      }};
  CrashPlan plan;
  ASSERT_OK(RunProcess(&kafka, &tables, dir, &plan, commit_bytes, {meanwhile}));
  ASSERT_OK(second);
  if (one_lake) {
    EXPECT_GE(open_then, 1u) << "the first archiver had no file open when the second one started";
  }
  ExpectEveryOffsetOnce(tables, DataDir(dir), /*orphans_allowed=*/false);
}

TEST_F(IcebergCommitsTest, SecondArchiverOfAPartitionCommitsFirstWhileTheFirstCommitsOften) {
  RunWithASecondArchiver(root_ + "/two-often", 1, /*one_lake=*/false);
}

TEST_F(IcebergCommitsTest, SecondArchiverOfAPartitionCommitsFirstWhileTheFirstHoldsItsBatch) {
  RunWithASecondArchiver(root_ + "/two-batch", 1ull << 40, /*one_lake=*/false);
}

// On one lake, the second one, on assignment, deletes only what killed
// writers left in the staging directory, not the file the first one is
// still writing.
TEST_F(IcebergCommitsTest, SecondArchiverOnTheSameLakeLeavesTheFirstOnesOpenFilesAlone) {
  RunWithASecondArchiver(root_ + "/two-one-lake", 1ull << 40, /*one_lake=*/true);
}

// Archivers made (not run) over one in-memory catalog and one lake: what
// setting up an archiver decides about its table.
class IcebergSetUpTest : public IcebergCommitsTest {
 protected:
  void SetUp() override {
    IcebergCommitsTest::SetUp();
    catalog_ = std::make_unique<FakeCatalog>(&tables_, &plan_, "file://" + root_ + "/warehouse");
  }

  Result<std::unique_ptr<Archiver>> Make(const ArchiveOptions& o, const std::string& lake) {
    ArchiverParts parts;
    parts.store = local_.get();
    parts.lake_path = root_ + "/" + lake;
    parts.source = std::make_unique<FakeConsumer>(&kafka_, &plan_, &clock_);
    parts.dead_letters = std::make_unique<DeadLetterSink>(DeadLetterOptions{}, nullptr);
    parts.catalog = catalog_.get();
    return Archiver::Make(o, std::move(parts));
  }

  FakeKafka kafka_ = MakeKafka();
  FakeTables tables_;
  CrashPlan plan_;
  FakeClock clock_;
  std::unique_ptr<ObjectStore> local_ = NewLocalObjectStore();
  std::unique_ptr<FakeCatalog> catalog_;
};

TEST_F(IcebergSetUpTest, RefusesAHiveTemplateNamingTheSpec) {
  ArchiveOptions o = Options(1);
  o.partition_by = "event_date={event_time:%Y-%m-%d}/country={country}";
  o.time_field = "";
  auto made = Make(o, "refuse");
  ASSERT_FALSE(made.ok());
  EXPECT_NE(made.status().message().find("day(<time field>), country"), std::string::npos)
      << made.status().ToString();
}

// A table that exists keeps its partition spec: a --partition-by naming
// another one is not applied, and the log says so, naming both.
TEST_F(IcebergSetUpTest, AnExistingTableKeepsItsSpecAndTheLogNamesAnother) {
  std::vector<std::string> logged;
  for (const char* by : {"country", "country", "bucket[4](id)"}) {
    SCOPED_TRACE(by);
    ArchiveOptions o = Options(1);
    o.partition_by = by;
    o.log = [&logged](const std::string& line) { logged.push_back(line); };
    ASSERT_OK_AND_ASSIGN(auto archiver, Make(o, "spec"));
  }
  std::vector<std::string> warnings;
  for (const std::string& line : logged) {
    if (line.find("warning") != std::string::npos) warnings.push_back(line);
  }
  ASSERT_EQ(warnings.size(), 1u) << fmt::format("{}", fmt::join(logged, "\n"));
  EXPECT_NE(warnings[0].find("table default.rows is partitioned by country; --partition-by "
                             "'bucket[4](id)' is not applied"),
            std::string::npos)
      << warnings[0];
  const iceberg::PartitionSpec* spec = tables_.tables.at("default.rows").metadata.DefaultSpec();
  ASSERT_NE(spec, nullptr);
  ASSERT_EQ(spec->fields.size(), 1u);
  EXPECT_EQ(spec->fields[0].name, "country");
}

}  // namespace
}  // namespace lakepipe::archive

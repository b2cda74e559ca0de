// The cut protocol (archiver.h) under a crash at each of its steps: a run
// killed at step k, before or after it takes effect, then a restart that
// runs to idle, must leave the same files, byte for byte, as a run that was
// never killed, with every offset in exactly one file. The steps are
// counted on a clean run, so new steps are covered without naming them.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "archive/archiver.h"
#include "archive/archiver_fakes.h"
#include "core/testing.h"
#include "formats/format.h"
#include "formats/open.h"
#include "storage/local_store.h"

namespace lakepipe::archive {
namespace {

using fakes::CrashPlan;
using fakes::FakeClock;
using fakes::FakeConsumer;
using fakes::FakeKafka;
using fakes::FaultStore;
using fakes::Revocation;

constexpr char kSchema[] = R"({"type": "record", "name": "Row", "fields": [
  {"name": "id", "type": "long"}, {"name": "country", "type": "string"}]})";
constexpr int kPartitions = 2;
constexpr int kRecords = 60;  // per partition
const char* const kCountries[] = {"de", "fr", "nl"};

// A record's id: its partition and offset.
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

// The visible files under `dir` (hidden staging files left out), by path.
std::map<std::string, std::string> FilesUnder(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().filename().string().front() == '.') continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    out[std::filesystem::relative(e.path(), dir).string()] = bytes.str();
  }
  return out;
}

// Reads every file back: each record's id is in exactly one file, whose
// name carries the offset of its first record.
void ExpectEveryOffsetOnce(const std::string& dir) {
  std::map<int64_t, int> seen;
  ASSERT_OK_AND_ASSIGN(const FormatInfo* format, FormatRegistry::Default().Find("parquet"));
  for (const auto& [path, bytes] : FilesUnder(dir)) {
    ASSERT_OK_AND_ASSIGN(auto reader, OpenReader(dir + "/" + path, *format, ReadOptions()));
    RecordBatch batch(reader->schema());
    std::vector<int64_t> ids;
    while (true) {
      ASSERT_OK_AND_ASSIGN(bool more, reader->ReadBatch(&batch));
      if (!more) break;
      for (size_t r = 0; r < batch.num_rows(); ++r) ids.push_back(batch.column(0).GetInt64(r));
    }
    ASSERT_FALSE(ids.empty()) << path;
    for (int64_t id : ids) ++seen[id];
    const std::string name = std::filesystem::path(path).filename().string();
    EXPECT_EQ(name, fmt::format("rows+{}+{:020}.parquet", ids.front() / 1000, ids.front() % 1000));
  }
  for (int p = 0; p < kPartitions; ++p) {
    for (int o = 0; o < kRecords; ++o) {
      EXPECT_EQ(seen[IdOf(p, o)], 1) << "partition " << p << " offset " << o;
    }
  }
  EXPECT_EQ(seen.size(), size_t{kPartitions * kRecords});
}

class ArchiverCrashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = lakepipe::testing::MakeTempDir("archiver_crash");
    ASSERT_OK_AND_ASSIGN(Schema schema, Schema::FromAvroJson(kSchema));
    schema_ = std::make_shared<const Schema>(std::move(schema));
  }

  ArchiveOptions Options() const {
    ArchiveOptions o;
    o.group = "g";
    o.topics = {"rows"};
    o.decoder.schema = schema_;
    o.partition_by = "country={country}";
    o.flush_records = 7;  // per file: a segment closes when one of its files has 7
    o.rotate_interval = std::chrono::hours(1);
    o.exit_when_idle = std::chrono::seconds(1);
    o.stats_interval = std::chrono::hours(1);
    o.log = [](const std::string&) {};
    return o;
  }

  // One process over `kafka` and the lake `dir`, until idle or killed.
  Status RunProcess(FakeKafka* kafka, const std::string& dir, CrashPlan* plan,
                    const std::vector<Revocation>& revocations) {
    FakeClock clock;
    std::unique_ptr<ObjectStore> local = NewLocalObjectStore();
    FaultStore store(local.get(), plan);
    ArchiverParts parts;
    parts.store = &store;
    parts.lake_path = dir;
    parts.source = std::make_unique<FakeConsumer>(kafka, plan, &clock, revocations);
    DeadLetterOptions dead;
    dead.fallback_root = dir + "/_rejected";
    parts.dead_letters = std::make_unique<DeadLetterSink>(dead, nullptr);
    parts.clock = clock.Function();
    LP_ASSIGN_OR_RETURN(auto archiver, Archiver::Make(Options(), std::move(parts)));
    std::atomic<bool> stop{false};
    return archiver->Run(stop).status();
  }

  // Crashes a run at every step of a clean run, before and after the step,
  // and restarts it. Every outcome has each offset in exactly one file, and
  // the files visible after the crash unchanged; with `same_as_clean`, the
  // files are those of the clean run. The first run sees `revocations`, the
  // restart `restart_revocations`.
  void CrashAtEveryStep(const std::vector<Revocation>& revocations,
                        const std::vector<Revocation>& restart_revocations, bool same_as_clean) {
    FakeKafka clean_kafka = MakeKafka();
    CrashPlan clean;
    const std::string reference_dir = fmt::format("{}/{}-reference", root_, ++scenario_);
    ASSERT_OK(RunProcess(&clean_kafka, reference_dir, &clean, revocations));
    const std::map<std::string, std::string> reference = FilesUnder(reference_dir);
    ExpectEveryOffsetOnce(reference_dir);
    const std::vector<std::string> steps = clean.taken();
    ASSERT_GE(steps.size(), 20u);
    for (size_t k = 1; k <= steps.size(); ++k) {
      for (CrashPlan::When when : {CrashPlan::When::kBefore, CrashPlan::When::kAfter}) {
        const bool before = when == CrashPlan::When::kBefore;
        SCOPED_TRACE(fmt::format("killed {} step {} of {}: {}", before ? "before" : "after", k,
                                 steps.size(), steps[k - 1]));
        const std::string dir =
            fmt::format("{}/{}-{}-{}", root_, scenario_, k, before ? "before" : "after");
        FakeKafka kafka = MakeKafka();
        CrashPlan plan(static_cast<int>(k), when);
        Status killed = RunProcess(&kafka, dir, &plan, revocations);
        ASSERT_TRUE(plan.crashed()) << killed.ToString();
        const std::map<std::string, std::string> visible = FilesUnder(dir);
        CrashPlan restart;
        ASSERT_OK(RunProcess(&kafka, dir, &restart, restart_revocations));
        const std::map<std::string, std::string> files = FilesUnder(dir);
        for (const auto& [path, bytes] : visible) {
          auto it = files.find(path);
          EXPECT_TRUE(it != files.end() && it->second == bytes)
              << path << " was visible after the crash and changed at the restart";
        }
        if (same_as_clean) ExpectSameFiles(files, reference);
        ExpectEveryOffsetOnce(dir);
        for (const auto& [tp, committed] : kafka.committed) {
          EXPECT_EQ(committed.offset, kRecords) << kafka::ToString(tp);
          EXPECT_EQ(committed.metadata, "") << kafka::ToString(tp);
        }
        if (HasFailure()) return;
      }
    }
  }

  static void ExpectSameFiles(const std::map<std::string, std::string>& got,
                              const std::map<std::string, std::string>& want) {
    for (const auto& [path, bytes] : want) {
      auto it = got.find(path);
      if (it == got.end()) {
        ADD_FAILURE() << "missing " << path;
      } else if (it->second != bytes) {
        ADD_FAILURE() << "different bytes in " << path;
      }
    }
    for (const auto& [path, bytes] : got) {
      if (want.count(path) == 0) ADD_FAILURE() << "extra file " << path;
    }
  }

  std::string root_;
  int scenario_ = 0;
  SchemaPtr schema_;
};

TEST_F(ArchiverCrashTest, KilledAtAnyStepThenRestartedWritesTheSameFiles) {
  CrashAtEveryStep({}, {}, /*same_as_clean=*/true);
}

// Partition 0 is revoked mid-segment (its segment is cut there), partition
// 1 is lost mid-segment (its segment is dropped and read again); each
// process sees these rebalances once.
TEST_F(ArchiverCrashTest, KilledAtAnyStepAroundRebalancesThenRestartedWritesTheSameFiles) {
  const std::vector<Revocation> rebalances = {
      Revocation{kafka::TopicPartition{"rows", 0}, 23, /*lost=*/false},
      Revocation{kafka::TopicPartition{"rows", 1}, 31, /*lost=*/true}};
  CrashAtEveryStep(rebalances, rebalances, /*same_as_clean=*/true);
}

// The killed run cut partition 0 early, at a revocation the restart does
// not see: a segment whose intent was committed is replayed to its recorded
// cut, so the files already visible stay as they are.
TEST_F(ArchiverCrashTest, KilledAtAnyStepThenRestartedReplaysTheRecordedCut) {
  CrashAtEveryStep({Revocation{kafka::TopicPartition{"rows", 0}, 23, /*lost=*/false}}, {},
                   /*same_as_clean=*/false);
}

}  // namespace
}  // namespace lakepipe::archive

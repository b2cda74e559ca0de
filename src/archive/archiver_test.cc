#include "archive/archiver.h"

#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "formats/format.h"
#include "formats/open.h"
#include "kafka/consumer.h"
#include "kafka/dev_broker.h"
#include "kafka/membership.h"
#include "kafka/producer.h"

namespace lakepipe::archive {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr char kSchema[] = R"({"type": "record", "name": "Row", "fields": [
  {"name": "id", "type": "int"}, {"name": "name", "type": "string"}]})";

// Rows of every Parquet file under `dir`, by file name.
std::map<std::string, std::vector<int32_t>> FilesUnder(const std::string& dir) {
  std::map<std::string, std::vector<int32_t>> out;
  if (!std::filesystem::exists(dir)) return out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    auto format = FormatRegistry::Default().Find("parquet");
    EXPECT_TRUE(format.ok());
    auto reader = OpenReader(e.path().string(), **format, ReadOptions());
    EXPECT_TRUE(reader.ok()) << reader.status().ToString();
    if (!reader.ok()) continue;
    RecordBatch batch((*reader)->schema());
    std::vector<int32_t>& ids = out[e.path().filename().string()];
    while (true) {
      auto more = (*reader)->ReadBatch(&batch);
      EXPECT_TRUE(more.ok());
      if (!more.ok() || !*more) break;
      for (size_t r = 0; r < batch.num_rows(); ++r) ids.push_back(batch.column(0).GetInt32(r));
    }
  }
  return out;
}

TEST(CutMetadataTest, RoundTripsAndRejectsAnythingElse) {
  const SegmentLayout layout{"users", "parquet", "country={country}", ""};
  EXPECT_EQ(CutMetadata(12000, layout),
            "lakepipe:v2 cut=12000 table=users format=parquet partition_by=country={country} "
            "time_field=");
  ASSERT_TRUE(ParseCutMetadata(CutMetadata(12000, layout)));
  EXPECT_EQ(ParseCutMetadata(CutMetadata(12000, layout))->cut, 12000);
  EXPECT_EQ(ParseCutMetadata(CutMetadata(12000, layout))->layout, layout);
  EXPECT_EQ(ParseCutMetadata(CutMetadata(0, layout))->cut, 0);
  // Spaces, '%' and control characters are escaped and come back.
  const SegmentLayout odd{"t", "csv", "a={x} b=%{y}\n", "when\tthen"};
  const std::string text = CutMetadata(7, odd);
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;
  EXPECT_EQ(ParseCutMetadata(text)->layout, odd) << text;
  // The older form records no layout.
  ASSERT_TRUE(ParseCutMetadata("lakepipe:v1 cut=40"));
  EXPECT_EQ(ParseCutMetadata("lakepipe:v1 cut=40")->cut, 40);
  EXPECT_FALSE(ParseCutMetadata("lakepipe:v1 cut=40")->layout);
  EXPECT_FALSE(ParseCutMetadata(""));
  EXPECT_FALSE(ParseCutMetadata("lakepipe:v1 cut="));
  EXPECT_FALSE(ParseCutMetadata("lakepipe:v1 cut=12a"));
  EXPECT_FALSE(ParseCutMetadata("lakepipe:v3 cut=5"));
  EXPECT_FALSE(ParseCutMetadata("lakepipe:v1 cut=-5"));
  EXPECT_FALSE(ParseCutMetadata("lakepipe:v1 cut=99999999999999999999"));
  EXPECT_FALSE(ParseCutMetadata("lakepipe:v2 cut=5"));
  EXPECT_FALSE(
      ParseCutMetadata("lakepipe:v2 cut=5 table=t format=parquet partition_by=%zz "
                       "time_field="));
}

class ArchiverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto broker = kafka::DevBroker::Start({.brokers = 1, .partitions = 1, .topics = {"rows"}});
    ASSERT_OK(broker.status());
    broker_ = std::move(broker).value();
    ASSERT_OK_AND_ASSIGN(auto producer, kafka::Producer::Make({.brokers = broker_->bootstrap()}));
    for (int i = 0; i < 100; ++i) {
      ASSERT_OK(producer->Produce(
          "rows", fmt::format("k{}", i),
          i == 50 ? std::string("not json") : fmt::format(R"({{"id": {}, "name": "n{}"}})", i, i)));
    }
    ASSERT_OK(producer->Flush(seconds(30)));
    lake_ = lakepipe::testing::MakeTempDir("archiver") + "/lake";
    ASSERT_OK_AND_ASSIGN(Schema schema, Schema::FromAvroJson(kSchema));
    schema_ = std::make_shared<const Schema>(std::move(schema));
  }

  ArchiveOptions Options() const {
    ArchiveOptions o;
    o.brokers = broker_->bootstrap();
    o.group = "g";
    o.topics = {"rows"};
    o.lake = lake_;
    o.decoder.schema = schema_;
    o.partition_by = "";
    o.exit_when_idle = seconds(2);
    o.log = [](const std::string&) {};
    return o;
  }

  // Commits `offset` of rows[0] with `metadata` for group "g", as a process
  // that died between the steps of a cut leaves it.
  void CommitIntent(int64_t offset, const std::string& metadata) {
    kafka::ConsumerOptions co;
    co.brokers = broker_->bootstrap();
    co.group_id = "g";
    co.topics = {"rows"};
    // The archiver's own settings against the dev broker: a member waiting
    // for its assignment there expires when the wait, which the session of
    // the group's previous member sets, is longer than its own session.
    co.settings = kafka::DevBrokerGroupSettings();
    ASSERT_OK_AND_ASSIGN(auto consumer, kafka::Consumer::Make(co, nullptr));
    const auto deadline = std::chrono::steady_clock::now() + seconds(30);
    while (consumer->Assignment().empty() && std::chrono::steady_clock::now() < deadline) {
      auto polled = consumer->Poll(milliseconds(100), 1000);
      ASSERT_TRUE(polled.ok()) << polled.status().ToString();
    }
    ASSERT_FALSE(consumer->Assignment().empty());
    kafka::OffsetAndMetadata intent;
    intent.tp = kafka::TopicPartition{"rows", 0};
    intent.offset = offset;
    intent.metadata = metadata;
    ASSERT_OK(consumer->Commit({intent}));
    ASSERT_OK(consumer->Close());
  }

  std::unique_ptr<kafka::DevBroker> broker_;
  std::string lake_;
  SchemaPtr schema_;
};

TEST_F(ArchiverTest, ArchivesEveryRecordOnceAndDeadLettersTheBadOne) {
  ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Make(Options()));
  std::atomic<bool> stop{false};
  ASSERT_OK_AND_ASSIGN(ArchiveStats stats, archiver->Run(stop));
  EXPECT_EQ(stats.consumed, 100u);
  EXPECT_EQ(stats.archived, 99u);
  EXPECT_EQ(stats.dead_lettered, 1u);
  EXPECT_EQ(stats.files_written, 1u);
  // Every file is finished: nothing is open or buffered any more.
  EXPECT_EQ(stats.open_files, 0u);
  EXPECT_EQ(stats.buffered_bytes, 0u);
  const auto files = FilesUnder(lake_ + "/rows/raw/parquet");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files.begin()->first, "rows+0+00000000000000000000.parquet");
  EXPECT_EQ(files.begin()->second.size(), 99u);
  // Nothing left in the staging area, which is removed at exit, empty.
  EXPECT_FALSE(std::filesystem::exists(lake_ + "/_lakepipe"));
}

// Options that could only fail at the first file fail before joining.
TEST_F(ArchiverTest, RefusesBadOutputOptionsAtStartup) {
  ArchiveOptions o = Options();
  o.write.parquet.compression = "lzma";
  auto bad = Archiver::Make(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().ToString().find("'lzma'"), std::string::npos) << bad.status().ToString();

  o = Options();
  o.format = "avro";
  o.write.avro.codec = "brotli";
  bad = Archiver::Make(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().ToString().find("'brotli'"), std::string::npos) << bad.status().ToString();

  o = Options();
  o.dlq_topic = "bad topic!";
  bad = Archiver::Make(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().ToString().find("--dlq-topic"), std::string::npos)
      << bad.status().ToString();

  o = Options();
  o.dlq_topic = "rows";
  bad = Archiver::Make(o);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().ToString().find("'rows'"), std::string::npos) << bad.status().ToString();
  // Nothing was written.
  EXPECT_FALSE(std::filesystem::exists(lake_ + "/rows"));
}

// A process that committed the intent "cut at 40" and died: the next run
// must cut exactly there (same file names, same records), whatever its own
// rotation settings say, then go on normally.
TEST_F(ArchiverTest, ReplaysAnInterruptedCutExactly) {
  CommitIntent(0, "lakepipe:v1 cut=40");
  ArchiveOptions o = Options();
  o.flush_records = 7;  // would cut at 7, 14, ... without the replayed cut
  ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Make(o));
  std::atomic<bool> stop{false};
  ASSERT_OK_AND_ASSIGN(ArchiveStats stats, archiver->Run(stop));
  EXPECT_EQ(stats.archived + stats.dead_lettered, 100u);
  const auto files = FilesUnder(lake_ + "/rows/raw/parquet");
  ASSERT_TRUE(files.count("rows+0+00000000000000000000.parquet"));
  const std::vector<int32_t>& first = files.at("rows+0+00000000000000000000.parquet");
  ASSERT_EQ(first.size(), 40u);
  for (int i = 0; i < 40; ++i) EXPECT_EQ(first[i], i);
  // After the replayed cut, rotation by --flush-records applies: 40-46, 47-53, ...
  EXPECT_TRUE(files.count("rows+0+00000000000000000040.parquet"));
  EXPECT_EQ(files.at("rows+0+00000000000000000040.parquet").size(), 7u);
  std::map<int32_t, int> seen;
  for (const auto& [name, ids] : files) {
    for (int32_t id : ids) ++seen[id];
  }
  EXPECT_EQ(seen.size(), 99u);
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << id;
}

// A run that fails keeps counting what it read: consumed never goes down
// (it is lakepipe_records_in_total); the records of the segment it gave
// back uncommitted are counted apart.
TEST_F(ArchiverTest, ConsumedNeverGoesDownWhenASegmentIsGivenBack) {
  ArchiveOptions o = Options();
  o.on_record = [](const RecordBatch& batch, size_t row, const kafka::MessageView&) {
    if (batch.column(0).GetInt32(row) == 60) return UnavailableError("the local copy is full");
    return Status::OK();
  };
  ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Make(o));
  std::atomic<bool> stop{false}, done{false};
  std::vector<uint64_t> seen;
  std::thread sampler([&] {
    while (!done) {
      seen.push_back(archiver->Snapshot().consumed);
      std::this_thread::sleep_for(milliseconds(1));
    }
  });
  auto result = archiver->Run(stop);
  done = true;
  sampler.join();
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().ToString().find("the local copy is full"), std::string::npos);
  const ArchiveStats stats = archiver->Snapshot();
  seen.push_back(stats.consumed);
  // Offsets 0..60 were read; 0..59 (59 rows, one dead letter) were in the
  // segment given back when the run failed.
  EXPECT_EQ(stats.consumed, 61u);
  EXPECT_EQ(stats.given_back, 60u);
  EXPECT_EQ(stats.archived, 0u);
  for (size_t i = 1; i < seen.size(); ++i) {
    ASSERT_GE(seen[i], seen[i - 1]) << "sample " << i;
  }
}

// Stops `stop` after `limit` unless disarmed first: a run that never ends
// by itself ends the test instead of hanging it.
class Watchdog {
 public:
  Watchdog(std::atomic<bool>* stop, std::chrono::seconds limit)
      : thread_([this, stop, limit] {
          std::unique_lock<std::mutex> lock(mu_);
          if (!cv_.wait_for(lock, limit, [this] { return disarmed_; })) *stop = true;
        }) {}
  ~Watchdog() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      disarmed_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool disarmed_ = false;
  std::thread thread_;
};

// Nothing listens at the address: the run fails after --broker-timeout
// instead of waiting forever (or calling it idle), and says why.
TEST_F(ArchiverTest, FailsWhenNoBrokerIsReachableForTheBrokerTimeout) {
  ArchiveOptions o = Options();
  o.brokers = "127.0.0.1:1";
  o.broker_timeout = seconds(3);
  o.exit_when_idle = seconds(1);  // counts only while connected
  ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Make(o));
  std::atomic<bool> stop{false}, done{false};
  std::optional<std::chrono::steady_clock::duration> reported;  // when Disconnected() was first set
  const auto start = std::chrono::steady_clock::now();
  std::thread watcher([&] {
    while (!done && !reported) {
      if (archiver->Disconnected()) reported = std::chrono::steady_clock::now() - start;
      std::this_thread::sleep_for(milliseconds(10));
    }
  });
  Result<ArchiveStats> result = InternalError("not run");
  {
    Watchdog watchdog(&stop, seconds(30));
    result = archiver->Run(stop);
  }
  const auto took = std::chrono::steady_clock::now() - start;
  done = true;
  watcher.join();
  ASSERT_FALSE(result.ok()) << "the run ended by itself or by the watchdog as if all was well";
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable) << result.status().ToString();
  EXPECT_NE(result.status().message().find("no Kafka broker reachable at 127.0.0.1:1"),
            std::string::npos)
      << result.status().ToString();
  EXPECT_NE(result.status().message().find("--broker-timeout"), std::string::npos);
  EXPECT_GE(took, seconds(3));
  EXPECT_LT(took, seconds(15));
  ASSERT_TRUE(reported) << "Disconnected() was never set";
  EXPECT_LT(*reported, seconds(3)) << "the disconnection shows before the timeout";
}

// With start_timeout, Make itself fails when no bootstrap server answers,
// bounded by the shorter of start_timeout and broker_timeout.
TEST_F(ArchiverTest, StartTimeoutFailsMakeWhenNoBrokerAnswers) {
  ArchiveOptions o = Options();
  o.brokers = "127.0.0.1:1";
  o.start_timeout = seconds(10);
  o.broker_timeout = seconds(2);
  const auto start = std::chrono::steady_clock::now();
  Result<std::unique_ptr<Archiver>> made = Archiver::Make(o);
  const auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(made.ok());
  EXPECT_EQ(made.status().code(), StatusCode::kUnavailable) << made.status().ToString();
  EXPECT_NE(made.status().message().find("no Kafka broker answered at 127.0.0.1:1 within 2 s"),
            std::string::npos)
      << made.status().ToString();
  EXPECT_GE(took, seconds(2));
  EXPECT_LT(took, seconds(6));
}

// The broker goes away mid-run: idle time does not count while nothing is
// reachable, the run fails after --broker-timeout, and the open segment is
// given back (consumed stays).
TEST_F(ArchiverTest, FailsWhenTheBrokerGoesAwayMidRun) {
  ArchiveOptions o = Options();
  o.broker_timeout = seconds(3);
  o.exit_when_idle = seconds(6);
  ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Make(o));
  std::atomic<bool> stop{false};
  Result<ArchiveStats> result = InternalError("not run");
  std::thread runner([&] { result = archiver->Run(stop); });
  const auto deadline = std::chrono::steady_clock::now() + seconds(30);
  while (archiver->Snapshot().consumed < 100 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  ASSERT_EQ(archiver->Snapshot().consumed, 100u);
  EXPECT_FALSE(archiver->Disconnected());
  const auto killed = std::chrono::steady_clock::now();
  broker_.reset();
  {
    Watchdog watchdog(&stop, seconds(30));
    runner.join();
  }
  const auto took = std::chrono::steady_clock::now() - killed;
  ASSERT_FALSE(result.ok()) << "the run ended as if all was well";
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable) << result.status().ToString();
  EXPECT_NE(result.status().message().find("no Kafka broker reachable"), std::string::npos)
      << result.status().ToString();
  EXPECT_GE(took, seconds(3));
  EXPECT_LT(took, seconds(15));
  const ArchiveStats stats = archiver->Snapshot();
  EXPECT_EQ(stats.consumed, 100u);
  EXPECT_EQ(stats.given_back, 100u);
  EXPECT_EQ(stats.archived, 0u);
}

// Ids of every Parquet file under `dir` (recursively), with how often each
// appears.
std::map<int32_t, int> IdCounts(const std::string& dir) {
  std::map<int32_t, int> seen;
  for (const auto& [name, ids] : FilesUnder(dir)) {
    for (int32_t id : ids) ++seen[id];
  }
  return seen;
}

// A process archiving rows unpartitioned died after its segment [0, 40)
// became visible, before committing 40; the next one starts with another
// --partition-by. It must replay [0, 40) as it was started (same file, same
// records) and apply the new template from 40 on: no id twice.
TEST_F(ArchiverTest, ReplaysAnInterruptedSegmentWithTheLayoutItStartedWith) {
  ArchiveOptions first = Options();
  // The next member of the group joins once this one's session is over
  // (the archiver's dev broker sessions: kafka::DevBrokerGroupSettings).
  first.flush_records = 40;
  // Stops the first run at offset 40, right after it committed [0, 40).
  first.on_record = [](const RecordBatch&, size_t, const kafka::MessageView& m) {
    return m.offset >= 40 ? UnavailableError("stopped at {}", m.offset) : Status::OK();
  };
  {
    ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Make(first));
    std::atomic<bool> stop{false};
    ASSERT_FALSE(archiver->Run(stop).ok());
  }
  ASSERT_EQ(FilesUnder(lake_ + "/rows/raw/parquet").size(), 1u);
  // As if it had died between steps 2 and 3 of that cut.
  CommitIntent(0, CutMetadata(40, SegmentLayout{"rows", "parquet", "", ""}));

  ArchiveOptions second = Options();
  second.partition_by = "bucket={name}";
  std::vector<std::string> log;
  second.log = [&log](const std::string& line) { log.push_back(line); };
  ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Make(second));
  std::atomic<bool> stop{false};
  ASSERT_OK_AND_ASSIGN(ArchiveStats stats, archiver->Run(stop));
  EXPECT_EQ(stats.archived + stats.dead_lettered, 100u);
  const std::map<int32_t, int> seen = IdCounts(lake_ + "/rows/raw/parquet");
  EXPECT_EQ(seen.size(), 99u);
  for (const auto& [id, n] : seen) EXPECT_EQ(n, 1) << "id " << id;
  // [0, 40) in the one unpartitioned file, the rest by name.
  const auto files = FilesUnder(lake_ + "/rows/raw/parquet");
  ASSERT_TRUE(files.count("rows+0+00000000000000000000.parquet"));
  EXPECT_EQ(files.at("rows+0+00000000000000000000.parquet").size(), 40u);
  EXPECT_TRUE(std::filesystem::exists(
      lake_ + "/rows/raw/parquet/bucket=n41/rows+0+00000000000000000041.parquet"));
  bool said = false;
  for (const std::string& line : log) said |= line.find("--partition-by ''") != std::string::npos;
  EXPECT_TRUE(said) << "the replay under the recorded layout is logged";
}

// The recorded layout cannot be rebuilt (its template names a field the
// current schema lacks): refuse, naming the recorded settings, and write
// nothing.
TEST_F(ArchiverTest, RefusesAnInterruptedSegmentItCannotReplay) {
  CommitIntent(0, CutMetadata(40, SegmentLayout{"rows", "parquet", "country={country}", ""}));
  ASSERT_OK_AND_ASSIGN(auto archiver, Archiver::Make(Options()));
  std::atomic<bool> stop{false};
  auto result = archiver->Run(stop);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kFailedPrecondition) << result.status().ToString();
  const std::string message = result.status().ToString();
  EXPECT_NE(message.find("--partition-by 'country={country}'"), std::string::npos) << message;
  EXPECT_NE(message.find("offset 40"), std::string::npos) << message;
  EXPECT_TRUE(IdCounts(lake_ + "/rows/raw/parquet").empty());
}

}  // namespace
}  // namespace lakepipe::archive

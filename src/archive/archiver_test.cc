#include "archive/archiver.h"

#include <atomic>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "formats/format.h"
#include "formats/open.h"
#include "kafka/consumer.h"
#include "kafka/dev_broker.h"
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
  EXPECT_EQ(CutMetadata(12000), "lakepipe:v1 cut=12000");
  EXPECT_EQ(ParseCutMetadata(CutMetadata(12000)), 12000);
  EXPECT_EQ(ParseCutMetadata(CutMetadata(0)), 0);
  EXPECT_FALSE(ParseCutMetadata(""));
  EXPECT_FALSE(ParseCutMetadata("lakepipe:v1 cut="));
  EXPECT_FALSE(ParseCutMetadata("lakepipe:v1 cut=12a"));
  EXPECT_FALSE(ParseCutMetadata("lakepipe:v2 cut=5"));
  EXPECT_FALSE(ParseCutMetadata("lakepipe:v1 cut=-5"));
  EXPECT_FALSE(ParseCutMetadata("lakepipe:v1 cut=99999999999999999999"));
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
  const auto files = FilesUnder(lake_ + "/rows/raw/parquet");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files.begin()->first, "rows+0+00000000000000000000.parquet");
  EXPECT_EQ(files.begin()->second.size(), 99u);
  // Nothing left in the staging area.
  for (const auto& e : std::filesystem::recursive_directory_iterator(lake_ + "/_lakepipe")) {
    EXPECT_FALSE(e.is_regular_file()) << e.path();
  }
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
  {
    kafka::ConsumerOptions co;
    co.brokers = broker_->bootstrap();
    co.group_id = "g";
    co.topics = {"rows"};
    // The dev broker may wait for a departed member's session to time out
    // before it rebalances; keep that short.
    co.settings = {{"session.timeout.ms", "6000"}, {"heartbeat.interval.ms", "500"}};
    ASSERT_OK_AND_ASSIGN(auto consumer, kafka::Consumer::Make(co, nullptr));
    const auto deadline = std::chrono::steady_clock::now() + seconds(30);
    while (consumer->Assignment().empty() && std::chrono::steady_clock::now() < deadline) {
      auto polled = consumer->Poll(milliseconds(100), 1000);
      ASSERT_TRUE(polled.ok()) << polled.status().ToString();
    }
    ASSERT_FALSE(consumer->Assignment().empty());
    kafka::OffsetAndMetadata intent;
    intent.tp = kafka::TopicPartition{"rows", 0};
    intent.offset = 0;
    intent.metadata = CutMetadata(40);
    ASSERT_OK(consumer->Commit({intent}));
    ASSERT_OK(consumer->Close());
  }
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

}  // namespace
}  // namespace lakepipe::archive

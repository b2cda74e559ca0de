#include "formats/text/text_reader.h"

#include <gtest/gtest.h>

#include "formats/text/text_test_util.h"

namespace lakepipe::text {
namespace {

using testing::BadRecords;
using testing::Format;
using testing::OpenReader;
using testing::ParseSchema;

const char* kSchema =
    R"({"type": "record", "name": "r", "fields": [{"name": "id", "type": "long"}]})";

struct Case {
  Format format;
  std::string good;  // ids 1 to 5
  std::string bad;   // ids 1 to 4, and "x" on line 3
  uint64_t bad_line;
};

std::vector<Case> Cases() {
  return {
      {Format::kJsonLines, "{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n{\"id\":4}\n{\"id\":5}\n",
       "{\"id\":1}\n{\"id\":2}\n{\"id\":\"x\"}\n{\"id\":3}\n{\"id\":4}\n", 3},
      {Format::kJsonArray, "[{\"id\":1},\n{\"id\":2},\n{\"id\":3},\n{\"id\":4},\n{\"id\":5}]\n",
       "[{\"id\":1},\n{\"id\":2},\n{\"id\":\"x\"},\n{\"id\":3},\n{\"id\":4}]\n", 3},
      {Format::kCsv, "id\n1\n2\n3\n4\n5\n", "id\n1\nx\n2\n3\n4\n", 3},
  };
}

ReadOptions Options(size_t batch_rows) {
  ReadOptions options;
  options.schema = ParseSchema(kSchema);
  options.batch_rows = batch_rows;
  return options;
}

// The row count of each batch `reader` returns until it says the file is
// exhausted (`*batch` is then what that last call left).
Result<std::vector<size_t>> BatchSizes(RecordReader* reader, RecordBatch* batch) {
  std::vector<size_t> sizes;
  for (;;) {
    LP_ASSIGN_OR_RETURN(bool more, reader->ReadBatch(batch));
    if (!more) return sizes;
    sizes.push_back(batch->num_rows());
  }
}

TEST(TextRecordReaderTest, FillsEachBatchUpToBatchRowsInEveryFormat) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.good);
    const ReadOptions options = Options(2);
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordReader> reader,
                         OpenReader(c.format, c.good, options));
    RecordBatch batch(options.schema);
    ASSERT_OK_AND_ASSIGN(std::vector<size_t> sizes, BatchSizes(reader.get(), &batch));
    EXPECT_EQ(sizes, (std::vector<size_t>{2, 2, 1}));
    EXPECT_EQ(batch.num_rows(), 0u);
    ASSERT_OK_AND_ASSIGN(bool again, reader->ReadBatch(&batch));
    EXPECT_FALSE(again);
  }
}

TEST(TextRecordReaderTest, RefusesBatchesOfNoRows) {
  for (const Case& c : Cases()) {
    const ReadOptions options = Options(0);
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordReader> reader,
                         OpenReader(c.format, c.good, options));
    RecordBatch batch(options.schema);
    Result<bool> more = reader->ReadBatch(&batch);
    ASSERT_FALSE(more.ok());
    EXPECT_EQ(more.status().message(), "batch_rows must be at least 1");
  }
}

TEST(TextRecordReaderTest, BadRecordsGoToTheSinkOrStopWithFileAndLine) {
  for (const Case& c : Cases()) {
    SCOPED_TRACE(c.bad);
    ReadOptions options = Options(8192);
    Result<RecordBatch> stopped = testing::ReadAll(c.format, c.bad, options);
    ASSERT_FALSE(stopped.ok());
    EXPECT_EQ(stopped.status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(stopped.status().message().rfind(fmt::format("test.txt:{}: ", c.bad_line), 0), 0u)
        << stopped.status().message();

    BadRecords bad;
    options.bad_records = bad.Sink();
    uint64_t rejected = 0;
    ASSERT_OK_AND_ASSIGN(RecordBatch all,
                         testing::ReadAll(c.format, c.bad, options, {}, &rejected));
    EXPECT_EQ(all.num_rows(), 4u);
    EXPECT_EQ(rejected, 1u);
    ASSERT_EQ(bad.records.size(), 1u);
    EXPECT_EQ(bad.records[0].source, "test.txt");
    EXPECT_EQ(bad.records[0].line, c.bad_line);
  }
}

}  // namespace
}  // namespace lakepipe::text

#include "formats/background_writer.h"

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "formats/open.h"
#include "storage/object_store.h"

namespace lakepipe {
namespace {

constexpr char kSchema[] = R"({"type": "record", "name": "Row", "fields": [
  {"name": "id", "type": "int"}, {"name": "name", "type": "string"}]})";

SchemaPtr RowSchema() {
  auto schema = Schema::FromAvroJson(kSchema);
  EXPECT_TRUE(schema.ok());
  return std::make_shared<const Schema>(std::move(schema).value());
}

void AppendRow(RecordBatch* batch, int32_t id) {
  batch->column(0).AppendInt32(id);
  batch->column(1).AppendBytes("name-" + std::to_string(id));
  batch->CommitRow();
}

Result<std::unique_ptr<FileWriter>> NewParquet(const std::string& path, SchemaPtr schema) {
  LP_ASSIGN_OR_RETURN(const FormatInfo* format, FormatRegistry::Default().Find("parquet"));
  LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> out, OpenOutputStream(path));
  return format->new_writer(std::move(out), std::move(schema), WriteOptions());
}

std::vector<int32_t> ReadIds(const std::string& path) {
  std::vector<int32_t> ids;
  auto format = FormatRegistry::Default().Find("parquet");
  EXPECT_TRUE(format.ok());
  auto reader = OpenReader(path, **format, ReadOptions());
  EXPECT_TRUE(reader.ok()) << reader.status().ToString();
  if (!reader.ok()) return ids;
  RecordBatch batch((*reader)->schema());
  for (;;) {
    auto more = (*reader)->ReadBatch(&batch);
    EXPECT_TRUE(more.ok());
    if (!more.ok() || !*more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) ids.push_back(batch.column(0).GetInt32(r));
  }
  return ids;
}

// Many writers on one thread with a tiny queue (so Submit blocks often):
// every file holds exactly its rows, in order.
TEST(BackgroundWriterTest, WritesEveryBatchInOrderPerFile) {
  const std::string dir = lakepipe::testing::MakeTempDir("background-writer");
  const SchemaPtr schema = RowSchema();
  WriterThread thread(/*max_queued_bytes=*/1024);
  std::vector<std::unique_ptr<BackgroundWriter>> writers;
  for (int f = 0; f < 3; ++f) {
    ASSERT_OK_AND_ASSIGN(auto inner,
                         NewParquet(dir + "/f" + std::to_string(f) + ".parquet", schema));
    writers.push_back(std::make_unique<BackgroundWriter>(std::move(inner), &thread));
  }
  RecordBatch batch(schema);
  int32_t next[3] = {0, 0, 0};
  for (int round = 0; round < 50; ++round) {
    for (int f = 0; f < 3; ++f) {
      for (int i = 0; i < 100; ++i) AppendRow(&batch, f * 1000000 + next[f]++);
      ASSERT_OK(writers[f]->Submit(&batch));
      EXPECT_EQ(batch.num_rows(), 0u);
    }
  }
  for (int f = 0; f < 3; ++f) {
    EXPECT_EQ(writers[f]->rows_written(), 5000u);
    ASSERT_OK(writers[f]->Finish());
    EXPECT_EQ(writers[f]->memory_bytes(), 0u);
    EXPECT_EQ(writers[f]->bytes_written(),
              std::filesystem::file_size(dir + "/f" + std::to_string(f) + ".parquet"));
    const std::vector<int32_t> ids = ReadIds(dir + "/f" + std::to_string(f) + ".parquet");
    ASSERT_EQ(ids.size(), 5000u);
    for (int i = 0; i < 5000; ++i) ASSERT_EQ(ids[i], f * 1000000 + i);
  }
}

TEST(BackgroundWriterTest, AbortLeavesNoFile) {
  const std::string dir = lakepipe::testing::MakeTempDir("background-writer-abort");
  const SchemaPtr schema = RowSchema();
  WriterThread thread(1 << 20);
  ASSERT_OK_AND_ASSIGN(auto inner, NewParquet(dir + "/a.parquet", schema));
  BackgroundWriter writer(std::move(inner), &thread);
  RecordBatch batch(schema);
  for (int i = 0; i < 1000; ++i) AppendRow(&batch, i);
  ASSERT_OK(writer.Submit(&batch));
  writer.Abort();
  EXPECT_FALSE(std::filesystem::exists(dir + "/a.parquet"));
  EXPECT_FALSE(writer.Finish().ok());
}

// Fault injection: the wrapped writer fails its second Write.
class FailingWriter final : public FileWriter {
 public:
  explicit FailingWriter(bool* aborted) : aborted_(aborted) {}
  Status Write(const RecordBatch& batch) override {
    if (++writes_ == 2) return UnavailableError("disk went away");
    rows_ += batch.num_rows();
    return Status::OK();
  }
  Status Finish() override { return Status::OK(); }
  void Abort() override { *aborted_ = true; }
  uint64_t rows_written() const override { return rows_; }
  uint64_t bytes_written() const override { return 0; }

 private:
  bool* aborted_;
  int writes_ = 0;
  uint64_t rows_ = 0;
};

TEST(BackgroundWriterTest, ReportsAFailedWriteAndAbortsOnFinish) {
  const SchemaPtr schema = RowSchema();
  WriterThread thread(1 << 20);
  bool aborted = false;
  BackgroundWriter writer(std::make_unique<FailingWriter>(&aborted), &thread);
  RecordBatch batch(schema);
  for (int round = 0; round < 3; ++round) {
    AppendRow(&batch, round);
    static_cast<void>(writer.Submit(&batch));  // the failure may show here or at Finish
  }
  Status finished = writer.Finish();
  EXPECT_EQ(finished.code(), StatusCode::kUnavailable);
  EXPECT_NE(finished.ToString().find("disk went away"), std::string::npos);
  EXPECT_TRUE(aborted);
}

}  // namespace
}  // namespace lakepipe

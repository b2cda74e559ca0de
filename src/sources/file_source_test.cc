#include "sources/file_source.h"

#include <fstream>

#include <gtest/gtest.h>

#include "sources/test_util.h"

namespace lakepipe::sources {
namespace {

using testing::Collect;
using testing::RowJson;

// Writes `rows` generated users to `path` in the format of its extension.
std::vector<std::string> WriteUsers(const std::string& path, size_t rows) {
  SourceOptions options;
  options.seed = 17;
  Result<std::unique_ptr<Source>> users = OpenSource("users", options);
  EXPECT_TRUE(users.ok());
  RecordBatch batch(UserSchemaPtr());
  EXPECT_TRUE((*users)->Next(&batch, rows).ok());
  Result<const FormatInfo*> format = FormatRegistry::Default().ForPath(path);
  EXPECT_TRUE(format.ok()) << format.status().ToString();
  Result<std::unique_ptr<OutputStream>> out = OpenOutputStream(path);
  EXPECT_TRUE(out.ok()) << out.status().ToString();
  Result<std::unique_ptr<FileWriter>> writer =
      (*format)->new_writer(std::move(out).value(), UserSchemaPtr(), WriteOptions());
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  EXPECT_OK((*writer)->Write(batch));
  EXPECT_OK((*writer)->Finish());
  std::vector<std::string> json;
  for (size_t r = 0; r < batch.num_rows(); ++r) json.push_back(RowJson(batch, r));
  return json;
}

std::unique_ptr<Source> OpenFile(const std::string& path, SourceOptions options = {}) {
  Result<std::unique_ptr<Source>> source = OpenSource("file:" + path, options);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  return source.ok() ? std::move(source).value() : nullptr;
}

TEST(FileSourceTest, ReplaysJsonLinesInTheGivenSchema) {
  const std::string path = lakepipe::testing::MakeTempDir("sources-file") + "/users.jsonl";
  const std::vector<std::string> written = WriteUsers(path, 1000);
  SourceOptions options;
  options.file_schema = UserSchemaPtr();
  std::unique_ptr<Source> source = OpenFile(path, options);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->schema()->avro_json(), UserSchema().avro_json());
  EXPECT_EQ(source->default_key_field(), "");
  EXPECT_EQ(Collect(*source, 5000, 300), written);  // 300 at a time, across reader batches
  RecordBatch batch(source->schema());
  ASSERT_OK_AND_ASSIGN(bool more, source->Next(&batch, 10));
  EXPECT_FALSE(more);
  EXPECT_EQ(batch.num_rows(), 0u);
  ASSERT_OK_AND_ASSIGN(more, source->Next(&batch, 10));
  EXPECT_FALSE(more);  // stays exhausted

  // Without a schema, one is inferred from the lines.
  std::unique_ptr<Source> inferred = OpenFile(path);
  ASSERT_NE(inferred, nullptr);
  EXPECT_EQ(inferred->schema()->num_fields(), UserSchema().num_fields());
  EXPECT_EQ(Collect(*inferred, 5000, 5000).size(), 1000u);
}

TEST(FileSourceTest, ReplaysParquetInItsOwnSchema) {
  const std::string dir = lakepipe::testing::MakeTempDir("sources-file");
  const std::vector<std::string> written = WriteUsers(dir + "/users.parquet", 2500);
  std::unique_ptr<Source> source = OpenFile(dir + "/users.parquet");
  ASSERT_NE(source, nullptr);
  ASSERT_EQ(source->schema()->num_fields(), UserSchema().num_fields());
  for (size_t i = 0; i < UserSchema().num_fields(); ++i) {
    EXPECT_EQ(source->schema()->field(i).name, UserSchema().field(i).name);
  }
  EXPECT_EQ(Collect(*source, 10000, 8192), written);
  // The same through a file:// URI.
  std::unique_ptr<Source> by_uri = OpenFile("file://" + dir + "/users.parquet");
  ASSERT_NE(by_uri, nullptr);
  EXPECT_EQ(Collect(*by_uri, 10000, 1000), written);
}

TEST(FileSourceTest, MalformedLinesGoToTheSink) {
  const std::string path = lakepipe::testing::MakeTempDir("sources-file") + "/bad.jsonl";
  {
    std::ofstream out(path);
    out << R"({"a": 1, "b": "x"})"
        << "\n"
        << R"({"a": oops})"
        << "\n"
        << R"({"a": 3, "b": "z"})"
        << "\n";
  }
  Result<Schema> schema = Schema::FromAvroJson(
      R"({"type": "record", "name": "r", "fields": [{"name": "a", "type": "long"},
          {"name": "b", "type": ["null", "string"]}]})");
  ASSERT_OK(schema);
  std::vector<BadRecord> bad;
  SourceOptions options;
  options.file_schema = std::make_shared<const Schema>(*schema);
  options.bad_records = [&](const BadRecord& r) {
    bad.push_back(r);
    return Status::OK();
  };
  std::unique_ptr<Source> source = OpenFile(path, options);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(Collect(*source, 10, 10),
            (std::vector<std::string>{R"({"a":1,"b":"x"})", R"({"a":3,"b":"z"})"}));
  EXPECT_EQ(source->rejected(), 1u);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].line, 2u);

  // Without a sink, the malformed line stops the source.
  options.bad_records = nullptr;
  std::unique_ptr<Source> strict = OpenFile(path, options);
  RecordBatch batch(strict->schema());
  Result<bool> r = strict->Next(&batch, 10);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(FileSourceTest, MissingFilesAndUnknownExtensionsFail) {
  const std::string dir = lakepipe::testing::MakeTempDir("sources-file");
  EXPECT_FALSE(OpenSource("file:" + dir + "/missing.parquet", SourceOptions()).ok());
  EXPECT_FALSE(OpenSource("file:" + dir + "/data.xyz", SourceOptions()).ok());
}

}  // namespace
}  // namespace lakepipe::sources

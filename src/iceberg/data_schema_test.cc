#include "iceberg/data_schema.h"

#include <cstring>
#include <limits>
#include <map>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "formats/parquet/parquet_writer.h"
#include "iceberg/manifest.h"
#include "iceberg/schema_json.h"
#include "storage/object_store.h"

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

constexpr const char* kRecords = R"js({"type":"record","name":"Visit","fields":[
  {"name":"id","type":{"type":"string","logicalType":"uuid"}},
  {"name":"key","type":{"type":"fixed","name":"k16","size":16,"logicalType":"uuid"}},
  {"name":"at","type":["null",{"type":"long","logicalType":"timestamp-millis"}]},
  {"name":"local","type":{"type":"long","logicalType":"local-timestamp-millis"}},
  {"name":"micros","type":{"type":"long","logicalType":"timestamp-micros"}},
  {"name":"alarm","type":["null",{"type":"int","logicalType":"time-millis"}]},
  {"name":"seen","type":{"type":"array","items":{"type":"long","logicalType":"timestamp-millis"}}}]})js";

constexpr int64_t kT0 = 1765065599998;  // 2025-12-06T23:59:59.998Z

SchemaPtr Records() {
  auto schema = Schema::FromAvroJson(kRecords);
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return std::make_shared<const Schema>(std::move(schema).value());
}

std::string Key(int i) {
  std::string key(16, '\0');
  key[15] = static_cast<char>(i);
  return key;
}

void Fill(RecordBatch* b, int rows) {
  for (int i = 0; i < rows; ++i) {
    b->column(0).AppendBytes(fmt::format("7d8e9f00-1a2b-4c3d-8e4f-{:012x}", i));
    b->column(1).AppendBytes(Key(i));
    if (i % 3 == 0) {
      b->column(2).AppendNull();
    } else {
      b->column(2).AppendInt64(kT0 + i);
    }
    b->column(3).AppendInt64(-kT0 - i);
    b->column(4).AppendInt64(kT0 * 1000 + i);
    if (i % 2 == 0) {
      b->column(5).AppendNull();
    } else {
      b->column(5).AppendInt32(i * 1000);
    }
    for (int k = 0; k < i % 3; ++k) b->column(6).child(0).AppendInt64(kT0 - k);
    b->column(6).FinishList();
    b->CommitRow();
  }
}

TEST(DataFileSchema, DeclaresTheTypesTheFilesHold) {
  const SchemaPtr records = Records();
  auto table = SchemaToJson(DataFileSchema(*records));
  ASSERT_OK(table);
  std::map<std::string, json> types;
  for (const json& f : (*table)["fields"]) types[f["name"]] = f["type"];
  EXPECT_EQ(types["id"], "string");
  EXPECT_EQ(types["key"], "uuid");
  EXPECT_EQ(types["at"], "timestamptz");
  EXPECT_EQ(types["local"], "timestamp");
  EXPECT_EQ(types["micros"], "timestamptz");
  EXPECT_EQ(types["alarm"], "time");
  EXPECT_EQ(types["seen"]["element"], "timestamptz");

  const Schema data = DataFileSchema(*records);
  EXPECT_EQ(data.field(0).kind(), Kind::kString);
  EXPECT_EQ(data.field(1).kind(), Kind::kUuid);
  EXPECT_EQ(data.field(2).unit, TimeUnit::kMicros);
  EXPECT_TRUE(data.field(2).nullable);
  EXPECT_FALSE(data.field(3).utc_adjusted);
  EXPECT_EQ(data.field(5).kind(), Kind::kTimeMicros);
  EXPECT_EQ(data.field(6).children[0].unit, TimeUnit::kMicros);
  EXPECT_TRUE(NeedsConversion(*records));
  EXPECT_FALSE(NeedsConversion(data));
}

TEST(DataFileSchema, ConvertsMillisToMicrosAndKeepsTheRest) {
  const SchemaPtr records = Records();
  const auto data = std::make_shared<const Schema>(DataFileSchema(*records));
  RecordBatch batch(records);
  Fill(&batch, 9);
  RecordBatch out(data);
  ASSERT_OK(ConvertBatch(*records, batch, data, &out));
  ASSERT_EQ(out.num_rows(), 9u);
  for (size_t i = 0; i < 9; ++i) {
    EXPECT_EQ(out.column(0).GetBytes(i), batch.column(0).GetBytes(i));
    EXPECT_EQ(out.column(1).GetBytes(i), Key(static_cast<int>(i)));
    EXPECT_EQ(out.column(2).IsNull(i), i % 3 == 0);
    if (i % 3 != 0) {
      EXPECT_EQ(out.column(2).GetInt64(i), (kT0 + static_cast<int64_t>(i)) * 1000);
    }
    EXPECT_EQ(out.column(3).GetInt64(i), (-kT0 - static_cast<int64_t>(i)) * 1000);
    EXPECT_EQ(out.column(4).GetInt64(i), kT0 * 1000 + static_cast<int64_t>(i));
    EXPECT_EQ(out.column(5).IsNull(i), i % 2 == 0);
    if (i % 2 != 0) {
      EXPECT_EQ(out.column(5).GetInt64(i), static_cast<int64_t>(i) * 1000000);
    }
    EXPECT_EQ(out.column(6).ListLength(i), i % 3);
  }
  const Column& seen = out.column(6).child(0);
  ASSERT_EQ(seen.size(), 9u);
  for (size_t e = 0; e < seen.size(); ++e) {
    EXPECT_EQ(seen.GetInt64(e), batch.column(6).child(0).GetInt64(e) * 1000);
  }
  // The output batch is reused.
  batch.Clear();
  Fill(&batch, 2);
  ASSERT_OK(ConvertBatch(*records, batch, data, &out));
  EXPECT_EQ(out.num_rows(), 2u);
  EXPECT_EQ(out.column(3).size(), 2u);
}

TEST(DataFileSchema, RefusesTimestampsMicrosCannotHold) {
  const SchemaPtr records = Records();
  const auto data = std::make_shared<const Schema>(DataFileSchema(*records));
  RecordBatch batch(records);
  Fill(&batch, 3);
  std::string reason;
  EXPECT_TRUE(RowConvertible(*records, batch, 2, &reason));
  // A far timestamp in the list of row 3.
  batch.column(0).AppendBytes("x");
  batch.column(1).AppendBytes(Key(3));
  batch.column(2).AppendNull();
  batch.column(3).AppendInt64(0);
  batch.column(4).AppendInt64(0);
  batch.column(5).AppendNull();
  batch.column(6).child(0).AppendInt64(std::numeric_limits<int64_t>::max() / 999);
  batch.column(6).FinishList();
  batch.CommitRow();
  EXPECT_FALSE(RowConvertible(*records, batch, 3, &reason));
  EXPECT_NE(reason.find("field 'element'"), std::string::npos) << reason;
  EXPECT_TRUE(RowConvertible(*records, batch, 1, &reason));
  RecordBatch out(data);
  Status s = ConvertBatch(*records, batch, data, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
}

// Written through DataFileWriter, the footer gives bounds in the table's
// units (µs for timestamps and times), as Iceberg serialises them.
TEST(DataFileSchema, BoundsAreInTheTablesUnits) {
  const SchemaPtr records = Records();
  Schema with_ids(records->name(), WithFieldIds(DataFileSchema(*records)), records->name_space());
  TableSchema table;
  table.schema = std::make_shared<const Schema>(std::move(with_ids));
  const std::string path = testing::MakeTempDir("iceberg_data_schema") + "/f.parquet";
  {
    auto out = OpenOutputStream(path);
    ASSERT_OK(out);
    ParquetWriteOptions options;
    options.repeated_group_field_ids = false;
    auto parquet = NewParquetWriter(std::move(*out), table.schema, options);
    ASSERT_OK(parquet);
    auto writer = DataFileWriter(std::move(*parquet), records, table.schema);
    RecordBatch batch(records);
    Fill(&batch, 10);
    ASSERT_OK(writer->Write(batch));
    ASSERT_OK(writer->Finish());
    EXPECT_EQ(writer->rows_written(), 10u);
  }
  auto file = OpenInputFile(path);
  ASSERT_OK(file);
  auto data = DataFileFromParquet(file->get(), "file://" + path, table, {});
  ASSERT_OK(data);
  auto le64 = [](int64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); };
  const int32_t at = *table.schema->field(2).field_id;
  const int32_t alarm = *table.schema->field(5).field_id;
  EXPECT_EQ(data->lower_bounds.at(at), le64((kT0 + 1) * 1000));
  EXPECT_EQ(data->upper_bounds.at(at), le64((kT0 + 8) * 1000));
  EXPECT_EQ(data->lower_bounds.at(alarm), le64(1000000));
  EXPECT_EQ(data->upper_bounds.at(alarm), le64(9000000));
  const int32_t id = *table.schema->field(0).field_id;
  EXPECT_EQ(data->lower_bounds.at(id), "7d8e9f00-1a2b-4c");  // a string: 16 code points
}

}  // namespace
}  // namespace lakepipe::iceberg

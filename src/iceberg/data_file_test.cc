#include <cmath>
#include <cstring>
#include <filesystem>
#include <limits>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "formats/parquet/metadata.h"
#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"
#include "iceberg/manifest.h"
#include "iceberg/schema_json.h"

namespace lakepipe::iceberg {
namespace {

constexpr const char* kSchema = R"js({"type":"struct","schema-id":0,"fields":[
  {"id":1,"name":"id","required":true,"type":"long"},
  {"id":2,"name":"ts","required":false,"type":"timestamptz"},
  {"id":3,"name":"name","required":false,"type":"string"},
  {"id":4,"name":"score","required":false,"type":"double"},
  {"id":5,"name":"day","required":true,"type":"date"},
  {"id":6,"name":"tags","required":true,"type":{"type":"list","element-id":10,"element-required":true,"element":"string"}},
  {"id":7,"name":"loc","required":false,"type":{"type":"struct","fields":[
    {"id":8,"name":"lat","required":false,"type":"double"},
    {"id":9,"name":"city","required":true,"type":"string"}]}},
  {"id":11,"name":"attrs","required":true,"type":{"type":"map","key-id":12,"key":"int","value-id":13,"value-required":false,"value":"long"}},
  {"id":14,"name":"amount","required":true,"type":"decimal(9,2)"},
  {"id":15,"name":"flag","required":true,"type":"boolean"}]})js";

constexpr int kRows = 2000;
constexpr int64_t kTs0 = 1700000000000000;

std::string Le32(int32_t v) { return std::string(reinterpret_cast<const char*>(&v), 4); }
std::string Le64(int64_t v) { return std::string(reinterpret_cast<const char*>(&v), 8); }
std::string LeDouble(double v) { return std::string(reinterpret_cast<const char*>(&v), 8); }

std::string Name(int i) { return fmt::format("ünïcode-name-long-{:04}", i); }

void Fill(RecordBatch& b, int from, int to) {
  for (int i = from; i < to; ++i) {
    b.column(0).AppendInt64(i + 1);
    if (i % 7 == 0) {
      b.column(1).AppendNull();
    } else {
      b.column(1).AppendInt64(kTs0 + i * 1000);
    }
    if (i % 5 == 0) {
      b.column(2).AppendNull();
    } else {
      b.column(2).AppendBytes(Name(i));
    }
    b.column(3).AppendDouble(i % 100 == 3 ? std::numeric_limits<double>::quiet_NaN() : i * 0.5);
    b.column(4).AppendInt32(19000 + i / 100);
    Column& tags = b.column(5);
    for (int k = 0; k < i % 3; ++k) tags.child(0).AppendBytes(fmt::format("t{}", i + k));
    tags.FinishList();
    Column& loc = b.column(6);
    loc.AppendStruct();
    if (i % 11 == 0) {
      loc.child(0).AppendNull();
    } else {
      loc.child(0).AppendDouble(i * 0.01);
    }
    loc.child(1).AppendBytes(fmt::format("c{}", i % 7));
    Column& attrs = b.column(7);
    attrs.child(0).AppendInt32(i);
    attrs.child(1).AppendInt64(i * 10);
    attrs.FinishList();
    b.column(8).AppendInt32(i * 3 - 100);
    b.column(9).AppendBool(i % 2 == 0);
    b.CommitRow();
  }
}

TEST(DataFileFromParquet, MetricsFromTheFooterAndNaNCountsFromTheData) {
  auto parsed = SchemaFromJson(nlohmann::json::parse(kSchema));
  ASSERT_OK(parsed);
  TableSchema table;
  table.schema = std::make_shared<const Schema>(std::move(parsed).value());
  const std::string dir = testing::MakeTempDir("iceberg_data_file");
  const std::string path = dir + "/f.parquet";
  {
    auto out = OpenOutputStream(path);
    ASSERT_OK(out);
    ParquetWriteOptions options;
    options.row_group_bytes = 16 << 10;
    options.page_bytes = 2048;
    options.repeated_group_field_ids = false;
    auto writer = NewParquetWriter(std::move(*out), table.schema, options);
    ASSERT_OK(writer);
    RecordBatch batch(table.schema);
    for (int from = 0; from < kRows; from += 200) {
      batch.Clear();
      Fill(batch, from, from + 200);
      ASSERT_OK((*writer)->Write(batch));
    }
    ASSERT_OK((*writer)->Finish());
  }
  auto file = OpenInputFile(path);
  ASSERT_OK(file);
  auto data = DataFileFromParquet(file->get(), "file://" + path, table, {int32_t{7}});
  ASSERT_OK(data);
  uint64_t footer_offset = 0;
  auto md = parquet::ReadFileMetaData(file->get(), &footer_offset);
  ASSERT_OK(md);
  ASSERT_GT(md->row_groups.size(), 2u);  // metrics combine row groups
  std::vector<int64_t> starts;
  for (const auto& rg : md->row_groups) {
    const auto& first = *rg.columns[0].meta_data;
    starts.push_back(first.dictionary_page_offset.value_or(first.data_page_offset));
  }
  EXPECT_EQ(data->split_offsets, starts);
  EXPECT_EQ(data->split_offsets.front(), 4);  // just after the magic

  EXPECT_EQ(data->file_path, "file://" + path);
  EXPECT_EQ(data->file_format, "PARQUET");
  EXPECT_EQ(data->partition, std::vector<Datum>{int32_t{7}});
  EXPECT_EQ(data->record_count, kRows);
  EXPECT_EQ(data->file_size_in_bytes, static_cast<int64_t>(std::filesystem::file_size(path)));
  // Leaves only, keyed by field id; the repeated groups have no id.
  std::vector<int32_t> ids;
  for (const auto& [id, size] : data->column_sizes) ids.push_back(id);
  EXPECT_EQ(ids, (std::vector<int32_t>{1, 2, 3, 4, 5, 8, 9, 10, 12, 13, 14, 15}));
  int64_t total = 0;
  for (const auto& rg : md->row_groups) {
    for (const auto& c : rg.columns) total += c.meta_data->total_compressed_size;
  }
  int64_t summed = 0;
  for (const auto& [id, size] : data->column_sizes) summed += size;
  EXPECT_EQ(summed, total);

  int64_t tag_levels = 0;
  int64_t empty_tags = 0;
  for (int i = 0; i < kRows; ++i) {
    tag_levels += std::max(1, i % 3);
    empty_tags += i % 3 == 0;
  }
  EXPECT_EQ(data->value_counts.at(1), kRows);
  EXPECT_EQ(data->value_counts.at(4), kRows);  // NaNs included
  EXPECT_EQ(data->value_counts.at(10), tag_levels);
  EXPECT_EQ(data->value_counts.at(12), kRows);
  EXPECT_EQ(data->null_value_counts.at(1), 0);
  EXPECT_EQ(data->null_value_counts.at(2), 286);
  EXPECT_EQ(data->null_value_counts.at(3), 400);
  EXPECT_EQ(data->null_value_counts.at(8), 182);
  EXPECT_EQ(data->null_value_counts.at(10), empty_tags);
  // Read from the data (the footer does not know them), nested fields too.
  EXPECT_EQ(data->nan_value_counts, (std::map<int32_t, int64_t>{{4, kRows / 100}, {8, 0}}));

  EXPECT_EQ(data->lower_bounds.at(1), Le64(1));
  EXPECT_EQ(data->upper_bounds.at(1), Le64(kRows));
  EXPECT_EQ(data->lower_bounds.at(2), Le64(kTs0 + 1000));
  EXPECT_EQ(data->upper_bounds.at(2), Le64(kTs0 + 1999 * 1000));
  // 16 code points; the upper bound's last one incremented.
  EXPECT_EQ(data->lower_bounds.at(3), "ünïcode-name-lon");
  EXPECT_EQ(data->upper_bounds.at(3), "ünïcode-name-loo");
  // Parquet writes a zero minimum as -0.0, which Iceberg orders first.
  EXPECT_EQ(data->lower_bounds.at(4), LeDouble(-0.0));
  EXPECT_EQ(data->upper_bounds.at(4), LeDouble(999.5));
  EXPECT_EQ(data->lower_bounds.at(5), Le32(19000));
  EXPECT_EQ(data->upper_bounds.at(5), Le32(19019));
  EXPECT_EQ(data->lower_bounds.at(8), LeDouble(0.01));  // a struct's field has bounds
  EXPECT_EQ(data->upper_bounds.at(8), LeDouble(1999 * 0.01));
  EXPECT_EQ(data->lower_bounds.at(9), "c0");
  EXPECT_EQ(data->upper_bounds.at(9), "c6");
  EXPECT_EQ(data->lower_bounds.at(14), MinimalBigEndian(-100));
  EXPECT_EQ(data->upper_bounds.at(14), MinimalBigEndian(1999 * 3 - 100));
  EXPECT_EQ(data->lower_bounds.at(15), std::string(1, '\0'));
  EXPECT_EQ(data->upper_bounds.at(15), std::string(1, '\1'));
  // No bounds inside lists and maps, as Java.
  for (int32_t id : {10, 12, 13}) {
    EXPECT_EQ(data->lower_bounds.count(id), 0u) << id;
    EXPECT_EQ(data->upper_bounds.count(id), 0u) << id;
  }
}

TEST(DataFileFromParquet, RefusesWhatIsNotParquet) {
  const std::string dir = testing::MakeTempDir("iceberg_data_file_bad");
  ASSERT_OK(WriteWholeFile(dir + "/x.parquet", "not parquet at all"));
  auto file = OpenInputFile(dir + "/x.parquet");
  ASSERT_OK(file);
  TableSchema table;
  EXPECT_FALSE(DataFileFromParquet(file->get(), dir + "/x.parquet", table, {}).ok());
}

}  // namespace
}  // namespace lakepipe::iceberg

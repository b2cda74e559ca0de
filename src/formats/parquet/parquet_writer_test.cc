#include "formats/parquet/parquet_writer.h"

#include <cmath>
#include <cstring>
#include <limits>

#include <map>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "core/testing.h"
#include "core/version.h"
#include "formats/parquet/metadata.h"
#include "formats/parquet/schema_mapping.h"
#include "formats/parquet/schema_to_parquet.h"

namespace lakepipe::parquet {
namespace {

SchemaPtr MakeSchema(std::vector<Field> fields) {
  return std::make_shared<const Schema>("t", std::move(fields));
}

Field F(std::string name, Type type, bool nullable = false, LogicalType lt = LogicalType::kNone) {
  Field f;
  f.name = std::move(name);
  f.type = type;
  f.nullable = nullable;
  f.logical = lt;
  return f;
}

// Reads the footer of a file written by the writer.
FileMetaData ReadFooter(const std::string& path) {
  auto file = OpenInputFile(path);
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  std::string all;
  EXPECT_TRUE((*file)->ReadAt(0, (*file)->size(), &all).ok());
  EXPECT_EQ(all.substr(0, 4), "PAR1");
  EXPECT_EQ(all.substr(all.size() - 4), "PAR1");
  uint32_t len;
  std::memcpy(&len, all.data() + all.size() - 8, 4);
  auto md = ParseFileMetaData(std::string_view(all).substr(all.size() - 8 - len, len));
  EXPECT_TRUE(md.ok()) << md.status().ToString();
  return md.ok() ? *md : FileMetaData();
}

class ParquetWriterTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("pqw"); }

  std::string Write(const SchemaPtr& schema, const std::function<void(RecordBatch&)>& fill,
                    ParquetWriteOptions options = {}, int batches = 1) {
    std::string path = dir_ + "/out.parquet";
    auto out = OpenOutputStream(path);
    EXPECT_TRUE(out.ok());
    auto writer = NewParquetWriter(std::move(*out), schema, options);
    EXPECT_TRUE(writer.ok()) << writer.status().ToString();
    RecordBatch batch(schema);
    for (int b = 0; b < batches; ++b) {
      batch.Clear();
      fill(batch);
      Status st = (*writer)->Write(batch);
      EXPECT_TRUE(st.ok()) << st.ToString();
    }
    Status st = (*writer)->Finish();
    EXPECT_TRUE(st.ok()) << st.ToString();
    return path;
  }

  std::string dir_;
};

TEST_F(ParquetWriterTest, FooterFollowsTheReaderProfile) {
  auto schema = MakeSchema({F("id", Type::kString), F("age", Type::kInt, true),
                            F("ts", Type::kLong, false, LogicalType::kTimestampMicros),
                            F("day", Type::kInt, true, LogicalType::kDate)});
  std::string path = Write(schema, [](RecordBatch& b) {
    for (int i = 0; i < 1000; ++i) {
      b.column(0).AppendBytes("id-" + std::to_string(i % 10));
      if (i % 3 == 0) {
        b.column(1).AppendNull();
      } else {
        b.column(1).AppendInt32(i);
      }
      b.column(2).AppendInt64(int64_t{i} * 1000000 - 5000000);
      b.column(3).AppendInt32(i - 500);
      b.CommitRow();
    }
  });
  FileMetaData md = ReadFooter(path);
  EXPECT_EQ(*md.created_by, kCreatedBy);
  EXPECT_EQ(md.num_rows, 1000);
  ASSERT_EQ(md.schema.size(), 5u);
  EXPECT_EQ(*md.schema[0].num_children, 4);
  for (int i = 1; i <= 4; ++i) EXPECT_EQ(*md.schema[i].field_id, i);
  EXPECT_EQ(*md.schema[1].converted_type, ConvertedType::kUtf8);
  EXPECT_EQ(md.schema[1].logical_type->kind, LogicalTypeAnnotation::Kind::kString);
  EXPECT_EQ(*md.schema[1].repetition, Repetition::kRequired);
  EXPECT_EQ(*md.schema[2].repetition, Repetition::kOptional);
  EXPECT_EQ(*md.schema[3].converted_type, ConvertedType::kTimestampMicros);
  EXPECT_TRUE(md.schema[3].logical_type->adjusted_to_utc);
  EXPECT_EQ(*md.schema[4].converted_type, ConvertedType::kDate);
  EXPECT_EQ(md.column_orders.size(), 4u);
  bool has_avro = false;
  for (const KeyValue& kv : md.key_value_metadata) has_avro |= kv.key == kAvroSchemaKey;
  EXPECT_TRUE(has_avro);

  ASSERT_EQ(md.row_groups.size(), 1u);
  const RowGroup& g = md.row_groups[0];
  EXPECT_EQ(*g.file_offset, 4);
  // The id column repeats 10 values: dictionary page first, RLE_DICTIONARY pages.
  const ColumnMetaData& id = *g.columns[0].meta_data;
  ASSERT_TRUE(id.dictionary_page_offset.has_value());
  EXPECT_EQ(*id.dictionary_page_offset, 4);
  EXPECT_GT(id.data_page_offset, *id.dictionary_page_offset);
  EXPECT_EQ(id.encodings, (std::vector<Encoding>{Encoding::kPlain, Encoding::kRleDictionary}));
  EXPECT_EQ(*id.statistics->min_value, "id-0");
  EXPECT_EQ(*id.statistics->max_value, "id-9");
  EXPECT_EQ(*id.statistics->null_count, 0);
  const ColumnMetaData& age = *g.columns[1].meta_data;
  EXPECT_EQ(*age.statistics->null_count, 334);
  // 666 distinct ints in 1000 rows: the dictionary does not pay off.
  EXPECT_EQ(age.encodings, (std::vector<Encoding>{Encoding::kPlain, Encoding::kRle}));
  EXPECT_FALSE(age.dictionary_page_offset.has_value());
  int32_t lo, hi;
  std::memcpy(&lo, age.statistics->min_value->data(), 4);
  std::memcpy(&hi, age.statistics->max_value->data(), 4);
  EXPECT_EQ(lo, 1);
  EXPECT_EQ(hi, 998);
  // Chunks tile the file without gaps.
  int64_t pos = 4;
  for (const ColumnChunk& c : g.columns) {
    const ColumnMetaData& m = *c.meta_data;
    EXPECT_EQ(m.dictionary_page_offset.value_or(m.data_page_offset), pos);
    pos += m.total_compressed_size;
  }
  EXPECT_EQ(*g.total_compressed_size, pos - 4);
}

TEST_F(ParquetWriterTest, UniqueValuesFallBackToPlain) {
  auto schema = MakeSchema({F("u", Type::kString)});
  ParquetWriteOptions opts;
  opts.page_bytes = 4096;
  std::string path = Write(
      schema,
      [](RecordBatch& b) {
        for (int i = 0; i < 20000; ++i) {
          b.column(0).AppendBytes("unique-value-" + std::to_string(i * 7919));
          b.CommitRow();
        }
      },
      opts);
  const FileMetaData md = ReadFooter(path);
  const ColumnMetaData& m = *md.row_groups[0].columns[0].meta_data;
  EXPECT_FALSE(m.dictionary_page_offset.has_value());
  EXPECT_EQ(m.encodings, std::vector<Encoding>{Encoding::kPlain});
}

TEST_F(ParquetWriterTest, FullDictionaryKeepsEarlierPagesAndGoesPlain) {
  auto schema = MakeSchema({F("v", Type::kLong)});
  ParquetWriteOptions opts;
  opts.dictionary_page_bytes = 8 * 1000;  // 1000 distinct longs
  // The first page (and the payoff check) ends after 500 values as PLAIN.
  opts.page_bytes = 4000;
  std::string path = Write(
      schema,
      [](RecordBatch& b) {
        // Repeats pay off at first, then new values overflow the dictionary.
        for (int i = 0; i < 5000; ++i) {
          b.column(0).AppendInt64(i < 2000 ? i % 50 : i);
          b.CommitRow();
        }
      },
      opts);
  const FileMetaData md = ReadFooter(path);
  const ColumnMetaData& m = *md.row_groups[0].columns[0].meta_data;
  ASSERT_TRUE(m.dictionary_page_offset.has_value());
  EXPECT_EQ(m.encodings, (std::vector<Encoding>{Encoding::kPlain, Encoding::kRleDictionary}));
  int plain_pages = 0, dict_pages = 0;
  for (const PageEncodingStats& s : m.encoding_stats) {
    if (s.page_type == PageType::kDataPage && s.encoding == Encoding::kPlain)
      plain_pages += s.count;
    if (s.page_type == PageType::kDataPage && s.encoding == Encoding::kRleDictionary)
      dict_pages += s.count;
  }
  EXPECT_GT(plain_pages, 0);
  EXPECT_GT(dict_pages, 0);
  int64_t lo, hi;
  std::memcpy(&lo, m.statistics->min_value->data(), 8);
  std::memcpy(&hi, m.statistics->max_value->data(), 8);
  EXPECT_EQ(lo, 0);
  EXPECT_EQ(hi, 4999);
}

// An open file's memory follows the page size, not the dictionary limit: a
// column of unique values drops its dictionary after the first page (of
// page_bytes as PLAIN) and gives the memory back; the columns share one set
// of page assembly buffers.
TEST_F(ParquetWriterTest, OpenFileMemoryFollowsThePageSize) {
  std::vector<Field> fields;
  for (int c = 0; c < 8; ++c) fields.push_back(F("c" + std::to_string(c), Type::kString));
  auto schema = MakeSchema(fields);
  ParquetWriteOptions opts;
  opts.page_bytes = 64 << 10;
  opts.dictionary_page_bytes = 2 << 20;
  auto out = OpenOutputStream(dir_ + "/memory.parquet");
  ASSERT_TRUE(out.ok());
  auto writer = NewParquetWriter(std::move(*out), schema, opts);
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  RecordBatch batch(schema);
  // 20,000 rows of unique 60-byte values: 1.2 MB per column as PLAIN.
  for (int i = 0; i < 20000; ++i) {
    for (int c = 0; c < 8; ++c) {
      batch.column(c).AppendBytes(fmt::format("{:08}-{:050}-{}", i, i * 7919 + c, c));
    }
    batch.CommitRow();
  }
  ASSERT_TRUE((*writer)->Write(batch).ok());
  // Open: 8 columns x (one 64 KiB page + its assembly) + the compressed
  // pages; a dictionary of the 20,000 values would be 1.2 MB per column.
  const uint64_t memory = (*writer)->memory_bytes();
  EXPECT_LT(memory, 4u << 20) << memory;
  ASSERT_TRUE((*writer)->Finish().ok());
  const FileMetaData md = ReadFooter(dir_ + "/memory.parquet");
  for (const ColumnChunk& chunk : md.row_groups[0].columns) {
    EXPECT_FALSE(chunk.meta_data->dictionary_page_offset.has_value());
  }
}

TEST_F(ParquetWriterTest, RowGroupsAreCutBySize) {
  auto schema = MakeSchema({F("s", Type::kString), F("d", Type::kDouble)});
  ParquetWriteOptions opts;
  opts.row_group_bytes = 256 * 1024;
  opts.dictionary = false;
  std::string path = Write(
      schema,
      [](RecordBatch& b) {
        for (int i = 0; i < 50000; ++i) {
          b.column(0).AppendBytes(std::string(20, static_cast<char>('a' + i % 26)));
          b.column(1).AppendDouble(i * 0.5);
          b.CommitRow();
        }
      },
      opts, 2);
  FileMetaData md = ReadFooter(path);
  EXPECT_EQ(md.num_rows, 100000);
  ASSERT_GT(md.row_groups.size(), 4u);
  int64_t rows = 0;
  for (const RowGroup& g : md.row_groups) {
    rows += g.num_rows;
    EXPECT_LT(g.total_byte_size, 2 * static_cast<int64_t>(opts.row_group_bytes));
    EXPECT_EQ(g.columns[0].meta_data->encodings, std::vector<Encoding>{Encoding::kPlain});
  }
  EXPECT_EQ(rows, 100000);
}

TEST_F(ParquetWriterTest, FloatStatisticsSkipNaNAndNormaliseZero) {
  auto schema = MakeSchema({F("d", Type::kDouble, true), F("n", Type::kDouble)});
  std::string path = Write(schema, [](RecordBatch& b) {
    const double vals[] = {std::nan(""), 0.0, -0.0, 0.0};
    for (double v : vals) {
      b.column(0).AppendDouble(v);
      b.column(1).AppendDouble(std::nan(""));
      b.CommitRow();
    }
    b.column(0).AppendNull();
    b.column(1).AppendDouble(std::nan(""));
    b.CommitRow();
  });
  FileMetaData md = ReadFooter(path);
  const Statistics& s = *md.row_groups[0].columns[0].meta_data->statistics;
  double lo, hi;
  std::memcpy(&lo, s.min_value->data(), 8);
  std::memcpy(&hi, s.max_value->data(), 8);
  EXPECT_TRUE(lo == 0 && std::signbit(lo));
  EXPECT_TRUE(hi == 0 && !std::signbit(hi));
  EXPECT_EQ(*s.null_count, 1);
  // All NaN: no bounds at all.
  const Statistics& n = *md.row_groups[0].columns[1].meta_data->statistics;
  EXPECT_FALSE(n.min_value.has_value());
  EXPECT_FALSE(n.max_value.has_value());
}

TEST_F(ParquetWriterTest, DefaultZstdKeepsTheSmallerOfTheFastAndStandardLevel) {
  auto schema = MakeSchema({F("hex", Type::kString), F("text", Type::kString)});
  auto fill = [](RecordBatch& b) {
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 3000; ++i) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      b.column(0).AppendBytes(fmt::format("{:016x}-{:016x}", x, x * 0x9e3779b97f4a7c15ull));
      b.column(1).AppendBytes(fmt::format("{} Station Road, Leeds, Kent, United Kingdom", i % 97));
      b.CommitRow();
    }
  };
  auto chunk_sizes = [&](int level) {
    ParquetWriteOptions opts;
    opts.dictionary = false;
    opts.compression_level = level;
    FileMetaData md = ReadFooter(Write(schema, fill, opts));
    return std::vector<int64_t>{md.row_groups[0].columns[0].meta_data->total_compressed_size,
                                md.row_groups[0].columns[1].meta_data->total_compressed_size};
  };
  const std::vector<int64_t> fast = chunk_sizes(1);
  const std::vector<int64_t> standard = chunk_sizes(3);
  const std::vector<int64_t> chosen = chunk_sizes(0);
  for (size_t c = 0; c < 2; ++c)
    EXPECT_EQ(chosen[c], std::min(fast[c], standard[c])) << "column " << c;
}

TEST_F(ParquetWriterTest, EmptyFileIsValid) {
  auto schema = MakeSchema({F("a", Type::kInt)});
  std::string path = Write(schema, [](RecordBatch&) {});
  FileMetaData md = ReadFooter(path);
  EXPECT_EQ(md.num_rows, 0);
  EXPECT_TRUE(md.row_groups.empty());
}

TEST_F(ParquetWriterTest, AbortAndDestructionLeaveNoFile) {
  auto schema = MakeSchema({F("a", Type::kInt)});
  {
    ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(dir_ + "/a.parquet"));
    ASSERT_OK_AND_ASSIGN(auto w, NewParquetWriter(std::move(out), schema, {}));
    RecordBatch b(schema);
    b.column(0).AppendInt32(1);
    b.CommitRow();
    ASSERT_OK(w->Write(b));
    w->Abort();
    EXPECT_FALSE(w->Finish().ok());
  }
  {
    ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(dir_ + "/b.parquet"));
    ASSERT_OK_AND_ASSIGN(auto w, NewParquetWriter(std::move(out), schema, {}));
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

TEST_F(ParquetWriterTest, RejectsUnknownCompression) {
  ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(dir_ + "/c.parquet"));
  ParquetWriteOptions opts;
  opts.compression = "lz5";
  Status st = NewParquetWriter(std::move(out), MakeSchema({F("a", Type::kInt)}), opts).status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("lz5"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

// A nullable list of nullable ints: a 3-level LIST with field ids on every
// element, a value count per level entry, nulls at every level counted,
// and several pages.
// Iceberg data files: the repeated groups of lists and maps carry no id,
// every other element keeps its own.
TEST_F(ParquetWriterTest, RepeatedGroupsCanGoWithoutFieldIds) {
  auto parsed = Schema::FromAvroJson(
      R"({"type":"record","name":"t","fields":[
          {"name":"l","type":{"type":"array","items":"int","element-id":3},"field-id":1},
          {"name":"m","type":{"type":"array","logicalType":"map","items":{"type":"record",
            "name":"k5_v6","fields":[{"name":"key","type":"int","field-id":5},
            {"name":"value","type":"long","field-id":6}]}},"field-id":2}]})",
      SchemaParseOptions{.complete_types = true});
  ASSERT_OK(parsed);
  auto schema = std::make_shared<const Schema>(std::move(parsed).value());
  for (bool ids : {true, false}) {
    ParquetWriteOptions opts;
    opts.repeated_group_field_ids = ids;
    const FileMetaData md = ReadFooter(Write(
        schema, [](RecordBatch&) {}, opts));
    std::map<std::string, std::optional<int32_t>> got;
    for (size_t i = 1; i < md.schema.size(); ++i) got[md.schema[i].name] = md.schema[i].field_id;
    ASSERT_EQ(md.schema.size(), 8u);
    EXPECT_EQ(got["l"], 1);
    EXPECT_EQ(got["element"], 3);
    EXPECT_EQ(got["m"], 2);
    EXPECT_EQ(got["key"], 5);
    EXPECT_EQ(got["value"], 6);
    EXPECT_EQ(got["list"].has_value(), ids);
    EXPECT_EQ(got["key_value"].has_value(), ids);
  }
}

TEST_F(ParquetWriterTest, NestedListFooterAndPages) {
  auto parsed = Schema::FromAvroJson(
      R"({"type":"record","name":"t","fields":[
          {"name":"l","type":["null",{"type":"array","items":["null","int"]}],"field-id":5}]})",
      SchemaParseOptions{.complete_types = true});
  ASSERT_OK(parsed);
  auto schema = std::make_shared<const Schema>(std::move(parsed).value());
  ParquetWriteOptions opts;
  opts.page_bytes = 256;
  int64_t entries = 0, nulls = 0;
  std::string path = Write(
      schema,
      [&](RecordBatch& b) {
        Column& l = b.column(0);
        for (int i = 0; i < 3000; ++i) {
          if (i % 10 == 0) {
            l.AppendNull();
            ++entries, ++nulls;
          } else {
            const int n = i % 4;  // 0: an empty list
            for (int k = 0; k < n; ++k) {
              if (k == 1) {
                l.child(0).AppendNull();
                ++nulls;
              } else {
                l.child(0).AppendInt32(i + k);
              }
            }
            l.FinishList();
            entries += n == 0 ? 1 : n;
            nulls += n == 0 ? 1 : 0;
          }
          b.CommitRow();
        }
      },
      opts);
  const FileMetaData md = ReadFooter(path);
  ASSERT_EQ(md.schema.size(), 4u);
  EXPECT_EQ(md.schema[1].name, "l");
  EXPECT_EQ(*md.schema[1].converted_type, ConvertedType::kList);
  EXPECT_EQ(*md.schema[1].field_id, 5);
  EXPECT_EQ(md.schema[2].name, "list");
  EXPECT_EQ(*md.schema[2].repetition, Repetition::kRepeated);
  EXPECT_EQ(md.schema[3].name, "element");
  EXPECT_EQ(*md.schema[3].repetition, Repetition::kOptional);
  // Ids: the element gets one after the largest (5), the repeated group next.
  EXPECT_EQ(*md.schema[3].field_id, 6);
  EXPECT_EQ(*md.schema[2].field_id, 7);
  ASSERT_EQ(md.row_groups.size(), 1u);
  const ColumnMetaData& m = *md.row_groups[0].columns[0].meta_data;
  EXPECT_EQ(m.path_in_schema, (std::vector<std::string>{"l", "list", "element"}));
  EXPECT_EQ(m.num_values, entries);
  EXPECT_EQ(*m.statistics->null_count, nulls);
  int data_pages = 0;
  for (const PageEncodingStats& s : m.encoding_stats) {
    if (s.page_type == PageType::kDataPage) data_pages += s.count;
  }
  EXPECT_GT(data_pages, 1);
}

}  // namespace
}  // namespace lakepipe::parquet

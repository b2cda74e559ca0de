#include "formats/parquet/parquet_reader.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zlib.h>
#include <nlohmann/json.hpp>

#include "compress/codec.h"
#include "core/column_json.h"
#include "core/testing.h"
#include "core/time_util.h"
#include "formats/parquet/decoders.h"
#include "formats/parquet/encoding.h"
#include "formats/parquet/metadata.h"
#include "formats/parquet/parquet_writer.h"
#include "formats/parquet/test_encoders.h"
#include "storage/memory_file.h"
#include "storage/object_store.h"

namespace lakepipe::parquet {
namespace {

using nlohmann::json;
using test::EncodeByteStreamSplit;
using test::EncodeDelta;
using test::EncodeDeltaBytes;
using test::EncodeDeltaLength;
using test::Le32;
using test::Plain;
using test::PlainBools;
using test::PlainStrings;

// ------------------------------------------------------------ helpers

std::string TestDataDir() {
  const char* root = std::getenv("LAKEPIPE_SOURCE_DIR");
  EXPECT_NE(root, nullptr) << "LAKEPIPE_SOURCE_DIR is not set";
  return std::string(root ? root : ".") + "/src/formats/parquet/testdata";
}

std::string ReadTestFile(const std::string& name) {
  std::ifstream in(TestDataDir() + "/" + name, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << name;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Every row of a file as text cells ("null" for nulls).
struct Table {
  SchemaPtr schema;
  std::vector<std::vector<std::string>> rows;
};

std::string CellText(const Column& c, size_t i) {
  if (c.IsNull(i)) return "null";
  switch (c.storage()) {
    case Storage::kNone:
      return "null";
    case Storage::kBool:
      return c.GetBool(i) ? "true" : "false";
    case Storage::kInt32:
      return std::to_string(c.GetInt32(i));
    case Storage::kInt64:
      return std::to_string(c.GetInt64(i));
    case Storage::kFloat:
      return fmt::format("{}", c.GetFloat(i));
    case Storage::kDouble:
      return fmt::format("{}", c.GetDouble(i));
    case Storage::kBinary:
      return std::string(c.GetBytes(i));
  }
  return "?";
}

Result<Table> ReadAll(std::string bytes, size_t batch_rows = 8192,
                      std::string name = "test.parquet") {
  ReadOptions options;
  options.batch_rows = batch_rows;
  LP_ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> reader,
                      OpenParquetReader(NewMemoryInputFile(name, std::move(bytes)), options));
  Table t;
  t.schema = reader->schema();
  RecordBatch batch(t.schema);
  while (true) {
    LP_ASSIGN_OR_RETURN(bool more, reader->ReadBatch(&batch));
    if (!more) break;
    if (batch.num_rows() == 0 || batch.num_rows() > batch_rows) {
      return InternalError("batch of {} rows", batch.num_rows());
    }
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      std::vector<std::string> row;
      for (size_t c = 0; c < batch.num_columns(); ++c) {
        if (batch.column(c).size() != batch.num_rows()) return InternalError("ragged batch");
        row.push_back(CellText(batch.column(c), r));
      }
      t.rows.push_back(std::move(row));
    }
  }
  return t;
}

// Every row as core/column_json's RowJson prints it.
Result<std::vector<std::string>> RowsJson(std::string bytes, size_t batch_rows = 8192,
                                          std::vector<std::string> columns = {}) {
  ReadOptions options;
  options.batch_rows = batch_rows;
  options.columns = std::move(columns);
  LP_ASSIGN_OR_RETURN(
      std::unique_ptr<RecordReader> reader,
      OpenParquetReader(NewMemoryInputFile("test.parquet", std::move(bytes)), options));
  RecordBatch batch(reader->schema());
  std::vector<std::string> rows;
  while (true) {
    LP_ASSIGN_OR_RETURN(bool more, reader->ReadBatch(&batch));
    if (!more) return rows;
    for (size_t r = 0; r < batch.num_rows(); ++r) rows.push_back(RowJson(batch, r));
  }
}

// Reads every batch without looking at the values; the row count.
Result<uint64_t> ReadRowCount(std::string bytes, size_t batch_rows) {
  ReadOptions options;
  options.batch_rows = batch_rows;
  LP_ASSIGN_OR_RETURN(
      std::unique_ptr<RecordReader> reader,
      OpenParquetReader(NewMemoryInputFile("damaged.parquet", std::move(bytes)), options));
  RecordBatch batch(reader->schema());
  uint64_t rows = 0;
  while (true) {
    LP_ASSIGN_OR_RETURN(bool more, reader->ReadBatch(&batch));
    if (!more) return rows;
    rows += batch.num_rows();
  }
}

using Rows = std::vector<std::vector<std::string>>;

// ------------------------------------------------------------ synthetic files

struct TestPage {
  PageHeader header;
  std::string body;  // as stored
};

std::string Compress(Codec codec, const std::string& raw) {
  CodecContext ctx;
  std::string out;
  EXPECT_OK(ctx.Compress(codec, raw, &out));
  return out;
}

std::string RleLevels(const std::vector<uint8_t>& levels) {
  std::string out;
  RleEncodeBytes(levels.data(), levels.size(), 1, &out);
  return out;
}

TestPage DictionaryPage(int32_t n, const std::string& values, Codec codec = Codec::kNone) {
  TestPage p;
  p.header.type = PageType::kDictionaryPage;
  p.header.uncompressed_page_size = static_cast<int32_t>(values.size());
  p.body = Compress(codec, values);
  p.header.compressed_page_size = static_cast<int32_t>(p.body.size());
  DictionaryPageHeader& d = p.header.dictionary_page_header.emplace();
  d.num_values = n;
  d.encoding = Encoding::kPlain;
  return p;
}

// A v1 data page; `levels` empty for REQUIRED columns.
TestPage PageV1(int32_t n, Encoding encoding, const std::string& values,
                const std::vector<uint8_t>& levels = {}, Codec codec = Codec::kNone) {
  std::string raw;
  if (!levels.empty()) {
    const std::string l = RleLevels(levels);
    raw += Le32(static_cast<uint32_t>(l.size())) + l;
  }
  raw += values;
  TestPage p;
  p.header.type = PageType::kDataPage;
  p.header.uncompressed_page_size = static_cast<int32_t>(raw.size());
  p.body = Compress(codec, raw);
  p.header.compressed_page_size = static_cast<int32_t>(p.body.size());
  DataPageHeader& d = p.header.data_page_header.emplace();
  d.num_values = n;
  d.encoding = encoding;
  return p;
}

TestPage PageV2(int32_t n, Encoding encoding, const std::string& values,
                const std::vector<uint8_t>& levels = {}, Codec codec = Codec::kNone,
                bool compressed = true) {
  const std::string l = levels.empty() ? "" : RleLevels(levels);
  TestPage p;
  p.header.type = PageType::kDataPageV2;
  p.header.uncompressed_page_size = static_cast<int32_t>(l.size() + values.size());
  p.body = l + (compressed ? Compress(codec, values) : values);
  p.header.compressed_page_size = static_cast<int32_t>(p.body.size());
  DataPageHeaderV2& d = p.header.data_page_header_v2.emplace();
  d.num_values = n;
  d.num_rows = n;
  d.num_nulls = static_cast<int32_t>(std::count(levels.begin(), levels.end(), 0));
  d.encoding = encoding;
  d.definition_levels_byte_length = static_cast<int32_t>(l.size());
  d.is_compressed = compressed;
  return p;
}

struct TestColumn {
  SchemaElement element;
  CompressionCodec codec = CompressionCodec::kUncompressed;
  std::vector<std::vector<TestPage>> chunks;  // one per row group
};

SchemaElement Leaf(std::string name, PhysicalType type, bool optional, int32_t type_length = 0) {
  SchemaElement e;
  e.name = std::move(name);
  e.type = type;
  e.repetition = optional ? Repetition::kOptional : Repetition::kRequired;
  if (type_length > 0) e.type_length = type_length;
  return e;
}

LogicalTypeAnnotation Logical(LogicalTypeAnnotation::Kind kind) {
  LogicalTypeAnnotation a;
  a.kind = kind;
  return a;
}

std::string BuildFile(const std::vector<TestColumn>& columns, const std::vector<int64_t>& rows,
                      const std::vector<KeyValue>& kv = {},
                      const std::function<void(FileMetaData*)>& tweak = nullptr) {
  std::string out = "PAR1";
  FileMetaData md;
  md.version = 1;
  SchemaElement root;
  root.name = "schema";
  root.num_children = static_cast<int32_t>(columns.size());
  md.schema.push_back(root);
  for (const TestColumn& c : columns) md.schema.push_back(c.element);
  for (size_t g = 0; g < rows.size(); ++g) {
    RowGroup rg;
    rg.num_rows = rows[g];
    md.num_rows += rows[g];
    for (const TestColumn& c : columns) {
      ColumnChunk cc;
      ColumnMetaData& m = cc.meta_data.emplace();
      m.type = *c.element.type;
      m.path_in_schema = {c.element.name};
      m.codec = c.codec;
      m.num_values = rows[g];
      const size_t start = out.size();
      bool data_seen = false;
      for (const TestPage& p : c.chunks[g]) {
        if (p.header.type == PageType::kDictionaryPage && !data_seen) {
          m.dictionary_page_offset = static_cast<int64_t>(out.size());
        } else if (!data_seen) {
          m.data_page_offset = static_cast<int64_t>(out.size());
          data_seen = true;
        }
        if (p.header.data_page_header) m.encodings.push_back(p.header.data_page_header->encoding);
        SerializePageHeader(p.header, &out);
        out += p.body;
      }
      if (!data_seen) m.data_page_offset = static_cast<int64_t>(out.size());
      m.total_compressed_size = static_cast<int64_t>(out.size() - start);
      m.total_uncompressed_size = m.total_compressed_size;
      cc.file_offset = static_cast<int64_t>(start);
      rg.columns.push_back(std::move(cc));
    }
    md.row_groups.push_back(std::move(rg));
  }
  md.key_value_metadata = kv;
  md.created_by = "lakepipe test";
  if (tweak) tweak(&md);
  std::string footer;
  SerializeFileMetaData(md, &footer);
  out += footer + Le32(static_cast<uint32_t>(footer.size())) + "PAR1";
  return out;
}

// One column, one row group.
std::string OneColumn(SchemaElement element, std::vector<TestPage> pages, int64_t rows,
                      CompressionCodec codec = CompressionCodec::kUncompressed) {
  TestColumn c;
  c.element = std::move(element);
  c.codec = codec;
  c.chunks.push_back(std::move(pages));
  return BuildFile({c}, {rows});
}

std::vector<std::string> FirstColumn(const Table& t) {
  std::vector<std::string> out;
  for (const auto& row : t.rows) out.push_back(row.at(0));
  return out;
}

std::string Int96(int64_t nanos, uint32_t day) {
  std::string s(12, '\0');
  std::memcpy(s.data(), &nanos, 8);
  std::memcpy(s.data() + 8, &day, 4);
  return s;
}

void ExpectError(const Status& st, StatusCode code, const std::vector<std::string>& parts) {
  EXPECT_EQ(st.code(), code) << st.ToString();
  for (const std::string& p : parts) {
    EXPECT_NE(st.message().find(p), std::string::npos) << "'" << p << "' not in: " << st.ToString();
  }
}

// ------------------------------------------------------------ DuckDB fixtures

const char* const kTypeFixtures[] = {
    "types_v1_uncompressed",
    "types_v1_snappy",
    "types_v1_gzip",
    "types_v1_zstd",
    "types_v1_nodict",
    "types_v2_uncompressed",
    "types_v2_snappy",
    "types_v2_gzip",
    "types_v2_zstd",
    "types_v2_nodict",
    "rowgroups_v1",
    "rowgroups_v2",
    // INT96 values far outside the usual range (made with the test encoders;
    // the expected values are DuckDB's reading of the file).
    "int96_extremes",
};

std::string HexUpper(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : bytes) {
    const auto b = static_cast<unsigned char>(ch);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

template <typename T>
bool SameFloat(T got, T want) {
  if (std::isnan(want)) return std::isnan(got);
  return std::memcmp(&got, &want, sizeof(T)) == 0;
}

// Compares one cell with DuckDB's expected value; "" when equal.
std::string CompareCell(const Field& f, const Column& c, size_t i, const std::string& duck_type,
                        const json& want, bool int96) {
  if (want.is_null()) return c.IsNull(i) ? "" : "expected null";
  if (c.IsNull(i)) return "unexpected null";
  const std::string got = CellText(c, i);
  bool same = false;
  if (duck_type == "BOOLEAN") {
    same = f.type == Type::kBoolean && c.GetBool(i) == want.get<bool>();
  } else if (duck_type == "INTEGER") {
    same = f.type == Type::kInt && c.GetInt32(i) == want.get<int64_t>();
  } else if (duck_type == "UINTEGER") {
    same = f.kind() == Kind::kUInt32 && c.GetInt64(i) == want.get<int64_t>();
  } else if (duck_type == "DATE") {
    same = f.logical == LogicalType::kDate && c.GetInt32(i) == want.get<int64_t>();
  } else if (duck_type == "BIGINT") {
    same = f.type == Type::kLong && c.GetInt64(i) == std::stoll(want.get<std::string>());
  } else if (duck_type == "FLOAT") {
    same = f.type == Type::kFloat &&
           SameFloat(c.GetFloat(i), std::strtof(want.get<std::string>().c_str(), nullptr));
  } else if (duck_type == "DOUBLE") {
    same = f.type == Type::kDouble &&
           SameFloat(c.GetDouble(i), std::strtod(want.get<std::string>().c_str(), nullptr));
  } else if (duck_type == "VARCHAR") {
    same = f.type == Type::kString && c.GetBytes(i) == want.get<std::string>();
  } else if (duck_type == "UUID") {
    std::string text;
    if (c.GetBytes(i).size() == 16) {
      AppendUuidText(reinterpret_cast<const uint8_t*>(c.GetBytes(i).data()), &text);
    }
    same = f.kind() == Kind::kUuid && f.base == Kind::kFixed && text == want.get<std::string>();
  } else if (duck_type == "BLOB") {
    same = f.type == Type::kBytes && HexUpper(c.GetBytes(i)) == want.get<std::string>();
  } else if (duck_type == "TIMESTAMP" || duck_type == "TIMESTAMP WITH TIME ZONE") {
    // DuckDB's TIMESTAMP is local (isAdjustedToUTC=false), WITH TIME ZONE
    // UTC; INT96 reads as UTC, as DuckDB reads it.
    const int64_t micros = std::stoll(want.get<std::string>());
    const bool zone_ok = int96 ? f.utc_adjusted : f.utc_adjusted == (duck_type != "TIMESTAMP");
    if (f.unit == lakepipe::TimeUnit::kMillis) {
      same = FloorMod(micros, 1000) == 0 && c.GetInt64(i) == micros / 1000;
    } else {
      same = f.unit == lakepipe::TimeUnit::kMicros && c.GetInt64(i) == micros;
    }
    same = same && f.kind() == Kind::kTimestamp && zone_ok;
  } else if (duck_type == "TIMESTAMP_NS") {
    same = f.kind() == Kind::kTimestamp && f.unit == lakepipe::TimeUnit::kNanos &&
           c.GetInt64(i) == std::stoll(want.get<std::string>());
  } else {
    return "no comparison for " + duck_type;
  }
  return same ? "" : fmt::format("got {} ({}), want {}", got, f.Describe(), want.dump());
}

void CheckFixture(const std::string& name, size_t batch_rows) {
  SCOPED_TRACE(name + " in batches of " + std::to_string(batch_rows));
  const json want = json::parse(ReadTestFile(name + ".expected.json"));
  ReadOptions options;
  options.batch_rows = batch_rows;
  ASSERT_OK_AND_ASSIGN(
      std::unique_ptr<RecordReader> reader,
      OpenParquetReader(NewMemoryInputFile(name, ReadTestFile(name + ".parquet")), options));
  const Schema& schema = *reader->schema();
  const json& columns = want["columns"];
  ASSERT_EQ(schema.num_fields(), columns.size());
  for (size_t c = 0; c < columns.size(); ++c) {
    EXPECT_EQ(schema.field(c).name, columns[c]["name"].get<std::string>());
  }
  const json& rows = want["rows"];
  RecordBatch batch(reader->schema());
  size_t row = 0;
  int failures = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(bool more, reader->ReadBatch(&batch));
    if (!more) break;
    ASSERT_GT(batch.num_rows(), 0u);
    ASSERT_LE(batch.num_rows(), batch_rows);
    for (size_t r = 0; r < batch.num_rows(); ++r, ++row) {
      ASSERT_LT(row, rows.size());
      for (size_t c = 0; c < columns.size(); ++c) {
        const std::string diff =
            CompareCell(schema.field(c), batch.column(c), r, columns[c]["type"].get<std::string>(),
                        rows[row][c], name == "int96_extremes");
        if (!diff.empty() && ++failures <= 20) {
          ADD_FAILURE() << "row " << row << " column " << schema.field(c).name << ": " << diff;
        }
      }
    }
  }
  EXPECT_EQ(row, rows.size());
  EXPECT_EQ(failures, 0);
}

TEST(ParquetReaderFixtureTest, EveryValueMatchesDuckDB) {
  for (const char* name : kTypeFixtures) {
    for (size_t batch_rows : {size_t{1}, size_t{7}, size_t{1000}, size_t{8192}}) {
      CheckFixture(name, batch_rows);
    }
  }
}

TEST(ParquetReaderFixtureTest, SchemaFollowsTheParquetTypes) {
  ASSERT_OK_AND_ASSIGN(Table t, ReadAll(ReadTestFile("types_v1_snappy.parquet")));
  const Schema& s = *t.schema;
  const auto field = [&](const char* name) {
    return s.field(static_cast<size_t>(s.FieldIndex(name)));
  };
  EXPECT_EQ(field("i32").kind(), Kind::kInt32);
  EXPECT_EQ(field("u32").kind(), Kind::kUInt32);
  EXPECT_EQ(field("dt").kind(), Kind::kDate);
  // DuckDB's TIMESTAMP is local (isAdjustedToUTC=false): it stays local.
  EXPECT_EQ(field("ts").Describe(), "nullable long (local-timestamp-micros)");
  EXPECT_EQ(field("tstz").Describe(), "nullable long (timestamp-micros)");
  EXPECT_EQ(field("ts_ms").Describe(), "nullable long (local-timestamp-millis)");
  EXPECT_EQ(field("ts_ns").Describe(), "nullable long (local-timestamp-nanos)");
  EXPECT_EQ(field("u").kind(), Kind::kUuid);
  EXPECT_EQ(field("u").base, Kind::kFixed);
  EXPECT_EQ(field("bl").kind(), Kind::kBytes);
  EXPECT_EQ(field("s").type, Type::kString);
  EXPECT_TRUE(field("s").nullable);
}

TEST(ParquetReaderFixtureTest, NestedAndDecimalColumnsAreRead) {
  // As DuckDB's to_json prints them.
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> nested, RowsJson(ReadTestFile("nested.parquet")));
  ASSERT_EQ(nested.size(), 10u);
  EXPECT_EQ(nested[0], R"({"id": 0, "tags": [0, 1], "info": {"a": 0, "b": "x0"}})");
  EXPECT_EQ(nested[9], R"({"id": 9, "tags": [9, 10], "info": {"a": 9, "b": "x9"}})");
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> decimal, RowsJson(ReadTestFile("decimal.parquet")));
  ASSERT_EQ(decimal.size(), 10u);
  EXPECT_EQ(decimal[1], R"({"id": 1, "amount": 1.25})");
  // Exact, where DuckDB's to_json prints 10.0 (through a double).
  EXPECT_EQ(decimal[8], R"({"id": 8, "amount": 10.00})");
}

TEST(ParquetReaderFixtureTest, DescribeGivesFooterFacts) {
  const std::string bytes = ReadTestFile("types_v2_zstd.parquet");
  auto file = NewMemoryInputFile("types_v2_zstd.parquet", bytes);
  ASSERT_OK_AND_ASSIGN(json d, DescribeParquet(file.get()));
  EXPECT_EQ(d["format"], "parquet");
  EXPECT_EQ(d["file_size"], bytes.size());
  EXPECT_EQ(d["num_rows"], 160);
  EXPECT_EQ(d["created_by"].get<std::string>().rfind("DuckDB", 0), 0u);
  EXPECT_EQ(d["codecs"], json::array({"ZSTD"}));
  const json& encodings = d["encodings"];
  for (const char* e : {"RLE_DICTIONARY", "DELTA_BINARY_PACKED", "BYTE_STREAM_SPLIT"}) {
    EXPECT_NE(std::find(encodings.begin(), encodings.end(), e), encodings.end()) << e;
  }
  ASSERT_EQ(d["row_groups"].size(), 1u);
  const json& g = d["row_groups"][0];
  EXPECT_EQ(g["num_rows"], 160);
  ASSERT_EQ(g["columns"].size(), 16u);
  std::map<std::string, json> cols;
  for (const json& c : g["columns"]) cols[c["name"].get<std::string>()] = c;
  EXPECT_EQ(cols["dt"]["logical_type"], "DATE");
  EXPECT_EQ(cols["dt"]["min"], "0001-01-01");
  EXPECT_EQ(cols["dt"]["max"], "9999-12-31");
  EXPECT_EQ(cols["dt"]["null_count"], 1);
  EXPECT_EQ(cols["i64"]["min"], std::numeric_limits<int64_t>::min());
  EXPECT_EQ(cols["i64"]["max"], std::numeric_limits<int64_t>::max());
  EXPECT_EQ(cols["s"]["logical_type"], "STRING");
  EXPECT_EQ(cols["s"]["physical_type"], "BYTE_ARRAY");
  EXPECT_EQ(cols["s"]["repetition"], "OPTIONAL");
  EXPECT_EQ(cols["ts"]["logical_type"], "TIMESTAMP(MICROS,LOCAL)");
  // A local timestamp names no time zone.
  EXPECT_EQ(cols["ts"]["min"], "1900-06-15T12:34:56.000001");
  EXPECT_EQ(cols["tstz"]["min"].get<std::string>().back(), 'Z');
  EXPECT_EQ(cols["tstz"]["logical_type"], "TIMESTAMP(MICROS,UTC)");
  EXPECT_EQ(cols["ts_ns"]["logical_type"], "TIMESTAMP(NANOS,LOCAL)");
  EXPECT_EQ(cols["u"]["logical_type"], "UUID");
  EXPECT_EQ(cols["u"]["physical_type"], "FIXED_LEN_BYTE_ARRAY");
  EXPECT_EQ(cols["u"]["min"].get<std::string>().size(), 36u);
  EXPECT_EQ(cols["u32"]["logical_type"], "INTEGER(32,unsigned)");
  EXPECT_EQ(cols["i32"]["encodings"][0].is_string(), true);
  EXPECT_TRUE(cols["i32"]["data_page_offset"].is_number());
  EXPECT_TRUE(cols["s"]["dictionary_page_offset"].is_number());
  EXPECT_TRUE(cols["i32"]["dictionary_page_offset"].is_null());
  EXPECT_FALSE(d.dump().empty());
}

TEST(ParquetReaderFixtureTest, DescribeWorksForColumnsTheReaderRefuses) {
  auto file = NewMemoryInputFile("decimal.parquet", ReadTestFile("decimal.parquet"));
  ASSERT_OK_AND_ASSIGN(json d, DescribeParquet(file.get()));
  const json& amount = d["row_groups"][0]["columns"][1];
  EXPECT_EQ(amount["name"], "amount");
  EXPECT_EQ(amount["logical_type"], "DECIMAL(10,2)");
  EXPECT_EQ(amount["min"], "0.00");
  EXPECT_EQ(amount["max"], "11.25");
  auto nested = NewMemoryInputFile("nested.parquet", ReadTestFile("nested.parquet"));
  ASSERT_OK_AND_ASSIGN(json n, DescribeParquet(nested.get()));
  std::vector<std::string> names;
  for (const json& c : n["row_groups"][0]["columns"]) names.push_back(c["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"id", "tags.list.element", "info.a", "info.b"}));
}

// ------------------------------------------------------------ damaged fixtures

void ExpectCleanFailure(const Result<uint64_t>& r, bool may_succeed, const std::string& what) {
  if (r.ok()) {
    EXPECT_TRUE(may_succeed) << what << ": damaged file read without error";
    return;
  }
  const StatusCode code = r.status().code();
  EXPECT_TRUE(code == StatusCode::kCorruption || code == StatusCode::kUnimplemented)
      << what << ": " << r.status().ToString();
}

std::vector<std::string> AllFixtureFiles() {
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(TestDataDir())) {
    if (e.path().extension() == ".parquet") files.push_back(e.path().filename().string());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(ParquetReaderDamageTest, TruncatedFilesAreCorruption) {
  for (const std::string& name : AllFixtureFiles()) {
    const std::string bytes = ReadTestFile(name);
    const size_t step = std::max<size_t>(1, bytes.size() / 120);
    for (size_t cut = 0; cut < bytes.size(); cut += (cut + 40 >= bytes.size() ? 1 : step)) {
      Result<uint64_t> r = ReadRowCount(bytes.substr(0, cut), 100);
      ASSERT_FALSE(r.ok()) << name << " cut at " << cut;
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << name << " cut at " << cut;
      // The column data cut short while the footer stays.
      if (cut > 4 && cut + 600 < bytes.size()) {
        const std::string holed = bytes.substr(0, cut) + bytes.substr(cut + 1 + cut % 97);
        ExpectCleanFailure(ReadRowCount(holed, 100), true,
                           name + " holed at " + std::to_string(cut));
      }
    }
  }
}

TEST(ParquetReaderDamageTest, FlippedBytesNeverCrash) {
  std::mt19937 rng(20240229);
  for (const std::string& name : AllFixtureFiles()) {
    const std::string bytes = ReadTestFile(name);
    const int trials = bytes.size() > 10000 ? 100 : 300;
    for (int trial = 0; trial < trials; ++trial) {
      std::string damaged = bytes;
      const int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        // Half of the flips land in the footer, where they change the most.
        const size_t footer = std::min<size_t>(damaged.size(), 2000);
        const size_t pos = trial % 2 ? rng() % damaged.size() : damaged.size() - 1 - rng() % footer;
        damaged[pos] = static_cast<char>(damaged[pos] ^ (1 + rng() % 255));
      }
      ExpectCleanFailure(ReadRowCount(damaged, 1 + rng() % 500), true,
                         name + " trial " + std::to_string(trial));
      auto file = NewMemoryInputFile(name, damaged);
      Result<json> d = DescribeParquet(file.get());
      if (d.ok()) {
        EXPECT_FALSE(d->dump().empty());
      }
    }
  }
}

// ------------------------------------------------------------ synthetic files

TEST(ParquetReaderTest, Int96TimestampsBecomeMicros) {
  const std::string values =
      Int96(0, 2440588) + Int96(1500, 2440589) + Int96(int64_t{86399999999999}, 2440587);
  ASSERT_OK_AND_ASSIGN(Table t,
                       ReadAll(OneColumn(Leaf("ts", PhysicalType::kInt96, true),
                                         {PageV1(4, Encoding::kPlain, values, {1, 0, 1, 1})}, 4)));
  EXPECT_EQ(t.schema->field(0).logical, LogicalType::kTimestampMicros);
  EXPECT_EQ(FirstColumn(t), (std::vector<std::string>{"0", "null", "86400000001", "-1"}));
}

TEST(ParquetReaderTest, Int96OutOfRangeIsReadAsDuckDBReadsIt) {
  ASSERT_OK_AND_ASSIGN(
      Table t,
      ReadAll(OneColumn(Leaf("ts", PhysicalType::kInt96, false),
                        {PageV1(2, Encoding::kPlain, Int96(0, 0xffffffffu) + Int96(0, 0))}, 2)));
  EXPECT_EQ(FirstColumn(t),
            (std::vector<std::string>{"1939426010608967680", "-210866803200000000"}));
}

TEST(ParquetReaderTest, FixedLengthConversions) {
  SchemaElement uuid = Leaf("u", PhysicalType::kFixedLenByteArray, true, 16);
  uuid.logical_type = Logical(LogicalTypeAnnotation::Kind::kUuid);
  SchemaElement half = Leaf("h", PhysicalType::kFixedLenByteArray, false, 2);
  half.logical_type = Logical(LogicalTypeAnnotation::Kind::kFloat16);
  SchemaElement raw = Leaf("r", PhysicalType::kFixedLenByteArray, false, 3);
  const std::string u1("\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff", 16);
  const std::string u2(16, '\xab');
  TestColumn cu{
      uuid, CompressionCodec::kUncompressed, {{PageV1(3, Encoding::kPlain, u1 + u2, {1, 0, 1})}}};
  TestColumn ch{half,
                CompressionCodec::kUncompressed,
                {{PageV1(3, Encoding::kPlain, std::string("\x00\x3c\x00\xc0\x00\x7c", 6))}}};
  TestColumn cr{raw,
                CompressionCodec::kUncompressed,
                {{PageV2(3, Encoding::kPlain, std::string("abc\x00\x01\x02xyz", 9))}}};
  ASSERT_OK_AND_ASSIGN(Table t, ReadAll(BuildFile({cu, ch, cr}, {3})));
  EXPECT_EQ(t.schema->field(0).Describe(), "nullable fixed(16) (uuid)");
  EXPECT_EQ(t.schema->field(1).Describe(), "float (float16)");
  EXPECT_EQ(t.schema->field(2).Describe(), "fixed(3)");
  EXPECT_EQ(
      t.rows,
      (Rows{{u1, "1", "abc"}, {"null", "-2", std::string("\x00\x01\x02", 3)}, {u2, "inf", "xyz"}}));
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> json, RowsJson(BuildFile({cu, ch, cr}, {3})));
  EXPECT_EQ(json[0], R"({"u": "00112233-4455-6677-8899-aabbccddeeff", "h": 1, "r": "abc"})");
}

TEST(ParquetReaderTest, ByteStreamSplitForEveryType) {
  const std::vector<int32_t> i32 = {1, -2, 300000, std::numeric_limits<int32_t>::min()};
  const std::vector<int64_t> i64 = {std::numeric_limits<int64_t>::max(), 0, -5, 1ll << 40};
  const std::vector<float> f32 = {1.5f, -0.25f, 1e30f};
  const std::vector<double> f64 = {2.5, -1e-300, 0.1, 7};
  const std::string flba = "aaaabbbbccccdddd";
  TestColumn a{Leaf("a", PhysicalType::kInt32, false),
               CompressionCodec::kZstd,
               {{PageV2(4, Encoding::kByteStreamSplit, EncodeByteStreamSplit(Plain(i32), 4), {},
                        Codec::kZstd)}}};
  TestColumn b{Leaf("b", PhysicalType::kInt64, false),
               CompressionCodec::kUncompressed,
               {{PageV1(4, Encoding::kByteStreamSplit, EncodeByteStreamSplit(Plain(i64), 8))}}};
  TestColumn c{Leaf("c", PhysicalType::kFloat, true),
               CompressionCodec::kSnappy,
               {{PageV1(4, Encoding::kByteStreamSplit, EncodeByteStreamSplit(Plain(f32), 4),
                        {1, 0, 1, 1}, Codec::kSnappy)}}};
  TestColumn d{Leaf("d", PhysicalType::kDouble, false),
               CompressionCodec::kGzip,
               {{PageV2(4, Encoding::kByteStreamSplit, EncodeByteStreamSplit(Plain(f64), 8), {},
                        Codec::kGzip)}}};
  TestColumn e{Leaf("e", PhysicalType::kFixedLenByteArray, false, 4),
               CompressionCodec::kUncompressed,
               {{PageV1(4, Encoding::kByteStreamSplit, EncodeByteStreamSplit(flba, 4))}}};
  ASSERT_OK_AND_ASSIGN(Table t, ReadAll(BuildFile({a, b, c, d, e}, {4}), 3));
  EXPECT_EQ(t.rows, (Rows{{"1", "9223372036854775807", "1.5", "2.5", "aaaa"},
                          {"-2", "0", "null", "-1e-300", "bbbb"},
                          {"300000", "-5", "-0.25", "0.1", "cccc"},
                          {"-2147483648", "1099511627776", "1e+30", "7", "dddd"}}));
}

TEST(ParquetReaderTest, DeltaEncodings) {
  const std::vector<std::string> words = {"axis", "axle", "babble", "babyhood", ""};
  TestColumn s{
      Leaf("s", PhysicalType::kByteArray, true),
      CompressionCodec::kUncompressed,
      {{PageV1(6, Encoding::kDeltaByteArray, EncodeDeltaBytes(words), {1, 1, 0, 1, 1, 1})}}};
  TestColumn l{
      Leaf("l", PhysicalType::kByteArray, false),
      CompressionCodec::kSnappy,
      {{PageV2(6, Encoding::kDeltaLengthByteArray,
               EncodeDeltaLength({"a", "", "ccc", "dddd", "e", "ff"}), {}, Codec::kSnappy)}}};
  TestColumn f{Leaf("f", PhysicalType::kFixedLenByteArray, false, 2),
               CompressionCodec::kUncompressed,
               {{PageV1(6, Encoding::kDeltaByteArray,
                        EncodeDeltaBytes({"ab", "ac", "ac", "zz", "zy", "00"}))}}};
  TestColumn n{
      Leaf("n", PhysicalType::kInt64, true),
      CompressionCodec::kUncompressed,
      {{PageV2(6, Encoding::kDeltaBinaryPacked,
               EncodeDelta({-5, std::numeric_limits<int64_t>::max(), 7}), {1, 0, 0, 1, 1, 0})}}};
  ASSERT_OK_AND_ASSIGN(Table t, ReadAll(BuildFile({s, l, f, n}, {6}), 4));
  EXPECT_EQ(t.rows, (Rows{{"axis", "a", "ab", "-5"},
                          {"axle", "", "ac", "null"},
                          {"null", "ccc", "ac", "null"},
                          {"babble", "dddd", "zz", "9223372036854775807"},
                          {"babyhood", "e", "zy", "7"},
                          {"", "ff", "00", "null"}}));
}

TEST(ParquetReaderTest, DeltaByteArrayOfTheWrongWidthIsCorruption) {
  Result<Table> r = ReadAll(
      OneColumn(Leaf("f", PhysicalType::kFixedLenByteArray, false, 2),
                {PageV1(2, Encoding::kDeltaByteArray, EncodeDeltaBytes({"ab", "abc"}))}, 2));
  ExpectError(r.status(), StatusCode::kCorruption, {"'f'", "DELTA_BYTE_ARRAY"});
}

TEST(ParquetReaderTest, BooleansPlainAndRle) {
  std::string rle11;
  const std::vector<uint8_t> bits11 = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1};
  RleEncodeBytes(bits11.data(), bits11.size(), 1, &rle11);
  std::string rle12;
  const std::vector<uint8_t> bits12 = {1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1};
  RleEncodeBytes(bits12.data(), bits12.size(), 1, &rle12);
  TestColumn plain{
      Leaf("p", PhysicalType::kBoolean, true),
      CompressionCodec::kUncompressed,
      {{PageV1(12, Encoding::kPlain,
               PlainBools({true, false, true, true, false, false, true, true, false, true, true}),
               {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0})}}};
  TestColumn rle_v1{
      Leaf("r1", PhysicalType::kBoolean, false),
      CompressionCodec::kUncompressed,
      {{PageV1(12, Encoding::kRle, Le32(static_cast<uint32_t>(rle12.size())) + rle12)}}};
  TestColumn rle_v2{Leaf("r2", PhysicalType::kBoolean, true),
                    CompressionCodec::kGzip,
                    {{PageV2(12, Encoding::kRle, Le32(static_cast<uint32_t>(rle11.size())) + rle11,
                             {0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, Codec::kGzip)}}};
  ASSERT_OK_AND_ASSIGN(Table t, ReadAll(BuildFile({plain, rle_v1, rle_v2}, {12}), 5));
  std::vector<std::string> p;
  std::vector<std::string> r1;
  std::vector<std::string> r2;
  for (const auto& row : t.rows) {
    p.push_back(row[0]);
    r1.push_back(row[1]);
    r2.push_back(row[2]);
  }
  EXPECT_EQ(p, (std::vector<std::string>{"true", "false", "true", "true", "false", "false", "true",
                                         "true", "false", "true", "true", "null"}));
  EXPECT_EQ(r1, (std::vector<std::string>{"true", "true", "true", "true", "true", "true", "true",
                                          "true", "true", "false", "true", "true"}));
  EXPECT_EQ(r2, (std::vector<std::string>{"null", "true", "true", "true", "true", "true", "true",
                                          "true", "true", "true", "false", "true"}));
}

TEST(ParquetReaderTest, DeprecatedBitPackedDefinitionLevels) {
  // Levels 1 0 1 1 0 1 1 1 1, most significant bit first: 0xb7 0x80.
  TestPage page = PageV1(9, Encoding::kPlain, Plain(std::vector<int32_t>{1, 2, 3, 4, 5, 6, 7}));
  page.body = std::string("\xb7\x80", 2) + page.body;
  page.header.uncompressed_page_size = page.header.compressed_page_size =
      static_cast<int32_t>(page.body.size());
  page.header.data_page_header->definition_level_encoding = Encoding::kBitPacked;
  ASSERT_OK_AND_ASSIGN(Table t,
                       ReadAll(OneColumn(Leaf("x", PhysicalType::kInt32, true), {page}, 9), 4));
  EXPECT_EQ(FirstColumn(t),
            (std::vector<std::string>{"1", "null", "2", "3", "null", "4", "5", "6", "7"}));
}

TEST(ParquetReaderTest, DictionaryPagesFallBackAndSpanRowGroups) {
  const std::string dict = PlainStrings({"red", "green", "blue"});
  std::string idx(1, '\x02');
  const std::vector<uint32_t> ids = {2, 0, 1, 1};
  RleEncode(ids.data(), ids.size(), 2, &idx);
  TestColumn c{Leaf("color", PhysicalType::kByteArray, true), CompressionCodec::kZstd, {}};
  c.element.logical_type = Logical(LogicalTypeAnnotation::Kind::kString);
  // Row group 0: dictionary, a dictionary page with a null, then a PLAIN page.
  c.chunks.push_back(
      {DictionaryPage(3, dict, Codec::kZstd),
       PageV1(5, Encoding::kRleDictionary, idx, {1, 1, 0, 1, 1}, Codec::kZstd),
       PageV1(2, Encoding::kPlain, PlainStrings({"x", "yy"}), {1, 1}, Codec::kZstd)});
  // Row group 1: a new dictionary (PLAIN_DICTIONARY, as older writers label it).
  std::string idx2(1, '\x01');
  const std::vector<uint32_t> ids2 = {1, 0, 1};
  RleEncode(ids2.data(), ids2.size(), 1, &idx2);
  c.chunks.push_back({DictionaryPage(2, PlainStrings({"one", "two"}), Codec::kZstd),
                      PageV1(3, Encoding::kPlainDictionary, idx2, {1, 1, 1}, Codec::kZstd)});
  for (size_t batch : {1, 2, 3, 10}) {
    ASSERT_OK_AND_ASSIGN(Table t, ReadAll(BuildFile({c}, {7, 3}), batch));
    EXPECT_EQ(FirstColumn(t), (std::vector<std::string>{"blue", "red", "null", "green", "green",
                                                        "x", "yy", "two", "one", "two"}))
        << batch;
  }
}

TEST(ParquetReaderTest, DictionaryIndexOutOfRangeIsCorruption) {
  std::string idx(1, '\x02');
  const std::vector<uint32_t> ids = {0, 3};
  RleEncode(ids.data(), ids.size(), 2, &idx);
  Result<Table> r = ReadAll(OneColumn(Leaf("c", PhysicalType::kInt32, false),
                                      {DictionaryPage(2, Plain(std::vector<int32_t>{5, 6})),
                                       PageV1(2, Encoding::kRleDictionary, idx)},
                                      2),
                            8192, "dict.parquet");
  ExpectError(r.status(), StatusCode::kCorruption,
              {"dict.parquet", "row group 0", "'c'", "dictionary index 3"});
}

TEST(ParquetReaderTest, UnsupportedCodecIsNamed) {
  TestPage page = PageV1(1, Encoding::kPlain, Plain(std::vector<int32_t>{1}));
  Result<Table> r =
      ReadAll(OneColumn(Leaf("x", PhysicalType::kInt32, false), {page}, 1, CompressionCodec::kLzo));
  ExpectError(r.status(), StatusCode::kUnimplemented,
              {"column 'x': codec LZO is not supported (supported: UNCOMPRESSED, SNAPPY, GZIP, "
               "ZSTD, BROTLI, LZ4, LZ4_RAW)"});
}

TEST(ParquetReaderTest, CodecIdNewerThanTheReaderIsUnsupported) {
  TestPage page = PageV1(1, Encoding::kPlain, Plain(std::vector<int32_t>{1}));
  Result<Table> r = ReadAll(OneColumn(Leaf("x", PhysicalType::kInt32, false), {page}, 1,
                                      static_cast<CompressionCodec>(42)));
  ExpectError(r.status(), StatusCode::kUnimplemented,
              {"column 'x': compression codec id 42 is not known to this reader"});
}

TEST(ParquetReaderTest, Lz4InEitherFormAndBrotliPagesAreRead) {
  std::vector<int32_t> values;
  std::vector<std::string> expected;
  for (int32_t i = 0; i < 5000; ++i) {
    values.push_back(i % 97);
    expected.push_back(std::to_string(i % 97));
  }
  // The LZ4 id holds Hadoop frames (parquet-mr) or one raw block (older Arrow).
  const std::pair<CompressionCodec, Codec> cases[] = {
      {CompressionCodec::kLz4, Codec::kLz4Hadoop},
      {CompressionCodec::kLz4, Codec::kLz4Raw},
      {CompressionCodec::kLz4Raw, Codec::kLz4Raw},
      {CompressionCodec::kBrotli, Codec::kBrotli},
  };
  for (const auto& [id, body] : cases) {
    SCOPED_TRACE(std::string(CodecName(body)));
    const std::vector<TestPage> pages = {
        PageV1(2500, Encoding::kPlain,
               Plain(std::vector<int32_t>(values.begin(), values.begin() + 2500)), {}, body),
        PageV2(2500, Encoding::kPlain,
               Plain(std::vector<int32_t>(values.begin() + 2500, values.end())), {}, body)};
    ASSERT_OK_AND_ASSIGN(
        Table t, ReadAll(OneColumn(Leaf("x", PhysicalType::kInt32, false), pages, 5000, id)));
    EXPECT_EQ(FirstColumn(t), expected);
  }
  // A damaged LZ4 page is corruption, naming the page.
  TestPage bad = PageV1(2500, Encoding::kPlain,
                        Plain(std::vector<int32_t>(values.begin(), values.begin() + 2500)), {},
                        Codec::kLz4Hadoop);
  bad.body.resize(bad.body.size() / 2);
  bad.header.compressed_page_size = static_cast<int32_t>(bad.body.size());
  Result<Table> r = ReadAll(
      OneColumn(Leaf("x", PhysicalType::kInt32, false), {bad}, 2500, CompressionCodec::kLz4));
  ExpectError(r.status(), StatusCode::kCorruption, {"'x'", "lz4_hadoop page"});
}

TEST(ParquetReaderTest, UnsupportedEncodingIsNamed) {
  Result<Table> r = ReadAll(OneColumn(Leaf("x", PhysicalType::kInt32, false),
                                      {PageV1(1, Encoding::kBitPacked, std::string(4, '\0'))}, 1));
  ExpectError(r.status(), StatusCode::kUnimplemented, {"'x'", "BIT_PACKED"});
  Result<Table> delta_double =
      ReadAll(OneColumn(Leaf("d", PhysicalType::kDouble, false),
                        {PageV1(1, Encoding::kDeltaBinaryPacked, EncodeDelta({1}))}, 1));
  ExpectError(delta_double.status(), StatusCode::kUnimplemented,
              {"'d'", "DELTA_BINARY_PACKED", "DOUBLE"});
  Result<Table> unknown =
      ReadAll(OneColumn(Leaf("u", PhysicalType::kInt32, false),
                        {PageV1(1, static_cast<Encoding>(42), std::string(4, '\0'))}, 1));
  ExpectError(unknown.status(), StatusCode::kUnimplemented, {"'u'", "UNKNOWN(42)"});
}

TEST(ParquetReaderTest, PageValueCountsMustMatchTheChunk) {
  const std::string v = Plain(std::vector<int32_t>{1, 2, 3});
  Result<Table> more = ReadAll(
      OneColumn(Leaf("x", PhysicalType::kInt32, false), {PageV1(3, Encoding::kPlain, v)}, 2));
  ExpectError(more.status(), StatusCode::kCorruption, {"'x'", "more values"});
  Result<Table> fewer = ReadAll(
      OneColumn(Leaf("x", PhysicalType::kInt32, false), {PageV1(3, Encoding::kPlain, v)}, 4));
  ExpectError(fewer.status(), StatusCode::kCorruption, {"'x'", "ends after 3 of its 4 values"});
  Result<Table> short_data = ReadAll(
      OneColumn(Leaf("x", PhysicalType::kInt32, false), {PageV1(4, Encoding::kPlain, v)}, 4));
  ExpectError(short_data.status(), StatusCode::kCorruption, {"'x'", "PLAIN data"});
}

TEST(ParquetReaderTest, HugeSizeClaimsFailFast) {
  for (Codec codec : {Codec::kZstd, Codec::kGzip, Codec::kSnappy, Codec::kNone}) {
    TestPage page = PageV1(1, Encoding::kPlain, Plain(std::vector<int32_t>{1}), {}, codec);
    page.header.uncompressed_page_size = std::numeric_limits<int32_t>::max();
    const CompressionCodec pc = codec == Codec::kZstd     ? CompressionCodec::kZstd
                                : codec == Codec::kGzip   ? CompressionCodec::kGzip
                                : codec == Codec::kSnappy ? CompressionCodec::kSnappy
                                                          : CompressionCodec::kUncompressed;
    Result<Table> r = ReadAll(OneColumn(Leaf("x", PhysicalType::kInt32, false), {page}, 1, pc));
    ExpectError(r.status(), StatusCode::kCorruption, {"'x'"});
  }
  // A dictionary claiming 2^31 entries in a few bytes.
  TestPage dict = DictionaryPage(std::numeric_limits<int32_t>::max(), PlainStrings({"a"}));
  Result<Table> r =
      ReadAll(OneColumn(Leaf("x", PhysicalType::kByteArray, false),
                        {dict, PageV1(1, Encoding::kRleDictionary, "\x01\x02\x00")}, 1));
  ExpectError(r.status(), StatusCode::kCorruption, {"'x'", "dictionary page"});
  // A page count of 2^31 values for a 1-row chunk.
  TestPage many = PageV1(std::numeric_limits<int32_t>::max(), Encoding::kPlain, "");
  r = ReadAll(OneColumn(Leaf("x", PhysicalType::kInt32, false), {many}, 1));
  ExpectError(r.status(), StatusCode::kCorruption, {"'x'"});
}

TEST(ParquetReaderTest, DataPageV2ChecksNullCounts) {
  TestPage page = PageV2(3, Encoding::kPlain, Plain(std::vector<int32_t>{1, 2}), {1, 0, 1});
  page.header.data_page_header_v2->num_nulls = 2;
  Result<Table> r = ReadAll(OneColumn(Leaf("x", PhysicalType::kInt32, true), {page}, 3));
  ExpectError(r.status(), StatusCode::kCorruption, {"'x'", "nulls"});
  TestPage required = PageV2(2, Encoding::kPlain, Plain(std::vector<int32_t>{1, 2}));
  required.header.data_page_header_v2->num_nulls = 1;
  r = ReadAll(OneColumn(Leaf("x", PhysicalType::kInt32, false), {required}, 2));
  ExpectError(r.status(), StatusCode::kCorruption, {"'x'", "required"});
  // Uncompressed values in a compressed chunk (is_compressed = false).
  TestPage plain =
      PageV2(2, Encoding::kPlain, Plain(std::vector<int32_t>{7, 8}), {1, 1}, Codec::kZstd, false);
  ASSERT_OK_AND_ASSIGN(Table t, ReadAll(OneColumn(Leaf("x", PhysicalType::kInt32, true), {plain}, 2,
                                                  CompressionCodec::kZstd)));
  EXPECT_EQ(FirstColumn(t), (std::vector<std::string>{"7", "8"}));
}

// An all-null v2 page stores only its levels: the values section is zero
// bytes even though the page says is_compressed (parquet-mr writes these).
TEST(ParquetReaderTest, DataPageV2WithNoValueBytesIsNotDecompressed) {
  for (const auto& [codec, pc] : {std::pair{Codec::kZstd, CompressionCodec::kZstd},
                                  std::pair{Codec::kSnappy, CompressionCodec::kSnappy},
                                  std::pair{Codec::kGzip, CompressionCodec::kGzip}}) {
    SCOPED_TRACE(CodecName(codec));
    TestPage page = PageV2(3, Encoding::kPlain, "", {0, 0, 0}, codec, true);
    page.body = RleLevels({0, 0, 0});
    page.header.compressed_page_size = page.header.uncompressed_page_size =
        static_cast<int32_t>(page.body.size());
    ASSERT_OK_AND_ASSIGN(Table t,
                         ReadAll(OneColumn(Leaf("x", PhysicalType::kInt32, true), {page}, 3, pc)));
    EXPECT_EQ(FirstColumn(t), (std::vector<std::string>{"null", "null", "null"}));
  }
  // Nor is an encoding's header expected in zero bytes, whatever the encoding.
  for (const auto& [type, encoding] :
       {std::pair{PhysicalType::kInt32, Encoding::kDeltaBinaryPacked},
        std::pair{PhysicalType::kByteArray, Encoding::kDeltaByteArray},
        std::pair{PhysicalType::kByteArray, Encoding::kDeltaLengthByteArray},
        std::pair{PhysicalType::kDouble, Encoding::kByteStreamSplit},
        std::pair{PhysicalType::kBoolean, Encoding::kRle},
        std::pair{PhysicalType::kInt64, Encoding::kRleDictionary}}) {
    SCOPED_TRACE(EncodingName(encoding));
    TestPage page = PageV2(2, encoding, "", {0, 0}, Codec::kNone, false);
    ASSERT_OK_AND_ASSIGN(Table t, ReadAll(OneColumn(Leaf("x", type, true), {page}, 2)));
    EXPECT_EQ(FirstColumn(t), (std::vector<std::string>{"null", "null"}));
  }
  // Zero stored bytes where the header promises values is still damage.
  TestPage page = PageV2(1, Encoding::kPlain, "", {1}, Codec::kZstd, true);
  page.body = RleLevels({1});
  page.header.compressed_page_size = static_cast<int32_t>(page.body.size());
  page.header.uncompressed_page_size = page.header.compressed_page_size + 4;
  Result<Table> r =
      ReadAll(OneColumn(Leaf("x", PhysicalType::kInt32, true), {page}, 1, CompressionCodec::kZstd));
  ExpectError(r.status(), StatusCode::kCorruption, {"'x'", "0 bytes"});
}

// Writers leave the offsets of a column chunk with no values at 0.
TEST(ParquetReaderTest, ChunksWithNoValuesAndNoOffsetsAreEmpty) {
  TestColumn c{
      Leaf("x", PhysicalType::kInt32, true),
      CompressionCodec::kZstd,
      {{}, {PageV1(2, Encoding::kPlain, Plain(std::vector<int32_t>{1, 2}), {1, 1}, Codec::kZstd)}}};
  const std::string file = BuildFile({c}, {0, 2}, {}, [](FileMetaData* md) {
    ColumnMetaData& m = *md->row_groups[0].columns[0].meta_data;
    m.data_page_offset = 0;
    m.dictionary_page_offset.reset();
    m.total_compressed_size = m.total_uncompressed_size = 0;
    md->row_groups[0].columns[0].file_offset = 0;
  });
  ASSERT_OK_AND_ASSIGN(Table t, ReadAll(file));
  EXPECT_EQ(FirstColumn(t), (std::vector<std::string>{"1", "2"}));
  // A file whose only row group is empty.
  TestColumn empty{Leaf("x", PhysicalType::kInt32, true), CompressionCodec::kSnappy, {{}}};
  ASSERT_OK_AND_ASSIGN(Table none, ReadAll(BuildFile({empty}, {0}, {}, [](FileMetaData* md) {
                         md->row_groups[0].columns[0].meta_data->data_page_offset = 0;
                       })));
  EXPECT_TRUE(none.rows.empty());
}

int32_t PageCrc(const std::string& stored) {
  const uLong crc = crc32(crc32(0L, Z_NULL, 0), reinterpret_cast<const Bytef*>(stored.data()),
                          static_cast<uInt>(stored.size()));
  return static_cast<int32_t>(static_cast<uint32_t>(crc));
}

TEST(ParquetReaderTest, PageCrcsAreVerified) {
  for (Codec codec : {Codec::kNone, Codec::kZstd}) {
    SCOPED_TRACE(CodecName(codec));
    const CompressionCodec pc =
        codec == Codec::kZstd ? CompressionCodec::kZstd : CompressionCodec::kUncompressed;
    TestPage dict = DictionaryPage(2, PlainStrings({"a", "b"}), codec);
    TestPage v1 = PageV1(3, Encoding::kRleDictionary, std::string("\x01\x03\x02", 3) + "\x00",
                         {1, 1, 1}, codec);
    TestPage v2 = PageV2(2, Encoding::kPlain, PlainStrings({"c"}), {0, 1}, codec);
    for (TestPage* p : {&dict, &v1, &v2}) p->header.crc = PageCrc(p->body);
    const auto file = [&](const TestPage& last) {
      TestColumn c{Leaf("s", PhysicalType::kByteArray, true), pc, {{dict, v1, last}}};
      return BuildFile({c}, {5});
    };
    ASSERT_OK_AND_ASSIGN(Table t, ReadAll(file(v2)));
    EXPECT_EQ(FirstColumn(t), (std::vector<std::string>{"a", "b", "a", "null", "c"}));
    // One flipped bit of the third page's stored bytes.
    TestPage bad = v2;
    bad.body.back() = static_cast<char>(bad.body.back() ^ 0x10);
    Result<Table> r = ReadAll(file(bad), 8192, "crc.parquet");
    ExpectError(r.status(), StatusCode::kCorruption,
                {"crc.parquet", "row group 0", "column 's'", "page 2 at offset", "CRC"});
    // A CRC that does not match unchanged bytes is damage too.
    bad = v2;
    bad.header.crc = *v2.header.crc ^ 1;
    r = ReadAll(file(bad), 8192, "crc.parquet");
    ExpectError(r.status(), StatusCode::kCorruption, {"'s'", "page 2", "CRC"});
  }
}

// Features the reader lacks are kUnimplemented ("unsupported:") naming the
// feature and the column; damage is kCorruption naming the file, row group,
// column and page.
TEST(ParquetReaderTest, ErrorsSayWhatIsTrue) {
  TestColumn c{Leaf("x", PhysicalType::kInt32, false),
               CompressionCodec::kUncompressed,
               {{PageV1(1, Encoding::kPlain, Plain(std::vector<int32_t>{1}))}}};
  const auto read = [&](const std::function<void(FileMetaData*)>& tweak) {
    return ReadAll(BuildFile({c}, {1}, {}, tweak), 10, "e.parquet").status();
  };
  // An encrypted column chunk (its metadata is encrypted, so absent).
  ExpectError(read([](FileMetaData* md) {
                ColumnChunk& cc = md->row_groups[0].columns[0];
                cc.meta_data.reset();
                cc.encrypted = true;
              }),
              StatusCode::kUnimplemented,
              {"e.parquet", "row group 0", "'x'", "Parquet modular encryption"});
  // Encrypted columns under a plaintext footer.
  ExpectError(read([](FileMetaData* md) { md->encrypted = true; }), StatusCode::kUnimplemented,
              {"e.parquet", "Parquet modular encryption"});
  // A VARIANT group (metadata and value binaries).
  TestColumn meta{Leaf("metadata", PhysicalType::kByteArray, false),
                  CompressionCodec::kUncompressed,
                  {{PageV1(1, Encoding::kPlain, PlainStrings({"m"}))}}};
  TestColumn value = meta;
  value.element.name = "value";
  const std::string variant = BuildFile({meta, value}, {1}, {}, [](FileMetaData* md) {
    SchemaElement group;
    group.name = "v";
    group.num_children = 2;
    group.repetition = Repetition::kOptional;
    group.logical_type = Logical(LogicalTypeAnnotation::Kind::kVariant);
    md->schema[0].num_children = 1;
    md->schema.insert(md->schema.begin() + 1, group);
  });
  ExpectError(ReadAll(variant, 10, "variant.parquet").status(), StatusCode::kUnimplemented,
              {"variant.parquet", "'v'", "VARIANT"});
  // Unsigned 64-bit integers are read (they were refused before).
  SchemaElement u64 = Leaf("u", PhysicalType::kInt64, false);
  u64.converted_type = ConvertedType::kUint64;
  EXPECT_EQ(
      RowsJson(OneColumn(u64, {PageV1(1, Encoding::kPlain, Plain(std::vector<int64_t>{-1}))}, 1))
          .value(),
      (std::vector<std::string>{R"({"u": 18446744073709551615})"}));
  // Damage inside the second data page names it.
  const std::string v = Plain(std::vector<int32_t>{1, 2});
  Result<Table> r =
      ReadAll(OneColumn(Leaf("x", PhysicalType::kInt32, false),
                        {PageV1(2, Encoding::kPlain, v), PageV1(3, Encoding::kPlain, v)}, 5),
              10, "d.parquet");
  ExpectError(r.status(), StatusCode::kCorruption,
              {"d.parquet", "row group 0", "column 'x'", "page 1 at offset", "PLAIN data"});
  // A column chunk whose physical type disagrees with the schema names both.
  ExpectError(read([](FileMetaData* md) {
                md->row_groups[0].columns[0].meta_data->type = PhysicalType::kDouble;
              }),
              StatusCode::kCorruption, {"'x'", "physical type DOUBLE", "INT32"});
}

TEST(ParquetReaderTest, UnsignedAndNanosecondConversions) {
  SchemaElement u = Leaf("u", PhysicalType::kInt32, false);
  u.converted_type = ConvertedType::kUint32;
  SchemaElement ns = Leaf("ns", PhysicalType::kInt64, false);
  LogicalTypeAnnotation ts = Logical(LogicalTypeAnnotation::Kind::kTimestamp);
  ts.unit = TimeUnit::kNanos;
  ns.logical_type = ts;
  TestColumn cu{
      u,
      CompressionCodec::kUncompressed,
      {{PageV1(3, Encoding::kPlain,
               Plain(std::vector<int32_t>{-1, 0, std::numeric_limits<int32_t>::min()}))}}};
  TestColumn cn{ns,
                CompressionCodec::kUncompressed,
                {{PageV1(3, Encoding::kPlain, Plain(std::vector<int64_t>{-1, 1999, -1001}))}}};
  ASSERT_OK_AND_ASSIGN(Table t, ReadAll(BuildFile({cu, cn}, {3})));
  // Nanoseconds are kept (they were truncated to microseconds before).
  EXPECT_EQ(t.schema->field(1).Describe(), "long (timestamp-nanos)");
  EXPECT_EQ(t.rows, (Rows{{"4294967295", "-1"}, {"0", "1999"}, {"2147483648", "-1001"}}));
}

TEST(ParquetReaderTest, EnumsFromTheAvroSchema) {
  SchemaElement e = Leaf("color", PhysicalType::kByteArray, false);
  e.logical_type = Logical(LogicalTypeAnnotation::Kind::kString);
  const std::vector<KeyValue> kv = {
      {"parquet.avro.schema",
       R"({"type":"record","name":"r","fields":[{"name":"color","type":{"type":"enum","name":"Color","symbols":["RED","GREEN","BLUE"]}}]})"}};
  TestColumn c{e,
               CompressionCodec::kUncompressed,
               {{PageV1(3, Encoding::kPlain, PlainStrings({"BLUE", "RED", "GREEN"}))}}};
  ASSERT_OK_AND_ASSIGN(Table t, ReadAll(BuildFile({c}, {3}, kv)));
  EXPECT_EQ(t.schema->field(0).type, Type::kEnum);
  EXPECT_EQ(FirstColumn(t), (std::vector<std::string>{"2", "0", "1"}));
  c.chunks[0][0] = PageV1(2, Encoding::kPlain, PlainStrings({"RED", "PURPLE"}));
  Result<Table> bad = ReadAll(BuildFile({c}, {2}, kv));
  ExpectError(bad.status(), StatusCode::kCorruption, {"'color'", "'PURPLE'", "Color"});
}

TEST(ParquetReaderTest, AllNullColumnOfUnknownType) {
  SchemaElement e = Leaf("n", PhysicalType::kInt32, true);
  e.logical_type = Logical(LogicalTypeAnnotation::Kind::kNull);
  ASSERT_OK_AND_ASSIGN(Table t,
                       ReadAll(OneColumn(e, {PageV1(3, Encoding::kPlain, "", {0, 0, 0})}, 3)));
  EXPECT_EQ(t.schema->field(0).type, Type::kNull);
  EXPECT_EQ(FirstColumn(t), (std::vector<std::string>{"null", "null", "null"}));
}

TEST(ParquetReaderTest, FooterChecks) {
  const std::string good =
      OneColumn(Leaf("x", PhysicalType::kInt32, false),
                {PageV1(1, Encoding::kPlain, Plain(std::vector<int32_t>{1}))}, 1);
  ASSERT_OK(ReadAll(good));
  std::string encrypted = good;
  encrypted.replace(encrypted.size() - 4, 4, "PARE");
  ExpectError(ReadAll(encrypted, 10, "enc.parquet").status(), StatusCode::kUnimplemented,
              {"enc.parquet", "encrypted"});
  std::string no_head = good;
  no_head[0] = 'X';
  ExpectError(ReadAll(no_head).status(), StatusCode::kCorruption, {"PAR1"});
  std::string long_footer = good;
  long_footer.replace(long_footer.size() - 8, 4, Le32(1u << 30));
  ExpectError(ReadAll(long_footer).status(), StatusCode::kCorruption, {"footer length"});
  ExpectError(ReadAll("PAR1PAR1").status(), StatusCode::kCorruption, {"too short"});
}

TEST(ParquetReaderTest, ColumnNamesMustBeText) {
  const std::string bad =
      OneColumn(Leaf("bad\xff", PhysicalType::kInt32, false),
                {PageV1(1, Encoding::kPlain, Plain(std::vector<int32_t>{1}))}, 1);
  ExpectError(ReadAll(bad).status(), StatusCode::kCorruption, {"UTF-8"});
  auto file = NewMemoryInputFile("bad.parquet", bad);
  ASSERT_OK_AND_ASSIGN(json d, DescribeParquet(file.get()));
  EXPECT_EQ(d["row_groups"][0]["columns"][0]["name"], "bad\xef\xbf\xbd");
  EXPECT_FALSE(d.dump().empty());
}

TEST(ParquetReaderTest, DescribeShowsTimestampsBeyondYear9999AsNumbers) {
  SchemaElement e = Leaf("t", PhysicalType::kInt64, false);
  e.logical_type = Logical(LogicalTypeAnnotation::Kind::kTimestamp);
  TestColumn c{e,
               CompressionCodec::kUncompressed,
               {{PageV1(1, Encoding::kPlain, Plain(std::vector<int64_t>{0}))}}};
  const int64_t lo = std::numeric_limits<int64_t>::min();
  const int64_t hi = 1700000000000000;
  const std::string bytes = BuildFile({c}, {1}, {}, [&](FileMetaData* md) {
    Statistics& st = md->row_groups[0].columns[0].meta_data->statistics.emplace();
    st.min_value = Plain(std::vector<int64_t>{lo});
    st.max_value = Plain(std::vector<int64_t>{hi});
  });
  auto file = NewMemoryInputFile("t.parquet", bytes);
  ASSERT_OK_AND_ASSIGN(json d, DescribeParquet(file.get()));
  const json& col = d["row_groups"][0]["columns"][0];
  EXPECT_EQ(col["min"], lo);
  EXPECT_EQ(col["max"], "2023-11-14T22:13:20Z");
}

TEST(ParquetReaderTest, ColumnChunkMetadataIsValidated) {
  TestColumn c{Leaf("x", PhysicalType::kInt32, false),
               CompressionCodec::kUncompressed,
               {{PageV1(1, Encoding::kPlain, Plain(std::vector<int32_t>{1}))}}};
  const auto with = [&](const std::function<void(FileMetaData*)>& tweak) {
    return ReadAll(BuildFile({c}, {1}, {}, tweak), 10, "meta.parquet").status();
  };
  ExpectError(with([](FileMetaData* md) {
                md->row_groups[0].columns[0].meta_data->path_in_schema = {"y"};
              }),
              StatusCode::kCorruption, {"meta.parquet", "row group 0", "'x'", "path_in_schema"});
  ExpectError(with([](FileMetaData* md) {
                md->row_groups[0].columns[0].meta_data->data_page_offset = 1 << 20;
              }),
              StatusCode::kCorruption, {"'x'", "outside"});
  ExpectError(with([](FileMetaData* md) {
                md->row_groups[0].columns[0].meta_data->total_compressed_size = 1 << 20;
              }),
              StatusCode::kCorruption, {"'x'", "outside"});
  ExpectError(with([](FileMetaData* md) {
                md->row_groups[0].columns[0].meta_data->type = PhysicalType::kInt64;
              }),
              StatusCode::kCorruption, {"'x'", "physical type"});
  ExpectError(
      with([](FileMetaData* md) { md->row_groups[0].columns[0].meta_data->num_values = 5; }),
      StatusCode::kCorruption, {"'x'", "5 values"});
  ExpectError(with([](FileMetaData* md) { md->row_groups[0].columns[0].meta_data.reset(); }),
              StatusCode::kCorruption, {"'x'", "no metadata"});
  ExpectError(with([](FileMetaData* md) { md->num_rows = 7; }), StatusCode::kCorruption, {"rows"});
  // A codec id this reader does not know may come from a newer writer: the
  // feature is named (CodecIdNewerThanTheReaderIsUnsupported).
  ExpectError(with([](FileMetaData* md) {
                md->row_groups[0].columns[0].meta_data->codec = static_cast<CompressionCodec>(99);
              }),
              StatusCode::kUnimplemented, {"'x'", "codec"});
}

TEST(ParquetReaderTest, LargeHeadersAreReadThroughAGrowingWindow) {
  TestPage page = PageV1(1, Encoding::kPlain, Plain(std::vector<int32_t>{42}));
  Statistics& st = page.header.data_page_header->statistics.emplace();
  st.max_value = std::string(100000, 'z');
  ASSERT_OK_AND_ASSIGN(Table t,
                       ReadAll(OneColumn(Leaf("x", PhysicalType::kInt32, false), {page}, 1)));
  EXPECT_EQ(FirstColumn(t), (std::vector<std::string>{"42"}));
}

TEST(ParquetReaderTest, SkipsIndexPagesAndEmptyRowGroups) {
  TestPage index;
  index.header.type = PageType::kIndexPage;
  index.body = "junk";
  index.header.compressed_page_size = index.header.uncompressed_page_size = 4;
  TestColumn c{Leaf("x", PhysicalType::kInt32, false),
               CompressionCodec::kUncompressed,
               {{}, {index, PageV1(2, Encoding::kPlain, Plain(std::vector<int32_t>{1, 2}))}, {}}};
  ASSERT_OK_AND_ASSIGN(Table t, ReadAll(BuildFile({c}, {0, 2, 0})));
  EXPECT_EQ(FirstColumn(t), (std::vector<std::string>{"1", "2"}));
}

TEST(ParquetReaderTest, ErrorsAreSticky) {
  Result<Table> r =
      ReadAll(OneColumn(Leaf("x", PhysicalType::kInt32, false),
                        {PageV1(2, Encoding::kPlain, Plain(std::vector<int32_t>{1}))}, 2));
  ASSERT_FALSE(r.ok());
  ReadOptions options;
  options.batch_rows = 1;
  ASSERT_OK_AND_ASSIGN(
      auto reader,
      OpenParquetReader(
          NewMemoryInputFile(
              "x", OneColumn(Leaf("x", PhysicalType::kInt32, false),
                             {PageV1(2, Encoding::kPlain, Plain(std::vector<int32_t>{1}))}, 2)),
          options));
  RecordBatch batch(reader->schema());
  ASSERT_OK(reader->ReadBatch(&batch));
  const Status first = reader->ReadBatch(&batch).status();
  EXPECT_EQ(first.code(), StatusCode::kCorruption);
  EXPECT_EQ(reader->ReadBatch(&batch).status(), first);
  options.batch_rows = 0;
  EXPECT_EQ(OpenParquetReader(NewMemoryInputFile("x", "PAR1"), options).status().code(),
            StatusCode::kInvalidArgument);
}

// ------------------------------------------------------------ lakepipe's writer

constexpr char kRoundTripSchema[] = R"({"type": "record", "name": "rt", "fields": [
  {"name": "b", "type": "boolean"},
  {"name": "nb", "type": ["null", "boolean"]},
  {"name": "i", "type": "int"},
  {"name": "l", "type": ["null", "long"]},
  {"name": "f", "type": "float"},
  {"name": "d", "type": ["null", "double"]},
  {"name": "s", "type": ["null", "string"]},
  {"name": "by", "type": "bytes"},
  {"name": "e", "type": {"type": "enum", "name": "Suit", "symbols": ["HEARTS", "SPADES", "CLUBS"]}},
  {"name": "dt", "type": {"type": "int", "logicalType": "date"}},
  {"name": "tm", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}]},
  {"name": "tu", "type": {"type": "long", "logicalType": "timestamp-micros"}},
  {"name": "u", "type": ["null", {"type": "string", "logicalType": "uuid"}]},
  {"name": "n", "type": "null"}]})";

void FillRoundTripBatch(size_t rows, RecordBatch* batch) {
  std::mt19937_64 rng(99);
  for (size_t r = 0; r < rows; ++r) {
    const auto v = static_cast<int64_t>(rng());
    const bool null = r % 7 == 3;
    size_t c = 0;
    batch->column(c++).AppendBool(v % 2 == 0);
    if (null)
      batch->column(c++).AppendNull();
    else
      batch->column(c++).AppendBool(v % 3 == 0);
    batch->column(c++).AppendInt32(static_cast<int32_t>(v));
    if (null)
      batch->column(c++).AppendNull();
    else
      batch->column(c++).AppendInt64(r % 5 == 0 ? std::numeric_limits<int64_t>::min() : v);
    batch->column(c++).AppendFloat(r == 1 ? std::numeric_limits<float>::infinity()
                                          : static_cast<float>(v % 100000) / 8);
    if (null)
      batch->column(c++).AppendNull();
    else
      batch->column(c++).AppendDouble(static_cast<double>(v) / 3);
    if (r % 11 == 0)
      batch->column(c++).AppendNull();
    else
      batch->column(c++).AppendBytes(r % 4 == 0 ? "" : "s" + std::to_string(r % 40) + "é");
    batch->column(c++).AppendBytes(std::string(r % 5, static_cast<char>(r)));
    batch->column(c++).AppendInt32(static_cast<int32_t>(r % 3));
    batch->column(c++).AppendInt32(static_cast<int32_t>(r) - 3000);
    if (null)
      batch->column(c++).AppendNull();
    else
      batch->column(c++).AppendInt64(v / 1000);
    batch->column(c++).AppendInt64(v / 7);
    if (r % 2) {
      batch->column(c++).AppendNull();
    } else {
      batch->column(c++).AppendBytes(fmt::format("{:08x}-0000-4000-8000-{:012x}", r, r * 7));
    }
    batch->column(c++).AppendNull();
    batch->CommitRow();
  }
}

// Writes 5000 rows of every lakepipe type with `options`, reads them back
// and compares every value and the schema.
void RoundTrip(const ParquetWriteOptions& options, const std::string& path,
               size_t min_row_groups = 1) {
  ASSERT_OK_AND_ASSIGN(Schema parsed, Schema::FromAvroJson(kRoundTripSchema));
  const SchemaPtr schema = std::make_shared<const Schema>(std::move(parsed));
  RecordBatch written(schema);
  FillRoundTripBatch(5000, &written);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<OutputStream> out, OpenOutputStream(path));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<FileWriter> writer,
                       NewParquetWriter(std::move(out), schema, options));
  ASSERT_OK(writer->Write(written));
  ASSERT_OK(writer->Finish());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<InputFile> in, OpenInputFile(path));
  ReadOptions read_options;
  read_options.batch_rows = 777;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordReader> reader,
                       OpenParquetReader(std::move(in), read_options));
  const Schema& got = *reader->schema();
  ASSERT_EQ(got.num_fields(), schema->num_fields());
  for (size_t c = 0; c < got.num_fields(); ++c) {
    EXPECT_EQ(got.field(c).Describe(), schema->field(c).Describe()) << got.field(c).name;
  }
  EXPECT_EQ(got.field(8).symbols, schema->field(8).symbols);
  RecordBatch batch(reader->schema());
  size_t row = 0;
  int failures = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(bool more, reader->ReadBatch(&batch));
    if (!more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r, ++row) {
      for (size_t c = 0; c < batch.num_columns(); ++c) {
        const std::string want = CellText(written.column(c), row);
        const std::string have = CellText(batch.column(c), r);
        if (want != have && ++failures <= 10) {
          ADD_FAILURE() << "row " << row << " column " << got.field(c).name << ": " << have
                        << " != " << want;
        }
      }
    }
  }
  EXPECT_EQ(row, written.num_rows());
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<InputFile> again, OpenInputFile(path));
  ASSERT_OK_AND_ASSIGN(json d, DescribeParquet(again.get()));
  EXPECT_EQ(d["num_rows"], 5000);
  EXPECT_GE(d["row_groups"].size(), min_row_groups);
}

TEST(ParquetReaderRoundTripTest, ReadsWhatLakepipeWrites) {
  const std::string dir = lakepipe::testing::MakeTempDir("pqr-roundtrip");
  ParquetWriteOptions options;
  options.compression = "none";
  RoundTrip(options, dir + "/none.parquet");
  options.compression = "snappy";
  options.dictionary = false;
  RoundTrip(options, dir + "/snappy-plain.parquet");
  options.compression = "gzip";
  options.dictionary = true;
  RoundTrip(options, dir + "/gzip.parquet");
  options.compression = "zstd";
  options.page_bytes = 4096;
  options.row_group_bytes = 32 << 10;
  RoundTrip(options, dir + "/zstd-small.parquet", 2);
}

// Small pages with nulls: a page may be flushed on a null row before the
// dictionary payoff check; the dictionary those pages use must survive
// (a dropped dictionary once left RLE_DICTIONARY pages pointing at nothing).
TEST(ParquetReaderRoundTripTest, SmallPagesWithDictionaries) {
  const std::string dir = lakepipe::testing::MakeTempDir("pqr-roundtrip");
  ParquetWriteOptions options;
  options.compression = "gzip";
  options.page_bytes = 2048;
  RoundTrip(options, dir + "/gzip-2k.parquet");
}

}  // namespace
}  // namespace lakepipe::parquet

namespace lakepipe::parquet {
namespace {

// ReadOptions::columns: only the named column chunks are read.
TEST(ParquetReaderTest, ReadsOnlyTheWantedColumns) {
  auto field = [](std::string name, Type type) {
    Field f;
    f.name = std::move(name);
    f.type = type;
    return f;
  };
  auto schema = std::make_shared<const Schema>(
      "T", std::vector<Field>{field("a", Type::kInt), field("b", Type::kString),
                              field("c", Type::kLong)});
  RecordBatch batch(schema);
  for (int i = 0; i < 1000; ++i) {
    batch.column(0).AppendInt32(i);
    batch.column(1).AppendBytes(fmt::format("row {}", i));
    batch.column(2).AppendInt64(int64_t{i} * 1000);
    batch.CommitRow();
  }
  const std::string path = ::lakepipe::testing::MakeTempDir("prune") + "/t.parquet";
  {
    ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(path));
    ASSERT_OK_AND_ASSIGN(auto writer,
                         NewParquetWriter(std::move(out), schema, ParquetWriteOptions()));
    ASSERT_OK(writer->Write(batch));
    ASSERT_OK(writer->Finish());
  }
  ReadOptions o;
  o.columns = {"c", "a"};
  ASSERT_OK_AND_ASSIGN(auto in, OpenInputFile(path));
  ASSERT_OK_AND_ASSIGN(auto reader, OpenParquetReader(std::move(in), o));
  ASSERT_EQ(reader->schema()->num_fields(), 2u);  // in file order
  EXPECT_EQ(reader->schema()->field(0).name, "a");
  EXPECT_EQ(reader->schema()->field(1).name, "c");
  RecordBatch got(reader->schema());
  uint64_t rows = 0;
  for (bool more = true; more;) {
    ASSERT_OK_AND_ASSIGN(more, reader->ReadBatch(&got));
    for (size_t i = 0; i < got.num_rows(); ++i, ++rows) {
      ASSERT_EQ(got.column(0).GetInt32(i), static_cast<int32_t>(rows));
      ASSERT_EQ(got.column(1).GetInt64(i), static_cast<int64_t>(rows) * 1000);
    }
  }
  EXPECT_EQ(rows, 1000u);
  // A column the file lacks: every column is read (the caller projects).
  o.columns = {"a", "missing"};
  ASSERT_OK_AND_ASSIGN(in, OpenInputFile(path));
  ASSERT_OK_AND_ASSIGN(reader, OpenParquetReader(std::move(in), o));
  EXPECT_EQ(reader->schema()->num_fields(), 3u);
}

}  // namespace
}  // namespace lakepipe::parquet

// ------------------------------------------------------------ nested files

namespace lakepipe::parquet {
namespace {

// One leaf of a hand-built nested file: its levels and PLAIN values.
struct NestedLeaf {
  std::vector<std::string> path;
  PhysicalType type;
  int max_def;
  int max_rep;
  std::vector<uint8_t> def;
  std::vector<uint8_t> rep;
  std::string values;
};

std::string Levels(const std::vector<uint8_t>& levels, int max) {
  int width = 0;
  for (int v = max; v != 0; v >>= 1) ++width;
  std::string l;
  RleEncodeBytes(levels.data(), levels.size(), width, &l);
  return Le32(static_cast<uint32_t>(l.size())) + l;
}

// `elements` is the schema below the root (with num_children set); one row
// group of `rows` rows, one v1 page per leaf.
std::string BuildNested(const std::vector<SchemaElement>& elements, int32_t root_children,
                        const std::vector<NestedLeaf>& leaves, int64_t rows,
                        const std::vector<KeyValue>& kv = {}) {
  std::string out = "PAR1";
  FileMetaData md;
  md.version = 1;
  SchemaElement root;
  root.name = "schema";
  root.num_children = root_children;
  md.schema.push_back(root);
  md.schema.insert(md.schema.end(), elements.begin(), elements.end());
  RowGroup rg;
  rg.num_rows = rows;
  md.num_rows = rows;
  for (const NestedLeaf& leaf : leaves) {
    std::string raw;
    if (leaf.max_rep > 0) raw += Levels(leaf.rep, leaf.max_rep);
    if (leaf.max_def > 0) raw += Levels(leaf.def, leaf.max_def);
    raw += leaf.values;
    TestPage p;
    p.header.type = PageType::kDataPage;
    p.header.uncompressed_page_size = static_cast<int32_t>(raw.size());
    p.header.compressed_page_size = static_cast<int32_t>(raw.size());
    DataPageHeader& d = p.header.data_page_header.emplace();
    d.num_values = static_cast<int32_t>(leaf.def.size());
    ColumnChunk cc;
    ColumnMetaData& m = cc.meta_data.emplace();
    m.type = leaf.type;
    m.path_in_schema = leaf.path;
    m.codec = CompressionCodec::kUncompressed;
    m.num_values = static_cast<int64_t>(leaf.def.size());
    m.data_page_offset = static_cast<int64_t>(out.size());
    m.encodings = {Encoding::kPlain, Encoding::kRle};
    const size_t start = out.size();
    SerializePageHeader(p.header, &out);
    out += raw;
    m.total_compressed_size = static_cast<int64_t>(out.size() - start);
    m.total_uncompressed_size = m.total_compressed_size;
    rg.columns.push_back(std::move(cc));
  }
  md.row_groups.push_back(std::move(rg));
  md.key_value_metadata = kv;
  std::string footer;
  SerializeFileMetaData(md, &footer);
  return out + footer + Le32(static_cast<uint32_t>(footer.size())) + "PAR1";
}

SchemaElement Group(std::string name, Repetition repetition, int32_t children,
                    std::optional<ConvertedType> converted = std::nullopt) {
  SchemaElement e;
  e.name = std::move(name);
  e.repetition = repetition;
  e.num_children = children;
  e.converted_type = converted;
  return e;
}

SchemaElement Prim(std::string name, PhysicalType type, Repetition repetition,
                   std::optional<ConvertedType> converted = std::nullopt) {
  SchemaElement e;
  e.name = std::move(name);
  e.type = type;
  e.repetition = repetition;
  e.converted_type = converted;
  return e;
}

constexpr Repetition kReq = Repetition::kRequired;
constexpr Repetition kOpt = Repetition::kOptional;
constexpr Repetition kRep = Repetition::kRepeated;
constexpr PhysicalType kBin = PhysicalType::kByteArray;
constexpr PhysicalType kI32 = PhysicalType::kInt32;

std::vector<std::string> Json(const std::string& file, std::vector<std::string> columns = {}) {
  for (size_t batch : {size_t{1}, size_t{2}, size_t{7}, size_t{8192}}) {
    Result<std::vector<std::string>> rows = RowsJson(file, batch, columns);
    EXPECT_OK(rows.status());
    if (!rows.ok()) return {};
    if (batch == 8192) return *rows;
    EXPECT_EQ(*rows, *RowsJson(file, 8192, columns)) << "in batches of " << batch;
  }
  return {};
}

TEST(ParquetNestedReadTest, ThreeLevelListOfNullableStrings) {
  // LogicalTypes.md: optional group my_list (LIST) { repeated group list {
  // optional binary element (STRING); } }
  const std::string file =
      BuildNested({Group("my_list", kOpt, 1, ConvertedType::kList), Group("list", kRep, 1),
                   Prim("element", kBin, kOpt, ConvertedType::kUtf8)},
                  1,
                  {{{"my_list", "list", "element"},
                    kBin,
                    3,
                    1,
                    {3, 2, 0, 1, 3},
                    {0, 1, 0, 0, 0},
                    PlainStrings({"a", "b"})}},
                  4);
  EXPECT_EQ(Json(file),
            (std::vector<std::string>{R"({"my_list": ["a", null]})", R"({"my_list": null})",
                                      R"({"my_list": []})", R"({"my_list": ["b"]})"}));
  ASSERT_OK_AND_ASSIGN(Table t, ReadAll(file));
  EXPECT_EQ(t.schema->field(0).Describe(), "nullable list<nullable string>");
}

TEST(ParquetNestedReadTest, TwoLevelListOfARepeatedPrimitive) {
  // required group my_list (LIST) { repeated int32 element; }
  const std::string file =
      BuildNested({Group("my_list", kReq, 1, ConvertedType::kList), Prim("element", kI32, kRep)}, 1,
                  {{{"my_list", "element"},
                    kI32,
                    1,
                    1,
                    {1, 1, 0, 1},
                    {0, 1, 0, 0},
                    Plain(std::vector<int32_t>{1, 2, 3})}},
                  3);
  EXPECT_EQ(Json(file), (std::vector<std::string>{R"({"my_list": [1, 2]})", R"({"my_list": []})",
                                                  R"({"my_list": [3]})"}));
}

TEST(ParquetNestedReadTest, RepeatedGroupOfSeveralFieldsIsTheElement) {
  // optional group my_list (LIST) { repeated group element { required
  // binary str (STRING); required int32 num; } }
  const std::string file = BuildNested(
      {Group("my_list", kOpt, 1, ConvertedType::kList), Group("element", kRep, 2),
       Prim("str", kBin, kReq, ConvertedType::kUtf8), Prim("num", kI32, kReq)},
      1,
      {{{"my_list", "element", "str"}, kBin, 2, 1, {2, 2, 0}, {0, 1, 0}, PlainStrings({"x", "y"})},
       {{"my_list", "element", "num"},
        kI32,
        2,
        1,
        {2, 2, 0},
        {0, 1, 0},
        Plain(std::vector<int32_t>{1, 2})}},
      2);
  EXPECT_EQ(Json(file), (std::vector<std::string>{
                            R"({"my_list": [{"str": "x", "num": 1}, {"str": "y", "num": 2}]})",
                            R"({"my_list": null})"}));
}

TEST(ParquetNestedReadTest, ArrayAndTupleNamesMakeOneFieldStructElements) {
  for (const char* middle : {"array", "my_list_tuple"}) {
    SCOPED_TRACE(middle);
    const std::string file = BuildNested(
        {Group("my_list", kOpt, 1, ConvertedType::kList), Group(middle, kRep, 1),
         Prim("str", kBin, kReq, ConvertedType::kUtf8)},
        1, {{{"my_list", middle, "str"}, kBin, 2, 1, {2, 2}, {0, 1}, PlainStrings({"x", "y"})}}, 1);
    EXPECT_EQ(Json(file),
              (std::vector<std::string>{R"({"my_list": [{"str": "x"}, {"str": "y"}]})"}));
  }
  // Any other name: a 3-level list whose element is the one field.
  const std::string file = BuildNested(
      {Group("my_list", kOpt, 1, ConvertedType::kList), Group("list", kRep, 1),
       Prim("str", kBin, kReq, ConvertedType::kUtf8)},
      1, {{{"my_list", "list", "str"}, kBin, 2, 1, {2, 2}, {0, 1}, PlainStrings({"x", "y"})}}, 1);
  EXPECT_EQ(Json(file), (std::vector<std::string>{R"({"my_list": ["x", "y"]})"}));
}

TEST(ParquetNestedReadTest, RepeatedFieldsWithoutAnnotationAreRequiredLists) {
  // repeated int32 num; repeated group foo { required int32 a; }
  const std::string file = BuildNested(
      {Prim("num", kI32, kRep), Group("foo", kRep, 1), Prim("a", kI32, kReq)}, 2,
      {{{"num"}, kI32, 1, 1, {1, 1, 0}, {0, 1, 0}, Plain(std::vector<int32_t>{1, 2})},
       {{"foo", "a"}, kI32, 1, 1, {0, 1, 1}, {0, 0, 1}, Plain(std::vector<int32_t>{3, 4})}},
      2);
  EXPECT_EQ(Json(file), (std::vector<std::string>{R"({"num": [1, 2], "foo": []})",
                                                  R"({"num": [], "foo": [{"a": 3}, {"a": 4}]})"}));
  ASSERT_OK_AND_ASSIGN(Table t, ReadAll(file));
  EXPECT_EQ(t.schema->field(0).Describe(), "list<int>");
  EXPECT_EQ(t.schema->field(1).Describe(), "list<struct {a: int}>");
  // Projection by top-level name reads every leaf below it.
  EXPECT_EQ(Json(file, {"foo"}),
            (std::vector<std::string>{R"({"foo": []})", R"({"foo": [{"a": 3}, {"a": 4}]})"}));
}

TEST(ParquetNestedReadTest, MapsAndLegacyMapKeyValue) {
  // optional group m (MAP) { repeated group key_value { required binary
  // key (STRING); optional int32 value; } }, with field ids.
  SchemaElement m = Group("m", kOpt, 1, ConvertedType::kMap);
  m.field_id = 1;
  SchemaElement key = Prim("key", kBin, kReq, ConvertedType::kUtf8);
  key.field_id = 2;
  SchemaElement value = Prim("value", kI32, kOpt);
  value.field_id = 3;
  // required group legacy (MAP_KEY_VALUE) { repeated group map { ... } }
  const std::string file = BuildNested(
      {m, Group("key_value", kRep, 2), key, value,
       Group("legacy", kReq, 1, ConvertedType::kMapKeyValue), Group("map", kRep, 2),
       Prim("key", kBin, kReq, ConvertedType::kUtf8), Prim("value", kI32, kOpt)},
      2,
      {{{"m", "key_value", "key"},
        kBin,
        2,
        1,
        {2, 2, 0, 1},
        {0, 1, 0, 0},
        PlainStrings({"a", "b"})},
       {{"m", "key_value", "value"},
        kI32,
        3,
        1,
        {3, 2, 0, 1},
        {0, 1, 0, 0},
        Plain(std::vector<int32_t>{1})},
       {{"legacy", "map", "key"}, kBin, 1, 1, {1, 0, 1}, {0, 0, 0}, PlainStrings({"k", "z"})},
       {{"legacy", "map", "value"},
        kI32,
        2,
        1,
        {2, 0, 1},
        {0, 0, 0},
        Plain(std::vector<int32_t>{5})}},
      3);
  EXPECT_EQ(Json(file),
            (std::vector<std::string>{R"({"m": {"a": 1, "b": null}, "legacy": {"k": 5}})",
                                      R"({"m": null, "legacy": {}})",
                                      R"({"m": {}, "legacy": {"z": null}})"}));
  ASSERT_OK_AND_ASSIGN(Table t, ReadAll(file));
  const Field& f = t.schema->field(0);
  EXPECT_EQ(f.Describe(), "nullable map<string, nullable int>");
  EXPECT_EQ(f.field_id, 1);
  EXPECT_EQ(f.children.at(0).field_id, 2);
  EXPECT_EQ(f.children.at(1).field_id, 3);
}

TEST(ParquetNestedReadTest, MapsWithKeysThatAreNotTextAreAvroArraysOfEntries) {
  // optional group m (MAP) { repeated group key_value { required int32 key;
  // optional int32 value; } }: Avro maps take string keys only.
  const std::string file = BuildNested(
      {Group("m", kOpt, 1, ConvertedType::kMap), Group("key_value", kRep, 2),
       Prim("key", kI32, kReq), Prim("value", kI32, kOpt)},
      1,
      {{{"m", "key_value", "key"}, kI32, 2, 1, {2, 0}, {0, 0}, Plain(std::vector<int32_t>{7})},
       {{"m", "key_value", "value"}, kI32, 3, 1, {3, 0}, {0, 0}, Plain(std::vector<int32_t>{70})}},
      2);
  ASSERT_OK_AND_ASSIGN(Table t, ReadAll(file));
  const Field& f = t.schema->field(0);
  EXPECT_TRUE(f.avro_map_as_array);
  const std::string avro = t.schema->ToAvroJson();
  EXPECT_NE(avro.find(R"("type":"array","logicalType":"map")"), std::string::npos) << avro;
  ASSERT_OK_AND_ASSIGN(Schema back, Schema::FromAvroJson(avro));
  EXPECT_EQ(back.field(0).kind(), Kind::kMap);
  EXPECT_EQ(back.field(0).children.at(0).kind(), Kind::kInt32);
}

TEST(ParquetNestedReadTest, AnAvroSchemaThatAgreesGivesEnumsInsideStructs) {
  const std::vector<SchemaElement> schema = {Group("s", kOpt, 1),
                                             Prim("color", kBin, kReq, ConvertedType::kEnum)};
  const std::vector<NestedLeaf> leaves = {
      {{"s", "color"}, kBin, 1, 0, {1, 0, 1}, {0, 0, 0}, PlainStrings({"GREEN", "RED"})}};
  const std::string avro =
      R"({"type":"record","name":"r","fields":[{"name":"s","type":["null",{"type":"record",)"
      R"("name":"S","fields":[{"name":"color","type":{"type":"enum","name":"Color",)"
      R"("symbols":["RED","GREEN"]}}]}]}]})";
  const std::string file = BuildNested(schema, 1, leaves, 3, {{"parquet.avro.schema", avro}});
  EXPECT_EQ(Json(file), (std::vector<std::string>{R"({"s": {"color": "GREEN"}})", R"({"s": null})",
                                                  R"({"s": {"color": "RED"}})"}));
  ASSERT_OK_AND_ASSIGN(Table t, ReadAll(file));
  EXPECT_EQ(t.schema->field(0).children.at(0).kind(), Kind::kEnum);
  // One that disagrees (another field name) is ignored.
  std::string other = avro;
  other.replace(other.find("color"), 5, "shade");
  ASSERT_OK_AND_ASSIGN(
      Table u, ReadAll(BuildNested(schema, 1, leaves, 3, {{"parquet.avro.schema", other}})));
  EXPECT_EQ(u.schema->field(0).Describe(), "nullable struct {color: string (enum)}");
}

TEST(ParquetNestedReadTest, LogicalAnnotationsMapToTheTypeModel) {
  // DECIMAL on BYTE_ARRAY (big-endian two's complement, any length).
  SchemaElement dec = Prim("d", kBin, kOpt, ConvertedType::kDecimal);
  dec.precision = 5;
  dec.scale = 2;
  SchemaElement json = Prim("j", kBin, kReq, ConvertedType::kJson);
  SchemaElement bson = Prim("b", kBin, kReq, ConvertedType::kBson);
  SchemaElement geo = Prim("g", kBin, kReq);
  LogicalTypeAnnotation g = Logical(LogicalTypeAnnotation::Kind::kGeography);
  g.crs = "EPSG:4326";
  g.algorithm = 1;
  geo.logical_type = g;
  SchemaElement interval =
      Prim("iv", PhysicalType::kFixedLenByteArray, kReq, ConvertedType::kInterval);
  interval.type_length = 12;
  SchemaElement nanos = Prim("tn", PhysicalType::kInt64, kReq);
  LogicalTypeAnnotation t = Logical(LogicalTypeAnnotation::Kind::kTime);
  t.unit = TimeUnit::kNanos;
  nanos.logical_type = t;
  SchemaElement i8 = Prim("i8", kI32, kReq, ConvertedType::kInt8);
  const std::string iv(12, '\x01');
  const std::string file = BuildNested(
      {dec, json, bson, geo, interval, nanos, i8}, 7,
      {{{"d"},
        kBin,
        1,
        0,
        {1, 1, 0},
        {0, 0, 0},
        PlainStrings({std::string("\x04\xd2", 2), std::string("\xff\x85", 2)})},
       {{"j"}, kBin, 0, 0, {0, 0, 0}, {0, 0, 0}, PlainStrings({"{}", "[1]", "2"})},
       {{"b"}, kBin, 0, 0, {0, 0, 0}, {0, 0, 0}, PlainStrings({"a", "b", "c"})},
       {{"g"}, kBin, 0, 0, {0, 0, 0}, {0, 0, 0}, PlainStrings({"p", "q", "r"})},
       {{"iv"}, PhysicalType::kFixedLenByteArray, 0, 0, {0, 0, 0}, {0, 0, 0}, iv + iv + iv},
       {{"tn"},
        PhysicalType::kInt64,
        0,
        0,
        {0, 0, 0},
        {0, 0, 0},
        Plain(std::vector<int64_t>{1, 2, 3})},
       {{"i8"}, kI32, 0, 0, {0, 0, 0}, {0, 0, 0}, Plain(std::vector<int32_t>{-128, 0, 127})}},
      3);
  ASSERT_OK_AND_ASSIGN(Table tbl, ReadAll(file));
  const Schema& s = *tbl.schema;
  EXPECT_EQ(s.field(0).Describe(), "nullable bytes (decimal(5, 2))");
  EXPECT_EQ(s.field(1).Describe(), "string (json)");
  EXPECT_EQ(s.field(2).Describe(), "bytes (bson)");
  EXPECT_EQ(s.field(3).type_attributes,
            nlohmann::json::parse(
                R"({"logicalType": "geography", "crs": "EPSG:4326", "algorithm": "vincenty"})"));
  EXPECT_EQ(s.field(4).Describe(), "fixed(12) (duration)");
  EXPECT_EQ(s.field(5).Describe(), "long (time-nanos)");
  EXPECT_EQ(s.field(6).kind(), Kind::kInt8);
  const std::vector<std::string> rows = Json(file);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].substr(0, 27), R"({"d": 12.34, "j": "{}", "b")");
  EXPECT_EQ(rows[1].substr(0, 28), R"({"d": -1.23, "j": "[1]", "b")");
  EXPECT_EQ(rows[2].substr(0, 25), R"({"d": null, "j": "2", "b")");
  EXPECT_NE(rows[0].find(R"("i8": -128})"), std::string::npos) << rows[0];
}

TEST(ParquetNestedReadTest, DuckDBFilesReadTheSameInAnyBatchSize) {
  // Made by DuckDB (copies of fuzz/seeds/parquet/deep_v2.parquet and
  // nested_v1.parquet); the rows below are DuckDB's to_json of them.
  const std::vector<std::string> deep = Json(ReadTestFile("nested_deep_v2.parquet"));
  ASSERT_EQ(deep.size(), 40u);
  EXPECT_EQ(deep[0], R"({"deep": null, "grid": [[0], null, []]})");
  EXPECT_EQ(deep[1], R"({"deep": [], "grid": [[1], null, []]})");
  EXPECT_EQ(deep[2],
            R"({"deep": [{"l": [{"x": [2, null]}, null, {}]}, null], "grid": [[2], null, []]})");
  const std::vector<std::string> levels = Json(ReadTestFile("nested_levels_v1.parquet"));
  ASSERT_EQ(levels.size(), 40u);
  EXPECT_EQ(levels[1], R"({"l": [], "s": {"a": 1, "b": {"c": "x1"}}, "m": {}})");
  EXPECT_EQ(levels[2], R"({"l": [2, null], "s": {"a": 2, "b": null}, "m": {"k": 2, "z": null}})");
  EXPECT_EQ(levels[3], R"({"l": [3, null], "s": null, "m": null})");
}

TEST(ParquetNestedReadTest, InconsistentLevelsAreCorruptionNamingTheColumn) {
  // The second leaf of the struct element counts three records where the
  // first counts two.
  const std::string file = BuildNested(
      {Group("my_list", kOpt, 1, ConvertedType::kList), Group("element", kRep, 2),
       Prim("str", kBin, kReq, ConvertedType::kUtf8), Prim("num", kI32, kReq)},
      1,
      {{{"my_list", "element", "str"}, kBin, 2, 1, {2, 2, 0}, {0, 1, 0}, PlainStrings({"x", "y"})},
       {{"my_list", "element", "num"},
        kI32,
        2,
        1,
        {2, 2, 0},
        {0, 0, 0},
        Plain(std::vector<int32_t>{1, 2})}},
      2);
  ExpectError(ReadAll(file).status(), StatusCode::kCorruption,
              {"test.parquet", "row group 0", "'my_list.element.num'"});
  // A definition level above the column's maximum (2) names the page.
  ExpectError(ReadAll(BuildNested({Group("my_list", kOpt, 1, ConvertedType::kList),
                                   Group("list", kRep, 1), Prim("element", kI32, kReq)},
                                  1,
                                  {{{"my_list", "list", "element"},
                                    kI32,
                                    2,
                                    1,
                                    {3, 3},
                                    {0, 1},
                                    Plain(std::vector<int32_t>{1, 2})}},
                                  1))
                  .status(),
              StatusCode::kCorruption, {"'my_list.list.element'", "page 0", "definition level"});
}

}  // namespace
}  // namespace lakepipe::parquet

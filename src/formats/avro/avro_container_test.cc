#include "formats/avro/avro_container.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "compress/codec.h"
#include "core/testing.h"
#include "formats/avro/avro_datum.h"
#include "formats/avro/avro_format.h"
#include "storage/memory_file.h"

namespace lakepipe::avro {
namespace {

namespace fs = std::filesystem;

SchemaPtr ParseSchema(std::string_view json) {
  Result<Schema> schema = Schema::FromAvroJson(json);
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  if (!schema.ok()) return std::make_shared<const Schema>();
  return std::make_shared<const Schema>(std::move(schema).value());
}

// Every supported type, plain, ["null", T] and [T, "null"].
std::string AllTypesSchemaJson() {
  const char* types[] = {
      R"("boolean")",
      R"("int")",
      R"("long")",
      R"("float")",
      R"("double")",
      R"("string")",
      R"("bytes")",
      R"({"type":"enum","name":"Color","symbols":["RED","GREEN","BLUE"]})",
      R"({"type":"int","logicalType":"date"})",
      R"({"type":"long","logicalType":"timestamp-millis"})",
      R"({"type":"long","logicalType":"timestamp-micros"})",
      R"({"type":"string","logicalType":"uuid"})",
  };
  std::string fields;
  int n = 0;
  auto add = [&](const std::string& type) {
    fields += (fields.empty() ? "" : ",") + fmt::format(R"({{"name":"f{}","type":{}}})", n++, type);
  };
  for (const char* t : types) {
    // A named type is defined once and referred to by name afterwards.
    const bool is_enum = std::string_view(t).find("enum") != std::string_view::npos;
    const std::string ref = is_enum ? R"("Color")" : t;
    add(t);
    add(fmt::format(R"(["null",{}])", ref));
    add(fmt::format(R"([{},"null"])", ref));
  }
  fields += fmt::format(R"(,{{"name":"f{}","type":"null"}})", n);
  return R"({"type":"record","name":"AllTypes","namespace":"lakepipe.test","doc":"every type","fields":[)" +
         fields + "]}";
}

// Deterministic values with the edge cases of each type.
void FillRows(RecordBatch* batch, size_t rows, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const Schema& schema = *batch->schema();
  const std::string texts[] = {"", "a", "h\xc3\xa9llo w\xc3\xb6rld", "\xf0\x9f\x98\x80 emoji",
                               std::string(300, 'z')};
  const std::string blobs[] = {std::string(), std::string("\x00", 1),
                               std::string("\xff\x00\x7f", 3)};
  const int32_t ints[] = {0, -1, 1, INT32_MIN, INT32_MAX, 42};
  const int64_t longs[] = {0, -1, 1, INT64_MIN, INT64_MAX, int64_t{1} << 40};
  const float floats[] = {0.0f,
                          -0.0f,
                          1.5f,
                          std::numeric_limits<float>::quiet_NaN(),
                          std::numeric_limits<float>::infinity(),
                          -std::numeric_limits<float>::infinity(),
                          std::numeric_limits<float>::denorm_min()};
  const double doubles[] = {0.0,
                            -0.0,
                            -2.25,
                            std::numeric_limits<double>::quiet_NaN(),
                            std::numeric_limits<double>::infinity(),
                            -std::numeric_limits<double>::infinity(),
                            1e-310};
  const int32_t dates[] = {0, -1, -719162, 2932896, 19000};  // 0001-01-01, 9999-12-31
  const int64_t stamps[] = {0, -1, -62135596800000, 253402300799999, 1700000000123};
  const std::string uuids[] = {"123e4567-e89b-12d3-a456-426614174000",
                               "00000000-0000-0000-0000-000000000000"};
  for (size_t row = 0; row < rows; ++row) {
    const uint64_t r = rng();
    for (size_t i = 0; i < schema.num_fields(); ++i) {
      const Field& f = schema.field(i);
      Column& c = batch->column(i);
      const size_t pick = static_cast<size_t>((r >> (i % 48)) + row);
      if (f.type == Type::kNull || (f.nullable && pick % 4 == 0)) {
        c.AppendNull();
        continue;
      }
      switch (f.type) {
        case Type::kBoolean:
          c.AppendBool(pick % 2 == 1);
          break;
        case Type::kInt:
          c.AppendInt32(f.logical == LogicalType::kDate ? dates[pick % 5] : ints[pick % 6]);
          break;
        case Type::kLong:
          c.AppendInt64(f.logical == LogicalType::kNone ? longs[pick % 6] : stamps[pick % 5]);
          break;
        case Type::kFloat:
          c.AppendFloat(floats[pick % 7]);
          break;
        case Type::kDouble:
          c.AppendDouble(doubles[pick % 7]);
          break;
        case Type::kString:
          c.AppendBytes(f.logical == LogicalType::kUuid ? uuids[pick % 2] : texts[pick % 5]);
          break;
        case Type::kBytes:
          c.AppendBytes(blobs[pick % 3]);
          break;
        case Type::kEnum:
          c.AppendInt32(static_cast<int32_t>(pick % f.symbols.size()));
          break;
        case Type::kNull:
          break;
      }
    }
    batch->CommitRow();
  }
}

// Compares the rows of `got` with rows [offset, offset + got.num_rows()) of `want`.
void ExpectSameRows(const RecordBatch& want, size_t offset, const RecordBatch& got) {
  ASSERT_EQ(want.num_columns(), got.num_columns());
  ASSERT_LE(offset + got.num_rows(), want.num_rows());
  for (size_t i = 0; i < want.num_columns(); ++i) {
    const Column& w = want.column(i);
    const Column& g = got.column(i);
    ASSERT_EQ(g.size(), got.num_rows());
    for (size_t row = 0; row < got.num_rows(); ++row) {
      const size_t wr = offset + row;
      ASSERT_EQ(w.IsNull(wr), g.IsNull(row)) << "column " << i << " row " << wr;
      if (w.IsNull(wr)) continue;
      switch (w.storage()) {
        case Storage::kNone:
          break;
        case Storage::kBool:
          ASSERT_EQ(w.GetBool(wr), g.GetBool(row)) << "column " << i << " row " << wr;
          break;
        case Storage::kInt32:
          ASSERT_EQ(w.GetInt32(wr), g.GetInt32(row)) << "column " << i << " row " << wr;
          break;
        case Storage::kInt64:
          ASSERT_EQ(w.GetInt64(wr), g.GetInt64(row)) << "column " << i << " row " << wr;
          break;
        case Storage::kFloat: {
          const float a = w.GetFloat(wr);
          const float b = g.GetFloat(row);
          ASSERT_EQ(std::memcmp(&a, &b, sizeof a), 0) << "column " << i << " row " << wr;
          break;
        }
        case Storage::kDouble: {
          const double a = w.GetDouble(wr);
          const double b = g.GetDouble(row);
          ASSERT_EQ(std::memcmp(&a, &b, sizeof a), 0) << "column " << i << " row " << wr;
          break;
        }
        case Storage::kBinary:
          ASSERT_EQ(w.GetBytes(wr), g.GetBytes(row)) << "column " << i << " row " << wr;
          break;
      }
    }
  }
}

class AvroContainerTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::MakeTempDir("avro"); }
  std::string Uri(const std::string& name) const { return "file://" + dir_ + "/" + name; }
  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // Writes `batches` to `name` and returns the file's bytes.
  Result<std::string> WriteFile(const std::string& name, const SchemaPtr& schema,
                                const std::vector<const RecordBatch*>& batches,
                                const AvroWriteOptions& options) {
    LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> out, OpenOutputStream(Uri(name)));
    LP_ASSIGN_OR_RETURN(std::unique_ptr<FileWriter> writer,
                        NewContainerWriter(std::move(out), schema, options));
    for (const RecordBatch* b : batches) LP_RETURN_IF_ERROR(writer->Write(*b));
    LP_RETURN_IF_ERROR(writer->Finish());
    LP_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> in, OpenInputFile(Uri(name)));
    if (writer->bytes_written() != in->size()) {
      return InternalError("bytes_written {} != file size {}", writer->bytes_written(), in->size());
    }
    return ReadWholeFile(in.get());
  }

  std::string dir_;
};

// `a` followed by `b` (same schema).
Result<RecordBatch> Concat(const RecordBatch& a, const RecordBatch& b) {
  LP_ASSIGN_OR_RETURN(DatumDecoder copy, DatumDecoder::Make(a.schema(), a.schema()));
  RecordBatch out(a.schema());
  std::string encoded;
  AppendDatums(a, 0, a.num_rows(), &encoded);
  AppendDatums(b, 0, b.num_rows(), &encoded);
  std::string_view cursor = encoded;
  while (!cursor.empty()) {
    std::string reason;
    LP_ASSIGN_OR_RETURN(bool added, copy.DecodeNext(&cursor, &out, &reason));
    if (!added) return InternalError("re-decoding failed: {}", reason);
  }
  return out;
}

// Reads every batch of `file` into one batch of the reader's schema.
Result<RecordBatch> ReadAll(std::unique_ptr<InputFile> file, ReadOptions options = {}) {
  LP_ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> reader,
                      OpenContainerReader(std::move(file), options));
  RecordBatch all(reader->schema());
  RecordBatch batch(reader->schema());
  while (true) {
    LP_ASSIGN_OR_RETURN(bool more, reader->ReadBatch(&batch));
    if (!more) break;
    if (batch.num_rows() == 0) return InternalError("ReadBatch returned true with no rows");
    if (batch.num_rows() > std::max<size_t>(options.batch_rows, 1)) {
      return InternalError("batch of {} rows exceeds batch_rows", batch.num_rows());
    }
    LP_ASSIGN_OR_RETURN(all, Concat(all, batch));
  }
  return all;
}

Result<RecordBatch> ReadAllBytes(std::string bytes, ReadOptions options = {}) {
  return ReadAll(NewMemoryInputFile("mem.avro", std::move(bytes)), std::move(options));
}

TEST_F(AvroContainerTest, RoundTripsEveryTypeWithEveryCodec) {
  SchemaPtr schema = ParseSchema(AllTypesSchemaJson());
  ASSERT_EQ(schema->num_fields(), 37u);
  RecordBatch first(schema);
  RecordBatch second(schema);
  FillRows(&first, 300, 1);
  FillRows(&second, 211, 2);
  for (const char* codec : {"null", "deflate", "snappy", "zstandard", "bzip2", "xz"}) {
    SCOPED_TRACE(codec);
    AvroWriteOptions options;
    options.codec = codec;
    options.block_bytes = 4096;
    const std::string name = std::string(codec) + ".avro";
    ASSERT_OK_AND_ASSIGN(std::string bytes, WriteFile(name, schema, {&first, &second}, options));
    EXPECT_EQ(bytes.substr(0, 4), std::string("Obj\x01", 4));

    ReadOptions read;
    read.batch_rows = 97;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<InputFile> in, OpenInputFile(Uri(name)));
    ASSERT_OK_AND_ASSIGN(RecordBatch all, ReadAll(std::move(in), read));
    ASSERT_EQ(all.num_rows(), 511u);
    ASSERT_OK_AND_ASSIGN(RecordBatch expected, Concat(first, second));
    ExpectSameRows(expected, 0, all);

    // The file's own schema text is kept verbatim.
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<InputFile> again, OpenInputFile(Uri(name)));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordReader> reader,
                         OpenContainerReader(std::move(again), ReadOptions()));
    EXPECT_EQ(reader->schema()->avro_json(), schema->avro_json());

    ASSERT_OK_AND_ASSIGN(std::unique_ptr<InputFile> for_describe, OpenInputFile(Uri(name)));
    ASSERT_OK_AND_ASSIGN(nlohmann::json facts, DescribeContainer(for_describe.get()));
    EXPECT_EQ(facts["format"], "avro");
    EXPECT_EQ(facts["codec"], codec);
    EXPECT_EQ(facts["num_rows"], 511);
    EXPECT_GT(facts["blocks"].get<int>(), 3);
    EXPECT_EQ(facts["file_size"], bytes.size());
    EXPECT_EQ(facts["sync_marker"].get<std::string>().size(), 32u);
    EXPECT_EQ(facts["schema"], schema->avro_json());
    EXPECT_TRUE(facts["metadata"].empty());
  }
}

TEST_F(AvroContainerTest, EmptyFileHasAHeaderAndNoBlocks) {
  SchemaPtr schema =
      ParseSchema(R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"}]})");
  ASSERT_OK_AND_ASSIGN(std::string bytes, WriteFile("empty.avro", schema, {}, AvroWriteOptions()));
  ASSERT_OK_AND_ASSIGN(RecordBatch all, ReadAllBytes(bytes));
  EXPECT_EQ(all.num_rows(), 0u);
  std::unique_ptr<InputFile> in = NewMemoryInputFile("e.avro", bytes);
  ASSERT_OK_AND_ASSIGN(nlohmann::json facts, DescribeContainer(in.get()));
  EXPECT_EQ(facts["num_rows"], 0);
  EXPECT_EQ(facts["blocks"], 0);
}

TEST_F(AvroContainerTest, BlocksAreCutAtBlockBytes) {
  SchemaPtr schema =
      ParseSchema(R"({"type":"record","name":"r","fields":[{"name":"s","type":"string"}]})");
  RecordBatch batch(schema);
  for (int i = 0; i < 100; ++i) {
    batch.column(0).AppendBytes(std::string(99, 'x'));  // 100 bytes encoded
    batch.CommitRow();
  }
  AvroWriteOptions options;
  options.block_bytes = 1000;
  ASSERT_OK_AND_ASSIGN(std::string bytes, WriteFile("cut.avro", schema, {&batch}, options));
  std::unique_ptr<InputFile> in = NewMemoryInputFile("cut.avro", bytes);
  ASSERT_OK_AND_ASSIGN(nlohmann::json facts, DescribeContainer(in.get()));
  EXPECT_EQ(facts["blocks"], 10);
  EXPECT_EQ(facts["num_rows"], 100);
}

TEST_F(AvroContainerTest, HeaderHoldsTheSchemaTextAndCodecName) {
  // Original text, with its spacing, doc and custom attributes.
  const std::string text =
      R"({ "type": "record", "name": "r", "doc": "kept", "x-custom": 1,
           "fields": [ {"name": "a", "type": "int", "default": 3, "doc": "an int"} ] })";
  SchemaPtr schema = ParseSchema(text);
  struct {
    const char* given;
    const char* stored;
  } cases[] = {
      {"none", "null"}, {"zstd", "zstandard"}, {"deflate", "deflate"}, {"snappy", "snappy"}};
  for (const auto& c : cases) {
    AvroWriteOptions options;
    options.codec = c.given;
    ASSERT_OK_AND_ASSIGN(std::string bytes,
                         WriteFile(std::string(c.given) + ".avro", schema, {}, options));
    std::string expected_meta;
    AppendLong(2, &expected_meta);
    AppendBytes("avro.schema", &expected_meta);
    AppendBytes(text, &expected_meta);
    AppendBytes("avro.codec", &expected_meta);
    AppendBytes(c.stored, &expected_meta);
    AppendLong(0, &expected_meta);
    EXPECT_EQ(bytes.substr(4, expected_meta.size()), expected_meta);
    EXPECT_EQ(bytes.size(), 4 + expected_meta.size() + 16);
  }
}

TEST_F(AvroContainerTest, SyncMarkersDifferBetweenFiles) {
  SchemaPtr schema =
      ParseSchema(R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"}]})");
  ASSERT_OK_AND_ASSIGN(std::string a, WriteFile("a.avro", schema, {}, AvroWriteOptions()));
  ASSERT_OK_AND_ASSIGN(std::string b, WriteFile("b.avro", schema, {}, AvroWriteOptions()));
  ASSERT_EQ(a.size(), b.size());
  EXPECT_NE(a.substr(a.size() - 16), b.substr(b.size() - 16));
}

TEST_F(AvroContainerTest, UnknownCodecAndInvalidNamesAreRejected) {
  SchemaPtr schema =
      ParseSchema(R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"}]})");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<OutputStream> out, OpenOutputStream(Uri("x.avro")));
  AvroWriteOptions options;
  options.codec = "lz4";
  Result<std::unique_ptr<FileWriter>> writer = NewContainerWriter(std::move(out), schema, options);
  EXPECT_EQ(writer.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(writer.status().message().find("'lz4'"), std::string::npos);
  EXPECT_NE(writer.status().message().find("null, deflate, snappy, zstandard, bzip2, xz"),
            std::string::npos);

  // Schemas inferred from CSV headers may carry names Avro forbids.
  Field bad;
  bad.name = "first name";
  bad.type = Type::kString;
  auto csv_schema = std::make_shared<const Schema>("people", std::vector<Field>{bad});
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<OutputStream> out2, OpenOutputStream(Uri("y.avro")));
  Result<std::unique_ptr<FileWriter>> w2 =
      NewContainerWriter(std::move(out2), csv_schema, AvroWriteOptions());
  EXPECT_EQ(w2.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(w2.status().message().find("field 'first name'"), std::string::npos)
      << w2.status().message();
  EXPECT_NE(w2.status().message().find("rename it (e.g. to 'first_name')"), std::string::npos)
      << w2.status().message();
  Field digit;
  digit.name = "1st";
  digit.type = Type::kInt;
  EXPECT_EQ(CheckAvroNames(Schema("r", {digit})).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(AvroContainerTest, AbortAndDestructionLeaveNoFile) {
  SchemaPtr schema =
      ParseSchema(R"({"type":"record","name":"r","fields":[{"name":"a","type":"long"}]})");
  RecordBatch batch(schema);
  for (int i = 0; i < 1000; ++i) {
    batch.column(0).AppendInt64(i);
    batch.CommitRow();
  }
  AvroWriteOptions options;
  options.block_bytes = 100;
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<OutputStream> out, OpenOutputStream(Uri("aborted.avro")));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<FileWriter> writer,
                         NewContainerWriter(std::move(out), schema, options));
    ASSERT_OK(writer->Write(batch));
    writer->Abort();
    writer->Abort();
    EXPECT_EQ(writer->Write(batch).code(), StatusCode::kFailedPrecondition);
    EXPECT_EQ(writer->Finish().code(), StatusCode::kFailedPrecondition);
  }
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<OutputStream> out, OpenOutputStream(Uri("dropped.avro")));
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<FileWriter> writer,
                         NewContainerWriter(std::move(out), schema, options));
    ASSERT_OK(writer->Write(batch));
  }
  EXPECT_TRUE(fs::is_empty(dir_)) << "files were left in " << dir_;

  ASSERT_OK_AND_ASSIGN(std::unique_ptr<OutputStream> out, OpenOutputStream(Uri("kept.avro")));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<FileWriter> writer,
                       NewContainerWriter(std::move(out), schema, options));
  ASSERT_OK(writer->Write(batch));
  EXPECT_FALSE(fs::exists(Path("kept.avro")));
  ASSERT_OK(writer->Finish());
  EXPECT_TRUE(fs::exists(Path("kept.avro")));
  EXPECT_EQ(writer->rows_written(), 1000u);
  EXPECT_EQ(writer->Finish().code(), StatusCode::kFailedPrecondition);
}

TEST_F(AvroContainerTest, BytesWrittenCountsThePendingBlock) {
  SchemaPtr schema =
      ParseSchema(R"({"type":"record","name":"r","fields":[{"name":"s","type":"string"}]})");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<OutputStream> out, OpenOutputStream(Uri("size.avro")));
  AvroWriteOptions options;
  options.block_bytes = 1 << 20;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<FileWriter> writer,
                       NewContainerWriter(std::move(out), schema, options));
  const uint64_t header = writer->bytes_written();
  EXPECT_GT(header, 16u);
  RecordBatch batch(schema);
  batch.column(0).AppendBytes(std::string(1000, 'q'));
  batch.CommitRow();
  ASSERT_OK(writer->Write(batch));
  EXPECT_EQ(writer->bytes_written(), header + 1002);
  ASSERT_OK(writer->Finish());
  EXPECT_EQ(writer->bytes_written(), fs::file_size(Path("size.avro")));
}

TEST_F(AvroContainerTest, MismatchedBatchIsRejected) {
  SchemaPtr schema =
      ParseSchema(R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"}]})");
  SchemaPtr other =
      ParseSchema(R"({"type":"record","name":"r","fields":[{"name":"a","type":"string"}]})");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<OutputStream> out, OpenOutputStream(Uri("m.avro")));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<FileWriter> writer,
                       NewContainerWriter(std::move(out), schema, AvroWriteOptions()));
  RecordBatch batch(other);
  batch.column(0).AppendBytes("x");
  batch.CommitRow();
  EXPECT_EQ(writer->Write(batch).code(), StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------
// Resolution while reading.

TEST_F(AvroContainerTest, ReadsIntoAReaderSchema) {
  SchemaPtr writer = ParseSchema(R"({"type":"record","name":"r","fields":[
    {"name":"id","type":"int"},
    {"name":"name","type":"string"},
    {"name":"dropped","type":"double"},
    {"name":"score","type":["null","float"]}]})");
  SchemaPtr reader = ParseSchema(R"({"type":"record","name":"r","fields":[
    {"name":"score","type":"double"},
    {"name":"id","type":"long"},
    {"name":"label","type":"string","default":"none"}]})");
  RecordBatch batch(writer);
  for (int i = 0; i < 50; ++i) {
    batch.column(0).AppendInt32(i);
    batch.column(1).AppendBytes("n");
    batch.column(2).AppendDouble(i);
    if (i % 10 == 3) {
      batch.column(3).AppendNull();
    } else {
      batch.column(3).AppendFloat(static_cast<float>(i) / 2);
    }
    batch.CommitRow();
  }
  AvroWriteOptions options;
  options.codec = "deflate";
  options.block_bytes = 64;
  ASSERT_OK_AND_ASSIGN(std::string bytes, WriteFile("resolve.avro", writer, {&batch}, options));

  std::vector<BadRecord> bad;
  ReadOptions read;
  read.schema = reader;
  read.batch_rows = 7;
  read.bad_records = [&](const BadRecord& r) {
    bad.push_back(r);
    return Status::OK();
  };
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<InputFile> in, OpenInputFile(Uri("resolve.avro")));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordReader> rr, OpenContainerReader(std::move(in), read));
  EXPECT_EQ(rr->schema(), reader);
  RecordBatch out(reader);
  std::vector<int64_t> ids;
  while (true) {
    ASSERT_OK_AND_ASSIGN(bool more, rr->ReadBatch(&out));
    if (!more) break;
    for (size_t row = 0; row < out.num_rows(); ++row) {
      const int64_t id = out.column(1).GetInt64(row);
      ids.push_back(id);
      EXPECT_EQ(out.column(0).GetDouble(row), static_cast<double>(static_cast<float>(id) / 2));
      EXPECT_EQ(out.column(2).GetBytes(row), "none");
    }
  }
  EXPECT_EQ(ids.size(), 45u);
  EXPECT_EQ(rr->rejected(), 5u);
  ASSERT_EQ(bad.size(), 5u);
  for (const BadRecord& r : bad) {
    EXPECT_NE(r.source.find("resolve.avro"), std::string::npos) << r.source;
    EXPECT_NE(r.reason.find("field 'score'"), std::string::npos) << r.reason;
    EXPECT_GT(r.offset, 0u);
    EXPECT_LT(r.offset, bytes.size());
    EXPECT_FALSE(r.raw.empty());
  }

  // Without a sink the first bad record stops reading.
  read.bad_records = nullptr;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<InputFile> in2, OpenInputFile(Uri("resolve.avro")));
  Result<RecordBatch> strict = ReadAll(std::move(in2), read);
  EXPECT_EQ(strict.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(strict.status().message().find("resolve.avro: block"), std::string::npos)
      << strict.status().message();
  EXPECT_NE(strict.status().message().find("field 'score'"), std::string::npos);

  // A reader schema that cannot be resolved fails at open, naming the field.
  read.schema =
      ParseSchema(R"({"type":"record","name":"r","fields":[{"name":"name","type":"long"}]})");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<InputFile> in3, OpenInputFile(Uri("resolve.avro")));
  Result<std::unique_ptr<RecordReader>> unresolvable = OpenContainerReader(std::move(in3), read);
  EXPECT_EQ(unresolvable.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unresolvable.status().message().find("reader field 'name'"), std::string::npos);
}

TEST_F(AvroContainerTest, StringsThatAreNotUtf8AreBadRecords) {
  SchemaPtr schema = ParseSchema(R"({"type":"record","name":"r","fields":[
    {"name":"id","type":"int"},{"name":"name","type":["null","string"]}]})");
  RecordBatch batch(schema);
  for (int i = 0; i < 20; ++i) {
    batch.column(0).AppendInt32(i);
    batch.column(1).AppendBytes(i % 7 == 2 ? std::string("n\xff") : fmt::format("n{}", i));
    batch.CommitRow();
  }
  AvroWriteOptions options;
  options.block_bytes = 32;
  ASSERT_OK_AND_ASSIGN(std::string bytes, WriteFile("latin1.avro", schema, {&batch}, options));
  ASSERT_FALSE(bytes.empty());

  std::vector<BadRecord> bad;
  ReadOptions read;
  read.bad_records = [&](const BadRecord& r) {
    bad.push_back(r);
    return Status::OK();
  };
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<InputFile> in, OpenInputFile(Uri("latin1.avro")));
  ASSERT_OK_AND_ASSIGN(RecordBatch all, ReadAll(std::move(in), read));
  std::vector<int32_t> ids;
  for (size_t row = 0; row < all.num_rows(); ++row) {
    ids.push_back(all.column(0).GetInt32(row));
    EXPECT_EQ(all.column(1).GetBytes(row), fmt::format("n{}", ids.back()));
  }
  EXPECT_EQ(ids.size(), 17u);
  ASSERT_EQ(bad.size(), 3u);
  for (const BadRecord& r : bad) {
    EXPECT_NE(r.source.find("latin1.avro"), std::string::npos) << r.source;
    EXPECT_NE(r.reason.find("block "), std::string::npos) << r.reason;
    EXPECT_NE(r.reason.find("field 'name': string is not valid UTF-8 (byte 0xff at offset 1"),
              std::string::npos)
        << r.reason;
  }

  // Without a sink the first one stops reading, naming the file and block.
  read.bad_records = nullptr;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<InputFile> in2, OpenInputFile(Uri("latin1.avro")));
  Result<RecordBatch> strict = ReadAll(std::move(in2), read);
  EXPECT_EQ(strict.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(strict.status().message().find("latin1.avro: block"), std::string::npos)
      << strict.status().message();
  EXPECT_NE(strict.status().message().find("not valid UTF-8"), std::string::npos)
      << strict.status().message();
}

// ---------------------------------------------------------------------------
// Files written by hand: foreign headers, unsupported schemas, damage.

std::string HandMadeFile(const std::vector<std::pair<std::string, std::string>>& meta,
                         const std::string& sync, bool negative_count = false) {
  std::string out("Obj\x01", 4);
  std::string entries;
  for (const auto& [k, v] : meta) {
    AppendBytes(k, &entries);
    AppendBytes(v, &entries);
  }
  if (negative_count) {
    AppendLong(-static_cast<int64_t>(meta.size()), &out);
    AppendLong(static_cast<int64_t>(entries.size()), &out);
  } else {
    AppendLong(static_cast<int64_t>(meta.size()), &out);
  }
  out += entries;
  AppendLong(0, &out);
  out += sync;
  return out;
}

void AppendBlock(int64_t count, const std::string& data, const std::string& sync,
                 std::string* out) {
  AppendLong(count, out);
  AppendLong(static_cast<int64_t>(data.size()), out);
  *out += data;
  *out += sync;
}

const std::string kSync = "0123456789abcdef";
const char* kIntSchema = R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"}]})";

TEST(AvroForeignFileTest, ReadsBlockedMetadataAndReportsExtraKeys) {
  std::string file = HandMadeFile(
      {{"avro.schema", kIntSchema}, {"writer", "someone else"}, {"avro.codec", "null"}}, kSync,
      /*negative_count=*/true);
  AppendBlock(3, std::string("\x02\x04\x06", 3), kSync, &file);
  ASSERT_OK_AND_ASSIGN(RecordBatch all, ReadAllBytes(file));
  ASSERT_EQ(all.num_rows(), 3u);
  EXPECT_EQ(all.column(0).GetInt32(2), 3);
  std::unique_ptr<InputFile> in = NewMemoryInputFile("f.avro", file);
  ASSERT_OK_AND_ASSIGN(nlohmann::json facts, DescribeContainer(in.get()));
  EXPECT_EQ(facts["metadata"], nlohmann::json({{"writer", "someone else"}}));
  EXPECT_EQ(facts["sync_marker"], "30313233343536373839616263646566");
  // A missing avro.codec means null.
  std::string no_codec = HandMadeFile({{"avro.schema", kIntSchema}}, kSync);
  AppendBlock(1, std::string("\x02", 1), kSync, &no_codec);
  ASSERT_OK_AND_ASSIGN(RecordBatch one, ReadAllBytes(no_codec));
  EXPECT_EQ(one.num_rows(), 1u);
}

TEST(AvroForeignFileTest, UnsupportedSchemasAndCodecsNameTheProblem) {
  std::string recursive = HandMadeFile(
      {{"avro.schema",
        R"({"type":"record","name":"r","fields":[{"name":"next","type":["null","r"]}]})"}},
      kSync);
  Result<RecordBatch> r = ReadAllBytes(recursive);
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(r.status().message().find("mem.avro"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("'next'"), std::string::npos) << r.status().message();

  std::string lzo = HandMadeFile({{"avro.schema", kIntSchema}, {"avro.codec", "lzo"}}, kSync);
  Result<RecordBatch> b = ReadAllBytes(lzo);
  EXPECT_EQ(b.status().code(), StatusCode::kUnimplemented);
  EXPECT_NE(b.status().message().find("'lzo'"), std::string::npos) << b.status().message();
  EXPECT_NE(b.status().message().find("bzip2 and xz"), std::string::npos) << b.status().message();

  std::string bad_json = HandMadeFile({{"avro.schema", "{not json"}}, kSync);
  EXPECT_EQ(ReadAllBytes(bad_json).status().code(), StatusCode::kCorruption);
  std::string no_schema = HandMadeFile({{"avro.codec", "null"}}, kSync);
  EXPECT_EQ(ReadAllBytes(no_schema).status().code(), StatusCode::kCorruption);
}

TEST(AvroForeignFileTest, SchemasNestedTooDeepAreUnsupported) {
  for (int depth : {100, 50000}) {
    SCOPED_TRACE(depth);
    std::string type = R"("int")";
    for (int i = 0; i < depth; ++i) type = R"({"type":"array","items":)" + type + "}";
    const std::string schema =
        R"({"type":"record","name":"r","fields":[{"name":"a","type":)" + type + "}]}";
    Result<RecordBatch> r = ReadAllBytes(HandMadeFile({{"avro.schema", schema}}, kSync));
    EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented) << r.status().ToString();
    EXPECT_NE(r.status().message().find("up to 64 levels"), std::string::npos);
  }
}

TEST(AvroForeignFileTest, TopLevelSchemasThatAreNotRecordsAreOneColumn) {
  // Named as DuckDB's read_avro names the column.
  const std::pair<const char*, const char*> cases[] = {
      {R"("string")", "avro_schema"},
      {R"({"type":"long"})", "avro_schema"},
      {R"(["null","string"])", "avro_schema"},
      {R"({"type":"array","items":"int"})", "avro_schema"},
      {R"({"type":"map","values":"long"})", "avro_schema"},
      {R"({"type":"enum","name":"E","symbols":["A"]})", "E"},
      {R"({"type":"fixed","name":"ns.F","size":4})", "F"},
  };
  for (const auto& [schema, name] : cases) {
    SCOPED_TRACE(schema);
    Result<RecordBatch> r = ReadAllBytes(HandMadeFile({{"avro.schema", schema}}, kSync));
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    ASSERT_EQ(r->schema()->num_fields(), 1u);
    EXPECT_EQ(r->schema()->field(0).name, name);
  }
  // Text that is no Avro schema at all stays corrupt.
  for (const char* schema : {R"("nosuchtype")", R"({"type":"nosuchtype"})", "[]", "42"}) {
    SCOPED_TRACE(schema);
    Result<RecordBatch> r = ReadAllBytes(HandMadeFile({{"avro.schema", schema}}, kSync));
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
  }
}

// A decimal on long, written back, is a decimal on bytes of the same
// precision and scale; a top-level one stays top-level.
TEST_F(AvroContainerTest, DecimalsOnLongAreWrittenOnBytes) {
  std::string data;
  AppendLong(150, &data);
  AppendLong(-1, &data);
  std::string file = HandMadeFile(
      {{"avro.schema", R"({"type":"long","logicalType":"decimal","precision":10,"scale":2})"}},
      kSync);
  AppendBlock(2, data, kSync, &file);
  ASSERT_OK_AND_ASSIGN(RecordBatch read, ReadAllBytes(file));
  ASSERT_EQ(read.schema()->field(0).base, Kind::kInt64);
  ASSERT_OK_AND_ASSIGN(std::string written, WriteFile("dec.avro", read.schema(), {&read}, {}));
  std::string meta;
  AppendBytes("avro.schema", &meta);
  AppendBytes(R"({"type":"bytes","logicalType":"decimal","precision":10,"scale":2})", &meta);
  EXPECT_NE(written.find(meta), std::string::npos) << written;
  ASSERT_OK_AND_ASSIGN(RecordBatch back, ReadAllBytes(written));
  ASSERT_EQ(back.num_rows(), 2u);
  EXPECT_EQ(back.schema()->field(0).base, Kind::kBytes);
  EXPECT_EQ(back.column(0).GetBytes(0), std::string("\x00\x96", 2));
  EXPECT_EQ(back.column(0).GetBytes(1), "\xff");
}

struct DamageCase {
  std::string name;
  std::string file;
  std::string message;
};

TEST(AvroForeignFileTest, DamageIsReportedWithBlockAndOffset) {
  const std::string header = HandMadeFile({{"avro.schema", kIntSchema}}, kSync);
  const size_t block_offset = header.size();
  std::vector<DamageCase> cases;
  {
    std::string f = header;
    AppendBlock(1, std::string("\x02", 1), "fedcba9876543210", &f);
    cases.push_back(
        {"sync", f,
         fmt::format("mem.avro: block 1 at offset {}: sync marker mismatch", block_offset)});
  }
  {
    std::string f = header;
    AppendBlock(2, std::string("\x02", 1), kSync, &f);
    cases.push_back({"count", f, "claims 2 records but its 1 bytes hold at most 1"});
  }
  {
    std::string f = header;
    AppendBlock(1, std::string("\x02\x04", 2), kSync, &f);
    cases.push_back({"leftover", f, "1 bytes are left after the block's 1 records"});
  }
  {
    std::string f = header;
    AppendBlock(1, std::string("\x80", 1), kSync, &f);
    cases.push_back({"bad datum", f,
                     "block 1 at offset " + std::to_string(block_offset) +
                         ", record 1: malformed Avro datum: field 'a'"});
  }
  {
    std::string f = header;
    AppendLong(1, &f);
    AppendLong(int64_t{1} << 40, &f);
    cases.push_back({"huge", f, "more than the 536870912-byte limit"});
  }
  {
    std::string f = header;
    AppendLong(1, &f);
    AppendLong(1000, &f);
    f += "abc";
    cases.push_back({"short", f, "only 3 bytes remain (truncated file?)"});
  }
  {
    std::string f = header;
    AppendLong(-1, &f);
    AppendLong(1, &f);
    cases.push_back({"negative", f, "negative record count -1"});
  }
  cases.push_back({"magic", "PAR1 not avro", "not an Avro object container file"});
  cases.push_back(
      {"short header", header.substr(0, header.size() - 3), "ends inside the Avro header"});
  for (const DamageCase& c : cases) {
    Result<RecordBatch> r = ReadAllBytes(c.file);
    EXPECT_EQ(r.status().code(), StatusCode::kCorruption)
        << c.name << ": " << r.status().ToString();
    EXPECT_NE(r.status().message().find(c.message), std::string::npos)
        << c.name << ": " << r.status().message();
  }
}

TEST(AvroForeignFileTest, SnappyChecksumIsVerified) {
  SchemaPtr schema = ParseSchema(kIntSchema);
  RecordBatch batch(schema);
  batch.column(0).AppendInt32(7);
  batch.CommitRow();
  std::string data;
  AppendDatum(batch, 0, &data);
  CodecContext codec;
  std::string compressed;
  ASSERT_OK(codec.Compress(Codec::kSnappy, data, &compressed));
  compressed += std::string("\x00\x00\x00\x00", 4);  // wrong CRC
  std::string f = HandMadeFile({{"avro.schema", kIntSchema}, {"avro.codec", "snappy"}}, kSync);
  AppendBlock(1, compressed, kSync, &f);
  Result<RecordBatch> r = ReadAllBytes(f);
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("snappy block checksum mismatch"), std::string::npos)
      << r.status().message();
}

// Reads `bytes` completely with a sink that accepts bad records.
Status ReadEverything(std::string bytes) {
  ReadOptions options;
  options.batch_rows = 13;
  options.bad_records = [](const BadRecord&) { return Status::OK(); };
  Result<RecordBatch> r = ReadAllBytes(std::move(bytes), options);
  return r.ok() ? Status::OK() : r.status();
}

TEST_F(AvroContainerTest, EveryTruncationIsCorruptionUnlessAtABlockBoundary) {
  SchemaPtr schema = ParseSchema(R"({"type":"record","name":"r","fields":[
    {"name":"s","type":["null","string"]},{"name":"d","type":"double"},
    {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B"]}}]})");
  RecordBatch batch(schema);
  FillRows(&batch, 24, 9);
  for (const char* codec : {"null", "deflate", "snappy", "zstandard"}) {
    SCOPED_TRACE(codec);
    AvroWriteOptions options;
    options.codec = codec;
    options.block_bytes = 100;
    ASSERT_OK_AND_ASSIGN(std::string bytes,
                         WriteFile(std::string(codec) + ".avro", schema, {&batch}, options));
    const std::string sync = bytes.substr(bytes.size() - 16);
    std::vector<size_t> boundaries;
    for (size_t at = bytes.find(sync); at != std::string::npos; at = bytes.find(sync, at + 1)) {
      boundaries.push_back(at + 16);
    }
    ASSERT_GT(boundaries.size(), 3u);
    size_t ok_cuts = 0;
    for (size_t len = 0; len < bytes.size(); ++len) {
      Status st = ReadEverything(bytes.substr(0, len));
      const bool boundary =
          std::find(boundaries.begin(), boundaries.end(), len) != boundaries.end();
      if (boundary) {
        EXPECT_OK(st);
        ++ok_cuts;
      } else {
        EXPECT_EQ(st.code(), StatusCode::kCorruption) << "cut at " << len << ": " << st.ToString();
      }
      std::unique_ptr<InputFile> in = NewMemoryInputFile("cut.avro", bytes.substr(0, len));
      EXPECT_EQ(DescribeContainer(in.get()).ok(), boundary) << "cut at " << len;
    }
    EXPECT_EQ(ok_cuts, boundaries.size() - 1);
  }
}

TEST_F(AvroContainerTest, RandomByteFlipsNeverCrash) {
  SchemaPtr schema = ParseSchema(AllTypesSchemaJson());
  RecordBatch batch(schema);
  FillRows(&batch, 40, 5);
  std::mt19937 rng(20240601);
  for (const char* codec : {"null", "deflate", "snappy", "zstandard"}) {
    SCOPED_TRACE(codec);
    AvroWriteOptions options;
    options.codec = codec;
    options.block_bytes = 512;
    ASSERT_OK_AND_ASSIGN(std::string bytes,
                         WriteFile(std::string(codec) + ".avro", schema, {&batch}, options));
    int detected = 0;
    for (int trial = 0; trial < 300; ++trial) {
      std::string damaged = bytes;
      const int flips = 1 + static_cast<int>(rng() % 3);
      for (int k = 0; k < flips; ++k) {
        damaged[rng() % damaged.size()] ^= static_cast<char>(1 + rng() % 255);
      }
      Status st = ReadEverything(damaged);
      EXPECT_TRUE(st.ok() || st.code() == StatusCode::kCorruption ||
                  st.code() == StatusCode::kInvalidArgument ||
                  st.code() == StatusCode::kUnimplemented)
          << st.ToString();
      if (!st.ok()) ++detected;
      std::unique_ptr<InputFile> in = NewMemoryInputFile("flip.avro", damaged);
      Result<nlohmann::json> facts = DescribeContainer(in.get());
      EXPECT_TRUE(facts.ok() || facts.status().code() == StatusCode::kCorruption)
          << facts.status().ToString();
    }
    EXPECT_GT(detected, 0);
  }
}

TEST(AvroFormatTest, DescribesItself) {
  FormatInfo info = AvroFormat();
  EXPECT_EQ(info.name, "avro");
  EXPECT_EQ(info.extensions, std::vector<std::string>{".avro"});
  EXPECT_FALSE(info.needs_schema);
  EXPECT_TRUE(info.resolves_schema);
  EXPECT_TRUE(info.open_reader && info.new_writer && info.describe);
  EXPECT_FALSE(info.description.empty());
}

}  // namespace
}  // namespace lakepipe::avro

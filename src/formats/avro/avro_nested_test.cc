#include "formats/avro/avro_nested.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/column_json.h"
#include "formats/avro/avro_datum.h"
#include "formats/schema_resolution.h"

namespace lakepipe::avro {
namespace {

SchemaPtr Parse(std::string_view fields_json) {
  const std::string text = std::string(R"({"type":"record","name":"r","namespace":"t","fields":)") +
                           std::string(fields_json) + "}";
  Result<Schema> s = Schema::FromAvroJson(text, SchemaParseOptions{.complete_types = true});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::make_shared<const Schema>(s.ok() ? std::move(s).value() : Schema());
}

// Raw bytes as Avro JSON writes bytes: one character (U+0000-U+00FF) each.
nlohmann::json Bytes(std::string_view raw) {
  std::string text;
  for (char ch : raw) {
    const auto c = static_cast<uint8_t>(ch);
    if (c < 0x80) {
      text.push_back(static_cast<char>(c));
    } else {
      text.push_back(static_cast<char>(0xc0 | (c >> 6)));
      text.push_back(static_cast<char>(0x80 | (c & 0x3f)));
    }
  }
  return text;
}

// A top-level union field takes a value of its first member that holds it.
Status AppendValue(const Field& f, const nlohmann::json& value, Column* col) {
  if (!f.avro_union || value.is_null()) return AppendJsonDefault(f, value, col);
  for (size_t i = 0; i < f.children.size(); ++i) {
    Column scratch = Column::ForField(f.children[i]);
    if (!AppendJsonDefault(f.children[i], value, &scratch).ok()) continue;
    col->AppendStruct();
    for (size_t k = 0; k < f.children.size(); ++k) {
      if (k == i) {
        col->child(k).AppendFrom(scratch, 0);
      } else {
        col->child(k).AppendNull();
      }
    }
    return Status::OK();
  }
  return InvalidArgumentError("no member takes {}", value.dump());
}

// A batch holding `rows` (JSON objects keyed by field name).
RecordBatch Rows(const SchemaPtr& schema, const std::vector<nlohmann::json>& rows) {
  RecordBatch batch(schema);
  for (const nlohmann::json& row : rows) {
    for (size_t i = 0; i < schema->num_fields(); ++i) {
      const Field& f = schema->field(i);
      Status st = AppendValue(f, row.at(f.name), &batch.column(i));
      EXPECT_TRUE(st.ok()) << f.name << ": " << st.ToString();
    }
    batch.CommitRow();
  }
  return batch;
}

std::string Encode(const RecordBatch& batch) {
  std::string out;
  AppendDatums(batch, 0, batch.num_rows(), &out);
  return out;
}

// Decodes every datum of `bytes` written with `writer` into `reader`.
Result<RecordBatch> DecodeAll(const SchemaPtr& writer, const SchemaPtr& reader,
                              std::string_view bytes) {
  LP_ASSIGN_OR_RETURN(DatumDecoder d, DatumDecoder::Make(writer, reader));
  RecordBatch out(reader);
  while (!bytes.empty()) {
    std::string reason;
    LP_ASSIGN_OR_RETURN(bool added, d.DecodeNext(&bytes, &out, &reason));
    if (!added) return InvalidArgumentError("rejected: {}", reason);
  }
  return out;
}

void ExpectRoundTrip(const SchemaPtr& schema, const std::vector<nlohmann::json>& rows) {
  RecordBatch batch = Rows(schema, rows);
  const std::string bytes = Encode(batch);
  Result<RecordBatch> back = DecodeAll(schema, schema, bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  std::string diff;
  EXPECT_TRUE(BatchesEqual(batch, *back, &diff)) << diff;
  EXPECT_EQ(Encode(*back), bytes);
}

TEST(AvroNestedTest, RoundTripsRecordsArraysAndMapsAtEveryLevel) {
  SchemaPtr s = Parse(R"([
    {"name":"name","type":{"type":"record","name":"Name","fields":[
      {"name":"first","type":"string"},{"name":"last","type":["null","string"]}]}},
    {"name":"loc","type":["null",{"type":"record","name":"Loc","fields":[
      {"name":"street","type":{"type":"record","name":"Street","fields":[{"name":"n","type":"int"}]}},
      {"name":"coords","type":{"type":"map","values":["null","double"]}}]}]},
    {"name":"tags","type":["null",{"type":"array","items":["null","string"]}]},
    {"name":"grid","type":{"type":"array","items":{"type":"array","items":"long"}}},
    {"name":"deep","type":{"type":"map","values":{"type":"array","items":{"type":"map","values":["null","Name"]}}}},
    {"name":"kv","type":{"type":"array","logicalType":"map","items":{"type":"record","name":"KV",
      "fields":[{"name":"key","type":"int"},{"name":"value","type":["null","string"]}]}}}])");
  ExpectRoundTrip(
      s, {
             {{"name", {{"first", "a"}, {"last", "b"}}},
              {"loc", {{"street", {{"n", 5}}}, {"coords", {{"lat", 1.5}, {"lon", nullptr}}}}},
              {"tags", {"x", nullptr, "y"}},
              {"grid", {{1, 2}, nlohmann::json::array(), {3}}},
              {"deep", {{"k", {{{"a", {{"first", "f"}, {"last", nullptr}}}}, {{"b", nullptr}}}}}},
              {"kv", {{{"key", 1}, {"value", "one"}}, {{"key", -2}, {"value", nullptr}}}}},
             {{"name", {{"first", ""}, {"last", nullptr}}},
              {"loc", nullptr},
              {"tags", nullptr},
              {"grid", nlohmann::json::array()},
              {"deep", nlohmann::json::object()},
              {"kv", nlohmann::json::array()}},
             {{"name", {{"first", "ü"}, {"last", ""}}},
              {"loc", {{"street", {{"n", -1}}}, {"coords", nlohmann::json::object()}}},
              {"tags", {nullptr, nullptr}},
              {"grid", {nlohmann::json::array()}},
              {"deep", {{"e", nlohmann::json::array()}}},
              {"kv", {{{"key", 0}, {"value", ""}}}}},
         });
}

TEST(AvroNestedTest, RoundTripsUnionsKeepingBranchIndexes) {
  SchemaPtr s = Parse(R"([
    {"name":"u_null_first","type":["null","int","string",{"type":"record","name":"P","fields":[{"name":"x","type":"int"}]}]},
    {"name":"u_null_last","type":["double",{"type":"enum","name":"C","symbols":["R","G"]},"null"]},
    {"name":"u_no_null","type":["string","long","boolean"]},
    {"name":"single","type":["int"]}])");
  const Field& u = s->field(0);
  ASSERT_TRUE(u.avro_union);
  ASSERT_EQ(u.children.size(), 3u);
  RecordBatch batch(s);
  // Row: member1 (string, branch 2) set; null (branch 2) ; member2 (boolean, branch 2); 7.
  Column& c0 = batch.column(0);
  c0.AppendStruct();
  c0.child(0).AppendNull();
  c0.child(1).AppendBytes("hi");
  c0.child(2).AppendNull();
  batch.column(1).AppendNull();
  Column& c2 = batch.column(2);
  c2.AppendStruct();
  c2.child(0).AppendNull();
  c2.child(1).AppendNull();
  c2.child(2).AppendBool(true);
  batch.column(3).AppendInt32(7);
  batch.CommitRow();
  const std::string bytes = Encode(batch);
  // branch 2 (zigzag 4), "hi"; branch 2; branch 2, true; branch 0, 7 (zigzag 14).
  EXPECT_EQ(bytes, std::string("\x04\x04hi\x04\x04\x01\x00\x0e", 9));
  Result<RecordBatch> back = DecodeAll(s, s, bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(RowJson(*back, 0), RowJson(batch, 0));
  EXPECT_EQ(Encode(*back), bytes);

  ExpectRoundTrip(
      s, {
             {{"u_null_first", nullptr}, {"u_null_last", 2.5}, {"u_no_null", "s"}, {"single", 1}},
         });
}

TEST(AvroNestedTest, RoundTripsLogicalTypes) {
  SchemaPtr s = Parse(R"([
    {"name":"dec","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
    {"name":"dec_fixed","type":{"type":"fixed","name":"D","size":8,"logicalType":"decimal","precision":18,"scale":3}},
    {"name":"uuid","type":{"type":"string","logicalType":"uuid"}},
    {"name":"uuid_fixed","type":{"type":"fixed","name":"U","size":16,"logicalType":"uuid"}},
    {"name":"dur","type":{"type":"fixed","name":"Dur","size":12,"logicalType":"duration"}},
    {"name":"day","type":{"type":"int","logicalType":"date"}},
    {"name":"tm","type":{"type":"int","logicalType":"time-millis"}},
    {"name":"tu","type":{"type":"long","logicalType":"time-micros"}},
    {"name":"ts","type":{"type":"long","logicalType":"timestamp-nanos"}},
    {"name":"lts","type":["null",{"type":"long","logicalType":"local-timestamp-millis"}]},
    {"name":"i8","type":{"type":"int","logicalType":"int8"}},
    {"name":"u64","type":{"type":"long","logicalType":"uint64"}},
    {"name":"odd","type":{"type":"string","logicalType":"my-thing","p":1}}])");
  EXPECT_EQ(s->field(4).kind(), Kind::kFixed);
  EXPECT_EQ(s->field(9).kind(), Kind::kTimestamp);
  EXPECT_FALSE(s->field(9).utc_adjusted);
  ExpectRoundTrip(s, {{{"dec", Bytes("\xff\x01")},
                       {"dec_fixed", Bytes(std::string(7, '\0') + "\xf0")},
                       {"uuid", "123e4567-e89b-12d3-a456-426614174000"},
                       {"uuid_fixed", "0123456789abcdef"},
                       {"dur", Bytes(std::string("\x01\0\0\0\x02\0\0\0\x03\0\0\0", 12))},
                       {"day", 19000},
                       {"tm", 3600000},
                       {"tu", 1},
                       {"ts", -5},
                       {"lts", 1700000000000},
                       {"i8", -128},
                       {"u64", -1},
                       {"odd", "x"}}});
}

TEST(AvroNestedTest, ReadsBlocksWithByteSizes) {
  SchemaPtr s = Parse(R"([{"name":"a","type":{"type":"array","items":"int"}},
                          {"name":"m","type":{"type":"map","values":"int"}}])");
  // a: block of -2 items (4 bytes) [1, 2], block of 1 item [3], end;
  // m: block of -1 entry (3 bytes) {"k": 5}, end.
  const std::string bytes("\x03\x04\x02\x04\x02\x06\x00\x01\x06\x02k\x0a\x00", 13);
  Result<RecordBatch> got = DecodeAll(s, s, bytes);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(RowJson(*got, 0), R"({"a": [1, 2, 3], "m": {"k": 5}})");
}

TEST(AvroNestedTest, ResolvesNestedWriterIntoReaderSchema) {
  SchemaPtr writer = Parse(R"([
    {"name":"p","type":{"type":"record","name":"P","fields":[
      {"name":"x","type":"int"},{"name":"gone","type":"string"},{"name":"b","type":"bytes"}]}},
    {"name":"xs","type":{"type":"array","items":"float"}},
    {"name":"m","type":{"type":"map","values":{"type":"enum","name":"E","symbols":["A","B","Z"]}}},
    {"name":"u","type":["null","int","string"]}])");
  SchemaPtr reader = Parse(R"([
    {"name":"p","type":{"type":"record","name":"P","fields":[
      {"name":"y","aliases":["x"],"type":"long"},{"name":"b","type":"string"},
      {"name":"added","type":{"type":"array","items":"int"},"default":[1,2]}]}},
    {"name":"xs","type":{"type":"array","items":"double"}},
    {"name":"m","type":{"type":"map","values":{"type":"enum","name":"E","symbols":["B","A","OTHER"],"default":"OTHER"}}},
    {"name":"u","type":["null","string","double"]}])");
  RecordBatch batch = Rows(writer, {{{"p", {{"x", 4}, {"gone", "g"}, {"b", "bb"}}},
                                     {"xs", {1.5, -2}},
                                     {"m", {{"k", "Z"}, {"j", "A"}}},
                                     {"u", 3}},
                                    {{"p", {{"x", -1}, {"gone", ""}, {"b", ""}}},
                                     {"xs", nlohmann::json::array()},
                                     {"m", nlohmann::json::object()},
                                     {"u", "s"}}});
  Result<RecordBatch> got = DecodeAll(writer, reader, Encode(batch));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(BatchJson(*got),
            R"({"p": {"y": 4, "b": "bb", "added": [1, 2]}, "xs": [1.5, -2], )"
            R"("m": {"j": "A", "k": "OTHER"}, "u": {"member0": null, "member1": 3}})"
            "\n"
            R"({"p": {"y": -1, "b": "", "added": [1, 2]}, "xs": [], "m": {}, )"
            R"("u": {"member0": "s", "member1": null}})"
            "\n");

  SchemaPtr no_default = Parse(R"([{"name":"p","type":{"type":"record","name":"P","fields":[
      {"name":"new","type":"int"}]}}])");
  Result<DatumDecoder> d = DatumDecoder::Make(writer, no_default);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("'p.new'"), std::string::npos) << d.status().message();
}

TEST(AvroNestedTest, ABranchTheReaderCannotTakeRejectsTheRecord) {
  SchemaPtr writer = Parse(R"([{"name":"u","type":["null","int","string"]}])");
  SchemaPtr reader = Parse(R"([{"name":"u","type":"long"}])");
  Result<DatumDecoder> d = DatumDecoder::Make(writer, reader);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  RecordBatch out(reader);
  std::string reason;
  std::string_view in("\x02\x0a\x04\x02x\x00", 6);  // 5, "x", null
  ASSERT_TRUE(*d->DecodeNext(&in, &out, &reason));
  EXPECT_FALSE(*d->DecodeNext(&in, &out, &reason));
  EXPECT_NE(reason.find("'u'"), std::string::npos) << reason;
  EXPECT_FALSE(*d->DecodeNext(&in, &out, &reason));
  EXPECT_TRUE(in.empty());
  EXPECT_EQ(BatchJson(out), "{\"u\": 5}\n");
}

TEST(AvroNestedTest, DeepNestingIsBoundedAndHostileCountsAreMalformed) {
  std::string type = "\"int\"";
  for (int i = 0; i < kMaxNestingDepth + 5; ++i) type = R"({"type":"array","items":)" + type + "}";
  Result<Schema> deep = Schema::FromAvroJson(
      R"({"type":"record","name":"r","fields":[{"name":"a","type":)" + type + "}]}",
      SchemaParseOptions{.complete_types = true});
  ASSERT_TRUE(deep.ok()) << deep.status().ToString();
  {
    auto s = std::make_shared<const Schema>(std::move(deep).value());
    Result<DatumDecoder> d = DatumDecoder::Make(s, s);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.status().code(), StatusCode::kUnimplemented) << d.status().ToString();
    EXPECT_NE(d.status().message().find("levels"), std::string::npos);
  }

  SchemaPtr s = Parse(R"([{"name":"a","type":{"type":"array","items":"null"}},
                          {"name":"b","type":{"type":"array","items":"long"}}])");
  Result<DatumDecoder> d = DatumDecoder::Make(s, s);
  ASSERT_TRUE(d.ok());
  RecordBatch out(s);
  // 2^40 nulls: refused, not allocated.
  Status st = d->Decode(std::string("\x80\x80\x80\x80\x80\x40\x00\x00", 8), &out);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  // A block of 1000 longs in 3 bytes.
  st = d->Decode(std::string("\x00\xd0\x0f\x02", 4), &out);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_NE(st.message().find("'b'"), std::string::npos) << st.message();
  EXPECT_EQ(out.num_rows(), 0u);
}

TEST(AvroNestedTest, CheckNestedResolutionNamesTheFieldPath) {
  SchemaPtr writer = Parse(R"([
    {"name":"loc","type":{"type":"record","name":"L","fields":[
      {"name":"street","type":{"type":"record","name":"S","fields":[{"name":"n","type":"int"}]}},
      {"name":"tags","type":{"type":"array","items":["null","int","string"]}}]}}])");
  SchemaPtr same = Parse(R"([
    {"name":"loc","type":{"type":"record","name":"L","fields":[
      {"name":"street","type":{"type":"record","name":"S","fields":[{"name":"n","type":"double"}]}},
      {"name":"tags","type":{"type":"array","items":["null","string","long"]}},
      {"name":"zip","type":"string","default":""}]}}])");
  EXPECT_TRUE(CheckNestedResolution(*writer, *same).ok())
      << CheckNestedResolution(*writer, *same).ToString();

  SchemaPtr bad_leaf = Parse(R"([
    {"name":"loc","type":{"type":"record","name":"L","fields":[
      {"name":"street","type":{"type":"record","name":"S","fields":[{"name":"n","type":"string"}]}}]}}])");
  Status st = CheckNestedResolution(*writer, *bad_leaf);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("'loc.street.n'"), std::string::npos) << st.message();

  SchemaPtr bad_branch = Parse(R"([
    {"name":"loc","type":{"type":"record","name":"L","fields":[
      {"name":"tags","type":{"type":"array","items":["null","int"]}}]}}])");
  st = CheckNestedResolution(*writer, *bad_branch);
  EXPECT_NE(st.message().find("'loc.tags.element'"), std::string::npos) << st.message();

  SchemaPtr no_default = Parse(R"([
    {"name":"loc","type":{"type":"record","name":"L","fields":[{"name":"zip","type":"string"}]}}])");
  st = CheckNestedResolution(*writer, *no_default);
  EXPECT_NE(st.message().find("'loc.zip'"), std::string::npos) << st.message();
}

// Decimals stored on int and long (as Parquet stores small ones) are
// declared on bytes for Avro writers, at any depth; the rest is unchanged.
TEST(AvroWriterSchemaTest, DeclaresDecimalsOnIntAndLongOnBytes) {
  SchemaPtr s = Parse(R"([
    {"name":"d4","type":{"type":"int","logicalType":"decimal","precision":4,"scale":1}},
    {"name":"d10","type":["null",{"type":"long","logicalType":"decimal","precision":10,"scale":2}]},
    {"name":"p","type":{"type":"record","name":"P","fields":[
      {"name":"d18","type":{"type":"long","logicalType":"decimal","precision":18,"scale":0}},
      {"name":"xs","type":{"type":"array","items":["null",{"type":"int","logicalType":"decimal","precision":9,"scale":9}]}}]}},
    {"name":"plain","type":"long"},
    {"name":"on_bytes","type":{"type":"bytes","logicalType":"decimal","precision":20,"scale":3}}])");
  SchemaPtr w = AvroWriterSchema(s);
  ASSERT_NE(w, s);
  const Field* declared[] = {&w->field(0), &w->field(1), &w->field(2).children[0],
                             &w->field(2).children[1].children[0], &w->field(4)};
  const int32_t precisions[] = {4, 10, 18, 9, 20};
  const int32_t scales[] = {1, 2, 0, 9, 3};
  for (size_t i = 0; i < 5; ++i) {
    SCOPED_TRACE(declared[i]->name);
    EXPECT_EQ(declared[i]->kind(), Kind::kDecimal);
    EXPECT_EQ(declared[i]->base, Kind::kBytes);
    EXPECT_EQ(declared[i]->AvroBaseName(), "bytes");
    EXPECT_EQ(declared[i]->precision, precisions[i]);
    EXPECT_EQ(declared[i]->scale, scales[i]);
  }
  EXPECT_EQ(w->field(3).kind(), Kind::kInt64);
  // The declared text says so: other readers see decimals on bytes.
  Result<Schema> reparsed = Schema::FromAvroJson(w->avro_json());
  ASSERT_TRUE(reparsed.ok()) << reparsed.status().ToString();
  EXPECT_EQ(reparsed->field(1).base, Kind::kBytes);
  EXPECT_EQ(reparsed->field(1).precision, 10);
  EXPECT_EQ(w->avro_json().find(R"("type":"long","logicalType":"decimal")"), std::string::npos)
      << w->avro_json();
  EXPECT_EQ(w->avro_json().find(R"("type":"int","logicalType":"decimal")"), std::string::npos)
      << w->avro_json();

  // A schema without such decimals is written as it is, text included.
  SchemaPtr plain = Parse(R"([{"name":"a","type":"long"},
    {"name":"b","type":{"type":"bytes","logicalType":"decimal","precision":5,"scale":1}}])");
  EXPECT_EQ(AvroWriterSchema(plain), plain);
}

// The values: the minimal big-endian two's-complement bytes of the unscaled
// value, read back (by the declared schema) as the same decimals.
TEST(AvroWriterSchemaTest, WritesUnscaledValuesAsMinimalBytes) {
  SchemaPtr s = Parse(R"([
    {"name":"d","type":{"type":"long","logicalType":"decimal","precision":18,"scale":2}}])");
  SchemaPtr w = AvroWriterSchema(s);
  const std::pair<int64_t, std::string> cases[] = {
      {0, std::string("\x02\x00", 2)},
      {150, std::string("\x04\x00\x96", 3)},
      {127, std::string("\x02\x7f", 2)},
      {128, std::string("\x04\x00\x80", 3)},
      {-1, std::string("\x02\xff", 2)},
      {-128, std::string("\x02\x80", 2)},
      {-129, std::string("\x04\xff\x7f", 3)},
      {999999999999999999, std::string("\x10\x0d\xe0\xb6\xb3\xa7\x63\xff\xff", 9)},
      {-999999999999999999, std::string("\x10\xf2\x1f\x49\x4c\x58\x9c\x00\x01", 9)},
  };
  for (const auto& [v, want] : cases) {
    SCOPED_TRACE(v);
    RecordBatch batch = Rows(s, {{{"d", v}}});
    std::string got;
    AppendDatum(*w, batch, 0, &got);
    EXPECT_EQ(got, want);
    Result<RecordBatch> back = DecodeAll(w, w, got);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(RowJson(*back, 0), RowJson(batch, 0));
  }
}

TEST(AvroWriterSchemaTest, RoundTripsNestedAndNullDecimals) {
  SchemaPtr s = Parse(R"([
    {"name":"d4","type":{"type":"int","logicalType":"decimal","precision":4,"scale":1}},
    {"name":"d10","type":[{"type":"long","logicalType":"decimal","precision":10,"scale":2},"null"],"default":-150},
    {"name":"p","type":["null",{"type":"record","name":"P","fields":[
      {"name":"xs","type":{"type":"array","items":["null",{"type":"int","logicalType":"decimal","precision":9,"scale":9}]}}]}]}])");
  SchemaPtr w = AvroWriterSchema(s);
  // A default travels as the bytes of its unscaled value.
  ASSERT_TRUE(w->field(1).default_value.has_value());
  EXPECT_EQ(*w->field(1).default_value, Bytes("\xff\x6a"));
  RecordBatch batch =
      Rows(s, {{{"d4", -9999}, {"d10", 150}, {"p", {{"xs", {1, nullptr, -999999999}}}}},
               {{"d4", 0}, {"d10", nullptr}, {"p", nullptr}},
               {{"d4", 9999}, {"d10", -9999999999}, {"p", {{"xs", nlohmann::json::array()}}}}});
  std::string bytes;
  for (size_t row = 0; row < batch.num_rows(); ++row) AppendDatum(*w, batch, row, &bytes);
  Result<RecordBatch> back = DecodeAll(w, w, bytes);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->num_rows(), 3u);
  for (size_t row = 0; row < 3; ++row) EXPECT_EQ(RowJson(*back, row), RowJson(batch, row));
  EXPECT_EQ(RowJson(*back, 0),
            R"({"d4": -999.9, "d10": 1.50, "p": {"xs": [0.000000001, null, -0.999999999]}})");
}

}  // namespace
}  // namespace lakepipe::avro

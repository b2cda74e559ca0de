#include "formats/projection.h"

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe {
namespace {

SchemaPtr ParseSchema(std::string_view fields) {
  Result<Schema> schema = Schema::FromAvroJson(
      std::string(R"({"type":"record","name":"r","namespace":"test","fields":[)") +
      std::string(fields) + "]}");
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  if (!schema.ok()) return std::make_shared<const Schema>();
  return std::make_shared<const Schema>(std::move(schema).value());
}

TEST(BatchProjectorTest, IdenticalSchemasCopy) {
  const char* fields = R"({"name":"a","type":"int"},{"name":"s","type":["null","string"]},
    {"name":"e","type":{"type":"enum","name":"E","symbols":["X","Y"]}},{"name":"n","type":"null"})";
  SchemaPtr from = ParseSchema(fields);
  SchemaPtr to = ParseSchema(fields);
  ASSERT_OK_AND_ASSIGN(BatchProjector p, BatchProjector::Make(from, to));
  EXPECT_TRUE(p.identity());
  EXPECT_EQ(p.from(), from);
  EXPECT_EQ(p.to(), to);
  RecordBatch in(from);
  for (int i = 0; i < 3; ++i) {
    in.column(0).AppendInt32(i);
    if (i == 1) {
      in.column(1).AppendNull();
    } else {
      in.column(1).AppendBytes("v" + std::to_string(i));
    }
    in.column(2).AppendInt32(i % 2);
    in.column(3).AppendNull();
    in.CommitRow();
  }
  RecordBatch out(to);
  out.column(0).AppendInt32(99);  // stale content is cleared
  ASSERT_OK(p.Project(in, &out, nullptr, "src"));
  ASSERT_EQ(out.num_rows(), 3u);
  EXPECT_EQ(out.column(0).GetInt32(2), 2);
  EXPECT_TRUE(out.column(1).IsNull(1));
  EXPECT_EQ(out.column(1).GetBytes(2), "v2");
  EXPECT_EQ(out.column(2).GetInt32(1), 1);
  EXPECT_TRUE(out.column(3).IsNull(0));

  // Order or type changes are not the identity.
  ASSERT_OK_AND_ASSIGN(
      BatchProjector reordered,
      BatchProjector::Make(
          from, ParseSchema(R"({"name":"s","type":["null","string"]},{"name":"a","type":"int"})")));
  EXPECT_FALSE(reordered.identity());
  ASSERT_OK_AND_ASSIGN(BatchProjector promoted,
                       BatchProjector::Make(ParseSchema(R"({"name":"a","type":"int"})"),
                                            ParseSchema(R"({"name":"a","type":"long"})")));
  EXPECT_FALSE(promoted.identity());
}

TEST(BatchProjectorTest, PromotesReordersDropsAndDefaults) {
  SchemaPtr from = ParseSchema(R"(
    {"name":"i","type":"int"},
    {"name":"l","type":"long"},
    {"name":"f","type":"float"},
    {"name":"s","type":"string"},
    {"name":"y","type":"bytes"},
    {"name":"dropped","type":"double"},
    {"name":"ms","type":{"type":"long","logicalType":"timestamp-millis"}},
    {"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}},
    {"name":"nul","type":"null"},
    {"name":"plain","type":"string"})");
  SchemaPtr to = ParseSchema(R"(
    {"name":"e","type":{"type":"enum","name":"E","symbols":["C","B","A"]}},
    {"name":"i","type":"double"},
    {"name":"l","type":"float"},
    {"name":"f","type":"double"},
    {"name":"s","type":"bytes"},
    {"name":"y","type":"string"},
    {"name":"ms","type":{"type":"long","logicalType":"timestamp-micros"}},
    {"name":"nul","type":["null","int"]},
    {"name":"plain","type":["null",{"type":"string","logicalType":"uuid"}]},
    {"name":"added","type":"string","default":"z"},
    {"name":"flag","type":["boolean","null"],"default":false})");
  ASSERT_OK_AND_ASSIGN(BatchProjector p, BatchProjector::Make(from, to));
  EXPECT_FALSE(p.identity());
  RecordBatch in(from);
  for (int row = 0; row < 4; ++row) {
    in.column(0).AppendInt32(row == 0 ? INT32_MIN : row);
    in.column(1).AppendInt64(int64_t{1} << (20 + row));
    in.column(2).AppendFloat(0.25f * static_cast<float>(row));
    in.column(3).AppendBytes("s" + std::to_string(row));
    in.column(4).AppendBytes(std::string("\x00\x01", 2));
    in.column(5).AppendDouble(1.0);
    in.column(6).AppendInt64(-1 - row);
    in.column(7).AppendInt32(row % 3);
    in.column(8).AppendNull();
    in.column(9).AppendBytes("123e4567-e89b-12d3-a456-426614174000");
    in.CommitRow();
  }
  RecordBatch out(to);
  ASSERT_OK(p.Project(in, &out, nullptr, "src"));
  ASSERT_EQ(out.num_rows(), 4u);
  for (size_t c = 0; c < out.num_columns(); ++c) EXPECT_EQ(out.column(c).size(), 4u) << c;
  for (int row = 0; row < 4; ++row) {
    SCOPED_TRACE(row);
    const size_t r = static_cast<size_t>(row);
    EXPECT_EQ(out.column(0).GetInt32(r), 2 - row % 3);
    EXPECT_EQ(out.column(1).GetDouble(r), row == 0 ? -2147483648.0 : row);
    EXPECT_EQ(out.column(2).GetFloat(r), static_cast<float>(int64_t{1} << (20 + row)));
    EXPECT_EQ(out.column(3).GetDouble(r), 0.25 * row);
    EXPECT_EQ(out.column(4).GetBytes(r), "s" + std::to_string(row));
    EXPECT_EQ(out.column(5).GetBytes(r), std::string("\x00\x01", 2));
    EXPECT_EQ(out.column(6).GetInt64(r), (-1 - row) * 1000);
    EXPECT_TRUE(out.column(7).IsNull(r));
    EXPECT_EQ(out.column(8).GetBytes(r), "123e4567-e89b-12d3-a456-426614174000");
    EXPECT_EQ(out.column(9).GetBytes(r), "z");
    EXPECT_FALSE(out.column(10).IsNull(r));
    EXPECT_FALSE(out.column(10).GetBool(r));
  }
}

TEST(BatchProjectorTest, MicrosToMillisFloorsAndMillisOverflowIsBad) {
  SchemaPtr micros =
      ParseSchema(R"({"name":"t","type":{"type":"long","logicalType":"timestamp-micros"}})");
  SchemaPtr millis =
      ParseSchema(R"({"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}})");
  ASSERT_OK_AND_ASSIGN(BatchProjector down, BatchProjector::Make(micros, millis));
  RecordBatch in(micros);
  for (int64_t v : {int64_t{-1}, int64_t{-1000}, int64_t{-1001}, int64_t{1999}, INT64_MIN}) {
    in.column(0).AppendInt64(v);
    in.CommitRow();
  }
  RecordBatch out(millis);
  ASSERT_OK(down.Project(in, &out, nullptr, "src"));
  EXPECT_EQ(out.column(0).int64s(), (std::vector<int64_t>{-1, -1, -2, 1, INT64_MIN / 1000 - 1}));

  ASSERT_OK_AND_ASSIGN(BatchProjector up, BatchProjector::Make(millis, micros));
  RecordBatch big(millis);
  big.column(0).AppendInt64(INT64_MAX / 100);
  big.CommitRow();
  big.column(0).AppendInt64(5);
  big.CommitRow();
  RecordBatch upped(micros);
  std::vector<BadRecord> bad;
  ASSERT_OK(up.Project(
      big, &upped,
      [&](const BadRecord& r) {
        bad.push_back(r);
        return Status::OK();
      },
      "src"));
  ASSERT_EQ(upped.num_rows(), 1u);
  EXPECT_EQ(upped.column(0).GetInt64(0), 5000);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_NE(bad[0].reason.find("field 't'"), std::string::npos) << bad[0].reason;
}

TEST(BatchProjectorTest, NullIntoNonNullableRejectsTheRow) {
  SchemaPtr from = ParseSchema(R"({"name":"k","type":"string"},{"name":"v","type":["null","long"]},
                                  {"name":"w","type":"int"})");
  SchemaPtr to = ParseSchema(R"({"name":"k","type":"string"},{"name":"v","type":"long"},
                                {"name":"w","type":["null","int"]})");
  ASSERT_OK_AND_ASSIGN(BatchProjector p, BatchProjector::Make(from, to));
  RecordBatch in(from);
  for (int row = 0; row < 6; ++row) {
    in.column(0).AppendBytes("k" + std::to_string(row));
    if (row % 3 == 1) {
      in.column(1).AppendNull();
    } else {
      in.column(1).AppendInt64(row * 10);
    }
    in.column(2).AppendInt32(row);
    in.CommitRow();
  }
  std::vector<BadRecord> bad;
  BadRecordSink sink = [&](const BadRecord& r) {
    bad.push_back(r);
    return Status::OK();
  };
  RecordBatch out(to);
  ASSERT_OK(p.Project(in, &out, sink, "s3://bucket/in.parquet"));
  ASSERT_EQ(out.num_rows(), 4u);
  for (size_t c = 0; c < out.num_columns(); ++c) EXPECT_EQ(out.column(c).size(), 4u);
  const std::vector<std::string> keys = {"k0", "k2", "k3", "k5"};
  const std::vector<int64_t> values = {0, 20, 30, 50};
  const std::vector<int32_t> ws = {0, 2, 3, 5};
  for (size_t r = 0; r < 4; ++r) {
    EXPECT_EQ(out.column(0).GetBytes(r), keys[r]);
    EXPECT_EQ(out.column(1).GetInt64(r), values[r]);
    EXPECT_EQ(out.column(2).GetInt32(r), ws[r]);
    EXPECT_FALSE(out.column(2).IsNull(r));
  }
  ASSERT_EQ(bad.size(), 2u);
  for (const BadRecord& r : bad) {
    EXPECT_EQ(r.source, "s3://bucket/in.parquet");
    EXPECT_NE(r.reason.find("field 'v'"), std::string::npos) << r.reason;
    EXPECT_NE(r.reason.find("not nullable"), std::string::npos) << r.reason;
  }

  // Without a sink the call fails, naming the source and the field.
  Status st = p.Project(in, &out, nullptr, "in.parquet");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("in.parquet"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("field 'v'"), std::string::npos) << st.message();

  // A sink's error stops the call with that error.
  Status stopped = p.Project(
      in, &out, [](const BadRecord&) { return CancelledError("enough"); }, "in.parquet");
  EXPECT_EQ(stopped.code(), StatusCode::kCancelled);
}

TEST(BatchProjectorTest, EnumSymbolsMapByNameWithTheReadersDefault) {
  SchemaPtr from =
      ParseSchema(R"({"name":"e","type":{"type":"enum","name":"E","symbols":["A","B","C"]}})");
  SchemaPtr with_default = ParseSchema(
      R"({"name":"e","type":{"type":"enum","name":"E","symbols":["UNKNOWN","A"],"default":"UNKNOWN"}})");
  SchemaPtr without =
      ParseSchema(R"({"name":"e","type":{"type":"enum","name":"E","symbols":["B","A"]}})");
  RecordBatch in(from);
  for (int32_t s : {0, 1, 2}) {
    in.column(0).AppendInt32(s);
    in.CommitRow();
  }
  ASSERT_OK_AND_ASSIGN(BatchProjector p1, BatchProjector::Make(from, with_default));
  RecordBatch out1(with_default);
  ASSERT_OK(p1.Project(in, &out1, nullptr, "src"));
  EXPECT_EQ(out1.column(0).int32s(), (std::vector<int32_t>{1, 0, 0}));

  ASSERT_OK_AND_ASSIGN(BatchProjector p2, BatchProjector::Make(from, without));
  RecordBatch out2(without);
  std::vector<std::string> reasons;
  ASSERT_OK(p2.Project(
      in, &out2,
      [&](const BadRecord& r) {
        reasons.push_back(r.reason);
        return Status::OK();
      },
      "src"));
  EXPECT_EQ(out2.column(0).int32s(), (std::vector<int32_t>{1, 0}));
  ASSERT_EQ(reasons.size(), 1u);
  EXPECT_NE(reasons[0].find("symbol 'C'"), std::string::npos) << reasons[0];
  EXPECT_NE(reasons[0].find("test.E"), std::string::npos) << reasons[0];
}

TEST(BatchProjectorTest, BytesReadAsAStringMustBeUtf8) {
  SchemaPtr from =
      ParseSchema(R"({"name":"id","type":"int"},{"name":"y","type":["null","bytes"]})");
  SchemaPtr to = ParseSchema(R"({"name":"id","type":"int"},{"name":"y","type":["null","string"]})");
  ASSERT_OK_AND_ASSIGN(BatchProjector p, BatchProjector::Make(from, to));
  RecordBatch in(from);
  const char* values[] = {"ok", "caf\xe9", nullptr, "\xe2\x9c\x93"};
  for (int i = 0; i < 4; ++i) {
    in.column(0).AppendInt32(i);
    if (values[i] == nullptr) {
      in.column(1).AppendNull();
    } else {
      in.column(1).AppendBytes(values[i]);
    }
    in.CommitRow();
  }
  std::vector<BadRecord> bad;
  RecordBatch out(to);
  ASSERT_OK(p.Project(
      in, &out,
      [&](const BadRecord& r) {
        bad.push_back(r);
        return Status::OK();
      },
      "src"));
  EXPECT_EQ(out.column(0).int32s(), (std::vector<int32_t>{0, 2, 3}));
  EXPECT_EQ(out.column(1).GetBytes(2), "\xe2\x9c\x93");
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_NE(bad[0].reason.find("field 'y': string is not valid UTF-8 (byte 0xe9 at offset 3"),
            std::string::npos)
      << bad[0].reason;

  Status strict = p.Project(in, &out, nullptr, "src");
  EXPECT_EQ(strict.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(strict.message().find("not valid UTF-8"), std::string::npos) << strict.message();
}

TEST(BatchProjectorTest, AliasesAndNullableWidening) {
  SchemaPtr from = ParseSchema(R"({"name":"old","type":"int"},{"name":"n","type":"null"})");
  SchemaPtr to = ParseSchema(
      R"({"name":"new","type":["null","long"],"aliases":["old"]},{"name":"n","type":["null","string"]})");
  ASSERT_OK_AND_ASSIGN(BatchProjector p, BatchProjector::Make(from, to));
  RecordBatch in(from);
  in.column(0).AppendInt32(-8);
  in.column(1).AppendNull();
  in.CommitRow();
  RecordBatch out(to);
  ASSERT_OK(p.Project(in, &out, nullptr, "src"));
  ASSERT_EQ(out.num_rows(), 1u);
  EXPECT_FALSE(out.column(0).IsNull(0));
  EXPECT_EQ(out.column(0).GetInt64(0), -8);
  EXPECT_TRUE(out.column(1).IsNull(0));
}

TEST(BatchProjectorTest, UnresolvableSchemasNameTheField) {
  SchemaPtr from = ParseSchema(
      R"({"name":"a","type":"string"},{"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}})");
  struct {
    const char* to;
    const char* message;
  } cases[] = {
      {R"({"name":"a","type":"int"})", "reader field 'a'"},
      {R"({"name":"missing","type":"int"})", "reader field 'missing' is not in the data's schema"},
      {R"({"name":"t","type":{"type":"int","logicalType":"date"}})", "reader field 't'"},
      {R"({"name":"b","type":"boolean","default":"yes"})", "default \"yes\""},
  };
  for (const auto& c : cases) {
    Result<BatchProjector> p = BatchProjector::Make(from, ParseSchema(c.to));
    EXPECT_EQ(p.status().code(), StatusCode::kInvalidArgument) << c.to;
    EXPECT_NE(p.status().message().find(c.message), std::string::npos) << p.status().message();
  }
}

TEST(BatchProjectorTest, LogicalTypesAnnotateTheUnderlyingType) {
  SchemaPtr from = ParseSchema(
      R"({"name":"id","type":{"type":"string","logicalType":"uuid"}},)"
      R"({"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}},)"
      R"({"name":"d","type":{"type":"int","logicalType":"date"}},{"name":"n","type":"long"})");
  SchemaPtr to = ParseSchema(
      R"({"name":"id","type":"string"},{"name":"t","type":"long"},{"name":"d","type":"int"},)"
      R"({"name":"n","type":{"type":"long","logicalType":"timestamp-micros"}})");
  ASSERT_OK_AND_ASSIGN(BatchProjector p, BatchProjector::Make(from, to));
  RecordBatch in(from);
  in.column(0).AppendBytes("123e4567-e89b-12d3-a456-426614174000");
  in.column(1).AppendInt64(1700000000123);
  in.column(2).AppendInt32(19000);
  in.column(3).AppendInt64(42);
  in.CommitRow();
  RecordBatch out(to);
  ASSERT_OK(p.Project(in, &out, nullptr, "src"));
  ASSERT_EQ(out.num_rows(), 1u);
  EXPECT_EQ(out.column(0).GetBytes(0), "123e4567-e89b-12d3-a456-426614174000");
  EXPECT_EQ(out.column(1).GetInt64(0), 1700000000123);
  EXPECT_EQ(out.column(2).GetInt32(0), 19000);
  EXPECT_EQ(out.column(3).GetInt64(0), 42);

  // Different logical types are never reinterpreted: a date is not a timestamp.
  Result<BatchProjector> refused = BatchProjector::Make(
      ParseSchema(R"({"name":"d","type":{"type":"int","logicalType":"date"}})"),
      ParseSchema(R"({"name":"d","type":{"type":"long","logicalType":"timestamp-micros"}})"));
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("reader field 'd'"), std::string::npos)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("timestamp-micros"), std::string::npos)
      << refused.status().message();
}

TEST(BatchProjectorTest, EmptyBatches) {
  SchemaPtr from = ParseSchema(R"({"name":"a","type":["null","int"]})");
  SchemaPtr to = ParseSchema(R"({"name":"a","type":"long"},{"name":"b","type":"int","default":1})");
  ASSERT_OK_AND_ASSIGN(BatchProjector p, BatchProjector::Make(from, to));
  RecordBatch in(from);
  RecordBatch out(to);
  ASSERT_OK(p.Project(in, &out, nullptr, "src"));
  EXPECT_EQ(out.num_rows(), 0u);
}

}  // namespace
}  // namespace lakepipe

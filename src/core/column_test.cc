#include "core/column.h"

#include <gtest/gtest.h>

namespace lakepipe {
namespace {

SchemaPtr TestSchema() {
  std::vector<Field> fields(3);
  fields[0].name = "name";
  fields[0].type = Type::kString;
  fields[1].name = "age";
  fields[1].type = Type::kInt;
  fields[1].nullable = true;
  fields[2].name = "none";
  fields[2].type = Type::kNull;
  fields[2].nullable = true;
  return std::make_shared<const Schema>("T", fields);
}

TEST(ColumnTest, AppendsCommitsAndRollsBack) {
  RecordBatch batch(TestSchema());
  batch.column(0).AppendBytes("ada");
  batch.column(1).AppendInt32(36);
  batch.column(2).AppendNull();
  batch.CommitRow();
  batch.column(0).AppendBytes("");
  batch.column(1).AppendNull();
  batch.column(2).AppendNull();
  batch.CommitRow();
  // A half-appended row is dropped by RollbackRow.
  batch.column(0).AppendBytes("bad row");
  batch.RollbackRow();
  ASSERT_EQ(batch.num_rows(), 2u);
  EXPECT_EQ(batch.column(0).size(), 2u);
  EXPECT_EQ(batch.column(0).GetBytes(0), "ada");
  EXPECT_EQ(batch.column(0).GetBytes(1), "");
  EXPECT_EQ(batch.column(0).data(), "ada");
  EXPECT_TRUE(batch.column(1).IsValid(0));
  EXPECT_TRUE(batch.column(1).IsNull(1));
  EXPECT_EQ(batch.column(1).GetInt32(0), 36);
  EXPECT_EQ(batch.column(1).null_count(), 1u);
  EXPECT_EQ(batch.column(2).null_count(), 2u);
  batch.Clear();
  EXPECT_EQ(batch.num_rows(), 0u);
  EXPECT_EQ(batch.column(0).size(), 0u);
}

TEST(ColumnTest, RowsCopyBetweenBatches) {
  RecordBatch a(TestSchema());
  a.column(0).AppendBytes("x");
  a.column(1).AppendNull();
  a.column(2).AppendNull();
  a.CommitRow();
  a.column(0).AppendBytes("y");
  a.column(1).AppendInt32(7);
  a.column(2).AppendNull();
  a.CommitRow();
  RecordBatch b(a.schema());
  b.AppendRowFrom(a, 1);
  b.AppendRowFrom(a, 0);
  ASSERT_EQ(b.num_rows(), 2u);
  EXPECT_EQ(b.column(0).GetBytes(0), "y");
  EXPECT_EQ(b.column(1).GetInt32(0), 7);
  EXPECT_EQ(b.column(0).GetBytes(1), "x");
  EXPECT_TRUE(b.column(1).IsNull(1));
  EXPECT_EQ(b.column(2).null_count(), 2u);
}

TEST(ColumnTest, BeginBytesWritesInPlace) {
  Column c(Storage::kBinary, false);
  c.BeginBytes()->append("hello");
  c.EndBytes();
  c.AppendBytes("world");
  EXPECT_EQ(c.GetBytes(0), "hello");
  EXPECT_EQ(c.GetBytes(1), "world");
  c.Truncate(1);
  EXPECT_EQ(c.data(), "hello");
}

}  // namespace
}  // namespace lakepipe

namespace lakepipe {
namespace {

TEST(RecordBatchTest, AppendBatchEqualsAppendingRowByRow) {
  auto field = [](std::string name, Type type, bool nullable) {
    Field f;
    f.name = std::move(name);
    f.type = type;
    f.nullable = nullable;
    return f;
  };
  auto schema = std::make_shared<const Schema>(
      "T", std::vector<Field>{field("s", Type::kString, true), field("i", Type::kInt, false),
                              field("d", Type::kDouble, true), field("n", Type::kNull, true)});
  RecordBatch src(schema);
  for (int r = 0; r < 50; ++r) {
    r % 3 == 0 ? src.column(0).AppendNull() : src.column(0).AppendBytes(std::string(r % 7, 'x'));
    src.column(1).AppendInt32(r);
    r % 4 == 0 ? src.column(2).AppendNull() : src.column(2).AppendDouble(r / 2.0);
    src.column(3).AppendNull();
    src.CommitRow();
  }
  RecordBatch bulk(schema), rows(schema);
  for (int twice = 0; twice < 2; ++twice) {
    bulk.AppendBatch(src);
    for (size_t r = 0; r < src.num_rows(); ++r) rows.AppendRowFrom(src, r);
  }
  ASSERT_EQ(bulk.num_rows(), 100u);
  for (size_t c = 0; c < schema->num_fields(); ++c) {
    ASSERT_EQ(bulk.column(c).size(), 100u);
    for (size_t r = 0; r < 100; ++r) {
      ASSERT_EQ(bulk.column(c).IsNull(r), rows.column(c).IsNull(r)) << c << " " << r;
    }
  }
  for (size_t r = 0; r < 100; ++r) {
    EXPECT_EQ(bulk.column(0).GetBytes(r), rows.column(0).GetBytes(r));
    EXPECT_EQ(bulk.column(1).GetInt32(r), rows.column(1).GetInt32(r));
    EXPECT_EQ(bulk.column(2).GetDouble(r), rows.column(2).GetDouble(r));
  }
}

}  // namespace
}  // namespace lakepipe

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

#include <gtest/gtest.h>

#include "core/column.h"
#include "core/column_json.h"
#include "core/testing.h"

namespace lakepipe {
namespace {

// tags: nullable list<nullable string>; scores: map<string, nullable double>;
// person: nullable struct {name: string, pets: list<struct {kind: string,
// ages: nullable list<int>}>}; price: decimal(6, 2) on bytes.
constexpr const char* kNestedSchema = R"({"type":"record","name":"R","fields":[
  {"name":"tags","type":["null",{"type":"array","items":["null","string"]}]},
  {"name":"scores","type":{"type":"map","values":["null","double"]}},
  {"name":"person","type":["null",{"type":"record","name":"P","fields":[
    {"name":"name","type":"string"},
    {"name":"pets","type":{"type":"array","items":{"type":"record","name":"Pet","fields":[
      {"name":"kind","type":"string"},
      {"name":"ages","type":["null",{"type":"array","items":"int"}]}]}}}]}]},
  {"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":6,"scale":2}}]})";

SchemaPtr NestedSchema() {
  Result<Schema> s = Schema::FromAvroJson(kNestedSchema, {.complete_types = true});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::make_shared<const Schema>(std::move(s).value());
}

// Appends one row: the tags, scores and person of `row` (0, 1 or 2).
void AppendRow(RecordBatch* batch, int row) {
  Column& tags = batch->column(0);
  Column& scores = batch->column(1);
  Column& person = batch->column(2);
  Column& price = batch->column(3);
  switch (row) {
    case 0:  // ["a", null, "b"], {"x": 1.5, "y": null}, {name, pets: [dog [1,2], cat null]}
      tags.child(0).AppendBytes("a");
      tags.child(0).AppendNull();
      tags.child(0).AppendBytes("b");
      tags.FinishList();
      scores.child(0).AppendBytes("x");
      scores.child(1).AppendDouble(1.5);
      scores.child(0).AppendBytes("y");
      scores.child(1).AppendNull();
      scores.FinishList();
      person.AppendStruct();
      person.child(0).AppendBytes("ann");
      {
        Column& pets = person.child(1);
        Column& pet = pets.child(0);
        pet.AppendStruct();
        pet.child(0).AppendBytes("dog");
        pet.child(1).child(0).AppendInt32(1);
        pet.child(1).child(0).AppendInt32(2);
        pet.child(1).FinishList();
        pet.AppendStruct();
        pet.child(0).AppendBytes("cat");
        pet.child(1).AppendNull();
        pets.FinishList();
      }
      price.AppendBytes(std::string("\x04\xD2", 2));  // 1234 → 12.34
      break;
    case 1:  // null list, empty map, null person
      tags.AppendNull();
      scores.FinishList();
      person.AppendNull();
      price.AppendBytes(std::string("\xFF\x85", 2));  // -123 → -1.23
      break;
    default:  // [] (empty, not null), {"z": 0}, {name, pets: []}
      tags.FinishList();
      scores.child(0).AppendBytes("z");
      scores.child(1).AppendDouble(0);
      scores.FinishList();
      person.AppendStruct();
      person.child(0).AppendBytes("bo");
      person.child(1).FinishList();
      price.AppendBytes(std::string("\x05", 1));  // 5 → 0.05
      break;
  }
  batch->CommitRow();
}

const char* const kRows[] = {
    R"({"tags": ["a", null, "b"], "scores": {"x": 1.5, "y": null}, "person": {"name": "ann", )"
    R"("pets": [{"kind": "dog", "ages": [1, 2]}, {"kind": "cat", "ages": null}]}, "price": 12.34})",
    R"({"tags": null, "scores": {}, "person": null, "price": -1.23})",
    R"({"tags": [], "scores": {"z": 0}, "person": {"name": "bo", "pets": []}, "price": 0.05})",
};

TEST(NestedColumnTest, BuildsAndReadsNestedValues) {
  RecordBatch batch(NestedSchema());
  ASSERT_EQ(batch.column(0).layout(), Layout::kList);
  ASSERT_EQ(batch.column(1).layout(), Layout::kMap);
  ASSERT_EQ(batch.column(2).layout(), Layout::kStruct);
  ASSERT_EQ(batch.column(3).layout(), Layout::kFlat);
  for (int r = 0; r < 3; ++r) AppendRow(&batch, r);
  for (size_t r = 0; r < 3; ++r) EXPECT_EQ(RowJson(batch, r), kRows[r]) << r;

  // The layout itself: offsets, validity at every level, child slots.
  const Column& tags = batch.column(0);
  EXPECT_EQ(tags.offsets(), (std::vector<int64_t>{0, 3, 3, 3}));
  EXPECT_TRUE(tags.IsNull(1));
  EXPECT_FALSE(tags.IsNull(2));  // empty, not null
  EXPECT_EQ(tags.ListLength(2), 0u);
  EXPECT_EQ(tags.null_count(), 1u);
  EXPECT_EQ(tags.child(0).size(), 3u);
  EXPECT_TRUE(tags.child(0).IsNull(1));  // a list of nulls
  const Column& scores = batch.column(1);
  EXPECT_FALSE(scores.nullable());
  EXPECT_EQ(scores.child(0).size(), scores.child(1).size());
  EXPECT_FALSE(scores.child(0).nullable());  // map keys are never null
  EXPECT_TRUE(scores.child(1).IsNull(1));    // a map with a null value
  // Under the null person, the children have a slot: the non-nullable
  // name holds "", the pets list is empty.
  const Column& person = batch.column(2);
  EXPECT_EQ(person.child(0).size(), 3u);
  EXPECT_EQ(person.child(0).GetBytes(1), "");
  EXPECT_EQ(person.child(1).ListLength(1), 0u);
  const Column& ages = person.child(1).child(0).child(1);
  EXPECT_EQ(ages.size(), 2u);
  EXPECT_TRUE(ages.IsNull(1));
  EXPECT_EQ(ages.child(0).size(), 2u);
}

TEST(NestedColumnTest, RollsBackCopiesAndAppendsNestedRows) {
  RecordBatch batch(NestedSchema());
  AppendRow(&batch, 0);
  AppendRow(&batch, 1);
  // A row half appended and then dropped leaves no trace at any level.
  batch.column(0).child(0).AppendBytes("junk");
  batch.column(2).AppendStruct();
  batch.column(2).child(0).AppendBytes("junk");
  batch.column(2).child(1).child(0).AppendStruct();
  batch.RollbackRow();
  EXPECT_EQ(batch.column(0).child(0).size(), 3u);
  EXPECT_EQ(batch.column(2).child(1).child(0).size(), 2u);
  AppendRow(&batch, 2);
  for (size_t r = 0; r < 3; ++r) EXPECT_EQ(RowJson(batch, r), kRows[r]) << r;

  RecordBatch copy(batch.schema());
  for (size_t r : {2, 0, 1}) copy.AppendRowFrom(batch, r);
  EXPECT_EQ(RowJson(copy, 0), kRows[2]);
  EXPECT_EQ(RowJson(copy, 1), kRows[0]);
  EXPECT_EQ(RowJson(copy, 2), kRows[1]);

  RecordBatch twice(batch.schema());
  twice.AppendBatch(batch);
  twice.AppendBatch(batch);
  ASSERT_EQ(twice.num_rows(), 6u);
  for (size_t r = 0; r < 6; ++r) EXPECT_EQ(RowJson(twice, r), kRows[r % 3]) << r;
  twice.TruncateRows(4);
  EXPECT_EQ(BatchJson(twice),
            std::string(kRows[0]) + "\n" + kRows[1] + "\n" + kRows[2] + "\n" + kRows[0] + "\n");
  EXPECT_GT(twice.ByteSize(), 0u);
  EXPECT_GE(twice.MemoryBytes(), twice.ByteSize() / 2);

  std::string diff;
  EXPECT_FALSE(BatchesEqual(copy, batch, &diff));
  EXPECT_NE(diff.find("row 0"), std::string::npos) << diff;
  twice.TruncateRows(3);
  EXPECT_TRUE(BatchesEqual(twice, batch, &diff)) << diff;
  batch.Clear();
  EXPECT_EQ(batch.column(2).child(1).child(0).size(), 0u);
  EXPECT_EQ(batch.column(0).offsets(), (std::vector<int64_t>{0}));
}

TEST(NestedColumnTest, DeepNestingAndUnionStructs) {
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::FromAvroJson(R"({"type":"record","name":"R","fields":[
      {"name":"deep","type":{"type":"array","items":{"type":"array","items":
        {"type":"map","values":{"type":"array","items":["null","long"]}}}}},
      {"name":"u","type":["null","int","string"]}]})",
                                                      {.complete_types = true}));
  RecordBatch batch(std::make_shared<const Schema>(std::move(s)));
  Column& deep = batch.column(0);
  Column& inner = deep.child(0);
  Column& map = inner.child(0);
  Column& values = map.child(1);
  // [[{"k": [7, null]}, {}], []]
  map.child(0).AppendBytes("k");
  values.child(0).AppendInt64(7);
  values.child(0).AppendNull();
  values.FinishList();
  map.FinishList();
  map.FinishList();
  inner.FinishList();
  inner.FinishList();
  deep.FinishList();
  // The union is a struct of members, at most one set.
  Column& u = batch.column(1);
  u.AppendStruct();
  u.child(0).AppendNull();
  u.child(1).AppendBytes("s");
  batch.CommitRow();
  deep.FinishList();
  u.AppendNull();
  batch.CommitRow();
  EXPECT_EQ(RowJson(batch, 0),
            R"({"deep": [[{"k": [7, null]}, {}], []], "u": {"member0": null, "member1": "s"}})");
  EXPECT_EQ(RowJson(batch, 1), R"({"deep": [], "u": null})");
  EXPECT_TRUE(u.child(0).IsNull(1));
  EXPECT_TRUE(u.child(1).IsNull(1));
}

TEST(NestedColumnTest, PrintsLogicalValuesAsDuckDbDoes) {
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::FromAvroJson(R"({"type":"record","name":"R","fields":[
      {"name":"id","type":{"type":"fixed","name":"U","size":16,"logicalType":"uuid"}},
      {"name":"big","type":{"type":"fixed","name":"B","size":16,"logicalType":"decimal",
                            "precision":38,"scale":3}},
      {"name":"small","type":{"type":"long","logicalType":"decimal","precision":18,"scale":4}},
      {"name":"u64","type":{"type":"long","logicalType":"uint64"}},
      {"name":"t","type":{"type":"int","logicalType":"time-millis"}},
      {"name":"ns","type":{"type":"long","logicalType":"local-timestamp-nanos"}},
      {"name":"raw","type":"bytes"},
      {"name":"m","type":{"type":"array","items":{"type":"record","name":"E","fields":[
        {"name":"key","type":"int"},{"name":"value","type":"string"}]}}}]})",
                                                      {.complete_types = true}));
  RecordBatch batch(std::make_shared<const Schema>(std::move(s)));
  batch.column(0).AppendBytes(
      std::string("\x12\x34\x56\x78\x9a\xbc\xde\xf0\x01\x23\x45\x67\x89\xab\xcd\xef", 16));
  batch.column(1).AppendBytes(std::string(15, '\xff') + "\xfe");  // -2
  batch.column(2).AppendInt64(-5);
  batch.column(3).AppendInt64(-1);
  batch.column(4).AppendInt32(45296789);
  batch.column(5).AppendInt64(1000000001);
  batch.column(6).AppendBytes(std::string("a\x00\\", 3));
  batch.column(7).FinishList();
  batch.CommitRow();
  EXPECT_EQ(RowJson(batch, 0),
            R"({"id": "12345678-9abc-def0-0123-456789abcdef", "big": -0.002, "small": -0.0005, )"
            R"("u64": 18446744073709551615, "t": "12:34:56.789", )"
            R"("ns": "1970-01-01T00:00:01.000000001", "raw": "a\\x00\\x5C", "m": []})");
}

TEST(NestedColumnTest, MapsWithKeysOtherThanStringsPrintAsEntries) {
  ASSERT_OK_AND_ASSIGN(Schema s, Schema::FromAvroJson(R"({"type":"record","name":"R","fields":[
      {"name":"m","type":{"type":"array","logicalType":"map","items":{"type":"record",
        "name":"E","fields":[{"name":"key","type":"int"},{"name":"value","type":["null","string"]}]}}}]})",
                                                      {.complete_types = true}));
  RecordBatch batch(std::make_shared<const Schema>(std::move(s)));
  Column& m = batch.column(0);
  ASSERT_EQ(m.layout(), Layout::kMap);
  m.child(0).AppendInt32(3);
  m.child(1).AppendNull();
  m.child(0).AppendInt32(4);
  m.child(1).AppendBytes("four");
  m.FinishList();
  batch.CommitRow();
  EXPECT_EQ(RowJson(batch, 0),
            R"({"m": [{"key": 3, "value": null}, {"key": 4, "value": "four"}]})");
}

}  // namespace
}  // namespace lakepipe

#include "formats/parquet/shred.h"

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe::parquet {
namespace {

// One level entry: definition level, repetition level, and the value as
// text ("-" for none).
struct Entry {
  int def;
  int rep;
  std::string value;
  bool operator==(const Entry& o) const { return def == o.def && rep == o.rep && value == o.value; }
};

std::ostream& operator<<(std::ostream& os, const Entry& e) {
  return os << "(" << e.def << "," << e.rep << "," << e.value << ")";
}

class ShredTest : public ::testing::Test {
 protected:
  void Parse(const std::string& fields) {
    auto schema = Schema::FromAvroJson(R"({"type":"record","name":"r","fields":[)" + fields + "]}",
                                       SchemaParseOptions{.complete_types = true});
    ASSERT_OK(schema);
    schema_ = std::make_shared<const Schema>(std::move(schema).value());
    auto plan = PlanParquetSchema(*schema_);
    ASSERT_OK(plan);
    plan_ = std::move(plan).value();
    batch_ = std::make_unique<RecordBatch>(schema_);
  }

  const LeafPlan& Leaf(const std::string& path) {
    for (const LeafPlan& l : plan_->leaves) {
      std::string p;
      for (const std::string& s : l.path) p += (p.empty() ? "" : ".") + s;
      if (p == path) return l;
    }
    ADD_FAILURE() << "no leaf " << path;
    return plan_->leaves[0];
  }

  std::vector<Entry> Shred(const std::string& path) {
    const LeafPlan& leaf = Leaf(path);
    ShreddedLeaf out(ShreddedStorage(leaf));
    const Status st = ShredLeaf(leaf, batch_->column(leaf.top), 0, batch_->num_rows(), &out);
    EXPECT_TRUE(st.ok()) << st.ToString();
    std::vector<Entry> entries;
    for (size_t i = 0; i < out.size(); ++i) {
      std::string v = "-";
      if (out.values.IsValid(i)) {
        switch (out.values.storage()) {
          case Storage::kInt32:
            v = std::to_string(out.values.GetInt32(i));
            break;
          case Storage::kInt64:
            v = std::to_string(out.values.GetInt64(i));
            break;
          case Storage::kBinary:
            v = std::string(out.values.GetBytes(i));
            break;
          default:
            v = "?";
        }
      }
      entries.push_back({out.def[i], leaf.max_rep > 0 ? out.rep[i] : 0, v});
    }
    return entries;
  }

  SchemaPtr schema_;
  std::unique_ptr<const ParquetSchemaPlan> plan_;
  std::unique_ptr<RecordBatch> batch_;
};

TEST_F(ShredTest, EmptyListNullListAndListOfNulls) {
  Parse(R"({"name":"l","type":["null",{"type":"array","items":["null","int"]}]})");
  Column& l = batch_->column(0);
  Column& e = l.child(0);
  e.AppendInt32(1);
  e.AppendInt32(2);
  l.FinishList();  // [1, 2]
  l.FinishList();  // []
  l.AppendNull();  // null
  e.AppendNull();
  l.FinishList();  // [null]
  e.AppendInt32(3);
  l.FinishList();  // [3]
  batch_->SetNumRows(5);
  const LeafPlan& leaf = Leaf("l.list.element");
  EXPECT_EQ(leaf.max_def, 3);
  EXPECT_EQ(leaf.max_rep, 1);
  EXPECT_EQ(Shred("l.list.element"),
            (std::vector<Entry>{
                {3, 0, "1"}, {3, 1, "2"}, {1, 0, "-"}, {0, 0, "-"}, {2, 0, "-"}, {3, 0, "3"}}));
}

TEST_F(ShredTest, MapWithNullValues) {
  Parse(R"({"name":"m","type":["null",{"type":"map","values":["null","int"]}]})");
  Column& m = batch_->column(0);
  m.child(0).AppendBytes("a");
  m.child(1).AppendInt32(1);
  m.child(0).AppendBytes("b");
  m.child(1).AppendNull();
  m.FinishList();  // {a: 1, b: null}
  m.FinishList();  // {}
  m.AppendNull();  // null
  batch_->SetNumRows(3);
  EXPECT_EQ(Leaf("m.key_value.key").max_def, 2);
  EXPECT_EQ(Leaf("m.key_value.value").max_def, 3);
  EXPECT_EQ(Shred("m.key_value.key"),
            (std::vector<Entry>{{2, 0, "a"}, {2, 1, "b"}, {1, 0, "-"}, {0, 0, "-"}}));
  EXPECT_EQ(Shred("m.key_value.value"),
            (std::vector<Entry>{{3, 0, "1"}, {2, 1, "-"}, {1, 0, "-"}, {0, 0, "-"}}));
}

// list<struct<ms: list<map<string, int>>>>, nullable at every level.
TEST_F(ShredTest, DeepNesting) {
  Parse(R"({"name":"top","type":["null",{"type":"array","items":["null",{"type":"record",
      "name":"s","fields":[{"name":"ms","type":["null",{"type":"array",
      "items":["null",{"type":"map","values":["null","int"]}]}]}]}]}]})");
  Column& top = batch_->column(0);
  Column& s = top.child(0);
  Column& ms = s.child(0);
  Column& map = ms.child(0);
  // Row 0: [{ms: [{a: 1}, null, {}]}, null, {ms: null}]
  s.AppendStruct();
  map.child(0).AppendBytes("a");
  map.child(1).AppendInt32(1);
  map.FinishList();
  map.AppendNull();
  map.FinishList();
  ms.FinishList();
  s.AppendNull();
  s.AppendStruct();
  ms.AppendNull();
  top.FinishList();
  // Row 1: null; row 2: [].
  top.AppendNull();
  top.FinishList();
  batch_->SetNumRows(3);
  const LeafPlan& leaf = Leaf("top.list.element.ms.list.element.key_value.value");
  EXPECT_EQ(leaf.max_def, 8);
  EXPECT_EQ(leaf.max_rep, 3);
  EXPECT_EQ(Shred("top.list.element.ms.list.element.key_value.value"),
            (std::vector<Entry>{{8, 0, "1"},
                                {5, 2, "-"},
                                {6, 2, "-"},
                                {2, 1, "-"},
                                {3, 1, "-"},
                                {0, 0, "-"},
                                {1, 0, "-"}}));
  EXPECT_EQ(Shred("top.list.element.ms.list.element.key_value.key"),
            (std::vector<Entry>{{7, 0, "a"},
                                {5, 2, "-"},
                                {6, 2, "-"},
                                {2, 1, "-"},
                                {3, 1, "-"},
                                {0, 0, "-"},
                                {1, 0, "-"}}));
}

TEST_F(ShredTest, OptionalStructWithRequiredChild) {
  Parse(R"({"name":"s","type":["null",{"type":"record","name":"t","fields":[
      {"name":"x","type":"int"},{"name":"y","type":["null","string"]}]}]})");
  Column& s = batch_->column(0);
  s.AppendStruct();
  s.child(0).AppendInt32(5);
  s.child(1).AppendNull();
  s.AppendNull();
  s.AppendStruct();
  s.child(0).AppendInt32(6);
  s.child(1).AppendBytes("z");
  batch_->SetNumRows(3);
  EXPECT_EQ(Leaf("s.x").max_def, 1);
  EXPECT_EQ(Leaf("s.x").max_rep, 0);
  EXPECT_EQ(Shred("s.x"), (std::vector<Entry>{{1, 0, "5"}, {0, 0, "-"}, {1, 0, "6"}}));
  EXPECT_EQ(Shred("s.y"), (std::vector<Entry>{{1, 0, "-"}, {0, 0, "-"}, {2, 0, "z"}}));
}

TEST_F(ShredTest, DecimalsChangeStorageExactly) {
  Parse(R"({"name":"small","type":{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}},
           {"name":"wide","type":{"type":"bytes","logicalType":"decimal","precision":20,"scale":0}},
           {"name":"mid","type":{"type":"bytes","logicalType":"decimal","precision":12,"scale":3}})");
  EXPECT_EQ(Leaf("small").physical, PhysicalType::kInt32);
  EXPECT_EQ(Leaf("wide").physical, PhysicalType::kFixedLenByteArray);
  EXPECT_EQ(Leaf("wide").type_length, 9);
  EXPECT_EQ(Leaf("mid").physical, PhysicalType::kInt64);
  batch_->column(0).AppendBytes(std::string("\xff\xfe", 2));  // -2
  batch_->column(1).AppendBytes(std::string("\x80", 1));      // -128
  batch_->column(2).AppendBytes("\xff");
  batch_->CommitRow();
  batch_->column(0).AppendBytes(std::string("\x00\x00\x00\x00\x3b\x9a\xc9\xff", 8));  // 999999999
  batch_->column(1).AppendBytes(std::string("\x01\x00", 2));
  batch_->column(2).AppendBytes("\x01\x02");
  batch_->CommitRow();
  EXPECT_EQ(Shred("small"), (std::vector<Entry>{{0, 0, "-2"}, {0, 0, "999999999"}}));
  EXPECT_EQ(Shred("wide"), (std::vector<Entry>{{0, 0, std::string(8, '\xff') + "\x80"},
                                               {0, 0, std::string(7, '\0') + "\x01" + '\0'}}));
  EXPECT_EQ(Shred("mid"), (std::vector<Entry>{{0, 0, "-1"}, {0, 0, "258"}}));
}

TEST_F(ShredTest, DecimalTooWideForItsPrecisionIsRefused) {
  Parse(R"({"name":"d","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":0}})");
  batch_->column(0).AppendBytes(std::string("\x27\x10", 2));  // 10000: five digits
  batch_->CommitRow();
  const LeafPlan& leaf = Leaf("d");
  ShreddedLeaf out(ShreddedStorage(leaf));
  const Status st = ShredLeaf(leaf, batch_->column(0), 0, 1, &out);
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("decimal(4, 0)"), std::string::npos) << st.ToString();
}

TEST(FloatToHalfTest, RoundsToNearestEven) {
  EXPECT_EQ(FloatToHalf(1.0f), 0x3c00);
  EXPECT_EQ(FloatToHalf(-2.0f), 0xc000);
  EXPECT_EQ(FloatToHalf(65504.0f), 0x7bff);
  EXPECT_EQ(FloatToHalf(65520.0f), 0x7c00);            // rounds up to infinity
  EXPECT_EQ(FloatToHalf(1.0f + 1.0f / 2048), 0x3c00);  // tie: to even
  EXPECT_EQ(FloatToHalf(1.0f + 3.0f / 2048), 0x3c02);  // tie: to even
  EXPECT_EQ(FloatToHalf(5.9604645e-8f), 0x0001);       // smallest subnormal
  EXPECT_EQ(FloatToHalf(2.9802322e-8f), 0x0000);       // half of it: tie to even
  EXPECT_EQ(FloatToHalf(0.0f), 0x0000);
  EXPECT_EQ(FloatToHalf(-0.0f), 0x8000);
  EXPECT_EQ(FloatToHalf(1.0f / 0.0f), 0x7c00);
  EXPECT_EQ(FloatToHalf(std::nanf("")) & 0x7e00, 0x7e00);
}

}  // namespace
}  // namespace lakepipe::parquet

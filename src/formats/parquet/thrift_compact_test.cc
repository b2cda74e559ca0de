#include "formats/parquet/thrift_compact.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "formats/parquet/metadata.h"

namespace lakepipe::parquet {
namespace {

TEST(ThriftCompactTest, FieldHeadersUseDeltasAndLongForm) {
  std::string out;
  ThriftWriter w(&out);
  w.BeginStruct();
  w.FieldI32(1, 5);      // delta 1, i32: 0x15, zigzag(5)=10
  w.FieldBool(3, true);  // delta 2, true: 0x21
  w.FieldI64(40, -1);    // long form: 0x06, zigzag i16 id 80 = 0x50, zigzag(-1)=1
  w.EndStruct();
  const std::string expected("\x15\x0a\x21\x06\x50\x01\x00", 7);
  EXPECT_EQ(out, expected);
}

TEST(ThriftCompactTest, PageHeaderRoundTrip) {
  PageHeader h;
  h.type = PageType::kDataPage;
  h.uncompressed_page_size = 1 << 20;
  h.compressed_page_size = 12345;
  DataPageHeader& d = h.data_page_header.emplace();
  d.num_values = 70000;
  d.encoding = Encoding::kRleDictionary;
  Statistics& s = d.statistics.emplace();
  s.min_value = "a";
  s.max_value = std::string(300, 'z');
  s.null_count = 3;
  std::string bytes;
  SerializePageHeader(h, &bytes);
  bytes += "trailing page data";
  size_t consumed = 0;
  ASSERT_OK_AND_ASSIGN(PageHeader back, ParsePageHeader(bytes, &consumed));
  EXPECT_EQ(bytes.substr(consumed), "trailing page data");
  EXPECT_EQ(back.uncompressed_page_size, 1 << 20);
  EXPECT_EQ(back.compressed_page_size, 12345);
  ASSERT_TRUE(back.data_page_header);
  EXPECT_EQ(back.data_page_header->num_values, 70000);
  EXPECT_EQ(back.data_page_header->encoding, Encoding::kRleDictionary);
  EXPECT_EQ(*back.data_page_header->statistics->max_value, std::string(300, 'z'));
  EXPECT_EQ(*back.data_page_header->statistics->null_count, 3);
}

TEST(ThriftCompactTest, FileMetaDataRoundTripAndSkipsUnknownFields) {
  FileMetaData md;
  md.num_rows = 42;
  md.created_by = "lakepipe version 0.1.0 (build abc)";
  SchemaElement root;
  root.name = "r";
  root.num_children = 1;
  SchemaElement leaf;
  leaf.name = "ts";
  leaf.type = PhysicalType::kInt64;
  leaf.repetition = Repetition::kOptional;
  leaf.field_id = 1;
  leaf.converted_type = ConvertedType::kTimestampMicros;
  LogicalTypeAnnotation lt;
  lt.kind = LogicalTypeAnnotation::Kind::kTimestamp;
  lt.unit = TimeUnit::kMicros;
  leaf.logical_type = lt;
  md.schema = {root, leaf};
  RowGroup g;
  g.num_rows = 42;
  ColumnChunk c;
  ColumnMetaData& m = c.meta_data.emplace();
  m.type = PhysicalType::kInt64;
  m.encodings = {Encoding::kPlain, Encoding::kRle, Encoding::kRleDictionary};
  m.path_in_schema = {"ts"};
  m.codec = CompressionCodec::kZstd;
  m.num_values = 42;
  m.data_page_offset = 100;
  m.dictionary_page_offset = 4;
  g.columns.push_back(c);
  md.row_groups.push_back(g);
  md.key_value_metadata.push_back({"k", std::string("v")});
  md.column_orders = {true};
  std::string bytes;
  SerializeFileMetaData(md, &bytes);
  ASSERT_OK_AND_ASSIGN(FileMetaData back, ParseFileMetaData(bytes));
  EXPECT_EQ(back.num_rows, 42);
  EXPECT_EQ(*back.created_by, *md.created_by);
  ASSERT_EQ(back.schema.size(), 2u);
  EXPECT_EQ(*back.schema[1].field_id, 1);
  EXPECT_EQ(back.schema[1].logical_type->kind, LogicalTypeAnnotation::Kind::kTimestamp);
  EXPECT_EQ(back.schema[1].logical_type->unit, TimeUnit::kMicros);
  const ColumnMetaData& bm = *back.row_groups[0].columns[0].meta_data;
  EXPECT_EQ(bm.encodings.size(), 3u);
  EXPECT_EQ(*bm.dictionary_page_offset, 4);
  EXPECT_EQ(back.key_value_metadata[0].key, "k");
  EXPECT_EQ(back.column_orders.size(), 1u);
}

TEST(ThriftCompactTest, GeospatialLogicalTypesKeepCrsAndAlgorithm) {
  FileMetaData md;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 2;
  SchemaElement geom;
  geom.name = "shape";
  geom.type = PhysicalType::kByteArray;
  LogicalTypeAnnotation g;
  g.kind = LogicalTypeAnnotation::Kind::kGeometry;
  g.crs = "EPSG:4326";
  geom.logical_type = g;
  SchemaElement geog = geom;
  geog.name = "area";
  LogicalTypeAnnotation h;
  h.kind = LogicalTypeAnnotation::Kind::kGeography;
  h.algorithm = 4;
  geog.logical_type = h;
  md.schema = {root, geom, geog};
  std::string bytes;
  SerializeFileMetaData(md, &bytes);
  ASSERT_OK_AND_ASSIGN(FileMetaData back, ParseFileMetaData(bytes));
  ASSERT_EQ(back.schema.size(), 3u);
  EXPECT_EQ(back.schema[1].logical_type->kind, LogicalTypeAnnotation::Kind::kGeometry);
  EXPECT_EQ(back.schema[1].logical_type->crs, "EPSG:4326");
  EXPECT_FALSE(back.schema[1].logical_type->algorithm.has_value());
  EXPECT_EQ(back.schema[2].logical_type->kind, LogicalTypeAnnotation::Kind::kGeography);
  EXPECT_EQ(back.schema[2].logical_type->crs, "");
  EXPECT_EQ(back.schema[2].logical_type->algorithm, 4);
}

TEST(ThriftCompactTest, DamagedInputIsAnErrorNotACrash) {
  FileMetaData md;
  SchemaElement root;
  root.name = "r";
  md.schema = {root};
  std::string bytes;
  SerializeFileMetaData(md, &bytes);
  for (size_t cut = 0; cut < bytes.size(); ++cut) {
    EXPECT_FALSE(ParseFileMetaData(std::string_view(bytes).substr(0, cut)).ok()) << cut;
  }
  // A list claiming more elements than bytes remain.
  const std::string huge("\x19\xfc\xff\xff\xff\x0f", 6);
  EXPECT_EQ(ParseFileMetaData(huge).status().code(), StatusCode::kCorruption);
  // Deep nesting is bounded.
  EXPECT_FALSE(ParseFileMetaData(std::string(10000, '\x1c')).ok());
}

}  // namespace
}  // namespace lakepipe::parquet

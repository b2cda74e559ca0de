// Writes a matrix of Parquet files through lakepipe's writer for
// tests/interop/parquet_nested_write.test.mjs: each type at the top level,
// in lists, in maps and in structs, with nullability at each level, deep
// nesting, every codec, dictionary on and off. Beside each case it writes
// the expected rows as core/column_json prints them (DuckDB's to_json
// form), one per line.
//
// Usage: parquet_nested_matrix_tool <out_dir> [rows]
// Prints one JSON line per file: {"case", "file", "expected", "codec",
// "dictionary", "rows"}.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/column_json.h"
#include "formats/parquet/parquet_writer.h"
#include "storage/object_store.h"

namespace lakepipe {
namespace {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// Deterministic values.
class Rng {
 public:
  explicit Rng(uint64_t seed) : s_(seed * 0x9e3779b97f4a7c15ULL + 1) {}
  uint64_t Next() {
    s_ ^= s_ << 13;
    s_ ^= s_ >> 7;
    s_ ^= s_ << 17;
    return s_;
  }
  uint64_t Below(uint64_t n) { return Next() % n; }

 private:
  uint64_t s_;
};

// Leaf types (Avro JSON) with names.
struct LeafType {
  const char* name;
  const char* avro;
};

const LeafType kLeaves[] = {
    {"bool", R"("boolean")"},
    {"i32", R"("int")"},
    {"i64", R"("long")"},
    {"f32", R"("float")"},
    {"f64", R"("double")"},
    {"str", R"("string")"},
    {"bin", R"("bytes")"},
    {"i8", R"({"type":"int","logicalType":"int8"})"},
    {"i16", R"({"type":"int","logicalType":"int16"})"},
    {"u8", R"({"type":"int","logicalType":"uint8"})"},
    {"u16", R"({"type":"int","logicalType":"uint16"})"},
    {"u32", R"({"type":"long","logicalType":"uint32"})"},
    {"u64", R"({"type":"long","logicalType":"uint64"})"},
    {"dec9", R"({"type":"bytes","logicalType":"decimal","precision":9,"scale":2})"},
    {"dec18", R"({"type":"long","logicalType":"decimal","precision":18,"scale":4})"},
    {"dec38", R"({"type":"bytes","logicalType":"decimal","precision":38,"scale":10})"},
    {"decfix",
     R"({"type":"fixed","name":"DF","size":11,"logicalType":"decimal","precision":25,"scale":3})"},
    {"uuid", R"({"type":"string","logicalType":"uuid"})"},
    {"uuidfix", R"({"type":"fixed","name":"UF","size":16,"logicalType":"uuid"})"},
    {"fix5", R"({"type":"fixed","name":"F5","size":5})"},
    {"enum", R"({"type":"enum","name":"Color","symbols":["red","green","blue"]})"},
    {"date", R"({"type":"int","logicalType":"date"})"},
    {"tms", R"({"type":"int","logicalType":"time-millis"})"},
    {"tus", R"({"type":"long","logicalType":"time-micros"})"},
    {"tsms", R"({"type":"long","logicalType":"timestamp-millis"})"},
    {"tsus", R"({"type":"long","logicalType":"timestamp-micros"})"},
    {"tsns", R"({"type":"long","logicalType":"timestamp-nanos"})"},
    {"ltsms", R"({"type":"long","logicalType":"local-timestamp-millis"})"},
    {"ltsus", R"({"type":"long","logicalType":"local-timestamp-micros"})"},
    {"ltsns", R"({"type":"long","logicalType":"local-timestamp-nanos"})"},
    {"f16", R"({"type":"float","logicalType":"float16"})"},
};

std::string Nullable(const std::string& t, bool nullable) {
  return nullable ? "[\"null\"," + t + "]" : t;
}

// Each case: a record with one field per leaf type in a given shape.
struct Case {
  std::string name;
  std::string schema;
};

std::string Record(const std::string& name, const std::vector<std::string>& fields) {
  std::string out = R"({"type":"record","name":")" + name + R"(","fields":[)";
  for (size_t i = 0; i < fields.size(); ++i) out += (i ? "," : "") + fields[i];
  return out + "]}";
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  auto each = [](auto&& make) {
    std::vector<std::string> fields;
    for (const LeafType& t : kLeaves) {
      fields.push_back(fmt::format(R"({{"name":"{}","type":{}}})", t.name, make(t)));
    }
    return fields;
  };
  for (bool n : {false, true}) {
    cases.push_back({fmt::format("top-{}", n ? "opt" : "req"),
                     Record("Top", each([&](const LeafType& t) { return Nullable(t.avro, n); }))});
  }
  for (bool outer : {false, true}) {
    for (bool inner : {false, true}) {
      const std::string suffix = fmt::format("{}{}", outer ? "o" : "r", inner ? "o" : "r");
      cases.push_back({"list-" + suffix, Record("L", each([&](const LeafType& t) {
                                                  return Nullable(R"({"type":"array","items":)" +
                                                                      Nullable(t.avro, inner) + "}",
                                                                  outer);
                                                }))});
      cases.push_back({"map-" + suffix, Record("M", each([&](const LeafType& t) {
                                                 return Nullable(R"({"type":"map","values":)" +
                                                                     Nullable(t.avro, inner) + "}",
                                                                 outer);
                                               }))});
      std::vector<std::string> members;
      for (const LeafType& t : kLeaves) {
        members.push_back(
            fmt::format(R"({{"name":"{}","type":{}}})", t.name, Nullable(t.avro, inner)));
      }
      cases.push_back(
          {"struct-" + suffix, Record("S", {fmt::format(R"({{"name":"s","type":{}}})",
                                                        Nullable(Record("Inner", members), outer)),
                                            R"({"name":"id","type":"int"})"})});
    }
  }
  // list<struct<list<map<string, int>>>>, nullable at every level or none.
  for (bool n : {false, true}) {
    const std::string map =
        Nullable(R"({"type":"map","values":)" + Nullable(R"("int")", n) + "}", n);
    const std::string inner_list = Nullable(R"({"type":"array","items":)" + map + "}", n);
    const std::string rec =
        Nullable(Record(n ? "DeepO" : "DeepR",
                        {R"({"name":"ms","type":)" + inner_list + "}",
                         R"({"name":"tag","type":)" + Nullable(R"("string")", n) + "}"}),
                 n);
    const std::string top = Nullable(R"({"type":"array","items":)" + rec + "}", n);
    cases.push_back({fmt::format("deep-{}", n ? "opt" : "req"),
                     Record("D", {R"({"name":"deep","type":)" + top + "}",
                                  R"({"name":"ll","type":)" +
                                      Nullable(R"({"type":"array","items":)" +
                                                   Nullable(R"({"type":"array","items":)" +
                                                                Nullable(R"("long")", n) + "}",
                                                            n) +
                                                   "}",
                                               n) +
                                      "}"})});
  }
  // Annotations that travel in Avro type attributes; DuckDB and hyparquet
  // print these values in forms of their own, so the test checks the schema.
  cases.push_back(
      {"attrs",
       Record(
           "A",
           {R"({"name":"js","type":["null",{"type":"string","logicalType":"json"}]})",
            R"({"name":"bs","type":{"type":"bytes","logicalType":"bson"}})",
            R"({"name":"geom","type":{"type":"bytes","logicalType":"geometry","crs":"OGC:CRS84"}})",
            R"({"name":"geog","type":{"type":"bytes","logicalType":"geography","algorithm":"vincenty"}})",
            R"({"name":"iv","type":{"type":"fixed","name":"Dur","size":12,"logicalType":"duration"}})",
            R"({"name":"tns","type":{"type":"array","items":{"type":"long","logicalType":"time-nanos"}}})"})});
  return cases;
}

// A WKB point.
std::string WkbPoint(double x, double y) {
  std::string b("\x01\x01\x00\x00\x00", 5);
  b.append(reinterpret_cast<const char*>(&x), 8);
  b.append(reinterpret_cast<const char*>(&y), 8);
  return b;
}

std::string AttributeLogicalType(const Field& f) {
  if (!f.type_attributes.is_object()) return "";
  auto it = f.type_attributes.find("logicalType");
  return it != f.type_attributes.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string BigEndian(Int128 v, size_t n) {
  std::string b(n, '\0');
  for (size_t i = n; i-- > 0;) {
    b[i] = static_cast<char>(static_cast<UInt128>(v) & 0xff);
    v >>= 8;
  }
  return b;
}

// A signed value of at most `digits` decimal digits.
Int128 Digits(Rng& rng, int digits) {
  Int128 v = 0;
  const int n = static_cast<int>(rng.Below(static_cast<uint64_t>(digits)) + 1);
  for (int i = 0; i < n; ++i) v = v * 10 + static_cast<int>(rng.Below(10));
  return rng.Below(2) ? -v : v;
}

void Leaf(const Field& f, Column* c, Rng& rng) {
  const uint64_t r = rng.Next();
  const int64_t small = static_cast<int64_t>(r % 7) - 3;  // few distinct values: dictionaries
  const std::string attr = AttributeLogicalType(f);
  if (attr == "json") return c->AppendBytes(fmt::format(R"({{"a":{}}})", small));
  if (attr == "geometry" || attr == "geography") {
    return c->AppendBytes(WkbPoint(static_cast<double>(small), static_cast<double>(r % 90)));
  }
  if (attr == "time-nanos") return c->AppendInt64(static_cast<int64_t>(r % 86400000000000ULL));
  switch (f.kind()) {
    case Kind::kBoolean:
      return c->AppendBool(r & 1);
    case Kind::kInt8:
      return c->AppendInt32(static_cast<int8_t>(r));
    case Kind::kInt16:
      return c->AppendInt32(static_cast<int16_t>(r));
    case Kind::kInt32:
      return c->AppendInt32(r & 8 ? static_cast<int32_t>(r) : static_cast<int32_t>(small));
    case Kind::kInt64:
      return c->AppendInt64(r & 8 ? static_cast<int64_t>(r) : small);
    case Kind::kUInt8:
      return c->AppendInt32(static_cast<uint8_t>(r));
    case Kind::kUInt16:
      return c->AppendInt32(static_cast<uint16_t>(r));
    case Kind::kUInt32:
      return c->AppendInt64(static_cast<uint32_t>(r));
    case Kind::kUInt64:
      return c->AppendInt64(static_cast<int64_t>(r | (r & 1 ? 0x8000000000000000ULL : 0)));
    case Kind::kFloat:
      // FLOAT16 holds these exactly.
      if (f.type_attributes.is_object()) {
        return c->AppendFloat(static_cast<float>(static_cast<int64_t>(r % 2001) - 1000) / 4);
      }
      return c->AppendFloat(static_cast<float>(small) / 8 + static_cast<float>(r % 1000));
    case Kind::kDouble:
      return c->AppendDouble(static_cast<double>(static_cast<int64_t>(r % 100000) - 50000) / 64);
    case Kind::kString:
      return c->AppendBytes(r & 8 ? fmt::format("s{}-{}", r % 1000, std::string(r % 5, 'x'))
                                  : fmt::format("v{}", small));
    case Kind::kBytes:
      return c->AppendBytes(BigEndian(static_cast<Int128>(r), r % 9));
    case Kind::kFixed:
      return c->AppendBytes(BigEndian(static_cast<Int128>(r), static_cast<size_t>(f.fixed_size)));
    case Kind::kEnum:
      return c->AppendInt32(static_cast<int32_t>(r % f.symbols.size()));
    case Kind::kUuid: {
      std::string b = BigEndian(static_cast<Int128>(r) << 64 | rng.Next(), 16);
      if (f.base == Kind::kFixed) return c->AppendBytes(b);
      std::string hex;
      for (unsigned char ch : b) hex += fmt::format("{:02x}", ch);
      return c->AppendBytes(fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4),
                                        hex.substr(12, 4), hex.substr(16, 4), hex.substr(20)));
    }
    case Kind::kDecimal: {
      const Int128 v = Digits(rng, f.precision);
      if (f.base == Kind::kInt32) return c->AppendInt32(static_cast<int32_t>(v));
      if (f.base == Kind::kInt64) return c->AppendInt64(static_cast<int64_t>(v));
      if (f.base == Kind::kFixed) {
        return c->AppendBytes(BigEndian(v, static_cast<size_t>(f.fixed_size)));
      }
      return c->AppendBytes(BigEndian(v, 17).substr(r % 2));  // not always minimal
    }
    case Kind::kDate:
      return c->AppendInt32(static_cast<int32_t>(r % 40000) - 10000);
    case Kind::kTimeMillis:
      return c->AppendInt32(static_cast<int32_t>(r % 86400000));
    case Kind::kTimeMicros:
      return c->AppendInt64(static_cast<int64_t>(r % 86400000000ULL));
    case Kind::kTimestamp: {
      const int64_t per_second = f.unit == TimeUnit::kMillis   ? 1000
                                 : f.unit == TimeUnit::kMicros ? 1000000
                                                               : 1000000000;
      // DuckDB keeps UTC-adjusted nanoseconds as microseconds, rounded
      // towards zero: whole microseconds compare exactly.
      const uint64_t step = f.unit == TimeUnit::kNanos && f.utc_adjusted ? 1000 : 1;
      return c->AppendInt64(
          (static_cast<int64_t>(r % 4000000000ULL) - 1000000000) * per_second +
          static_cast<int64_t>(rng.Below(static_cast<uint64_t>(per_second) / step) * step));
    }
    default:
      return c->AppendNull();
  }
}

void Value(const Field& f, Column* c, Rng& rng) {
  if (c->nullable() && rng.Below(5) == 0) return c->AppendNull();
  switch (f.kind()) {
    case Kind::kStruct:
      c->AppendStruct();
      for (size_t i = 0; i < f.children.size(); ++i) Value(f.children[i], &c->child(i), rng);
      return;
    case Kind::kList: {
      const uint64_t n = rng.Below(5);
      for (uint64_t k = 0; k < n; ++k) Value(f.children[0], &c->child(0), rng);
      return c->FinishList();
    }
    case Kind::kMap: {
      const uint64_t n = rng.Below(5);
      for (uint64_t k = 0; k < n; ++k) {
        c->child(0).AppendBytes(fmt::format("k{}", k));
        Value(f.children[1], &c->child(1), rng);
      }
      return c->FinishList();
    }
    default:
      return Leaf(f, c, rng);
  }
}

int Run(const std::string& dir, size_t rows) {
  const char* const kCodecs[] = {"none", "snappy", "gzip", "zstd", "brotli", "lz4_raw"};
  uint64_t seed = 1;
  for (const Case& k : Cases()) {
    auto parsed = Schema::FromAvroJson(k.schema, SchemaParseOptions{.complete_types = true});
    if (!parsed.ok()) {
      fmt::print(stderr, "{}: {}\n", k.name, parsed.status().ToString());
      return 1;
    }
    auto schema = std::make_shared<const Schema>(std::move(parsed).value());
    RecordBatch batch(schema);
    Rng rng(seed++);
    for (size_t r = 0; r < rows; ++r) {
      for (size_t c = 0; c < schema->num_fields(); ++c) {
        Value(schema->field(c), &batch.column(c), rng);
      }
      batch.CommitRow();
    }
    const std::string expected = fmt::format("{}/{}.jsonl", dir, k.name);
    std::ofstream(expected) << BatchJson(batch);
    for (const char* codec : kCodecs) {
      for (bool dictionary : {true, false}) {
        const std::string path =
            fmt::format("{}/{}-{}-{}.parquet", dir, k.name, codec, dictionary ? "dict" : "plain");
        ParquetWriteOptions options;
        options.compression = codec;
        options.dictionary = dictionary;
        options.page_bytes = 4096;  // several pages per column
        auto out = OpenOutputStream(path);
        if (!out.ok()) return fmt::print(stderr, "{}\n", out.status().ToString()), 1;
        auto writer = NewParquetWriter(std::move(*out), schema, options);
        Status st = writer.ok() ? (*writer)->Write(batch) : writer.status();
        if (st.ok()) st = (*writer)->Finish();
        if (!st.ok()) return fmt::print(stderr, "{}: {}\n", path, st.ToString()), 1;
        fmt::print(
            R"({{"case":"{}","file":"{}","expected":"{}","codec":"{}","dictionary":{},"rows":{},)"
            R"("values":{}}})"
            "\n",
            k.name, path, expected, codec, dictionary, rows, k.name != "attrs");
      }
    }
  }
  return 0;
}

}  // namespace
}  // namespace lakepipe

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: parquet_nested_matrix_tool <out_dir> [rows]\n");
    return 2;
  }
  return lakepipe::Run(argv[1], argc > 2 ? std::stoul(argv[2]) : 500);
}

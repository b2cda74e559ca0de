#include "warehouse/types.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

namespace lakepipe::warehouse {
namespace {

// The reserved words of Athena's DDL (Hive's), sorted: a struct field
// named one of them must be quoted.
// clang-format off
constexpr std::array<std::string_view, 138> kHiveReserved = {
    "all", "alter", "and", "array", "as", "authorization", "between", "bigint", "binary",
    "boolean", "both", "by", "case", "cashe", "cast", "char", "column", "commit", "conf",
    "constraint", "create", "cross", "cube", "current", "current_date", "current_timestamp",
    "cursor", "database", "date", "dayofweek", "decimal", "delete", "describe", "distinct", "div",
    "double", "drop", "else", "end", "exchange", "exists", "extended", "external", "extract",
    "false", "fetch", "float", "floor", "following", "for", "foreign", "from", "full", "function",
    "grant", "group", "grouping", "having", "if", "import", "in", "inner", "insert", "int",
    "integer", "intersect", "interval", "into", "is", "join", "lateral", "left", "less", "like",
    "local", "macro", "map", "more", "none", "not", "null", "numeric", "of", "on", "only", "or",
    "order", "out", "outer", "over", "partialscan", "partition", "percent", "preceding",
    "precision", "preserve", "primary", "procedure", "range", "reads", "reduce", "references",
    "regexp", "revoke", "right", "rlike", "rollback", "rollup", "row", "rows", "select", "set",
    "smallint", "start", "table", "tablesample", "then", "time", "timestamp", "to", "transform",
    "trigger", "true", "truncate", "unbounded", "union", "uniquejoin", "update", "user", "using",
    "utc_timestamp", "values", "varchar", "views", "when", "where", "window", "with",
};
// clang-format on

bool PlainIdentifier(std::string_view name, bool lower_only) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == '_' || std::isdigit(u) || std::islower(u) || (!lower_only && std::isupper(u));
  });
}

std::string Quote(std::string_view name, char q) {
  std::string out(1, q);
  for (char c : name) {
    out += c;
    if (c == q) out += c;  // doubled, as each dialect escapes its quote
  }
  return out + q;
}

// A field name inside a struct type.
std::string NestedName(Dialect d, std::string_view name) {
  switch (d) {
    case Dialect::kAthena: {
      const bool reserved = std::binary_search(kHiveReserved.begin(), kHiveReserved.end(), name);
      return PlainIdentifier(name, /*lower_only=*/true) && !reserved ? std::string(name)
                                                                     : Quote(name, '`');
    }
    case Dialect::kSpark:
      return Quote(name, '`');
    case Dialect::kDuckDb:
      return Quote(name, '"');
    case Dialect::kSnowflake:
      break;
  }
  return Quote(name, '"');
}

std::string Decimal(Dialect d, const Field& f) {
  if (f.precision > 38) return d == Dialect::kAthena ? "double" : "DOUBLE";
  const std::string_view name = d == Dialect::kSnowflake ? "NUMBER"
                                : d == Dialect::kAthena  ? "decimal"
                                                         : "DECIMAL";
  return fmt::format("{}({},{})", name, f.precision, f.scale);
}

std::string Timestamp(Dialect d, const Field& f) {
  switch (d) {
    case Dialect::kSnowflake:
      return f.utc_adjusted ? "TIMESTAMP_LTZ" : "TIMESTAMP_NTZ";
    case Dialect::kAthena:
      return "timestamp";
    case Dialect::kSpark:
      return f.utc_adjusted ? "TIMESTAMP" : "TIMESTAMP_NTZ";
    case Dialect::kDuckDb:
      break;
  }
  if (f.utc_adjusted) return "TIMESTAMPTZ";
  return f.unit == TimeUnit::kNanos ? "TIMESTAMP_NS" : "TIMESTAMP";
}

std::string Struct(Dialect d, const Field& f) {
  std::vector<std::string> members;
  for (const Field& c : f.children) {
    const std::string_view colon = d == Dialect::kAthena ? ":" : d == Dialect::kSpark ? ": " : " ";
    members.push_back(fmt::format("{}{}{}", NestedName(d, c.name), colon, SqlType(d, c)));
  }
  switch (d) {
    case Dialect::kSnowflake:
      return "OBJECT";
    case Dialect::kAthena:
      return fmt::format("struct<{}>", fmt::join(members, ","));
    case Dialect::kSpark:
      return fmt::format("STRUCT<{}>", fmt::join(members, ", "));
    case Dialect::kDuckDb:
      break;
  }
  return fmt::format("STRUCT({})", fmt::join(members, ", "));
}

std::string List(Dialect d, const Field& f) {
  const std::string element = SqlType(d, f.children.at(0));
  switch (d) {
    case Dialect::kSnowflake:
      return "ARRAY";
    case Dialect::kAthena:
      return fmt::format("array<{}>", element);
    case Dialect::kSpark:
      return fmt::format("ARRAY<{}>", element);
    case Dialect::kDuckDb:
      break;
  }
  return element + "[]";
}

std::string Map(Dialect d, const Field& f) {
  const std::string key = SqlType(d, f.children.at(0)), value = SqlType(d, f.children.at(1));
  switch (d) {
    case Dialect::kSnowflake:
      return "VARIANT";
    case Dialect::kAthena:
      return fmt::format("map<{},{}>", key, value);
    case Dialect::kSpark:
      return fmt::format("MAP<{}, {}>", key, value);
    case Dialect::kDuckDb:
      break;
  }
  return fmt::format("MAP({}, {})", key, value);
}

std::string Nested(Dialect d, const Field& f) {
  const Kind kind = f.kind();
  return kind == Kind::kStruct ? Struct(d, f) : kind == Kind::kList ? List(d, f) : Map(d, f);
}

// The name of a kind in each dialect: snowflake, athena, spark, duckdb.
using Names = std::array<std::string_view, 4>;

Names Scalar(Kind kind) {
  switch (kind) {
    case Kind::kBoolean:
      return {"BOOLEAN", "boolean", "BOOLEAN", "BOOLEAN"};
    case Kind::kInt8:
      return {"TINYINT", "tinyint", "BYTE", "TINYINT"};
    case Kind::kInt16:
      return {"SMALLINT", "smallint", "SHORT", "SMALLINT"};
    case Kind::kInt32:
      return {"INTEGER", "int", "INT", "INTEGER"};
    case Kind::kInt64:
      return {"BIGINT", "bigint", "BIGINT", "BIGINT"};
    case Kind::kUInt8:
      return {"SMALLINT", "smallint", "SHORT", "UTINYINT"};
    case Kind::kUInt16:
      return {"INTEGER", "int", "INT", "USMALLINT"};
    case Kind::kUInt32:
      return {"BIGINT", "bigint", "BIGINT", "UINTEGER"};
    case Kind::kUInt64:
      return {"NUMBER(20,0)", "decimal(20,0)", "DECIMAL(20,0)", "UBIGINT"};
    case Kind::kFloat:
      return {"FLOAT", "float", "FLOAT", "FLOAT"};
    case Kind::kDouble:
      return {"DOUBLE", "double", "DOUBLE", "DOUBLE"};
    case Kind::kBytes:
    case Kind::kFixed:
      return {"BINARY", "binary", "BINARY", "BLOB"};
    case Kind::kDate:
      return {"DATE", "date", "DATE", "DATE"};
    case Kind::kTimeMillis:
      return {"TIME", "int", "INT", "TIME"};
    case Kind::kTimeMicros:
      return {"TIME", "bigint", "BIGINT", "TIME"};
    default:
      break;
  }
  if (kind == Kind::kNull) {
    // Written as INT32 + UNKNOWN: Athena checks the declared type against
    // INT32, DuckDB reads it as INTEGER.
    return {"INTEGER", "int", "INT", "INTEGER"};
  }
  // string, enum
  return {"VARCHAR", "string", "STRING", "VARCHAR"};
}

}  // namespace

std::string SqlType(Dialect d, const Field& f) {
  const Kind kind = f.kind();
  if (IsNested(kind)) return Nested(d, f);
  if (kind == Kind::kDecimal) return Decimal(d, f);
  if (kind == Kind::kTimestamp) return Timestamp(d, f);
  if (d == Dialect::kDuckDb && kind == Kind::kUuid && f.base == Kind::kFixed) return "UUID";
  if (d == Dialect::kDuckDb && (kind == Kind::kTimeMillis || kind == Kind::kTimeMicros)) {
    return f.utc_adjusted ? "TIMETZ" : "TIME";  // as DuckDB reads Parquet's TIME
  }
  // A uuid is text, or 16 bytes on a fixed (DuckDB's UUID, above). Text
  // stays text: a malformed id in a raw zone reads as it was written.
  const Kind as = kind != Kind::kUuid      ? kind
                  : f.base == Kind::kFixed ? Kind::kBytes
                                           : Kind::kString;
  const Names names = Scalar(as);
  switch (d) {
    case Dialect::kSnowflake:
      return std::string(names[0]);
    case Dialect::kAthena:
      return std::string(names[1]);
    case Dialect::kSpark:
      return std::string(names[2]);
    case Dialect::kDuckDb:
      break;
  }
  return std::string(names[3]);
}

std::string ColumnName(Dialect d, std::string_view name) {
  switch (d) {
    case Dialect::kSnowflake:
      return PlainIdentifier(name, /*lower_only=*/false) ? std::string(name) : Quote(name, '"');
    case Dialect::kAthena:
    case Dialect::kSpark:
      return Quote(name, '`');
    case Dialect::kDuckDb:
      break;
  }
  return Quote(name, '"');
}

std::vector<StructLeaf> StructLeaves(const Field& field) {
  std::vector<StructLeaf> out;
  if (field.kind() != Kind::kStruct) return out;
  for (const Field& c : field.children) {
    if (c.kind() == Kind::kStruct) {
      for (StructLeaf& leaf : StructLeaves(c)) {
        leaf.path.insert(leaf.path.begin(), field.name);
        out.push_back(std::move(leaf));
      }
    } else {
      out.push_back(StructLeaf{{field.name, c.name}, &c});
    }
  }
  return out;
}

std::string PathExpression(Dialect d, const std::vector<std::string>& path) {
  std::string out = d == Dialect::kAthena ? Quote(path.at(0), '"') : ColumnName(d, path.at(0));
  for (size_t i = 1; i < path.size(); ++i) {
    out += d == Dialect::kSnowflake && i == 1 ? ":" : ".";
    out += d == Dialect::kSpark ? Quote(path[i], '`') : Quote(path[i], '"');
  }
  return out;
}

}  // namespace lakepipe::warehouse

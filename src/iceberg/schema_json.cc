#include "iceberg/schema_json.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

Status Unsupported(const Field& f, std::string_view what) {
  return UnimplementedError(
      "unsupported: field '{}' is {}, which has no Iceberg type; cast it in a transform", f.name,
      what);
}

std::string TimestampName(const Field& f) {
  std::string name = f.utc_adjusted ? "timestamptz" : "timestamp";
  if (f.unit == TimeUnit::kNanos) name += "_ns";
  return name;
}

Result<json> TypeToJson(const Field& f);

Result<json> PrimitiveToJson(const Field& f) {
  switch (f.kind()) {
    case Kind::kBoolean:
      return json("boolean");
    case Kind::kInt8:
    case Kind::kInt16:
    case Kind::kUInt8:
    case Kind::kUInt16:
    case Kind::kInt32:
      return json("int");
    case Kind::kUInt32:
    case Kind::kInt64:
      return json("long");
    case Kind::kFloat:
      return json("float");
    case Kind::kDouble:
      return json("double");
    case Kind::kString:
    case Kind::kEnum:
      return json("string");
    case Kind::kBytes:
      return json("binary");
    case Kind::kFixed:
      return json(fmt::format("fixed[{}]", f.fixed_size));
    case Kind::kUuid:
      return json("uuid");
    case Kind::kDecimal:
      return json(fmt::format("decimal({},{})", f.precision, f.scale));
    case Kind::kDate:
      return json("date");
    case Kind::kTimeMillis:
    case Kind::kTimeMicros:
      return json("time");
    case Kind::kTimestamp:
      return json(TimestampName(f));
    case Kind::kUInt64:
      return Unsupported(f, "a uint64");
    default:
      return Unsupported(f, fmt::format("a {}", KindName(f.kind())));
  }
}

Result<json> FieldToJson(const Field& f) {
  LP_ASSIGN_OR_RETURN(json type, TypeToJson(f));
  json out = {{"id", *f.field_id}, {"name", f.name}, {"required", !f.nullable}, {"type", type}};
  if (!f.doc.empty()) out["doc"] = f.doc;
  return out;
}

Result<json> StructToJson(const std::vector<Field>& fields) {
  json list = json::array();
  for (const Field& child : fields) {
    LP_ASSIGN_OR_RETURN(json j, FieldToJson(child));
    list.push_back(std::move(j));
  }
  return json{{"type", "struct"}, {"fields", std::move(list)}};
}

Result<json> TypeToJson(const Field& f) {
  switch (f.kind()) {
    case Kind::kStruct:
      if (f.avro_union) return Unsupported(f, "an Avro union");
      return StructToJson(f.children);
    case Kind::kList: {
      const Field& e = f.children[0];
      LP_ASSIGN_OR_RETURN(json element, TypeToJson(e));
      return json{{"type", "list"},
                  {"element-id", *e.field_id},
                  {"element-required", !e.nullable},
                  {"element", std::move(element)}};
    }
    case Kind::kMap: {
      const Field& k = f.children[0];
      const Field& v = f.children[1];
      LP_ASSIGN_OR_RETURN(json key, TypeToJson(k));
      LP_ASSIGN_OR_RETURN(json value, TypeToJson(v));
      return json{
          {"type", "map"},           {"key-id", *k.field_id},         {"key", std::move(key)},
          {"value-id", *v.field_id}, {"value-required", !v.nullable}, {"value", std::move(value)}};
    }
    default:
      return PrimitiveToJson(f);
  }
}

void CollectMaxId(const std::vector<Field>& fields, int32_t* max) {
  for (const Field& f : fields) {
    if (f.field_id) *max = std::max(*max, *f.field_id);
    CollectMaxId(f.children, max);
  }
}

}  // namespace

std::vector<Field> WithFieldIds(const Schema& schema) {
  std::vector<Field> fields = schema.fields();
  AssignMissingFieldIds(&fields);
  return fields;
}

int32_t MaxFieldId(const std::vector<Field>& fields) {
  int32_t max = 0;
  CollectMaxId(fields, &max);
  return max;
}

Result<nlohmann::json> SchemaToJson(const Schema& schema, int32_t schema_id) {
  LP_ASSIGN_OR_RETURN(json out, StructToJson(WithFieldIds(schema)));
  out["schema-id"] = schema_id;
  return out;
}

}  // namespace lakepipe::iceberg

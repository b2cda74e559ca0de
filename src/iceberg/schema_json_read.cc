// Parsing Iceberg schema JSON (see schema_json.h).
#include <charconv>

#include <fmt/format.h>

#include "iceberg/schema_json.h"

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

Status Bad(std::string_view where, std::string_view what) {
  return InvalidArgumentError("Iceberg schema: {}: {}", where, what);
}

// Parses "<digits>" (surrounding spaces allowed).
bool ParseInt(std::string_view text, int32_t* out) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

int32_t DecimalBytes(int32_t precision) {
  int32_t bytes = 1;
  // The smallest n with 2^(8n-1) > 10^precision - 1.
  while (static_cast<double>(bytes * 8 - 1) * 0.30102999566398120 < precision) ++bytes;
  return bytes;
}

struct Primitive {
  std::string_view name;
  Kind kind;
};
constexpr Primitive kPrimitives[] = {{"boolean", Kind::kBoolean}, {"int", Kind::kInt32},
                                     {"long", Kind::kInt64},      {"float", Kind::kFloat},
                                     {"double", Kind::kDouble},   {"date", Kind::kDate},
                                     {"time", Kind::kTimeMicros}, {"string", Kind::kString},
                                     {"binary", Kind::kBytes},    {"uuid", Kind::kUuid}};

Status ParsePrimitive(std::string_view text, Field* f) {
  for (const Primitive& p : kPrimitives) {
    if (text == p.name) {
      f->full_kind = p.kind;
      if (p.kind == Kind::kUuid) {
        f->base = Kind::kFixed;
        f->fixed_size = 16;
        f->type_name = "uuid_fixed";
      }
      return Status::OK();
    }
  }
  for (std::string_view ts : {"timestamp", "timestamptz", "timestamp_ns", "timestamptz_ns"}) {
    if (text != ts) continue;
    f->full_kind = Kind::kTimestamp;
    f->utc_adjusted = text.substr(0, 11) == "timestamptz";
    f->unit = text.ends_with("_ns") ? TimeUnit::kNanos : TimeUnit::kMicros;
    return Status::OK();
  }
  int32_t n = 0;
  if (text.starts_with("fixed[") && text.ends_with("]") &&
      ParseInt(text.substr(6, text.size() - 7), &n) && n > 0) {
    f->full_kind = Kind::kFixed;
    f->fixed_size = n;
    f->type_name = fmt::format("fixed_{}", n);
    return Status::OK();
  }
  if (text.starts_with("decimal(") && text.ends_with(")")) {
    const std::string_view inner = text.substr(8, text.size() - 9);
    const size_t comma = inner.find(',');
    int32_t p = 0;
    int32_t s = 0;
    if (comma != std::string_view::npos && ParseInt(inner.substr(0, comma), &p) &&
        ParseInt(inner.substr(comma + 1), &s) && p > 0 && p <= 38 && s >= 0 && s <= p) {
      f->full_kind = Kind::kDecimal;
      f->precision = p;
      f->scale = s;
      f->base = p <= 9 ? Kind::kInt32 : p <= 18 ? Kind::kInt64 : Kind::kFixed;
      if (f->base == Kind::kFixed) {
        f->fixed_size = DecimalBytes(p);
        f->type_name = fmt::format("decimal_{}_{}", p, s);
      }
      return Status::OK();
    }
  }
  return Bad(fmt::format("field '{}'", f->name), fmt::format("unknown type '{}'", text));
}

Status ParseType(const json& type, Field* f);

Result<Field> ParseField(const json& j, std::string_view where) {
  if (!j.is_object() || !j.contains("id") || !j["id"].is_number_integer() || !j.contains("name") ||
      !j["name"].is_string() || !j.contains("type")) {
    return Bad(where, "each field needs an integer \"id\", a string \"name\" and a \"type\"");
  }
  Field f;
  f.name = j["name"].get<std::string>();
  f.field_id = j["id"].get<int32_t>();
  f.nullable = !j.value("required", false);
  if (j.contains("doc") && j["doc"].is_string()) f.doc = j["doc"].get<std::string>();
  LP_RETURN_IF_ERROR(ParseType(j["type"], &f));
  return f;
}

// A list element or map key/value: `name`, its id and type from `j`.
Result<Field> ParseChild(const json& j, const Field& parent, std::string_view name, bool required) {
  const std::string id_key = fmt::format("{}-id", name);
  if (!j.contains(id_key) || !j[id_key].is_number_integer() || !j.contains(name)) {
    return Bad(fmt::format("field '{}'", parent.name),
               fmt::format("needs an integer \"{}\" and a \"{}\"", id_key, name));
  }
  Field c;
  c.name = std::string(name);
  c.field_id = j[id_key].get<int32_t>();
  c.nullable = !required;
  LP_RETURN_IF_ERROR(ParseType(j[std::string(name)], &c));
  return c;
}

Status ParseNested(const json& type, Field* f) {
  const std::string kind = type.value("type", "");
  if (kind == "struct" && type.contains("fields") && type["fields"].is_array()) {
    f->full_kind = Kind::kStruct;
    f->type_name = f->field_id ? fmt::format("r{}", *f->field_id) : "record";
    for (const json& child : type["fields"]) {
      LP_ASSIGN_OR_RETURN(Field c, ParseField(child, fmt::format("struct '{}'", f->name)));
      f->children.push_back(std::move(c));
    }
    return Status::OK();
  }
  if (kind == "list") {
    f->full_kind = Kind::kList;
    LP_ASSIGN_OR_RETURN(Field e,
                        ParseChild(type, *f, "element", type.value("element-required", false)));
    f->children.push_back(std::move(e));
    return Status::OK();
  }
  if (kind == "map") {
    f->full_kind = Kind::kMap;
    LP_ASSIGN_OR_RETURN(Field k, ParseChild(type, *f, "key", true));
    LP_ASSIGN_OR_RETURN(Field v,
                        ParseChild(type, *f, "value", type.value("value-required", false)));
    if (k.kind() != Kind::kString) {
      f->avro_map_as_array = true;
      f->type_name = fmt::format("k{}_v{}", *k.field_id, *v.field_id);
    }
    f->children.push_back(std::move(k));
    f->children.push_back(std::move(v));
    return Status::OK();
  }
  return Bad(fmt::format("field '{}'", f->name),
             fmt::format("unknown nested type {}", type.dump()));
}

Status ParseType(const json& type, Field* f) {
  if (type.is_string()) {
    LP_RETURN_IF_ERROR(ParsePrimitive(type.get<std::string>(), f));
  } else if (type.is_object()) {
    LP_RETURN_IF_ERROR(ParseNested(type, f));
  } else {
    return Bad(fmt::format("field '{}'", f->name), "\"type\" must be a string or an object");
  }
  SetFlatView(f);
  return Status::OK();
}

}  // namespace

Result<Schema> SchemaFromJson(const nlohmann::json& json, std::string name) {
  if (!json.is_object() || json.value("type", "") != "struct" || !json.contains("fields") ||
      !json["fields"].is_array()) {
    return Bad("top level", "want {\"type\": \"struct\", \"fields\": [...]}");
  }
  std::vector<Field> fields;
  for (const auto& j : json["fields"]) {
    LP_ASSIGN_OR_RETURN(Field f, ParseField(j, "top level"));
    fields.push_back(std::move(f));
  }
  return Schema(std::move(name), std::move(fields));
}

}  // namespace lakepipe::iceberg

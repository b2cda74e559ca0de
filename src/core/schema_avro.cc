// Avro schema JSON ↔ Schema: parsing into the complete type model (with the
// flat view filled in) and writing it back.
#include <cmath>
#include <fstream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "core/schema.h"

namespace lakepipe {

void SetFlatView(Field* f) {
  f->type = Type::kNull;
  f->logical = LogicalType::kNone;
  switch (*f->full_kind) {
    case Kind::kNull:
      f->nullable = true;
      return;
    case Kind::kBoolean:
      f->type = Type::kBoolean;
      return;
    case Kind::kInt8:
    case Kind::kInt16:
    case Kind::kInt32:
    case Kind::kUInt8:
    case Kind::kUInt16:
    case Kind::kTimeMillis:
      f->type = Type::kInt;
      return;
    case Kind::kDate:
      f->type = Type::kInt;
      f->logical = LogicalType::kDate;
      return;
    case Kind::kInt64:
    case Kind::kUInt32:
    case Kind::kUInt64:
    case Kind::kTimeMicros:
      f->type = Type::kLong;
      return;
    case Kind::kTimestamp:
      f->type = Type::kLong;
      if (f->utc_adjusted && f->unit == TimeUnit::kMillis)
        f->logical = LogicalType::kTimestampMillis;
      if (f->utc_adjusted && f->unit == TimeUnit::kMicros)
        f->logical = LogicalType::kTimestampMicros;
      return;
    case Kind::kFloat:
      f->type = Type::kFloat;
      return;
    case Kind::kDouble:
      f->type = Type::kDouble;
      return;
    case Kind::kString:
      f->type = Type::kString;
      return;
    case Kind::kBytes:
      f->type = Type::kBytes;
      return;
    case Kind::kEnum:
      f->type = Type::kEnum;
      return;
    case Kind::kUuid:
      if (f->base == Kind::kString) {
        f->type = Type::kString;
        f->logical = LogicalType::kUuid;
      }
      return;
    case Kind::kDecimal:
      f->type = f->base == Kind::kInt32   ? Type::kInt
                : f->base == Kind::kInt64 ? Type::kLong
                : f->base == Kind::kBytes ? Type::kBytes
                                          : Type::kNull;
      return;
    case Kind::kFixed:
    case Kind::kStruct:
    case Kind::kList:
    case Kind::kMap:
      return;
  }
}

namespace {

using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

bool IsValidAvroName(std::string_view name) {
  if (name.empty()) return false;
  auto head = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; };
  if (!head(name[0])) return false;
  for (char c : name) {
    if (!head(c) && !(c >= '0' && c <= '9')) return false;
  }
  return true;
}

bool IsValidFullName(std::string_view name) {
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    if (!IsValidAvroName(name.substr(start, dot == std::string_view::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// Attributes of a type object that the parser interprets (all others are
// kept in Field::type_attributes).
bool IsKnownTypeAttribute(const std::string& key) {
  static const std::unordered_set<std::string> kKnown = {
      "type",    "name",  "namespace", "aliases", "doc",        "fields", "symbols",
      "default", "items", "values",    "size",    "element-id", "key-id", "value-id",
  };
  return kKnown.count(key) > 0;
}

std::optional<int32_t> IntAttribute(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int32_t>();
}

// The largest decimal precision a fixed of `size` bytes holds (Avro spec:
// floor(log10(2^(8n-1) - 1))).
int32_t MaxFixedPrecision(int32_t size) {
  if (size <= 0) return 0;
  return static_cast<int32_t>(std::floor(std::log10(2.0) * (8.0 * size - 1)));
}

// What a field the flat view cannot describe is, for `unsupported:` messages.
std::string WhatItIs(const Field& f) {
  if (f.avro_union) return "a union of several types (a struct of members)";
  if (f.single_branch_union) return "a union of one type";
  switch (f.kind()) {
    case Kind::kStruct:
      return "a record (nested struct)";
    case Kind::kList:
      return "an array (list)";
    case Kind::kMap:
      return "a map";
    case Kind::kFixed:
      return fmt::format("a fixed({})", f.fixed_size);
    default:
      return fmt::format("a {} on a fixed({})", KindName(f.kind()), f.fixed_size);
  }
}

class AvroSchemaParser {
 public:
  // Parses the type `j` of `field` (its name and field id already set).
  Status ParseType(const Json& j, const std::string& ns, Field* field) {
    if (j.is_array()) return ParseUnion(j, ns, field);
    return ParseNonUnion(j, ns, field);
  }

  // Parses the "fields" of a record into `out`.
  Status ParseFields(const Json& fields, const std::string& ns, const std::string& record,
                     std::vector<Field>* out) {
    if (!fields.is_array()) {
      return InvalidArgumentError("schema record '{}' needs a \"fields\" array", record);
    }
    std::unordered_set<std::string> names;
    for (const auto& fj : fields) {
      if (!fj.is_object()) {
        return InvalidArgumentError("schema field {} is not an object", fj.dump());
      }
      Field field;
      auto fname = fj.find("name");
      if (fname == fj.end() || !fname->is_string() || !IsValidAvroName(fname->get<std::string>())) {
        return InvalidArgumentError(
            "schema field {} needs a valid Avro \"name\" ([A-Za-z_][A-Za-z0-9_]*)", fj.dump());
      }
      field.name = fname->get<std::string>();
      if (!names.insert(field.name).second) {
        return InvalidArgumentError("schema field '{}' appears twice", field.name);
      }
      auto ftype = fj.find("type");
      if (ftype == fj.end()) {
        return InvalidArgumentError("schema field '{}' has no \"type\"", field.name);
      }
      field.field_id = IntAttribute(fj, "field-id");
      LP_RETURN_IF_ERROR(ParseType(*ftype, ns, &field));
      if (auto d = fj.find("default"); d != fj.end()) field.default_value = *d;
      if (auto d = fj.find("doc"); d != fj.end() && d->is_string()) field.doc = *d;
      if (auto a = fj.find("aliases"); a != fj.end() && a->is_array()) {
        for (const auto& alias : *a) {
          if (alias.is_string()) field.aliases.push_back(alias.get<std::string>());
        }
      }
      out->push_back(std::move(field));
    }
    return Status::OK();
  }

  // Names being defined (records whose fields are being parsed).
  std::unordered_set<std::string> defining;

 private:
  Status ParseUnion(const Json& j, const std::string& ns, Field* field) {
    const std::string where = fmt::format("field '{}'", field->name);
    if (j.empty()) return InvalidArgumentError("{}: union [] has no branches", where);
    int null_at = -1;
    std::vector<Field> members;
    std::unordered_set<std::string> seen;
    for (size_t i = 0; i < j.size(); ++i) {
      if (j[i].is_array()) {
        return InvalidArgumentError("{}: union {} holds a union, which Avro forbids", where,
                                    j.dump());
      }
      Field m;
      m.name = fmt::format("member{}", members.size());
      LP_RETURN_IF_ERROR(ParseNonUnion(j[i], ns, &m).WithContext(where));
      const std::string key = m.kind() == Kind::kEnum ? m.enum_name
                              : !m.type_name.empty()  ? m.type_name
                                                      : std::string(m.AvroBaseName());
      if (!seen.insert(key).second) {
        return InvalidArgumentError("{}: union {} names {} twice", where, j.dump(), key);
      }
      if (m.kind() == Kind::kNull) {
        null_at = static_cast<int>(i);
        continue;
      }
      m.union_branch = static_cast<int32_t>(i);
      members.push_back(std::move(m));
    }
    if (members.empty()) {
      // ["null"]: a null field written as a union.
      field->full_kind = Kind::kNull;
      field->single_branch_union = true;
      SetFlatView(field);
      return Status::OK();
    }
    if (members.size() == 1) {
      // ["null", T], [T, "null"] or [T]: T itself.
      const std::string name = field->name;
      const std::optional<int32_t> id = field->field_id;
      *field = std::move(members[0]);
      field->name = name;
      field->field_id = id;
      field->union_branch = -1;
      if (null_at >= 0) {
        field->nullable = true;
        field->null_first = null_at == 0;
      } else {
        field->single_branch_union = true;
      }
      return Status::OK();
    }
    for (Field& m : members) m.nullable = true;
    field->full_kind = Kind::kStruct;
    field->avro_union = true;
    field->null_branch = null_at;
    field->nullable = null_at >= 0;
    field->children = std::move(members);
    SetFlatView(field);
    field->nullable = null_at >= 0;
    return Status::OK();
  }

  // Copies the type of the named type `def` into `field`.
  static void UseNamed(const Field& def, Field* field) {
    Field copy = def;
    copy.name = field->name;
    copy.field_id = field->field_id;
    copy.nullable = def.kind() == Kind::kNull;
    copy.default_value.reset();
    copy.doc.clear();
    copy.aliases.clear();
    *field = std::move(copy);
  }

  Status ParseNamedReference(const std::string& name, const std::string& ns, Field* field) {
    const std::string full =
        name.find('.') == std::string::npos && !ns.empty() ? ns + "." + name : name;
    for (const std::string& candidate : {full, name}) {
      if (defining.count(candidate)) {
        return UnimplementedError(
            "field '{}' refers to record '{}' inside its own definition: recursive types are "
            "not supported",
            field->name, candidate);
      }
      auto it = named_.find(candidate);
      if (it != named_.end()) {
        UseNamed(it->second, field);
        return Status::OK();
      }
    }
    return InvalidArgumentError("field '{}': unknown type '{}'", field->name, name);
  }

  Status ParsePrimitive(const std::string& name, const std::string& ns, Field* field) {
    static const std::pair<std::string_view, Kind> kPrimitives[] = {
        {"null", Kind::kNull},     {"boolean", Kind::kBoolean}, {"int", Kind::kInt32},
        {"long", Kind::kInt64},    {"float", Kind::kFloat},     {"double", Kind::kDouble},
        {"string", Kind::kString}, {"bytes", Kind::kBytes},
    };
    for (const auto& [n, k] : kPrimitives) {
      if (n == name) {
        field->full_kind = k;
        SetFlatView(field);
        return Status::OK();
      }
    }
    if (name == "record" || name == "array" || name == "map" || name == "fixed" || name == "enum") {
      return InvalidArgumentError("field '{}': type '{}' must be written as an object", field->name,
                                  name);
    }
    return ParseNamedReference(name, ns, field);
  }

  Status ParseNonUnion(const Json& j, const std::string& ns, Field* field) {
    if (j.is_string()) return ParsePrimitive(j.get<std::string>(), ns, field);
    if (!j.is_object()) {
      return InvalidArgumentError("field '{}': type must be a string, object or union, got {}",
                                  field->name, j.dump());
    }
    auto type_it = j.find("type");
    if (type_it == j.end()) {
      return InvalidArgumentError("field '{}': type object {} has no \"type\"", field->name,
                                  j.dump());
    }
    // {"type": {"type": "int"}} nests a type: unwrap it.
    if (!type_it->is_string()) return ParseType(*type_it, ns, field);
    const std::string type_name = type_it->get<std::string>();
    if (type_name == "enum") return ParseEnum(j, ns, field);
    if (type_name == "fixed") {
      LP_RETURN_IF_ERROR(ParseFixed(j, ns, field));
    } else if (type_name == "record" || type_name == "error") {
      LP_RETURN_IF_ERROR(ParseRecord(j, ns, field));
    } else if (type_name == "array") {
      LP_RETURN_IF_ERROR(ParseArray(j, ns, field));
    } else if (type_name == "map") {
      LP_RETURN_IF_ERROR(ParseMap(j, ns, field));
    } else {
      LP_RETURN_IF_ERROR(ParsePrimitive(type_name, ns, field));
    }
    KeepAttributes(j, field);
    ApplyLogicalType(field);
    SetFlatView(field);
    return Status::OK();
  }

  static void KeepAttributes(const Json& j, Field* field) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (IsKnownTypeAttribute(it.key())) continue;
      if (!field->type_attributes.is_object()) field->type_attributes = Json::object();
      field->type_attributes[it.key()] = it.value();
    }
  }

  // Interprets the kept "logicalType" (and its parameters) when it applies
  // to the underlying type; otherwise it stays in type_attributes, as the
  // Avro specification says (unknown or invalid logical types are ignored).
  static void ApplyLogicalType(Field* f) {
    if (!f->type_attributes.is_object()) return;
    auto lt = f->type_attributes.find("logicalType");
    if (lt == f->type_attributes.end() || !lt->is_string()) return;
    const std::string logical = lt->get<std::string>();
    const Kind k = f->kind();
    auto take = [f](Kind kind, std::initializer_list<const char*> params = {}) {
      f->full_kind = kind;
      f->type_attributes.erase("logicalType");
      for (const char* p : params) f->type_attributes.erase(p);
      if (f->type_attributes.empty()) f->type_attributes = Json();
    };
    static const std::pair<std::string_view, Kind> kIntKinds[] = {
        {"int8", Kind::kInt8},     {"int16", Kind::kInt16}, {"uint8", Kind::kUInt8},
        {"uint16", Kind::kUInt16}, {"date", Kind::kDate},   {"time-millis", Kind::kTimeMillis},
    };
    static const std::pair<std::string_view, Kind> kLongKinds[] = {
        {"uint32", Kind::kUInt32}, {"uint64", Kind::kUInt64}, {"time-micros", Kind::kTimeMicros}};
    if (k == Kind::kInt32) {
      for (const auto& [n, kind] : kIntKinds) {
        if (n == logical) return take(kind);
      }
    }
    if (k == Kind::kInt64) {
      for (const auto& [n, kind] : kLongKinds) {
        if (n == logical) return take(kind);
      }
      static const std::pair<std::string_view, TimeUnit> kUnits[] = {{"millis", TimeUnit::kMillis},
                                                                     {"micros", TimeUnit::kMicros},
                                                                     {"nanos", TimeUnit::kNanos}};
      for (const auto& [u, unit] : kUnits) {
        for (bool local : {false, true}) {
          if (logical == fmt::format("{}timestamp-{}", local ? "local-" : "", u)) {
            f->unit = unit;
            f->utc_adjusted = !local;
            return take(Kind::kTimestamp);
          }
        }
      }
    }
    if (logical == "map" && f->avro_map_as_array) return take(Kind::kMap);
    if (logical == "uuid" && (k == Kind::kString || (k == Kind::kFixed && f->fixed_size == 16))) {
      f->base = k;
      return take(Kind::kUuid);
    }
    if (logical == "decimal" &&
        (k == Kind::kInt32 || k == Kind::kInt64 || k == Kind::kBytes || k == Kind::kFixed)) {
      const std::optional<int32_t> precision = IntAttribute(f->type_attributes, "precision");
      const int32_t scale = IntAttribute(f->type_attributes, "scale").value_or(0);
      if (!precision || *precision <= 0 || scale < 0 || scale > *precision) return;
      if (k == Kind::kFixed && *precision > MaxFixedPrecision(f->fixed_size)) return;
      if (k == Kind::kInt32 && *precision > 9) return;
      if (k == Kind::kInt64 && *precision > 18) return;
      f->precision = *precision;
      f->scale = scale;
      f->base = k;
      return take(Kind::kDecimal, {"precision", "scale"});
    }
  }

  Status ParseFixed(const Json& j, const std::string& ns, Field* field) {
    LP_ASSIGN_OR_RETURN(std::string name, FullName(j, ns, "fixed", *field));
    const std::optional<int32_t> size = IntAttribute(j, "size");
    if (!size || *size < 0) {
      return InvalidArgumentError("field '{}': fixed '{}' needs a \"size\" >= 0", field->name,
                                  name);
    }
    field->full_kind = Kind::kFixed;
    field->fixed_size = *size;
    field->type_name = name;
    field->base = Kind::kNull;
    // A logicalType on the fixed applies to every use of the name.
    Field def = *field;
    KeepAttributes(j, &def);
    ApplyLogicalType(&def);
    SetFlatView(&def);
    return Define(name, def);
  }

  Status ParseRecord(const Json& j, const std::string& ns, Field* field) {
    LP_ASSIGN_OR_RETURN(std::string name, FullName(j, ns, "record", *field));
    const std::string inner_ns =
        name.rfind('.') == std::string::npos ? std::string() : name.substr(0, name.rfind('.'));
    auto fields_it = j.find("fields");
    if (fields_it == j.end()) {
      return InvalidArgumentError("schema record '{}' needs a \"fields\" array", name);
    }
    defining.insert(name);
    std::vector<Field> children;
    Status parsed = ParseFields(*fields_it, inner_ns, name, &children);
    defining.erase(name);
    LP_RETURN_IF_ERROR(parsed.WithContext(fmt::format("field '{}'", field->name)));
    field->full_kind = Kind::kStruct;
    field->type_name = name;
    field->children = std::move(children);
    if (auto doc = j.find("doc"); doc != j.end() && doc->is_string()) {
      if (!field->type_attributes.is_object()) field->type_attributes = Json::object();
      field->type_attributes["doc"] = *doc;
    }
    Field def = *field;
    KeepAttributes(j, &def);
    return Define(name, def);
  }

  Status ParseArray(const Json& j, const std::string& ns, Field* field) {
    auto items = j.find("items");
    if (items == j.end()) {
      return InvalidArgumentError("field '{}': array has no \"items\"", field->name);
    }
    Field element;
    element.name = "element";
    element.field_id = IntAttribute(j, "element-id");
    LP_RETURN_IF_ERROR(
        ParseType(*items, ns, &element).WithContext(fmt::format("field '{}'", field->name)));
    if (IsIcebergMapEntry(j, element)) {
      // An array of {key, value} records marked "map": a map with keys of any type.
      field->full_kind = Kind::kMap;
      field->avro_map_as_array = true;
      field->type_name = element.type_name;
      field->children = std::move(element.children);
      return Status::OK();
    }
    field->full_kind = Kind::kList;
    field->children.clear();
    field->children.push_back(std::move(element));
    return Status::OK();
  }

  static bool IsIcebergMapEntry(const Json& array, const Field& element) {
    auto lt = array.find("logicalType");
    if (lt == array.end() || *lt != "map") return false;
    return element.kind() == Kind::kStruct && !element.nullable && !element.avro_union &&
           element.children.size() == 2 && element.children[0].name == "key" &&
           element.children[1].name == "value" && !element.children[0].nullable;
  }

  Status ParseMap(const Json& j, const std::string& ns, Field* field) {
    auto values = j.find("values");
    if (values == j.end()) {
      return InvalidArgumentError("field '{}': map has no \"values\"", field->name);
    }
    Field key;
    key.name = "key";
    key.full_kind = Kind::kString;
    key.field_id = IntAttribute(j, "key-id");
    SetFlatView(&key);
    Field value;
    value.name = "value";
    value.field_id = IntAttribute(j, "value-id");
    LP_RETURN_IF_ERROR(
        ParseType(*values, ns, &value).WithContext(fmt::format("field '{}'", field->name)));
    field->full_kind = Kind::kMap;
    field->children.clear();
    field->children.push_back(std::move(key));
    field->children.push_back(std::move(value));
    return Status::OK();
  }

  Status ParseEnum(const Json& j, const std::string& ns, Field* field) {
    LP_ASSIGN_OR_RETURN(std::string name, FullName(j, ns, "enum", *field));
    auto symbols_it = j.find("symbols");
    if (symbols_it == j.end() || !symbols_it->is_array() || symbols_it->empty()) {
      return InvalidArgumentError("field '{}': enum '{}' needs a non-empty \"symbols\" array",
                                  field->name, name);
    }
    std::unordered_set<std::string> seen;
    for (const auto& s : *symbols_it) {
      if (!s.is_string() || !IsValidAvroName(s.get<std::string>())) {
        return InvalidArgumentError("field '{}': enum symbol {} is not a valid Avro name",
                                    field->name, s.dump());
      }
      if (!seen.insert(s.get<std::string>()).second) {
        return InvalidArgumentError("field '{}': enum symbol {} appears twice", field->name,
                                    s.dump());
      }
      field->symbols.push_back(s.get<std::string>());
    }
    if (auto d = j.find("default"); d != j.end()) {
      if (!d->is_string() || field->SymbolIndex(d->get<std::string>()) < 0) {
        return InvalidArgumentError("field '{}': enum '{}' default {} is not one of its symbols",
                                    field->name, name, d->dump());
      }
      field->enum_default = d->get<std::string>();
    }
    field->full_kind = Kind::kEnum;
    field->enum_name = name;
    KeepAttributes(j, field);
    SetFlatView(field);
    return Define(name, *field);
  }

  // The full name of a named type defined by `j`.
  static Result<std::string> FullName(const Json& j, const std::string& ns, const char* what,
                                      const Field& field) {
    auto name_it = j.find("name");
    if (name_it == j.end() || !name_it->is_string()) {
      return InvalidArgumentError("field '{}': {} has no \"name\"", field.name, what);
    }
    std::string name = name_it->get<std::string>();
    if (!IsValidFullName(name)) {
      return InvalidArgumentError("field '{}': '{}' is not a valid Avro name", field.name, name);
    }
    std::string space = ns;
    if (auto ns_it = j.find("namespace"); ns_it != j.end() && ns_it->is_string()) {
      space = ns_it->get<std::string>();
    }
    if (name.find('.') == std::string::npos && !space.empty()) name = space + "." + name;
    return name;
  }

  Status Define(const std::string& name, const Field& def) {
    if (!named_.emplace(name, def).second) {
      return InvalidArgumentError("field '{}': type '{}' is defined twice", def.name, name);
    }
    return Status::OK();
  }

  std::unordered_map<std::string, Field> named_;
};

// The first field (at any depth) the flat view cannot describe, or null.
const Field* FirstNotFlat(const std::vector<Field>& fields) {
  for (const Field& f : fields) {
    if (!f.IsFlat()) return &f;
  }
  return nullptr;
}

// Writes complete-model fields as Avro schema JSON.
class AvroSchemaWriter {
 public:
  OrderedJson FieldJson(const Field& f) {
    OrderedJson fj;
    fj["name"] = f.name;
    fj["type"] = TypeJson(f);
    if (f.default_value) fj["default"] = *f.default_value;
    if (!f.doc.empty()) fj["doc"] = f.doc;
    if (!f.aliases.empty()) fj["aliases"] = f.aliases;
    if (f.field_id) fj["field-id"] = *f.field_id;
    return fj;
  }

  // The type of `f`, with its nullability.
  OrderedJson TypeJson(const Field& f) {
    if (f.avro_union) return UnionJson(f);
    OrderedJson base = NonNullJson(f);
    if (f.single_branch_union) return OrderedJson::array({base});
    if (!f.nullable || f.kind() == Kind::kNull) return base;
    return f.null_first ? OrderedJson::array({"null", base}) : OrderedJson::array({base, "null"});
  }

 private:
  OrderedJson UnionJson(const Field& f) {
    const size_t n = f.children.size() + (f.null_branch >= 0 ? 1 : 0);
    OrderedJson branches = OrderedJson::array();
    for (size_t i = 0; i < n; ++i) branches.push_back(nullptr);
    size_t next = 0;
    for (const Field& m : f.children) {
      while (next == static_cast<size_t>(f.null_branch)) ++next;
      size_t at = m.union_branch >= 0 ? static_cast<size_t>(m.union_branch) : next;
      if (at >= n) at = next;
      branches[at] = NonNullJson(m);
      ++next;
    }
    if (f.null_branch >= 0) branches[static_cast<size_t>(f.null_branch)] = "null";
    return branches;
  }

  // Named types are defined once; later uses refer to them by name.
  bool Referenced(const std::string& name) { return !defined_.insert(name).second; }

  void AddAttributes(const Field& f, OrderedJson* j) {
    if (!f.type_attributes.is_object()) return;
    for (auto it = f.type_attributes.begin(); it != f.type_attributes.end(); ++it) {
      if (!j->contains(it.key())) (*j)[it.key()] = it.value();
    }
  }

  OrderedJson MapAsArrayJson(const Field& f) {
    OrderedJson j;
    j["type"] = "array";
    j["logicalType"] = "map";
    if (Referenced(f.type_name)) {
      j["items"] = f.type_name;
      return j;
    }
    OrderedJson entry;
    entry["type"] = "record";
    entry["name"] = f.type_name;
    entry["fields"] =
        OrderedJson::array({FieldJson(f.children.at(0)), FieldJson(f.children.at(1))});
    j["items"] = std::move(entry);
    return j;
  }

  OrderedJson NonNullJson(const Field& f) {
    const Kind k = f.kind();
    const std::string base(f.AvroBaseName());
    OrderedJson j;
    switch (k) {
      case Kind::kEnum:
        if (Referenced(f.enum_name)) return f.enum_name;
        j = {{"type", "enum"}, {"name", f.enum_name}, {"symbols", f.symbols}};
        if (!f.enum_default.empty()) j["default"] = f.enum_default;
        break;
      case Kind::kStruct: {
        const std::string name = f.type_name.empty() ? f.name : f.type_name;
        if (Referenced(name)) return name;
        j["type"] = "record";
        j["name"] = name;
        OrderedJson fields = OrderedJson::array();
        for (const Field& c : f.children) fields.push_back(FieldJson(c));
        j["fields"] = std::move(fields);
        break;
      }
      case Kind::kList:
        j["type"] = "array";
        j["items"] = TypeJson(f.children.at(0));
        if (f.children[0].field_id) j["element-id"] = *f.children[0].field_id;
        break;
      case Kind::kMap:
        if (f.avro_map_as_array) {
          j = MapAsArrayJson(f);
          break;
        }
        j["type"] = "map";
        j["values"] = TypeJson(f.children.at(1));
        if (f.children[0].field_id) j["key-id"] = *f.children[0].field_id;
        if (f.children[1].field_id) j["value-id"] = *f.children[1].field_id;
        break;
      default:
        if (base == "fixed") {
          if (Referenced(f.type_name)) return f.type_name;
          j = {{"type", "fixed"}, {"name", f.type_name}, {"size", f.fixed_size}};
        } else {
          j["type"] = base;
        }
        break;
    }
    const std::string logical = f.AvroLogicalType();
    if (!logical.empty()) j["logicalType"] = logical;
    if (k == Kind::kDecimal) {
      j["precision"] = f.precision;
      j["scale"] = f.scale;
    }
    AddAttributes(f, &j);
    if (j.size() == 1 && j.contains("type")) return j["type"];
    return j;
  }

  std::unordered_set<std::string> defined_;
};

}  // namespace

nlohmann::json Field::TypeJson() const {
  AvroSchemaWriter writer;
  return Json::parse(writer.TypeJson(*this).dump());
}

Result<Schema> Schema::FromAvroJson(std::string_view json_text, const SchemaParseOptions& options) {
  Json j;
  try {
    j = Json::parse(json_text);
  } catch (const Json::exception& e) {
    return InvalidArgumentError("schema is not valid JSON: {}", e.what());
  }
  if (!j.is_object() || j.value("type", "") != "record") {
    return InvalidArgumentError(
        "schema must be an Avro record ({{\"type\": \"record\", \"name\": ..., \"fields\": "
        "[...]}})");
  }
  Schema schema;
  auto name_it = j.find("name");
  if (name_it == j.end() || !name_it->is_string() ||
      !IsValidFullName(name_it->get<std::string>())) {
    return InvalidArgumentError("schema record needs a valid \"name\"");
  }
  std::string name = name_it->get<std::string>();
  if (auto ns = j.find("namespace"); ns != j.end() && ns->is_string()) {
    schema.namespace_ = ns->get<std::string>();
  }
  if (auto dot = name.rfind('.'); dot != std::string::npos) {
    schema.namespace_ = name.substr(0, dot);
    name = name.substr(dot + 1);
  }
  schema.name_ = name;
  if (auto doc = j.find("doc"); doc != j.end() && doc->is_string()) schema.doc_ = *doc;
  auto fields_it = j.find("fields");
  if (fields_it == j.end()) {
    return InvalidArgumentError("schema record '{}' needs a \"fields\" array", name);
  }
  AvroSchemaParser parser;
  parser.defining.insert(schema.namespace_.empty() ? name : schema.namespace_ + "." + name);
  LP_RETURN_IF_ERROR(parser.ParseFields(*fields_it, schema.namespace_, name, &schema.fields_));
  if (!options.complete_types) {
    if (const Field* f = FirstNotFlat(schema.fields_)) {
      return UnimplementedError(
          "field '{}' is {} ({}); reading and writing it is not supported yet: lakepipe handles "
          "records of primitive types, enums, logical types and nullable unions",
          f->name, WhatItIs(*f), f->Describe());
    }
  }
  for (size_t i = 0; i < schema.fields_.size(); ++i) {
    schema.index_.emplace(schema.fields_[i].name, static_cast<int>(i));
  }
  schema.avro_json_ = std::string(json_text);
  return schema;
}

Result<Schema> Schema::FromFile(const std::string& path, const SchemaParseOptions& options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot open schema file '{}'", path);
  std::stringstream buf;
  buf << in.rdbuf();
  Result<Schema> schema = FromAvroJson(buf.str(), options);
  if (!schema.ok()) return schema.status().WithContext(path);
  return schema;
}

std::string Schema::ToAvroJson() const {
  OrderedJson j;
  j["type"] = "record";
  j["name"] = name_.empty() ? "record" : name_;
  if (!namespace_.empty()) j["namespace"] = namespace_;
  if (!doc_.empty()) j["doc"] = doc_;
  OrderedJson fields = OrderedJson::array();
  AvroSchemaWriter writer;
  for (const Field& f : fields_) fields.push_back(writer.FieldJson(f));
  j["fields"] = std::move(fields);
  // Names from data (e.g. CSV headers) may not be valid UTF-8.
  return j.dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
}

}  // namespace lakepipe

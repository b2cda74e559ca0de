#include "core/schema.h"

#include <fstream>
#include <sstream>
#include <unordered_set>

#include <fmt/format.h>

namespace lakepipe {

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kNull:
      return "null";
    case Type::kBoolean:
      return "boolean";
    case Type::kInt:
      return "int";
    case Type::kLong:
      return "long";
    case Type::kFloat:
      return "float";
    case Type::kDouble:
      return "double";
    case Type::kString:
      return "string";
    case Type::kBytes:
      return "bytes";
    case Type::kEnum:
      return "enum";
  }
  return "?";
}

std::string_view LogicalTypeName(LogicalType logical) {
  switch (logical) {
    case LogicalType::kNone:
      return "";
    case LogicalType::kDate:
      return "date";
    case LogicalType::kTimestampMillis:
      return "timestamp-millis";
    case LogicalType::kTimestampMicros:
      return "timestamp-micros";
    case LogicalType::kUuid:
      return "uuid";
  }
  return "";
}

Storage StorageOf(Type type) {
  switch (type) {
    case Type::kNull:
      return Storage::kNone;
    case Type::kBoolean:
      return Storage::kBool;
    case Type::kInt:
    case Type::kEnum:
      return Storage::kInt32;
    case Type::kLong:
      return Storage::kInt64;
    case Type::kFloat:
      return Storage::kFloat;
    case Type::kDouble:
      return Storage::kDouble;
    case Type::kString:
    case Type::kBytes:
      return Storage::kBinary;
  }
  return Storage::kNone;
}

nlohmann::json Field::TypeJson() const {
  nlohmann::json base;
  if (type == Type::kEnum) {
    base = {{"type", "enum"}, {"name", enum_name}, {"symbols", symbols}};
    if (!enum_default.empty()) base["default"] = enum_default;
  } else if (logical != LogicalType::kNone) {
    base = {{"type", TypeName(type)}, {"logicalType", LogicalTypeName(logical)}};
  } else {
    base = std::string(TypeName(type));
  }
  if (!nullable || type == Type::kNull) return base;
  return null_first ? nlohmann::json::array({"null", base}) : nlohmann::json::array({base, "null"});
}

int Field::SymbolIndex(std::string_view symbol) const {
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (symbols[i] == symbol) return static_cast<int>(i);
  }
  return -1;
}

std::string Field::Describe() const {
  std::string out = nullable && type != Type::kNull ? "nullable " : "";
  if (type == Type::kEnum) {
    out += fmt::format("enum {} {{{}}}", enum_name, fmt::join(symbols, ", "));
  } else {
    out += TypeName(type);
  }
  if (logical != LogicalType::kNone) out += fmt::format(" ({})", LogicalTypeName(logical));
  return out;
}

namespace {

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

class SchemaParser {
 public:
  explicit SchemaParser(std::string ns) : namespace_(std::move(ns)) {}

  Status ParseFieldType(const nlohmann::json& j, Field* field) {
    if (j.is_array()) return ParseUnion(j, field);
    return ParseNonUnion(j, field);
  }

 private:
  Status ParseUnion(const nlohmann::json& j, Field* field) {
    const std::string where = fmt::format("field '{}'", field->name);
    if (j.size() != 2) {
      return UnimplementedError(
          "{}: union {} is not supported; only [\"null\", T] or [T, \"null\"] unions are", where,
          j.dump());
    }
    const bool first_null = j[0].is_string() && j[0].get<std::string>() == "null";
    const bool second_null = j[1].is_string() && j[1].get<std::string>() == "null";
    if (first_null == second_null) {
      return UnimplementedError(
          "{}: union {} is not supported; only [\"null\", T] or [T, \"null\"] unions are", where,
          j.dump());
    }
    LP_RETURN_IF_ERROR(ParseNonUnion(first_null ? j[1] : j[0], field));
    if (field->type == Type::kNull) {
      return InvalidArgumentError("{}: union {} names null twice", where, j.dump());
    }
    field->nullable = true;
    field->null_first = first_null;
    return Status::OK();
  }

  Status ParsePrimitive(std::string_view name, Field* field) {
    static const std::pair<std::string_view, Type> kPrimitives[] = {
        {"null", Type::kNull},     {"boolean", Type::kBoolean}, {"int", Type::kInt},
        {"long", Type::kLong},     {"float", Type::kFloat},     {"double", Type::kDouble},
        {"string", Type::kString}, {"bytes", Type::kBytes},
    };
    for (const auto& [n, t] : kPrimitives) {
      if (n == name) {
        field->type = t;
        if (t == Type::kNull) field->nullable = true;
        return Status::OK();
      }
    }
    if (name == "record" || name == "array" || name == "map" || name == "fixed") {
      return UnimplementedError(
          "field '{}': type '{}' is not supported; lakepipe handles flat records of primitive "
          "types, enums and nullable unions",
          field->name, name);
    }
    // A reference to a named type defined earlier.
    std::string full = std::string(name).find('.') == std::string::npos && !namespace_.empty()
                           ? namespace_ + "." + std::string(name)
                           : std::string(name);
    for (const std::string& candidate : {full, std::string(name)}) {
      auto it = named_.find(candidate);
      if (it != named_.end()) {
        const Field& def = it->second;
        field->type = def.type;
        field->enum_name = def.enum_name;
        field->symbols = def.symbols;
        field->enum_default = def.enum_default;
        return Status::OK();
      }
    }
    return InvalidArgumentError("field '{}': unknown type '{}'", field->name, name);
  }

  Status ParseNonUnion(const nlohmann::json& j, Field* field) {
    if (j.is_string()) return ParsePrimitive(j.get<std::string>(), field);
    if (!j.is_object()) {
      return InvalidArgumentError("field '{}': type must be a string, object or union, got {}",
                                  field->name, j.dump());
    }
    auto type_it = j.find("type");
    if (type_it == j.end()) {
      return InvalidArgumentError("field '{}': type object {} has no \"type\"", field->name,
                                  j.dump());
    }
    if (!type_it->is_string()) {
      // {"type": {"type": "int"}} nests a type: unwrap it.
      return ParseFieldType(*type_it, field);
    }
    const std::string type_name = type_it->get<std::string>();
    if (type_name == "enum") return ParseEnum(j, field);
    LP_RETURN_IF_ERROR(ParsePrimitive(type_name, field));
    auto logical_it = j.find("logicalType");
    if (logical_it != j.end() && logical_it->is_string()) {
      const std::string logical = logical_it->get<std::string>();
      // Unknown or mismatched logical types are ignored, as the Avro specification says.
      if (logical == "date" && field->type == Type::kInt) {
        field->logical = LogicalType::kDate;
      } else if (logical == "timestamp-millis" && field->type == Type::kLong) {
        field->logical = LogicalType::kTimestampMillis;
      } else if (logical == "timestamp-micros" && field->type == Type::kLong) {
        field->logical = LogicalType::kTimestampMicros;
      } else if (logical == "uuid" && field->type == Type::kString) {
        field->logical = LogicalType::kUuid;
      }
    }
    return Status::OK();
  }

  Status ParseEnum(const nlohmann::json& j, Field* field) {
    auto name_it = j.find("name");
    if (name_it == j.end() || !name_it->is_string()) {
      return InvalidArgumentError("field '{}': enum has no \"name\"", field->name);
    }
    std::string name = name_it->get<std::string>();
    std::string ns = namespace_;
    if (auto ns_it = j.find("namespace"); ns_it != j.end() && ns_it->is_string()) {
      ns = ns_it->get<std::string>();
    }
    if (!IsValidFullName(name)) {
      return InvalidArgumentError("field '{}': '{}' is not a valid Avro name", field->name, name);
    }
    if (name.find('.') == std::string::npos && !ns.empty()) name = ns + "." + name;
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
    field->type = Type::kEnum;
    field->enum_name = name;
    if (named_.count(name)) {
      return InvalidArgumentError("field '{}': type '{}' is defined twice", field->name, name);
    }
    named_[name] = *field;
    return Status::OK();
  }

  std::string namespace_;
  std::unordered_map<std::string, Field> named_;
};

}  // namespace

Schema::Schema(std::string name, std::vector<Field> fields, std::string name_space)
    : name_(std::move(name)), namespace_(std::move(name_space)), fields_(std::move(fields)) {
  for (size_t i = 0; i < fields_.size(); ++i) index_.emplace(fields_[i].name, static_cast<int>(i));
  avro_json_ = ToAvroJson();
}

Result<Schema> Schema::FromAvroJson(std::string_view json_text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
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
  if (fields_it == j.end() || !fields_it->is_array()) {
    return InvalidArgumentError("schema record '{}' needs a \"fields\" array", name);
  }
  SchemaParser parser(schema.namespace_);
  for (const auto& fj : *fields_it) {
    if (!fj.is_object()) return InvalidArgumentError("schema field {} is not an object", fj.dump());
    Field field;
    auto fname = fj.find("name");
    if (fname == fj.end() || !fname->is_string() || !IsValidAvroName(fname->get<std::string>())) {
      return InvalidArgumentError(
          "schema field {} needs a valid Avro \"name\" ([A-Za-z_][A-Za-z0-9_]*)", fj.dump());
    }
    field.name = fname->get<std::string>();
    if (schema.index_.count(field.name)) {
      return InvalidArgumentError("schema field '{}' appears twice", field.name);
    }
    auto ftype = fj.find("type");
    if (ftype == fj.end())
      return InvalidArgumentError("schema field '{}' has no \"type\"", field.name);
    LP_RETURN_IF_ERROR(parser.ParseFieldType(*ftype, &field));
    if (auto d = fj.find("default"); d != fj.end()) field.default_value = *d;
    if (auto d = fj.find("doc"); d != fj.end() && d->is_string()) field.doc = *d;
    if (auto a = fj.find("aliases"); a != fj.end() && a->is_array()) {
      for (const auto& alias : *a) {
        if (alias.is_string()) field.aliases.push_back(alias.get<std::string>());
      }
    }
    schema.index_.emplace(field.name, static_cast<int>(schema.fields_.size()));
    schema.fields_.push_back(std::move(field));
  }
  schema.avro_json_ = std::string(json_text);
  return schema;
}

Result<Schema> Schema::FromFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("cannot open schema file '{}'", path);
  std::stringstream buf;
  buf << in.rdbuf();
  Result<Schema> schema = FromAvroJson(buf.str());
  if (!schema.ok()) return schema.status().WithContext(path);
  return schema;
}

int Schema::FieldIndex(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? -1 : it->second;
}

std::string Schema::ToAvroJson() const {
  nlohmann::ordered_json j;
  j["type"] = "record";
  j["name"] = name_.empty() ? "record" : name_;
  if (!namespace_.empty()) j["namespace"] = namespace_;
  if (!doc_.empty()) j["doc"] = doc_;
  nlohmann::ordered_json fields = nlohmann::ordered_json::array();
  std::unordered_set<std::string> defined;
  for (const Field& f : fields_) {
    nlohmann::ordered_json fj;
    fj["name"] = f.name;
    nlohmann::json type = f.TypeJson();
    // A named type is defined once; later fields refer to it by name.
    if (f.type == Type::kEnum && !defined.insert(f.enum_name).second) {
      nlohmann::json ref = f.enum_name;
      type = !f.nullable    ? ref
             : f.null_first ? nlohmann::json::array({"null", ref})
                            : nlohmann::json::array({ref, "null"});
    }
    fj["type"] = type;
    if (f.default_value) fj["default"] = *f.default_value;
    if (!f.doc.empty()) fj["doc"] = f.doc;
    if (!f.aliases.empty()) fj["aliases"] = f.aliases;
    fields.push_back(std::move(fj));
  }
  j["fields"] = std::move(fields);
  // Names from data (e.g. CSV headers) may not be valid UTF-8.
  return j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

std::string Schema::ToString() const {
  std::string out = fmt::format("record {}{}\n", namespace_.empty() ? "" : namespace_ + ".",
                                name_.empty() ? "record" : name_);
  for (const Field& f : fields_) out += fmt::format("  {}: {}\n", f.name, f.Describe());
  return out;
}

}  // namespace lakepipe

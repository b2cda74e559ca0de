#include "core/schema.h"

#include <algorithm>
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

std::string_view KindName(Kind kind) {
  static constexpr std::string_view kNames[] = {
      "null",      "boolean", "int8",   "int16",   "int32",  "int64",       "uint8",
      "uint16",    "uint32",  "uint64", "float",   "double", "string",      "bytes",
      "fixed",     "enum",    "uuid",   "decimal", "date",   "time-millis", "time-micros",
      "timestamp", "struct",  "list",   "map",
  };
  const size_t i = static_cast<size_t>(kind);
  return i < std::size(kNames) ? kNames[i] : "?";
}

bool IsNested(Kind kind) {
  return kind == Kind::kStruct || kind == Kind::kList || kind == Kind::kMap;
}

namespace {

// The complete kind the flat view stands for.
Kind FlatKind(Type type, LogicalType logical) {
  switch (type) {
    case Type::kNull:
      return Kind::kNull;
    case Type::kBoolean:
      return Kind::kBoolean;
    case Type::kInt:
      return logical == LogicalType::kDate ? Kind::kDate : Kind::kInt32;
    case Type::kLong:
      return logical == LogicalType::kNone ? Kind::kInt64 : Kind::kTimestamp;
    case Type::kFloat:
      return Kind::kFloat;
    case Type::kDouble:
      return Kind::kDouble;
    case Type::kString:
      return logical == LogicalType::kUuid ? Kind::kUuid : Kind::kString;
    case Type::kBytes:
      return Kind::kBytes;
    case Type::kEnum:
      return Kind::kEnum;
  }
  return Kind::kNull;
}

}  // namespace

Kind Field::kind() const { return full_kind ? *full_kind : FlatKind(type, logical); }

bool Field::IsFlat() const {
  if (!full_kind) return true;
  switch (*full_kind) {
    case Kind::kFixed:
    case Kind::kStruct:
    case Kind::kList:
    case Kind::kMap:
      return false;
    case Kind::kDecimal:
    case Kind::kUuid:
      return base != Kind::kFixed && !single_branch_union;
    default:
      return !single_branch_union;
  }
}

Storage StorageOf(const Field& field) {
  switch (field.kind()) {
    case Kind::kNull:
    case Kind::kStruct:
    case Kind::kList:
    case Kind::kMap:
      return Storage::kNone;
    case Kind::kBoolean:
      return Storage::kBool;
    case Kind::kInt8:
    case Kind::kInt16:
    case Kind::kInt32:
    case Kind::kUInt8:
    case Kind::kUInt16:
    case Kind::kEnum:
    case Kind::kDate:
    case Kind::kTimeMillis:
      return Storage::kInt32;
    case Kind::kInt64:
    case Kind::kUInt32:
    case Kind::kUInt64:
    case Kind::kTimeMicros:
    case Kind::kTimestamp:
      return Storage::kInt64;
    case Kind::kFloat:
      return Storage::kFloat;
    case Kind::kDouble:
      return Storage::kDouble;
    case Kind::kString:
    case Kind::kBytes:
    case Kind::kFixed:
    case Kind::kUuid:
      return Storage::kBinary;
    case Kind::kDecimal:
      return field.base == Kind::kInt32   ? Storage::kInt32
             : field.base == Kind::kInt64 ? Storage::kInt64
                                          : Storage::kBinary;
  }
  return Storage::kNone;
}

std::string_view Field::AvroBaseName() const {
  switch (kind()) {
    case Kind::kNull:
      return "null";
    case Kind::kBoolean:
      return "boolean";
    case Kind::kInt8:
    case Kind::kInt16:
    case Kind::kInt32:
    case Kind::kUInt8:
    case Kind::kUInt16:
    case Kind::kDate:
    case Kind::kTimeMillis:
      return "int";
    case Kind::kInt64:
    case Kind::kUInt32:
    case Kind::kUInt64:
    case Kind::kTimeMicros:
    case Kind::kTimestamp:
      return "long";
    case Kind::kFloat:
      return "float";
    case Kind::kDouble:
      return "double";
    case Kind::kString:
      return "string";
    case Kind::kBytes:
      return "bytes";
    case Kind::kFixed:
      return "fixed";
    case Kind::kEnum:
      return "enum";
    case Kind::kUuid:
      return base == Kind::kFixed ? "fixed" : "string";
    case Kind::kDecimal:
      return base == Kind::kInt32   ? "int"
             : base == Kind::kInt64 ? "long"
             : base == Kind::kFixed ? "fixed"
                                    : "bytes";
    case Kind::kStruct:
      return "record";
    case Kind::kList:
      return "array";
    case Kind::kMap:
      return avro_map_as_array ? "array" : "map";
  }
  return "?";
}

std::string Field::AvroLogicalType() const {
  const Kind k = kind();
  switch (k) {
    case Kind::kInt8:
    case Kind::kInt16:
    case Kind::kUInt8:
    case Kind::kUInt16:
    case Kind::kUInt32:
    case Kind::kUInt64:
    case Kind::kUuid:
    case Kind::kDecimal:
    case Kind::kDate:
    case Kind::kTimeMillis:
    case Kind::kTimeMicros:
      return std::string(KindName(k));
    case Kind::kTimestamp: {
      static constexpr std::string_view kUnits[] = {"millis", "micros", "nanos"};
      TimeUnit u = unit;
      if (!full_kind) {
        u = logical == LogicalType::kTimestampMillis ? TimeUnit::kMillis : TimeUnit::kMicros;
      }
      return fmt::format("{}timestamp-{}", utc_adjusted ? "" : "local-",
                         kUnits[static_cast<size_t>(u)]);
    }
    default:
      return "";
  }
}

namespace {

// "{a: int, b: nullable string}" for the children of a struct.
std::string DescribeChildren(const std::vector<Field>& children) {
  std::string out = "{";
  for (size_t i = 0; i < children.size(); ++i) {
    if (i > 0) out += ", ";
    out += fmt::format("{}: {}", children[i].name, children[i].Describe());
  }
  return out + "}";
}

}  // namespace

std::string Field::Describe() const {
  const bool same_as_flat = !full_kind || (*full_kind == FlatKind(type, logical) &&
                                           type_attributes.is_null() && !single_branch_union);
  if (same_as_flat) {
    std::string out = nullable && type != Type::kNull ? "nullable " : "";
    // What the flat view describes completely prints as it always has.
    if (type == Type::kEnum) {
      out += fmt::format("enum {} {{{}}}", enum_name, fmt::join(symbols, ", "));
    } else {
      out += TypeName(type);
    }
    if (logical != LogicalType::kNone) out += fmt::format(" ({})", LogicalTypeName(logical));
    return out;
  }
  std::string out = nullable && kind() != Kind::kNull ? "nullable " : "";
  switch (kind()) {
    case Kind::kStruct:
      return out + (avro_union ? "union " : "struct ") + DescribeChildren(children);
    case Kind::kList:
      return out + fmt::format("list<{}>", children.at(0).Describe());
    case Kind::kMap:
      return out + fmt::format("map<{}, {}>", children.at(0).Describe(), children.at(1).Describe());
    case Kind::kEnum:
      return out + fmt::format("enum {} {{{}}}", enum_name, fmt::join(symbols, ", "));
    default:
      break;
  }
  out += AvroBaseName();
  if (AvroBaseName() == "fixed") out += fmt::format("({})", fixed_size);
  std::string logical_text = AvroLogicalType();
  if (kind() == Kind::kDecimal) logical_text += fmt::format("({}, {})", precision, scale);
  if (logical_text.empty() && type_attributes.is_object()) {
    auto it = type_attributes.find("logicalType");
    if (it != type_attributes.end() && it->is_string()) logical_text = it->get<std::string>();
  }
  if (!logical_text.empty()) out += fmt::format(" ({})", logical_text);
  return out;
}

void AssignMissingFieldIds(std::vector<Field>* fields) {
  int32_t next = 0;
  std::vector<std::vector<Field>*> level = {fields};
  std::vector<std::vector<Field>*> all;
  while (!level.empty()) {
    std::vector<std::vector<Field>*> below;
    for (std::vector<Field>* group : level) {
      all.push_back(group);
      for (Field& f : *group) {
        if (f.field_id) next = std::max(next, *f.field_id);
        if (!f.children.empty()) below.push_back(&f.children);
      }
    }
    level = std::move(below);
  }
  for (std::vector<Field>* group : all) {
    for (Field& f : *group) {
      if (!f.field_id) f.field_id = ++next;
    }
  }
}

int Field::SymbolIndex(std::string_view symbol) const {
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (symbols[i] == symbol) return static_cast<int>(i);
  }
  return -1;
}

Schema::Schema(std::string name, std::vector<Field> fields, std::string name_space)
    : name_(std::move(name)), namespace_(std::move(name_space)), fields_(std::move(fields)) {
  for (size_t i = 0; i < fields_.size(); ++i) index_.emplace(fields_[i].name, static_cast<int>(i));
  avro_json_ = ToAvroJson();
}

int Schema::FieldIndex(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? -1 : it->second;
}

std::string Schema::ToString() const {
  std::string out = fmt::format("record {}{}\n", namespace_.empty() ? "" : namespace_ + ".",
                                name_.empty() ? "record" : name_);
  for (const Field& f : fields_) out += fmt::format("  {}: {}\n", f.name, f.Describe());
  return out;
}

}  // namespace lakepipe

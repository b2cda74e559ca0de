#include "formats/schema_resolution.h"

#include <string>
#include <string_view>

#include <fmt/format.h>

namespace lakepipe {
namespace {

Storage ColumnStorage(const Field& f) { return f.IsFlat() ? f.storage() : StorageOf(f); }

std::string ShortName(std::string_view full) {
  const size_t dot = full.rfind('.');
  return std::string(dot == std::string_view::npos ? full : full.substr(dot + 1));
}

std::string NamedTypeName(const Field& f) {
  return ShortName(f.kind() == Kind::kEnum ? f.enum_name : f.type_name);
}

bool MapsMatch(const Field& w, const Field& r) {
  const bool w_text_keys = !w.avro_map_as_array || ColumnStorage(w.children[0]) == Storage::kBinary;
  if (!r.avro_map_as_array) return w_text_keys;
  return w.avro_map_as_array || ColumnStorage(r.children[0]) == Storage::kBinary;
}

std::string Join(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

// Nesting deeper than this is refused (as the Avro reader refuses it).
constexpr int kMaxDepth = 64;

Status CheckField(const Field& w, const Field& r, const std::string& path, int depth);

// One writer type (not a union, not null) read as reader field `r`.
Status CheckBranch(const Field& w, const Field& r, const std::string& path, int depth) {
  const Field* target = nullptr;
  if (r.avro_union) {
    for (bool exact : {true, false}) {
      for (size_t i = 0; i < r.children.size() && target == nullptr; ++i) {
        if (AvroTypesMatch(w, r.children[i], exact)) target = &r.children[i];
      }
    }
  } else if (AvroTypesMatch(w, r, false)) {
    target = &r;
  }
  if (target == nullptr) {
    return InvalidArgumentError(
        "field '{}': the writer's {} cannot be read as the reader's {}; change the reader schema",
        path, w.Describe(), r.Describe());
  }
  switch (w.kind()) {
    case Kind::kStruct:
      for (const Field& rc : target->children) {
        const Field* wc = nullptr;
        for (const Field& c : w.children) {
          if (c.name == rc.name) wc = &c;
        }
        for (size_t a = 0; wc == nullptr && a < rc.aliases.size(); ++a) {
          for (const Field& c : w.children) {
            if (c.name == rc.aliases[a]) wc = &c;
          }
        }
        if (wc != nullptr) {
          LP_RETURN_IF_ERROR(CheckField(*wc, rc, Join(path, rc.name), depth + 1));
        } else if (!rc.default_value) {
          return InvalidArgumentError(
              "reader field '{}' is not in the writer schema and has no default; add a "
              "\"default\" to it",
              Join(path, rc.name));
        }
      }
      return Status::OK();
    case Kind::kList:
      return CheckField(w.children[0], target->children[0], Join(path, "element"), depth + 1);
    case Kind::kMap:
      if (w.avro_map_as_array) {
        LP_RETURN_IF_ERROR(
            CheckField(w.children[0], target->children[0], Join(path, "key"), depth + 1));
      }
      return CheckField(w.children[1], target->children[1], Join(path, "value"), depth + 1);
    default:
      return Status::OK();
  }
}

Status CheckField(const Field& w, const Field& r, const std::string& path, int depth) {
  if (depth > kMaxDepth) {
    return UnimplementedError("field '{}' nests deeper than {} levels", path, kMaxDepth);
  }
  if (w.avro_union) {
    for (const Field& m : w.children) LP_RETURN_IF_ERROR(CheckBranch(m, r, path, depth));
    return Status::OK();
  }
  if (w.kind() == Kind::kNull) return Status::OK();
  Field t = w;
  t.nullable = false;
  t.single_branch_union = false;
  return CheckBranch(t, r, path, depth);
}

}  // namespace

bool AvroTypesMatch(const Field& w, const Field& r, bool exact) {
  const std::string_view wb = w.AvroBaseName();
  const std::string_view rb = r.AvroBaseName();
  const Kind wk = w.kind();
  const Kind rk = r.kind();
  if (wk == Kind::kStruct || rk == Kind::kStruct) {
    if (wk != rk || r.avro_union || w.avro_union) return false;
    return !exact || NamedTypeName(w) == NamedTypeName(r);
  }
  if (wk == Kind::kList || rk == Kind::kList) return wk == rk;
  if (wk == Kind::kMap || rk == Kind::kMap) return wk == rk && MapsMatch(w, r);
  if (wb == "enum" || rb == "enum") {
    return wb == rb && (!exact || NamedTypeName(w) == NamedTypeName(r));
  }
  if (wb == "fixed" || rb == "fixed") {
    return wb == rb && w.fixed_size == r.fixed_size &&
           (!exact || NamedTypeName(w) == NamedTypeName(r));
  }
  if (wb == rb) return true;
  if (exact) return false;
  if (wb == "int") return rb == "long" || rb == "float" || rb == "double";
  if (wb == "long") return rb == "float" || rb == "double";
  if (wb == "float") return rb == "double";
  return (wb == "string" && rb == "bytes") || (wb == "bytes" && rb == "string");
}

Status CheckNestedResolution(const Schema& writer, const Schema& reader) {
  Field w;
  w.full_kind = Kind::kStruct;
  w.children = writer.fields();
  Field r;
  r.full_kind = Kind::kStruct;
  r.children = reader.fields();
  return CheckBranch(w, r, "", 0);
}

}  // namespace lakepipe

// MapFileSchema: the Parquet schema tree of a file as complete-model
// fields (see schema_mapping.h), and the levels that rebuild them.
#include <fmt/format.h>

#include "formats/parquet/schema_mapping.h"

namespace lakepipe::parquet {
namespace {

using LKind = LogicalTypeAnnotation::Kind;

// Deeper trees are refused: levels are kept in bytes and assembly recurses.
constexpr int kMaxDepth = 64;

// The schema elements as a tree: children[i] lists the indexes of the
// children of element i.
struct Tree {
  const std::vector<SchemaElement>* elems = nullptr;
  std::vector<std::vector<size_t>> children;
};

Status BuildTree(const std::vector<SchemaElement>& elems, Tree* tree) {
  tree->elems = &elems;
  tree->children.assign(elems.size(), {});
  // (element, children still to attach)
  std::vector<std::pair<size_t, int64_t>> open;
  open.emplace_back(0, elems[0].num_children.value_or(0));
  if (open.back().second < 0) return CorruptionError("Parquet schema root has negative children");
  for (size_t i = 1; i < elems.size(); ++i) {
    while (!open.empty() && open.back().second == 0) open.pop_back();
    if (open.empty()) {
      return CorruptionError("Parquet schema has {} elements after its root's children end",
                             elems.size() - i);
    }
    --open.back().second;
    tree->children[open.back().first].push_back(i);
    const SchemaElement& e = elems[i];
    if (e.num_children && *e.num_children > 0) {
      if (open.size() >= kMaxDepth) {
        return UnimplementedError("Parquet column '{}': nesting deeper than {} levels", e.name,
                                  kMaxDepth);
      }
      open.emplace_back(i, *e.num_children);
    } else if (!e.type) {
      if (e.num_children) continue;  // an empty group: a struct of no fields
      return CorruptionError("Parquet schema element '{}' has neither a type nor children", e.name);
    }
  }
  for (const auto& [index, left] : open) {
    if (left > 0) {
      return CorruptionError("Parquet schema element '{}' declares {} more children than follow",
                             elems[index].name, left);
    }
  }
  return Status::OK();
}

Status Unsupported(const std::string& path, std::string_view feature) {
  return UnimplementedError("Parquet column '{}': {} is not supported", path, feature);
}

bool HasLogical(const SchemaElement& e, LKind k) {
  return e.logical_type && e.logical_type->kind == k;
}
bool HasConverted(const SchemaElement& e, ConvertedType c) {
  return e.converted_type && *e.converted_type == c;
}

lakepipe::TimeUnit ToUnit(TimeUnit u) {
  return u == TimeUnit::kMillis   ? lakepipe::TimeUnit::kMillis
         : u == TimeUnit::kMicros ? lakepipe::TimeUnit::kMicros
                                  : lakepipe::TimeUnit::kNanos;
}

void SetKind(Field* f, Kind kind) {
  f->full_kind = kind;
  SetFlatView(f);
}

void SetAttribute(Field* f, std::string_view logical) {
  f->type_attributes = nlohmann::json::object();
  f->type_attributes["logicalType"] = std::string(logical);
}

// Avro names of fixed and record types must be unique in a schema: they
// are made from the path of the column.
std::string TypeNameFor(const std::vector<std::string>& path) {
  std::string out = "parquet";
  for (const std::string& part : path) {
    out.push_back('_');
    for (char c : part) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      out.push_back(ok ? c : '_');
    }
  }
  return out;
}

Status MapInteger(const SchemaElement& e, Field* f, LeafMapping* leaf) {
  const bool int32 = *e.type == PhysicalType::kInt32;
  int bits = int32 ? 32 : 64;
  bool is_signed = true;
  if (e.logical_type && e.logical_type->kind == LKind::kInteger) {
    bits = e.logical_type->bit_width;
    is_signed = e.logical_type->is_signed;
  } else if (e.converted_type) {
    switch (*e.converted_type) {
      case ConvertedType::kInt8:
        bits = 8;
        break;
      case ConvertedType::kInt16:
        bits = 16;
        break;
      case ConvertedType::kInt32:
        bits = 32;
        break;
      case ConvertedType::kInt64:
        bits = 64;
        break;
      case ConvertedType::kUint8:
        bits = 8, is_signed = false;
        break;
      case ConvertedType::kUint16:
        bits = 16, is_signed = false;
        break;
      case ConvertedType::kUint32:
        bits = 32, is_signed = false;
        break;
      case ConvertedType::kUint64:
        bits = 64, is_signed = false;
        break;
      default:
        break;
    }
  }
  if (!int32) {
    SetKind(f, is_signed || bits != 64 ? Kind::kInt64 : Kind::kUInt64);
    return Status::OK();
  }
  Kind k = Kind::kInt32;
  if (bits == 8) k = is_signed ? Kind::kInt8 : Kind::kUInt8;
  if (bits == 16) k = is_signed ? Kind::kInt16 : Kind::kUInt16;
  if (bits == 32 && !is_signed) {
    k = Kind::kUInt32;
    leaf->conversion = LeafConversion::kUint32ToLong;
  }
  SetKind(f, k);
  return Status::OK();
}

Status MapDecimal(const SchemaElement& e, LeafMapping* leaf) {
  Field& f = leaf->field;
  const std::optional<LogicalTypeAnnotation>& lt = e.logical_type;
  const bool logical = lt && lt->kind == LKind::kDecimal;
  f.precision = logical ? lt->precision : e.precision.value_or(0);
  f.scale = logical ? lt->scale : e.scale.value_or(0);
  switch (*e.type) {
    case PhysicalType::kInt32:
      f.base = Kind::kInt32;
      break;
    case PhysicalType::kInt64:
      f.base = Kind::kInt64;
      break;
    case PhysicalType::kByteArray:
      f.base = Kind::kBytes;
      break;
    case PhysicalType::kFixedLenByteArray:
      f.base = Kind::kFixed;
      f.fixed_size = leaf->type_length;
      f.type_name = TypeNameFor(leaf->path);
      leaf->conversion = LeafConversion::kFixedToBytes;
      break;
    default:
      return CorruptionError("Parquet column '{}': DECIMAL on {}", leaf->path_name,
                             PhysicalTypeName(*e.type));
  }
  SetKind(&f, Kind::kDecimal);
  return Status::OK();
}

Status MapInt32(const SchemaElement& e, LeafMapping* leaf) {
  Field& f = leaf->field;
  const std::optional<LogicalTypeAnnotation>& lt = e.logical_type;
  if (HasLogical(e, LKind::kDate) || HasConverted(e, ConvertedType::kDate)) {
    SetKind(&f, Kind::kDate);
  } else if ((lt && lt->kind == LKind::kTime && lt->unit == TimeUnit::kMillis) ||
             HasConverted(e, ConvertedType::kTimeMillis)) {
    f.utc_adjusted = lt ? lt->adjusted_to_utc : true;
    SetKind(&f, Kind::kTimeMillis);
  } else {
    return MapInteger(e, &f, leaf);
  }
  return Status::OK();
}

Status MapInt64(const SchemaElement& e, LeafMapping* leaf) {
  Field& f = leaf->field;
  const std::optional<LogicalTypeAnnotation>& lt = e.logical_type;
  if (lt && lt->kind == LKind::kTimestamp) {
    f.unit = ToUnit(lt->unit);
    f.utc_adjusted = lt->adjusted_to_utc;
    SetKind(&f, Kind::kTimestamp);
  } else if (HasConverted(e, ConvertedType::kTimestampMillis) ||
             HasConverted(e, ConvertedType::kTimestampMicros)) {
    f.unit = HasConverted(e, ConvertedType::kTimestampMillis) ? lakepipe::TimeUnit::kMillis
                                                              : lakepipe::TimeUnit::kMicros;
    SetKind(&f, Kind::kTimestamp);
  } else if (lt && lt->kind == LKind::kTime && lt->unit == TimeUnit::kNanos) {
    SetKind(&f, Kind::kInt64);
    SetAttribute(&f, "time-nanos");
  } else if ((lt && lt->kind == LKind::kTime) || HasConverted(e, ConvertedType::kTimeMicros)) {
    f.utc_adjusted = lt ? lt->adjusted_to_utc : true;
    SetKind(&f, Kind::kTimeMicros);
  } else {
    return MapInteger(e, &f, leaf);
  }
  return Status::OK();
}

void MapByteArray(const SchemaElement& e, Field* f) {
  const std::optional<LogicalTypeAnnotation>& lt = e.logical_type;
  if (HasLogical(e, LKind::kString) || HasConverted(e, ConvertedType::kUtf8)) {
    SetKind(f, Kind::kString);
  } else if (HasLogical(e, LKind::kEnum) || HasConverted(e, ConvertedType::kEnum)) {
    SetKind(f, Kind::kString);
    SetAttribute(f, "enum");
  } else if (HasLogical(e, LKind::kJson) || HasConverted(e, ConvertedType::kJson)) {
    SetKind(f, Kind::kString);
    SetAttribute(f, "json");
  } else if (HasLogical(e, LKind::kBson) || HasConverted(e, ConvertedType::kBson)) {
    SetKind(f, Kind::kBytes);
    SetAttribute(f, "bson");
  } else if (HasLogical(e, LKind::kGeometry) || HasLogical(e, LKind::kGeography)) {
    SetKind(f, Kind::kBytes);
    const bool geography = lt->kind == LKind::kGeography;
    SetAttribute(f, geography ? "geography" : "geometry");
    if (!lt->crs.empty()) f->type_attributes["crs"] = lt->crs;
    if (geography && lt->algorithm) {
      static constexpr const char* kNames[] = {"spherical", "vincenty", "thomas", "andoyer",
                                               "karney"};
      const int32_t a = *lt->algorithm;
      if (a >= 0 && a < 5) f->type_attributes["algorithm"] = kNames[a];
    }
  } else {
    SetKind(f, Kind::kBytes);
  }
}

Status MapFixed(const SchemaElement& e, LeafMapping* leaf) {
  Field& f = leaf->field;
  const std::string& path = leaf->path_name;
  leaf->conversion = LeafConversion::kFixedToBytes;
  if (HasLogical(e, LKind::kFloat16)) {
    if (leaf->type_length != 2) {
      return CorruptionError("Parquet column '{}': FLOAT16 must be 2 bytes", path);
    }
    SetKind(&f, Kind::kFloat);
    SetAttribute(&f, "float16");
    leaf->conversion = LeafConversion::kFloat16ToFloat;
    return Status::OK();
  }
  f.fixed_size = leaf->type_length;
  f.type_name = TypeNameFor(leaf->path);
  if (HasLogical(e, LKind::kUuid)) {
    if (leaf->type_length != 16) {
      return CorruptionError("Parquet column '{}': UUID must be 16 bytes", path);
    }
    f.base = Kind::kFixed;
    SetKind(&f, Kind::kUuid);
  } else if (HasConverted(e, ConvertedType::kInterval)) {
    if (leaf->type_length != 12) {
      return CorruptionError("Parquet column '{}': INTERVAL must be 12 bytes", path);
    }
    SetKind(&f, Kind::kFixed);
    SetAttribute(&f, "duration");
  } else {
    SetKind(&f, Kind::kFixed);
  }
  return Status::OK();
}

// Maps a primitive element by its physical and logical type.
Status MapPrimitive(const SchemaElement& e, LeafMapping* leaf) {
  Field& f = leaf->field;
  const std::string& path = leaf->path_name;
  leaf->physical = *e.type;
  leaf->type_length = e.type_length.value_or(0);
  if (*e.type == PhysicalType::kFixedLenByteArray && leaf->type_length <= 0) {
    return CorruptionError("Parquet column '{}': FIXED_LEN_BYTE_ARRAY of {} bytes", path,
                           leaf->type_length);
  }
  if (HasLogical(e, LKind::kVariant)) return Unsupported(path, "the VARIANT type");
  if (HasLogical(e, LKind::kNull)) {
    SetKind(&f, Kind::kNull);
    return Status::OK();
  }
  if (HasLogical(e, LKind::kDecimal) || HasConverted(e, ConvertedType::kDecimal)) {
    return MapDecimal(e, leaf);
  }
  switch (*e.type) {
    case PhysicalType::kBoolean:
      SetKind(&f, Kind::kBoolean);
      return Status::OK();
    case PhysicalType::kInt32:
      return MapInt32(e, leaf);
    case PhysicalType::kInt64:
      return MapInt64(e, leaf);
    case PhysicalType::kInt96:
      f.unit = lakepipe::TimeUnit::kMicros;
      SetKind(&f, Kind::kTimestamp);
      leaf->conversion = LeafConversion::kInt96ToMicros;
      return Status::OK();
    case PhysicalType::kFloat:
      SetKind(&f, Kind::kFloat);
      return Status::OK();
    case PhysicalType::kDouble:
      SetKind(&f, Kind::kDouble);
      return Status::OK();
    case PhysicalType::kByteArray:
      MapByteArray(e, &f);
      return Status::OK();
    case PhysicalType::kFixedLenByteArray:
      return MapFixed(e, leaf);
  }
  return CorruptionError("Parquet column '{}': unknown physical type {}", path,
                         static_cast<int>(*e.type));
}

// Walks the tree, making the fields, leaves and read nodes.
class Mapper {
 public:
  Mapper(const Tree& tree, std::vector<LeafMapping>* leaves) : tree_(tree), leaves_(leaves) {}

  // Maps element `index` (a field named `name`) in a parent whose slot
  // exists at definition level `def` and repetition level `rep`.
  Status MapField(size_t index, std::string name, int def, int rep, std::vector<std::string> path,
                  Field* field, ReadNode* node) {
    const SchemaElement& e = Elem(index);
    path.push_back(e.name);
    if (HasLogical(e, LKind::kVariant)) return Unsupported(Joined(path), "the VARIANT type");
    const Repetition r = e.repetition.value_or(Repetition::kRequired);
    if (r == Repetition::kRepeated) {
      // A repeated field outside a LIST or MAP: a required list of
      // required elements.
      return MapList(index, std::move(name), def, rep, path, field, node);
    }
    const bool optional = r == Repetition::kOptional;
    field->name = std::move(name);
    field->nullable = optional;
    field->field_id = e.field_id;
    const int own_def = def + (optional ? 1 : 0);
    node->def = own_def;
    if (!IsGroup(index)) return MapLeaf(index, own_def, rep, path, field, node);
    if (HasLogical(e, LKind::kList) || HasConverted(e, ConvertedType::kList)) {
      return MapAnnotatedList(index, own_def, rep, path, field, node);
    }
    if (HasLogical(e, LKind::kMap) || HasConverted(e, ConvertedType::kMap) ||
        HasConverted(e, ConvertedType::kMapKeyValue)) {
      return MapMap(index, own_def, rep, path, field, node);
    }
    return MapStruct(index, own_def, rep, path, field, node);
  }

 private:
  const SchemaElement& Elem(size_t i) const { return (*tree_.elems)[i]; }
  bool IsGroup(size_t i) const { return !Elem(i).type || Elem(i).num_children.has_value(); }
  static std::string Joined(const std::vector<std::string>& path) {
    std::string out;
    for (const std::string& p : path) out += (out.empty() ? "" : ".") + p;
    return out;
  }

  Status CheckDepth(int def, int rep, const std::vector<std::string>& path) {
    if (def > 250 || rep > 250 || path.size() > kMaxDepth) {
      return Unsupported(Joined(path), "nesting this deep");
    }
    return Status::OK();
  }

  Status MapLeaf(size_t index, int def, int rep, const std::vector<std::string>& path, Field* field,
                 ReadNode* node) {
    LP_RETURN_IF_ERROR(CheckDepth(def, rep, path));
    LeafMapping leaf;
    leaf.path = path;
    leaf.path_name = Joined(path);
    leaf.max_def = def;
    leaf.max_rep = rep;
    leaf.optional = Elem(index).repetition.value_or(Repetition::kRequired) == Repetition::kOptional;
    leaf.field.name = field->name;
    leaf.field.nullable = field->nullable;
    leaf.field.field_id = field->field_id;
    LP_RETURN_IF_ERROR(MapPrimitive(Elem(index), &leaf));
    *field = leaf.field;
    leaf.field.nullable = field->nullable;
    node->shape = ReadNode::Shape::kLeaf;
    node->leaf = leaves_->size();
    node->first_leaf = leaves_->size();
    node->end_leaf = leaves_->size() + 1;
    leaves_->push_back(std::move(leaf));
    return Status::OK();
  }

  Status MapStruct(size_t index, int def, int rep, const std::vector<std::string>& path,
                   Field* field, ReadNode* node) {
    LP_RETURN_IF_ERROR(CheckDepth(def, rep, path));
    node->shape = ReadNode::Shape::kStruct;
    node->first_leaf = leaves_->size();
    for (size_t child : tree_.children[index]) {
      Field f;
      ReadNode n;
      LP_RETURN_IF_ERROR(MapField(child, Elem(child).name, def, rep, path, &f, &n));
      field->children.push_back(std::move(f));
      node->children.push_back(std::move(n));
    }
    node->end_leaf = leaves_->size();
    if (node->first_leaf == node->end_leaf) {
      return Unsupported(Joined(path), "a group without columns");
    }
    field->type_name = TypeNameFor(path);
    SetKind(field, Kind::kStruct);
    return Status::OK();
  }

  // A list whose repeated level is element `repeated`. `repeated_is_element`
  // when that element is itself the list's element (legacy forms); else its
  // one child is.
  Status MapListLevels(size_t repeated, bool repeated_is_element, bool name_in_path, int def,
                       int rep, const std::vector<std::string>& path, Field* field,
                       ReadNode* node) {
    node->shape = ReadNode::Shape::kList;
    node->elem_def = def + 1;
    node->rep = rep + 1;
    node->first_leaf = leaves_->size();
    Field element;
    ReadNode element_node;
    std::vector<std::string> inner = path;
    if (repeated_is_element) {
      // The repeated element as a required element.
      const SchemaElement& e = Elem(repeated);
      if (!name_in_path) inner.push_back(e.name);
      element.name = "element";
      element.field_id = e.field_id;
      element_node.def = def + 1;
      if (IsGroup(repeated)) {
        LP_RETURN_IF_ERROR(MapStruct(repeated, def + 1, rep + 1, inner, &element, &element_node));
      } else {
        LP_RETURN_IF_ERROR(MapLeaf(repeated, def + 1, rep + 1, inner, &element, &element_node));
      }
    } else {
      inner.push_back(Elem(repeated).name);
      const size_t child = tree_.children[repeated][0];
      LP_RETURN_IF_ERROR(
          MapField(child, "element", def + 1, rep + 1, inner, &element, &element_node));
    }
    node->end_leaf = leaves_->size();
    field->children.push_back(std::move(element));
    node->children.push_back(std::move(element_node));
    SetKind(field, Kind::kList);
    return Status::OK();
  }

  // A repeated field outside a LIST: a required list of required elements.
  Status MapList(size_t index, std::string name, int def, int rep,
                 const std::vector<std::string>& path, Field* field, ReadNode* node) {
    field->name = std::move(name);
    field->nullable = false;
    node->def = def;
    return MapListLevels(index, true, true, def, rep, path, field, node);
  }

  Status MapAnnotatedList(size_t index, int def, int rep, const std::vector<std::string>& path,
                          Field* field, ReadNode* node) {
    const std::vector<size_t>& kids = tree_.children[index];
    const std::string joined = Joined(path);
    if (kids.size() != 1) {
      return CorruptionError("Parquet column '{}': a LIST group has {} children, not 1", joined,
                             kids.size());
    }
    const size_t r = kids[0];
    const SchemaElement& re = Elem(r);
    if (re.repetition.value_or(Repetition::kRequired) != Repetition::kRepeated) {
      return CorruptionError("Parquet column '{}': the middle level of a LIST is not repeated",
                             joined);
    }
    // LogicalTypes.md, backward-compatibility rules for lists.
    bool legacy = !IsGroup(r) || tree_.children[r].size() != 1 || re.name == "array" ||
                  re.name == Elem(index).name + "_tuple";
    return MapListLevels(r, legacy, false, def, rep, path, field, node);
  }

  Status MapMap(size_t index, int def, int rep, const std::vector<std::string>& path, Field* field,
                ReadNode* node) {
    const std::vector<size_t>& kids = tree_.children[index];
    const std::string joined = Joined(path);
    if (kids.size() != 1 ||
        Elem(kids[0]).repetition.value_or(Repetition::kRequired) != Repetition::kRepeated ||
        !IsGroup(kids[0]) || tree_.children[kids[0]].size() != 2) {
      // Not a key/value map (e.g. MAP_KEY_VALUE on other shapes): a struct
      // of what it holds.
      return MapStruct(index, def, rep, path, field, node);
    }
    const size_t kv = kids[0];
    std::vector<std::string> inner = path;
    inner.push_back(Elem(kv).name);
    node->shape = ReadNode::Shape::kMap;
    node->elem_def = def + 1;
    node->rep = rep + 1;
    node->first_leaf = leaves_->size();
    const char* names[] = {"key", "value"};
    for (size_t i = 0; i < 2; ++i) {
      Field f;
      ReadNode n;
      const size_t child = tree_.children[kv][i];
      LP_RETURN_IF_ERROR(MapField(child, names[i], def + 1, rep + 1, inner, &f, &n));
      field->children.push_back(std::move(f));
      node->children.push_back(std::move(n));
    }
    // Keys are never null (a writer that marks them optional never stores
    // a null key).
    field->children[0].nullable = false;
    node->end_leaf = leaves_->size();
    field->children[0].name = "key";
    // Avro maps have string keys: other keys travel as an array of
    // {key, value} records, as Iceberg writes them.
    if (field->children[0].kind() != Kind::kString) {
      field->avro_map_as_array = true;
      field->type_name = TypeNameFor(inner);
    }
    SetKind(field, Kind::kMap);
    return Status::OK();
  }

  const Tree& tree_;
  std::vector<LeafMapping>* leaves_;
};

// ---------------------------------------------------------------- Avro schema

// True when the Avro field can stand for the field mapped from Parquet.
bool Fits(const Field& avro, const Field& pq) {
  if (avro.name != pq.name) return false;
  const Kind ak = avro.kind();
  const Kind pk = pq.kind();
  if (ak == Kind::kNull) return pk == Kind::kNull || (pq.nullable && !IsNested(pk));
  if (avro.nullable != pq.nullable) return false;
  if (ak == Kind::kEnum) return pk == Kind::kString;
  if (ak == Kind::kUuid && avro.base == Kind::kString) {
    return pk == Kind::kString || (pk == Kind::kUuid && pq.base == Kind::kFixed);
  }
  if (IsNested(ak) || IsNested(pk)) {
    if (ak != pk || avro.children.size() != pq.children.size()) return false;
    for (size_t i = 0; i < avro.children.size(); ++i) {
      if (ak == Kind::kStruct && avro.children[i].name != pq.children[i].name) return false;
      Field a = avro.children[i];
      if (ak != Kind::kStruct) a.name = pq.children[i].name;
      if (!Fits(a, pq.children[i])) return false;
    }
    return true;
  }
  if (StorageOf(avro) != StorageOf(pq)) return false;
  if (ak == pk) {
    if (ak == Kind::kTimestamp) return avro.unit == pq.unit;
    return true;
  }
  // Parquet keeps less than Avro says of some types (e.g. a uuid, an int8
  // written as plain INT32).
  return true;
}

// Points the leaves below `node` at the Avro fields.
void AdoptAvro(const Field& avro, const ReadNode& node, std::vector<LeafMapping>* leaves) {
  if (node.shape == ReadNode::Shape::kLeaf) {
    LeafMapping& leaf = (*leaves)[node.leaf];
    const bool nullable = leaf.field.nullable;
    leaf.field = avro;
    leaf.field.nullable = nullable || avro.kind() == Kind::kNull;
    if (avro.kind() == Kind::kEnum) leaf.conversion = LeafConversion::kBinaryToEnum;
    if (avro.kind() == Kind::kUuid && avro.base == Kind::kString &&
        leaf.physical == PhysicalType::kFixedLenByteArray) {
      leaf.conversion = LeafConversion::kUuidToString;
    }
    return;
  }
  for (size_t i = 0; i < node.children.size() && i < avro.children.size(); ++i) {
    AdoptAvro(avro.children[i], node.children[i], leaves);
  }
}

}  // namespace

bool IsFlatLeaf(const ReadNode& node, const std::vector<LeafMapping>& leaves) {
  if (node.shape != ReadNode::Shape::kLeaf) return false;
  const LeafMapping& leaf = leaves[node.leaf];
  return leaf.max_rep == 0 && leaf.max_def <= 1 && leaf.path.size() == 1;
}

Result<FileSchemaMapping> MapFileSchema(const FileMetaData& md) {
  const std::vector<SchemaElement>& elems = md.schema;
  if (elems.empty()) return CorruptionError("Parquet schema is empty");
  Tree tree;
  LP_RETURN_IF_ERROR(BuildTree(elems, &tree));
  FileSchemaMapping mapping;
  std::vector<Field> fields;
  Mapper mapper(tree, &mapping.leaves);
  for (size_t child : tree.children[0]) {
    Field f;
    ReadNode node;
    LP_RETURN_IF_ERROR(mapper.MapField(child, elems[child].name, 0, 0, {}, &f, &node));
    for (const Field& seen : fields) {
      if (seen.name == f.name) {
        return UnimplementedError("Parquet column name '{}' appears twice", f.name);
      }
    }
    fields.push_back(std::move(f));
    mapping.fields.push_back(std::move(node));
  }
  // Prefer the Avro schema the writer kept, when it matches the columns.
  for (const char* key : {kAvroSchemaKey, kLegacyAvroSchemaKey}) {
    for (const KeyValue& kv : md.key_value_metadata) {
      if (kv.key != key || !kv.value) continue;
      Result<Schema> avro =
          Schema::FromAvroJson(*kv.value, SchemaParseOptions{.complete_types = true});
      if (!avro.ok() || avro->num_fields() != fields.size()) continue;
      bool fits = true;
      for (size_t i = 0; i < fields.size() && fits; ++i) fits = Fits(avro->field(i), fields[i]);
      if (!fits) continue;
      for (size_t i = 0; i < fields.size(); ++i) {
        AdoptAvro(avro->field(i), mapping.fields[i], &mapping.leaves);
      }
      mapping.schema = std::move(avro).value();
      return mapping;
    }
  }
  mapping.schema = Schema(elems[0].name, std::move(fields));
  return mapping;
}

}  // namespace lakepipe::parquet

#include "formats/parquet/schema_to_parquet.h"

#include <algorithm>

namespace lakepipe::parquet {
namespace {

using LKind = LogicalTypeAnnotation::Kind;

// Levels are kept in bytes.
constexpr int kMaxLevel = 255;

LogicalTypeAnnotation Annotation(LKind kind) {
  LogicalTypeAnnotation a;
  a.kind = kind;
  return a;
}

LogicalTypeAnnotation IntAnnotation(int32_t bits, bool is_signed) {
  LogicalTypeAnnotation a = Annotation(LKind::kInteger);
  a.bit_width = bits;
  a.is_signed = is_signed;
  return a;
}

LogicalTypeAnnotation TimeAnnotation(LKind kind, parquet::TimeUnit unit, bool utc) {
  LogicalTypeAnnotation a = Annotation(kind);
  a.unit = unit;
  a.adjusted_to_utc = utc;
  return a;
}

parquet::TimeUnit UnitOf(lakepipe::TimeUnit unit) {
  switch (unit) {
    case lakepipe::TimeUnit::kMillis:
      return parquet::TimeUnit::kMillis;
    case lakepipe::TimeUnit::kMicros:
      return parquet::TimeUnit::kMicros;
    case lakepipe::TimeUnit::kNanos:
      return parquet::TimeUnit::kNanos;
  }
  return parquet::TimeUnit::kMicros;
}

// The "logicalType" of the field's uninterpreted type attributes, or "".
std::string AttributeLogicalType(const Field& f) {
  if (!f.type_attributes.is_object()) return "";
  auto it = f.type_attributes.find("logicalType");
  return it != f.type_attributes.end() && it->is_string() ? it->get<std::string>() : "";
}

std::string AttributeString(const Field& f, const char* key) {
  auto it = f.type_attributes.find(key);
  return it != f.type_attributes.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<int32_t> GeographyAlgorithm(const std::string& name) {
  static const char* const kNames[] = {"spherical", "vincenty", "thomas", "andoyer", "karney"};
  for (int32_t i = 0; i < 5; ++i) {
    if (name == kNames[i]) return i;
  }
  return std::nullopt;
}

void Annotate(SchemaElement* e, std::optional<ConvertedType> converted,
              std::optional<LogicalTypeAnnotation> logical) {
  e->converted_type = converted;
  e->logical_type = std::move(logical);
}

// The leaf's physical type and annotations; sets the plan's encoding.
void LeafType(const Field& f, SchemaElement* e, LeafPlan* leaf) {
  const std::string attr = AttributeLogicalType(f);
  auto physical = [&](PhysicalType t, int32_t length = 0) {
    e->type = t;
    if (t == PhysicalType::kFixedLenByteArray) e->type_length = length;
    leaf->physical = t;
    leaf->type_length = length;
  };
  switch (f.kind()) {
    case Kind::kNull:
      physical(PhysicalType::kInt32);
      Annotate(e, std::nullopt, Annotation(LKind::kNull));
      leaf->encoding = LeafEncoding::kNull;
      break;
    case Kind::kBoolean:
      physical(PhysicalType::kBoolean);
      break;
    case Kind::kInt8:
      physical(PhysicalType::kInt32);
      Annotate(e, ConvertedType::kInt8, IntAnnotation(8, true));
      break;
    case Kind::kInt16:
      physical(PhysicalType::kInt32);
      Annotate(e, ConvertedType::kInt16, IntAnnotation(16, true));
      break;
    case Kind::kInt32:
      physical(PhysicalType::kInt32);
      break;
    case Kind::kInt64:
      physical(PhysicalType::kInt64);
      if (attr == "time-nanos") {
        Annotate(e, std::nullopt,
                 TimeAnnotation(LKind::kTime, parquet::TimeUnit::kNanos, f.utc_adjusted));
      }
      break;
    case Kind::kUInt8:
      physical(PhysicalType::kInt32);
      Annotate(e, ConvertedType::kUint8, IntAnnotation(8, false));
      break;
    case Kind::kUInt16:
      physical(PhysicalType::kInt32);
      Annotate(e, ConvertedType::kUint16, IntAnnotation(16, false));
      break;
    case Kind::kUInt32:
      physical(PhysicalType::kInt32);
      Annotate(e, ConvertedType::kUint32, IntAnnotation(32, false));
      leaf->encoding = LeafEncoding::kUint32;
      leaf->min_max = false;
      break;
    case Kind::kUInt64:
      physical(PhysicalType::kInt64);
      Annotate(e, ConvertedType::kUint64, IntAnnotation(64, false));
      leaf->min_max = false;
      break;
    case Kind::kFloat:
      if (attr == "float16") {
        physical(PhysicalType::kFixedLenByteArray, 2);
        Annotate(e, std::nullopt, Annotation(LKind::kFloat16));
        leaf->encoding = LeafEncoding::kFloat16;
        leaf->min_max = false;
      } else {
        physical(PhysicalType::kFloat);
      }
      break;
    case Kind::kDouble:
      physical(PhysicalType::kDouble);
      break;
    case Kind::kString:
      physical(PhysicalType::kByteArray);
      if (attr == "json") {
        Annotate(e, ConvertedType::kJson, Annotation(LKind::kJson));
      } else if (attr == "enum") {
        Annotate(e, ConvertedType::kEnum, Annotation(LKind::kEnum));
      } else {
        Annotate(e, ConvertedType::kUtf8, Annotation(LKind::kString));
      }
      break;
    case Kind::kBytes:
      physical(PhysicalType::kByteArray);
      if (attr == "bson") {
        // No BSON ConvertedType: DuckDB refuses files that carry it.
        Annotate(e, std::nullopt, Annotation(LKind::kBson));
      } else if (attr == "geometry" || attr == "geography") {
        LogicalTypeAnnotation a =
            Annotation(attr == "geometry" ? LKind::kGeometry : LKind::kGeography);
        a.crs = AttributeString(f, "crs");
        if (attr == "geography") a.algorithm = GeographyAlgorithm(AttributeString(f, "algorithm"));
        Annotate(e, std::nullopt, std::move(a));
        leaf->min_max = false;
      }
      break;
    case Kind::kFixed:
      physical(PhysicalType::kFixedLenByteArray, f.fixed_size);
      if (attr == "duration" && f.fixed_size == 12) {
        Annotate(e, ConvertedType::kInterval, std::nullopt);
        leaf->min_max = false;
      }
      break;
    case Kind::kEnum:
      physical(PhysicalType::kByteArray);
      Annotate(e, ConvertedType::kEnum, Annotation(LKind::kEnum));
      leaf->encoding = LeafEncoding::kEnum;
      break;
    case Kind::kUuid:
      // uuid text stays text: Spark 3 rejects FIXED_LEN_BYTE_ARRAY + UUID,
      // and Athena and Snowflake read the lake's uuid columns as strings.
      if (f.base == Kind::kFixed) {
        physical(PhysicalType::kFixedLenByteArray, 16);
        Annotate(e, std::nullopt, Annotation(LKind::kUuid));
      } else {
        physical(PhysicalType::kByteArray);
        Annotate(e, ConvertedType::kUtf8, Annotation(LKind::kString));
      }
      break;
    case Kind::kDecimal: {
      LogicalTypeAnnotation a = Annotation(LKind::kDecimal);
      a.precision = f.precision;
      a.scale = f.scale;
      if (f.precision <= 9) {
        physical(PhysicalType::kInt32);
      } else if (f.precision <= 18) {
        physical(PhysicalType::kInt64);
      } else {
        physical(PhysicalType::kFixedLenByteArray, DecimalFixedBytes(f.precision));
        leaf->min_max = false;
      }
      e->precision = f.precision;
      e->scale = f.scale;
      Annotate(e, ConvertedType::kDecimal, std::move(a));
      leaf->encoding = LeafEncoding::kDecimal;
      break;
    }
    case Kind::kDate:
      physical(PhysicalType::kInt32);
      Annotate(e, ConvertedType::kDate, Annotation(LKind::kDate));
      break;
    case Kind::kTimeMillis:
      physical(PhysicalType::kInt32);
      Annotate(e, f.utc_adjusted ? std::optional(ConvertedType::kTimeMillis) : std::nullopt,
               TimeAnnotation(LKind::kTime, parquet::TimeUnit::kMillis, f.utc_adjusted));
      break;
    case Kind::kTimeMicros:
      physical(PhysicalType::kInt64);
      Annotate(e, f.utc_adjusted ? std::optional(ConvertedType::kTimeMicros) : std::nullopt,
               TimeAnnotation(LKind::kTime, parquet::TimeUnit::kMicros, f.utc_adjusted));
      break;
    case Kind::kTimestamp: {
      physical(PhysicalType::kInt64);
      // Fields made from the flat view alone name their unit in `logical`.
      const lakepipe::TimeUnit unit = !f.full_kind && f.logical == LogicalType::kTimestampMillis
                                          ? lakepipe::TimeUnit::kMillis
                                          : f.unit;
      std::optional<ConvertedType> converted;
      if (f.utc_adjusted && unit == lakepipe::TimeUnit::kMillis) {
        converted = ConvertedType::kTimestampMillis;
      } else if (f.utc_adjusted && unit == lakepipe::TimeUnit::kMicros) {
        converted = ConvertedType::kTimestampMicros;
      }
      Annotate(e, converted, TimeAnnotation(LKind::kTimestamp, UnitOf(unit), f.utc_adjusted));
      break;
    }
    case Kind::kStruct:
    case Kind::kList:
    case Kind::kMap:
      break;  // groups, not leaves
  }
}

class Planner {
 public:
  explicit Planner(ParquetSchemaPlan* plan) : plan_(plan) {}

  Status AddTop(size_t top) {
    top_ = top;
    const Field& f = plan_->fields[top];
    return AddNode(f, f.name, f.nullable || f.kind() == Kind::kNull, f.field_id);
  }

  // Gives the repeated groups ids after the largest id used.
  void AssignGroupIds() {
    int32_t next = 0;
    for (const SchemaElement& e : plan_->elements) next = std::max(next, e.field_id.value_or(0));
    for (size_t i : unnamed_) plan_->elements[i].field_id = ++next;
  }

 private:
  Status AddNode(const Field& f, const std::string& name, bool optional,
                 std::optional<int32_t> id) {
    steps_.push_back(LeafStep{&f, f.kind(), optional, 0, 0});
    path_.push_back(name);
    if (optional) ++def_;
    if (def_ > kMaxLevel || rep_ > kMaxLevel) {
      return InvalidArgumentError("field '{}' is nested too deeply for Parquet (at most {} levels)",
                                  name, kMaxLevel);
    }
    SchemaElement e;
    e.name = name;
    e.repetition = optional ? Repetition::kOptional : Repetition::kRequired;
    e.field_id = id;
    const size_t index = plan_->elements.size();
    plan_->elements.push_back(e);
    Status st;
    switch (f.kind()) {
      case Kind::kStruct:
        st = AddStruct(f, index);
        break;
      case Kind::kList:
      case Kind::kMap:
        st = AddRepeated(f, index);
        break;
      default:
        AddLeaf(f, index);
        break;
    }
    if (optional) --def_;
    path_.pop_back();
    steps_.pop_back();
    return st;
  }

  Status AddStruct(const Field& f, size_t index) {
    if (f.children.empty()) {
      return InvalidArgumentError(
          "field '{}' is a struct with no fields, which Parquet cannot store", f.name);
    }
    plan_->elements[index].num_children = static_cast<int32_t>(f.children.size());
    for (size_t c = 0; c < f.children.size(); ++c) {
      const Field& child = f.children[c];
      steps_.back().child = c;
      LP_RETURN_IF_ERROR(AddNode(child, child.name, child.nullable || child.kind() == Kind::kNull,
                                 child.field_id));
    }
    return Status::OK();
  }

  // A list or map: the annotated group, its repeated group, then the
  // element or the key and value.
  Status AddRepeated(const Field& f, size_t index) {
    const bool list = f.kind() == Kind::kList;
    SchemaElement& outer = plan_->elements[index];
    outer.num_children = 1;
    Annotate(&outer, list ? ConvertedType::kList : ConvertedType::kMap,
             Annotation(list ? LKind::kList : LKind::kMap));
    SchemaElement group;
    group.name = list ? "list" : "key_value";
    group.repetition = Repetition::kRepeated;
    group.num_children = list ? 1 : 2;
    unnamed_.push_back(plan_->elements.size());
    plan_->elements.push_back(group);
    ++def_;
    ++rep_;
    steps_.back().rep_level = rep_;
    path_.push_back(group.name);
    Status st;
    if (list) {
      const Field& element = f.children[0];
      st = AddNode(element, "element", element.nullable || element.kind() == Kind::kNull,
                   element.field_id);
    } else {
      steps_.back().child = 0;
      st = AddNode(f.children[0], "key", false, f.children[0].field_id);
      if (st.ok()) {
        steps_.back().child = 1;
        const Field& value = f.children[1];
        st = AddNode(value, "value", value.nullable || value.kind() == Kind::kNull, value.field_id);
      }
    }
    path_.pop_back();
    --rep_;
    --def_;
    return st;
  }

  void AddLeaf(const Field& f, size_t index) {
    LeafPlan leaf;
    leaf.top = top_;
    leaf.steps = steps_;
    leaf.path = path_;
    leaf.element = index;
    leaf.max_def = def_;
    leaf.max_rep = rep_;
    LeafType(f, &plan_->elements[index], &leaf);
    plan_->leaves.push_back(std::move(leaf));
  }

  ParquetSchemaPlan* plan_;
  size_t top_ = 0;
  std::vector<LeafStep> steps_;
  std::vector<std::string> path_;
  int def_ = 0;
  int rep_ = 0;
  std::vector<size_t> unnamed_;  // repeated groups, which have no field id yet
};

}  // namespace

int32_t DecimalFixedBytes(int32_t precision) {
  // The fewest n with 2^(8n-1) >= 10^precision, i.e. (8n - 1) * log10(2)
  // >= precision (never equal: log10(2) is irrational).
  int32_t n = 1;
  while (static_cast<double>(8 * n - 1) * 0.30102999566398120 < precision) ++n;
  return n;
}

Result<std::unique_ptr<const ParquetSchemaPlan>> PlanParquetSchema(const Schema& schema,
                                                                   bool repeated_group_field_ids) {
  auto plan = std::make_unique<ParquetSchemaPlan>();
  plan->fields = schema.fields();
  AssignMissingFieldIds(&plan->fields);
  SchemaElement root;
  root.name = schema.name().empty() ? "schema" : schema.name();
  root.num_children = static_cast<int32_t>(plan->fields.size());
  plan->elements.push_back(root);
  Planner planner(plan.get());
  for (size_t i = 0; i < plan->fields.size(); ++i) LP_RETURN_IF_ERROR(planner.AddTop(i));
  if (repeated_group_field_ids) planner.AssignGroupIds();
  return std::unique_ptr<const ParquetSchemaPlan>(std::move(plan));
}

std::vector<SchemaElement> ToParquetSchema(const Schema& schema) {
  auto plan = PlanParquetSchema(schema);
  return plan.ok() ? (*plan)->elements : std::vector<SchemaElement>();
}

}  // namespace lakepipe::parquet

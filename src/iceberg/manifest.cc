#include "iceberg/manifest.h"

#include <cmath>

#include "formats/parquet/schema_to_parquet.h"
#include "iceberg/manifest_avro.h"
#include "iceberg/schema_json.h"

namespace lakepipe::iceberg {
namespace {

using avro_io::Value;
using Json = nlohmann::ordered_json;

// ---- Schemas (the table spec's v2 manifest and manifest list) ----

Json Required(std::string_view name, Json type, int32_t id) {
  return Json{{"name", name}, {"type", std::move(type)}, {"field-id", id}};
}

Json Optional(std::string_view name, Json type, int32_t id) {
  return Json{{"name", name},
              {"type", Json::array({"null", std::move(type)})},
              {"default", nullptr},
              {"field-id", id}};
}

// An int-keyed map as Java writes it: an array of k<key>_v<value> records.
Json IntMap(int32_t key_id, int32_t value_id, std::string_view value_type) {
  return Json{{"type", "array"},
              {"logicalType", "map"},
              {"items",
               {{"type", "record"},
                {"name", fmt::format("k{}_v{}", key_id, value_id)},
                {"fields", Json::array({Required("key", "int", key_id),
                                        Required("value", value_type, value_id)})}}}};
}

// The Avro type of a partition value of `field`'s type (Java's names).
Json AvroType(const Field& field) {
  switch (field.kind()) {
    case Kind::kBoolean:
      return "boolean";
    case Kind::kInt8:
    case Kind::kInt16:
    case Kind::kInt32:
    case Kind::kUInt8:
    case Kind::kUInt16:
      return "int";
    case Kind::kDate:
      return Json{{"type", "int"}, {"logicalType", "date"}};
    case Kind::kInt64:
    case Kind::kUInt32:
      return "long";
    case Kind::kTimeMillis:
    case Kind::kTimeMicros:
      return Json{{"type", "long"}, {"logicalType", "time-micros"}};
    case Kind::kTimestamp:
      return Json{
          {"type", "long"},
          {"logicalType", field.unit == TimeUnit::kNanos ? "timestamp-nanos" : "timestamp-micros"},
          {"adjust-to-utc", field.utc_adjusted}};
    case Kind::kFloat:
      return "float";
    case Kind::kDouble:
      return "double";
    case Kind::kBytes:
      return "bytes";
    case Kind::kFixed:
      return Json{{"type", "fixed"},
                  {"name", fmt::format("fixed_{}", field.fixed_size)},
                  {"size", field.fixed_size}};
    case Kind::kUuid:
      return Json{{"type", "fixed"}, {"name", "uuid_fixed"}, {"size", 16}, {"logicalType", "uuid"}};
    case Kind::kDecimal: {
      const int32_t size = parquet::DecimalFixedBytes(field.precision);
      return Json{{"type", "fixed"},
                  {"name", fmt::format("decimal_{}_{}", field.precision, field.scale)},
                  {"size", size},
                  {"logicalType", "decimal"},
                  {"precision", field.precision},
                  {"scale", field.scale}};
    }
    default:
      return "string";
  }
}

// A valid Avro name for `name`, as Java's AvroSchemaUtil.sanitize makes
// it: a leading digit gets "_", other characters outside [A-Za-z0-9_]
// become "_x" and their code point in upper-case hex.
std::string SanitizeName(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size();) {
    const auto c = static_cast<unsigned char>(name[i]);
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xF0) {
      cp = c & 0x07, len = 4;
    } else if (c >= 0xE0) {
      cp = c & 0x0F, len = 3;
    } else if (c >= 0xC0) {
      cp = c & 0x1F, len = 2;
    }
    for (size_t k = 1; k < len && i + k < name.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(name[i + k]) & 0x3F);
    }
    const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    const bool digit = c >= '0' && c <= '9';
    if (len == 1 && (alpha || (digit && i > 0))) {
      out.push_back(static_cast<char>(c));
    } else if (len == 1 && digit) {
      out += "_";
      out.push_back(static_cast<char>(c));
    } else {
      out += fmt::format("_x{:X}", cp);
    }
    i += len;
  }
  return out;
}

Json PartitionRecord(const std::vector<Field>& partition_type) {
  Json fields = Json::array();
  for (const Field& f : partition_type) {
    const std::string name = SanitizeName(f.name);
    Json field = Optional(name, AvroType(f), f.field_id.value_or(0));
    if (name != f.name) field["iceberg-field-name"] = f.name;
    fields.push_back(std::move(field));
  }
  return Json{{"type", "record"}, {"name", "r102"}, {"fields", std::move(fields)}};
}

Json DataFileRecord(const std::vector<Field>& partition_type) {
  Json fields = Json::array(
      {Required("content", "int", 134), Required("file_path", "string", 100),
       Required("file_format", "string", 101),
       Required("partition", PartitionRecord(partition_type), 102),
       Required("record_count", "long", 103), Required("file_size_in_bytes", "long", 104),
       Optional("column_sizes", IntMap(117, 118, "long"), 108),
       Optional("value_counts", IntMap(119, 120, "long"), 109),
       Optional("null_value_counts", IntMap(121, 122, "long"), 110),
       Optional("nan_value_counts", IntMap(138, 139, "long"), 137),
       Optional("lower_bounds", IntMap(126, 127, "bytes"), 125),
       Optional("upper_bounds", IntMap(129, 130, "bytes"), 128),
       Optional("key_metadata", "bytes", 131),
       Optional("split_offsets", Json{{"type", "array"}, {"items", "long"}, {"element-id", 133}},
                132),
       Optional("equality_ids", Json{{"type", "array"}, {"items", "int"}, {"element-id", 136}},
                135),
       Optional("sort_order_id", "int", 140)});
  return Json{{"type", "record"}, {"name", "r2"}, {"fields", std::move(fields)}};
}

Json ManifestEntrySchema(const std::vector<Field>& partition_type) {
  return Json{
      {"type", "record"},
      {"name", "manifest_entry"},
      {"fields", Json::array({Required("status", "int", 0), Optional("snapshot_id", "long", 1),
                              Optional("sequence_number", "long", 3),
                              Optional("file_sequence_number", "long", 4),
                              Required("data_file", DataFileRecord(partition_type), 2)})}};
}

Json ManifestListSchema() {
  Json summary = {{"type", "record"},
                  {"name", "r508"},
                  {"fields", Json::array({Required("contains_null", "boolean", 509),
                                          Optional("contains_nan", "boolean", 518),
                                          Optional("lower_bound", "bytes", 510),
                                          Optional("upper_bound", "bytes", 511)})}};
  return Json{
      {"type", "record"},
      {"name", "manifest_file"},
      {"fields",
       Json::array(
           {Required("manifest_path", "string", 500), Required("manifest_length", "long", 501),
            Required("partition_spec_id", "int", 502), Required("content", "int", 517),
            Required("sequence_number", "long", 515), Required("min_sequence_number", "long", 516),
            Required("added_snapshot_id", "long", 503), Required("added_files_count", "int", 504),
            Required("existing_files_count", "int", 505),
            Required("deleted_files_count", "int", 506), Required("added_rows_count", "long", 512),
            Required("existing_rows_count", "long", 513),
            Required("deleted_rows_count", "long", 514),
            Optional("partitions",
                     Json{{"type", "array"}, {"items", std::move(summary)}, {"element-id", 508}},
                     507),
            Optional("key_metadata", "bytes", 519)})}};
}

// ---- Values ----

Value FromDatum(const Datum& d) {
  return std::visit(
      [](const auto& v) -> Value {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return Value::Null();
        } else if constexpr (std::is_same_v<T, bool>) {
          return Value::Bool(v);
        } else if constexpr (std::is_same_v<T, int32_t> || std::is_same_v<T, int64_t>) {
          return Value::Long(v);
        } else if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
          return Value::Double(v);
        } else {
          return Value::Bytes(v);
        }
      },
      d);
}

// The primitive Avro type name under unions and logical types.
std::string BaseType(const nlohmann::ordered_json& type) {
  if (type.is_string()) return type.get<std::string>();
  if (type.is_array()) {
    for (const auto& branch : type) {
      if (!(branch.is_string() && branch == "null")) return BaseType(branch);
    }
    return "null";
  }
  if (type.is_object() && type.contains("type")) return BaseType(type["type"]);
  return "";
}

Datum ToDatum(const Value& v, const std::string& avro_type) {
  switch (v.kind) {
    case Value::Kind::kNull:
      return std::monostate{};
    case Value::Kind::kBool:
      return v.b;
    case Value::Kind::kLong:
      if (avro_type == "int") return static_cast<int32_t>(v.l);
      return v.l;
    case Value::Kind::kDouble:
      if (avro_type == "float") return static_cast<float>(v.d);
      return v.d;
    default:
      return v.s;
  }
}

Value IntMapValue(const std::map<int32_t, int64_t>& map) {
  if (map.empty()) return Value::Null();
  std::vector<Value> items;
  for (const auto& [k, v] : map) items.push_back(Value::Record({Value::Long(k), Value::Long(v)}));
  return Value::Array(std::move(items));
}

Value BytesMapValue(const std::map<int32_t, std::string>& map) {
  if (map.empty()) return Value::Null();
  std::vector<Value> items;
  for (const auto& [k, v] : map) items.push_back(Value::Record({Value::Long(k), Value::Bytes(v)}));
  return Value::Array(std::move(items));
}

Value LongsValue(const std::vector<int64_t>& longs) {
  if (longs.empty()) return Value::Null();
  std::vector<Value> items;
  for (int64_t v : longs) items.push_back(Value::Long(v));
  return Value::Array(std::move(items));
}

Value OptionalLong(const std::optional<int64_t>& v) { return v ? Value::Long(*v) : Value::Null(); }

Value DataFileValue(const DataFile& f) {
  std::vector<Value> partition;
  for (const Datum& d : f.partition) partition.push_back(FromDatum(d));
  return Value::Record({Value::Long(f.content), Value::Bytes(f.file_path),
                        Value::Bytes(f.file_format), Value::Record(std::move(partition)),
                        Value::Long(f.record_count), Value::Long(f.file_size_in_bytes),
                        IntMapValue(f.column_sizes), IntMapValue(f.value_counts),
                        IntMapValue(f.null_value_counts), IntMapValue(f.nan_value_counts),
                        BytesMapValue(f.lower_bounds), BytesMapValue(f.upper_bounds), Value::Null(),
                        LongsValue(f.split_offsets), Value::Null(),
                        f.sort_order_id ? Value::Long(*f.sort_order_id) : Value::Null()});
}

// ---- Reading ----

int64_t LongOr(const Value* v, int64_t fallback) {
  return v != nullptr && v->kind == Value::Kind::kLong ? v->l : fallback;
}

std::optional<int64_t> OptionalLongOf(const Value* v) {
  if (v == nullptr || v->kind != Value::Kind::kLong) return std::nullopt;
  return v->l;
}

std::string BytesOf(const Value* v) {
  return v != nullptr && v->kind == Value::Kind::kBytes ? v->s : std::string();
}

template <typename T>
void ReadMap(const Value* v, std::map<int32_t, T>* out) {
  if (v == nullptr || v->kind != Value::Kind::kArray) return;
  for (const Value& item : v->items) {
    // Java's k<id>_v<id> records and Avro maps both hold "key", "value".
    const Value* key = item.Named("key");
    const Value* value = item.Named("value");
    if (key == nullptr || value == nullptr || value->is_null()) continue;
    if constexpr (std::is_same_v<T, int64_t>) {
      (*out)[static_cast<int32_t>(key->l)] = value->l;
    } else {
      (*out)[static_cast<int32_t>(key->l)] = value->s;
    }
  }
}

// The Avro types of the partition record's fields in a manifest's schema.
std::vector<std::string> PartitionTypes(const nlohmann::ordered_json& schema) {
  std::vector<std::string> out;
  auto find = [](const nlohmann::ordered_json& record, int32_t id,
                 std::string_view name) -> const nlohmann::ordered_json* {
    if (!record.is_object() || !record.contains("fields")) return nullptr;
    for (const auto& f : record["fields"]) {
      if ((f.contains("field-id") && f["field-id"] == id) || f.value("name", "") == name) {
        return &f["type"];
      }
    }
    return nullptr;
  };
  const auto* data_file = find(schema, 2, "data_file");
  if (data_file == nullptr) return out;
  const auto* partition = find(*data_file, 102, "partition");
  if (partition == nullptr || !partition->is_object() || !partition->contains("fields")) return out;
  for (const auto& f : (*partition)["fields"]) out.push_back(BaseType(f["type"]));
  return out;
}

Result<DataFile> ReadDataFile(const Value& v, const std::vector<std::string>& partition_types,
                              std::string_view what) {
  DataFile f;
  f.content = static_cast<int32_t>(LongOr(v.Field(134, "content"), 0));
  const Value* path = v.Field(100, "file_path");
  if (path == nullptr || path->kind != Value::Kind::kBytes) {
    return CorruptionError("{}: a manifest entry without data_file.file_path", what);
  }
  f.file_path = path->s;
  f.file_format = BytesOf(v.Field(101, "file_format"));
  if (const Value* p = v.Field(102, "partition"); p != nullptr && p->kind == Value::Kind::kRecord) {
    for (size_t i = 0; i < p->items.size(); ++i) {
      f.partition.push_back(
          ToDatum(p->items[i], i < partition_types.size() ? partition_types[i] : std::string()));
    }
  }
  f.record_count = LongOr(v.Field(103, "record_count"), 0);
  f.file_size_in_bytes = LongOr(v.Field(104, "file_size_in_bytes"), 0);
  ReadMap(v.Field(108, "column_sizes"), &f.column_sizes);
  ReadMap(v.Field(109, "value_counts"), &f.value_counts);
  ReadMap(v.Field(110, "null_value_counts"), &f.null_value_counts);
  ReadMap(v.Field(137, "nan_value_counts"), &f.nan_value_counts);
  ReadMap(v.Field(125, "lower_bounds"), &f.lower_bounds);
  ReadMap(v.Field(128, "upper_bounds"), &f.upper_bounds);
  if (const Value* splits = v.Field(132, "split_offsets");
      splits != nullptr && splits->kind == Value::Kind::kArray) {
    for (const Value& item : splits->items) {
      if (item.kind == Value::Kind::kLong) f.split_offsets.push_back(item.l);
    }
  }
  if (auto id = OptionalLongOf(v.Field(140, "sort_order_id"))) {
    f.sort_order_id = static_cast<int32_t>(*id);
  }
  return f;
}

// ---- Partition summaries ----

bool IsNaN(const Datum& d) {
  if (const auto* f = std::get_if<float>(&d)) return std::isnan(*f);
  if (const auto* f = std::get_if<double>(&d)) return std::isnan(*f);
  return false;
}

// Whether a < b for two non-null Datums of one type.
bool Less(const Datum& a, const Datum& b) {
  if (a.index() != b.index()) return a.index() < b.index();
  return a < b;  // numbers numerically, bytes (UTF-8) lexicographically
}

}  // namespace

Result<std::string> WriteManifest(const ManifestContext& context,
                                  const std::vector<ManifestEntry>& entries) {
  if (context.schema == nullptr || context.spec == nullptr || context.schema->schema == nullptr) {
    return InvalidArgumentError("WriteManifest needs the table schema and partition spec");
  }
  LP_ASSIGN_OR_RETURN(std::vector<Field> partition_type,
                      context.spec->PartitionType(*context.schema->schema));
  std::vector<Value> records;
  for (const ManifestEntry& e : entries) {
    if (e.data_file.partition.size() != partition_type.size()) {
      return InvalidArgumentError("data file '{}' has {} partition values; spec {} has {} fields",
                                  e.data_file.file_path, e.data_file.partition.size(),
                                  context.spec->spec_id, partition_type.size());
    }
    std::optional<int64_t> snapshot_id = e.snapshot_id;
    if (!snapshot_id && e.status == EntryStatus::kAdded && context.snapshot_id != 0) {
      snapshot_id = context.snapshot_id;
    }
    records.push_back(
        Value::Record({Value::Long(static_cast<int32_t>(e.status)), OptionalLong(snapshot_id),
                       OptionalLong(e.sequence_number), OptionalLong(e.file_sequence_number),
                       DataFileValue(e.data_file)}));
  }
  LP_ASSIGN_OR_RETURN(nlohmann::json schema_json,
                      SchemaToJson(*context.schema->schema, context.schema->schema_id));
  nlohmann::json spec_fields = nlohmann::json::array();
  for (const PartitionField& f : context.spec->fields) {
    spec_fields.push_back({{"name", f.name},
                           {"transform", f.transform.ToString()},
                           {"source-id", f.source_id},
                           {"field-id", f.field_id}});
  }
  const std::map<std::string, std::string> metadata = {
      {"schema", schema_json.dump()},
      {"schema-id", std::to_string(context.schema->schema_id)},
      {"partition-spec", spec_fields.dump()},
      {"partition-spec-id", std::to_string(context.spec->spec_id)},
      {"format-version", "2"},
      {"content", "data"}};
  return avro_io::WriteContainer(ManifestEntrySchema(partition_type), metadata, records);
}

ManifestFile SummarizeManifest(const ManifestContext& context, std::string manifest_path,
                               int64_t manifest_length, int64_t sequence_number,
                               const std::vector<ManifestEntry>& entries) {
  ManifestFile m;
  m.manifest_path = std::move(manifest_path);
  m.manifest_length = manifest_length;
  m.partition_spec_id = context.spec != nullptr ? context.spec->spec_id : 0;
  m.content = 0;
  m.sequence_number = sequence_number;
  m.min_sequence_number = sequence_number;
  m.added_snapshot_id = context.snapshot_id;
  const size_t num_fields = context.spec != nullptr ? context.spec->fields.size() : 0;
  std::vector<std::optional<Datum>> lower(num_fields);
  std::vector<std::optional<Datum>> upper(num_fields);
  m.partitions.resize(num_fields);
  for (FieldSummary& s : m.partitions) s.contains_nan = false;
  for (const ManifestEntry& e : entries) {
    const int64_t rows = e.data_file.record_count;
    switch (e.status) {
      case EntryStatus::kAdded:
        ++m.added_files_count;
        m.added_rows_count += rows;
        break;
      case EntryStatus::kExisting:
        ++m.existing_files_count;
        m.existing_rows_count += rows;
        break;
      case EntryStatus::kDeleted:
        ++m.deleted_files_count;
        m.deleted_rows_count += rows;
        break;
    }
    if (e.status != EntryStatus::kDeleted && e.sequence_number) {
      m.min_sequence_number = std::min(m.min_sequence_number, *e.sequence_number);
    }
    for (size_t i = 0; i < num_fields && i < e.data_file.partition.size(); ++i) {
      const Datum& d = e.data_file.partition[i];
      if (std::holds_alternative<std::monostate>(d)) {
        m.partitions[i].contains_null = true;
      } else if (IsNaN(d)) {
        m.partitions[i].contains_nan = true;
      } else {
        if (!lower[i] || Less(d, *lower[i])) lower[i] = d;
        if (!upper[i] || Less(*upper[i], d)) upper[i] = d;
      }
    }
  }
  for (size_t i = 0; i < num_fields; ++i) {
    if (lower[i]) m.partitions[i].lower_bound = Serialize(*lower[i]);
    if (upper[i]) m.partitions[i].upper_bound = Serialize(*upper[i]);
  }
  return m;
}

Result<std::vector<ManifestEntry>> ReadManifest(std::string_view bytes,
                                                const ManifestFile& manifest) {
  LP_ASSIGN_OR_RETURN(avro_io::Container c, avro_io::ReadContainer(bytes, manifest.manifest_path));
  const std::vector<std::string> partition_types = PartitionTypes(c.schema);
  std::vector<ManifestEntry> out;
  for (const Value& record : c.records) {
    ManifestEntry e;
    e.status = static_cast<EntryStatus>(LongOr(record.Field(0, "status"), 1));
    e.snapshot_id = OptionalLongOf(record.Field(1, "snapshot_id"));
    if (!e.snapshot_id) e.snapshot_id = manifest.added_snapshot_id;
    e.sequence_number = OptionalLongOf(record.Field(3, "sequence_number"));
    e.file_sequence_number = OptionalLongOf(record.Field(4, "file_sequence_number"));
    // Inherited from the manifest list (v1 manifests have none: 0).
    if (!e.sequence_number) e.sequence_number = manifest.sequence_number;
    if (!e.file_sequence_number) e.file_sequence_number = manifest.sequence_number;
    const Value* data_file = record.Field(2, "data_file");
    if (data_file == nullptr || data_file->kind != Value::Kind::kRecord) {
      return CorruptionError("{}: a manifest entry without data_file", manifest.manifest_path);
    }
    LP_ASSIGN_OR_RETURN(e.data_file,
                        ReadDataFile(*data_file, partition_types, manifest.manifest_path));
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::string> WriteManifestList(int64_t snapshot_id,
                                      std::optional<int64_t> parent_snapshot_id,
                                      int64_t sequence_number,
                                      const std::vector<ManifestFile>& manifests) {
  std::vector<Value> records;
  for (const ManifestFile& m : manifests) {
    std::vector<Value> summaries;
    for (const FieldSummary& s : m.partitions) {
      summaries.push_back(Value::Record({Value::Bool(s.contains_null),
                                         s.contains_nan ? Value::Bool(*s.contains_nan) : Value(),
                                         s.lower_bound ? Value::Bytes(*s.lower_bound) : Value(),
                                         s.upper_bound ? Value::Bytes(*s.upper_bound) : Value()}));
    }
    records.push_back(Value::Record(
        {Value::Bytes(m.manifest_path), Value::Long(m.manifest_length),
         Value::Long(m.partition_spec_id), Value::Long(m.content), Value::Long(m.sequence_number),
         Value::Long(m.min_sequence_number), Value::Long(m.added_snapshot_id),
         Value::Long(m.added_files_count), Value::Long(m.existing_files_count),
         Value::Long(m.deleted_files_count), Value::Long(m.added_rows_count),
         Value::Long(m.existing_rows_count), Value::Long(m.deleted_rows_count),
         Value::Array(std::move(summaries)), Value()}));
  }
  const std::map<std::string, std::string> metadata = {
      {"snapshot-id", std::to_string(snapshot_id)},
      {"parent-snapshot-id",
       parent_snapshot_id ? std::to_string(*parent_snapshot_id) : std::string("null")},
      {"sequence-number", std::to_string(sequence_number)},
      {"format-version", "2"}};
  return avro_io::WriteContainer(ManifestListSchema(), metadata, records);
}

Result<std::vector<ManifestFile>> ReadManifestList(std::string_view bytes) {
  LP_ASSIGN_OR_RETURN(avro_io::Container c, avro_io::ReadContainer(bytes, "manifest list"));
  std::vector<ManifestFile> out;
  for (const Value& r : c.records) {
    ManifestFile m;
    const Value* path = r.Field(500, "manifest_path");
    if (path == nullptr || path->kind != Value::Kind::kBytes) {
      return CorruptionError("manifest list: an entry without manifest_path");
    }
    m.manifest_path = path->s;
    m.manifest_length = LongOr(r.Field(501, "manifest_length"), 0);
    m.partition_spec_id = static_cast<int32_t>(LongOr(r.Field(502, "partition_spec_id"), 0));
    m.content = static_cast<int32_t>(LongOr(r.Field(517, "content"), 0));
    m.sequence_number = LongOr(r.Field(515, "sequence_number"), 0);
    m.min_sequence_number = LongOr(r.Field(516, "min_sequence_number"), 0);
    m.added_snapshot_id = LongOr(r.Field(503, "added_snapshot_id"), 0);
    m.added_files_count = static_cast<int32_t>(LongOr(r.Field(504, "added_files_count"), 0));
    m.existing_files_count = static_cast<int32_t>(LongOr(r.Field(505, "existing_files_count"), 0));
    m.deleted_files_count = static_cast<int32_t>(LongOr(r.Field(506, "deleted_files_count"), 0));
    m.added_rows_count = LongOr(r.Field(512, "added_rows_count"), 0);
    m.existing_rows_count = LongOr(r.Field(513, "existing_rows_count"), 0);
    m.deleted_rows_count = LongOr(r.Field(514, "deleted_rows_count"), 0);
    if (const Value* parts = r.Field(507, "partitions");
        parts != nullptr && parts->kind == Value::Kind::kArray) {
      for (const Value& p : parts->items) {
        FieldSummary s;
        const Value* contains_null = p.Field(509, "contains_null");
        s.contains_null = contains_null != nullptr && contains_null->b;
        if (const Value* nan = p.Field(518, "contains_nan"); nan != nullptr && !nan->is_null()) {
          s.contains_nan = nan->b;
        }
        if (const Value* lo = p.Field(510, "lower_bound"); lo != nullptr && !lo->is_null()) {
          s.lower_bound = lo->s;
        }
        if (const Value* hi = p.Field(511, "upper_bound"); hi != nullptr && !hi->is_null()) {
          s.upper_bound = hi->s;
        }
        m.partitions.push_back(std::move(s));
      }
    }
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<ManifestEntry>> LiveEntries(const Snapshot& snapshot) {
  LP_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> list_file, OpenInputFile(snapshot.manifest_list));
  LP_ASSIGN_OR_RETURN(std::string list_bytes, ReadWholeFile(list_file.get()));
  LP_ASSIGN_OR_RETURN(std::vector<ManifestFile> manifests, ReadManifestList(list_bytes));
  std::vector<ManifestEntry> out;
  for (const ManifestFile& m : manifests) {
    LP_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> file, OpenInputFile(m.manifest_path));
    LP_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(file.get()));
    LP_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, ReadManifest(bytes, m));
    for (ManifestEntry& e : entries) {
      if (e.status != EntryStatus::kDeleted) out.push_back(std::move(e));
    }
  }
  return out;
}

}  // namespace lakepipe::iceberg

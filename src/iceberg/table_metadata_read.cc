// Reading table metadata JSON (v1 and v2) into TableMetadata. Errors name
// the key, as a path ("snapshots[2].manifest-list").
#include <fmt/format.h>

#include "iceberg/schema_json.h"
#include "iceberg/table_metadata.h"

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

Status Bad(std::string_view path, std::string_view what) {
  return InvalidArgumentError("table metadata: '{}' {}", path, what);
}

std::string Path(std::string_view parent, std::string_view key) {
  return parent.empty() ? std::string(key) : fmt::format("{}.{}", parent, key);
}

Result<const json*> Require(const json& obj, std::string_view key, std::string_view parent) {
  auto it = obj.find(key);
  if (it == obj.end()) return Bad(Path(parent, key), "is missing");
  return &*it;
}

Result<int64_t> AsInt(const json& v, std::string_view path) {
  if (!v.is_number_integer()) return Bad(path, fmt::format("is not an integer: {}", v.dump()));
  if (v.is_number_unsigned() && v.get<uint64_t>() > uint64_t{INT64_MAX}) {
    return Bad(path, "is beyond a long");
  }
  return v.get<int64_t>();
}

Result<int32_t> AsInt32(const json& v, std::string_view path) {
  LP_ASSIGN_OR_RETURN(int64_t n, AsInt(v, path));
  if (n < INT32_MIN || n > INT32_MAX) return Bad(path, "is beyond an int");
  return static_cast<int32_t>(n);
}

Result<int64_t> GetInt(const json& obj, std::string_view key, std::string_view parent) {
  LP_ASSIGN_OR_RETURN(const json* v, Require(obj, key, parent));
  return AsInt(*v, Path(parent, key));
}

Result<int32_t> GetInt32(const json& obj, std::string_view key, std::string_view parent) {
  LP_ASSIGN_OR_RETURN(const json* v, Require(obj, key, parent));
  return AsInt32(*v, Path(parent, key));
}

// Absent or null: nullopt.
Result<std::optional<int64_t>> GetOptInt(const json& obj, std::string_view key,
                                         std::string_view parent) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<int64_t>();
  LP_ASSIGN_OR_RETURN(int64_t n, AsInt(*it, Path(parent, key)));
  return std::optional<int64_t>(n);
}

Result<std::string> GetString(const json& obj, std::string_view key, std::string_view parent) {
  LP_ASSIGN_OR_RETURN(const json* v, Require(obj, key, parent));
  if (!v->is_string()) return Bad(Path(parent, key), "is not a string");
  return v->get<std::string>();
}

Result<std::map<std::string, std::string>> GetStringMap(const json& obj, std::string_view key,
                                                        std::string_view parent) {
  std::map<std::string, std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_object()) return Bad(Path(parent, key), "is not an object");
  for (const auto& [k, v] : it->items()) {
    if (!v.is_string()) return Bad(Path(Path(parent, key), k), "is not a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

// The array at `key`; an absent or null key is an empty array.
Result<const json*> GetArray(const json& obj, std::string_view key, std::string_view parent) {
  static const json kEmpty = json::array();
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return &kEmpty;
  if (!it->is_array()) return Bad(Path(parent, key), "is not an array");
  return &*it;
}

// The keys of `obj` not in `known`.
json Unmodelled(const json& obj, std::initializer_list<std::string_view> known) {
  json out = json::object();
  for (const auto& [k, v] : obj.items()) {
    if (std::find(known.begin(), known.end(), k) == known.end()) out[k] = v;
  }
  return out;
}

Result<TableSchema> ReadSchema(const json& j, std::string_view path) {
  if (!j.is_object()) return Bad(path, "is not a schema object");
  TableSchema out;
  LP_ASSIGN_OR_RETURN(std::optional<int64_t> id, GetOptInt(j, "schema-id", path));
  out.schema_id = static_cast<int32_t>(id.value_or(0));
  auto schema = SchemaFromJson(j);
  if (!schema.ok()) return schema.status().WithContext(fmt::format("table metadata: '{}'", path));
  out.schema = std::make_shared<const Schema>(std::move(*schema));
  LP_ASSIGN_OR_RETURN(const json* ids, GetArray(j, "identifier-field-ids", path));
  for (const json& v : *ids) {
    LP_ASSIGN_OR_RETURN(int32_t n, AsInt32(v, Path(path, "identifier-field-ids")));
    out.identifier_field_ids.push_back(n);
  }
  return out;
}

Result<PartitionField> ReadPartitionField(const json& j, std::string_view path,
                                          int32_t fallback_id) {
  if (!j.is_object()) return Bad(path, "is not a partition field object");
  PartitionField f;
  LP_ASSIGN_OR_RETURN(f.source_id, GetInt32(j, "source-id", path));
  LP_ASSIGN_OR_RETURN(std::optional<int64_t> id, GetOptInt(j, "field-id", path));
  f.field_id = id ? static_cast<int32_t>(*id) : fallback_id;  // v1 may omit it
  LP_ASSIGN_OR_RETURN(f.name, GetString(j, "name", path));
  LP_ASSIGN_OR_RETURN(std::string transform, GetString(j, "transform", path));
  auto t = Transform::Parse(transform);
  if (!t.ok()) return t.status().WithContext(fmt::format("table metadata: '{}.transform'", path));
  f.transform = *t;
  return f;
}

Result<PartitionSpec> ReadSpecFields(const json& fields, std::string_view path, int32_t spec_id) {
  if (!fields.is_array()) return Bad(path, "is not an array of partition fields");
  PartitionSpec spec;
  spec.spec_id = spec_id;
  for (size_t i = 0; i < fields.size(); ++i) {
    LP_ASSIGN_OR_RETURN(PartitionField f,
                        ReadPartitionField(fields[i], fmt::format("{}[{}]", path, i),
                                           1000 + static_cast<int32_t>(i)));
    spec.fields.push_back(std::move(f));
  }
  return spec;
}

Result<PartitionSpec> ReadSpec(const json& j, std::string_view path) {
  if (!j.is_object()) return Bad(path, "is not a partition spec object");
  LP_ASSIGN_OR_RETURN(int32_t id, GetInt32(j, "spec-id", path));
  LP_ASSIGN_OR_RETURN(const json* fields, Require(j, "fields", path));
  return ReadSpecFields(*fields, Path(path, "fields"), id);
}

Result<Snapshot> ReadSnapshot(const json& j, std::string_view path) {
  if (!j.is_object()) return Bad(path, "is not a snapshot object");
  Snapshot s;
  LP_ASSIGN_OR_RETURN(s.snapshot_id, GetInt(j, "snapshot-id", path));
  LP_ASSIGN_OR_RETURN(s.parent_snapshot_id, GetOptInt(j, "parent-snapshot-id", path));
  LP_ASSIGN_OR_RETURN(std::optional<int64_t> seq, GetOptInt(j, "sequence-number", path));
  s.sequence_number = seq.value_or(0);  // v1: 0
  LP_ASSIGN_OR_RETURN(s.timestamp_ms, GetInt(j, "timestamp-ms", path));
  if (!j.contains("manifest-list") && j.contains("manifests")) {
    return UnimplementedError(
        "table metadata: '{}' lists its manifests inline (v1 'manifests'); rewrite the table "
        "with an engine that writes manifest lists",
        path);
  }
  LP_ASSIGN_OR_RETURN(s.manifest_list, GetString(j, "manifest-list", path));
  LP_ASSIGN_OR_RETURN(s.summary, GetStringMap(j, "summary", path));
  LP_ASSIGN_OR_RETURN(std::optional<int64_t> schema_id, GetOptInt(j, "schema-id", path));
  if (schema_id) s.schema_id = static_cast<int32_t>(*schema_id);
  s.extra = Unmodelled(j, {"snapshot-id", "parent-snapshot-id", "sequence-number", "timestamp-ms",
                           "manifest-list", "summary", "schema-id"});
  return s;
}

Result<std::vector<LogEntry>> ReadLog(const json& doc, std::string_view key) {
  std::vector<LogEntry> out;
  LP_ASSIGN_OR_RETURN(const json* list, GetArray(doc, key, ""));
  for (size_t i = 0; i < list->size(); ++i) {
    const json& e = (*list)[i];
    std::string path = fmt::format("{}[{}]", key, i);
    if (!e.is_object()) return Bad(path, "is not an object");
    LogEntry entry;
    LP_ASSIGN_OR_RETURN(entry.timestamp_ms, GetInt(e, "timestamp-ms", path));
    if (key == "snapshot-log") {
      LP_ASSIGN_OR_RETURN(entry.snapshot_id, GetInt(e, "snapshot-id", path));
    } else {
      LP_ASSIGN_OR_RETURN(entry.metadata_file, GetString(e, "metadata-file", path));
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Result<std::map<std::string, SnapshotRef>> ReadRefs(const json& doc) {
  std::map<std::string, SnapshotRef> out;
  auto it = doc.find("refs");
  if (it == doc.end() || it->is_null()) return out;
  if (!it->is_object()) return Bad("refs", "is not an object");
  for (const auto& [name, r] : it->items()) {
    std::string path = "refs." + name;
    if (!r.is_object()) return Bad(path, "is not an object");
    SnapshotRef ref;
    LP_ASSIGN_OR_RETURN(ref.snapshot_id, GetInt(r, "snapshot-id", path));
    LP_ASSIGN_OR_RETURN(ref.type, GetString(r, "type", path));
    if (ref.type != "branch" && ref.type != "tag") return Bad(path + ".type", "is not branch|tag");
    ref.extra = Unmodelled(r, {"snapshot-id", "type"});
    out[name] = std::move(ref);
  }
  return out;
}

Status ReadSchemas(const json& doc, TableMetadata* m) {
  if (doc.contains("schemas")) {
    LP_ASSIGN_OR_RETURN(const json* list, GetArray(doc, "schemas", ""));
    for (size_t i = 0; i < list->size(); ++i) {
      LP_ASSIGN_OR_RETURN(TableSchema s, ReadSchema((*list)[i], fmt::format("schemas[{}]", i)));
      m->schemas.push_back(std::move(s));
    }
    LP_ASSIGN_OR_RETURN(m->current_schema_id, GetInt32(doc, "current-schema-id", ""));
  } else {  // v1: one "schema"
    LP_ASSIGN_OR_RETURN(const json* schema, Require(doc, "schema", ""));
    LP_ASSIGN_OR_RETURN(TableSchema s, ReadSchema(*schema, "schema"));
    m->current_schema_id = s.schema_id;
    m->schemas.push_back(std::move(s));
  }
  if (m->CurrentSchema() == nullptr) {
    return Bad("current-schema-id", fmt::format("{} names no schema", m->current_schema_id));
  }
  return Status::OK();
}

Status ReadSpecs(const json& doc, TableMetadata* m) {
  if (doc.contains("partition-specs")) {
    LP_ASSIGN_OR_RETURN(const json* list, GetArray(doc, "partition-specs", ""));
    for (size_t i = 0; i < list->size(); ++i) {
      LP_ASSIGN_OR_RETURN(PartitionSpec s,
                          ReadSpec((*list)[i], fmt::format("partition-specs[{}]", i)));
      m->partition_specs.push_back(std::move(s));
    }
    LP_ASSIGN_OR_RETURN(m->default_spec_id, GetInt32(doc, "default-spec-id", ""));
  } else {  // v1: the fields of spec 0 as "partition-spec"
    LP_ASSIGN_OR_RETURN(const json* fields, Require(doc, "partition-spec", ""));
    LP_ASSIGN_OR_RETURN(PartitionSpec s, ReadSpecFields(*fields, "partition-spec", 0));
    m->default_spec_id = 0;
    m->partition_specs.push_back(std::move(s));
  }
  if (m->DefaultSpec() == nullptr) {
    return Bad("default-spec-id", fmt::format("{} names no partition spec", m->default_spec_id));
  }
  int32_t max_id = 999;
  for (const PartitionSpec& s : m->partition_specs) {
    for (const PartitionField& f : s.fields) max_id = std::max(max_id, f.field_id);
  }
  LP_ASSIGN_OR_RETURN(std::optional<int64_t> last, GetOptInt(doc, "last-partition-id", ""));
  m->last_partition_id = last ? static_cast<int32_t>(*last) : max_id;
  return Status::OK();
}

Status ReadSnapshots(const json& doc, TableMetadata* m) {
  LP_ASSIGN_OR_RETURN(const json* list, GetArray(doc, "snapshots", ""));
  for (size_t i = 0; i < list->size(); ++i) {
    LP_ASSIGN_OR_RETURN(Snapshot s, ReadSnapshot((*list)[i], fmt::format("snapshots[{}]", i)));
    m->snapshots.push_back(std::move(s));
  }
  LP_ASSIGN_OR_RETURN(std::optional<int64_t> current, GetOptInt(doc, "current-snapshot-id", ""));
  if (current && *current != -1) m->current_snapshot_id = current;
  if (m->current_snapshot_id && m->CurrentSnapshot() == nullptr) {
    return Bad("current-snapshot-id", fmt::format("{} names no snapshot", *m->current_snapshot_id));
  }
  LP_ASSIGN_OR_RETURN(m->refs, ReadRefs(doc));
  if (m->current_snapshot_id && !m->refs.contains("main")) {  // written before refs existed
    m->refs["main"] = SnapshotRef{*m->current_snapshot_id, "branch"};
  }
  LP_ASSIGN_OR_RETURN(m->snapshot_log, ReadLog(doc, "snapshot-log"));
  LP_ASSIGN_OR_RETURN(m->metadata_log, ReadLog(doc, "metadata-log"));
  return Status::OK();
}

Status ReadHeader(const json& doc, TableMetadata* m) {
  LP_ASSIGN_OR_RETURN(m->format_version, GetInt32(doc, "format-version", ""));
  if (m->format_version != 1 && m->format_version != 2) {
    return UnimplementedError(
        "table metadata: 'format-version' is {}; lakepipe reads and writes format 1 and 2 tables",
        m->format_version);
  }
  if (doc.contains("table-uuid") || m->format_version >= 2) {
    LP_ASSIGN_OR_RETURN(m->table_uuid, GetString(doc, "table-uuid", ""));
  }
  LP_ASSIGN_OR_RETURN(m->location, GetString(doc, "location", ""));
  while (m->location.size() > 1 && m->location.back() == '/') m->location.pop_back();
  LP_ASSIGN_OR_RETURN(std::optional<int64_t> seq, GetOptInt(doc, "last-sequence-number", ""));
  if (!seq && m->format_version >= 2) return Bad("last-sequence-number", "is missing");
  m->last_sequence_number = seq.value_or(0);
  LP_ASSIGN_OR_RETURN(m->last_updated_ms, GetInt(doc, "last-updated-ms", ""));
  LP_ASSIGN_OR_RETURN(m->last_column_id, GetInt32(doc, "last-column-id", ""));
  LP_ASSIGN_OR_RETURN(m->properties, GetStringMap(doc, "properties", ""));
  return Status::OK();
}

Status ReadSortOrders(const json& doc, TableMetadata* m) {
  auto it = doc.find("sort-orders");
  if (it != doc.end() && !it->is_null()) {
    if (!it->is_array()) return Bad("sort-orders", "is not an array");
    m->sort_orders = *it;
  } else {
    m->sort_orders = json::array({{{"order-id", 0}, {"fields", json::array()}}});
  }
  LP_ASSIGN_OR_RETURN(std::optional<int64_t> id, GetOptInt(doc, "default-sort-order-id", ""));
  m->default_sort_order_id = static_cast<int32_t>(id.value_or(0));
  return Status::OK();
}

}  // namespace

Result<TableMetadata> TableMetadata::FromJson(const json& doc) {
  if (!doc.is_object()) return InvalidArgumentError("table metadata is not a JSON object");
  TableMetadata m;
  LP_RETURN_IF_ERROR(ReadHeader(doc, &m));
  LP_RETURN_IF_ERROR(ReadSchemas(doc, &m));
  LP_RETURN_IF_ERROR(ReadSpecs(doc, &m));
  LP_RETURN_IF_ERROR(ReadSnapshots(doc, &m));
  LP_RETURN_IF_ERROR(ReadSortOrders(doc, &m));
  m.extra = Unmodelled(doc, {"format-version",
                             "table-uuid",
                             "location",
                             "last-sequence-number",
                             "last-updated-ms",
                             "last-column-id",
                             "schemas",
                             "schema",
                             "current-schema-id",
                             "partition-specs",
                             "partition-spec",
                             "default-spec-id",
                             "last-partition-id",
                             "properties",
                             "current-snapshot-id",
                             "snapshots",
                             "snapshot-log",
                             "metadata-log",
                             "sort-orders",
                             "default-sort-order-id",
                             "refs"});
  return m;
}

Result<TableMetadata> TableMetadata::Parse(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return InvalidArgumentError("table metadata is not valid JSON ({} bytes, starting '{}')",
                                text.size(), text.substr(0, 40));
  }
  return FromJson(doc);
}

}  // namespace lakepipe::iceberg

// Writing table metadata as format v2 JSON; new tables; lookups; ids.
#include "iceberg/table_metadata.h"

#include <chrono>
#include <random>
#include <set>

#include <fmt/format.h>

#include "iceberg/schema_json.h"

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng = [] {
    std::random_device rd;
    std::seed_seq seed{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seed);
  }();
  return rng;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Keys of `extra` that the modelled ones do not already hold.
void MergeExtra(const json& extra, json* out) {
  for (const auto& [k, v] : extra.items()) {
    if (!out->contains(k)) (*out)[k] = v;
  }
}

json SchemaJson(const TableSchema& ts) {
  auto j = SchemaToJson(*ts.schema, ts.schema_id);
  // Schemas come from FromJson (read from this JSON) or New (checked
  // there), so writing them back cannot fail.
  json out = j.ok() ? std::move(*j) : json{{"type", "struct"}, {"fields", json::array()}};
  out["schema-id"] = ts.schema_id;
  if (!ts.identifier_field_ids.empty()) out["identifier-field-ids"] = ts.identifier_field_ids;
  return out;
}

json SpecJson(const PartitionSpec& spec) {
  json fields = json::array();
  for (const PartitionField& f : spec.fields) {
    fields.push_back({{"source-id", f.source_id},
                      {"field-id", f.field_id},
                      {"name", f.name},
                      {"transform", f.transform.ToString()}});
  }
  return {{"spec-id", spec.spec_id}, {"fields", std::move(fields)}};
}

json SnapshotJson(const Snapshot& s) {
  json out = {{"snapshot-id", s.snapshot_id},
              {"sequence-number", s.sequence_number},
              {"timestamp-ms", s.timestamp_ms},
              {"manifest-list", s.manifest_list},
              {"summary", s.summary}};
  if (s.parent_snapshot_id) out["parent-snapshot-id"] = *s.parent_snapshot_id;
  if (s.schema_id) out["schema-id"] = *s.schema_id;
  if (!out["summary"].contains("operation")) out["summary"]["operation"] = "append";
  MergeExtra(s.extra, &out);
  return out;
}

json RefsJson(const TableMetadata& m) {
  json out = json::object();
  for (const auto& [name, ref] : m.refs) {
    if (name == "main") continue;
    json r = {{"snapshot-id", ref.snapshot_id}, {"type", ref.type}};
    MergeExtra(ref.extra, &r);
    out[name] = std::move(r);
  }
  if (m.current_snapshot_id) {  // main follows current-snapshot-id
    json r = {{"snapshot-id", *m.current_snapshot_id}, {"type", "branch"}};
    auto it = m.refs.find("main");
    if (it != m.refs.end()) MergeExtra(it->second.extra, &r);
    out["main"] = std::move(r);
  }
  return out;
}

json LogJson(const std::vector<LogEntry>& log, bool snapshots) {
  json out = json::array();
  for (const LogEntry& e : log) {
    if (snapshots) {
      out.push_back({{"timestamp-ms", e.timestamp_ms}, {"snapshot-id", e.snapshot_id}});
    } else {
      out.push_back({{"timestamp-ms", e.timestamp_ms}, {"metadata-file", e.metadata_file}});
    }
  }
  return out;
}

}  // namespace

json TableMetadata::ToJson() const {
  json schemas_json = json::array();
  for (const TableSchema& s : schemas) schemas_json.push_back(SchemaJson(s));
  json specs_json = json::array();
  for (const PartitionSpec& s : partition_specs) specs_json.push_back(SpecJson(s));
  json snapshots_json = json::array();
  for (const Snapshot& s : snapshots) snapshots_json.push_back(SnapshotJson(s));
  json out = {
      {"format-version", 2},
      {"table-uuid", table_uuid},
      {"location", location},
      {"last-sequence-number", last_sequence_number},
      {"last-updated-ms", last_updated_ms},
      {"last-column-id", last_column_id},
      {"schemas", std::move(schemas_json)},
      {"current-schema-id", current_schema_id},
      {"partition-specs", std::move(specs_json)},
      {"default-spec-id", default_spec_id},
      {"last-partition-id", last_partition_id},
      {"properties", properties},
      // -1 for "none", as Java writes it (the spec lets readers take -1 as null).
      {"current-snapshot-id", current_snapshot_id.value_or(-1)},
      {"snapshots", std::move(snapshots_json)},
      {"snapshot-log", LogJson(snapshot_log, true)},
      {"metadata-log", LogJson(metadata_log, false)},
      {"sort-orders", sort_orders},
      {"default-sort-order-id", default_sort_order_id},
      {"refs", RefsJson(*this)},
  };
  MergeExtra(extra, &out);
  return out;
}

std::string TableMetadata::ToText() const { return ToJson().dump(2); }

Result<TableMetadata> TableMetadata::New(std::string location, const Schema& schema,
                                         PartitionSpec spec,
                                         std::map<std::string, std::string> properties) {
  while (location.size() > 1 && location.back() == '/') location.pop_back();
  if (location.empty()) return InvalidArgumentError("a new table needs a location");
  std::vector<Field> fields = WithFieldIds(schema);
  auto with_ids = std::make_shared<const Schema>(schema.name(), fields, schema.name_space());
  LP_RETURN_IF_ERROR(SchemaToJson(*with_ids, 0).status());
  LP_RETURN_IF_ERROR(spec.PartitionType(*with_ids).status());
  TableMetadata m;
  m.table_uuid = NewUuid();
  m.location = std::move(location);
  m.last_updated_ms = NowMs();
  m.last_column_id = MaxFieldId(fields);
  m.schemas.push_back(TableSchema{0, std::move(with_ids), {}});
  m.current_schema_id = 0;
  spec.spec_id = 0;
  for (const PartitionField& f : spec.fields) {
    m.last_partition_id = std::max(m.last_partition_id, f.field_id);
  }
  m.partition_specs.push_back(std::move(spec));
  m.default_spec_id = 0;
  m.properties = std::move(properties);
  m.sort_orders = json::array({{{"order-id", 0}, {"fields", json::array()}}});
  m.default_sort_order_id = 0;
  return m;
}

const TableSchema* TableMetadata::CurrentSchema() const {
  for (const TableSchema& s : schemas) {
    if (s.schema_id == current_schema_id) return &s;
  }
  return nullptr;
}

const PartitionSpec* TableMetadata::DefaultSpec() const {
  for (const PartitionSpec& s : partition_specs) {
    if (s.spec_id == default_spec_id) return &s;
  }
  return nullptr;
}

const Snapshot* TableMetadata::CurrentSnapshot() const {
  return current_snapshot_id ? FindSnapshot(*current_snapshot_id) : nullptr;
}

const Snapshot* TableMetadata::FindSnapshot(int64_t id) const {
  for (const Snapshot& s : snapshots) {
    if (s.snapshot_id == id) return &s;
  }
  return nullptr;
}

std::vector<const Snapshot*> TableMetadata::Ancestry() const {
  std::vector<const Snapshot*> out;
  std::set<int64_t> seen;
  for (const Snapshot* s = CurrentSnapshot(); s != nullptr && seen.insert(s->snapshot_id).second;
       s = s->parent_snapshot_id ? FindSnapshot(*s->parent_snapshot_id) : nullptr) {
    out.push_back(s);
  }
  return out;
}

void AddPreviousMetadataFile(TableMetadata* updated, int64_t base_last_updated_ms,
                             std::string base_location) {
  size_t keep = 100;  // write.metadata.previous-versions-max, as Java defaults it
  auto it = updated->properties.find("write.metadata.previous-versions-max");
  if (it != updated->properties.end()) {
    try {
      keep = static_cast<size_t>(std::max(1L, std::stol(it->second)));
    } catch (const std::exception&) {  // an unreadable value keeps the default
    }
  }
  updated->metadata_log.push_back(LogEntry{base_last_updated_ms, 0, std::move(base_location)});
  if (updated->metadata_log.size() > keep) {
    updated->metadata_log.erase(updated->metadata_log.begin(),
                                updated->metadata_log.end() - static_cast<ptrdiff_t>(keep));
  }
}

int64_t NewSnapshotId(const TableMetadata& metadata) {
  std::uniform_int_distribution<int64_t> dist(1, (int64_t{1} << 53) - 1);
  for (;;) {
    int64_t id = dist(Rng());
    if (metadata.FindSnapshot(id) == nullptr) return id;
  }
}

std::string NewUuid() {
  uint64_t hi = Rng()();
  uint64_t lo = Rng()();
  hi = (hi & ~uint64_t{0xF000}) | 0x4000;                      // version 4
  lo = (lo & ~(uint64_t{0xC} << 60)) | (uint64_t{0x8} << 60);  // variant 10
  return fmt::format("{:08x}-{:04x}-{:04x}-{:04x}-{:012x}", hi >> 32, (hi >> 16) & 0xFFFF,
                     hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}

}  // namespace lakepipe::iceberg

// `lakepipe table show` and `history` (see table_report.h).
#include "iceberg/table_report.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "core/time_util.h"
#include "core/units.h"
#include "iceberg/file_catalog.h"
#include "iceberg/kafka_ranges.h"
#include "iceberg/manifest.h"
#include "iceberg/schema_json.h"

namespace lakepipe::iceberg {
namespace {

using Json = nlohmann::ordered_json;

// A summary counter as a number; null when absent or not a number.
Json Counter(const std::map<std::string, std::string>& summary, const std::string& key) {
  auto it = summary.find(key);
  if (it == summary.end()) return nullptr;
  try {
    size_t used = 0;
    const long long value = std::stoll(it->second, &used);
    if (used == it->second.size()) return value;
  } catch (const std::exception&) {  // not a number: shown as absent
  }
  return nullptr;
}

Json RangesJson(const KafkaCommit& commit) {
  Json ranges = Json::array();
  for (const auto& [tp, range] : commit.ranges) {
    ranges.push_back({{"topic", tp.first},
                      {"partition", tp.second},
                      {"start", range.start},
                      {"end", range.end}});
  }
  return ranges;
}

Result<Json> SnapshotJson(const Snapshot& s, bool current_ancestor) {
  Json j;
  j["snapshot_id"] = s.snapshot_id;
  j["parent_snapshot_id"] = s.parent_snapshot_id ? Json(*s.parent_snapshot_id) : Json(nullptr);
  j["sequence_number"] = s.sequence_number;
  j["timestamp_ms"] = s.timestamp_ms;
  j["time"] = FormatTimestampMillis(s.timestamp_ms);
  auto op = s.summary.find("operation");
  j["operation"] = op == s.summary.end() ? "" : op->second;
  for (const char* key : {"added-data-files", "added-records", "added-files-size",
                          "total-data-files", "total-records", "total-files-size"}) {
    std::string name = key;
    std::replace(name.begin(), name.end(), '-', '_');
    j[name] = Counter(s.summary, key);
  }
  j["current_ancestor"] = current_ancestor;
  j["manifest_list"] = s.manifest_list;
  auto commit = FromSummary(s.summary);
  if (!commit.ok()) return commit.status().WithContext(fmt::format("snapshot {}", s.snapshot_id));
  if (commit->has_value()) {
    const KafkaCommit& c = **commit;
    j["kafka"] = {{"group", c.group}, {"commit_id", c.commit_id}, {"ranges", RangesJson(c)}};
  } else {
    j["kafka"] = nullptr;
  }
  return j;
}

// A partition value as JSON: dates as text, strings as text, other bytes
// (binary, fixed, uuid, decimal) as hex.
Json DatumJson(const Datum& value, const Field& type) {
  const Kind kind = type.full_kind.value_or(type.kind());
  if (std::holds_alternative<std::monostate>(value)) return nullptr;
  if (const auto* b = std::get_if<bool>(&value)) return *b;
  if (const auto* i = std::get_if<int32_t>(&value)) {
    return kind == Kind::kDate ? Json(FormatDate(*i)) : Json(*i);
  }
  if (const auto* l = std::get_if<int64_t>(&value)) return *l;
  if (const auto* f = std::get_if<float>(&value)) return *f;
  if (const auto* d = std::get_if<double>(&value)) return *d;
  const std::string& bytes = std::get<std::string>(value);
  if (kind == Kind::kString) return bytes;
  std::string hex = "0x";
  for (unsigned char c : bytes) hex += fmt::format("{:02x}", c);
  return hex;
}

// The dotted name of the field with id `id` among `fields`; "" when none.
std::string FieldName(const std::vector<Field>& fields, int32_t id, const std::string& prefix) {
  for (const Field& f : fields) {
    if (f.field_id == id) return prefix + f.name;
    std::string inner = FieldName(f.children, id, prefix + f.name + ".");
    if (!inner.empty()) return inner;
  }
  return "";
}

Result<Json> PartitionSpecJson(const TableMetadata& table) {
  const PartitionSpec* spec = table.DefaultSpec();
  const TableSchema* schema = table.CurrentSchema();
  Json j = {{"spec_id", spec ? spec->spec_id : 0}, {"fields", Json::array()}};
  if (spec == nullptr || schema == nullptr) return j;
  for (const PartitionField& f : spec->fields) {
    const std::string source = FieldName(schema->schema->fields(), f.source_id, "");
    j["fields"].push_back({{"name", f.name},
                           {"field_id", f.field_id},
                           {"source_id", f.source_id},
                           {"source", source},
                           {"transform", f.transform.ToString()}});
  }
  return j;
}

Result<Json> DataFilesJson(const TableMetadata& table) {
  Json files = Json::array();
  const Snapshot* current = table.CurrentSnapshot();
  if (current == nullptr) return files;
  std::vector<Field> partition_type;
  const PartitionSpec* spec = table.DefaultSpec();
  if (spec != nullptr && table.CurrentSchema() != nullptr) {
    LP_ASSIGN_OR_RETURN(partition_type, spec->PartitionType(*table.CurrentSchema()->schema));
  }
  LP_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, LiveEntries(*current));
  for (const ManifestEntry& e : entries) {
    const DataFile& f = e.data_file;
    Json partition = Json::object();
    for (size_t i = 0; i < f.partition.size(); ++i) {
      const std::string name =
          i < partition_type.size() ? partition_type[i].name : fmt::format("field_{}", i);
      partition[name] =
          i < partition_type.size() ? DatumJson(f.partition[i], partition_type[i]) : Json(nullptr);
    }
    files.push_back({{"path", f.file_path},
                     {"format", f.file_format},
                     {"content", f.content},
                     {"records", f.record_count},
                     {"size", f.file_size_in_bytes},
                     {"partition", partition}});
  }
  return files;
}

// Where each group resumes: group, topic, partition, offset.
Result<Json> KafkaOffsetsJson(const TableMetadata& table) {
  std::vector<std::string> groups;
  for (const Snapshot* s : table.Ancestry()) {
    auto group = s->summary.find("lakepipe.kafka.group");
    if (group == s->summary.end()) continue;
    if (std::find(groups.begin(), groups.end(), group->second) == groups.end()) {
      groups.push_back(group->second);
    }
  }
  std::sort(groups.begin(), groups.end());
  Json offsets = Json::array();
  for (const std::string& group : groups) {
    LP_ASSIGN_OR_RETURN(auto committed, CommittedOffsets(table, group));
    for (const auto& [tp, offset] : committed) {
      offsets.push_back(
          {{"group", group}, {"topic", tp.first}, {"partition", tp.second}, {"offset", offset}});
    }
  }
  return offsets;
}

bool LooksLikeLocation(std::string_view ref) {
  return ref.find('/') != std::string_view::npos || ref.find("://") != std::string_view::npos;
}

}  // namespace

Result<LoadedTable> OpenTableRef(std::string_view ref, const CatalogOptions& options) {
  if (LooksLikeLocation(ref)) {
    std::string location(ref);
    while (location.size() > 1 && location.back() == '/') location.pop_back();
    auto table = LoadTableAt(location);
    if (!table.ok()) return table.status().WithContext(fmt::format("table at {}", location));
    return table;
  }
  if (ref.find('.') == std::string_view::npos) {
    return InvalidArgumentError(
        "table '{}': give namespace.name (e.g. db.{}) of the configured catalog, or the "
        "table's location (a path such as ./{} or an s3:// URI)",
        ref, ref, ref);
  }
  LP_ASSIGN_OR_RETURN(TableIdentifier id, TableIdentifier::Parse(ref));
  LP_ASSIGN_OR_RETURN(std::unique_ptr<Catalog> catalog, CatalogRegistry::Default().Make(options));
  auto table = catalog->LoadTable(id);
  if (!table.ok()) {
    return table.status().WithContext(
        fmt::format("table {} in the {} catalog (warehouse '{}'{})", id.ToString(), options.type,
                    options.warehouse, options.uri.empty() ? "" : ", uri " + options.uri));
  }
  return table;
}

Result<nlohmann::ordered_json> ShowTable(const LoadedTable& loaded) {
  const TableMetadata& table = loaded.metadata;
  Json j;
  j["location"] = table.location;
  j["metadata_location"] = loaded.metadata_location;
  j["format_version"] = table.format_version;
  j["table_uuid"] = table.table_uuid;
  const TableSchema* schema = table.CurrentSchema();
  if (schema == nullptr) return CorruptionError("the table has no current schema");
  LP_ASSIGN_OR_RETURN(nlohmann::json schema_json, SchemaToJson(*schema->schema, schema->schema_id));
  j["schema"] = Json::parse(schema_json.dump());
  LP_ASSIGN_OR_RETURN(j["partition_spec"], PartitionSpecJson(table));
  j["current_snapshot"] = nullptr;
  if (const Snapshot* current = table.CurrentSnapshot()) {
    LP_ASSIGN_OR_RETURN(j["current_snapshot"], SnapshotJson(*current, true));
  }
  j["snapshots"] = table.snapshots.size();
  LP_ASSIGN_OR_RETURN(j["data_files"], DataFilesJson(table));
  LP_ASSIGN_OR_RETURN(j["kafka_offsets"], KafkaOffsetsJson(table));
  return j;
}

Result<nlohmann::ordered_json> TableHistory(const TableMetadata& table) {
  std::set<int64_t> ancestors;
  for (const Snapshot* s : table.Ancestry()) ancestors.insert(s->snapshot_id);
  std::vector<const Snapshot*> snapshots;
  for (const Snapshot& s : table.snapshots) snapshots.push_back(&s);
  std::stable_sort(snapshots.begin(), snapshots.end(), [](const Snapshot* a, const Snapshot* b) {
    return a->timestamp_ms != b->timestamp_ms ? a->timestamp_ms > b->timestamp_ms
                                              : a->sequence_number > b->sequence_number;
  });
  Json j;
  j["location"] = table.location;
  j["current_snapshot_id"] =
      table.current_snapshot_id ? Json(*table.current_snapshot_id) : Json(nullptr);
  j["snapshots"] = Json::array();
  for (const Snapshot* s : snapshots) {
    LP_ASSIGN_OR_RETURN(Json entry, SnapshotJson(*s, ancestors.count(s->snapshot_id) > 0));
    j["snapshots"].push_back(std::move(entry));
  }
  return j;
}

}  // namespace lakepipe::iceberg

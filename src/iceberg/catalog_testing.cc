#include "iceberg/catalog_testing.h"

#include <cstdlib>

namespace lakepipe::iceberg::testing {

TableMetadata SmallTable(std::string location) {
  Field id;
  id.name = "id";
  id.full_kind = Kind::kInt64;
  SetFlatView(&id);
  Field ts;
  ts.name = "ts";
  ts.full_kind = Kind::kTimestamp;
  ts.nullable = true;
  SetFlatView(&ts);
  Schema schema("events", {id, ts});
  auto spec = ParsePartitionSpec("day(ts)", schema);
  auto m = TableMetadata::New(std::move(location), schema, spec.ok() ? *spec : PartitionSpec{});
  if (!m.ok()) std::abort();  // a fixed, valid table
  return std::move(m).value();
}

TableMetadata WithSnapshot(const TableMetadata& base, const std::string& manifest_list) {
  TableMetadata m = base;
  Snapshot s;
  s.snapshot_id = NewSnapshotId(m);
  s.parent_snapshot_id = m.current_snapshot_id;
  s.sequence_number = ++m.last_sequence_number;
  s.timestamp_ms = m.last_updated_ms + 1;
  s.manifest_list = manifest_list;
  s.summary = {{"operation", "append"}, {"added-data-files", "1"}};
  s.schema_id = m.current_schema_id;
  m.last_updated_ms = s.timestamp_ms;
  m.current_snapshot_id = s.snapshot_id;
  m.snapshot_log.push_back(LogEntry{s.timestamp_ms, s.snapshot_id, ""});
  m.snapshots.push_back(std::move(s));
  return m;
}

TableCommit AppendCommit(const TableMetadata& base, const TableMetadata& updated) {
  TableCommit c;
  c.requirements = nlohmann::json::array(
      {{{"type", "assert-table-uuid"}, {"uuid", base.table_uuid}},
       {{"type", "assert-ref-snapshot-id"},
        {"ref", "main"},
        {"snapshot-id", base.current_snapshot_id ? nlohmann::json(*base.current_snapshot_id)
                                                 : nlohmann::json(nullptr)}}});
  c.updates = nlohmann::json::array(
      {{{"action", "add-snapshot"}, {"snapshot", updated.ToJson()["snapshots"].back()}},
       {{"action", "set-snapshot-ref"},
        {"ref-name", "main"},
        {"type", "branch"},
        {"snapshot-id", *updated.current_snapshot_id}}});
  return c;
}

}  // namespace lakepipe::iceberg::testing

// Iceberg table metadata (format v2): the JSON document a catalog points
// to (the table spec's "Table Metadata" and "Snapshots"), as a struct.
//
// FromJson reads any v1/v2 table metadata written by another engine and
// keeps the keys it does not model (statistics, partition-statistics,
// encryption keys, ...) in `extra`, so that rewriting the document after an
// append loses nothing. ToJson writes format v2 with every required field.
// Schemas are core Schemas whose fields carry their Iceberg field ids
// (schema_json.h); partition specs use the transforms of transforms.h.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/schema.h"
#include "iceberg/transforms.h"

namespace lakepipe::iceberg {

struct PartitionField {
  int32_t source_id = 0;
  int32_t field_id = 1000;  // partition field ids start at 1000
  std::string name;         // e.g. "event_time_day"
  Transform transform;
};

struct PartitionSpec {
  int32_t spec_id = 0;
  std::vector<PartitionField> fields;  // empty: unpartitioned

  // The partition tuple's struct type for `schema` (each field's result
  // type, named and numbered as the partition field): the "partition"
  // field of a manifest's data_file.
  Result<std::vector<Field>> PartitionType(const Schema& schema) const;
};

// Parses "day(event_time), bucket[16](id), truncate[4](name), nat" (a bare
// column is identity; a.b names a struct's field) against `schema` into a
// spec with field ids from 1000 and Java's default names: identity keeps
// the column name, then <col>_year, _month, _day, _hour, _bucket, _trunc,
// _null (void). Names an unknown column, a transform the column's type
// refuses, a repeated name or a name taken by another column.
Result<PartitionSpec> ParsePartitionSpec(std::string_view text, const Schema& schema);

struct TableSchema {
  int32_t schema_id = 0;
  SchemaPtr schema;  // every field has its field id
  std::vector<int32_t> identifier_field_ids;
};

struct Snapshot {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;
  int64_t timestamp_ms = 0;
  std::string manifest_list;  // full URI
  // "operation" plus the counters (added-data-files, total-records, ...)
  // and lakepipe's keys (lakepipe.commit-id, lakepipe.kafka.*).
  std::map<std::string, std::string> summary;
  std::optional<int32_t> schema_id;
  // Keys not modelled above (e.g. v3's first-row-id), written back as read.
  nlohmann::json extra = nlohmann::json::object();
};

struct SnapshotRef {
  int64_t snapshot_id = 0;
  std::string type = "branch";  // branch | tag
  // Retention keys (min-snapshots-to-keep, max-snapshot-age-ms,
  // max-ref-age-ms), written back as read.
  nlohmann::json extra = nlohmann::json::object();
};

struct LogEntry {
  int64_t timestamp_ms = 0;
  int64_t snapshot_id = 0;    // snapshot-log
  std::string metadata_file;  // metadata-log
};

struct TableMetadata {
  int32_t format_version = 2;
  std::string table_uuid;
  std::string location;  // the table's root URI, no trailing '/'
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int32_t last_column_id = 0;
  std::vector<TableSchema> schemas;
  int32_t current_schema_id = 0;
  std::vector<PartitionSpec> partition_specs;
  int32_t default_spec_id = 0;
  int32_t last_partition_id = 999;
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;  // absent (or -1 in JSON): no snapshot
  std::vector<Snapshot> snapshots;
  std::vector<LogEntry> snapshot_log;
  std::vector<LogEntry> metadata_log;
  // Sort orders are kept as JSON (lakepipe writes only the unsorted order 0).
  nlohmann::json sort_orders = nlohmann::json::array();
  int32_t default_sort_order_id = 0;
  std::map<std::string, SnapshotRef> refs;  // "main" follows current_snapshot_id
  // Keys of the document that are not modelled above, written back as read.
  nlohmann::json extra = nlohmann::json::object();

  static Result<TableMetadata> FromJson(const nlohmann::json& json);
  static Result<TableMetadata> Parse(std::string_view text);  // names the bad key
  nlohmann::json ToJson() const;
  std::string ToText() const;  // ToJson() dumped, indented by 2

  // A new empty table at `location` with `schema` (ids assigned where
  // missing), `spec`, the unsorted order and `properties`; a random uuid.
  static Result<TableMetadata> New(std::string location, const Schema& schema, PartitionSpec spec,
                                   std::map<std::string, std::string> properties = {});

  const TableSchema* CurrentSchema() const;
  const PartitionSpec* DefaultSpec() const;
  const Snapshot* CurrentSnapshot() const;  // null when the table has none
  const Snapshot* FindSnapshot(int64_t id) const;
  // The snapshots of the current branch, newest first (following parents).
  std::vector<const Snapshot*> Ancestry() const;
};

// Records the metadata file a commit replaces: appends {timestamp-ms:
// base_last_updated_ms, metadata-file: base_location} to `updated`'s
// metadata-log, keeping the newest `write.metadata.previous-versions-max`
// entries (default 100), as Java does.
void AddPreviousMetadataFile(TableMetadata* updated, int64_t base_last_updated_ms,
                             std::string base_location);

// A new snapshot id: random, positive, below 2^53 (JSON readers keep it
// exact), not used by `metadata`.
int64_t NewSnapshotId(const TableMetadata& metadata);
// A random version-4 uuid as text.
std::string NewUuid();

}  // namespace lakepipe::iceberg

// Iceberg manifests and manifest lists (format v2): Avro files with the
// spec's schemas and field ids, written with codec null and plain
// primitive type names so that every reader opens them (icebird's Avro
// reader refuses named reuse, fixed, enum and map types there); the
// int-keyed metric maps are arrays of k<key-id>_v<value-id> records, as
// Java writes them. The required key/value metadata is in each header:
// manifests carry "schema", "schema-id", "partition-spec",
// "partition-spec-id", "format-version" and "content"; manifest lists
// "snapshot-id", "parent-snapshot-id" ("null" when there is none),
// "sequence-number" and "format-version".
//
// A DataFile's metrics come from the Parquet footer of the data file
// (DataFileFromParquet): column sizes, value and null counts per leaf
// field id, NaN counts of float columns when the writer recorded them, and
// lower/upper bounds in Iceberg's single-value serialisation (bounds.h),
// strings and binary truncated to 16, and the row groups' starting offsets
// as split offsets.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "core/schema.h"
#include "iceberg/bounds.h"
#include "iceberg/table_metadata.h"
#include "storage/object_store.h"

namespace lakepipe::iceberg {

struct DataFile {
  int32_t content = 0;    // 0 data, 1 position deletes, 2 equality deletes
  std::string file_path;  // full URI
  std::string file_format = "PARQUET";
  std::vector<Datum> partition;  // one value per partition field, in spec order
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;
  std::map<int32_t, int64_t> column_sizes;
  std::map<int32_t, int64_t> value_counts;
  std::map<int32_t, int64_t> null_value_counts;
  std::map<int32_t, int64_t> nan_value_counts;
  std::map<int32_t, std::string> lower_bounds;  // single-value serialisation
  std::map<int32_t, std::string> upper_bounds;
  std::vector<int64_t> split_offsets;  // where each row group starts, ascending
  std::optional<int32_t> sort_order_id;
};

enum class EntryStatus : int32_t { kExisting = 0, kAdded = 1, kDeleted = 2 };

struct ManifestEntry {
  EntryStatus status = EntryStatus::kAdded;
  std::optional<int64_t> snapshot_id;      // null: inherited from the manifest list
  std::optional<int64_t> sequence_number;  // null: inherited (added entries)
  std::optional<int64_t> file_sequence_number;
  DataFile data_file;
};

struct FieldSummary {
  bool contains_null = false;
  std::optional<bool> contains_nan;
  std::optional<std::string> lower_bound;  // single-value serialisation
  std::optional<std::string> upper_bound;
};

struct ManifestFile {
  std::string manifest_path;  // full URI
  int64_t manifest_length = 0;
  int32_t partition_spec_id = 0;
  int32_t content = 0;  // 0 data, 1 deletes
  int64_t sequence_number = 0;
  int64_t min_sequence_number = 0;
  int64_t added_snapshot_id = 0;
  int32_t added_files_count = 0;
  int32_t existing_files_count = 0;
  int32_t deleted_files_count = 0;
  int64_t added_rows_count = 0;
  int64_t existing_rows_count = 0;
  int64_t deleted_rows_count = 0;
  std::vector<FieldSummary> partitions;  // one per partition field
};

// What a manifest is written for: the table's schema and spec.
struct ManifestContext {
  const TableSchema* schema = nullptr;
  const PartitionSpec* spec = nullptr;
  int64_t snapshot_id = 0;  // the snapshot adding the entries
};

// The bytes of a manifest (Avro, codec null) holding `entries`.
Result<std::string> WriteManifest(const ManifestContext& context,
                                  const std::vector<ManifestEntry>& entries);
// The manifest-list entry of a manifest written by WriteManifest: counts,
// partition field summaries; `sequence_number`s are the new snapshot's.
ManifestFile SummarizeManifest(const ManifestContext& context, std::string manifest_path,
                               int64_t manifest_length, int64_t sequence_number,
                               const std::vector<ManifestEntry>& entries);
// Reads a manifest written by any v1/v2 writer (codecs null, deflate,
// snappy, zstd). Entries whose sequence numbers are inherited get them
// from `manifest` (the list entry it was found in).
Result<std::vector<ManifestEntry>> ReadManifest(std::string_view bytes,
                                                const ManifestFile& manifest);

// The bytes of a manifest list (Avro, codec null).
Result<std::string> WriteManifestList(int64_t snapshot_id,
                                      std::optional<int64_t> parent_snapshot_id,
                                      int64_t sequence_number,
                                      const std::vector<ManifestFile>& manifests);
Result<std::vector<ManifestFile>> ReadManifestList(std::string_view bytes);

// The DataFile of a finished Parquet data file at `uri` (read through
// `file`, its footer only): counts, sizes and bounds keyed by the field ids
// in the footer, which must be the table schema's; `partition` as given.
Result<DataFile> DataFileFromParquet(InputFile* file, std::string uri, const TableSchema& schema,
                                     std::vector<Datum> partition);

// The live entries (added or existing) of every manifest of `snapshot`,
// read by URI through ObjectStoreRegistry::Default().
Result<std::vector<ManifestEntry>> LiveEntries(const Snapshot& snapshot);

}  // namespace lakepipe::iceberg

// The transform jobs over Apache Iceberg tables (`transform --table-format
// iceberg`): the raw table the archiver commits as input, and the job
// outputs as Iceberg tables of the same catalog.
//
// Input: the raw table is <namespace>.<table> (what `archive --table-format
// iceberg` writes). The clean job's bookmark records the last snapshot it
// processed; a run reads the live data files added by the snapshots after
// it on the current branch, in commit order (then by Kafka partition and
// first offset, as the archiver names its files).
//
// Outputs: each job still builds its Hive-layout files in the lake (the
// clean job merges partitions there, the aggregate jobs keep their state
// there); before its bookmark moves, every output directory is published
// as an Iceberg table:
//   <table>/clean/parquet/                → <namespace>.<table>_clean
//   <table>/rejected/parquet/             → <namespace>.<table>_rejected
//   <table>/<job>/parquet/<metric>/       → <namespace>.<table>_<job>_<metric>
// partitioned by identity on the Hive partition columns (registration_year,
// event_date, hour: ints and dates as their values say), which become
// columns of the table. Each Hive file is copied, with the table's field
// ids in its footer, to <location>/data/<partition path>/<name>-<tag>.parquet
// where the tag depends on the file's path, size and footer: a file that did
// not change keeps its copy, a rewritten one gets a new copy. One snapshot
// per table and run (OverwriteFiles, iceberg/overwrite.h) adds the new copies
// and deletes the copies of files that were replaced or removed, so a table
// holds exactly the rows of its directory. Publishing is a reconciliation:
// a run after a crash (before or after any commit) publishes what is
// missing, and a run with nothing new publishes nothing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "iceberg/catalog.h"
#include "jobs/lake.h"

namespace lakepipe::jobs {

struct IcebergTables {
  iceberg::CatalogOptions catalog;
  std::string namespace_name = "default";  // of the output tables
  // The raw table, namespace.name (archive.iceberg_table); empty:
  // <namespace_name>.<table>.
  std::string raw_table;
};

// One table a run published to.
struct IcebergCommit {
  std::string table;  // namespace.name
  std::string location;
  int64_t snapshot_id = 0;  // 0: nothing changed, no snapshot
  uint64_t added_files = 0;
  uint64_t deleted_files = 0;
};

// The output tables of `job` of `table` ("clean": the clean and rejected
// tables; an aggregate job: its metrics), each published as above.
Result<std::vector<IcebergCommit>> PublishJobOutputs(const Lake& lake, const IcebergTables& tables,
                                                     const std::string& table,
                                                     const std::string& job);

// The data files of the raw Iceberg table of `table` added after snapshot
// `after` (every live file when null), in commit order.
struct IcebergRawFiles {
  std::string table;        // namespace.name
  int64_t snapshot_id = 0;  // the current snapshot (0: the table has none)
  uint64_t live_files = 0;
  std::vector<ObjectInfo> files;  // path: the file's URI
};

// Whether the catalog has the raw Iceberg table of `table`.
Result<bool> HasIcebergRawTable(const IcebergTables& tables, const std::string& table);

// nullopt when the catalog has no such table (the raw files are Hive's).
// kFailedPrecondition when `after` is no longer an ancestor of the current
// snapshot, naming --full-refresh.
Result<std::optional<IcebergRawFiles>> IcebergRawFilesAfter(const IcebergTables& tables,
                                                            const std::string& table,
                                                            std::optional<int64_t> after);

}  // namespace lakepipe::jobs

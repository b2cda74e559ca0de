// Appending data files to a table, exactly once, through any Catalog.
//
// AppendFiles::Commit loops: load the table; ask the caller's `plan` what
// to append on top of that metadata (the caller drops what the table
// already holds, e.g. Kafka offsets another archiver committed); write one
// manifest of the added files and a manifest list that carries the current
// snapshot's manifests forward; commit the new snapshot with the
// requirement that main still points at the snapshot it was built on.
//   refused (kFailedPrecondition) → reload and plan again (rebase), with
//     backoff, up to `max_attempts`;
//   unknown (kUnavailable)        → reload; when a snapshot whose summary
//     has our lakepipe.commit-id is in the table the commit landed: done;
//     otherwise plan again.
// Each attempt writes fresh manifest files (names carry the commit id and
// the attempt); the manifests of attempts that did not land are deleted
// when their outcome is known, never the data files (the caller's).
//
// The snapshot summary has "operation": "append", the standard counters
// (added-data-files, added-records, added-files-size, changed-partition-
// count, total-data-files, total-records, total-files-size,
// total-delete-files, total-position-deletes, total-equality-deletes) and
// the caller's keys.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/result.h"
#include "iceberg/catalog.h"
#include "iceberg/manifest.h"

namespace lakepipe::iceberg {

struct AppendPlan {
  std::vector<DataFile> files;                 // may be empty: a snapshot that only moves offsets
  std::map<std::string, std::string> summary;  // extra keys (lakepipe.kafka.*)
  // Nothing to commit at all (e.g. everything was committed by someone else).
  bool skip = false;
};

struct AppendOptions {
  int max_attempts = 20;
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  // Called before each retry with what happened ("refused: ...", "outcome
  // unknown: ..."), for the log.
  std::function<void(const std::string&)> log;
  // Time for snapshot timestamps; null: the system clock.
  std::function<int64_t()> now_ms;
  // Once the current snapshot carries this many data manifests of the
  // default spec smaller than 8 MiB, a commit rewrites them into one (their
  // live files as existing entries), as Java's merge append does with
  // commit.manifest.min-count-to-merge (100), so that a table committed
  // every minute does not collect a manifest per commit. 0: never merge.
  int merge_manifests_at = 100;
};

struct AppendResult {
  bool committed = false;  // false when the plan said skip
  int64_t snapshot_id = 0;
  int64_t sequence_number = 0;
  int attempts = 0;
  LoadedTable table;  // the table after the commit
};

class AppendFiles {
 public:
  using Plan = std::function<Result<AppendPlan>(const LoadedTable& current)>;
  AppendFiles(Catalog* catalog, TableIdentifier id, AppendOptions options = {});

  // `commit_id` identifies this commit across attempts (and across a
  // process that asks again after an unknown outcome): a uuid.
  Result<AppendResult> Commit(const std::string& commit_id, const Plan& plan);

 private:
  Catalog* catalog_;
  TableIdentifier id_;
  AppendOptions options_;
};

// The snapshot of `table` whose summary has lakepipe.commit-id
// `commit_id`, among the current branch's ancestry; null when none.
const Snapshot* FindCommit(const TableMetadata& table, const std::string& commit_id);

}  // namespace lakepipe::iceberg

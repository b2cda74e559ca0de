// Replacing data files of a table in one snapshot (operation "overwrite"),
// exactly once, through any Catalog.
//
// OverwriteFiles::Commit loops as AppendFiles::Commit does (append.h: the
// same requirement that main still points at the snapshot the commit was
// built on, the same retry on a refusal, the same look for the commit id
// after an unknown outcome, the same clean-up of the manifests of attempts
// that did not land). Each attempt asks the caller's `plan` what to add and
// which live data files to delete on top of the table it loaded, then
// writes
//   - a manifest of the added files (status 1),
//   - for every current manifest holding a deleted file, one manifest with
//     that file as a deleted entry (status 2, its sequence numbers kept)
//     and the manifest's other live files as existing entries (status 0),
//   - a manifest list carrying every other manifest forward.
// A deleted path that is not a live data file of the table fails the plan
// with kFailedPrecondition (nothing is written).
//
// The snapshot summary has "operation": "overwrite" (or "append" when the
// plan deletes nothing), added-data-files, added-records,
// added-files-size, deleted-data-files, deleted-records,
// removed-files-size, changed-partition-count and the totals (the
// parent's, plus the added, minus the deleted), and the caller's keys.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "iceberg/append.h"
#include "iceberg/catalog.h"
#include "iceberg/manifest.h"

namespace lakepipe::iceberg {

struct OverwritePlan {
  std::vector<DataFile> added;
  std::set<std::string> deleted;               // file_path of live data files
  std::map<std::string, std::string> summary;  // extra keys
  bool skip = false;                           // nothing to commit
};

class OverwriteFiles {
 public:
  using Plan = std::function<Result<OverwritePlan>(const LoadedTable& current)>;
  OverwriteFiles(Catalog* catalog, TableIdentifier id, AppendOptions options = {});

  // `commit_id`: as in AppendFiles::Commit, a uuid naming this commit
  // across attempts.
  Result<AppendResult> Commit(const std::string& commit_id, const Plan& plan);

 private:
  Catalog* catalog_;
  TableIdentifier id_;
  AppendOptions options_;
};

// What AppendFiles and OverwriteFiles commit: files added, live files
// deleted (by path); append.cc implements both through it.
struct SnapshotChange {
  std::vector<DataFile> added;
  std::set<std::string> deleted;
  std::map<std::string, std::string> summary;
  bool skip = false;
};
using SnapshotPlan = std::function<Result<SnapshotChange>(const LoadedTable& current)>;
Result<AppendResult> CommitSnapshotChange(Catalog* catalog, const TableIdentifier& id,
                                          const AppendOptions& options,
                                          const std::string& commit_id, const SnapshotPlan& plan);

}  // namespace lakepipe::iceberg

#include "iceberg/append.h"

#include "iceberg/overwrite.h"

#include <algorithm>
#include <random>
#include <set>
#include <thread>

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

constexpr const char* kCommitIdKey = "lakepipe.commit-id";

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

int64_t ParseCounter(const std::map<std::string, std::string>& summary, const std::string& key,
                     bool* present) {
  auto it = summary.find(key);
  *present = false;
  if (it == summary.end()) return 0;
  try {
    size_t used = 0;
    const int64_t v = std::stoll(it->second, &used);
    *present = used == it->second.size();
    return v;
  } catch (const std::exception&) {
    return 0;
  }
}

// The standard counters of a snapshot adding `files` and deleting
// `deleted` on top of `parent`: an append when nothing is deleted, else an
// overwrite.
std::map<std::string, std::string> Summary(const std::vector<DataFile>& files,
                                           const std::vector<ManifestEntry>& deleted,
                                           const Snapshot* parent) {
  int64_t records = 0;
  int64_t bytes = 0;
  std::set<std::vector<Datum>> partitions;
  for (const DataFile& f : files) {
    records += f.record_count;
    bytes += f.file_size_in_bytes;
    partitions.insert(f.partition);
  }
  int64_t deleted_records = 0;
  int64_t deleted_bytes = 0;
  for (const ManifestEntry& e : deleted) {
    deleted_records += e.data_file.record_count;
    deleted_bytes += e.data_file.file_size_in_bytes;
    partitions.insert(e.data_file.partition);
  }
  std::map<std::string, std::string> out = {
      {"operation", deleted.empty() ? "append" : "overwrite"}};
  const int64_t added_files = static_cast<int64_t>(files.size());
  const int64_t deleted_files = static_cast<int64_t>(deleted.size());
  if (added_files > 0) out["added-data-files"] = std::to_string(added_files);
  if (records > 0) out["added-records"] = std::to_string(records);
  if (bytes > 0) out["added-files-size"] = std::to_string(bytes);
  if (deleted_files > 0) out["deleted-data-files"] = std::to_string(deleted_files);
  if (deleted_records > 0) out["deleted-records"] = std::to_string(deleted_records);
  if (deleted_bytes > 0) out["removed-files-size"] = std::to_string(deleted_bytes);
  out["changed-partition-count"] = std::to_string(partitions.size());
  // Totals carry the parent's forward; a parent without one leaves it out,
  // as Java does, since it cannot be known.
  const std::pair<const char*, int64_t> totals[] = {
      {"total-data-files", added_files - deleted_files},
      {"total-records", records - deleted_records},
      {"total-files-size", bytes - deleted_bytes},
      {"total-delete-files", 0},
      {"total-position-deletes", 0},
      {"total-equality-deletes", 0}};
  for (const auto& [key, added] : totals) {
    bool present = parent == nullptr;
    const int64_t before = parent != nullptr ? ParseCounter(parent->summary, key, &present) : 0;
    if (present) out[key] = std::to_string(before + added);
  }
  return out;
}

// What one attempt wrote: deleted again when the attempt is refused.
struct Written {
  std::vector<std::string> uris;
};

void DeleteWritten(const Written& written) {
  for (const std::string& uri : written.uris) {
    auto location = ObjectStoreRegistry::Default().Resolve(uri);
    if (location.ok()) location->store->Delete(location->path).IgnoreError();
  }
}

Result<std::vector<ManifestFile>> ParentManifests(const Snapshot* parent) {
  if (parent == nullptr) return std::vector<ManifestFile>{};
  LP_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> file, OpenInputFile(parent->manifest_list));
  LP_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(file.get()));
  return ReadManifestList(bytes);
}

// Manifests this large are kept as they are (Java's target manifest size).
constexpr int64_t kMergeTargetBytes = int64_t{8} << 20;

// `manifests` with the small data manifests of the context's spec
// rewritten into one at `uri` when there are at least `min_count` of them:
// their live entries become existing entries with their snapshot ids and
// sequence numbers; deleted entries are dropped.
Result<std::vector<ManifestFile>> MergeManifests(std::vector<ManifestFile> manifests,
                                                 const ManifestContext& context,
                                                 int64_t sequence_number, int min_count,
                                                 const std::string& uri, Written* written) {
  std::vector<ManifestFile> keep;
  std::vector<ManifestFile> merge;
  for (ManifestFile& m : manifests) {
    const bool small = m.content == 0 && m.partition_spec_id == context.spec->spec_id &&
                       m.manifest_length < kMergeTargetBytes;
    (small ? merge : keep).push_back(std::move(m));
  }
  if (min_count <= 0 || merge.size() < static_cast<size_t>(min_count)) {
    merge.insert(merge.end(), keep.begin(), keep.end());
    return merge;
  }
  std::vector<ManifestEntry> entries;
  for (const ManifestFile& m : merge) {
    LP_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> file, OpenInputFile(m.manifest_path));
    LP_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(file.get()));
    LP_ASSIGN_OR_RETURN(std::vector<ManifestEntry> read, ReadManifest(bytes, m));
    for (ManifestEntry& e : read) {
      if (e.status == EntryStatus::kDeleted) continue;
      e.status = EntryStatus::kExisting;  // snapshot id, sequence numbers as read
      entries.push_back(std::move(e));
    }
  }
  LP_ASSIGN_OR_RETURN(std::string bytes, WriteManifest(context, entries));
  LP_RETURN_IF_ERROR(WriteWholeFile(uri, bytes));
  written->uris.push_back(uri);
  std::vector<ManifestFile> out = {SummarizeManifest(
      context, uri, static_cast<int64_t>(bytes.size()), sequence_number, entries)};
  out.insert(out.end(), keep.begin(), keep.end());
  return out;
}

// `manifests` with every data manifest that lists a live file of
// `deleted` rewritten to `uri_prefix`<n>.avro: those files as deleted
// entries of the new snapshot (sequence numbers kept, appended to
// `*removed`), the manifest's other live files as existing entries.
// kFailedPrecondition naming a path of `deleted` that is not live.
Result<std::vector<ManifestFile>> DeleteFiles(std::vector<ManifestFile> manifests,
                                              const std::set<std::string>& deleted,
                                              const ManifestContext& context,
                                              int64_t sequence_number,
                                              const std::string& uri_prefix, Written* written,
                                              std::vector<ManifestEntry>* removed) {
  if (deleted.empty()) return manifests;
  std::set<std::string> found;
  int rewritten = 0;
  for (ManifestFile& m : manifests) {
    if (m.content != 0) continue;
    LP_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> file, OpenInputFile(m.manifest_path));
    LP_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(file.get()));
    LP_ASSIGN_OR_RETURN(std::vector<ManifestEntry> read, ReadManifest(bytes, m));
    std::vector<ManifestEntry> entries;
    bool touched = false;
    for (ManifestEntry& e : read) {
      if (e.status == EntryStatus::kDeleted) continue;
      if (deleted.count(e.data_file.file_path)) {
        touched = true;
        found.insert(e.data_file.file_path);
        e.status = EntryStatus::kDeleted;
        e.snapshot_id = context.snapshot_id;
        removed->push_back(e);
      } else {
        e.status = EntryStatus::kExisting;
      }
      entries.push_back(std::move(e));
    }
    if (!touched) continue;
    if (m.partition_spec_id != context.spec->spec_id) {
      return UnimplementedError(
          "deleting data files of partition spec {} (manifest {}) from a table whose default "
          "spec is {} is not supported",
          m.partition_spec_id, m.manifest_path, context.spec->spec_id);
    }
    const std::string uri = fmt::format("{}{}.avro", uri_prefix, rewritten++);
    LP_ASSIGN_OR_RETURN(std::string out, WriteManifest(context, entries));
    LP_RETURN_IF_ERROR(WriteWholeFile(uri, out));
    written->uris.push_back(uri);
    m = SummarizeManifest(context, uri, static_cast<int64_t>(out.size()), sequence_number, entries);
  }
  for (const std::string& path : deleted) {
    if (!found.count(path)) {
      return FailedPreconditionError(
          "data file '{}' to delete is not a live file of the table (another writer replaced "
          "it?)",
          path);
    }
  }
  return manifests;
}

struct Attempt {
  TableMetadata updated;
  TableCommit commit;
  int64_t snapshot_id = 0;
  int64_t sequence_number = 0;
};

Status CheckPlan(const SnapshotChange& plan) {
  std::set<std::string_view> paths;
  for (const DataFile& f : plan.added) {
    if (!paths.insert(f.file_path).second) {
      return InvalidArgumentError("commit lists data file '{}' twice", f.file_path);
    }
    if (plan.deleted.count(f.file_path)) {
      return InvalidArgumentError("commit both adds and deletes data file '{}'", f.file_path);
    }
  }
  return Status::OK();
}

// Writes the manifest and manifest list of `plan` on top of `base` and
// builds the commit.
Result<Attempt> Prepare(const LoadedTable& base, const SnapshotChange& plan,
                        const std::string& commit_id, int attempt, int64_t now_ms,
                        int merge_manifests_at, Written* written) {
  const TableMetadata& meta = base.metadata;
  const TableSchema* schema = meta.CurrentSchema();
  const PartitionSpec* spec = meta.DefaultSpec();
  if (schema == nullptr || spec == nullptr) {
    return FailedPreconditionError("table at '{}' has no current schema or default spec",
                                   base.metadata_location);
  }
  Attempt a;
  a.snapshot_id = NewSnapshotId(meta);
  a.sequence_number = meta.last_sequence_number + 1;
  const Snapshot* parent = meta.CurrentSnapshot();
  LP_ASSIGN_OR_RETURN(std::vector<ManifestFile> manifests, ParentManifests(parent));
  const std::string prefix = meta.location + "/metadata/";
  {
    ManifestContext context{schema, spec, a.snapshot_id};
    LP_ASSIGN_OR_RETURN(
        manifests,
        MergeManifests(std::move(manifests), context, a.sequence_number, merge_manifests_at,
                       fmt::format("{}{}-{}-{}-m1.avro", prefix, commit_id, attempt, a.snapshot_id),
                       written));
  }
  std::vector<ManifestEntry> removed;
  {
    ManifestContext context{schema, spec, a.snapshot_id};
    LP_ASSIGN_OR_RETURN(
        manifests,
        DeleteFiles(std::move(manifests), plan.deleted, context, a.sequence_number,
                    fmt::format("{}{}-{}-{}-d", prefix, commit_id, attempt, a.snapshot_id), written,
                    &removed));
  }
  if (!plan.added.empty()) {
    std::vector<ManifestEntry> entries;
    for (const DataFile& f : plan.added) {
      ManifestEntry e;
      e.status = EntryStatus::kAdded;
      e.snapshot_id = a.snapshot_id;
      e.data_file = f;
      entries.push_back(std::move(e));
    }
    ManifestContext context{schema, spec, a.snapshot_id};
    LP_ASSIGN_OR_RETURN(std::string bytes, WriteManifest(context, entries));
    // The snapshot id (random) keeps a retry of the same commit by another
    // process from replacing a manifest a landed snapshot uses.
    const std::string uri =
        fmt::format("{}{}-{}-{}-m0.avro", prefix, commit_id, attempt, a.snapshot_id);
    LP_RETURN_IF_ERROR(WriteWholeFile(uri, bytes));
    written->uris.push_back(uri);
    manifests.insert(manifests.begin(),
                     SummarizeManifest(context, uri, bytes.size(), a.sequence_number, entries));
  }
  LP_ASSIGN_OR_RETURN(
      std::string list,
      WriteManifestList(a.snapshot_id, parent ? std::optional(parent->snapshot_id) : std::nullopt,
                        a.sequence_number, manifests));
  Snapshot snap;
  snap.snapshot_id = a.snapshot_id;
  if (parent != nullptr) snap.parent_snapshot_id = parent->snapshot_id;
  snap.sequence_number = a.sequence_number;
  snap.timestamp_ms = now_ms;
  snap.manifest_list =
      fmt::format("{}snap-{}-{}-{}.avro", prefix, a.snapshot_id, attempt, commit_id);
  LP_RETURN_IF_ERROR(WriteWholeFile(snap.manifest_list, list));
  written->uris.push_back(snap.manifest_list);
  snap.summary = Summary(plan.added, removed, parent);
  for (const auto& [key, value] : plan.summary) snap.summary[key] = value;
  snap.summary[kCommitIdKey] = commit_id;
  snap.schema_id = schema->schema_id;

  a.updated = meta;
  a.updated.snapshots.push_back(snap);
  a.updated.current_snapshot_id = a.snapshot_id;
  a.updated.refs["main"] = SnapshotRef{a.snapshot_id, "branch"};
  a.updated.snapshot_log.push_back(LogEntry{now_ms, a.snapshot_id, ""});
  a.updated.last_sequence_number = a.sequence_number;
  a.updated.last_updated_ms = std::max(now_ms, meta.last_updated_ms);

  json snapshot_json;
  const json document = a.updated.ToJson();
  for (const json& s : document["snapshots"]) {
    if (s["snapshot-id"] == a.snapshot_id) snapshot_json = s;
  }
  a.commit.requirements =
      json::array({{{"type", "assert-table-uuid"}, {"uuid", meta.table_uuid}},
                   {{"type", "assert-ref-snapshot-id"},
                    {"ref", "main"},
                    {"snapshot-id", parent ? json(parent->snapshot_id) : json(nullptr)}}});
  a.commit.updates = json::array({{{"action", "add-snapshot"}, {"snapshot", snapshot_json}},
                                  {{"action", "set-snapshot-ref"},
                                   {"ref-name", "main"},
                                   {"type", "branch"},
                                   {"snapshot-id", a.snapshot_id}}});
  return a;
}

AppendResult Landed(const LoadedTable& table, const Snapshot& s, int attempts) {
  AppendResult r;
  r.committed = true;
  r.snapshot_id = s.snapshot_id;
  r.sequence_number = s.sequence_number;
  r.attempts = attempts;
  r.table = table;
  return r;
}

}  // namespace

const Snapshot* FindCommit(const TableMetadata& table, const std::string& commit_id) {
  for (const Snapshot* s : table.Ancestry()) {
    auto it = s->summary.find(kCommitIdKey);
    if (it != s->summary.end() && it->second == commit_id) return s;
  }
  return nullptr;
}

AppendFiles::AppendFiles(Catalog* catalog, TableIdentifier id, AppendOptions options)
    : catalog_(catalog), id_(std::move(id)), options_(std::move(options)) {}

Result<AppendResult> AppendFiles::Commit(const std::string& commit_id, const Plan& plan) {
  return CommitSnapshotChange(catalog_, id_, options_, commit_id,
                              [&](const LoadedTable& current) -> Result<SnapshotChange> {
                                LP_ASSIGN_OR_RETURN(AppendPlan p, plan(current));
                                SnapshotChange change;
                                change.added = std::move(p.files);
                                change.summary = std::move(p.summary);
                                change.skip = p.skip;
                                return change;
                              });
}

OverwriteFiles::OverwriteFiles(Catalog* catalog, TableIdentifier id, AppendOptions options)
    : catalog_(catalog), id_(std::move(id)), options_(std::move(options)) {}

Result<AppendResult> OverwriteFiles::Commit(const std::string& commit_id, const Plan& plan) {
  return CommitSnapshotChange(catalog_, id_, options_, commit_id,
                              [&](const LoadedTable& current) -> Result<SnapshotChange> {
                                LP_ASSIGN_OR_RETURN(OverwritePlan p, plan(current));
                                SnapshotChange change;
                                change.added = std::move(p.added);
                                change.deleted = std::move(p.deleted);
                                change.summary = std::move(p.summary);
                                change.skip = p.skip;
                                return change;
                              });
}

Result<AppendResult> CommitSnapshotChange(Catalog* catalog, const TableIdentifier& id,
                                          const AppendOptions& options,
                                          const std::string& commit_id, const SnapshotPlan& plan) {
  std::mt19937_64 random(std::random_device{}());
  std::chrono::milliseconds backoff = options.initial_backoff;
  Status last;
  const int max_attempts = std::max(1, options.max_attempts);
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    if (attempt > 1) {
      // Full jitter: a random pause up to the backoff, which doubles.
      const auto pause = backoff.count() > 0 ? random() % (backoff.count() + 1) : 0;
      std::this_thread::sleep_for(std::chrono::milliseconds(pause));
      backoff = std::min(options.max_backoff, backoff * 2);
    }
    auto loaded = catalog->LoadTable(id);
    if (!loaded.ok() && loaded.status().code() == StatusCode::kUnavailable) {
      last = loaded.status();
      if (options.log) options.log("loading the table failed: " + last.ToString());
      continue;
    }
    LP_RETURN_IF_ERROR(loaded.status());
    LoadedTable base = std::move(loaded).value();
    // After an unknown outcome (here or in a process asking again), the
    // table tells whether the commit landed.
    if (const Snapshot* s = FindCommit(base.metadata, commit_id)) {
      if (attempt > 1 && options.log) {
        options.log(
            fmt::format("found commit {} in the table as snapshot {}; not committing it again",
                        commit_id, s->snapshot_id));
      }
      return Landed(base, *s, attempt);
    }
    LP_ASSIGN_OR_RETURN(SnapshotChange p, plan(base));
    if (p.skip) {
      AppendResult r;
      r.attempts = attempt;
      r.table = std::move(base);
      return r;
    }
    LP_RETURN_IF_ERROR(CheckPlan(p));
    Written written;
    const int64_t now = options.now_ms ? options.now_ms() : SystemNowMs();
    auto prepared = Prepare(base, p, commit_id, attempt, now, options.merge_manifests_at, &written);
    if (!prepared.ok()) {
      DeleteWritten(written);
      return prepared.status();
    }
    auto committed = catalog->CommitTable(id, base, prepared->updated, prepared->commit);
    if (committed.ok()) {
      const Snapshot* s = committed->metadata.FindSnapshot(prepared->snapshot_id);
      AppendResult r;
      r.committed = true;
      r.snapshot_id = prepared->snapshot_id;
      r.sequence_number = s != nullptr ? s->sequence_number : prepared->sequence_number;
      r.attempts = attempt;
      r.table = std::move(committed).value();
      return r;
    }
    last = committed.status();
    if (last.code() == StatusCode::kFailedPrecondition) {
      // Refused: nothing of this attempt is in the table.
      DeleteWritten(written);
      if (options.log) options.log("refused: " + last.ToString());
    } else if (last.code() == StatusCode::kUnavailable) {
      // Unknown: the files may be referenced by a snapshot that landed, so
      // they stay; the next load finds the commit or plans again.
      if (options.log) options.log("outcome unknown: " + last.ToString());
    } else {
      return last;
    }
  }
  return Status(last.code(), fmt::format("commit {} to table {} gave up after {} attempts: {}",
                                         commit_id, id.ToString(), max_attempts, last.message()));
}

}  // namespace lakepipe::iceberg

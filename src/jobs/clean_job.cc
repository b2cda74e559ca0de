#include "jobs/clean_job.h"

#include <chrono>
#include <ctime>
#include <map>
#include <set>
#include <unordered_set>

#include <fmt/format.h>

#include "core/lake_names.h"
#include "core/time_util.h"
#include "formats/open.h"
#include "formats/text/text_formats.h"
#include "jobs/clean_rules.h"
#include "jobs/lake.h"
#include "jobs/table_lock.h"

namespace lakepipe::jobs {
namespace {

int32_t Today() { return static_cast<int32_t>(FloorDiv(std::time(nullptr), 86400)); }

// A name for the files of one run, the same whenever the same raw files are
// processed (so a rerun after a crash overwrites what the crashed run wrote).
std::string RunTag(const std::vector<ObjectInfo>& files, const Lake& lake, bool uris) {
  std::string text;
  for (const ObjectInfo& f : files) text += (uris ? f.path : lake.Relative(f.path)) + "\n";
  return NameTag(text);
}

SchemaPtr RejectedSchema() {
  static const SchemaPtr schema = std::make_shared<const Schema>(
      "Rejected",
      std::vector<Field>{TableField("source_file", Type::kString), TableField("row", Type::kLong),
                         TableField("rule", Type::kString), TableField("reason", Type::kString),
                         TableField("record", Type::kString, LogicalType::kNone, true)},
      "lakepipe.jobs");
  return schema;
}

class CleanRun {
 public:
  CleanRun(const CleanRules& rules, const Lake& lake, const CleanJobOptions& options,
           std::string tag, JobStats* stats)
      : rules_(rules),
        lake_(lake),
        options_(options),
        tag_(std::move(tag)),
        stats_(*stats),
        rejected_(RejectedSchema()),
        raw_json_(*rules.raw_schema()) {}

  // `file.path`: a path in the lake's store, or a URI when `uri`.
  Status ReadFile(const ObjectInfo& file, bool uri) {
    const std::string source = uri ? file.path : lake_.Relative(file.path);
    LP_ASSIGN_OR_RETURN(const FormatInfo* format, FormatRegistry::Default().ForPath(file.path));
    ReadOptions ro;
    ro.schema = rules_.raw_schema();
    ro.bad_records = [&](const BadRecord& bad) {
      ++stats_.records_in;
      Reject(source, static_cast<int64_t>(bad.line), Rejection{"record", bad.reason}, bad.raw);
      return Status::OK();
    };
    LP_ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> reader,
                        OpenReader(uri ? file.path : lake_.Uri(file.path), *format, ro));
    if (reader->schema()->num_fields() != rules_.raw_schema()->num_fields()) {
      return InternalError("{}: read with {} fields, expected {}", source,
                           reader->schema()->num_fields(), rules_.raw_schema()->num_fields());
    }
    RecordBatch raw(reader->schema());
    // The batch of the last partition used: rows of a file mostly share one.
    std::string last_partition;
    RecordBatch* last = nullptr;
    const PartitionSink sink = [&](std::string_view partition) {
      if (last == nullptr || partition != last_partition) {
        last_partition = partition;
        last = &pending_.try_emplace(last_partition, rules_.clean_schema()).first->second;
      }
      return last;
    };
    int64_t row_number = 0;
    for (bool more = true; more;) {
      LP_ASSIGN_OR_RETURN(more, reader->ReadBatch(&raw));
      for (size_t i = 0; i < raw.num_rows(); ++i) {
        ++row_number;
        ++stats_.records_in;
        Rejection rejection;
        if (rules_.Apply(raw, i, sink, &rejection)) {
          ++stats_.clean;
        } else {
          std::string json;
          raw_json_.Append(raw, i, &json);
          Reject(source, row_number, rejection, json);
        }
      }
      pending_bytes_ = rejected_.ByteSize();
      for (const auto& [value, rows] : pending_) pending_bytes_ += rows.ByteSize();
      if (pending_bytes_ >= options_.max_buffer_bytes) {
        LP_RETURN_IF_ERROR(Spill());
        last = nullptr;  // the batches were written and dropped
      }
    }
    return Status::OK();
  }

  // Writes the buffered rows of each partition to a hidden spill file in it
  // (<partition>/_spill/, merged by Finish()), and the rejected records.
  Status Spill() {
    for (auto& [partition, rows] : pending_) {
      // Zero-padded to any int: merging reads spills in path order.
      const std::string path = lake_.Path(
          fmt::format("{}/part-{}-{:010}.parquet", Lake::SpillDir(Dir(partition)), tag_, spills_));
      LP_ASSIGN_OR_RETURN(const uint64_t bytes, WriteTableFile(lake_, path, rows, nullptr, true));
      (void)bytes;
      spilled_.insert(partition);
    }
    pending_.clear();
    LP_RETURN_IF_ERROR(WriteRejected());
    ++spills_;
    pending_bytes_ = 0;
    return Status::OK();
  }

  // Merges every touched partition (and the later partitions of their
  // sequence groups) into its final file, and writes the rejected records.
  Status Finish() {
    const std::string& suffix = tag_;
    std::map<std::string, RecordBatch> work = std::move(pending_);
    pending_.clear();
    for (const std::string& p : spilled_) work.try_emplace(p, rules_.clean_schema());
    std::map<std::string, std::set<std::string>> groups;  // group -> its existing partitions
    for (const auto& [partition, rows] : work) {
      const std::string group = rules_.SequenceGroup(partition);
      if (group.empty() || groups.count(group)) continue;
      LP_ASSIGN_OR_RETURN(groups[group], ExistingPartitions(group));
    }
    for (const auto& [group, existing] : groups) {
      const std::string& first = work.lower_bound(group)->first;
      for (const std::string& p : existing) {
        if (p > first) work.try_emplace(p, rules_.clean_schema());
      }
    }
    std::string group;
    SequenceState state;
    for (auto& [partition, rows] : work) {
      const std::string g = rules_.SequenceGroup(partition);
      if (!g.empty() && g != group) {
        // The group's earlier partitions that stay as they are.
        group = g;
        state.clear();
        const SchemaPtr projection =
            ProjectColumns(*rules_.clean_schema(), rules_.SequenceColumns());
        for (const std::string& p : groups[g]) {
          if (p >= partition) break;
          LP_RETURN_IF_ERROR(ScanTable(lake_, Dir(p), projection, [&](const RecordBatch& b) {
            rules_.Observe(b, &state);
            return Status::OK();
          }));
        }
      }
      LP_RETURN_IF_ERROR(WritePartition(partition, rows, suffix, g.empty() ? nullptr : &state));
    }
    return WriteRejected();
  }

 private:
  Status WriteRejected() {
    if (rejected_.num_rows() == 0) return Status::OK();
    const std::string path = lake_.Path(
        fmt::format("{}/part-{}-{:04}.parquet", Lake::RejectedDir(rules_.table()), tag_, spills_));
    LP_RETURN_IF_ERROR(WriteRows(path, rejected_, nullptr));
    rejected_.Clear();
    return Status::OK();
  }

  void Reject(const std::string& source, int64_t row, const Rejection& r, std::string_view record) {
    ++stats_.rejected;
    rejected_.column(0).AppendBytes(source);
    rejected_.column(1).AppendInt64(row);
    rejected_.column(2).AppendBytes(r.rule);
    rejected_.column(3).AppendBytes(r.reason);
    rejected_.column(4).AppendBytes(record);
    rejected_.CommitRow();
  }

  Status WriteRows(const std::string& path, const RecordBatch& batch,
                   const std::vector<uint8_t>* keep) {
    LP_ASSIGN_OR_RETURN(const uint64_t bytes, WriteTableFile(lake_, path, batch, keep));
    ++stats_.files_written;
    stats_.bytes_written += bytes;
    return Status::OK();
  }

  // The store-relative directory of a partition of the clean table.
  std::string Dir(const std::string& partition) const {
    return Lake::CleanPartitionDir(rules_.table(), partition);
  }

  // The partitions of the clean table under `prefix` ("event_date=..."),
  // as paths like "event_date=2026-01-01/hour=03".
  Result<std::set<std::string>> ExistingPartitions(const std::string& prefix) const {
    LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> files, lake_.ListData(Dir(prefix)));
    const std::string base = lake_.Path(Dir(""));
    std::set<std::string> out;
    for (const ObjectInfo& f : files) {
      const size_t slash = f.path.rfind('/');
      if (slash > base.size()) out.insert(f.path.substr(base.size(), slash - base.size()));
    }
    return out;
  }

  // Merges the partition's current files (if any) and `rows` (moved from;
  // left empty), keeps the last row of each key, writes the result as one
  // new file and deletes the old ones.
  Status WritePartition(const std::string& partition, RecordBatch& rows, const std::string& suffix,
                        SequenceState* sequence) {
    const std::string dir = Dir(partition);
    const std::string path = lake_.Path(fmt::format("{}/part-{}.parquet", dir, suffix));
    LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> existing, lake_.ListData(dir));
    LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> spills, lake_.ListData(Lake::SpillDir(dir)));
    RecordBatch merged(rules_.clean_schema());
    if (existing.empty() && spills.empty()) {
      merged = std::move(rows);  // nothing to merge with: no copy
    } else {
      // Oldest first: the current files, this run's spills in order, the rest.
      for (const std::string& from : {dir, Lake::SpillDir(dir)}) {
        LP_RETURN_IF_ERROR(ScanTable(lake_, from, rules_.clean_schema(), [&](const RecordBatch& b) {
          merged.AppendBatch(b);
          return Status::OK();
        }));
      }
      merged.AppendBatch(rows);
    }
    rows = RecordBatch(rules_.clean_schema());
    // Latest wins: keep the last row of each key.
    const Column& key = merged.column(static_cast<size_t>(rules_.key_column()));
    std::vector<uint8_t> keep(merged.num_rows());
    std::unordered_set<std::string_view> seen;
    seen.reserve(merged.num_rows());
    uint64_t kept = 0;
    for (size_t i = merged.num_rows(); i-- > 0;) {
      keep[i] = seen.insert(key.GetBytes(i)).second ? 1 : 0;
      kept += keep[i];
    }
    stats_.duplicates += merged.num_rows() - kept;
    if (sequence != nullptr) rules_.Sequence(&merged, keep, sequence);
    LP_RETURN_IF_ERROR(WriteRows(path, merged, kept == merged.num_rows() ? nullptr : &keep));
    ++stats_.partitions_written;
    stats_.rows_written += kept;
    for (const ObjectInfo& f : existing) {
      if (f.path != path) LP_RETURN_IF_ERROR(lake_.store().Delete(f.path));
    }
    for (const ObjectInfo& f : spills) LP_RETURN_IF_ERROR(lake_.store().Delete(f.path));
    return Status::OK();
  }

  const CleanRules& rules_;
  const Lake& lake_;
  const CleanJobOptions& options_;
  const std::string tag_;
  JobStats& stats_;
  std::map<std::string, RecordBatch> pending_;  // partition value -> new clean rows
  uint64_t pending_bytes_ = 0;
  RecordBatch rejected_;
  JsonRowWriter raw_json_;
  std::set<std::string> spilled_;  // partitions with spill files of this run
  int spills_ = 0;
};

// The raw files of the run: the raw Iceberg table's files added after the
// bookmark's snapshot when `options.iceberg` names a catalog holding it, else
// the Hive raw files the bookmark does not list. Sets the stats' counts.
struct RawInput {
  std::vector<ObjectInfo> fresh;
  std::optional<int64_t> snapshot;  // Iceberg: the snapshot read up to
  bool uris = false;
};

Result<RawInput> NewRawFiles(const Lake& lake, const CleanJobOptions& options,
                             const Bookmark& bookmark, JobStats* stats) {
  RawInput in;
  if (options.iceberg) {
    LP_ASSIGN_OR_RETURN(
        std::optional<IcebergRawFiles> raw,
        IcebergRawFilesAfter(*options.iceberg, options.table, bookmark.iceberg_snapshot));
    if (raw) {
      stats->raw_table = raw->table;
      stats->raw_files = raw->live_files;
      in.fresh = std::move(raw->files);
      if (raw->snapshot_id != 0) in.snapshot = raw->snapshot_id;
      in.uris = true;
      return in;
    }
  }
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> raw,
                      ListRawFiles(lake, options.table, options.since));
  stats->raw_files = raw.size();
  std::unordered_set<std::string> done;
  for (const auto& [path, size] : bookmark.files) done.insert(fmt::format("{}\n{}", path, size));
  for (const ObjectInfo& f : raw) {
    if (!done.count(fmt::format("{}\n{}", lake.Relative(f.path), f.size))) in.fresh.push_back(f);
  }
  return in;
}

}  // namespace

Result<JobStats> RunCleanJob(const CleanJobOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  LP_RETURN_IF_ERROR(ValidateTableName(options.table).WithContext("--table"));
  LP_RETURN_IF_ERROR(CheckTableHasJobs(options.table).WithContext("--table"));
  LP_ASSIGN_OR_RETURN(Lake lake, Lake::Open(options.lake));
  bool iceberg_raw = false;
  if (options.iceberg) {
    LP_ASSIGN_OR_RETURN(iceberg_raw, HasIcebergRawTable(*options.iceberg, options.table));
  }
  // Before the lock: writes nothing.
  if (!iceberg_raw) LP_RETURN_IF_ERROR(RequireRawFiles(lake, options.table));
  const std::string job = "clean";
  LP_ASSIGN_OR_RETURN(const TableLock lock,
                      TableLock::Acquire(lake, options.table, options.lock_wait));
  LP_RETURN_IF_ERROR(DeleteLeftovers(lake, options.table));
  Bookmark bookmark;
  if (options.full_refresh) {
    LP_RETURN_IF_ERROR(lake.DeleteAll(Lake::ZoneDir(options.table, "clean") + "/"));
    LP_RETURN_IF_ERROR(lake.DeleteAll(Lake::ZoneDir(options.table, "rejected") + "/"));
  } else {
    LP_ASSIGN_OR_RETURN(bookmark, LoadBookmark(lake, options.table, job));
  }
  if (options.as_of && bookmark.as_of && *options.as_of != *bookmark.as_of) {
    return InvalidArgumentError(
        "--as-of {} differs from {}, the date the clean table of {} was computed at: ages and "
        "tenures would mix; run with --full-refresh to recompute everything at {}",
        FormatDate(*options.as_of), FormatDate(*bookmark.as_of), options.table,
        FormatDate(*options.as_of));
  }
  const int32_t as_of = options.as_of.value_or(bookmark.as_of.value_or(Today()));
  LP_ASSIGN_OR_RETURN(std::unique_ptr<CleanRules> rules, NewCleanRules(options.table, as_of));

  JobStats stats;
  stats.table = options.table;
  stats.job = job;
  stats.as_of = as_of;
  LP_ASSIGN_OR_RETURN(RawInput in, NewRawFiles(lake, options, bookmark, &stats));
  stats.new_files = in.fresh.size();
  if (!in.fresh.empty()) {
    CleanRun run(*rules, lake, options, RunTag(in.fresh, lake, in.uris), &stats);
    for (const ObjectInfo& f : in.fresh) LP_RETURN_IF_ERROR(run.ReadFile(f, in.uris));
    LP_RETURN_IF_ERROR(run.Finish());
  }
  // The Iceberg tables before the bookmark: a run after a crash publishes
  // what the crashed one did not.
  if (options.iceberg) {
    LP_ASSIGN_OR_RETURN(stats.iceberg,
                        PublishJobOutputs(lake, *options.iceberg, options.table, job));
  }
  const bool moved = in.snapshot.has_value() && in.snapshot != bookmark.iceberg_snapshot;
  if (!in.fresh.empty() || moved) {
    if (!in.uris) {
      for (const ObjectInfo& f : in.fresh) {
        bookmark.files.emplace_back(lake.Relative(f.path), f.size);
      }
    }
    if (in.snapshot) bookmark.iceberg_snapshot = in.snapshot;
    bookmark.as_of = as_of;
    ++bookmark.runs;
    LP_RETURN_IF_ERROR(SaveBookmark(lake, options.table, job, bookmark));
  }
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace lakepipe::jobs

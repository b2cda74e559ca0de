// The lake as the transform jobs see it (its layout: lake/lake.h): the raw
// files the archive wrote in arrival order, the bookmarks that say which of
// them a job has processed, and the Parquet files the jobs read and write.
//
// Thread-safety: the functions use a Lake of one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "core/result.h"
#include "formats/format.h"
#include "lake/lake.h"
#include "storage/object_store.h"

namespace lakepipe::jobs {

// The jobs name the lake as Lake, and its files as IsParquetFile does.
using lake::IsParquetFile;
using lake::Lake;

// The raw files of `table` in the order records arrived: archive files by
// Kafka partition and first offset (their names say), others by path.
// With `since`, only files in event_date partitions on or after that day
// (files without an event_date are kept).
Result<std::vector<ObjectInfo>> ListRawFiles(const Lake& lake, const std::string& table,
                                             std::optional<int32_t> since);

// OK when `table` has raw files (ListRawFiles, whatever their day); else
// kNotFound naming the raw path looked at and how a table gets raw files.
// Lists; writes nothing.
Status RequireRawFiles(const Lake& lake, const std::string& table);

// Deletes what runs of the jobs of `table` that were killed left behind:
// files being written (hidden names) in the table's clean, rejected and
// metric zones, its bookmarks and job state, and the clean job's spill
// files (a rerun reads the same raw files again and spills anew; a stale
// spill merged with its rows could bring back an older version of a row).
// The raw zone is the archive's and is left alone. REQUIRES: the table's
// lock (table_lock.h) is held.
Status DeleteLeftovers(const Lake& lake, const std::string& table);

// A non-null (unless `nullable`) field of a table the jobs write.
Field TableField(std::string name, Type type, LogicalType logical = LogicalType::kNone,
                 bool nullable = false);

// The columns `names` of `schema` (a table's), as a projection to read.
SchemaPtr ProjectColumns(const Schema& schema, const std::vector<std::string>& names);

// A file-name tag that depends only on `text` (FNV-1a, 16 hex digits):
// jobs name their outputs after their inputs, so a rerun after a crash
// writes the same names.
std::string NameTag(std::string_view text);

// The Parquet options of the tables the jobs write (zstd level 1).
WriteOptions TableWriteOptions();

// Writes the rows of `batch` whose `keep` flag is set (every row when null)
// to a new Parquet file at the store path `path`, atomically; returns its
// size. With `scratch`, the file is a temporary one read back soon:
// written plain, without dictionaries or compression, which cost more
// than they save there.
Result<uint64_t> WriteTableFile(const Lake& lake, const std::string& path, const RecordBatch& batch,
                                const std::vector<uint8_t>* keep = nullptr, bool scratch = false);

// Calls `fn` with the batches of every Parquet file under `rel` (hidden
// names skipped), read as `schema`: a projection by column name.
Status ScanTable(const Lake& lake, const std::string& rel, const SchemaPtr& schema,
                 const std::function<Status(const RecordBatch&)>& fn);
// The same over the Parquet files at the store paths `paths`.
Status ScanFiles(const Lake& lake, const std::vector<std::string>& paths, const SchemaPtr& schema,
                 const std::function<Status(const RecordBatch&)>& fn);

// What a job has processed: raw files (paths relative to the lake, with
// their sizes), the as-of date it computes ages and tenures at, and the
// options its outputs depend on.
struct Bookmark {
  std::vector<std::pair<std::string, uint64_t>> files;
  std::optional<int32_t> as_of;
  std::string params;
  uint64_t runs = 0;
  // The clean job over a raw Iceberg table: the last snapshot processed.
  std::optional<int64_t> iceberg_snapshot;
};

// An empty bookmark when there is none; kCorruption for one that does not parse.
Result<Bookmark> LoadBookmark(const Lake& lake, const std::string& table, const std::string& job);
// Replaces the bookmark atomically.
Status SaveBookmark(const Lake& lake, const std::string& table, const std::string& job,
                    const Bookmark& bookmark);

}  // namespace lakepipe::jobs

// LocalOutputs: the offline copies of consumed records that users of
// batch pipelines expect next to the lake: <dir>/<stem>.json (a JSON
// array), <dir>/<stem>.csv and <dir>/<stem>.parquet, or a chosen subset of
// them, with the same records in the same order.
//
// Lifecycle: Add... then Finish, which completes the copies under hidden
// temporary names in <dir> (".<stem>.json.tmp-<random>"); then exactly one
// of Replace (each copy is renamed over the file of the same name,
// atomically per file) or Abort (the temporaries are removed and the files
// already there stay as they were). Abort at any point discards everything
// this object wrote; destroying it without Replace aborts. After a failed
// Add, Finish aborts and returns that error.
//
// Thread-safety: one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "core/result.h"
#include "formats/format.h"
#include "storage/object_store.h"

namespace lakepipe {

// The formats of local copies, in the order of their files.
inline constexpr std::string_view kLocalCopyFormats[] = {"json", "csv", "parquet"};

// Parses a comma-separated list of local copy formats ("json,csv,parquet",
// "csv", ...) or "none" into formats in the order of kLocalCopyFormats,
// each once. kInvalidArgument naming an unknown value and the accepted ones.
Result<std::vector<std::string>> ParseLocalCopyFormats(std::string_view list);

class LocalOutputs {
 public:
  // `formats`: some of kLocalCopyFormats; none writes nothing (and creates
  // no directory). `dir` is created if missing. kInvalidArgument if a
  // format cannot hold `schema`.
  static Result<std::unique_ptr<LocalOutputs>> Open(const std::string& dir, const std::string& stem,
                                                    SchemaPtr schema,
                                                    const std::vector<std::string>& formats = {
                                                        "json", "csv", "parquet"});
  ~LocalOutputs();

  Status Add(const RecordBatch& batch, size_t row);
  // Completes every copy under its temporary name; on failure none stays.
  Status Finish();
  // After Finish: renames the copies into place, replacing the files there,
  // in the order of paths(). A copy that cannot be renamed and those after
  // it are removed; the ones before it are in place (kept even then).
  Status Replace();
  // Removes this object's temporaries; the files at paths() are untouched.
  void Abort();

  uint64_t records() const { return records_; }
  // The copies' paths, in the order of kLocalCopyFormats.
  const std::vector<std::string>& paths() const { return paths_; }
  // Whether a file exists at one of paths() (before Replace: a previous
  // copy that Replace would overwrite).
  bool AnyExists() const;
  uint64_t bytes_written() const;

 private:
  LocalOutputs() = default;
  Status Flush();

  // Declared before the writers, which write through them: destroyed after.
  std::vector<std::unique_ptr<OutputStream>> streams_;
  std::vector<StoreLocation> stores_;
  std::vector<std::unique_ptr<FileWriter>> writers_;
  std::vector<std::string> paths_;
  std::unique_ptr<RecordBatch> pending_;
  uint64_t records_ = 0;
  bool finished_ = false;  // Finish succeeded: the temporaries are complete
  bool done_ = false;      // replaced or aborted
  Status failed_;          // the first Add that failed
};

}  // namespace lakepipe

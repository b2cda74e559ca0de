// LocalOutputs: the offline copies of consumed records that users of
// batch pipelines expect next to the lake: <dir>/<stem>.json (a JSON
// array), <dir>/<stem>.csv and <dir>/<stem>.parquet, with the same records
// in the same order.
//
// Lifecycle: Add... then exactly one of Finish (the three files appear,
// each atomically; if one cannot be finished, none stays) or Abort
// (nothing appears). After a failed Add, Finish aborts and returns that
// error.
//
// Thread-safety: one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/column.h"
#include "core/result.h"
#include "formats/format.h"
#include "storage/object_store.h"

namespace lakepipe {

class LocalOutputs {
 public:
  // `dir` is created if missing. kInvalidArgument if a format cannot hold
  // `schema`.
  static Result<std::unique_ptr<LocalOutputs>> Open(const std::string& dir, const std::string& stem,
                                                    SchemaPtr schema);
  ~LocalOutputs();

  Status Add(const RecordBatch& batch, size_t row);
  Status Finish();
  void Abort();

  uint64_t records() const { return records_; }
  // The three paths, JSON, CSV, Parquet.
  const std::vector<std::string>& paths() const { return paths_; }
  uint64_t bytes_written() const;

 private:
  LocalOutputs() = default;
  Status Flush();

  std::vector<StoreLocation> stores_;
  std::vector<std::unique_ptr<FileWriter>> writers_;
  std::vector<std::string> paths_;
  std::unique_ptr<RecordBatch> pending_;
  uint64_t records_ = 0;
  bool done_ = false;
  Status failed_;  // the first Add that failed
};

}  // namespace lakepipe

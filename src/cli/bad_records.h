// A dead-letter file for rejected records: one JSON line per record,
// {"source", "line", "offset", "reason", "record"}. Written through an
// OutputStream, so it appears atomically when committed.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "formats/format.h"

namespace lakepipe::cli {

class BadRecordFile {
 public:
  static Result<std::unique_ptr<BadRecordFile>> Open(const std::string& uri,
                                                     const OutputOptions& options = {});

  // Thread-safe.
  Status Add(const BadRecord& record);
  // A sink that appends to this file.
  BadRecordSink Sink();
  uint64_t count() const;
  const std::string& path() const { return out_->path(); }
  Status Commit();
  // Discards the file (a failed run's rejects are not published).
  void Abort();

 private:
  explicit BadRecordFile(std::unique_ptr<OutputStream> out) : out_(std::move(out)) {}
  mutable std::mutex mu_;
  std::unique_ptr<OutputStream> out_;
  uint64_t count_ = 0;
};

}  // namespace lakepipe::cli

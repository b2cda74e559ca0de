// The batch loop shared by the text readers (internal to the text module).
//
// A TextRecordReader takes records from a RecordSplitter and hands them one
// at a time to its format's Take until the batch holds
// ReadOptions::batch_rows rows or the file ends. Records the format rejects
// go to ReadOptions::bad_records, or, without a sink, stop reading with an
// error naming file:line.
//
// Thread-safety: one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "formats/format.h"
#include "formats/text/record_splitter.h"

namespace lakepipe::text {

class TextRecordReader : public RecordReader {
 public:
  const SchemaPtr& schema() const final { return options_.schema; }
  uint64_t rejected() const final { return rejected_; }
  Result<bool> ReadBatch(RecordBatch* batch) final;

 protected:
  TextRecordReader(std::unique_ptr<InputFile> file, ReadOptions options)
      : file_(std::move(file)), options_(std::move(options)) {}

  InputFile& file() const { return *file_; }
  const ReadOptions& options() const { return options_; }

  // Where the records come from.
  virtual RecordSplitter& splitter() = 0;
  // Adds `record` to `batch`, skips it or rejects it (Reject); an error
  // stops reading.
  virtual Status Take(const RawRecord& record, RecordBatch* batch) = 0;
  // Called once, after the last record.
  virtual Status AtEnd() { return Status::OK(); }

  // Hands a bad record to ReadOptions::bad_records and counts it; without
  // a sink, kInvalidArgument "<path>:<line>: <reason>".
  Status Reject(uint64_t line, uint64_t offset, std::string_view raw, std::string reason);
  // No records are left (an empty file found while reading a header).
  void MarkDone() { done_ = true; }

 private:
  std::unique_ptr<InputFile> file_;
  ReadOptions options_;
  uint64_t rejected_ = 0;
  bool done_ = false;
};

}  // namespace lakepipe::text

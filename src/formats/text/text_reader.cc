#include "formats/text/text_reader.h"

namespace lakepipe::text {

Result<bool> TextRecordReader::ReadBatch(RecordBatch* batch) {
  batch->Clear();
  if (options_.batch_rows == 0) return InvalidArgumentError("batch_rows must be at least 1");
  while (!done_ && batch->num_rows() < options_.batch_rows) {
    RawRecord record;
    LP_ASSIGN_OR_RETURN(bool more, splitter().Next(&record));
    if (!more) {
      LP_RETURN_IF_ERROR(AtEnd());
      done_ = true;
      break;
    }
    LP_RETURN_IF_ERROR(Take(record, batch));
  }
  return batch->num_rows() > 0;
}

Status TextRecordReader::Reject(uint64_t line, uint64_t offset, std::string_view raw,
                                std::string reason) {
  if (!options_.bad_records) {
    return InvalidArgumentError("{}:{}: {}", file_->path(), line, reason);
  }
  ++rejected_;
  BadRecord bad;
  bad.source = file_->path();
  bad.line = line;
  bad.offset = offset;
  bad.reason = std::move(reason);
  bad.raw = std::string(raw);
  return options_.bad_records(bad);
}

}  // namespace lakepipe::text

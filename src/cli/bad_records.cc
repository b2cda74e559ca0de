#include "cli/bad_records.h"

#include <nlohmann/json.hpp>

namespace lakepipe::cli {

Result<std::unique_ptr<BadRecordFile>> BadRecordFile::Open(const std::string& uri,
                                                           const OutputOptions& options) {
  LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> out, OpenOutputStream(uri, options));
  return std::unique_ptr<BadRecordFile>(new BadRecordFile(std::move(out)));
}

Status BadRecordFile::Add(const BadRecord& r) {
  nlohmann::ordered_json j;
  j["source"] = r.source;
  if (r.line > 0) j["line"] = r.line;
  j["offset"] = r.offset;
  j["reason"] = r.reason;
  j["record"] = r.raw;
  std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  line.push_back('\n');
  std::lock_guard<std::mutex> lock(mu_);
  ++count_;
  return out_->Append(line);
}

BadRecordSink BadRecordFile::Sink() {
  return [this](const BadRecord& r) { return Add(r); };
}

uint64_t BadRecordFile::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

Status BadRecordFile::Commit() {
  std::lock_guard<std::mutex> lock(mu_);
  return out_->Commit();
}

void BadRecordFile::Abort() {
  std::lock_guard<std::mutex> lock(mu_);
  out_->Abort();
}

}  // namespace lakepipe::cli

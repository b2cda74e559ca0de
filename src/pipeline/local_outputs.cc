#include "pipeline/local_outputs.h"

#include <filesystem>

#include <fmt/format.h>

namespace lakepipe {
namespace {
constexpr size_t kFlushRows = 8192;
}  // namespace

Result<std::unique_ptr<LocalOutputs>> LocalOutputs::Open(const std::string& dir,
                                                         const std::string& stem,
                                                         SchemaPtr schema) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return UnavailableError("cannot create {}: {}", dir, ec.message());
  std::unique_ptr<LocalOutputs> out(new LocalOutputs());
  out->pending_ = std::make_unique<RecordBatch>(schema);
  for (const char* ext : {".json", ".csv", ".parquet"}) {
    const std::string path = fmt::format("{}/{}{}", dir, stem, ext);
    LP_ASSIGN_OR_RETURN(const FormatInfo* format, FormatRegistry::Default().ForPath(path));
    LP_ASSIGN_OR_RETURN(StoreLocation loc, ObjectStoreRegistry::Default().Resolve(path));
    WriteOptions wo;
    wo.parquet.compression = "zstd";
    LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> stream,
                        loc.store->OpenOutput(loc.path, wo.output));
    Result<std::unique_ptr<FileWriter>> writer = format->new_writer(std::move(stream), schema, wo);
    if (!writer.ok()) {
      out->Abort();
      return writer.status().WithContext(path);
    }
    out->stores_.push_back(std::move(loc));
    out->writers_.push_back(std::move(writer).value());
    out->paths_.push_back(path);
  }
  return out;
}

LocalOutputs::~LocalOutputs() {
  if (!done_) Abort();
}

Status LocalOutputs::Add(const RecordBatch& batch, size_t row) {
  if (!failed_.ok()) return failed_;
  pending_->AppendRowFrom(batch, row);
  ++records_;
  if (pending_->num_rows() >= kFlushRows) failed_ = Flush();
  return failed_;
}

Status LocalOutputs::Flush() {
  if (pending_->num_rows() == 0) return Status::OK();
  for (size_t i = 0; i < writers_.size(); ++i) {
    LP_RETURN_IF_ERROR(writers_[i]->Write(*pending_).WithContext(paths_[i]));
  }
  pending_->Clear();
  return Status::OK();
}

Status LocalOutputs::Finish() {
  if (!failed_.ok()) {
    Abort();
    return failed_;
  }
  Status st = Flush();
  if (!st.ok()) {
    Abort();
    return st;
  }
  size_t finished = 0;
  for (; finished < writers_.size() && st.ok(); ++finished) {
    st = writers_[finished]->Finish().WithContext(paths_[finished]);
  }
  if (!st.ok()) {
    // The writer that failed and those after it are discarded; the ones
    // already visible are removed, so that no file is left from a run whose
    // copies are incomplete.
    for (size_t i = finished - 1; i < writers_.size(); ++i) writers_[i]->Abort();
    for (size_t i = 0; i + 1 < finished; ++i) {
      std::error_code ec;
      std::filesystem::remove(paths_[i], ec);
    }
  }
  done_ = true;
  return st;
}

void LocalOutputs::Abort() {
  for (auto& w : writers_) w->Abort();
  done_ = true;
}

uint64_t LocalOutputs::bytes_written() const {
  uint64_t n = 0;
  for (const auto& w : writers_) n += w->bytes_written();
  return n;
}

}  // namespace lakepipe

#include "pipeline/local_outputs.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

namespace lakepipe {
namespace {

constexpr size_t kFlushRows = 8192;

// Passes a writer's bytes through to the store's stream but holds back its
// Commit: the object stays under its temporary name until the owner
// commits the underlying stream itself.
class HeldStream final : public OutputStream {
 public:
  explicit HeldStream(OutputStream* inner) : inner_(inner) {}
  const std::string& path() const override { return inner_->path(); }
  Status Append(std::string_view data) override { return inner_->Append(data); }
  uint64_t position() const override { return inner_->position(); }
  Status Commit() override { return Status::OK(); }
  void Abort() override { inner_->Abort(); }

 private:
  OutputStream* inner_;
};

std::string AcceptedFormats() {
  return fmt::format("{}, or none", fmt::join(kLocalCopyFormats, ", "));
}

}  // namespace

Result<std::vector<std::string>> ParseLocalCopyFormats(std::string_view list) {
  if (list == "none") return std::vector<std::string>{};
  std::vector<bool> wanted(std::size(kLocalCopyFormats), false);
  size_t start = 0;
  while (start <= list.size()) {
    const size_t comma = std::min(list.find(',', start), list.size());
    const std::string_view name = list.substr(start, comma - start);
    const auto* it = std::find(std::begin(kLocalCopyFormats), std::end(kLocalCopyFormats), name);
    if (it == std::end(kLocalCopyFormats)) {
      if (name == "none") {
        return InvalidArgumentError("'none' cannot be listed with formats in '{}': give it alone",
                                    list);
      }
      return InvalidArgumentError("'{}' is not a local copy format: name {}", name,
                                  AcceptedFormats());
    }
    wanted[static_cast<size_t>(it - std::begin(kLocalCopyFormats))] = true;
    start = comma + 1;
  }
  std::vector<std::string> formats;
  for (size_t i = 0; i < wanted.size(); ++i) {
    if (wanted[i]) formats.emplace_back(kLocalCopyFormats[i]);
  }
  return formats;
}

Result<std::unique_ptr<LocalOutputs>> LocalOutputs::Open(const std::string& dir,
                                                         const std::string& stem, SchemaPtr schema,
                                                         const std::vector<std::string>& formats) {
  std::unique_ptr<LocalOutputs> out(new LocalOutputs());
  out->pending_ = std::make_unique<RecordBatch>(schema);
  if (formats.empty()) return out;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return UnavailableError("cannot create {}: {}", dir, ec.message());
  for (const std::string& name : formats) {
    const std::string path = fmt::format("{}/{}.{}", dir, stem, name);
    LP_ASSIGN_OR_RETURN(const FormatInfo* format, FormatRegistry::Default().ForPath(path));
    LP_ASSIGN_OR_RETURN(StoreLocation loc, ObjectStoreRegistry::Default().Resolve(path));
    WriteOptions wo;
    wo.parquet.compression = "zstd";
    LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> stream,
                        loc.store->OpenOutput(loc.path, wo.output));
    Result<std::unique_ptr<FileWriter>> writer =
        format->new_writer(std::make_unique<HeldStream>(stream.get()), schema, wo);
    if (!writer.ok()) {
      stream->Abort();
      out->Abort();
      return writer.status().WithContext(path);
    }
    out->streams_.push_back(std::move(stream));
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
  ++records_;
  if (writers_.empty()) return Status::OK();
  pending_->AppendRowFrom(batch, row);
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
  Status st = failed_.ok() ? Flush() : failed_;
  for (size_t i = 0; i < writers_.size() && st.ok(); ++i) {
    st = writers_[i]->Finish().WithContext(paths_[i]);
  }
  if (!st.ok()) {
    Abort();
    return st;
  }
  finished_ = true;
  return Status::OK();
}

Status LocalOutputs::Replace() {
  if (!finished_ || done_) {
    return FailedPreconditionError("the local copies in {} cannot replace the files there: {}",
                                   fmt::join(paths_, ", "),
                                   done_ ? "already replaced or aborted" : "not finished");
  }
  Status st;
  for (size_t i = 0; i < streams_.size(); ++i) {
    if (st.ok()) st = streams_[i]->Commit().WithContext(paths_[i]);
    if (!st.ok()) streams_[i]->Abort();
  }
  done_ = true;
  return st;
}

void LocalOutputs::Abort() {
  if (done_) return;
  if (!finished_) {
    for (auto& w : writers_) w->Abort();
  }
  for (auto& s : streams_) s->Abort();
  done_ = true;
}

bool LocalOutputs::AnyExists() const {
  for (size_t i = 0; i < paths_.size(); ++i) {
    if (stores_[i].store->OpenInput(stores_[i].path).ok()) return true;
  }
  return false;
}

uint64_t LocalOutputs::bytes_written() const {
  uint64_t n = 0;
  for (const auto& w : writers_) n += w->bytes_written();
  return n;
}

}  // namespace lakepipe

#include "archive/partitioned_writer.h"

#include <utility>

#include <malloc.h>  // malloc_trim

#include <fmt/format.h>

#include "iceberg/data_schema.h"
#include "iceberg/table_metadata.h"
#include "lake/lake.h"
#include "observe/metrics.h"

namespace lakepipe::archive {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kStagingRows = 1024;  // rows handed to a writer at a time
// How many payload bytes may go into a file between size checks (computing
// a writer's size walks its columns).
constexpr uint64_t kSizeCheckBytes = 1 << 20;
// Batches decoded but not yet encoded, across all files.
constexpr uint64_t kWriterQueueBytes = 8ull << 20;
// New files between two sums of the open files' memory (at most).
constexpr size_t kMemoryRecountFiles = 32;

Status FlushStaging(OpenFile& f) {
  if (f.staging.num_rows() == 0) return Status::OK();
  return f.writer->Submit(&f.staging);
}

}  // namespace

PartitionedWriter::PartitionedWriter(ObjectStore* store, std::string lake_path, WriteOptions write,
                                     WriterLimits limits, const PartitionStates* states)
    : store_(store),
      lake_path_(std::move(lake_path)),
      write_(std::move(write)),
      limits_(limits),
      states_(states),
      writer_thread_(kWriterQueueBytes) {}

std::string PartitionedWriter::TableDir(const TopicContext& ctx) const {
  return fmt::format("{}/{}", lake_path_, lake::Lake::RawDir(ctx.table, ctx.layout.format));
}

std::string PartitionedWriter::StagingDir(const std::string& table,
                                          const kafka::TopicPartition& tp) const {
  return fmt::format("{}/{}", lake_path_, lake::Lake::StagingDir(table, tp.topic, tp.partition));
}

Result<OpenFile*> PartitionedWriter::FileFor(PartitionState& s, const std::string& partition_path,
                                             int64_t first_offset,
                                             const std::vector<iceberg::Datum>* partition) {
  auto it = s.files.find(partition_path);
  if (it != s.files.end()) return it->second.get();
  auto file = std::make_unique<OpenFile>(s.context->decoder->schema());
  file->partition_path = partition_path;
  SchemaPtr file_schema = s.context->decoder->schema();
  if (const IcebergTarget* iceberg = s.context->iceberg) {
    const std::string relative = fmt::format(
        "{}{}{}+{}+{}-{}{}", partition_path, partition_path.empty() ? "" : "/", s.tp.topic,
        s.tp.partition, first_offset, iceberg::NewUuid(), s.context->format->extensions.front());
    file->path = fmt::format("{}/{}", iceberg->data_dir, relative);
    file->uri = fmt::format("{}/{}", iceberg->data_uri, relative);
    if (partition != nullptr) file->partition = *partition;
    file_schema = iceberg->schema;
  } else {
    const std::string dir = partition_path.empty()
                                ? TableDir(*s.context)
                                : fmt::format("{}/{}", TableDir(*s.context), partition_path);
    file->path = fmt::format("{}/{}+{}+{:020}{}", dir, s.tp.topic, s.tp.partition, first_offset,
                             s.context->format->extensions.front());
  }
  OutputOptions out_options = write_.output;
  out_options.staging_dir = StagingDir(s.context->table, s.tp);
  staging_dirs_.insert(out_options.staging_dir);
  LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> out,
                      store_->OpenOutput(file->path, out_options));
  LP_ASSIGN_OR_RETURN(
      std::unique_ptr<FileWriter> writer,
      s.context->format->new_writer(std::move(out), std::move(file_schema), write_));
  if (s.context->iceberg != nullptr) {
    // Converted on the writer thread, off the consuming one.
    writer = iceberg::DataFileWriter(std::move(writer), s.context->decoder->schema(),
                                     s.context->iceberg->schema);
  }
  file->writer = std::make_unique<BackgroundWriter>(std::move(writer), &writer_thread_);
  OpenFile* raw = file.get();
  s.files.emplace(partition_path, std::move(file));
  return raw;
}

Result<bool> PartitionedWriter::Added(OpenFile& file, size_t payload_bytes) {
  ++file.records;
  file.last_used = ++use_clock_;
  file.unchecked_bytes += payload_bytes;
  bool check_size = file.unchecked_bytes >= kSizeCheckBytes;
  if (file.staging.num_rows() >= kStagingRows) {
    LP_RETURN_IF_ERROR(FlushStaging(file));
    check_size = true;
  }
  if (check_size) file.unchecked_bytes = 0;
  return file.records >= limits_.flush_records ||
         (check_size && file.Bytes() >= limits_.flush_bytes);
}

uint64_t PartitionedWriter::OpenFileCount() const {
  uint64_t n = 0;
  for (const auto& [tp, s] : *states_) n += s->files.size();
  return n;
}

uint64_t PartitionedWriter::BufferedBytes() const {
  uint64_t total = 0;
  for (const auto& [tp, s] : *states_) {
    for (const auto& [path, f] : s->files) total += f->Memory();
  }
  return total;
}

// Checked at each new file, not only between polls: one poll may bring
// thousands of partition values. Summing every open file's memory costs a
// lock each, so the sum is recounted every kMemoryRecountFiles new files, or
// sooner when the files opened since, at the average size of the last
// count, would reach the bound.
bool PartitionedWriter::RoomForAnotherFile() {
  const size_t open = OpenFileCount();
  if (open >= limits_.max_open_files) return false;
  MemoryCount& c = memory_count_;
  if (c.files > 0 && c.opened_since < kMemoryRecountFiles &&
      c.bytes + (c.opened_since + 1) * (c.bytes / c.files) < limits_.max_buffer_bytes) {
    ++c.opened_since;
    return true;
  }
  const uint64_t total = BufferedBytes();
  c = MemoryCount{total, open, 0};
  if (total >= limits_.max_buffer_bytes) return false;
  ++c.opened_since;
  return true;
}

// A segment being replayed cannot end before its recorded cut, so its files
// stay open (the run that recorded it had them open too).
PartitionState* PartitionedWriter::LeastRecentlyUsed() const {
  PartitionState* victim = nullptr;
  uint64_t oldest = UINT64_MAX;
  for (const auto& [tp, s] : *states_) {
    if (!s->MayCloseEarly()) continue;
    for (const auto& [path, f] : s->files) {
      if (f->last_used < oldest) {
        oldest = f->last_used;
        victim = s.get();
      }
    }
  }
  return victim;
}

bool PartitionedWriter::Expired(const PartitionState& s, Clock::time_point now) const {
  return s.MayCloseEarly() && s.segment_started &&
         now - *s.segment_started >= limits_.rotate_interval;
}

PartitionState* PartitionedWriter::OverMemoryBound(uint64_t* buffered) const {
  uint64_t total = 0, largest = 0;
  PartitionState* victim = nullptr;
  for (const auto& [tp, s] : *states_) {
    for (const auto& [path, f] : s->files) {
      const uint64_t b = f->Memory();
      total += b;
      if (b > largest && s->MayCloseEarly()) {
        largest = b;
        victim = s.get();
      }
    }
  }
  *buffered = total;
  return total < limits_.max_buffer_bytes ? nullptr : victim;
}

Result<PartitionedWriter::Finished> PartitionedWriter::Finish(PartitionState& s) {
  Finished done;
  for (auto& [path, file] : s.files) {
    LP_RETURN_IF_ERROR(FlushStaging(*file));
    const auto finishing = Clock::now();
    LP_RETURN_IF_ERROR(file->writer->Finish());
    observe::Registry::Default().Observe(
        "lakepipe_upload_seconds", {{"table", s.context->table}},
        std::chrono::duration<double>(Clock::now() - finishing).count());
    // Read once the file is finished: nothing is in flight any more.
    done.records += file->writer->rows_written();
    done.bytes += file->writer->bytes_written();
    ++done.files;
  }
  return done;
}

void PartitionedWriter::Release(PartitionState& s, const Finished& finished) {
  s.files.clear();
  s.last_file = nullptr;
  // The writers' buffers are free now; give the pages back so that peak
  // RSS follows the open files, not the history of closed ones.
  if (finished.files > 0) malloc_trim(0);
}

void PartitionedWriter::Abort(PartitionState& s) {
  for (auto& [path, file] : s.files) file->writer->Abort();
  s.files.clear();
  s.last_file = nullptr;
}

bool PartitionedWriter::RemoveLeftovers(const std::string& table, const kafka::TopicPartition& tp) {
  const std::string dir = StagingDir(table, tp);
  staging_dirs_.insert(dir);
  // A writer still running (one that has not noticed yet that the
  // partition moved on) keeps its files: see DeleteAbandoned.
  return store_->DeleteAbandoned(dir).ok();
}

void PartitionedWriter::RemoveEmptyStagingDirs() {
  for (auto it = staging_dirs_.rbegin(); it != staging_dirs_.rend(); ++it) {
    RemoveEmptyDirectories(*store_, *it, lake_path_);
  }
}

}  // namespace lakepipe::archive

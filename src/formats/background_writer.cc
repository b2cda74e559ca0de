#include "formats/background_writer.h"

#include <utility>

namespace lakepipe {

WriterThread::WriterThread(uint64_t max_queued_bytes)
    : max_queued_bytes_(max_queued_bytes), thread_([this] { Loop(); }) {}

WriterThread::~WriterThread() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void WriterThread::Push(Job job) {
  std::unique_lock<std::mutex> lock(mu_);
  // One job is always accepted, however large, so that a batch bigger than
  // the limit cannot block forever.
  changed_.wait(lock, [&] { return jobs_.empty() || queued_bytes_ < max_queued_bytes_; });
  queued_bytes_ += job.bytes;
  jobs_.push_back(std::move(job));
  changed_.notify_all();
}

void WriterThread::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    changed_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and nothing left
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    lock.unlock();
    job.run();  // takes mu_ itself to publish its outcome
    lock.lock();
    queued_bytes_ -= job.bytes;
    changed_.notify_all();
  }
}

BackgroundWriter::BackgroundWriter(std::unique_ptr<FileWriter> inner, WriterThread* thread)
    : inner_(std::move(inner)), thread_(thread) {
  memory_ = inner_->memory_bytes();
  bytes_ = inner_->bytes_written();
}

BackgroundWriter::~BackgroundWriter() {
  if (!done_) Abort();
}

Status BackgroundWriter::Submit(RecordBatch* batch) {
  if (done_) return FailedPreconditionError("write to a finished or aborted file");
  const uint64_t size = batch->ByteSize();
  const uint64_t rows = batch->num_rows();
  std::optional<RecordBatch> recycled;
  {
    std::lock_guard<std::mutex> lock(thread_->mu_);
    if (!error_.ok()) return error_;
    recycled.swap(spare_);
    spare_bytes_ = 0;
    ++pending_jobs_;
    queued_bytes_ += size;
    queued_rows_ += rows;
  }
  auto shared = std::make_shared<RecordBatch>(std::move(*batch));
  // `*batch` gets the recycled (empty) buffers when there are some.
  *batch = recycled ? std::move(*recycled) : RecordBatch(shared->schema());
  thread_->Push({[this, shared, size, rows] { Run(std::move(*shared), size, rows); }, size});
  return Status::OK();
}

void BackgroundWriter::Run(RecordBatch batch, uint64_t size, uint64_t rows) {
  bool failed;
  {
    std::lock_guard<std::mutex> lock(thread_->mu_);
    failed = !error_.ok();
  }
  Status status = failed ? Status::OK() : inner_->Write(batch);
  const uint64_t written_rows = inner_->rows_written();
  const uint64_t written_bytes = inner_->bytes_written();
  const uint64_t memory = inner_->memory_bytes();
  batch.Clear();
  std::lock_guard<std::mutex> lock(thread_->mu_);
  rows_ = written_rows;
  bytes_ = written_bytes;
  memory_ = memory;
  queued_bytes_ -= size;
  queued_rows_ -= rows;
  if (!status.ok() && error_.ok()) error_ = std::move(status);
  if (!spare_) {
    spare_bytes_ = batch.MemoryBytes();
    spare_.emplace(std::move(batch));
  }
  --pending_jobs_;
}

Status BackgroundWriter::Write(const RecordBatch& batch) {
  RecordBatch copy(batch.schema());
  for (size_t r = 0; r < batch.num_rows(); ++r) copy.AppendRowFrom(batch, r);
  return Submit(&copy);
}

void BackgroundWriter::Drain() {
  std::unique_lock<std::mutex> lock(thread_->mu_);
  thread_->changed_.wait(lock, [&] { return pending_jobs_ == 0; });
}

void BackgroundWriter::DropSpares() {
  std::lock_guard<std::mutex> lock(thread_->mu_);
  spare_.reset();
  spare_bytes_ = 0;
}

Status BackgroundWriter::Finish() {
  if (done_) return FailedPreconditionError("file already finished or aborted");
  Drain();
  Status error;
  {
    std::lock_guard<std::mutex> lock(thread_->mu_);
    error = error_;
  }
  if (!error.ok()) {
    Abort();
    return error;
  }
  done_ = true;
  DropSpares();
  Status finished = inner_->Finish();
  std::lock_guard<std::mutex> lock(thread_->mu_);
  rows_ = inner_->rows_written();
  bytes_ = inner_->bytes_written();
  memory_ = 0;
  return finished;
}

void BackgroundWriter::Abort() {
  if (done_) return;
  {
    // Later jobs of this writer skip their batch.
    std::lock_guard<std::mutex> lock(thread_->mu_);
    if (error_.ok()) error_ = FailedPreconditionError("file aborted");
  }
  Drain();
  done_ = true;
  DropSpares();
  inner_->Abort();
  std::lock_guard<std::mutex> lock(thread_->mu_);
  memory_ = 0;
}

uint64_t BackgroundWriter::rows_written() const {
  std::lock_guard<std::mutex> lock(thread_->mu_);
  return rows_ + queued_rows_;
}

uint64_t BackgroundWriter::bytes_written() const {
  std::lock_guard<std::mutex> lock(thread_->mu_);
  return bytes_ + queued_bytes_;
}

uint64_t BackgroundWriter::memory_bytes() const {
  std::lock_guard<std::mutex> lock(thread_->mu_);
  return memory_ + queued_bytes_ + spare_bytes_;
}

}  // namespace lakepipe

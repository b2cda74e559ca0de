// BackgroundWriter: a FileWriter whose Write() work (encoding, compressing)
// runs on a WriterThread, so that the caller can decode the next records on
// another core meanwhile.
//
//   WriterThread thread(64 << 20);  // at most 64 MiB of batches queued
//   BackgroundWriter writer(std::move(inner), &thread);
//   writer.Submit(&batch);          // takes the rows; `batch` comes back empty
//   ...
//   LP_RETURN_IF_ERROR(writer.Finish());  // waits for its queued batches first
//
// Order: a writer's batches are written in the order submitted. One thread
// serves every writer sharing it, in submission order.
// Errors: a failed Write is reported by the next Submit() or by Finish();
// later batches of that writer are dropped.
// Backpressure: Submit() blocks while the thread's queued batches exceed the
// thread's byte limit.
// Lifecycle: Submit()... then exactly one of Finish() or Abort(), as for any
// FileWriter; the destructor aborts an unfinished writer. The writer must not
// outlive its thread.
// Thread-safety: one thread calls Submit, Write, Finish and Abort;
// memory_bytes(), bytes_written() and rows_written() may be called by that
// thread at any time (they read the counters the worker updates, each
// batch counted once: queued or written).
// memory_bytes() counts the inner writer's memory, the batches queued and
// the one written batch kept (cleared) for reuse.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "formats/format.h"

namespace lakepipe {

class WriterThread {
 public:
  // `max_queued_bytes`: Submit() blocks while more than this is queued.
  explicit WriterThread(uint64_t max_queued_bytes);
  // Runs the jobs still queued, then joins.
  ~WriterThread();
  WriterThread(const WriterThread&) = delete;
  WriterThread& operator=(const WriterThread&) = delete;

 private:
  friend class BackgroundWriter;
  struct Job {
    std::function<void()> run;
    uint64_t bytes = 0;
  };
  // Queues `job`, waiting while the queue is over its limit.
  void Push(Job job);
  void Loop();

  const uint64_t max_queued_bytes_;
  std::mutex mu_;
  std::condition_variable changed_;  // a job was queued or finished, or stopping
  std::deque<Job> jobs_;
  uint64_t queued_bytes_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

class BackgroundWriter final : public FileWriter {
 public:
  BackgroundWriter(std::unique_ptr<FileWriter> inner, WriterThread* thread);
  ~BackgroundWriter() override;

  // Hands the rows of `*batch` to the thread; `*batch` is left empty (with
  // the same schema, its buffers possibly recycled from earlier batches).
  Status Submit(RecordBatch* batch);
  // Copies `batch` and submits the copy.
  Status Write(const RecordBatch& batch) override;
  Status Finish() override;
  void Abort() override;
  uint64_t rows_written() const override;
  uint64_t bytes_written() const override;
  uint64_t memory_bytes() const override;

 private:
  // Waits until the thread has run every job of this writer.
  void Drain();
  // Frees the batches kept for reuse (the file is done).
  void DropSpares();
  void Run(RecordBatch batch, uint64_t size, uint64_t rows);

  std::unique_ptr<FileWriter> inner_;
  WriterThread* thread_;
  bool done_ = false;

  // Shared with the worker, under thread_->mu_. The counters of written and
  // queued data change together, so a reader never counts a batch twice.
  uint64_t pending_jobs_ = 0;
  Status error_;
  std::optional<RecordBatch> spare_;  // the last written batch, cleared, for reuse
  uint64_t rows_ = 0;                 // in the inner writer
  uint64_t bytes_ = 0;
  uint64_t memory_ = 0;
  uint64_t queued_bytes_ = 0;  // submitted, not yet written
  uint64_t queued_rows_ = 0;
  uint64_t spare_bytes_ = 0;  // MemoryBytes() of spare_
};

}  // namespace lakepipe

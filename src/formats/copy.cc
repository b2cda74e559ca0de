#include "formats/copy.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace lakepipe {
namespace {

Result<CopyStats> CopySequential(RecordReader* reader, FileWriter* writer) {
  CopyStats stats;
  RecordBatch batch(reader->schema());
  while (true) {
    LP_ASSIGN_OR_RETURN(bool more, reader->ReadBatch(&batch));
    if (!more) return stats;
    LP_RETURN_IF_ERROR(writer->Write(batch));
    stats.rows += batch.num_rows();
  }
}

// Batches cycle between a free list and a ready queue; the reader thread
// fills free batches, the calling thread writes ready ones.
class BatchExchange {
 public:
  BatchExchange(const SchemaPtr& schema, size_t n) {
    for (size_t i = 0; i < n; ++i) free_.push_back(std::make_unique<RecordBatch>(schema));
  }

  // Reader side. Returns null when the writer has stopped.
  std::unique_ptr<RecordBatch> TakeFree() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !free_.empty() || stopped_; });
    if (stopped_) return nullptr;
    auto b = std::move(free_.front());
    free_.pop_front();
    return b;
  }
  void PutReady(std::unique_ptr<RecordBatch> b) {
    std::lock_guard<std::mutex> lock(mu_);
    ready_.push_back(std::move(b));
    cv_.notify_all();
  }
  void FinishReading(Status status) {
    std::lock_guard<std::mutex> lock(mu_);
    reader_done_ = true;
    reader_status_ = std::move(status);
    cv_.notify_all();
  }

  // Writer side. Returns null at the end of input (check reader_status()).
  std::unique_ptr<RecordBatch> TakeReady() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return !ready_.empty() || reader_done_; });
    if (ready_.empty()) return nullptr;
    auto b = std::move(ready_.front());
    ready_.pop_front();
    return b;
  }
  void PutFree(std::unique_ptr<RecordBatch> b) {
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(std::move(b));
    cv_.notify_all();
  }
  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }
  Status reader_status() {
    std::lock_guard<std::mutex> lock(mu_);
    return reader_status_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<RecordBatch>> free_;
  std::deque<std::unique_ptr<RecordBatch>> ready_;
  bool reader_done_ = false;
  bool stopped_ = false;
  Status reader_status_;
};

}  // namespace

Result<CopyStats> CopyRecords(RecordReader* reader, FileWriter* writer,
                              const CopyOptions& options) {
  if (!options.overlap || options.batches_in_flight < 2) return CopySequential(reader, writer);
  BatchExchange exchange(reader->schema(), options.batches_in_flight);
  std::thread producer([&] {
    Status status;
    while (true) {
      std::unique_ptr<RecordBatch> batch = exchange.TakeFree();
      if (!batch) break;
      Result<bool> more = reader->ReadBatch(batch.get());
      if (!more.ok()) {
        status = more.status();
        break;
      }
      if (!*more) break;
      exchange.PutReady(std::move(batch));
    }
    exchange.FinishReading(std::move(status));
  });
  CopyStats stats;
  Status write_status;
  while (std::unique_ptr<RecordBatch> batch = exchange.TakeReady()) {
    write_status = writer->Write(*batch);
    if (!write_status.ok()) break;
    stats.rows += batch->num_rows();
    exchange.PutFree(std::move(batch));
  }
  exchange.Stop();
  producer.join();
  LP_RETURN_IF_ERROR(write_status);
  LP_RETURN_IF_ERROR(exchange.reader_status());
  return stats;
}

}  // namespace lakepipe

#include "pipeline/produce.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

namespace lakepipe {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point from) {
  return std::chrono::duration<double>(Clock::now() - from).count();
}

}  // namespace

Result<ProduceSummary> RunProduce(Source& source, const BatchProjector* projector,
                                  const RecordEncoder& encoder,
                                  const std::optional<KeyExtractor>& key, kafka::Producer& producer,
                                  const ProduceOptions& options, const std::atomic<bool>& stop) {
  ProduceSummary summary;
  ProduceProgress& p = summary.progress;
  RecordBatch raw(source.schema());
  std::optional<RecordBatch> projected;
  if (projector) projected.emplace(projector->to());
  std::string value, key_text;
  uint64_t projection_rejects = 0;
  const Clock::time_point start = Clock::now();
  Clock::time_point next_progress = start + options.progress_interval;
  auto refresh = [&] {
    const kafka::ProducerStats s = producer.stats();
    p.delivered = s.delivered;
    p.failed = s.failed;
    p.rejected = source.rejected() + projection_rejects;
    p.seconds = Seconds(start);
  };
  auto out_of_time = [&] {
    return options.duration.count() > 0 && Clock::now() - start >= options.duration;
  };

  while (!stop.load(std::memory_order_relaxed) && !out_of_time()) {
    size_t want = options.batch_rows;
    if (options.count > 0) {
      if (p.produced >= options.count) break;
      want = static_cast<size_t>(std::min<uint64_t>(want, options.count - p.produced));
    }
    LP_ASSIGN_OR_RETURN(bool more, source.Next(&raw, want));
    if (!more) {
      summary.source_exhausted = true;
      break;
    }
    const RecordBatch* batch = &raw;
    if (projector) {
      BadRecordSink counting;
      if (options.bad_records) {
        counting = [&](const BadRecord& r) {
          ++projection_rejects;
          return options.bad_records(r);
        };
      }
      LP_RETURN_IF_ERROR(projector->Project(raw, &*projected, counting, "source"));
      batch = &*projected;
    }
    for (size_t row = 0; row < batch->num_rows(); ++row) {
      if (options.rate > 0) {
        // Record i is due at start + i / rate; wait for it, serving delivery reports.
        const auto due =
            start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(
                        static_cast<double>(p.produced) / options.rate));
        while (Clock::now() < due && !stop.load(std::memory_order_relaxed)) {
          producer.Poll();
          std::this_thread::sleep_for(
              std::min<Clock::duration>(due - Clock::now(), std::chrono::milliseconds(20)));
        }
      }
      if (stop.load(std::memory_order_relaxed) || (options.rate > 0 && out_of_time())) break;
      encoder.Encode(*batch, row, &value);
      const bool has_key = key && key->Extract(*batch, row, &key_text);
      LP_RETURN_IF_ERROR(producer.Produce(
          options.topic, has_key ? std::string_view(key_text) : std::string_view(), value));
      ++p.produced;
      p.bytes += value.size();
    }
    if (options.on_progress && Clock::now() >= next_progress) {
      refresh();
      options.on_progress(p);
      next_progress = Clock::now() + options.progress_interval;
    }
  }
  summary.interrupted = stop.load(std::memory_order_relaxed);
  Status flushed = producer.Flush(options.flush_timeout);
  refresh();
  summary.stats = producer.stats();
  // Records that failed are in the stats (the caller reports them by
  // cause); records still undelivered after the timeout are an error.
  if (flushed.code() == StatusCode::kDeadlineExceeded) {
    return flushed.WithContext(fmt::format("delivering to '{}'", options.topic));
  }
  return summary;
}

}  // namespace lakepipe

// The produce loop: records from a Source, encoded, onto a Kafka topic.
//
// Stops when `count` records were produced, `duration` has passed, a
// finite source is exhausted, or `stop` becomes true (SIGINT); then waits
// for every outstanding delivery report. Rate limiting spaces records
// evenly at `rate` records per second.
//
// Thread-safety: runs on the calling thread; `stop` may be set from another
// thread or a signal handler.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "formats/projection.h"
#include "kafka/producer.h"
#include "pipeline/record_encoder.h"
#include "sources/source.h"

namespace lakepipe {

struct ProduceProgress {
  uint64_t produced = 0;   // handed to the producer
  uint64_t delivered = 0;  // acknowledged by the brokers
  uint64_t failed = 0;     // delivery failed for good
  uint64_t rejected = 0;   // bad source records (dead-lettered)
  uint64_t bytes = 0;      // value bytes produced
  double seconds = 0;
};

struct ProduceOptions {
  std::string topic;
  uint64_t count = 0;                     // 0: unlimited
  std::chrono::milliseconds duration{0};  // 0: unlimited
  double rate = 0;                        // records/s; 0: as fast as possible
  size_t batch_rows = 4096;               // records drawn from the source at a time
  std::chrono::milliseconds flush_timeout{60000};
  std::chrono::milliseconds progress_interval{2000};
  std::function<void(const ProduceProgress&)> on_progress;
  // Records the projector cannot convert (e.g. a null into a required
  // field of the target schema) go here; without a sink they stop the run.
  BadRecordSink bad_records;
};

struct ProduceSummary {
  ProduceProgress progress;
  kafka::ProducerStats stats;
  bool interrupted = false;       // stopped by `stop`
  bool source_exhausted = false;  // a finite source ran out
};

// `projector` (may be null) converts source batches to the schema the
// encoder writes; `key` (may be empty) picks the message key.
Result<ProduceSummary> RunProduce(Source& source, const BatchProjector* projector,
                                  const RecordEncoder& encoder,
                                  const std::optional<KeyExtractor>& key, kafka::Producer& producer,
                                  const ProduceOptions& options, const std::atomic<bool>& stop);

}  // namespace lakepipe

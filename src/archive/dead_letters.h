// DeadLetterSink: where records that cannot be archived go.
//
// Each bad record is produced to a dead-letter topic ("<source topic>.dlq"
// unless named), value unchanged and with its original key, plus headers:
//   lakepipe.source.topic      the topic it was read from
//   lakepipe.source.partition  its partition (decimal)
//   lakepipe.source.offset     its offset (decimal)
//   lakepipe.source.timestamp  its Kafka timestamp in ms (decimal; only
//                              when it had one)
//   lakepipe.error             why it was rejected (the decoder's reason)
//   lakepipe.time              when it was dead-lettered (ISO-8601 UTC)
//
// Fallback files: dead letters the topic did not take (topic missing or not
// writable, record too large, brokers down past the flush timeout, or no
// producer at all) are written to the lake instead, one file per source
// topic and partition and Flush():
//   <fallback_root>/<topic>/<topic>+<partition>+<first offset>-<unix ms>.jsonl
// (first offset: the smallest offset in the file, zero-padded to 20 digits
// like the lake's data files), each line one JSON object
// {"lakepipe.source.topic", "lakepipe.source.partition",
//  "lakepipe.source.offset", "lakepipe.source.timestamp" (null when none),
//  "lakepipe.error", "lakepipe.time", "key" (base64, null when the record
//  had none), "value" (base64, null for a null value)}, committed atomically
// (create-only). Null stays null and empty stays empty, for keys and values
// alike, in the topic and in the files.
//
// Which records failed: the Producer counts delivery reports globally, not
// per record, so the sink judges a whole Flush(). When the producer reports
// no failure, every record queued since the previous Flush() reached the
// topic. When it reports any failure (or times out), every record of this
// Flush() is also written to the fallback file: some may then be in both
// places. Duplicates are better than loss; lakepipe.source.* identify them.
// Records the producer refused at once (too large, fatal producer) are known
// individually and go only to the file. For the counts to be exact, give
// the sink a Producer that nothing else uses.
//
// Thread-safety: thread-compatible; one thread calls Add() and Flush(), and
// no other thread may use the producer meanwhile.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "kafka/producer.h"

namespace lakepipe::archive {

struct DeadLetterOptions {
  // The dead-letter topic; "" -> "<source topic>.dlq".
  std::string topic{};
  // Where fallback files go, e.g. "<lake>/_rejected" (a path or URI); files
  // are under <fallback_root>/<source topic>/.
  std::string fallback_root{};
  // How long Flush() waits for the brokers to acknowledge the dead letters.
  std::chrono::milliseconds flush_timeout{30000};
  // Told once per source topic, the first time its dead letters go to
  // fallback files: where, and why the topic did not take them (a warning
  // for the log). Every such record is also counted, per source topic, in
  // lakepipe_dead_letter_fallback_records_total and fallback_records().
  std::function<void(const std::string&)> warn{};
};

// One rejected record; the views need to live only during Add().
struct DeadLetter {
  std::string_view topic;
  int32_t partition = -1;
  int64_t offset = -1;
  bool has_key = false;
  std::string_view key;
  bool has_value = true;  // false: a null value (tombstone), kept null
  std::string_view value;
  int64_t timestamp_ms = -1;  // the Kafka timestamp; -1 when none
  std::string_view reason;
};

class DeadLetterSink {
 public:
  // `producer` is owned by the caller and must outlive the sink; null means
  // fallback files only.
  DeadLetterSink(DeadLetterOptions options, kafka::Producer* producer);

  // Copies the record and queues it to the dead-letter topic (see above).
  // kInvalidArgument when record.topic is not a valid Kafka topic name (it
  // names the fallback directory) or is the dead-letter topic itself; the
  // producer's refusals are not errors (those records go to the fallback
  // file at Flush()).
  Status Add(const DeadLetter& record);

  // Waits for every dead letter queued since the previous Flush() and writes
  // the fallback files (see above). Fails only when a fallback file cannot
  // be written: the caller must then not commit the source offsets; the
  // records stay in the sink and the next Flush() tries the files again.
  struct FlushResult {
    uint64_t to_topic = 0;  // acknowledged by the dead-letter topic
    uint64_t to_files = 0;  // written to fallback files
  };
  Result<FlushResult> Flush();

  // Dead letters added since the last successful Flush().
  size_t pending() const { return pending_.size(); }

  // Why the last Flush() wrote fallback files ("" when it did not), e.g. the
  // producer's delivery error; for logs.
  const std::string& last_fallback_cause() const { return last_fallback_cause_; }

  // The dead-letter topic for records from `source_topic`.
  std::string TopicFor(std::string_view source_topic) const;

  // Dead letters of `source_topic` written to fallback files so far.
  uint64_t fallback_records(std::string_view source_topic) const;

  static constexpr const char* kFallbackMetric = "lakepipe_dead_letter_fallback_records_total";

 private:
  struct Pending {
    std::string topic;
    int32_t partition = -1;
    int64_t offset = -1;
    std::optional<std::string> key;
    std::optional<std::string> value;
    int64_t timestamp_ms = -1;
    std::string reason;
    std::string time;       // ISO-8601, when it was added
    bool produced = false;  // accepted by Produce(); false: file only
    bool written = false;   // in a fallback file already (a retried Flush)
  };

  // Writes the files and marks the records written.
  Status WriteFallbackFiles(const std::vector<Pending*>& records);
  // Counts the records written to files; warns once per source topic.
  void ReportFallback(const std::vector<Pending*>& records);

  DeadLetterOptions options_;
  kafka::Producer* producer_;
  std::vector<Pending> pending_;
  // The producer's counters when the first record of this round was queued.
  kafka::ProducerStats before_;
  // Flush() already waited for the producer and kept in pending_ only the
  // records that need a file; `acknowledged_` of them reached the topic.
  bool files_only_ = false;
  uint64_t acknowledged_ = 0;
  std::string last_fallback_cause_;
  std::map<std::string, uint64_t> fallback_records_;  // source topic -> records
  std::set<std::string> warned_;                      // source topics warned about
};

}  // namespace lakepipe::archive

// Consumer: lakepipe's Kafka group consumer, a thin owner of a librdkafka
// high-level consumer made for exactly-once archiving: no automatic commits,
// synchronous commits of explicit offsets with metadata, rebalances reported
// to a listener, and every skipped range of offsets reported.
//
//   class Archiver : public RebalanceListener { ... };
//   LP_ASSIGN_OR_RETURN(auto consumer, Consumer::Make(options, &archiver));
//   for (;;) {
//     LP_ASSIGN_OR_RETURN(MessageBatch batch, consumer->Poll(std::chrono::milliseconds(500),
//     10000)); for (const OffsetReset& reset : batch.offset_resets()) ...  // data loss: alert for
//     (const MessageView& m : batch) ... LP_RETURN_IF_ERROR(consumer->Commit({{tp, next_offset,
//     "file=..."}}));
//   }
//   LP_RETURN_IF_ERROR(consumer->Close());
//
// Where fetching starts. When partitions are assigned, the consumer calls
// RebalanceListener::OnAssigned first, then reads the group's committed
// offsets and starts each partition at its committed offset; a partition with
// no committed offset starts at the log start (auto.offset.reset=earliest,
// the default) or at the log end (latest). OnAssigned may call Committed() to
// read the metadata, and Seek() to start a partition elsewhere.
//
// Offsets the brokers no longer have. When the position of a partition is
// outside the log (below the log start because retention deleted the
// records, or past the log end because the log was truncated), the broker
// answers OFFSET_OUT_OF_RANGE and librdkafka jumps to the log start
// (auto.offset.reset=earliest) or end (latest), logging only a warning. The
// consumer knows the offset it expects next for each partition (the start
// offset, then last record + 1), so it sees the jump at the next record and
// reports it as an OffsetReset in that Poll's batch (and logs it): when the
// expected offset is below the log start, the records
// [offset, lost_until() - 1] were deleted before they were read. A gap whose
// start is still in the log is normal (transaction markers, aborted
// transactions, compaction) and is not reported.
//
// Thread-safety: Make, Poll, Commit, Committed, Watermarks, Seek, Pause,
// Resume and Close are called by one thread at a time, and the listener runs
// on that thread, inside Poll and Close. Assignment() and Lag() may be called
// from any thread at any time. A MessageBatch may be read from any thread
// (its views are immutable) but must be destroyed before its Consumer.
#pragma once

#include <atomic>
#include <chrono>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "kafka/handles.h"

namespace lakepipe::kafka {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;

  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
};

struct TopicPartitionHash {
  size_t operator()(const TopicPartition& tp) const;
};

// "topic[partition]", for messages.
std::string ToString(const TopicPartition& tp);

struct OffsetAndMetadata {
  TopicPartition tp;
  int64_t offset = -1;   // the next offset to read; -1: none committed
  std::string metadata;  // "" when none (Kafka does not tell "" from none)
};

// One fetched record. The views point into librdkafka's buffers and stay
// valid while the MessageBatch that holds the record lives.
struct MessageView {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  bool has_key = false;  // false for a null key (key is then empty)
  std::string_view key;
  bool has_value = false;     // false for a null value (a tombstone)
  std::string_view value;     // empty for a null value
  int64_t timestamp_ms = -1;  // create or log-append time; -1 when absent

  // The record's headers in wire order (names may repeat); a null header
  // value is empty. Allocates the vector; header_count() and header(i) do not.
  std::vector<std::pair<std::string_view, std::string_view>> headers() const;
  size_t header_count() const;
  // REQUIRES: i < header_count().
  std::pair<std::string_view, std::string_view> header(size_t i) const;

 private:
  friend class MessageBatch;
  const rd_kafka_headers_t* headers_ = nullptr;  // owned by the message
};

// A jump of a partition's position that skipped records no longer in the
// log, or went back (the log was truncated or the topic recreated). See the
// comment at the top.
struct OffsetReset {
  TopicPartition tp;
  int64_t offset = -1;      // the offset the consumer expected next
  int64_t resumed_at = -1;  // the offset of the record that came instead
  int64_t log_start = -1;   // the low watermark when the jump was seen; -1 unknown
  int64_t log_end = -1;     // the high watermark then; -1 unknown

  // The records [offset, lost_until() - 1] were deleted before they were
  // read (retention). With auto.offset.reset=latest the records
  // [lost_until(), resumed_at - 1] were skipped as well.
  bool lost_records() const { return offset < log_start && offset < resumed_at; }
  int64_t lost_until() const { return log_start < resumed_at ? log_start : resumed_at; }
  int64_t lost_count() const { return lost_records() ? lost_until() - offset : 0; }
  // The offsets went back: records from resumed_at on are new records that
  // reuse offsets already read.
  bool went_back() const { return resumed_at < offset; }
};

// The records of one Poll, in offset order per partition. Owns the
// librdkafka messages; movable, not copyable. Keep batches short-lived: they
// hold librdkafka's fetch buffers (bounded by queued.max.messages.kbytes).
class MessageBatch {
 public:
  MessageBatch() = default;
  MessageBatch(MessageBatch&&) noexcept = default;
  MessageBatch& operator=(MessageBatch&&) noexcept = default;
  MessageBatch(const MessageBatch&) = delete;
  MessageBatch& operator=(const MessageBatch&) = delete;
  ~MessageBatch() = default;

  size_t size() const { return views_.size(); }
  bool empty() const { return views_.empty(); }
  const MessageView& operator[](size_t i) const { return views_[i]; }
  std::vector<MessageView>::const_iterator begin() const { return views_.begin(); }
  std::vector<MessageView>::const_iterator end() const { return views_.end(); }
  // Key + value bytes of the records.
  size_t bytes() const { return bytes_; }

  // Out-of-range positions handled during this Poll (usually none).
  const std::vector<OffsetReset>& offset_resets() const { return resets_; }

 private:
  friend class Consumer;
  void Add(MessageHandle message);
  void PopBack();
  // Drops the records of `partitions` (revoked while the batch was filled).
  void Drop(const std::set<TopicPartition>& partitions);

  std::vector<MessageHandle> messages_;
  std::vector<MessageView> views_;  // views_[i] reads messages_[i]
  std::vector<OffsetReset> resets_;
  size_t bytes_ = 0;
};

// No broker could be reached: librdkafka reported all brokers down (none
// answers: stopped, unreachable, or nothing listens at the address) and no
// broker has answered since.
struct Disconnection {
  std::chrono::steady_clock::time_point since;
  std::string reason;  // librdkafka's, e.g. "1/1 brokers are down"
};

class RebalanceListener {
 public:
  virtual ~RebalanceListener() = default;
  // Called inside Consumer::Poll on the polling thread when the group gives
  // this consumer more partitions (with cooperative-sticky, only the new
  // ones), before the consumer reads their committed offsets and starts
  // fetching them. Committed() and Seek() may be called from here; Seek()
  // sets the start offset of a partition in `partitions`.
  virtual void OnAssigned(const std::vector<TopicPartition>& partitions) = 0;
  // Called inside Poll (or Close) before partitions are given up. `lost`:
  // ownership is already gone (session timeout, fenced, group error): do not
  // commit for them (Commit refuses). Commits made here for non-lost
  // partitions are still accepted by the group. Records of these partitions
  // that Poll had fetched but not yet returned are dropped.
  virtual void OnRevoked(const std::vector<TopicPartition>& partitions, bool lost) = 0;
};

struct ConsumerOptions {
  std::string brokers{};  // bootstrap.servers
  std::string group_id{};
  // Topic names, or regular expressions starting with '^'.
  std::vector<std::string> topics{};
  // Applied after lakepipe's defaults (user -X / config kafka: section);
  // producer-only properties are left out (SettingsFor, properties.h).
  Settings settings{};
  std::string client_id = "lakepipe";
  // group.instance.id (static membership, see membership.h); "": none. A
  // group.instance.id in `settings` wins.
  std::string group_instance_id{};
};

// lakepipe's consumer defaults, applied before ConsumerOptions::settings:
// enable.auto.commit=false and enable.auto.offset.store=false (offsets move
// only with Commit), partition.assignment.strategy=cooperative-sticky (a
// rebalance moves only the partitions that change owner),
// auto.offset.reset=earliest, isolation.level=read_committed,
// enable.partition.eof=false, and bounded fetch buffering:
// queued.max.messages.kbytes=8192 (8 MiB prefetched in all; Poll wakes the
// fetchers when the queue drains, see consumer.cc), fetch.max.bytes = 8 MiB
// per fetch request, max.partition.fetch.bytes = 1 MiB per partition, and
// fetch.wait.max.ms=100 (a fetch that finds nothing new returns soon, so a
// quiet partition does not hold back the others' next fetch).
Settings DefaultConsumerSettings();

class Consumer {
 public:
  // Applies DefaultConsumerSettings(), then bootstrap.servers, group.id and
  // client.id from `options`, then options.settings, and subscribes to
  // options.topics; the group is joined by the following Polls (the dev
  // broker's first join takes about 3 s). `listener` may be null; else it
  // must outlive the Consumer. Unknown settings and bad values are
  // kInvalidArgument naming the key and the value; so are missing brokers,
  // group id or topics, bad topic names, and auto.offset.reset=error (a
  // partition stopped by it cannot be restarted by Seek in librdkafka 2.0;
  // jumps are reported as OffsetReset instead).
  static Result<std::unique_ptr<Consumer>> Make(const ConsumerOptions& options,
                                                RebalanceListener* listener);

  // Close()s, ignoring its errors.
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Serves rebalances (calling the listener) and returns up to max_messages
  // records, possibly none, within about `timeout`: it waits for the first
  // record, then takes only what has already arrived. Records come in offset
  // order per partition, from the position set by assignment or Seek.
  // Transient conditions (brokers down, coordinator moving) are logged and
  // retried by librdkafka; Disconnected() tells when no broker answers.
  // Errors: kNotFound for a subscribed topic that does
  // not exist (reported once, then again only if it changes), kFailedPrecondition
  // for authorization failures, a fatal consumer error (e.g. fenced
  // group.instance.id: another consumer joined with the same one; the
  // message says so), after Close, or when called from the listener;
  // kInvalidArgument for max_messages 0. Records fetched before an error are
  // returned first; the error comes with the next Poll.
  Result<MessageBatch> Poll(std::chrono::milliseconds timeout, size_t max_messages);

  // Commits explicit offsets with metadata, synchronously; each offset is
  // the NEXT offset to read (last processed + 1). Errors: kFailedPrecondition
  // when a partition is not in Assignment() (never assigned, revoked, or
  // lost: a commit now could overwrite the new owner's) or the group refused
  // the commit (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID: the consumer was
  // rebalanced out; librdkafka then rejoins and the next Poll calls
  // OnRevoked with lost=true); kUnavailable when the coordinator is
  // unavailable or a rebalance is in progress: Poll, and commit again if the
  // partition is still assigned; kInvalidArgument for a negative offset,
  // metadata with a NUL byte (librdkafka reads it back as a C string), or
  // metadata larger than the brokers accept (offset.metadata.max.bytes, 4096
  // by default on Kafka).
  Status Commit(const std::vector<OffsetAndMetadata>& offsets);

  // The group's committed offsets and metadata for `partitions` (any
  // partitions, assigned or not), from the group coordinator; offset -1 when
  // none is committed. kUnavailable / kDeadlineExceeded when the coordinator
  // does not answer within `timeout`; kNotFound for an unknown partition.
  Result<std::vector<OffsetAndMetadata>> Committed(const std::vector<TopicPartition>& partitions,
                                                   std::chrono::milliseconds timeout);

  // The partition's low and high watermarks (log start offset, next offset
  // to be written), asked from the partition leader. kNotFound for an
  // unknown partition.
  Result<std::pair<int64_t, int64_t>> Watermarks(const TopicPartition& tp,
                                                 std::chrono::milliseconds timeout);

  // Makes the records of an assigned partition continue at `offset` (to
  // resume exactly at a committed offset, or to skip to the log start after
  // data loss); records fetched from the old position are discarded. Waits
  // up to `timeout` for the fetcher to move (0: does not wait). Called from
  // OnAssigned, it sets the start offset of a partition being assigned. An
  // offset below the log start is reported like any jump (OffsetReset).
  // kFailedPrecondition when `tp` is not assigned or its fetcher has not
  // started yet; kInvalidArgument for a negative offset.
  Status Seek(const TopicPartition& tp, int64_t offset, std::chrono::milliseconds timeout);

  // Stop and restart fetching assigned partitions; records already fetched
  // for a paused partition are held back until it resumes. A pause lasts
  // until Resume or until the partition is revoked (with cooperative-sticky a
  // rebalance revokes only the partitions that move; with eager strategies
  // every rebalance revokes all). kFailedPrecondition for a partition that
  // is not assigned.
  Status Pause(const std::vector<TopicPartition>& tps);
  Status Resume(const std::vector<TopicPartition>& tps);

  // The partitions currently assigned to this consumer, sorted.
  std::vector<TopicPartition> Assignment() const;
  // Lag per assigned partition: the high watermark last seen by the fetcher
  // minus the next offset Poll returns (as of the last Poll); -1 while either
  // is unknown (before the first fetch response, or a partition without a
  // committed offset before its first record).
  std::map<TopicPartition, int64_t> Lag() const;
  // Set from the moment librdkafka reports all brokers down until a broker
  // answers again (Poll asks for metadata about once a second meanwhile,
  // waiting up to 0.5 s for the answer);
  // nullopt while connected. Any thread.
  std::optional<Disconnection> Disconnected() const;

  // Leaves the group: revokes the assignment through the listener first
  // (commits made there are accepted), then destroys the librdkafka handle.
  // Idempotent; afterwards Poll, Commit and the others fail with
  // kFailedPrecondition.
  Status Close();

  // The effective value of a librdkafka setting, e.g.
  // "partition.assignment.strategy"; kNotFound for an unknown key or after Close.
  Result<std::string> Setting(std::string_view key) const;

  // The underlying librdkafka handle, for tests and diagnostics; null after
  // Close. Owned by the Consumer; do not destroy or poll it.
  rd_kafka_t* native_handle() { return client_.get(); }

 private:
  enum class Protocol { kCooperative, kEager };

  Consumer() = default;

  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  static void OnError(rd_kafka_t* rk, int err, const char* reason, void* opaque);
  void Rebalance(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* partitions);
  void Assign(const rd_kafka_topic_partition_list_t& partitions, Protocol protocol);
  void Revoke(const std::vector<TopicPartition>& partitions, bool lost);
  Protocol CurrentProtocol() const;
  // Checks the record against the expected position of its partition
  // (reporting jumps in `batch`) and advances the position. False for a
  // record of a partition this consumer does not own.
  bool Track(const MessageView& view, MessageBatch& batch);
  Status CheckOpen(std::string_view what) const;
  Status CheckAssigned(const std::vector<TopicPartition>& tps, std::string_view what) const;
  Status FatalError() const;
  // Copies assignment and positions for Assignment() and Lag().
  void Publish();
  // See "Fetch stalls" in consumer.cc: wakes the fetchers when librdkafka's
  // queue ran full and has drained since.
  void NudgeFetchers(const MessageBatch& batch);
  // While disconnected: asks any broker for metadata, at most once a
  // second; an answer ends the disconnection.
  void ProbeBrokers();

  std::string group_id_;
  std::string instance_id_;  // group.instance.id; "" for none
  std::string topics_;       // for messages
  RebalanceListener* listener_ = nullptr;
  bool reset_to_latest_ = false;
  // Whether the group ever gave this consumer an assignment (even an empty
  // one); see Close().
  bool ever_assigned_ = false;  // auto.offset.reset: latest, else earliest
  ClientHandle client_;
  QueueHandle queue_;  // the consumer queue, for its length; destroyed before client_
  std::atomic<bool> fatal_{false};

  // Consumer-thread state.
  std::set<TopicPartition> owned_;
  std::map<TopicPartition, int64_t> positions_;  // next offset expected; -1 unknown
  std::set<TopicPartition> paused_;
  bool in_listener_ = false;
  // While OnAssigned runs: the partitions being assigned and start offsets set by Seek.
  const std::set<TopicPartition>* assigning_ = nullptr;
  std::map<TopicPartition, int64_t> start_offsets_;
  MessageBatch* filling_ = nullptr;  // the batch Poll is filling, for drops on revocation
  std::optional<Status> deferred_error_;
  // Cache of Track's last partition: consecutive records usually share it.
  const char* last_topic_ = nullptr;
  int32_t last_partition_ = -1;
  int64_t* last_position_ = nullptr;
  // Fetch stall avoidance (NudgeFetchers).
  uint64_t queue_limit_bytes_ = 0;             // queued.max.messages.kbytes
  uint64_t queue_limit_messages_ = 0;          // queued.min.messages
  double message_bytes_ = 1024;                // average key + value size seen
  bool fetch_may_stall_ = false;               // the queue came near a limit
  bool nudge_targets_stale_ = true;            // the assignment changed
  std::vector<TopicPartition> nudge_targets_;  // one partition per leader

  mutable std::mutex mu_;  // guards the members below, read by Assignment() and Lag()
  std::vector<TopicPartition> published_assignment_;
  std::map<TopicPartition, int64_t> published_positions_;
  rd_kafka_t* lag_client_ = nullptr;  // client_.get() until Close destroys it
  std::optional<Disconnection> disconnected_;
  std::chrono::steady_clock::time_point next_probe_{};
};

}  // namespace lakepipe::kafka

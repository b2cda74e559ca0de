// RecordSource: what the archiver needs of a Kafka group consumer, so that
// the archiver can run over the real one (KafkaRecordSource, over
// kafka::Consumer) or over an in-memory stand-in in unit tests.
//
// The contract is kafka::Consumer's (kafka/consumer.h): records in offset
// order per partition, explicit commits of the next offset with metadata,
// assignment changes delivered to a kafka::RebalanceListener inside Poll and
// Close, on the polling thread.
//
// Thread-safety: as kafka::Consumer: one thread calls everything but Lag()
// and Disconnected(), which any thread may call.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "kafka/consumer.h"

namespace lakepipe::archive {

// The records of one Poll. The views stay valid while this lives.
class PolledRecords {
 public:
  PolledRecords() = default;
  explicit PolledRecords(kafka::MessageBatch batch);
  // Views into memory that `owner` keeps alive.
  PolledRecords(std::vector<kafka::MessageView> views, std::shared_ptr<const void> owner);

  std::span<const kafka::MessageView> views() const;
  auto begin() const { return views().begin(); }
  auto end() const { return views().end(); }
  bool empty() const { return views().empty(); }

 private:
  kafka::MessageBatch batch_;
  std::vector<kafka::MessageView> views_;  // when not from a MessageBatch
  std::shared_ptr<const void> owner_;
  bool from_batch_ = false;
};

class RecordSource {
 public:
  virtual ~RecordSource() = default;

  // Where assignment changes go from now on; null: nowhere. The listener
  // must outlive its registration.
  virtual void SetListener(kafka::RebalanceListener* listener) = 0;

  // kafka::Consumer::Poll.
  virtual Result<PolledRecords> Poll(std::chrono::milliseconds timeout, size_t max_messages) = 0;
  // kafka::Consumer::Commit: each offset is the next one to read.
  virtual Status Commit(const std::vector<kafka::OffsetAndMetadata>& offsets) = 0;
  // kafka::Consumer::Committed.
  virtual Result<std::vector<kafka::OffsetAndMetadata>> Committed(
      const std::vector<kafka::TopicPartition>& partitions, std::chrono::milliseconds timeout) = 0;
  // kafka::Consumer::Watermarks: the log start and end offsets.
  virtual Result<std::pair<int64_t, int64_t>> Watermarks(const kafka::TopicPartition& tp,
                                                         std::chrono::milliseconds timeout) = 0;
  // kafka::Consumer::Seek: the partition's records continue at `offset`.
  virtual Status Seek(const kafka::TopicPartition& tp, int64_t offset,
                      std::chrono::milliseconds timeout) = 0;
  // kafka::Consumer::Lag. Any thread.
  virtual std::map<kafka::TopicPartition, int64_t> Lag() const = 0;
  // kafka::Consumer::Disconnected. Any thread.
  virtual std::optional<kafka::Disconnection> Disconnected() const = 0;
  // kafka::Consumer::Close: revokes the assignment through the listener,
  // then leaves the group.
  virtual Status Close() = 0;
};

// RecordSource over a kafka::Consumer it owns.
class KafkaRecordSource final : public RecordSource, private kafka::RebalanceListener {
 public:
  static Result<std::unique_ptr<KafkaRecordSource>> Make(const kafka::ConsumerOptions& options);
  // Detaches the listener first: the consumer's closing revocation goes
  // nowhere.
  ~KafkaRecordSource() override;

  kafka::Consumer& consumer() { return *consumer_; }

  void SetListener(kafka::RebalanceListener* listener) override { listener_ = listener; }
  Result<PolledRecords> Poll(std::chrono::milliseconds timeout, size_t max_messages) override;
  Status Commit(const std::vector<kafka::OffsetAndMetadata>& offsets) override;
  Result<std::vector<kafka::OffsetAndMetadata>> Committed(
      const std::vector<kafka::TopicPartition>& partitions,
      std::chrono::milliseconds timeout) override;
  Result<std::pair<int64_t, int64_t>> Watermarks(const kafka::TopicPartition& tp,
                                                 std::chrono::milliseconds timeout) override;
  Status Seek(const kafka::TopicPartition& tp, int64_t offset,
              std::chrono::milliseconds timeout) override;
  std::map<kafka::TopicPartition, int64_t> Lag() const override;
  std::optional<kafka::Disconnection> Disconnected() const override;
  Status Close() override;

 private:
  KafkaRecordSource() = default;
  void OnAssigned(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<kafka::TopicPartition>& partitions, bool lost) override;

  kafka::RebalanceListener* listener_ = nullptr;
  std::unique_ptr<kafka::Consumer> consumer_;
};

}  // namespace lakepipe::archive

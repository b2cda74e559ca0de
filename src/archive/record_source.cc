#include "archive/record_source.h"

namespace lakepipe::archive {

PolledRecords::PolledRecords(kafka::MessageBatch batch)
    : batch_(std::move(batch)), from_batch_(true) {}

PolledRecords::PolledRecords(std::vector<kafka::MessageView> views,
                             std::shared_ptr<const void> owner)
    : views_(std::move(views)), owner_(std::move(owner)) {}

std::span<const kafka::MessageView> PolledRecords::views() const {
  if (!from_batch_) return views_;
  if (batch_.empty()) return {};
  return {&batch_[0], batch_.size()};
}

Result<std::unique_ptr<KafkaRecordSource>> KafkaRecordSource::Make(
    const kafka::ConsumerOptions& options) {
  auto source = std::unique_ptr<KafkaRecordSource>(new KafkaRecordSource());
  LP_ASSIGN_OR_RETURN(source->consumer_, kafka::Consumer::Make(options, source.get()));
  return source;
}

KafkaRecordSource::~KafkaRecordSource() { listener_ = nullptr; }

Result<PolledRecords> KafkaRecordSource::Poll(std::chrono::milliseconds timeout,
                                              size_t max_messages) {
  LP_ASSIGN_OR_RETURN(kafka::MessageBatch batch, consumer_->Poll(timeout, max_messages));
  return PolledRecords(std::move(batch));
}

Status KafkaRecordSource::Commit(const std::vector<kafka::OffsetAndMetadata>& offsets) {
  return consumer_->Commit(offsets);
}

Result<std::vector<kafka::OffsetAndMetadata>> KafkaRecordSource::Committed(
    const std::vector<kafka::TopicPartition>& partitions, std::chrono::milliseconds timeout) {
  return consumer_->Committed(partitions, timeout);
}

Result<std::pair<int64_t, int64_t>> KafkaRecordSource::Watermarks(
    const kafka::TopicPartition& tp, std::chrono::milliseconds timeout) {
  return consumer_->Watermarks(tp, timeout);
}

Status KafkaRecordSource::Seek(const kafka::TopicPartition& tp, int64_t offset,
                               std::chrono::milliseconds timeout) {
  return consumer_->Seek(tp, offset, timeout);
}

std::map<kafka::TopicPartition, int64_t> KafkaRecordSource::Lag() const { return consumer_->Lag(); }

std::optional<kafka::Disconnection> KafkaRecordSource::Disconnected() const {
  return consumer_->Disconnected();
}

Status KafkaRecordSource::Close() { return consumer_->Close(); }

void KafkaRecordSource::OnAssigned(const std::vector<kafka::TopicPartition>& partitions) {
  if (listener_ != nullptr) listener_->OnAssigned(partitions);
}

void KafkaRecordSource::OnRevoked(const std::vector<kafka::TopicPartition>& partitions, bool lost) {
  if (listener_ != nullptr) listener_->OnRevoked(partitions, lost);
}

}  // namespace lakepipe::archive

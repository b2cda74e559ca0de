#include "archive/dead_letters.h"

#include <algorithm>
#include <map>
#include <memory>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/time_util.h"
#include "kafka/topic_name.h"
#include "observe/metrics.h"
#include "storage/object_store.h"

namespace lakepipe::archive {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Base64(std::string_view in) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  const auto byte = [&](size_t k) {
    return static_cast<uint32_t>(static_cast<unsigned char>(in[k]));
  };
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t n = (byte(i) << 16) | (byte(i + 1) << 8) | byte(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  if (i < in.size()) {
    uint32_t n = byte(i) << 16;
    if (i + 1 < in.size()) n |= byte(i + 1) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string JoinPath(std::string_view root, std::string_view child) {
  std::string out(root);
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (!out.empty()) out.push_back('/');
  out.append(child);
  return out;
}

}  // namespace

DeadLetterSink::DeadLetterSink(DeadLetterOptions options, kafka::Producer* producer)
    : options_(std::move(options)), producer_(producer) {}

std::string DeadLetterSink::TopicFor(std::string_view source_topic) const {
  if (!options_.topic.empty()) return options_.topic;
  return std::string(source_topic) + ".dlq";
}

Status DeadLetterSink::Add(const DeadLetter& record) {
  if (Status valid = kafka::ValidateTopicName(record.topic); !valid.ok()) {
    return valid.WithContext("dead letter of an invalid source topic");
  }
  const std::string dlq_topic = TopicFor(record.topic);
  if (producer_ != nullptr && dlq_topic == record.topic) {
    return InvalidArgumentError(
        "the dead-letter topic '{}' is the topic being archived: its dead letters would come back "
        "as input; name another dead-letter topic",
        dlq_topic);
  }
  if (pending_.empty() && producer_ != nullptr) before_ = producer_->stats();
  Pending p;
  p.topic = std::string(record.topic);
  p.partition = record.partition;
  p.offset = record.offset;
  if (record.has_key) p.key = std::string(record.key);
  if (record.has_value) p.value = std::string(record.value);
  p.timestamp_ms = record.timestamp_ms;
  p.reason = std::string(record.reason);
  p.time = FormatTimestampMillis(NowMillis());
  if (producer_ != nullptr && !files_only_) {
    Headers headers = {
        {"lakepipe.source.topic", p.topic},
        {"lakepipe.source.partition", std::to_string(p.partition)},
        {"lakepipe.source.offset", std::to_string(p.offset)},
    };
    if (p.timestamp_ms >= 0) {
      headers.emplace_back("lakepipe.source.timestamp", std::to_string(p.timestamp_ms));
    }
    headers.emplace_back("lakepipe.error", p.reason);
    headers.emplace_back("lakepipe.time", p.time);
    Status produced = producer_->ProduceNullable(
        dlq_topic, p.key ? std::optional<std::string_view>(*p.key) : std::nullopt,
        p.value ? std::optional<std::string_view>(*p.value) : std::nullopt, headers);
    p.produced = produced.ok();
    if (!produced.ok() && last_fallback_cause_.empty()) {
      last_fallback_cause_ = produced.ToString();
    }
  }
  pending_.push_back(std::move(p));
  return Status::OK();
}

Result<DeadLetterSink::FlushResult> DeadLetterSink::Flush() {
  if (!files_only_) {
    last_fallback_cause_.clear();
    bool all_to_files = producer_ == nullptr;
    uint64_t produced = 0;
    for (const Pending& p : pending_) produced += p.produced ? 1 : 0;
    acknowledged_ = 0;
    if (produced > 0) {
      Status flushed = producer_->Flush(options_.flush_timeout);
      const kafka::ProducerStats after = producer_->stats();
      acknowledged_ = std::min<uint64_t>(after.delivered - before_.delivered, produced);
      if (!flushed.ok()) {
        all_to_files = true;
        last_fallback_cause_ = flushed.ToString();
      } else if (after.failed != before_.failed) {
        all_to_files = true;
        last_fallback_cause_ =
            fmt::format("{} dead letters were not delivered", after.failed - before_.failed);
      }
    }
    if (producer_ == nullptr && !pending_.empty()) last_fallback_cause_ = "no dead-letter producer";
    if (!all_to_files) {
      std::erase_if(pending_, [](const Pending& p) { return p.produced; });
    }
    files_only_ = true;
  }
  std::vector<Pending*> records;
  for (Pending& p : pending_) {
    if (!p.written) records.push_back(&p);
  }
  LP_RETURN_IF_ERROR(WriteFallbackFiles(records));
  ReportFallback(records);
  FlushResult result;
  result.to_topic = acknowledged_;
  result.to_files = pending_.size();
  pending_.clear();
  files_only_ = false;
  acknowledged_ = 0;
  return result;
}

void DeadLetterSink::ReportFallback(const std::vector<Pending*>& records) {
  std::map<std::string, uint64_t> by_topic;
  for (const Pending* p : records) ++by_topic[p->topic];
  observe::Registry& metrics = observe::Registry::Default();
  metrics.Describe(kFallbackMetric, observe::MetricType::kCounter,
                   "Dead letters written to fallback files in the lake instead of the "
                   "dead-letter topic, by source topic");
  for (const auto& [topic, n] : by_topic) {
    metrics.Add(kFallbackMetric, {{"topic", topic}}, static_cast<double>(n));
    fallback_records_[topic] += n;
    if (!warned_.insert(topic).second || !options_.warn) continue;
    options_.warn(fmt::format(
        "dead letters of topic '{}' go to files under {} instead of the dead-letter topic '{}' "
        "({}); said once per topic, counted in {}",
        topic, JoinPath(options_.fallback_root, topic), TopicFor(topic),
        last_fallback_cause_.empty() ? std::string("the producer refused them")
                                     : last_fallback_cause_,
        kFallbackMetric));
  }
}

uint64_t DeadLetterSink::fallback_records(std::string_view topic) const {
  auto it = fallback_records_.find(std::string(topic));
  return it == fallback_records_.end() ? 0 : it->second;
}

Status DeadLetterSink::WriteFallbackFiles(const std::vector<Pending*>& records) {
  // One file per source topic and partition, records in offset order.
  std::map<std::pair<std::string_view, int32_t>, std::vector<Pending*>> groups;
  for (Pending* p : records) groups[{p->topic, p->partition}].push_back(p);
  const int64_t now = NowMillis();
  for (auto& [where, group] : groups) {
    std::sort(group.begin(), group.end(),
              [](const Pending* a, const Pending* b) { return a->offset < b->offset; });
    std::string text;
    for (const Pending* p : group) {
      nlohmann::ordered_json line = {
          {"lakepipe.source.topic", p->topic},
          {"lakepipe.source.partition", p->partition},
          {"lakepipe.source.offset", p->offset},
          {"lakepipe.source.timestamp",
           p->timestamp_ms >= 0 ? nlohmann::ordered_json(p->timestamp_ms) : nullptr},
          {"lakepipe.error", p->reason},
          {"lakepipe.time", p->time},
          {"key", p->key ? nlohmann::ordered_json(Base64(*p->key)) : nullptr},
          {"value", p->value ? nlohmann::ordered_json(Base64(*p->value)) : nullptr},
      };
      text += line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
      text.push_back('\n');
    }
    const std::string dir = JoinPath(options_.fallback_root, where.first);
    // Every failure keeps the records in the sink and tells the caller not to commit.
    const auto failed = [&](const Status& status) {
      return status.WithContext(fmt::format(
          "cannot write the dead-letter fallback file under '{}' ({} records of topic '{}' "
          "partition {}); the dead letters are kept in memory: do not commit the source "
          "offsets until a Flush() succeeds",
          dir, group.size(), where.first, where.second));
    };
    OutputOptions output;
    output.overwrite = false;
    // Another flush in the same millisecond may have taken the name: try the next one.
    Status committed;
    for (int attempt = 0; attempt < 100; ++attempt) {
      const std::string path =
          JoinPath(dir, fmt::format("{}+{}+{:020}-{}.jsonl", where.first, where.second,
                                    group.front()->offset, now + attempt));
      Result<std::unique_ptr<OutputStream>> out = OpenOutputStream(path, output);
      if (!out.ok()) return failed(out.status());
      Status appended = (*out)->Append(text);
      if (!appended.ok()) {
        (*out)->Abort();
        return failed(appended);
      }
      committed = (*out)->Commit();
      if (committed.code() != StatusCode::kAlreadyExists) break;
    }
    if (!committed.ok()) return failed(committed);
    for (Pending* p : group) p->written = true;
  }
  return Status::OK();
}

}  // namespace lakepipe::archive

#include "archive/archiver_fakes.h"

#include <algorithm>

#include <fmt/format.h>

namespace lakepipe::archive::fakes {

bool CrashPlan::Begin(const std::string& what) {
  std::lock_guard<std::mutex> lock(mu_);
  if (crashed_) return false;
  ++count_;
  if (count_ == step_ && when_ == When::kBefore) {
    crashed_ = true;
    return false;
  }
  taken_.push_back(what);
  return true;
}

void CrashPlan::End() {
  std::lock_guard<std::mutex> lock(mu_);
  if (count_ == step_ && when_ == When::kAfter) crashed_ = true;
}

bool CrashPlan::crashed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return crashed_;
}

int CrashPlan::steps() const {
  std::lock_guard<std::mutex> lock(mu_);
  return count_;
}

std::vector<std::string> CrashPlan::taken() const {
  std::lock_guard<std::mutex> lock(mu_);
  return taken_;
}

Status CrashedError() { return InternalError("the process was killed (simulated crash)"); }

std::chrono::steady_clock::time_point FakeClock::Now() const {
  std::lock_guard<std::mutex> lock(mu_);
  return now_;
}

void FakeClock::Advance(std::chrono::milliseconds by) {
  std::lock_guard<std::mutex> lock(mu_);
  now_ += by;
}

std::function<std::chrono::steady_clock::time_point()> FakeClock::Function() {
  return [this] { return Now(); };
}

FakeConsumer::FakeConsumer(FakeKafka* kafka, CrashPlan* plan, FakeClock* clock,
                           std::vector<Revocation> revocations, size_t per_poll,
                           std::vector<Interlude> interludes)
    : kafka_(kafka),
      plan_(plan),
      clock_(clock),
      revocations_(std::move(revocations)),
      per_poll_(per_poll),
      interludes_(std::move(interludes)) {}

void FakeConsumer::Assign(const std::vector<kafka::TopicPartition>& partitions) {
  for (const auto& tp : partitions) positions_[tp] = -1;
  if (listener_ != nullptr) listener_->OnAssigned(partitions);
  // Like kafka::Consumer: from the committed offset unless OnAssigned sought.
  for (const auto& tp : partitions) {
    if (seeking_.erase(tp) > 0) continue;
    auto c = kafka_->committed.find(tp);
    positions_[tp] = c != kafka_->committed.end() ? c->second.offset : 0;
  }
}

void FakeConsumer::Revoke(const std::vector<kafka::TopicPartition>& partitions, bool lost) {
  if (lost) {
    for (const auto& tp : partitions) positions_.erase(tp);
  }
  if (listener_ != nullptr) listener_->OnRevoked(partitions, lost);
  for (const auto& tp : partitions) positions_.erase(tp);
}

void FakeConsumer::FireRevocations() {
  for (size_t i = 0; i < revocations_.size(); ++i) {
    const Revocation& r = revocations_[i];
    auto it = positions_.find(r.tp);
    if (fired_.count(i) > 0 || it == positions_.end() || it->second != r.offset) continue;
    fired_.insert(i);
    Revoke({r.tp}, r.lost);
    reassign_.push_back(r.tp);
  }
}

Result<PolledRecords> FakeConsumer::Poll(std::chrono::milliseconds timeout, size_t max_messages) {
  if (plan_->crashed()) return CrashedError();
  if (closed_) return FailedPreconditionError("the consumer is closed");
  if (!joined_) {
    joined_ = true;
    std::vector<kafka::TopicPartition> all;
    for (const auto& [tp, log] : kafka_->logs) all.push_back(tp);
    Assign(all);
  } else if (!reassign_.empty()) {
    std::vector<kafka::TopicPartition> back = std::move(reassign_);
    reassign_.clear();
    Assign(back);
  }
  FireRevocations();
  for (size_t i = 0; i < interludes_.size(); ++i) {
    auto it = positions_.find(interludes_[i].tp);
    if (interluded_.count(i) > 0 || it == positions_.end() || it->second != interludes_[i].offset)
      continue;
    interluded_.insert(i);
    interludes_[i].run();
  }
  std::vector<kafka::MessageView> views;
  for (auto& [tp, position] : positions_) {
    const std::deque<FakeRecord>& log = kafka_->logs.at(tp);
    // Stop short of a revocation still to come: it fires at the next Poll.
    int64_t until = static_cast<int64_t>(log.size());
    for (size_t i = 0; i < revocations_.size(); ++i) {
      const Revocation& r = revocations_[i];
      if (fired_.count(i) == 0 && r.tp == tp && r.offset > position)
        until = std::min(until, r.offset);
    }
    for (size_t i = 0; i < interludes_.size(); ++i) {
      const Interlude& x = interludes_[i];
      if (interluded_.count(i) == 0 && x.tp == tp && x.offset > position)
        until = std::min(until, x.offset);
    }
    for (size_t n = 0; n < per_poll_ && position < until && views.size() < max_messages; ++n) {
      const FakeRecord& rec = log[static_cast<size_t>(position)];
      kafka::MessageView v;
      v.topic = tp.topic;
      v.partition = tp.partition;
      v.offset = position++;
      v.has_key = true;
      v.key = rec.key;
      v.has_value = true;
      v.value = rec.value;
      v.timestamp_ms = rec.timestamp_ms;
      views.push_back(v);
    }
  }
  if (views.empty()) clock_->Advance(timeout);
  return PolledRecords(std::move(views), nullptr);
}

Status FakeConsumer::Commit(const std::vector<kafka::OffsetAndMetadata>& offsets) {
  if (plan_->crashed()) return CrashedError();
  for (const auto& o : offsets) {
    if (positions_.count(o.tp) == 0) {
      return FailedPreconditionError("{} is not assigned to this consumer", kafka::ToString(o.tp));
    }
  }
  for (const auto& o : offsets) {
    if (!plan_->Begin(
            fmt::format("commit {} {} '{}'", kafka::ToString(o.tp), o.offset, o.metadata))) {
      return CrashedError();
    }
    kafka_->committed[o.tp] = o;
    plan_->End();
  }
  return Status::OK();
}

Result<std::vector<kafka::OffsetAndMetadata>> FakeConsumer::Committed(
    const std::vector<kafka::TopicPartition>& partitions, std::chrono::milliseconds) {
  if (plan_->crashed()) return CrashedError();
  std::vector<kafka::OffsetAndMetadata> out;
  for (const auto& tp : partitions) {
    auto c = kafka_->committed.find(tp);
    out.push_back(c != kafka_->committed.end() ? c->second : kafka::OffsetAndMetadata{tp, -1, ""});
  }
  return out;
}

Result<std::pair<int64_t, int64_t>> FakeConsumer::Watermarks(const kafka::TopicPartition& tp,
                                                             std::chrono::milliseconds) {
  if (plan_->crashed()) return CrashedError();
  auto log = kafka_->logs.find(tp);
  if (log == kafka_->logs.end()) return NotFoundError("no partition {}", kafka::ToString(tp));
  return std::make_pair(int64_t{0}, static_cast<int64_t>(log->second.size()));
}

Status FakeConsumer::Seek(const kafka::TopicPartition& tp, int64_t offset,
                          std::chrono::milliseconds) {
  if (plan_->crashed()) return CrashedError();
  auto it = positions_.find(tp);
  if (it == positions_.end()) {
    return FailedPreconditionError("{} is not assigned", kafka::ToString(tp));
  }
  it->second = offset;
  seeking_.insert(tp);
  return Status::OK();
}

Status FakeConsumer::Close() {
  if (plan_->crashed()) return CrashedError();
  if (closed_) return Status::OK();
  std::vector<kafka::TopicPartition> all;
  for (const auto& [tp, position] : positions_) all.push_back(tp);
  if (!all.empty()) Revoke(all, /*lost=*/false);
  closed_ = true;
  return Status::OK();
}

namespace {

// A file whose commit is a step; after the crash it neither commits nor
// aborts, and leaves its staged bytes behind.
class FaultOutput final : public OutputStream {
 public:
  FaultOutput(std::unique_ptr<OutputStream> inner, CrashPlan* plan)
      : inner_(std::move(inner)), plan_(plan) {}
  ~FaultOutput() override {
    if (plan_->crashed()) (void)inner_.release();  // a dead process cleans nothing up
  }
  const std::string& path() const override { return inner_->path(); }
  uint64_t position() const override { return inner_->position(); }
  Status Append(std::string_view data) override {
    if (plan_->crashed()) return CrashedError();
    return inner_->Append(data);
  }
  Status Commit() override {
    if (!plan_->Begin("file " + inner_->path())) return CrashedError();
    Status done = inner_->Commit();
    plan_->End();
    return done;
  }
  void Abort() override {
    if (!plan_->crashed()) inner_->Abort();
  }

 private:
  std::unique_ptr<OutputStream> inner_;
  CrashPlan* plan_;
};

}  // namespace

std::string_view FaultStore::scheme() const {
  return plan_->crashed() ? "crashed" : inner_->scheme();
}

Result<std::unique_ptr<InputFile>> FaultStore::OpenInput(std::string_view path) {
  if (plan_->crashed()) return CrashedError();
  return inner_->OpenInput(path);
}

Result<std::unique_ptr<OutputStream>> FaultStore::OpenOutput(std::string_view path,
                                                             const OutputOptions& options) {
  if (plan_->crashed()) return CrashedError();
  LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> inner, inner_->OpenOutput(path, options));
  return std::unique_ptr<OutputStream>(std::make_unique<FaultOutput>(std::move(inner), plan_));
}

Result<std::vector<ObjectInfo>> FaultStore::List(std::string_view prefix) {
  if (plan_->crashed()) return CrashedError();
  return inner_->List(prefix);
}

Status FaultStore::Delete(std::string_view path) {
  if (plan_->crashed()) return CrashedError();
  return inner_->Delete(path);
}

Result<size_t> FaultStore::DeleteAbandoned(std::string_view prefix) {
  if (plan_->crashed()) return CrashedError();
  return inner_->DeleteAbandoned(prefix);
}

}  // namespace lakepipe::archive::fakes

// Stand-ins for the archiver's parts, for unit tests without a broker:
// in-memory partition logs with a group's committed offsets (FakeKafka), a
// consumer over them (FakeConsumer), a store that fails from a chosen step
// on (FaultStore), a clock that moves only when told (FakeClock), and the
// crash switch they share (CrashPlan).
//
// A step is a durable effect of the cut protocol: a file made visible
// (OutputStream::Commit) or an offset committed. A CrashPlan crashes at
// step k, before it takes effect or right after; from then on every call of
// the consumer and the store fails, as nothing of a killed process reaches
// the outside any more (staging files stay behind, nothing is finished or
// committed).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "archive/record_source.h"
#include "storage/object_store.h"

namespace lakepipe::archive::fakes {

class CrashPlan {
 public:
  enum class When { kBefore, kAfter };
  // Never crashes; counts the steps.
  CrashPlan() = default;
  // Crashes at step `step` (1-based).
  CrashPlan(int step, When when) : step_(step), when_(when) {}

  // Called before step `what` takes effect: false when it must not (the
  // process is dead, or dies now).
  bool Begin(const std::string& what);
  // Called once step `what` took effect: the process may die right after.
  void End();
  bool crashed() const;
  int steps() const;
  // The steps taken, in order ("commit rows[0] 12 <metadata>", "file <path>").
  std::vector<std::string> taken() const;

 private:
  mutable std::mutex mu_;
  int step_ = 0;  // 0: never
  When when_ = When::kBefore;
  int count_ = 0;
  bool crashed_ = false;
  std::vector<std::string> taken_;
};

// The error every call returns once the plan crashed.
Status CrashedError();

class FakeClock {
 public:
  std::chrono::steady_clock::time_point Now() const;
  void Advance(std::chrono::milliseconds by);
  std::function<std::chrono::steady_clock::time_point()> Function();

 private:
  mutable std::mutex mu_;
  std::chrono::steady_clock::time_point now_ =
      std::chrono::steady_clock::time_point() + std::chrono::hours(1);
};

struct FakeRecord {
  std::string key;
  std::string value;
  int64_t timestamp_ms = 0;
};

// The brokers' state: what outlives a process.
struct FakeKafka {
  std::map<kafka::TopicPartition, std::deque<FakeRecord>> logs;  // offsets from 0
  std::map<kafka::TopicPartition, kafka::OffsetAndMetadata> committed;
};

// Takes a partition away from the consumer when it is about to read
// `offset`, once per FakeConsumer, and gives it back at the next Poll.
struct Revocation {
  kafka::TopicPartition tp;
  int64_t offset = 0;
  bool lost = false;  // ownership already gone: commits for it are refused
};

// Runs `run` when the consumer is about to read `offset` of `tp`, once
// per FakeConsumer: what another process does meanwhile (e.g. a second
// archiver committing the same partition).
struct Interlude {
  kafka::TopicPartition tp;
  int64_t offset = 0;
  std::function<void()> run;
};

// One process's consumer: assigned every partition of `kafka` at its first
// Poll, it returns up to `per_poll` records per partition at each Poll (so
// partitions interleave) and moves the clock by the poll's timeout when it
// has nothing.
class FakeConsumer final : public RecordSource {
 public:
  FakeConsumer(FakeKafka* kafka, CrashPlan* plan, FakeClock* clock,
               std::vector<Revocation> revocations = {}, size_t per_poll = 5,
               std::vector<Interlude> interludes = {});

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
  std::map<kafka::TopicPartition, int64_t> Lag() const override { return {}; }
  std::optional<kafka::Disconnection> Disconnected() const override { return std::nullopt; }
  Status Close() override;

 private:
  void Assign(const std::vector<kafka::TopicPartition>& partitions);
  void Revoke(const std::vector<kafka::TopicPartition>& partitions, bool lost);
  // Fires the revocations due at the partitions' positions.
  void FireRevocations();

  FakeKafka* kafka_;
  CrashPlan* plan_;
  FakeClock* clock_;
  std::vector<Revocation> revocations_;
  std::set<size_t> fired_;  // indexes into revocations_
  size_t per_poll_;
  std::vector<Interlude> interludes_;
  std::set<size_t> interluded_;  // indexes into interludes_
  kafka::RebalanceListener* listener_ = nullptr;
  bool joined_ = false;
  bool closed_ = false;
  std::map<kafka::TopicPartition, int64_t> positions_;  // the assigned partitions
  std::set<kafka::TopicPartition> seeking_;             // assigned, Seek called in OnAssigned
  std::vector<kafka::TopicPartition> reassign_;         // at the next Poll
};

// A store over `inner` whose file commits are steps of `plan`, and which
// fails every call once the plan crashed.
class FaultStore final : public ObjectStore {
 public:
  FaultStore(ObjectStore* inner, CrashPlan* plan) : inner_(inner), plan_(plan) {}

  std::string_view scheme() const override;
  Result<std::unique_ptr<InputFile>> OpenInput(std::string_view path) override;
  Result<std::unique_ptr<OutputStream>> OpenOutput(std::string_view path,
                                                   const OutputOptions& options) override;
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view path) override;
  Result<size_t> DeleteAbandoned(std::string_view prefix) override;

 private:
  ObjectStore* inner_;
  CrashPlan* plan_;
};

}  // namespace lakepipe::archive::fakes

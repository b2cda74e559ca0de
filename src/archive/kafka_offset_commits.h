// KafkaOffsetCommits: the cut protocol of archiver.h over Kafka offsets.
// Closing the segment [S, E) of a partition commits offset S with the
// intent (CutMetadata: the cut E and the segment's layout), finishes its
// files and flushes the dead letters, then commits E. A partition assigned
// resumes at its committed offset, replaying an interrupted segment to the
// cut of its intent, with the layout the intent records. A commit refused
// for now (a rebalance) rewinds the partition to S. Offsets below the log
// start when they are expected are reported as lost.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "archive/archive_stats.h"
#include "archive/commit_protocol.h"
#include "archive/dead_letters.h"
#include "archive/partitioned_writer.h"
#include "archive/record_source.h"
#include "observe/log.h"

namespace lakepipe::archive {

class KafkaOffsetCommits final : public CommitProtocol {
 public:
  using LogFunction = std::function<void(const std::string& line, observe::LogLevel level,
                                         const observe::LogRecord& record)>;
  struct Parts {
    RecordSource* consumer = nullptr;
    PartitionedWriter* writer = nullptr;
    DeadLetterSink* dead_letters = nullptr;
    StatsCell* stats = nullptr;
    WriteOptions write;   // what a replayed layout's format must accept
    bool strict = false;  // data loss is an error
    LogFunction log;
  };
  explicit KafkaOffsetCommits(Parts parts) : p_(std::move(parts)) {}

  Status Resume(const std::vector<PartitionState*>& states) override;
  Status Cut(PartitionState& s) override;
  void Abort(PartitionState& s) override;
  Status CheckLoss(PartitionState& s, int64_t expected, int64_t seen) override;

 private:
  // Where one partition resumes, from its committed offset and metadata.
  Status ResumeAt(PartitionState& s, const kafka::OffsetAndMetadata& committed);
  // Steps 2 and 3 of the cut, once the intent is committed.
  Status FinishAndCommit(PartitionState& s, int64_t end);
  Status Rewind(PartitionState& s, std::optional<int64_t> cut, const Status& why);
  Status ReplayUnderRecordedLayout(PartitionState& s, const SegmentLayout& recorded);
  Result<std::unique_ptr<TopicContext>> ReplayContext(const SegmentLayout& layout,
                                                      const TopicContext& topic) const;

  Parts p_;
};

}  // namespace lakepipe::archive

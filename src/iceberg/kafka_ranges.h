// The Kafka offsets a table holds, kept in its snapshot summaries: the
// table, not the consumer group, is the source of truth for where an
// archiver resumes.
//
// Each snapshot lakepipe commits from Kafka carries
//   lakepipe.commit-id      a uuid per commit (found again after an
//                           unknown outcome, append.h)
//   lakepipe.kafka.group    the consumer group that committed it
//   lakepipe.kafka.ranges   {"<topic>": {"<partition>": [start, end]}, ...}
//                           the offsets [start, end) whose records this
//                           snapshot added
//   lakepipe.kafka.offsets  {"<topic>": {"<partition>": end}, ...} every
//                           partition's end committed so far by the group
//                           (carried forward from the group's previous
//                           snapshot), where the group resumes
// as JSON text in the summary's string values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "iceberg/table_metadata.h"

namespace lakepipe::iceberg {

using KafkaPartition = std::pair<std::string, int32_t>;  // topic, partition

struct KafkaOffsetRange {
  int64_t start = 0;
  int64_t end = 0;  // exclusive
};

struct KafkaCommit {
  std::string commit_id;
  std::string group;
  std::map<KafkaPartition, KafkaOffsetRange> ranges;
  std::map<KafkaPartition, int64_t> offsets;
};

// The summary keys of `commit`.
std::map<std::string, std::string> ToSummary(const KafkaCommit& commit);
// The commit recorded in a summary; nullopt when it has no lakepipe.kafka
// keys; kCorruption naming the key when they do not parse.
Result<std::optional<KafkaCommit>> FromSummary(const std::map<std::string, std::string>& summary);

// Where `group` resumes in `table`: the offsets of the group's newest
// snapshot on the current branch (empty when the group never committed).
Result<std::map<KafkaPartition, int64_t>> CommittedOffsets(const TableMetadata& table,
                                                           const std::string& group);

// What `lakepipe table verify` reports about the offsets: per group and
// partition, the ranges of the current branch's snapshots (oldest first)
// must follow each other without gaps or overlaps.
struct RangeProblem {
  std::string group;
  KafkaPartition partition;
  std::string kind;  // "gap" | "overlap"
  KafkaOffsetRange previous;
  KafkaOffsetRange next;
  int64_t snapshot_id = 0;  // the snapshot holding `next`
};
Result<std::vector<RangeProblem>> CheckRanges(const TableMetadata& table);

}  // namespace lakepipe::iceberg

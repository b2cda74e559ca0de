// A consumer group's committed offsets, the log end offsets and the lag of
// each partition, and the group's members with their assignments: what
// kafka-consumer-groups --describe shows.
//
// Thread-safety: a plain function; it creates its own clients.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "kafka/consumer.h"
#include "kafka/handles.h"

namespace lakepipe::kafka {

struct GroupMember {
  std::string member_id, client_id, host;
  std::vector<TopicPartition> assignment;
};

struct PartitionLag {
  TopicPartition tp;
  int64_t committed = -1;  // -1: nothing committed
  int64_t log_start = 0, log_end = 0;
  int64_t lag = 0;        // log_end - committed (from the log start when nothing is committed)
  std::string member_id;  // the member it is assigned to, if any
};

struct GroupLag {
  std::string group;
  std::string state;  // Stable, Empty, ... ("" when the members could not be described)
  std::vector<PartitionLag> partitions;
  std::vector<GroupMember> members;
  std::string members_error;  // why the members are unknown
  int64_t total_lag = 0;
};

// The partitions of `topics`, or when `topics` is empty of the topics the
// members are assigned, else (no members, or brokers that do not describe
// them, like the dev broker) of the topics the group committed offsets for.
// kNotFound, naming the group and `brokers`, for a group with no members and
// no committed offsets (on `topics`, or any topic): one that does not exist.
Result<GroupLag> DescribeGroupLag(const std::string& brokers, const std::string& group,
                                  std::vector<std::string> topics, const Settings& settings,
                                  std::chrono::milliseconds timeout);

}  // namespace lakepipe::kafka

// Kafka offsets in snapshot summaries (see kafka_ranges.h).
#include "iceberg/kafka_ranges.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

constexpr std::string_view kCommitId = "lakepipe.commit-id";
constexpr std::string_view kGroup = "lakepipe.kafka.group";
constexpr std::string_view kRanges = "lakepipe.kafka.ranges";
constexpr std::string_view kOffsets = "lakepipe.kafka.offsets";

template <typename Value, typename ToJson>
std::string PerPartition(const std::map<KafkaPartition, Value>& values, ToJson to_json) {
  json out = json::object();
  for (const auto& [tp, value] : values) {
    out[tp.first][std::to_string(tp.second)] = to_json(value);
  }
  return out.dump();
}

Status Bad(std::string_view key, std::string_view what) {
  return CorruptionError("snapshot summary key {}: {}", key, what);
}

Result<int32_t> ParsePartition(std::string_view key, const std::string& text) {
  int32_t partition = -1;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), partition);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || partition < 0) {
    return Bad(key, "partition \"" + text + "\" is not a non-negative integer");
  }
  return partition;
}

Result<int64_t> ParseOffset(std::string_view key, const json& value) {
  if (!value.is_number_integer() || value.get<int64_t>() < 0) {
    return Bad(key, "offset " + value.dump() + " is not a non-negative integer");
  }
  return value.get<int64_t>();
}

// Parses {"<topic>": {"<partition>": <value>}} calling `add` for each.
template <typename Add>
Status ParsePerPartition(std::string_view key, const std::string& text, Add add) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return Bad(key, "not a JSON object of topics: " + text);
  for (const auto& [topic, partitions] : doc.items()) {
    if (!partitions.is_object()) {
      return Bad(key, "topic \"" + topic + "\" is not an object of partitions");
    }
    for (const auto& [name, value] : partitions.items()) {
      LP_ASSIGN_OR_RETURN(int32_t partition, ParsePartition(key, name));
      Status status = add(KafkaPartition{topic, partition}, value);
      if (!status.ok()) return status;
    }
  }
  return Status::OK();
}

Status ParseRanges(const std::string& text, std::map<KafkaPartition, KafkaOffsetRange>* out) {
  return ParsePerPartition(kRanges, text, [&](const KafkaPartition& tp, const json& value) {
    if (!value.is_array() || value.size() != 2) {
      return Bad(kRanges, "range " + value.dump() + " is not [start, end]");
    }
    LP_ASSIGN_OR_RETURN(int64_t start, ParseOffset(kRanges, value[0]));
    LP_ASSIGN_OR_RETURN(int64_t end, ParseOffset(kRanges, value[1]));
    if (end < start) return Bad(kRanges, "range " + value.dump() + " ends before it starts");
    (*out)[tp] = KafkaOffsetRange{start, end};
    return Status::OK();
  });
}

Status ParseOffsets(const std::string& text, std::map<KafkaPartition, int64_t>* out) {
  return ParsePerPartition(kOffsets, text, [&](const KafkaPartition& tp, const json& value) {
    LP_ASSIGN_OR_RETURN(int64_t offset, ParseOffset(kOffsets, value));
    (*out)[tp] = offset;
    return Status::OK();
  });
}

const std::string* Find(const std::map<std::string, std::string>& summary, std::string_view key) {
  auto it = summary.find(std::string(key));
  return it == summary.end() ? nullptr : &it->second;
}

// The commit of `snapshot`, with the snapshot named in an error.
Result<std::optional<KafkaCommit>> CommitOf(const Snapshot& snapshot) {
  auto commit = FromSummary(snapshot.summary);
  if (!commit.ok()) {
    return commit.status().WithContext(fmt::format("snapshot {}", snapshot.snapshot_id));
  }
  return commit;
}

}  // namespace

std::map<std::string, std::string> ToSummary(const KafkaCommit& commit) {
  std::map<std::string, std::string> summary;
  if (!commit.commit_id.empty()) summary[std::string(kCommitId)] = commit.commit_id;
  summary[std::string(kGroup)] = commit.group;
  summary[std::string(kRanges)] = PerPartition(commit.ranges, [](const KafkaOffsetRange& r) {
    return json::array({r.start, r.end});
  });
  summary[std::string(kOffsets)] =
      PerPartition(commit.offsets, [](int64_t offset) { return json(offset); });
  return summary;
}

Result<std::optional<KafkaCommit>> FromSummary(const std::map<std::string, std::string>& summary) {
  const std::string* group = Find(summary, kGroup);
  const std::string* ranges = Find(summary, kRanges);
  const std::string* offsets = Find(summary, kOffsets);
  if (group == nullptr && ranges == nullptr && offsets == nullptr) {
    return std::optional<KafkaCommit>();
  }
  if (group == nullptr || group->empty()) {
    return Bad(kGroup, "missing or empty beside the other lakepipe.kafka keys");
  }
  KafkaCommit commit;
  commit.group = *group;
  if (const std::string* id = Find(summary, kCommitId)) commit.commit_id = *id;
  if (ranges != nullptr) {
    Status status = ParseRanges(*ranges, &commit.ranges);
    if (!status.ok()) return status;
  }
  if (offsets != nullptr) {
    Status status = ParseOffsets(*offsets, &commit.offsets);
    if (!status.ok()) return status;
  }
  return std::optional<KafkaCommit>(std::move(commit));
}

Result<std::map<KafkaPartition, int64_t>> CommittedOffsets(const TableMetadata& table,
                                                           const std::string& group) {
  for (const Snapshot* snapshot : table.Ancestry()) {
    const std::string* owner = Find(snapshot->summary, kGroup);
    if (owner == nullptr || *owner != group) continue;
    LP_ASSIGN_OR_RETURN(std::optional<KafkaCommit> commit, CommitOf(*snapshot));
    return commit->offsets;
  }
  return std::map<KafkaPartition, int64_t>();
}

Result<std::vector<RangeProblem>> CheckRanges(const TableMetadata& table) {
  std::vector<const Snapshot*> oldest_first = table.Ancestry();
  std::reverse(oldest_first.begin(), oldest_first.end());
  // The last range seen per group and partition.
  std::map<std::pair<std::string, KafkaPartition>, KafkaOffsetRange> last;
  std::vector<RangeProblem> problems;
  for (const Snapshot* snapshot : oldest_first) {
    LP_ASSIGN_OR_RETURN(std::optional<KafkaCommit> commit, CommitOf(*snapshot));
    if (!commit) continue;
    for (const auto& [tp, range] : commit->ranges) {
      if (range.start == range.end) continue;  // covers no offset
      auto [it, first] = last.try_emplace({commit->group, tp}, range);
      if (first) continue;
      const KafkaOffsetRange previous = it->second;
      if (range.start != previous.end) {
        problems.push_back(RangeProblem{commit->group, tp,
                                        range.start > previous.end ? "gap" : "overlap", previous,
                                        range, snapshot->snapshot_id});
      }
      // Ranges inside what was already covered do not move the end back.
      it->second = KafkaOffsetRange{range.start, std::max(previous.end, range.end)};
    }
  }
  return problems;
}

}  // namespace lakepipe::iceberg

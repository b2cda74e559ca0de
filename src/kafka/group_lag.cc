#include "kafka/group_lag.h"

#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "kafka/metadata.h"
#include "kafka/properties.h"

namespace lakepipe::kafka {
namespace {

// The consumer protocol's member assignment: int16 version, then topics
// (int16-length name, int32 count of int32 partitions), then user data.
std::vector<TopicPartition> ParseAssignment(const void* data, int size) {
  std::vector<TopicPartition> out;
  const auto* p = static_cast<const unsigned char*>(data);
  const auto* end = p + std::max(0, size);
  auto i16 = [&](int16_t* v) {
    if (end - p < 2) return false;
    *v = static_cast<int16_t>((p[0] << 8) | p[1]);
    p += 2;
    return true;
  };
  auto i32 = [&](int32_t* v) {
    if (end - p < 4) return false;
    *v = static_cast<int32_t>((static_cast<uint32_t>(p[0]) << 24) | (p[1] << 16) | (p[2] << 8) |
                              p[3]);
    p += 4;
    return true;
  };
  int16_t version = 0, len = 0;
  int32_t topics = 0;
  if (!i16(&version) || !i32(&topics)) return out;
  for (int32_t t = 0; t < topics; ++t) {
    if (!i16(&len) || len < 0 || end - p < len) return out;
    std::string topic(reinterpret_cast<const char*>(p), static_cast<size_t>(len));
    p += len;
    int32_t n = 0;
    if (!i32(&n)) return out;
    for (int32_t k = 0; k < n; ++k) {
      int32_t partition = 0;
      if (!i32(&partition)) return out;
      out.push_back(TopicPartition{topic, partition});
    }
  }
  return out;
}

// Adds every partition of every topic of the cluster but its internal ones
// ("__consumer_offsets"...) to `list`.
Status AddEveryTopic(rd_kafka_t* client, const std::string& brokers, int ms,
                     rd_kafka_topic_partition_list_t* list) {
  const rd_kafka_metadata_t* raw = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(client, 1, nullptr, &raw, ms);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(err, fmt::format("the topics of Kafka brokers '{}'", brokers));
  }
  const MetadataHandle metadata(raw);
  for (int i = 0; i < metadata->topic_cnt; ++i) {
    const rd_kafka_metadata_topic_t& t = metadata->topics[i];
    if (t.err != RD_KAFKA_RESP_ERR_NO_ERROR || std::string_view(t.topic).starts_with("__")) {
      continue;
    }
    for (int p = 0; p < t.partition_cnt; ++p) {
      rd_kafka_topic_partition_list_add(list, t.topic, t.partitions[p].id);
    }
  }
  return Status::OK();
}

// The group's state and members (DescribeGroups) into `out`, or why they
// are unknown (out->members_error).
void DescribeMembers(rd_kafka_t* client, int ms, GroupLag* out) {
  const std::string& group = out->group;
  const rd_kafka_group_list* groups = nullptr;
  const rd_kafka_resp_err_t listed = rd_kafka_list_groups(client, group.c_str(), &groups, ms);
  if (listed != RD_KAFKA_RESP_ERR_NO_ERROR) {
    out->members_error =
        fmt::format("{} ({})", rd_kafka_err2str(listed), rd_kafka_err2name(listed));
  } else {
    for (int g = 0; g < groups->group_cnt; ++g) {
      const rd_kafka_group_info& info = groups->groups[g];
      if (group != info.group) continue;
      if (info.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        out->members_error = rd_kafka_err2str(info.err);
        continue;
      }
      out->state = info.state != nullptr ? info.state : "";
      for (int m = 0; m < info.member_cnt; ++m) {
        const rd_kafka_group_member_info& mi = info.members[m];
        GroupMember member;
        member.member_id = mi.member_id != nullptr ? mi.member_id : "";
        member.client_id = mi.client_id != nullptr ? mi.client_id : "";
        member.host = mi.client_host != nullptr ? mi.client_host : "";
        member.assignment = ParseAssignment(mi.member_assignment, mi.member_assignment_size);
        out->members.push_back(std::move(member));
      }
    }
    rd_kafka_group_list_destroy(groups);
  }
}

}  // namespace

Result<GroupLag> DescribeGroupLag(const std::string& brokers, const std::string& group,
                                  std::vector<std::string> topics, const Settings& settings,
                                  std::chrono::milliseconds timeout) {
  if (group.empty()) return InvalidArgumentError("no consumer group given (--group)");
  GroupLag out;
  out.group = group;
  Settings all{{"bootstrap.servers", brokers}};
  const Settings mine = SettingsFor(ClientKind::kConsumer, settings);
  all.insert(all.end(), mine.begin(), mine.end());
  all.emplace_back("group.id", group);
  all.emplace_back("enable.auto.commit", "false");
  LP_ASSIGN_OR_RETURN(ConfHandle conf, MakeConf(all));
  LP_ASSIGN_OR_RETURN(ClientHandle client, NewClient(RD_KAFKA_CONSUMER, conf));
  const int ms = static_cast<int>(timeout.count());

  DescribeMembers(client.get(), ms, &out);

  // The partitions: of the topics given, else of the members' assignments,
  // else of every topic (those without committed offsets dropped below).
  std::map<TopicPartition, std::string> owner;
  for (const GroupMember& m : out.members) {
    for (const TopicPartition& tp : m.assignment) owner[tp] = m.member_id;
  }
  const bool topics_given = !topics.empty();
  bool every_topic = false;
  PartitionListHandle list(rd_kafka_topic_partition_list_new(16));
  if (!topics_given) {
    std::set<std::string> assigned;
    for (const auto& [tp, member] : owner) assigned.insert(tp.topic);
    topics.assign(assigned.begin(), assigned.end());
  }
  if (topics.empty()) {
    every_topic = true;
    LP_RETURN_IF_ERROR(AddEveryTopic(client.get(), brokers, ms, list.get()));
  }
  for (const std::string& topic : topics) {
    LP_ASSIGN_OR_RETURN(const int n, TopicPartitions(brokers, topic, settings, timeout));
    for (int p = 0; p < n; ++p) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
  }
  const rd_kafka_resp_err_t committed = rd_kafka_committed(client.get(), list.get(), ms);
  if (committed != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return KafkaError(committed, fmt::format("committed offsets of group '{}'", group));
  }
  std::set<std::string> committed_topics;
  for (int i = 0; i < list->cnt; ++i) {
    if (list->elems[i].offset >= 0) committed_topics.insert(list->elems[i].topic);
  }
  if (out.members.empty() && committed_topics.empty()) {
    return NotFoundError(
        "consumer group '{}' does not exist on {}: it has no members and no committed offsets "
        "({}); check --group: a group appears when a consumer joins it (lakepipe archive "
        "--group {})",
        group, brokers,
        topics_given ? fmt::format("on topic {}", fmt::join(topics, ", ")) : "on any topic", group);
  }
  for (int i = 0; i < list->cnt; ++i) {
    const rd_kafka_topic_partition_t& e = list->elems[i];
    if (every_topic && committed_topics.count(e.topic) == 0) continue;
    PartitionLag pl;
    pl.tp = TopicPartition{e.topic, e.partition};
    pl.committed = e.offset >= 0 ? e.offset : -1;
    const rd_kafka_resp_err_t marks = rd_kafka_query_watermark_offsets(
        client.get(), e.topic, e.partition, &pl.log_start, &pl.log_end, ms);
    if (marks != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return KafkaError(marks, fmt::format("end offset of {}[{}]", e.topic, e.partition));
    }
    pl.lag = pl.log_end - (pl.committed >= 0 ? std::max(pl.committed, pl.log_start) : pl.log_start);
    auto o = owner.find(pl.tp);
    if (o != owner.end()) pl.member_id = o->second;
    out.total_lag += pl.lag;
    out.partitions.push_back(std::move(pl));
  }
  return out;
}

}  // namespace lakepipe::kafka

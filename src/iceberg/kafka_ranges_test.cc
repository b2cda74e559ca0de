#include "iceberg/kafka_ranges.h"

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe::iceberg {
namespace {

KafkaCommit Commit(std::string group, std::map<KafkaPartition, KafkaOffsetRange> ranges,
                   std::map<KafkaPartition, int64_t> offsets = {}) {
  KafkaCommit commit;
  commit.commit_id = "c-" + group;
  commit.group = std::move(group);
  commit.ranges = std::move(ranges);
  commit.offsets = std::move(offsets);
  return commit;
}

// A table whose current branch is the snapshots given, oldest first, each
// the parent of the next; a summary without Kafka keys where none is given.
TableMetadata Table(const std::vector<std::optional<KafkaCommit>>& commits) {
  TableMetadata table;
  std::optional<int64_t> parent;
  int64_t id = 100;
  for (const auto& commit : commits) {
    Snapshot snapshot;
    snapshot.snapshot_id = ++id;
    snapshot.parent_snapshot_id = parent;
    snapshot.summary = {{"operation", "append"}};
    if (commit) snapshot.summary.merge(ToSummary(*commit));
    table.snapshots.push_back(snapshot);
    parent = id;
  }
  table.current_snapshot_id = parent;
  if (parent) table.refs["main"] = SnapshotRef{*parent, "branch"};
  return table;
}

const KafkaPartition kA0{"orders", 0};
const KafkaPartition kA1{"orders", 1};
const KafkaPartition kB7{"pay.ments", 7};

TEST(KafkaRanges, SummaryKeysAreJsonTextAndRoundTrip) {
  KafkaCommit commit =
      Commit("archivers", {{kA0, {0, 10}}, {kB7, {5, 9}}}, {{kA0, 10}, {kA1, 42}, {kB7, 9}});
  const auto summary = ToSummary(commit);
  EXPECT_EQ(summary.at("lakepipe.commit-id"), "c-archivers");
  EXPECT_EQ(summary.at("lakepipe.kafka.group"), "archivers");
  EXPECT_EQ(summary.at("lakepipe.kafka.ranges"),
            R"({"orders":{"0":[0,10]},"pay.ments":{"7":[5,9]}})");
  EXPECT_EQ(summary.at("lakepipe.kafka.offsets"),
            R"({"orders":{"0":10,"1":42},"pay.ments":{"7":9}})");

  auto back = FromSummary(summary);
  ASSERT_OK(back);
  ASSERT_TRUE(back->has_value());
  const KafkaCommit& read = **back;
  EXPECT_EQ(read.commit_id, "c-archivers");
  EXPECT_EQ(read.group, "archivers");
  ASSERT_EQ(read.ranges.size(), 2u);
  EXPECT_EQ(read.ranges.at(kB7).start, 5);
  EXPECT_EQ(read.ranges.at(kB7).end, 9);
  EXPECT_EQ(read.offsets, commit.offsets);
}

TEST(KafkaRanges, SummaryWithoutKafkaKeysHasNoCommit) {
  auto read = FromSummary({{"operation", "append"}, {"lakepipe.commit-id", "x"}});
  ASSERT_OK(read);
  EXPECT_FALSE(read->has_value());
}

TEST(KafkaRanges, DamagedSummaryIsCorruptionNamingTheKey) {
  const std::map<std::string, std::string> base = {{"lakepipe.kafka.group", "g"}};
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"lakepipe.kafka.ranges", "not json"},
      {"lakepipe.kafka.ranges", R"({"t":{"0":[5]}})"},
      {"lakepipe.kafka.ranges", R"({"t":{"0":[9,5]}})"},
      {"lakepipe.kafka.ranges", R"({"t":{"x":[0,5]}})"},
      {"lakepipe.kafka.ranges", R"({"t":[0,5]})"},
      {"lakepipe.kafka.offsets", R"({"t":{"0":-1}})"},
      {"lakepipe.kafka.offsets", R"({"t":{"0":"12"}})"},
  };
  for (const auto& [key, value] : bad) {
    auto summary = base;
    summary[key] = value;
    auto read = FromSummary(summary);
    ASSERT_FALSE(read.ok()) << value;
    EXPECT_EQ(read.status().code(), StatusCode::kCorruption);
    EXPECT_NE(read.status().message().find(key), std::string::npos) << read.status().ToString();
  }
  auto no_group = FromSummary({{"lakepipe.kafka.offsets", "{}"}});
  ASSERT_FALSE(no_group.ok());
  EXPECT_NE(no_group.status().message().find("lakepipe.kafka.group"), std::string::npos);
}

TEST(KafkaRanges, CommittedOffsetsAreTheGroupsNewestOnTheCurrentBranch) {
  TableMetadata table = Table({
      Commit("g", {{kA0, {0, 10}}}, {{kA0, 10}}),
      Commit("other", {{kA0, {0, 50}}}, {{kA0, 50}}),
      std::nullopt,  // a snapshot some other writer made
      Commit("g", {{kA1, {0, 7}}}, {{kA0, 10}, {kA1, 7}}),
      Commit("other", {{kA0, {50, 60}}}, {{kA0, 60}}),
  });
  // A snapshot off the current branch (a lost commit's sibling) is ignored.
  Snapshot orphan;
  orphan.snapshot_id = 999;
  orphan.parent_snapshot_id = 105;
  orphan.summary = ToSummary(Commit("g", {{kA0, {10, 99}}}, {{kA0, 99}}));
  table.snapshots.push_back(orphan);

  auto g = CommittedOffsets(table, "g");
  ASSERT_OK(g);
  EXPECT_EQ(*g, (std::map<KafkaPartition, int64_t>{{kA0, 10}, {kA1, 7}}));
  auto other = CommittedOffsets(table, "other");
  ASSERT_OK(other);
  EXPECT_EQ(*other, (std::map<KafkaPartition, int64_t>{{kA0, 60}}));
  auto never = CommittedOffsets(table, "new-group");
  ASSERT_OK(never);
  EXPECT_TRUE(never->empty());
  auto empty = CommittedOffsets(TableMetadata{}, "g");
  ASSERT_OK(empty);
  EXPECT_TRUE(empty->empty());
}

TEST(KafkaRanges, CommittedOffsetsNameADamagedSnapshotOfTheGroup) {
  TableMetadata table = Table({Commit("g", {{kA0, {0, 10}}}, {{kA0, 10}})});
  table.snapshots[0].summary["lakepipe.kafka.offsets"] = "{";
  auto g = CommittedOffsets(table, "g");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.status().code(), StatusCode::kCorruption);
  EXPECT_NE(g.status().message().find("snapshot 101"), std::string::npos) << g.status().ToString();
}

TEST(KafkaRanges, ContiguousRangesHaveNoProblems) {
  TableMetadata table = Table({
      Commit("g", {{kA0, {0, 10}}, {kA1, {3, 4}}}), std::nullopt, Commit("g", {{kA0, {10, 25}}}),
      Commit("h", {{kA0, {0, 5}}}),  // another group keeps its own ranges
      Commit("g", {{kA0, {25, 25}}, {kA1, {4, 40}}}),
      Commit("g", {{kA0, {5, 5}}}),  // an empty range covers no offset
  });
  auto problems = CheckRanges(table);
  ASSERT_OK(problems);
  EXPECT_TRUE(problems->empty());
}

TEST(KafkaRanges, GapsAndOverlapsAreReportedPerGroupAndPartition) {
  TableMetadata table = Table({
      Commit("g", {{kA0, {0, 10}}, {kB7, {100, 200}}}),
      Commit("g", {{kA0, {12, 20}}}),    // gap 10..12 in orders/0
      Commit("g", {{kB7, {150, 180}}}),  // overlap inside what 101 covered
      Commit("g", {{kB7, {200, 210}}}),  // follows the furthest end: clean
      Commit("h", {{kA0, {20, 30}}}),    // group h starts anywhere
      Commit("h", {{kA0, {25, 40}}}),    // overlap in group h
  });
  auto problems = CheckRanges(table);
  ASSERT_OK(problems);
  ASSERT_EQ(problems->size(), 3u);
  const RangeProblem& gap = (*problems)[0];
  EXPECT_EQ(gap.kind, "gap");
  EXPECT_EQ(gap.group, "g");
  EXPECT_EQ(gap.partition, kA0);
  EXPECT_EQ(gap.previous.end, 10);
  EXPECT_EQ(gap.next.start, 12);
  EXPECT_EQ(gap.snapshot_id, 102);
  const RangeProblem& overlap = (*problems)[1];
  EXPECT_EQ(overlap.kind, "overlap");
  EXPECT_EQ(overlap.partition, kB7);
  EXPECT_EQ(overlap.previous.end, 200);
  EXPECT_EQ(overlap.next.start, 150);
  EXPECT_EQ(overlap.snapshot_id, 103);
  const RangeProblem& in_h = (*problems)[2];
  EXPECT_EQ(in_h.kind, "overlap");
  EXPECT_EQ(in_h.group, "h");
  EXPECT_EQ(in_h.snapshot_id, 106);
}

}  // namespace
}  // namespace lakepipe::iceberg

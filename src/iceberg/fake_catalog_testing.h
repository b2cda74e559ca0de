// A Catalog in memory for the commit tests (append_test, overwrite_test):
// it checks a commit's requirements against the table it holds and
// injects faults, one per commit, in order.
#pragma once

#include <deque>
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "iceberg/catalog.h"

namespace lakepipe::iceberg {

enum class Fault { kNone, kRefuse, kUnknownAfterApply, kUnknownWithoutApply };

class FakeCatalog : public Catalog {
 public:
  std::deque<Fault> faults;
  // Runs once, inside the next commit, before it is checked: another writer.
  std::function<void()> before_commit;
  LoadedTable current;
  int commits_applied = 0;

  std::string_view type() const override { return "fake"; }
  Result<LoadedTable> LoadTable(const TableIdentifier&) override { return current; }
  Result<LoadedTable> CreateTable(const TableIdentifier&, const TableMetadata& m) override {
    current = LoadedTable{m, "mem://v0"};
    return current;
  }
  Result<LoadedTable> CommitTable(const TableIdentifier&, const LoadedTable&,
                                  const TableMetadata& updated,
                                  const TableCommit& commit) override {
    if (before_commit) {
      auto other = std::move(before_commit);
      before_commit = nullptr;
      other();
    }
    const Fault fault = faults.empty() ? Fault::kNone : faults.front();
    if (!faults.empty()) faults.pop_front();
    if (fault == Fault::kRefuse) return FailedPreconditionError("injected refusal");
    if (fault == Fault::kUnknownWithoutApply) return UnavailableError("injected 503, not applied");
    for (const auto& req : commit.requirements) {
      if (req["type"] == "assert-table-uuid" && req["uuid"] != current.metadata.table_uuid) {
        return FailedPreconditionError("uuid changed");
      }
      if (req["type"] == "assert-ref-snapshot-id") {
        const auto* main = current.metadata.CurrentSnapshot();
        const nlohmann::json have = main ? nlohmann::json(main->snapshot_id) : nlohmann::json();
        if (req["snapshot-id"] != have) return FailedPreconditionError("main moved");
      }
    }
    EXPECT_EQ(commit.updates[0]["action"], "add-snapshot");
    EXPECT_EQ(commit.updates[0]["snapshot"]["snapshot-id"], updated.current_snapshot_id);
    EXPECT_EQ(commit.updates[1]["action"], "set-snapshot-ref");
    EXPECT_EQ(commit.updates[1]["snapshot-id"], updated.current_snapshot_id);
    ++commits_applied;
    current = LoadedTable{updated, "mem://v" + std::to_string(commits_applied)};
    if (fault == Fault::kUnknownAfterApply) return UnavailableError("injected 503 after applying");
    return current;
  }
  Result<std::string> DefaultLocation(const TableIdentifier&) override { return std::string(); }
  nlohmann::json Describe() const override { return nlohmann::json::object(); }
};

}  // namespace lakepipe::iceberg

// A Catalog in memory for the commit tests (append_test, overwrite_test):
// it checks a commit's requirements against the table it holds and
// injects faults, one per commit, in order; and the fixture both tests
// start from, a table partitioned by day in such a catalog.
#pragma once

#include <chrono>
#include <deque>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "iceberg/append.h"
#include "iceberg/catalog.h"
#include "iceberg/manifest.h"
#include "iceberg/table_metadata.h"

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

// The commit tests' table schema: id long (field 1), day date (field 2).
inline Schema DayTableSchema() {
  auto field = [](std::string name, Kind kind, int32_t id) {
    Field f;
    f.name = std::move(name);
    f.full_kind = kind;
    f.field_id = id;
    SetFlatView(&f);
    return f;
  };
  return Schema("t", {field("id", Kind::kInt64, 1), field("day", Kind::kDate, 2)});
}

// A table of DayTableSchema() partitioned by day, held by a FakeCatalog,
// its files under a temporary directory named after `name`.
class FakeTableTest : public ::testing::Test {
 protected:
  explicit FakeTableTest(std::string name) : name_(std::move(name)) {}

  void SetUp() override {
    dir_ = testing::MakeTempDir(name_);
    std::filesystem::create_directories(dir_ + "/metadata");
    const Schema schema = DayTableSchema();
    auto spec = ParsePartitionSpec("day", schema);
    ASSERT_OK(spec);
    auto meta = TableMetadata::New(dir_, schema, *spec);
    ASSERT_OK(meta);
    ASSERT_OK(catalog_.CreateTable(id_, *meta));
  }

  DataFile File(const std::string& name, int32_t day, int64_t rows) {
    DataFile f;
    f.file_path = dir_ + "/data/" + name;
    f.partition = {day};
    f.record_count = rows;
    f.file_size_in_bytes = 100 * rows;
    return f;
  }

  // Retries at once; the log lines go to log_.
  AppendOptions Options() {
    AppendOptions options;
    options.initial_backoff = std::chrono::milliseconds(1);
    options.log = [this](const std::string& line) { log_.push_back(line); };
    return options;
  }

  std::string name_;
  std::string dir_;
  TableIdentifier id_{{"db"}, "events"};
  FakeCatalog catalog_;
  std::vector<std::string> log_;
};

}  // namespace lakepipe::iceberg

#include "iceberg/append.h"

#include <deque>
#include <filesystem>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "iceberg/fake_catalog_testing.h"
#include "iceberg/file_catalog.h"

namespace lakepipe::iceberg {
namespace {

class AppendTest : public FakeTableTest {
 protected:
  AppendTest() : FakeTableTest("iceberg_append") {}

  AppendFiles Appender() { return AppendFiles(&catalog_, id_, Options()); }

  // A plan that appends `files` minus those the table already holds.
  AppendFiles::Plan Missing(std::vector<DataFile> files) {
    return [files](const LoadedTable& table) -> Result<AppendPlan> {
      AppendPlan plan;
      std::set<std::string> held;
      if (const Snapshot* s = table.metadata.CurrentSnapshot()) {
        LP_ASSIGN_OR_RETURN(auto entries, LiveEntries(*s));
        for (const auto& e : entries) held.insert(e.data_file.file_path);
      }
      for (const DataFile& f : files) {
        if (!held.count(f.file_path)) plan.files.push_back(f);
      }
      plan.summary["lakepipe.test"] = "yes";
      return plan;
    };
  }

  // Every live data file path of the current snapshot, each once, with
  // the summary's totals equal to the files'.
  std::map<std::string, int> CheckTable() {
    std::map<std::string, int> paths;
    const Snapshot* s = catalog_.current.metadata.CurrentSnapshot();
    if (s == nullptr) return paths;
    auto entries = LiveEntries(*s);
    EXPECT_OK(entries);
    if (!entries.ok()) return paths;
    int64_t records = 0;
    int64_t bytes = 0;
    for (const auto& e : *entries) {
      ++paths[e.data_file.file_path];
      records += e.data_file.record_count;
      bytes += e.data_file.file_size_in_bytes;
    }
    for (const auto& [path, n] : paths) EXPECT_EQ(n, 1) << path;
    EXPECT_EQ(s->summary.at("total-data-files"), std::to_string(entries->size()));
    EXPECT_EQ(s->summary.at("total-records"), std::to_string(records));
    EXPECT_EQ(s->summary.at("total-files-size"), std::to_string(bytes));
    // Every manifest list and manifest in the metadata directory is one the
    // table uses: refused attempts left nothing behind.
    return paths;
  }

  size_t MetadataFiles() {
    size_t n = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir_ + "/metadata")) {
      (void)e;
      ++n;
    }
    return n;
  }
};

TEST_F(AppendTest, CommitsSnapshotsThatCarryManifestsForward) {
  AppendFiles append = Appender();
  auto first =
      append.Commit("c1", Missing({File("a.parquet", 19000, 10), File("b.parquet", 19001, 5)}));
  ASSERT_OK(first);
  EXPECT_TRUE(first->committed);
  EXPECT_EQ(first->attempts, 1);
  EXPECT_EQ(first->sequence_number, 1);
  auto second = append.Commit("c2", Missing({File("c.parquet", 19001, 7)}));
  ASSERT_OK(second);
  const TableMetadata& m = catalog_.current.metadata;
  ASSERT_EQ(m.snapshots.size(), 2u);
  EXPECT_EQ(m.last_sequence_number, 2);
  EXPECT_EQ(m.current_snapshot_id, second->snapshot_id);
  EXPECT_EQ(m.refs.at("main").snapshot_id, second->snapshot_id);
  ASSERT_EQ(m.snapshot_log.size(), 2u);
  EXPECT_EQ(m.snapshot_log[1].snapshot_id, second->snapshot_id);
  const Snapshot* s = m.CurrentSnapshot();
  EXPECT_EQ(s->parent_snapshot_id, first->snapshot_id);
  EXPECT_EQ(s->sequence_number, 2);
  EXPECT_EQ(s->schema_id, 0);
  EXPECT_EQ(s->summary.at("operation"), "append");
  EXPECT_EQ(s->summary.at("added-data-files"), "1");
  EXPECT_EQ(s->summary.at("added-records"), "7");
  EXPECT_EQ(s->summary.at("added-files-size"), "700");
  EXPECT_EQ(s->summary.at("changed-partition-count"), "1");
  EXPECT_EQ(s->summary.at("total-delete-files"), "0");
  EXPECT_EQ(s->summary.at("total-position-deletes"), "0");
  EXPECT_EQ(s->summary.at("total-equality-deletes"), "0");
  EXPECT_EQ(s->summary.at("lakepipe.commit-id"), "c2");
  EXPECT_EQ(s->summary.at("lakepipe.test"), "yes");
  EXPECT_EQ(m.snapshots[0].summary.at("changed-partition-count"), "2");
  EXPECT_EQ(CheckTable().size(), 3u);
  EXPECT_EQ(FindCommit(m, "c1"), m.FindSnapshot(first->snapshot_id));
  EXPECT_EQ(FindCommit(m, "c3"), nullptr);
  // The new manifest's entries inherit the new sequence number; the first
  // commit's keep theirs.
  auto entries = LiveEntries(*s);
  ASSERT_OK(entries);
  for (const auto& e : *entries) {
    EXPECT_EQ(e.sequence_number, e.data_file.file_path.ends_with("c.parquet") ? 2 : 1);
  }
  EXPECT_EQ(MetadataFiles(), 4u);  // two manifests, two lists
}

// With merging at 3 manifests: the fourth commit rewrites the three
// carried manifests into one of existing entries that keep their snapshot
// ids and sequence numbers.
TEST_F(AppendTest, ManyManifestsAreMergedIntoOne) {
  AppendOptions options;
  options.merge_manifests_at = 3;
  AppendFiles append(&catalog_, id_, options);
  std::vector<int64_t> snapshots;
  for (int c = 0; c < 5; ++c) {
    auto r = append.Commit(fmt::format("c{}", c),
                           Missing({File(fmt::format("f{}.parquet", c), 19000 + c, 10 + c)}));
    ASSERT_OK(r);
    snapshots.push_back(r->snapshot_id);
  }
  const Snapshot* s = catalog_.current.metadata.CurrentSnapshot();
  auto list_file = OpenInputFile(s->manifest_list);
  ASSERT_OK(list_file);
  auto list = ReadManifestList(*ReadWholeFile(list_file->get()));
  ASSERT_OK(list);
  // c4 merged [m2, m1, m0]: c5's list is [m4, m3, merged].
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].added_files_count, 1);
  EXPECT_EQ((*list)[2].existing_files_count, 3);
  EXPECT_EQ((*list)[2].added_files_count, 0);
  EXPECT_EQ((*list)[2].sequence_number, 4);
  EXPECT_EQ((*list)[2].min_sequence_number, 1);
  EXPECT_EQ((*list)[2].existing_rows_count, 10 + 11 + 12);
  auto entries = LiveEntries(*s);
  ASSERT_OK(entries);
  for (const auto& e : *entries) {
    const std::string& path = e.data_file.file_path;
    const int c = path[path.rfind(".parquet") - 1] - '0';
    EXPECT_EQ(e.sequence_number, c + 1) << e.data_file.file_path;
    EXPECT_EQ(e.snapshot_id, snapshots[static_cast<size_t>(c)]) << e.data_file.file_path;
    EXPECT_EQ(e.status, c < 3 ? EntryStatus::kExisting : EntryStatus::kAdded);
    EXPECT_EQ(e.data_file.partition, std::vector<Datum>{int32_t{19000 + c}});
  }
  EXPECT_EQ(CheckTable().size(), 5u);
}

TEST_F(AppendTest, ARefusedCommitIsRebasedAndLeavesNothingBehind) {
  catalog_.faults = {Fault::kRefuse};
  auto r = Appender().Commit("c1", Missing({File("a.parquet", 19000, 10)}));
  ASSERT_OK(r);
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(catalog_.commits_applied, 1);
  EXPECT_EQ(CheckTable().size(), 1u);
  EXPECT_EQ(MetadataFiles(), 2u);
  ASSERT_EQ(log_.size(), 1u);
  EXPECT_NE(log_[0].find("refused"), std::string::npos);
}

TEST_F(AppendTest, AnUnknownOutcomeThatLandedIsFoundNotRepeated) {
  catalog_.faults = {Fault::kUnknownAfterApply};
  int plans = 0;
  auto missing = Missing({File("a.parquet", 19000, 10)});
  auto r = Appender().Commit("c1", [&](const LoadedTable& t) {
    ++plans;
    return missing(t);
  });
  ASSERT_OK(r);
  EXPECT_TRUE(r->committed);
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(plans, 1);
  EXPECT_EQ(catalog_.commits_applied, 1);
  EXPECT_EQ(catalog_.current.metadata.snapshots.size(), 1u);
  EXPECT_EQ(r->snapshot_id, *catalog_.current.metadata.current_snapshot_id);
  EXPECT_EQ(CheckTable().size(), 1u);
  ASSERT_EQ(log_.size(), 2u);
  EXPECT_NE(log_[0].find("outcome unknown"), std::string::npos);
  EXPECT_NE(
      log_[1].find("found commit c1 in the table as snapshot " + std::to_string(r->snapshot_id)),
      std::string::npos)
      << log_[1];
}

TEST_F(AppendTest, AnUnknownOutcomeThatDidNotLandIsCommittedAgain) {
  catalog_.faults = {Fault::kUnknownWithoutApply};
  auto r = Appender().Commit("c1", Missing({File("a.parquet", 19000, 10)}));
  ASSERT_OK(r);
  EXPECT_EQ(r->attempts, 2);
  EXPECT_EQ(catalog_.commits_applied, 1);
  EXPECT_EQ(catalog_.current.metadata.snapshots.size(), 1u);
  EXPECT_EQ(CheckTable().size(), 1u);
  EXPECT_NE(log_[0].find("outcome unknown"), std::string::npos);
}

TEST_F(AppendTest, AConcurrentWritersSnapshotIsKeptAndItsFilesNotAddedAgain) {
  // Another archiver commits b (which we also hold) and x between our load
  // and our commit: ours is refused, rebased on theirs, and adds only a.
  catalog_.before_commit = [this] {
    auto other = Appender().Commit(
        "other", Missing({File("b.parquet", 19001, 5), File("x.parquet", 19002, 3)}));
    ASSERT_OK(other);
  };
  auto r = Appender().Commit("ours",
                             Missing({File("a.parquet", 19000, 10), File("b.parquet", 19001, 5)}));
  ASSERT_OK(r);
  EXPECT_EQ(r->attempts, 2);
  const TableMetadata& m = catalog_.current.metadata;
  ASSERT_EQ(m.snapshots.size(), 2u);
  EXPECT_EQ(m.CurrentSnapshot()->parent_snapshot_id, FindCommit(m, "other")->snapshot_id);
  EXPECT_EQ(m.CurrentSnapshot()->summary.at("added-data-files"), "1");
  const auto paths = CheckTable();
  EXPECT_EQ(paths.size(), 3u);
  EXPECT_EQ(m.CurrentSnapshot()->summary.at("total-records"), "18");
}

TEST_F(AppendTest, ASkippedPlanCommitsNothing) {
  auto r = Appender().Commit("c1", [](const LoadedTable&) -> Result<AppendPlan> {
    AppendPlan p;
    p.skip = true;
    return p;
  });
  ASSERT_OK(r);
  EXPECT_FALSE(r->committed);
  EXPECT_EQ(catalog_.commits_applied, 0);
}

TEST_F(AppendTest, ASnapshotWithoutFilesMovesOnlyTheSummary) {
  ASSERT_OK(Appender().Commit("c1", Missing({File("a.parquet", 19000, 10)})));
  auto r = Appender().Commit("c2", [](const LoadedTable&) -> Result<AppendPlan> {
    AppendPlan p;
    p.summary["lakepipe.kafka.offsets"] = "{}";
    return p;
  });
  ASSERT_OK(r);
  const Snapshot* s = catalog_.current.metadata.CurrentSnapshot();
  EXPECT_EQ(s->summary.count("added-data-files"), 0u);
  EXPECT_EQ(s->summary.at("changed-partition-count"), "0");
  EXPECT_EQ(s->summary.at("lakepipe.kafka.offsets"), "{}");
  EXPECT_EQ(CheckTable().size(), 1u);
}

TEST_F(AppendTest, GivesUpAfterMaxAttemptsAndRefusesDuplicatePaths) {
  catalog_.faults = {Fault::kRefuse, Fault::kRefuse, Fault::kRefuse};
  AppendOptions options;
  options.max_attempts = 3;
  options.initial_backoff = std::chrono::milliseconds(0);
  auto r =
      AppendFiles(&catalog_, id_, options).Commit("c1", Missing({File("a.parquet", 19000, 10)}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("3 attempts"), std::string::npos);
  EXPECT_EQ(MetadataFiles(), 0u);
  auto dup = Appender().Commit("c2", [this](const LoadedTable&) -> Result<AppendPlan> {
    AppendPlan p;
    p.files = {File("a.parquet", 19000, 10), File("a.parquet", 19000, 10)};
    return p;
  });
  EXPECT_EQ(dup.status().code(), StatusCode::kInvalidArgument);
}

// Through the file catalog on a local directory: four writers, each with
// its own catalog, append 5 commits of 2 files each at the same time.
// Losers of a version rebase; every file is in the table once.
TEST(AppendFileCatalog, ConcurrentWritersEachFileOnce) {
  const std::string warehouse = testing::MakeTempDir("iceberg_append_file");
  CatalogOptions options;
  options.type = "file";
  options.warehouse = warehouse;
  auto catalog = MakeFileCatalog(options);
  ASSERT_OK(catalog);
  const TableIdentifier id{{"db"}, "events"};
  const Schema schema = DayTableSchema();
  auto spec = ParsePartitionSpec("day", schema);
  ASSERT_OK(spec);
  auto location = (*catalog)->DefaultLocation(id);
  ASSERT_OK(location);
  auto meta = TableMetadata::New(*location, schema, *spec);
  ASSERT_OK(meta);
  ASSERT_OK((*catalog)->CreateTable(id, *meta));
  constexpr int kWriters = 4;
  constexpr int kCommits = 5;
  std::vector<std::thread> threads;
  std::vector<Status> results(kWriters);
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      auto mine = MakeFileCatalog(options);
      if (!mine.ok()) {
        results[w] = mine.status();
        return;
      }
      AppendOptions append_options;
      append_options.initial_backoff = std::chrono::milliseconds(1);
      append_options.max_backoff = std::chrono::milliseconds(20);
      append_options.max_attempts = 100;
      AppendFiles append(mine->get(), id, append_options);
      for (int c = 0; c < kCommits; ++c) {
        std::vector<DataFile> files;
        for (int f = 0; f < 2; ++f) {
          DataFile file;
          file.file_path = fmt::format("{}/data/w{}-c{}-f{}.parquet", *location, w, c, f);
          file.partition = {int32_t{19000 + f}};
          file.record_count = 10;
          file.file_size_in_bytes = 1000;
          files.push_back(std::move(file));
        }
        auto r = append.Commit(fmt::format("w{}-c{}", w, c),
                               [&](const LoadedTable&) -> Result<AppendPlan> {
                                 AppendPlan p;
                                 p.files = files;
                                 return p;
                               });
        if (!r.ok()) {
          results[w] = r.status();
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const Status& st : results) EXPECT_OK(st);
  auto table = (*catalog)->LoadTable(id);
  ASSERT_OK(table);
  const Snapshot* s = table->metadata.CurrentSnapshot();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(table->metadata.Ancestry().size(), size_t{kWriters * kCommits});
  EXPECT_EQ(table->metadata.last_sequence_number, kWriters * kCommits);
  auto entries = LiveEntries(*s);
  ASSERT_OK(entries);
  std::map<std::string, int> paths;
  for (const auto& e : *entries) ++paths[e.data_file.file_path];
  EXPECT_EQ(paths.size(), size_t{kWriters * kCommits * 2});
  for (const auto& [path, n] : paths) EXPECT_EQ(n, 1) << path;
  EXPECT_EQ(s->summary.at("total-data-files"), std::to_string(kWriters * kCommits * 2));
  EXPECT_EQ(s->summary.at("total-records"), std::to_string(kWriters * kCommits * 20));
  // The reloaded document parses and its metadata-log records each base.
  EXPECT_EQ(table->metadata.metadata_log.size(), size_t{kWriters * kCommits});
}

}  // namespace
}  // namespace lakepipe::iceberg

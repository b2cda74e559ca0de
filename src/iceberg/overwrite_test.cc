#include "iceberg/overwrite.h"

#include <deque>
#include <filesystem>
#include <set>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "iceberg/fake_catalog_testing.h"

namespace lakepipe::iceberg {
namespace {

class OverwriteTest : public FakeTableTest {
 protected:
  OverwriteTest() : FakeTableTest("iceberg_overwrite") {}

  static OverwriteFiles::Plan Replace(std::vector<DataFile> added, std::set<std::string> deleted) {
    return [added, deleted](const LoadedTable&) -> Result<OverwritePlan> {
      OverwritePlan plan;
      plan.added = added;
      plan.deleted = deleted;
      return plan;
    };
  }

  // The live data files of the current snapshot: path -> records.
  std::map<std::string, int64_t> Live() {
    std::map<std::string, int64_t> out;
    const Snapshot* s = catalog_.current.metadata.CurrentSnapshot();
    if (s == nullptr) return out;
    auto entries = LiveEntries(*s);
    EXPECT_OK(entries);
    if (!entries.ok()) return out;
    for (const auto& e : *entries) {
      EXPECT_EQ(out.count(e.data_file.file_path), 0u) << e.data_file.file_path;
      out[e.data_file.file_path] = e.data_file.record_count;
    }
    return out;
  }

  // Every entry of every manifest of the current snapshot.
  std::vector<ManifestEntry> AllEntries() {
    std::vector<ManifestEntry> out;
    const Snapshot* s = catalog_.current.metadata.CurrentSnapshot();
    auto list_file = OpenInputFile(s->manifest_list);
    EXPECT_OK(list_file);
    auto list_bytes = ReadWholeFile(list_file->get());
    EXPECT_OK(list_bytes);
    auto list = ReadManifestList(*list_bytes);
    EXPECT_OK(list);
    for (const ManifestFile& m : *list) {
      auto f = OpenInputFile(m.manifest_path);
      EXPECT_OK(f);
      auto bytes = ReadWholeFile(f->get());
      EXPECT_OK(bytes);
      auto entries = ReadManifest(*bytes, m);
      EXPECT_OK(entries);
      for (auto& e : *entries) out.push_back(std::move(e));
    }
    return out;
  }
};

TEST_F(OverwriteTest, ReplacesFilesInOneSnapshotWithDeletedEntriesAndTotals) {
  OverwriteFiles overwrite(&catalog_, id_, Options());
  ASSERT_OK(overwrite.Commit(
      "c1", Replace({File("a.parquet", 19000, 10), File("b.parquet", 19001, 5)}, {})));
  EXPECT_EQ(catalog_.current.metadata.CurrentSnapshot()->summary.at("operation"), "append");
  auto second =
      overwrite.Commit("c2", Replace({File("b2.parquet", 19001, 7)}, {dir_ + "/data/b.parquet"}));
  ASSERT_OK(second);
  EXPECT_TRUE(second->committed);
  const Snapshot* s = catalog_.current.metadata.CurrentSnapshot();
  EXPECT_EQ(s->summary.at("operation"), "overwrite");
  EXPECT_EQ(s->summary.at("added-data-files"), "1");
  EXPECT_EQ(s->summary.at("added-records"), "7");
  EXPECT_EQ(s->summary.at("deleted-data-files"), "1");
  EXPECT_EQ(s->summary.at("deleted-records"), "5");
  EXPECT_EQ(s->summary.at("removed-files-size"), "500");
  EXPECT_EQ(s->summary.at("changed-partition-count"), "1");
  EXPECT_EQ(s->summary.at("total-data-files"), "2");
  EXPECT_EQ(s->summary.at("total-records"), "17");
  EXPECT_EQ(s->summary.at("total-files-size"), "1700");
  EXPECT_EQ(s->summary.at("lakepipe.commit-id"), "c2");
  const std::map<std::string, int64_t> want = {{dir_ + "/data/a.parquet", 10},
                                               {dir_ + "/data/b2.parquet", 7}};
  EXPECT_EQ(Live(), want);
  // The replaced file is a deleted entry of this snapshot keeping the
  // sequence number it was added with; the other file of its manifest is
  // carried as existing.
  int deleted = 0;
  int existing = 0;
  int added = 0;
  for (const ManifestEntry& e : AllEntries()) {
    if (e.status == EntryStatus::kDeleted) {
      ++deleted;
      EXPECT_EQ(e.data_file.file_path, dir_ + "/data/b.parquet");
      EXPECT_EQ(e.snapshot_id, second->snapshot_id);
      EXPECT_EQ(e.sequence_number, 1);
    } else if (e.status == EntryStatus::kExisting) {
      ++existing;
      EXPECT_EQ(e.data_file.file_path, dir_ + "/data/a.parquet");
      EXPECT_EQ(e.sequence_number, 1);
    } else {
      ++added;
      EXPECT_EQ(e.data_file.file_path, dir_ + "/data/b2.parquet");
      EXPECT_EQ(e.sequence_number, 2);
    }
  }
  EXPECT_EQ(deleted, 1);
  EXPECT_EQ(existing, 1);
  EXPECT_EQ(added, 1);
}

TEST_F(OverwriteTest, RefusesToDeleteAFileThatIsNotLive) {
  OverwriteFiles overwrite(&catalog_, id_, Options());
  ASSERT_OK(overwrite.Commit("c1", Replace({File("a.parquet", 19000, 10)}, {})));
  auto r = overwrite.Commit(
      "c2", Replace({File("x.parquet", 19000, 1)}, {dir_ + "/data/missing.parquet"}));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(r.status().message().find("missing.parquet"), std::string::npos);
  EXPECT_EQ(catalog_.current.metadata.snapshots.size(), 1u);
}

TEST_F(OverwriteTest, RetriesARefusalAndFindsACommitWhoseOutcomeWasUnknown) {
  OverwriteFiles overwrite(&catalog_, id_, Options());
  ASSERT_OK(overwrite.Commit("c1", Replace({File("a.parquet", 19000, 10)}, {})));
  catalog_.faults = {Fault::kRefuse, Fault::kUnknownAfterApply};
  auto r =
      overwrite.Commit("c2", Replace({File("a2.parquet", 19000, 4)}, {dir_ + "/data/a.parquet"}));
  ASSERT_OK(r);
  EXPECT_EQ(r->attempts, 3);  // refused, unknown (landed), found
  EXPECT_EQ(catalog_.commits_applied, 2);
  const std::map<std::string, int64_t> want = {{dir_ + "/data/a2.parquet", 4}};
  EXPECT_EQ(Live(), want);
  const Snapshot* s = catalog_.current.metadata.CurrentSnapshot();
  EXPECT_EQ(s->summary.at("total-records"), "4");
  EXPECT_EQ(s->summary.at("deleted-data-files"), "1");
  ASSERT_EQ(log_.size(), 3u);
  EXPECT_NE(log_[0].find("refused"), std::string::npos);
  EXPECT_NE(log_[1].find("unknown"), std::string::npos);
  EXPECT_NE(log_[2].find("found commit c2"), std::string::npos);
}

}  // namespace
}  // namespace lakepipe::iceberg

// IcebergCommits: the cut protocol of an archiver writing an Apache Iceberg
// table (--table-format iceberg). The table, not the consumer group, is the
// source of truth: each snapshot lakepipe commits records in its summary
// the Kafka offset ranges whose records it added and the group's offsets so
// far (iceberg/kafka_ranges.h).
//
// Closing the segment [S, E) of a partition finishes its files (named with
// a uuid: unique per write, never visible to readers until a snapshot
// lists them) and adds them, with the range [S, E), to a pending batch.
// The batch is committed as ONE snapshot (iceberg::AppendFiles) every
// commit_interval (open segments are cut first), when its files reach
// commit_bytes, before partitions are revoked and at shutdown:
//   1. the dead letters are flushed;
//   2. against the table as loaded (again at each retry), the plan keeps,
//      per partition, the ranges that start exactly at the group's
//      committed end for it (any start for a partition the table never
//      saw) and follow each other; the others are already covered or not
//      contiguous (another archiver of the group committed them after a
//      rebalance): they are dropped and their files deleted, and a
//      partition still assigned is rewound to the table's end;
//   3. the snapshot is committed (conflicts rebased and retried, an
//      unknown outcome resolved by the commit id: AppendFiles);
//   4. the ends are committed to the consumer group, so that `lakepipe
//      lag` stays right (a refusal is logged: the table decides).
// A crash anywhere leaves either no snapshot (the batch's files are
// orphans no reader sees; the restart re-reads from the table's offsets)
// or the snapshot (the restart resumes after it), so every offset is in
// the table exactly once.
//
// A partition assigned resumes at the table's end for the group, else at
// the group's committed offset, else where auto.offset.reset says.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "archive/archive_stats.h"
#include "archive/commit_protocol.h"
#include "archive/dead_letters.h"
#include "archive/kafka_offset_commits.h"
#include "archive/partitioned_writer.h"
#include "archive/record_source.h"
#include "iceberg/append.h"
#include "iceberg/catalog.h"
#include "iceberg/manifest.h"

namespace lakepipe::archive {

class IcebergCommits final : public CommitProtocol {
 public:
  struct Parts {
    RecordSource* consumer = nullptr;
    PartitionedWriter* writer = nullptr;
    DeadLetterSink* dead_letters = nullptr;
    StatsCell* stats = nullptr;
    PartitionStates* states = nullptr;  // the archiver's assigned partitions
    ObjectStore* store = nullptr;       // where the data files are read back and deleted
    iceberg::Catalog* catalog = nullptr;
    iceberg::TableIdentifier table;
    std::string group;
    iceberg::TableSchema schema;  // the table's current schema, with ids
    std::chrono::milliseconds commit_interval{60000};
    uint64_t commit_bytes = 512ull << 20;
    iceberg::AppendOptions append;
    bool strict = false;
    KafkaOffsetCommits::LogFunction log;
  };
  explicit IcebergCommits(Parts parts);

  Status Resume(const std::vector<PartitionState*>& states) override;
  Status Cut(PartitionState& s) override;
  void Abort(PartitionState& s) override;
  Status CheckLoss(PartitionState& s, int64_t expected, int64_t seen) override;
  Status Tick(std::chrono::steady_clock::time_point now) override;
  Status Flush() override;

  // The last snapshot this protocol committed (nullopt: none yet) and the
  // table's metadata file then.
  std::optional<int64_t> last_snapshot() const { return last_snapshot_; }
  const std::string& metadata_location() const { return metadata_location_; }

 private:
  // A closed segment waiting for the next snapshot.
  struct Pending {
    kafka::TopicPartition tp;
    int64_t start = 0;
    int64_t end = 0;
    std::vector<iceberg::DataFile> files;
    std::vector<std::string> paths;  // in the store, to delete when dropped
    uint64_t records = 0;
    uint64_t bytes = 0;
    uint64_t dead = 0;
  };
  // The DataFiles of `s`'s finished files.
  Result<std::vector<iceberg::DataFile>> DataFilesOf(PartitionState& s);
  // Cuts every open segment (at the commit interval).
  Status CutAll();
  // After the snapshot: stats, deletes, rewinds, Kafka commits.
  void Settle(const std::vector<Pending>& batch, const std::vector<bool>& kept,
              const iceberg::TableMetadata& table);
  void Rewind(PartitionState& s, int64_t offset, const std::string& why);
  void DropPending(const kafka::TopicPartition& tp);
  // Commits the table's offsets to the group where it was behind at Resume.
  void CatchUpGroup();
  void Log(const std::string& line, observe::LogLevel level, const observe::LogRecord& record) {
    if (p_.log) p_.log(line, level, record);
  }

  Parts p_;
  KafkaOffsetCommits kafka_;  // for the loss check
  std::vector<Pending> pending_;
  std::vector<kafka::OffsetAndMetadata> catch_up_;  // from Resume, for the next Tick
  uint64_t pending_bytes_ = 0;
  std::optional<std::chrono::steady_clock::time_point> last_flush_;
  std::optional<int64_t> last_snapshot_;
  std::string metadata_location_;
};

}  // namespace lakepipe::archive

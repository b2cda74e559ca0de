// PartitionedWriter: the files of the archiver's open segments. A segment
// (the records of one Kafka partition since its last cut) has one file per
// partition path, named after its first record's offset,
//   <lake>/<table>/raw/<format>/<path>/<topic>+<partition>+<first offset>.<ext>
// staged in the partition's staging directory until it is finished. The
// writer tells when a segment should close (a file reached flush_records or
// flush_bytes, the segment is rotate_interval old, the open files reached
// max_buffer_bytes or max_open_files) and which one; closing it is the
// commit protocol's (commit_protocol.h), which finishes or aborts the files
// through this writer.
//
// Thread-safety: one thread; the files are encoded on a WriterThread of
// the writer's own.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include "archive/partition_state.h"
#include "formats/background_writer.h"
#include "formats/format.h"
#include "storage/object_store.h"

namespace lakepipe::archive {

struct WriterLimits {
  uint64_t flush_records = 100000;
  uint64_t flush_bytes = 64ull << 20;
  std::chrono::milliseconds rotate_interval{60000};
  uint64_t max_buffer_bytes = 128ull << 20;
  uint64_t max_open_files = 1024;
};

class PartitionedWriter {
 public:
  // `store` and `states` (the segments whose files are counted against the
  // bounds) must outlive the writer.
  PartitionedWriter(ObjectStore* store, std::string lake_path, WriteOptions write,
                    WriterLimits limits, const PartitionStates* states);

  // The file of `s`'s segment for `partition_path`, opened (named after
  // `first_offset`) when it is not open yet. For an Iceberg table
  // (TopicContext::iceberg), the file goes under its data directory, named
  // <topic>+<partition>+<first offset>-<uuid>.parquet, with the partition
  // tuple `partition`.
  Result<OpenFile*> FileFor(PartitionState& s, const std::string& partition_path,
                            int64_t first_offset,
                            const std::vector<iceberg::Datum>* partition = nullptr);
  // Counts a record of `payload_bytes` staged in `file`; hands the staged
  // rows to the file's writer when enough are staged. True when the file
  // reached flush_records or flush_bytes.
  Result<bool> Added(OpenFile& file, size_t payload_bytes);
  // Whether a file may open: fewer than max_open_files are open and their
  // memory is below max_buffer_bytes.
  bool RoomForAnotherFile();
  // The partition whose segment holds the least recently used file, among
  // those that may close early; null when none.
  PartitionState* LeastRecentlyUsed() const;
  // Whether `s`'s segment has been open for rotate_interval at `now`.
  bool Expired(const PartitionState& s, std::chrono::steady_clock::time_point now) const;
  // The partition with the largest file (of those that may close early)
  // when the open files hold max_buffer_bytes or more; else null.
  // `*buffered`: what the open files hold.
  PartitionState* OverMemoryBound(uint64_t* buffered) const;

  // What finishing a segment's files wrote.
  struct Finished {
    uint64_t records = 0;
    uint64_t bytes = 0;
    uint64_t files = 0;
  };
  // Finishes every file of `s`'s segment (fsync, atomic rename into place).
  Result<Finished> Finish(PartitionState& s);
  // Forgets the finished files of `s` and gives their memory back.
  void Release(PartitionState& s, const Finished& finished);
  // Discards the unfinished files of `s`'s segment.
  void Abort(PartitionState& s);

  // Deletes what a writer killed while finishing left in the staging
  // directory of `table` for `tp`; false when the lake does not answer.
  // The files of a writer still running are kept (ObjectStore::
  // DeleteAbandoned): a previous owner of `tp` that has not noticed the
  // rebalance yet finishes its segment, and the commit protocol keeps its
  // offsets or drops them.
  bool RemoveLeftovers(const std::string& table, const kafka::TopicPartition& tp);
  // Removes the staging directories used that are empty (local lakes).
  void RemoveEmptyStagingDirs();

  // The files open now, and the memory they hold.
  uint64_t OpenFileCount() const;
  uint64_t BufferedBytes() const;

 private:
  std::string TableDir(const TopicContext& ctx) const;
  std::string StagingDir(const std::string& table, const kafka::TopicPartition& tp) const;

  ObjectStore* store_;
  std::string lake_path_;
  WriteOptions write_;
  WriterLimits limits_;
  const PartitionStates* states_;
  // Encodes and compresses on a second core while the caller decodes; must
  // outlive the files' writers (Archiver::Impl destroys the states first).
  WriterThread writer_thread_;
  uint64_t use_clock_ = 0;  // counts records placed in files, for OpenFile::last_used
  // The open files' memory at its last count (RoomForAnotherFile).
  struct MemoryCount {
    uint64_t bytes = 0;
    size_t files = 0;         // open then
    size_t opened_since = 0;  // files opened since
  } memory_count_;
  // The staging directories of the partitions written: removed at exit when
  // empty (with their parents up to the lake).
  std::set<std::string> staging_dirs_;
};

}  // namespace lakepipe::archive

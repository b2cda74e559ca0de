// CommitProtocol: how the files of a closed segment become part of the
// table together with the record that its offsets are archived, and where
// a partition resumes after an assignment. The archiver decides when a
// segment closes (partitioned_writer.h tells it); the protocol closes it,
// so that every offset ends up in exactly one file whatever kills the
// process. KafkaOffsetCommits (kafka_offset_commits.h) is the protocol of
// archiver.h: intent and end commits of Kafka offsets with metadata.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "archive/partition_state.h"
#include "core/status.h"

namespace lakepipe::archive {

class CommitProtocol {
 public:
  virtual ~CommitProtocol() = default;

  // Partitions just assigned: sets where each resumes (segment_start,
  // next_offset), the cut a segment interrupted earlier must be replayed to,
  // and the settings it is replayed with. An error stops the archiver.
  virtual Status Resume(const std::vector<PartitionState*>& states) = 0;
  // Closes `s`'s segment at next_offset: its files become visible and its
  // offsets archived; when the group refuses for now, the partition is read
  // again from the segment's start instead (not an error).
  virtual Status Cut(PartitionState& s) = 0;
  // Gives the segment back uncommitted: its files are discarded and its
  // records read again by whoever owns the partition next.
  virtual void Abort(PartitionState& s) = 0;
  // A record came at `seen` when `expected` was next: reports the offsets
  // lost to retention, if any (an error under --strict).
  virtual Status CheckLoss(PartitionState& s, int64_t expected, int64_t seen) = 0;

  // Called between polls while a broker is reachable: a protocol that
  // commits closed segments in batches (IcebergCommits) commits one when
  // it is due. KafkaOffsetCommits commits at each cut: nothing to do.
  virtual Status Tick(std::chrono::steady_clock::time_point now) {
    (void)now;
    return Status::OK();
  }
  // Commits what closed segments are waiting for (before partitions are
  // revoked, and at shutdown once every segment is cut).
  virtual Status Flush() { return Status::OK(); }

  // Cuts when the segment may end here, else gives it back (the next owner
  // replays it to its recorded cut).
  Status FinishOrAbort(PartitionState& s) {
    if (s.Cuttable()) return Cut(s);
    Abort(s);
    return Status::OK();
  }
};

}  // namespace lakepipe::archive

// What the archiver keeps for each assigned Kafka partition: the settings
// its records are written with, its open segment [segment_start,
// next_offset) and that segment's open files. The partitioned writer
// (partitioned_writer.h) owns the files' side, the commit protocol
// (commit_protocol.h) the offsets' side.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "archive/cut_metadata.h"
#include "archive/decoder.h"
#include "archive/iceberg_layout.h"
#include "archive/partitioner.h"
#include "core/column.h"
#include "formats/background_writer.h"
#include "formats/format.h"
#include "iceberg/bounds.h"
#include "kafka/consumer.h"

namespace lakepipe::archive {

// Where the data files of an Iceberg table go (--table-format iceberg):
// written with `schema` (the data files' types, iceberg/data_schema.h, and
// the table's field ids) under data_dir (a path of the lake's store) and
// listed in the table as data_uri/<path>. `convert`: the records' values
// change unit on the way (iceberg::NeedsConversion).
struct IcebergTarget {
  SchemaPtr schema;
  bool convert = false;
  std::optional<IcebergPartitioner> partitioner;
  std::string data_dir;
  std::string data_uri;
};

// Everything that depends on the topic: table, format, decoding,
// partitioning. A segment replayed under the layout recorded in its intent
// has a context of its own, sharing the topic's decoder.
struct TopicContext {
  std::string table;
  SegmentLayout layout;
  const FormatInfo* format = nullptr;
  RecordDecoder* decoder = nullptr;  // owned by the Archiver
  std::optional<Partitioner> partitioner;
  const IcebergTarget* iceberg = nullptr;  // an Iceberg table's data files, else Hive
};

// One file of a segment, being written.
struct OpenFile {
  std::string partition_path;  // the Hive path, e.g. "event_date=2026-11-21/hour=05"
  std::string path;
  std::string uri;                        // Iceberg: the URI the table lists
  std::vector<iceberg::Datum> partition;  // Iceberg: the partition tuple
  std::unique_ptr<BackgroundWriter> writer;
  RecordBatch staging;
  uint64_t records = 0;
  uint64_t unchecked_bytes = 0;  // payload bytes since Bytes() was last compared
  uint64_t last_used = 0;        // PartitionedWriter's use count when a record last went here

  explicit OpenFile(SchemaPtr schema) : staging(std::move(schema)) {}
  // The file's size so far (for --flush-bytes).
  uint64_t Bytes() const { return writer->bytes_written() + staging.ByteSize(); }
  // Memory held for the file (for --max-buffer-bytes).
  uint64_t Memory() const { return writer->memory_bytes() + staging.MemoryBytes(); }
};

struct PartitionState {
  kafka::TopicPartition tp;
  TopicContext* context = nullptr;
  int64_t segment_start = -1;  // S; -1: unknown until the first record
  int64_t next_offset = -1;    // after the last record consumed
  std::optional<int64_t> replay_cut;
  TopicContext* topic_context = nullptr;  // the current settings
  // The layout of the segment being replayed, when it differs from the
  // current settings (`context` points to it until the replayed cut).
  std::unique_ptr<TopicContext> replay_context;
  std::map<std::string, std::unique_ptr<OpenFile>> files;  // by partition path
  uint64_t segment_records = 0;                            // records read in the segment
  uint64_t segment_dead = 0;                               // of those, dead letters
  std::optional<std::chrono::steady_clock::time_point> segment_started;
  std::unique_ptr<RecordBatch> scratch;
  OpenFile* last_file = nullptr;  // where the previous record went
  // After a rewind: records are skipped until this offset comes again.
  std::optional<int64_t> await_offset;

  // While replaying a cut found in the commit metadata, the segment may only
  // end exactly there: the files of the interrupted run may already be
  // visible, and any other cut would write different ones.
  bool Cuttable() const { return !replay_cut || next_offset >= *replay_cut; }
  // Whether the segment may close before its end is reached (rotation, the
  // memory and open-file bounds): not while a recorded cut is replayed.
  bool MayCloseEarly() const { return !replay_cut; }
};

using PartitionStates = std::unordered_map<kafka::TopicPartition, std::unique_ptr<PartitionState>,
                                           kafka::TopicPartitionHash>;

}  // namespace lakepipe::archive

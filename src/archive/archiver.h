// The archiver: Kafka topics into Hive-partitioned files of a lake, exactly
// once.
//
// Records of one Kafka partition are cut into segments [S, E). A segment's
// records go to one file per partition path, named
//   <lake>/<table>/raw/<format>/<path>/<topic>+<partition>+<first offset>.<ext>
// where the first offset is that of the file's first record. Closing a
// segment takes three steps:
//   1. commit offset S with the metadata (the intent)
//        "lakepipe:v2 cut=E table=T format=F partition_by=P time_field=X"
//      (CutMetadata below: the cut and the segment's layout, the settings
//      that decide which file a record goes to);
//   2. finish every file of the segment (fsync, atomic rename) and flush the
//      dead letters of the segment;
//   3. commit offset E.
// A crash before 1 leaves nothing visible for offsets >= S; a crash between
// 1 and 3 is replayed from S and cut again at E, which rebuilds the same
// files with the same names and the same records and overwrites them. So
// every offset ends up in exactly one file, whatever kills the process.
// Commits from a consumer whose partitions were taken away are refused by
// the group (generation fencing).
//
// A restart under different settings (--table, --file-format, --partition-by,
// --time-field) must not write the interrupted segment under other names
// while some of its files are already visible: the segment [S, E) is
// replayed with the layout recorded in its intent, and the new settings
// apply from E on. When the recorded layout cannot be rebuilt (its format is
// unknown, or its template names a field the current schema lacks) the
// archiver refuses to start on that partition, naming the recorded settings:
// restart with them until E is committed. An intent of the older form
// "lakepipe:v1 cut=E" records no layout: it is replayed with the current
// settings, as before.
//
// A segment closes when one of its files reaches flush_records or
// flush_bytes, when rotate_interval has passed since its first record (also
// when the partition receives nothing more), when max_buffer_bytes is
// reached across all open files (the partition with the largest file
// first), when a file must open while max_open_files are open (the
// partition with the least recently used file), when the partition is
// revoked, at shutdown, and at a cut replayed from the commit metadata. A
// segment being replayed closes only at its recorded cut.
//
// The parts: the Archiver routes and decodes records (decoder.h,
// partitioner.h), keeps the housekeeping and the stats, and wires
//   - PartitionedWriter (partitioned_writer.h): the open files of each
//     segment, one per partition path, and when a segment should close
//     (records, bytes, age, max_buffer_bytes, max_open_files);
//   - CommitProtocol (commit_protocol.h), here KafkaOffsetCommits
//     (kafka_offset_commits.h): the cut above, rewinds, the loss check and
//     where an assigned partition resumes;
//   - the collaborators of ArchiverParts, given from outside or built by
//     Make(options): the consumer (RecordSource, record_source.h), the
//     lake's ObjectStore, the DeadLetterSink and the clock.
// The protocol is unit-tested by killing a run at each of its steps over
// stand-ins of those collaborators (archiver_crash_test.cc).
//
// Thread-safety: Run() uses the calling thread; stats may be read with
// Snapshot() from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archive/archive_stats.h"
#include "archive/cut_metadata.h"
#include "archive/dead_letters.h"
#include "archive/decoder.h"
#include "archive/progress_line.h"
#include "archive/record_source.h"
#include "formats/format.h"
#include "iceberg/catalog.h"
#include "kafka/consumer.h"
#include "kafka/producer.h"
#include "storage/object_store.h"

namespace lakepipe::archive {

// The writer defaults of the archiver: Parquet pages of 128 KiB and
// dictionaries of at most 256 KiB per column (instead of 1 MiB and 2 MiB),
// compressed at the codec's fast level (zstd 1: files about 2% larger than
// at the standard level, for much less CPU in a job that must keep up with
// Kafka). An archiver keeps a file open per Kafka partition and Hive
// partition, and each open file holds its open page and dictionary for every
// column; small ones keep that memory low, so that --max-buffer-bytes is
// spent on data rather than forcing early, small files.
WriteOptions ArchiveWriteOptions();

struct ArchiveOptions {
  std::string brokers;
  std::string group;
  // Static group membership (kafka/membership.h). "" (the default): a
  // group.instance.id derived from the table and this host's name,
  // "<table>-<host>", with "-2", "-3"... for further archivers of the group
  // running on this host at once (kafka::InstanceLease); "none": dynamic
  // membership; else the id itself. A group.instance.id in kafka_settings
  // wins. Against the dev broker, which does not honour static membership,
  // the derived id is not used, and sessions are short
  // (kafka::DevBrokerGroupSettings) unless kafka_settings set
  // session.timeout.ms.
  std::string instance_id;
  std::vector<std::string> topics;
  kafka::Settings kafka_settings;  // consumer and dead-letter producer
  std::string lake;                // file:///path or a path
  std::string table;  // "": the topic name; either must pass ValidateTableName (core/lake_names.h)
  std::string format = "parquet";  // parquet | avro | jsonl | csv
  // "hive": files in the Hive layout, committed through Kafka offsets (the
  // protocol above); "iceberg": an Apache Iceberg table, committed in
  // snapshots that record the Kafka offsets (iceberg_commits.h). Iceberg
  // takes Parquet only, one table for all topics, and partition_by as a
  // spec of transforms ("day(event_time)"; iceberg_layout.h).
  std::string table_format = "hive";
  // iceberg: the catalog (its warehouse defaults to the lake) and the
  // table's identifier ("" : default.<table>). The table is created when
  // missing (format v2, Parquet) and must have the records' schema.
  iceberg::CatalogOptions catalog;
  std::string iceberg_table;
  // iceberg: a snapshot every commit_interval (open segments are cut for
  // it), or sooner when the files waiting reach commit_bytes.
  std::chrono::milliseconds commit_interval{60000};
  uint64_t commit_bytes = 512ull << 20;
  WriteOptions write = ArchiveWriteOptions();
  DecoderOptions decoder;  // input format, schema, registry
  std::string partition_by = "event_date={event_time:%Y-%m-%d}/hour={event_time:%H}";
  std::string time_field;  // "": the Kafka record timestamp
  uint64_t flush_records = 100000;
  uint64_t flush_bytes = 64ull << 20;
  std::chrono::milliseconds rotate_interval{60000};
  uint64_t max_buffer_bytes = 128ull << 20;
  // Bound on files open at once (each holds a file descriptor and writer
  // state); at the bound the segment holding the least recently used file
  // is closed. 0: half the process's open-file limit, which Make() raises
  // to its hard limit; the other half is for sockets, the Kafka client and
  // the store.
  uint64_t max_open_files = 0;
  std::string dlq_topic;  // "": <topic>.dlq
  // 0: run until stopped. Idle time counts from the group join (the first
  // assignment, even an empty one) or the last record, whichever is later,
  // and only while a broker is reachable: idle means connected with nothing
  // arriving.
  std::chrono::milliseconds exit_when_idle{0};
  // No Kafka broker reachable for this long (librdkafka reports all brokers
  // down, and none has answered since) fails the run with kUnavailable; the
  // open segments are given back uncommitted. Stopping while no broker is
  // reachable fails the same way, as nothing can be committed.
  std::chrono::milliseconds broker_timeout{60000};
  // When positive, Make waits up to this long (at most broker_timeout) for
  // a bootstrap server to answer before it creates the Kafka clients, and
  // fails with kUnavailable naming them and the reason when none does
  // (kafka::WaitForBrokers). 0: no wait; brokers down then fail Run after
  // broker_timeout.
  std::chrono::milliseconds start_timeout{0};
  bool strict = false;  // stop on data loss instead of going on
  std::chrono::milliseconds stats_interval{10000};
  // Log lines (stats, data loss, warnings); defaults to stderr.
  std::function<void(const std::string&)> log;
  // Called with each record decoded for the lake (row `row` of `batch`,
  // from message `m`), on the consuming thread, before it is buffered: a
  // copy of what is consumed (lakepipe run writes local files from it). A
  // segment read again after a rewind or a rebalance calls it again for
  // the same offsets. An error stops the run like a write error.
  std::function<Status(const RecordBatch& batch, size_t row, const kafka::MessageView& m)>
      on_record;
};

// The archive's figures of the progress line (rates, elapsed time,
// joining and produced are the caller's).
ProgressFigures ProgressOf(const ArchiveStats& s);

// How the archiver takes part in its consumer group.
struct GroupMembership {
  std::string group;
  std::string instance_id;                           // group.instance.id; "": dynamic membership
  bool dev_broker = false;                           // the brokers are the dev broker
  std::chrono::milliseconds session_timeout{45000};  // the effective session.timeout.ms
};

// For the start line: "static member 'users-host' (...)", "dynamic member
// (45 s sessions)" or "dynamic member of the dev broker's group, 3 s
// sessions".
std::string DescribeMembership(const GroupMembership& m);

// What the archiver works with, given from outside: Archiver::Make(options)
// builds the real ones from the options (a kafka::Consumer in the group, the
// lake's store, a dead-letter producer, the steady clock); unit tests give
// stand-ins.
struct ArchiverParts {
  // The lake's store and the lake's root inside it (ArchiveOptions::lake is
  // then not read). The store must outlive the Archiver.
  ObjectStore* store = nullptr;
  std::string lake_path;
  // The group consumer; its assignment changes go to the Archiver.
  std::unique_ptr<RecordSource> source;
  // Where bad records go.
  std::unique_ptr<DeadLetterSink> dead_letters;
  // iceberg: the catalog (must outlive the Archiver); null: built from
  // ArchiveOptions::catalog.
  iceberg::Catalog* catalog = nullptr;
  // Time for rotation, idle exits, broker timeouts and stats; null: the
  // steady clock.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

class Archiver final {
 public:
  static Result<std::unique_ptr<Archiver>> Make(ArchiveOptions options);
  // Over the given parts; the options' Kafka settings (brokers, membership,
  // start_timeout, kafka_settings) are not used, their group names the group
  // in messages. Options are checked as by Make(options).
  static Result<std::unique_ptr<Archiver>> Make(ArchiveOptions options, ArchiverParts parts);
  // Never finishes files or commits: a segment still open (Run not called
  // or not returned) is abandoned as a killed process leaves it.
  ~Archiver();

  // Consumes until `stop`, exit_when_idle, or an error; then finishes open
  // files, commits, leaves the group (a static member keeps its place until
  // its session expires) and removes the staging directories of its
  // partitions that are empty (local lakes). Returns the final stats.
  Result<ArchiveStats> Run(const std::atomic<bool>& stop);

  ArchiveStats Snapshot() const;
  const GroupMembership& Membership() const;
  // Until the group's first assignment (even an empty one): what the
  // archiver waits for, for progress lines and /healthz; nullopt after.
  // Any thread.
  std::optional<JoinWait> Joining() const;
  // For each assigned partition, the offset the archiver has read up to
  // (the next one it expects; its committed offset before it reads any,
  // -1 if none). Any thread.
  std::map<kafka::TopicPartition, int64_t> Positions() const;
  // Lag per assigned partition (kafka::Consumer::Lag). Any thread.
  std::map<kafka::TopicPartition, int64_t> Lag() const;
  // iceberg: the table written and its last snapshot committed by this
  // archiver (snapshot_id 0: none yet); nullopt for a Hive layout.
  struct IcebergTable {
    std::string identifier;  // "default.events"
    std::string location;    // the table's root URI
    std::string metadata_location;
    int64_t snapshot_id = 0;
  };
  std::optional<IcebergTable> Iceberg() const;

  // Since when no broker is reachable, and why; nullopt while connected
  // (kafka::Consumer::Disconnected). Any thread.
  std::optional<kafka::Disconnection> Disconnected() const;

 private:
  struct Impl;
  explicit Archiver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace lakepipe::archive

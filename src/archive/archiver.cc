#include "archive/archiver.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>

#include <sys/resource.h>

#include <fmt/format.h>

#include "archive/iceberg_commits.h"
#include "archive/iceberg_layout.h"
#include "archive/kafka_offset_commits.h"
#include "archive/partition_state.h"
#include "archive/partitioned_writer.h"
#include "archive/partitioner.h"
#include "core/lake_names.h"
#include "iceberg/data_schema.h"
#include "iceberg/schema_json.h"
#include "iceberg/table_metadata.h"
#include "kafka/membership.h"
#include "kafka/metadata.h"
#include "kafka/topic_name.h"
#include "lake/lake.h"
#include "observe/log.h"
#include "observe/metrics.h"
#include "storage/object_store.h"

namespace lakepipe::archive {

WriteOptions ArchiveWriteOptions() {
  WriteOptions w;
  w.parquet.compression_level = 1;
  w.parquet.page_bytes = 128ull << 10;
  w.parquet.dictionary_page_bytes = 256ull << 10;
  return w;
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kPollMessages = 4096;
constexpr auto kPollTimeout = std::chrono::milliseconds(200);
// How long Make waits for the cluster id that tells the dev broker apart.
constexpr auto kClusterIdTimeout = std::chrono::seconds(2);
// File descriptors --max-open-files must leave for sockets, the Kafka
// client, dead-letter files and the store.
constexpr uint64_t kReservedFileDescriptors = 64;

// Raises the soft limit on open files to the hard limit; returns the limit
// in force.
uint64_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 1024;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? uint64_t{1} << 20 : limit.rlim_cur;
}

// The table is one directory of the lake: --table, else each topic's name,
// must be a valid table name (core/lake_names.h).
Status ValidateTables(const ArchiveOptions& options) {
  if (!options.table.empty()) return ValidateTableName(options.table).WithContext("--table");
  for (const std::string& topic : options.topics) {
    if (Status valid = ValidateTableName(topic); !valid.ok()) {
      return InvalidArgumentError(
          "topic '{}' cannot name its table, and the table name defaults to the topic name: "
          "give --table (archive.table) to name the table ({})",
          PrintableName(topic), valid.message());
    }
  }
  return Status::OK();
}

}  // namespace

// Routing and decoding of records, housekeeping and stats; the files are
// the PartitionedWriter's, closing segments is the CommitProtocol's.
// Assignment changes come to the Impl (a listener of the consumer, not part
// of the Archiver's API).
struct Archiver::Impl final : kafka::RebalanceListener {
  ArchiveOptions options;
  const FormatInfo* format = nullptr;
  // The lake's store (owned_store, or given by ArchiverParts) and root.
  struct LakeRoot {
    ObjectStore* store = nullptr;
    std::string path;
  } lake;
  std::unique_ptr<ObjectStore> owned_store;
  std::unique_ptr<RecordSource> consumer;
  std::function<Clock::time_point()> clock = [] { return Clock::now(); };
  std::unique_ptr<kafka::Producer> dlq_producer;
  std::unique_ptr<DeadLetterSink> dead_letters;
  std::map<std::string, TopicContext> topics;
  std::vector<std::unique_ptr<RecordDecoder>> decoders;
  // Must outlive the files in `states` (its thread encodes them).
  std::unique_ptr<PartitionedWriter> writer;
  PartitionStates states;
  std::unique_ptr<CommitProtocol> protocol;
  // --table-format iceberg: the catalog (owned_catalog, or given by
  // ArchiverParts), the table and where its data files go.
  std::unique_ptr<iceberg::Catalog> owned_catalog;
  iceberg::Catalog* catalog = nullptr;
  iceberg::TableIdentifier iceberg_id;
  iceberg::LoadedTable iceberg_table;
  std::optional<IcebergTarget> iceberg_target;
  IcebergCommits* iceberg_commits = nullptr;  // the protocol, when it is
  std::vector<iceberg::Datum> partition_scratch;
  std::string lake_uri;  // the lake as a URI, when Make(options) resolved it
  Status error;          // first fatal error, also from rebalance callbacks
  std::string path_scratch;

  StatsCell cell;  // its lock also guards `positions`
  Clock::time_point started;
  std::optional<Clock::time_point> first_record;
  Clock::time_point last_record_seen;
  Clock::time_point last_activity;  // last record or assignment
  // The group has answered with an assignment (maybe empty).
  std::atomic<bool> joined{false};
  GroupMembership membership;
  std::optional<kafka::InstanceLease> instance_lease;  // holds a derived instance id
  // Positions() for other threads.
  std::map<kafka::TopicPartition, int64_t> positions;
  // Records consumed since the stats were last updated (see FlushCounts).
  uint64_t consumed_unreported = 0;

  // Whatever is still open is abandoned, as a killed process leaves it:
  // the consumer's closing revocation no longer reaches this listener, so
  // nothing is finished or committed; the writers abort.
  ~Impl() override {
    if (consumer) consumer->SetListener(nullptr);
  }

  Clock::time_point Now() const { return clock(); }

  void OnAssigned(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<kafka::TopicPartition>& partitions, bool lost) override;
  // Archiver::Run's steps.
  bool PollOnce();
  void AfterPoll(bool any);
  void ReportProgress();
  bool Idle() const;
  Result<ArchiveStats> EndRun();
  ArchiveStats Snapshot() const;
  std::optional<JoinWait> Joining() const;
  // The progress lines' schedule and the figures of the previous one.
  struct Progress {
    Clock::time_point next;
    uint64_t last_consumed = 0;
    double last_seconds = 0;
  } progress;

  // The state of each partition of `partitions` whose topic is archived.
  std::vector<std::unique_ptr<PartitionState>> NewStates(
      const std::vector<kafka::TopicPartition>& partitions);

  // Set-up, in this order (Archiver::Make).
  void SetLake(ObjectStore* store, std::string path);
  Status BuildTopics(const ArchiveOptions& o);
  // --table-format iceberg: loads or creates the table and sets where the
  // data files go (after BuildTopics, with `catalog` set).
  Status SetUpIceberg(const ArchiveOptions& o);
  Result<iceberg::LoadedTable> LoadOrCreateTable(const ArchiveOptions& o, const Schema& records);
  void TakeOptions(ArchiveOptions o);
  void Start(std::unique_ptr<RecordSource> source);

  // Dead letters to the topic, else under the lake's _rejected directory.
  DeadLetterOptions DeadLetterSettings(const ArchiveOptions& o) const {
    DeadLetterOptions dlq;
    dlq.topic = o.dlq_topic;
    dlq.fallback_root = lake.path + "/" + lake::Lake::DeadLetterDir();
    dlq.warn = [this](const std::string& line) {
      Log("warning: " + line, observe::LogLevel::kWarning);
    };
    return dlq;
  }

  // A log line; about records of a partition when `record` says so.
  void Log(const std::string& line, observe::LogLevel level = observe::LogLevel::kInfo,
           const observe::LogRecord& record = {}) const {
    if (options.log) {
      options.log(line);
      if (level >= observe::LogLevel::kWarning) {
        observe::Events::Default().Add(level == observe::LogLevel::kError ? "error" : "warning",
                                       "archive: " + line);
      }
    } else {
      observe::Log(level, "archive", line, record);
    }
  }

  // The error of a run that could not reach any broker: for
  // --broker-timeout, or when it was stopped.
  Status BrokersDown(const kafka::Disconnection& down, bool stopped) const {
    const double seconds = std::chrono::duration<double>(Now() - down.since).count();
    const std::string what =
        stopped
            ? fmt::format("stopped while no Kafka broker was reachable at {} (for {:.0f} s: {})",
                          options.brokers, seconds, down.reason)
            : fmt::format("no Kafka broker reachable at {} for {:.0f} s ({}; --broker-timeout)",
                          options.brokers, seconds, down.reason);
    return UnavailableError(
        "{}: nothing could be committed, the open files were discarded and their records are "
        "archived at the next start. Check that the brokers run and that --brokers names them{}",
        what, stopped ? "" : ", or raise --broker-timeout");
  }

  void FlushCounts() {
    if (consumed_unreported == 0) return;
    std::lock_guard<std::mutex> lock(cell.mu);
    cell.stats.consumed += consumed_unreported;
    consumed_unreported = 0;
    last_record_seen = Now();
    if (!first_record) first_record = last_record_seen;
    cell.stats.active_seconds =
        std::max(cell.stats.active_seconds,
                 std::chrono::duration<double>(last_record_seen - *first_record).count());
  }

  // A record of `s`: decoded into a file of its segment, or a dead letter.
  Status Handle(PartitionState& s, const kafka::MessageView& m) {
    if (s.await_offset) {
      if (m.offset != *s.await_offset) return Status::OK();  // fetched before the rewind
      s.await_offset.reset();
    }
    if (s.next_offset >= 0 && m.offset < s.next_offset) return Status::OK();
    const int64_t expected = s.next_offset >= 0 ? s.next_offset : s.segment_start;
    if (expected >= 0 && m.offset > expected) {
      LP_RETURN_IF_ERROR(protocol->CheckLoss(s, expected, m.offset));
    }
    if (s.segment_start < 0) s.segment_start = m.offset;  // nothing committed yet
    if (!s.segment_started) s.segment_started = Now();
    ++consumed_unreported;
    // Decode straight into the file the previous record went to (records of
    // a partition mostly share a partition path); move the row if not.
    RecordBatch* into = s.last_file != nullptr ? &s.last_file->staging : s.scratch.get();
    std::string reason;
    LP_ASSIGN_OR_RETURN(bool decoded, s.context->decoder->Decode(m.value, into, &reason));
    if (decoded && s.context->iceberg != nullptr) {
      const IcebergTarget& iceberg = *s.context->iceberg;
      const size_t row = into->num_rows() - 1;
      if ((iceberg.convert &&
           !iceberg::RowConvertible(*s.context->decoder->schema(), *into, row, &reason)) ||
          !iceberg.partitioner->PathFor(*into, row, &partition_scratch, &path_scratch, &reason)) {
        into->TruncateRows(into->num_rows() - 1);
        decoded = false;
      }
    } else if (decoded &&
               !s.context->partitioner->ReadablePathFor(*into, into->num_rows() - 1, m.timestamp_ms,
                                                        &path_scratch, &reason)) {
      into->TruncateRows(into->num_rows() - 1);
      decoded = false;
    }
    if (decoded) return Place(s, m, into);
    return Reject(s, m, reason);
  }

  // Puts the row just decoded (the last of `*into`) into its file, for the
  // partition path in path_scratch; cuts when the file is full.
  Status Place(PartitionState& s, const kafka::MessageView& m, RecordBatch* into) {
    size_t row = into->num_rows() - 1;
    if (options.on_record) LP_RETURN_IF_ERROR(options.on_record(*into, row, m));
    OpenFile* file = s.last_file;
    if (file == nullptr || path_scratch != file->partition_path) {
      if (s.files.find(path_scratch) == s.files.end() && !writer->RoomForAnotherFile()) {
        // The file the row was decoded into may close now: keep the row aside.
        if (into != s.scratch.get()) {
          s.scratch->AppendRowFrom(*into, row);
          into->TruncateRows(row);
          into = s.scratch.get();
          row = into->num_rows() - 1;
        }
        LP_RETURN_IF_ERROR(CloseLeastRecentlyUsed());
        if (s.await_offset) {
          // This partition's cut was refused and it was rewound: the
          // record comes again.
          into->TruncateRows(row);
          --consumed_unreported;
          return Status::OK();
        }
        if (!s.segment_started) s.segment_started = Now();
      }
      LP_ASSIGN_OR_RETURN(file, writer->FileFor(s, path_scratch, m.offset, &partition_scratch));
      if (into != &file->staging) {
        file->staging.AppendRowFrom(*into, row);
        into->TruncateRows(row);
      }
      s.last_file = file;
    }
    LP_ASSIGN_OR_RETURN(const bool full, writer->Added(*file, m.value.size()));
    s.next_offset = m.offset + 1;
    ++s.segment_records;
    if (s.replay_cut) {
      if (s.next_offset >= *s.replay_cut) return protocol->Cut(s);
    } else if (full && !consumer->Disconnected()) {
      // Without a broker the commit would wait for one: the cut waits.
      return protocol->Cut(s);
    }
    return Status::OK();
  }

  // A record that cannot be archived: to the dead letters.
  Status Reject(PartitionState& s, const kafka::MessageView& m, const std::string& reason) {
    ++s.segment_dead;
    LP_RETURN_IF_ERROR(
        dead_letters->Add(DeadLetter{m.topic, m.partition, m.offset, m.has_key, m.key, m.has_value,
                                     m.value, m.timestamp_ms, reason}));
    s.next_offset = m.offset + 1;
    ++s.segment_records;
    if (s.replay_cut && s.next_offset >= *s.replay_cut) return protocol->Cut(s);
    return Status::OK();
  }

  // At --max-open-files or --max-buffer-bytes: closes the segment that
  // holds the least recently used file.
  Status CloseLeastRecentlyUsed() {
    PartitionState* victim = writer->LeastRecentlyUsed();
    if (victim == nullptr) return Status::OK();
    return protocol->Cut(*victim);
  }

  // Time-based rotation, and the global memory bound.
  Status Housekeeping() {
    const auto now = Now();
    for (auto& [tp, s] : states) {
      if (writer->Expired(*s, now)) LP_RETURN_IF_ERROR(protocol->Cut(*s));
    }
    while (true) {
      uint64_t buffered = 0;
      PartitionState* victim = writer->OverMemoryBound(&buffered);
      // Both figures at once, so a progress line never pairs the bytes of
      // open files with an older count of them.
      const uint64_t open = writer->OpenFileCount();
      cell.Update([buffered, open](ArchiveStats& st) {
        st.buffered_bytes = buffered;
        st.open_files = open;
      });
      if (victim == nullptr) return Status::OK();
      LP_RETURN_IF_ERROR(protocol->Cut(*victim));
    }
  }

  Status FinishAll() {
    for (auto& [tp, s] : states) LP_RETURN_IF_ERROR(protocol->FinishOrAbort(*s));
    return Status::OK();
  }

  void UpdatePositions() {
    std::lock_guard<std::mutex> lock(cell.mu);
    positions.clear();
    for (const auto& [tp, s] : states) {
      positions[tp] = s->next_offset >= 0 ? s->next_offset : s->segment_start;
    }
  }

  void RefreshStats() {
    std::map<kafka::TopicPartition, int64_t> lag = consumer->Lag();
    int64_t total = 0;
    for (const auto& [tp, l] : lag) {
      if (l < 0) {
        total = -1;
        break;
      }
      total += l;
    }
    // The open files and what they buffer now (the memory bound's sum is
    // taken only every few new files, so it lags behind closes).
    const uint64_t open = writer->OpenFileCount();
    const uint64_t buffered = writer->BufferedBytes();
    std::lock_guard<std::mutex> lock(cell.mu);
    cell.stats.lag = total;
    cell.stats.open_files = open;
    cell.stats.buffered_bytes = buffered;
    cell.stats.seconds = std::chrono::duration<double>(Now() - started).count();
  }
};

std::map<kafka::TopicPartition, int64_t> Archiver::Lag() const {
  if (!impl_->consumer) return {};
  return impl_->consumer->Lag();
}

std::optional<kafka::Disconnection> Archiver::Disconnected() const {
  if (!impl_->consumer) return std::nullopt;
  return impl_->consumer->Disconnected();
}

std::map<kafka::TopicPartition, int64_t> Archiver::Positions() const {
  std::lock_guard<std::mutex> lock(impl_->cell.mu);
  return impl_->positions;
}

ProgressFigures ProgressOf(const ArchiveStats& s) {
  ProgressFigures f;
  f.consumed = s.consumed;
  f.archived = s.archived;
  f.dead_lettered = s.dead_lettered;
  f.files = s.files_written;
  f.bytes = s.bytes_written;
  f.open_files = s.open_files;
  f.buffered_bytes = s.buffered_bytes;
  f.lag = s.lag;
  f.data_loss_records = s.data_loss_records;
  return f;
}

std::string DescribeMembership(const GroupMembership& m) {
  const auto session = std::chrono::duration_cast<std::chrono::seconds>(m.session_timeout).count();
  if (!m.instance_id.empty()) {
    return fmt::format(
        "static member '{}' (restarted within {} s, it gets its partitions back at once)",
        m.instance_id, session);
  }
  if (m.dev_broker) {
    return fmt::format("dynamic member of the dev broker's group, {} s sessions", session);
  }
  return fmt::format("dynamic member ({} s sessions)", session);
}

namespace {

bool HasSetting(const kafka::Settings& settings, std::string_view key) {
  return std::any_of(settings.begin(), settings.end(),
                     [key](const auto& kv) { return kv.first == key; });
}

// Decides the group membership of the consumer (see
// ArchiveOptions::instance_id) and sets it up in `co`.
Status ResolveMembership(const ArchiveOptions& o, kafka::ConsumerOptions* co, GroupMembership* m,
                         std::optional<kafka::InstanceLease>* lease) {
  m->group = o.group;
  const bool user_instance = HasSetting(o.kafka_settings, "group.instance.id");
  const bool user_session = HasSetting(o.kafka_settings, "session.timeout.ms");
  const bool derive = o.instance_id.empty() && !user_instance;
  if (!o.instance_id.empty() && o.instance_id != "none") {
    LP_RETURN_IF_ERROR(kafka::ValidateGroupInstanceId(o.instance_id).WithContext("--instance-id"));
  }
  if (!user_session || derive) {
    auto id = kafka::ClusterId(o.brokers, o.kafka_settings, kClusterIdTimeout);
    m->dev_broker = id.ok() && kafka::IsDevBrokerClusterId(*id);
  }
  co->settings.clear();
  if (m->dev_broker && !user_session) co->settings = kafka::DevBrokerGroupSettings();
  co->settings.insert(co->settings.end(), o.kafka_settings.begin(), o.kafka_settings.end());
  if (user_instance || o.instance_id == "none" || (derive && m->dev_broker)) return Status::OK();
  if (!derive) {
    co->group_instance_id = o.instance_id;
    return Status::OK();
  }
  std::string base = kafka::InstanceIdPiece(
                         o.table.empty() ? fmt::format("{}", fmt::join(o.topics, ".")) : o.table) +
                     "-" + kafka::HostIdPiece();
  auto acquired = kafka::InstanceLease::Acquire(o.group, base);
  if (!acquired.ok()) {
    return acquired.status().WithContext(
        "choosing this archiver's group.instance.id; give one with --instance-id, or 'none'");
  }
  co->group_instance_id = acquired->id();
  lease->emplace(std::move(acquired).value());
  return Status::OK();
}

}  // namespace

Archiver::Archiver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Archiver::~Archiver() = default;

namespace {

// Checks the options every archiver needs, sets the default max_open_files
// and returns the file format. `need_lake`: the lake comes from the options.
// A dead-letter topic given must be valid and not one being archived.
Status CheckDeadLetterTopic(const ArchiveOptions& options) {
  if (options.dlq_topic.empty()) return Status::OK();
  if (Status valid = kafka::ValidateTopicName(options.dlq_topic); !valid.ok()) {
    return valid.WithContext("--dlq-topic");
  }
  for (const std::string& topic : options.topics) {
    if (topic == options.dlq_topic) {
      return InvalidArgumentError(
          "--dlq-topic '{}' is also a topic being archived: its dead letters would come back as "
          "input; name another dead-letter topic",
          topic);
    }
  }
  return Status::OK();
}

// --table-format and what an Iceberg table takes.
Status CheckTableFormat(const ArchiveOptions& options) {
  if (options.table_format == "hive") return Status::OK();
  if (options.table_format != "iceberg") {
    return InvalidArgumentError("--table-format '{}' is not known: give hive or iceberg",
                                options.table_format);
  }
  if (options.format != "parquet") {
    return InvalidArgumentError(
        "--file-format {} cannot be used with --table-format iceberg: Iceberg tables are written "
        "in Parquet; drop --file-format",
        options.format);
  }
  if (options.table.empty() && options.iceberg_table.empty() && options.topics.size() > 1) {
    return InvalidArgumentError(
        "{} topics archived into an Iceberg table need one table: give --table",
        options.topics.size());
  }
  if (options.commit_interval.count() <= 0 || options.commit_bytes == 0) {
    return InvalidArgumentError("--commit-interval and the commit size must be positive");
  }
  return Status::OK();
}

// "bucket" of "s3://bucket/p", "" of "file:///p".
std::string AuthorityOf(std::string_view uri) {
  const size_t scheme = uri.find("://");
  if (scheme == std::string_view::npos) return "";
  const std::string_view rest = uri.substr(scheme + 3);
  return std::string(rest.substr(0, rest.find('/')));
}

// The lake as a URI, for the default Iceberg warehouse.
std::string LakeUri(const std::string& lake) {
  if (lake.find("://") != std::string::npos) return lake;
  std::string path = std::filesystem::absolute(lake).lexically_normal().string();
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return "file://" + path;
}

Result<const FormatInfo*> CheckOptions(ArchiveOptions& options, bool need_lake) {
  if (options.topics.empty()) return InvalidArgumentError("no topics to archive: give --topic");
  if (options.group.empty()) return InvalidArgumentError("no consumer group: give --group");
  if (need_lake && options.lake.empty())
    return InvalidArgumentError("no lake: give --lake (a path or file:// URI)");
  if (options.flush_records == 0 || options.flush_bytes == 0 || options.max_buffer_bytes == 0 ||
      options.rotate_interval.count() <= 0) {
    return InvalidArgumentError(
        "--flush-records, --flush-bytes, --max-buffer-bytes and --rotate-interval must be "
        "positive");
  }
  if (options.broker_timeout.count() <= 0) {
    return InvalidArgumentError("--broker-timeout must be positive, got {} ms",
                                options.broker_timeout.count());
  }
  const uint64_t fd_limit = RaiseOpenFileLimit();
  if (options.max_open_files == 0) {
    options.max_open_files = std::max<uint64_t>(1, fd_limit / 2);
  } else if (options.max_open_files + kReservedFileDescriptors > fd_limit) {
    return InvalidArgumentError(
        "--max-open-files {} leaves fewer than {} of the process's {} file descriptors (ulimit "
        "-n) for sockets and the Kafka client: lower it or raise the limit",
        options.max_open_files, kReservedFileDescriptors, fd_limit);
  }
  LP_RETURN_IF_ERROR(CheckTableFormat(options));
  // Iceberg data files: no ids on the repeated groups of lists and maps
  // (readers matching columns by id must see only the table's).
  if (options.table_format == "iceberg") options.write.parquet.repeated_group_field_ids = false;
  LP_ASSIGN_OR_RETURN(const FormatInfo* format, FormatRegistry::Default().Find(options.format));
  if (format->check_write_options) {
    if (Status checked = format->check_write_options(options.write); !checked.ok()) {
      return checked.WithContext(fmt::format("--file-format {}", options.format));
    }
  }
  LP_RETURN_IF_ERROR(CheckDeadLetterTopic(options));
  LP_RETURN_IF_ERROR(ValidateTables(options));
  return format;
}

}  // namespace

Status Archiver::Impl::BuildTopics(const ArchiveOptions& o) {
  for (const std::string& topic : o.topics) {
    TopicContext ctx;
    ctx.table = o.table.empty() ? topic : o.table;
    ctx.layout = SegmentLayout{ctx.table, o.format, o.partition_by, o.time_field};
    ctx.format = format;
    if (const size_t bytes = CutMetadata(INT64_MAX, ctx.layout).size();
        bytes > kMaxCutMetadataBytes) {
      return InvalidArgumentError(
          "--table and --partition-by are too long: recorded with each commit they take {} bytes, "
          "more than the {} Kafka keeps; shorten them",
          bytes, kMaxCutMetadataBytes);
    }
    DecoderOptions d = o.decoder;
    if (d.subject.empty()) d.subject = topic + "-value";
    auto decoder = RecordDecoder::Make(d);
    if (!decoder.ok()) return decoder.status().WithContext(fmt::format("topic '{}'", topic));
    decoders.push_back(std::move(decoder).value());
    ctx.decoder = decoders.back().get();
    // An Iceberg table's partitions come from its spec (SetUpIceberg).
    auto partitioner = Partitioner::Make(
        *ctx.decoder->schema(), o.table_format == "iceberg" ? "" : o.partition_by, o.time_field);
    if (!partitioner.ok()) return partitioner.status().WithContext("--partition-by");
    ctx.partitioner.emplace(std::move(partitioner).value());
    topics.emplace(topic, std::move(ctx));
  }
  return Status::OK();
}

Result<iceberg::LoadedTable> Archiver::Impl::LoadOrCreateTable(const ArchiveOptions& o,
                                                               const Schema& records) {
  LP_ASSIGN_OR_RETURN(std::string spec_text,
                      IcebergSpecText(o.partition_by, o.time_field, records));
  auto loaded = catalog->LoadTable(iceberg_id);
  if (loaded.ok() && o.partition_by != kDefaultPartitionTemplate) {
    if (auto warning = SpecMismatch(loaded->metadata, iceberg_id, spec_text)) {
      Log(*warning, observe::LogLevel::kWarning, {});
    }
  }
  if (loaded.ok() || loaded.status().code() != StatusCode::kNotFound) return loaded;
  const Schema with_ids(records.name(), iceberg::WithFieldIds(records), records.name_space());
  auto spec = iceberg::ParsePartitionSpec(spec_text, with_ids);
  if (!spec.ok()) return spec.status().WithContext("--partition-by");
  LP_ASSIGN_OR_RETURN(std::string location, catalog->DefaultLocation(iceberg_id));
  LP_ASSIGN_OR_RETURN(iceberg::TableMetadata metadata,
                      iceberg::TableMetadata::New(location, with_ids, std::move(spec).value(),
                                                  {{"write.format.default", "parquet"}}));
  auto created = catalog->CreateTable(iceberg_id, metadata);
  if (created.ok()) {
    Log(fmt::format("created Iceberg table {} at {} (partitioned by {})", iceberg_id.ToString(),
                    created->metadata.location, spec_text.empty() ? "nothing" : spec_text));
    return created;
  }
  // Another archiver created it meanwhile.
  if (created.status().code() == StatusCode::kAlreadyExists) return catalog->LoadTable(iceberg_id);
  return created.status().WithContext(fmt::format("creating table {}", iceberg_id.ToString()));
}

Status Archiver::Impl::SetUpIceberg(const ArchiveOptions& o) {
  const std::string dotted = !o.iceberg_table.empty()
                                 ? o.iceberg_table
                                 : "default." + (o.table.empty() ? o.topics.front() : o.table);
  auto id = iceberg::TableIdentifier::Parse(dotted);
  if (!id.ok()) return id.status().WithContext("--iceberg-table");
  iceberg_id = std::move(id).value();
  const SchemaPtr records = topics.begin()->second.decoder->schema();
  for (const auto& [topic, ctx] : topics) {
    if (ctx.decoder->schema()->avro_json() != records->avro_json()) {
      return InvalidArgumentError(
          "topics '{}' and '{}' have different schemas and cannot share Iceberg table {}",
          topics.begin()->first, topic, iceberg_id.ToString());
    }
  }
  // The table is declared in the types its Parquet files hold (data_schema.h).
  const Schema data = iceberg::DataFileSchema(*records);
  auto table = LoadOrCreateTable(o, data);
  if (!table.ok())
    return table.status().WithContext(fmt::format("table {}", iceberg_id.ToString()));
  iceberg_table = std::move(table).value();
  const iceberg::TableMetadata& m = iceberg_table.metadata;
  if (m.CurrentSchema() == nullptr || m.DefaultSpec() == nullptr) {
    return CorruptionError("table {} has no current schema or default partition spec",
                           iceberg_id.ToString());
  }
  auto schema = MatchTableSchema(data, *m.CurrentSchema());
  if (!schema.ok())
    return schema.status().WithContext(fmt::format("table {}", iceberg_id.ToString()));
  IcebergTarget target;
  target.schema = *schema;
  target.convert = iceberg::NeedsConversion(*records);
  // Partition values come from the decoded records, in their own units.
  LP_ASSIGN_OR_RETURN(
      IcebergPartitioner partitioner,
      IcebergPartitioner::Make(WithIdsOf(*records, *target.schema), *m.DefaultSpec()));
  target.partitioner.emplace(std::move(partitioner));
  target.data_uri = m.location + "/data";
  LP_ASSIGN_OR_RETURN(StoreLocation where, ObjectStoreRegistry::Default().Resolve(target.data_uri));
  // The data files are written through the lake's store: the table must be
  // in it (same scheme and, for object stores, the same bucket).
  if (where.store->scheme() != lake.store->scheme() ||
      (!lake_uri.empty() && AuthorityOf(lake_uri) != AuthorityOf(m.location))) {
    return InvalidArgumentError(
        "table {} is located at {}, outside the lake's store{}: give a catalog warehouse in the "
        "lake (--warehouse)",
        iceberg_id.ToString(), m.location, lake_uri.empty() ? "" : " (" + lake_uri + ")");
  }
  target.data_dir = where.path;
  iceberg_target.emplace(std::move(target));
  for (auto& [topic, ctx] : topics) ctx.iceberg = &*iceberg_target;
  return Status::OK();
}

void Archiver::Impl::SetLake(ObjectStore* store, std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  lake = LakeRoot{store, std::move(path)};
}

void Archiver::Impl::TakeOptions(ArchiveOptions o) {
  options = std::move(o);
  for (const auto& [topic, ctx] : topics) {
    Log(fmt::format("topic '{}': table schema: {}", topic, ctx.decoder->schema_origin()));
  }
}

void Archiver::Impl::Start(std::unique_ptr<RecordSource> source) {
  started = Now();
  last_activity = started;
  consumer = std::move(source);
  writer = std::make_unique<PartitionedWriter>(
      lake.store, lake.path, options.write,
      WriterLimits{options.flush_records, options.flush_bytes, options.rotate_interval,
                   options.max_buffer_bytes, options.max_open_files},
      &states);
  consumer->SetListener(this);
  if (iceberg_target) {
    IcebergCommits::Parts parts;
    parts.consumer = consumer.get();
    parts.writer = writer.get();
    parts.dead_letters = dead_letters.get();
    parts.stats = &cell;
    parts.states = &states;
    parts.store = lake.store;
    parts.catalog = catalog;
    parts.table = iceberg_id;
    parts.group = options.group;
    parts.schema = *iceberg_table.metadata.CurrentSchema();
    parts.commit_interval = options.commit_interval;
    parts.commit_bytes = options.commit_bytes;
    parts.append.log = [this](const std::string& line) {
      Log("table " + iceberg_id.ToString() + ": " + line, observe::LogLevel::kWarning);
    };
    parts.strict = options.strict;
    parts.log = [this](const std::string& line, observe::LogLevel level,
                       const observe::LogRecord& record) { Log(line, level, record); };
    auto commits = std::make_unique<IcebergCommits>(std::move(parts));
    iceberg_commits = commits.get();
    protocol = std::move(commits);
    return;
  }
  KafkaOffsetCommits::Parts parts;
  parts.consumer = consumer.get();
  parts.writer = writer.get();
  parts.dead_letters = dead_letters.get();
  parts.stats = &cell;
  parts.write = options.write;
  parts.strict = options.strict;
  parts.log = [this](const std::string& line, observe::LogLevel level,
                     const observe::LogRecord& record) { Log(line, level, record); };
  protocol = std::make_unique<KafkaOffsetCommits>(std::move(parts));
}

Result<std::unique_ptr<Archiver>> Archiver::Make(ArchiveOptions options) {
  auto impl = std::make_unique<Impl>();
  impl->options.log = options.log;  // for what setting up says (TakeOptions takes the rest)
  LP_ASSIGN_OR_RETURN(impl->format, CheckOptions(options, /*need_lake=*/true));
  LP_ASSIGN_OR_RETURN(StoreLocation lake, ObjectStoreRegistry::Default().Resolve(options.lake));
  impl->owned_store = std::move(lake.store);
  impl->SetLake(impl->owned_store.get(), std::move(lake.path));
  LP_RETURN_IF_ERROR(impl->BuildTopics(options));
  if (options.table_format == "iceberg") {
    iceberg::CatalogOptions catalog = options.catalog;
    catalog.warehouse = LakeUri(catalog.warehouse.empty() ? options.lake : catalog.warehouse);
    impl->lake_uri = LakeUri(options.lake);
    LP_ASSIGN_OR_RETURN(impl->owned_catalog, iceberg::CatalogRegistry::Default().Make(catalog));
    impl->catalog = impl->owned_catalog.get();
    LP_RETURN_IF_ERROR(impl->SetUpIceberg(options));
  }
  if (options.start_timeout.count() > 0) {
    LP_RETURN_IF_ERROR(
        kafka::WaitForBrokers(options.brokers, options.kafka_settings,
                              std::min(options.start_timeout, options.broker_timeout)));
  }
  kafka::ProducerOptions po;
  po.brokers = options.brokers;
  po.settings = options.kafka_settings;
  LP_ASSIGN_OR_RETURN(impl->dlq_producer, kafka::Producer::Make(po));
  impl->dead_letters =
      std::make_unique<DeadLetterSink>(impl->DeadLetterSettings(options), impl->dlq_producer.get());
  impl->TakeOptions(std::move(options));
  const ArchiveOptions& o = impl->options;
  kafka::ConsumerOptions co;
  co.brokers = o.brokers;
  co.group_id = o.group;
  co.topics = o.topics;
  LP_RETURN_IF_ERROR(ResolveMembership(o, &co, &impl->membership, &impl->instance_lease));
  LP_ASSIGN_OR_RETURN(std::unique_ptr<KafkaRecordSource> source, KafkaRecordSource::Make(co));
  kafka::Consumer& consumer = source->consumer();
  if (auto id = consumer.Setting("group.instance.id"); id.ok()) {
    impl->membership.instance_id = *id;
  }
  if (auto ms = consumer.Setting("session.timeout.ms"); ms.ok()) {
    impl->membership.session_timeout = std::chrono::milliseconds(std::atoll(ms->c_str()));
  }
  impl->Start(std::move(source));
  return std::unique_ptr<Archiver>(new Archiver(std::move(impl)));
}

Result<std::unique_ptr<Archiver>> Archiver::Make(ArchiveOptions options, ArchiverParts parts) {
  if (parts.store == nullptr || !parts.source || !parts.dead_letters) {
    return InvalidArgumentError(
        "an archiver needs a store, a record source and a dead-letter sink");
  }
  auto impl = std::make_unique<Impl>();
  impl->options.log = options.log;  // for what setting up says (TakeOptions takes the rest)
  LP_ASSIGN_OR_RETURN(impl->format, CheckOptions(options, /*need_lake=*/false));
  impl->SetLake(parts.store, std::move(parts.lake_path));
  if (parts.clock) impl->clock = std::move(parts.clock);
  LP_RETURN_IF_ERROR(impl->BuildTopics(options));
  if (options.table_format == "iceberg") {
    if (parts.catalog == nullptr) {
      return InvalidArgumentError("an archiver of an Iceberg table needs a catalog");
    }
    impl->catalog = parts.catalog;
    LP_RETURN_IF_ERROR(impl->SetUpIceberg(options));
  }
  impl->dead_letters = std::move(parts.dead_letters);
  impl->membership.group = options.group;
  impl->TakeOptions(std::move(options));
  impl->Start(std::move(parts.source));
  return std::unique_ptr<Archiver>(new Archiver(std::move(impl)));
}

std::vector<std::unique_ptr<PartitionState>> Archiver::Impl::NewStates(
    const std::vector<kafka::TopicPartition>& partitions) {
  std::vector<std::unique_ptr<PartitionState>> out;
  for (const kafka::TopicPartition& tp : partitions) {
    auto ctx = topics.find(tp.topic);
    if (ctx == topics.end()) continue;
    auto s = std::make_unique<PartitionState>();
    s->tp = tp;
    s->context = &ctx->second;
    s->topic_context = &ctx->second;
    s->scratch = std::make_unique<RecordBatch>(ctx->second.decoder->schema());
    out.push_back(std::move(s));
  }
  return out;
}

void Archiver::Impl::OnAssigned(const std::vector<kafka::TopicPartition>& partitions) {
  cell.Update([](ArchiveStats& s) { ++s.rebalances; });
  // --exit-when-idle counts from the (re)join, not from the start: joining
  // a group can take seconds.
  last_activity = Now();
  joined = true;
  if (partitions.empty() || !error.ok()) return;
  std::vector<std::unique_ptr<PartitionState>> assigned = NewStates(partitions);
  std::vector<PartitionState*> resuming;
  for (const auto& s : assigned) resuming.push_back(s.get());
  if (Status st = protocol->Resume(resuming); !st.ok()) {
    error = st;
    return;
  }
  // Leftovers of a writer that was killed while finishing a segment. When
  // the lake does not answer, the other partitions are not asked either:
  // writing will report it.
  bool lake_down = false;
  for (std::unique_ptr<PartitionState>& s : assigned) {
    std::vector<std::string> tables = {s->context->table};
    if (s->topic_context->table != s->context->table) tables.push_back(s->topic_context->table);
    for (const std::string& table : tables) {
      if (lake_down) break;
      lake_down = !writer->RemoveLeftovers(table, s->tp);
    }
    const kafka::TopicPartition tp = s->tp;
    states[tp] = std::move(s);
  }
}

void Archiver::Impl::OnRevoked(const std::vector<kafka::TopicPartition>& partitions, bool lost) {
  for (const kafka::TopicPartition& tp : partitions) {
    auto it = states.find(tp);
    if (it == states.end()) continue;
    PartitionState& s = *it->second;
    if (lost || !error.ok()) {
      protocol->Abort(s);
    } else if (Status st = protocol->FinishOrAbort(s); !st.ok()) {
      // The new owner replays from the last committed offset; nothing is lost.
      Log(fmt::format("warning: could not finish {}[{}] on revoke ({}); its open files were "
                      "discarded and "
                      "the new owner will replay them",
                      tp.topic, tp.partition, st.message()),
          observe::LogLevel::kWarning, {tp.topic, tp.partition});
      protocol->Abort(s);
    }
  }
  // The revoked partitions' segments are committed before they go (a
  // protocol that batches them commits now).
  if (error.ok() && !lost) {
    if (Status st = protocol->Flush(); !st.ok()) error = st;
  }
  for (const kafka::TopicPartition& tp : partitions) states.erase(tp);
}

// One poll: its records to their partitions. Whether any came.
bool Archiver::Impl::PollOnce() {
  auto batch = consumer->Poll(kPollTimeout, kPollMessages);
  if (!error.ok()) return false;  // from a rebalance callback
  if (!batch.ok()) {
    error = batch.status();
    if (error.message().find("FENCED_INSTANCE_ID") != std::string::npos) {
      error = FailedPreconditionError(
          "{}: start each archiver of group '{}' with its own --instance-id "
          "(archive.instance_id)",
          error.message(), options.group);
    }
    return false;
  }
  bool any = false;
  PartitionState* state = nullptr;  // of the previous record
  for (const kafka::MessageView& m : *batch) {
    any = true;
    if (state == nullptr || state->tp.partition != m.partition || state->tp.topic != m.topic) {
      auto it = states.find(kafka::TopicPartition{std::string(m.topic), m.partition});
      if (it == states.end()) {
        state = nullptr;
        continue;  // not ours (any more)
      }
      state = it->second.get();
    }
    Status st = Handle(*state, m);
    if (!st.ok()) {
      error = st;
      break;
    }
  }
  FlushCounts();
  UpdatePositions();
  return any;
}

// After a poll: broker loss, rotation and the memory bound.
void Archiver::Impl::AfterPoll(bool any) {
  if (const auto down = consumer->Disconnected()) {
    last_activity = Now();  // idle counts only while connected
    if (Now() - down->since >= options.broker_timeout) {
      error = BrokersDown(*down, /*stopped=*/false);
      return;
    }
    // Rotation and the memory bound wait for a broker: librdkafka holds a
    // commit until a group coordinator answers, which would stall here.
  } else if (Status st = Housekeeping(); !st.ok()) {
    error = st;
    return;
  } else if (Status ticked = protocol->Tick(Now()); !ticked.ok()) {
    error = ticked;
    return;
  }
  // Idle time counts from after the work this poll's records caused (cuts
  // can take longer than --exit-when-idle), and only after a poll that
  // brought nothing.
  if (any) last_activity = Now();
}

// A progress line every stats_interval.
void Archiver::Impl::ReportProgress() {
  if (Now() < progress.next) return;
  RefreshStats();
  const ArchiveStats s = Snapshot();
  ProgressFigures f = ProgressOf(s);
  f.joining = Joining();
  const double interval = s.seconds - progress.last_seconds;
  f.consumed_per_second =
      interval > 0 ? static_cast<double>(s.consumed - progress.last_consumed) / interval : 0;
  Log(FormatProgressLine(f));
  progress.last_consumed = s.consumed;
  progress.last_seconds = s.seconds;
  progress.next = Now() + options.stats_interval;
}

bool Archiver::Impl::Idle() const {
  return options.exit_when_idle.count() > 0 && joined &&
         Now() - last_activity >= options.exit_when_idle;
}

// Finishes what is open (unless something is broken), then leaves the
// group.
Result<ArchiveStats> Archiver::Impl::EndRun() {
  // Stopped while no broker answers: nothing can be committed.
  if (error.ok()) {
    if (const auto down = consumer->Disconnected()) error = BrokersDown(*down, /*stopped=*/true);
  }
  Status finished = error.ok() ? FinishAll() : Status::OK();
  if (finished.ok() && error.ok()) finished = protocol->Flush();
  if (!finished.ok() && error.ok()) error = finished;
  if (!error.ok()) {
    for (auto& [tp, s] : states) protocol->Abort(*s);
  }
  states.clear();
  Status closed = consumer->Close();
  writer->RemoveEmptyStagingDirs();
  RefreshStats();
  if (!error.ok()) return error;
  if (!closed.ok()) return closed;
  return Snapshot();
}

std::optional<JoinWait> Archiver::Impl::Joining() const {
  if (joined.load()) return std::nullopt;
  std::lock_guard<std::mutex> lock(cell.mu);
  JoinWait wait;
  wait.group = options.group;
  wait.seconds = std::chrono::duration<double>(Now() - started).count();
  wait.session_timeout = membership.session_timeout;
  return wait;
}

ArchiveStats Archiver::Impl::Snapshot() const {
  std::lock_guard<std::mutex> lock(cell.mu);
  ArchiveStats s = cell.stats;
  s.seconds = std::chrono::duration<double>(Now() - started).count();
  return s;
}

const GroupMembership& Archiver::Membership() const { return impl_->membership; }
std::optional<JoinWait> Archiver::Joining() const { return impl_->Joining(); }

std::optional<Archiver::IcebergTable> Archiver::Iceberg() const {
  const Impl& im = *impl_;
  if (!im.iceberg_target) return std::nullopt;
  IcebergTable t;
  t.identifier = im.iceberg_id.ToString();
  t.location = im.iceberg_table.metadata.location;
  t.metadata_location = im.iceberg_table.metadata_location;
  if (im.iceberg_commits != nullptr && im.iceberg_commits->last_snapshot()) {
    t.snapshot_id = *im.iceberg_commits->last_snapshot();
    t.metadata_location = im.iceberg_commits->metadata_location();
  }
  return t;
}
ArchiveStats Archiver::Snapshot() const { return impl_->Snapshot(); }

Result<ArchiveStats> Archiver::Run(const std::atomic<bool>& stop) {
  Impl& im = *impl_;
  {
    std::lock_guard<std::mutex> lock(im.cell.mu);
    im.started = im.Now();
  }
  im.last_activity = im.Now();
  im.progress = Impl::Progress{im.Now() + im.options.stats_interval};
  while (!stop.load(std::memory_order_relaxed) && im.error.ok()) {
    const bool any = im.PollOnce();
    if (!im.error.ok()) break;
    im.AfterPoll(any);
    if (!im.error.ok()) break;
    im.ReportProgress();
    if (!any && im.Idle()) break;
  }
  return im.EndRun();
}

}  // namespace lakepipe::archive

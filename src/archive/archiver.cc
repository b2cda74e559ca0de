#include "archive/archiver.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <unordered_map>

#include <malloc.h>  // malloc_trim
#include <sys/resource.h>

#include <fmt/format.h>

#include "archive/dead_letters.h"
#include "archive/partitioner.h"
#include "core/lake_names.h"
#include "core/units.h"
#include "formats/background_writer.h"
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

constexpr std::string_view kCutV1 = "lakepipe:v1 cut=";
constexpr std::string_view kCutV2 = "lakepipe:v2 cut=";
constexpr char kHexDigits[] = "0123456789ABCDEF";

void AppendEscaped(std::string_view value, std::string* out) {
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= ' ' || c == '%' || c == 0x7f) {
      out->push_back('%');
      out->push_back(kHexDigits[c >> 4]);
      out->push_back(kHexDigits[c & 15]);
    } else {
      out->push_back(ch);
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = HexValue(text[i + 1]);
    const int lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::optional<int64_t> ParseOffset(std::string_view digits) {
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// The value of "key=value" at the front of `*rest` (words separated by one
// space), which is advanced past it.
std::optional<std::string> TakeField(std::string_view key, std::string_view* rest) {
  if (rest->substr(0, key.size() + 1) != fmt::format("{}=", key)) return std::nullopt;
  rest->remove_prefix(key.size() + 1);
  const size_t space = rest->find(' ');
  auto value = Unescape(rest->substr(0, space));
  rest->remove_prefix(space == std::string_view::npos ? rest->size() : space + 1);
  return value;
}

}  // namespace

std::string CutMetadata(int64_t cut, const SegmentLayout& layout) {
  std::string out = fmt::format("{}{}", kCutV2, cut);
  const std::pair<std::string_view, const std::string*> fields[] = {
      {"table", &layout.table},
      {"format", &layout.format},
      {"partition_by", &layout.partition_by},
      {"time_field", &layout.time_field}};
  for (const auto& [key, value] : fields) {
    fmt::format_to(std::back_inserter(out), " {}=", key);
    AppendEscaped(*value, &out);
  }
  return out;
}

std::optional<CutIntent> ParseCutMetadata(std::string_view metadata) {
  if (metadata.substr(0, kCutV1.size()) == kCutV1) {
    auto cut = ParseOffset(metadata.substr(kCutV1.size()));
    if (!cut) return std::nullopt;
    return CutIntent{*cut, std::nullopt};
  }
  if (metadata.substr(0, kCutV2.size()) != kCutV2) return std::nullopt;
  std::string_view rest = metadata.substr(kCutV2.size());
  const size_t space = rest.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto cut = ParseOffset(rest.substr(0, space));
  rest.remove_prefix(space + 1);
  auto table = TakeField("table", &rest);
  auto format = TakeField("format", &rest);
  auto partition_by = TakeField("partition_by", &rest);
  auto time_field = TakeField("time_field", &rest);
  if (!cut || !table || !format || !partition_by || !time_field || !rest.empty()) {
    return std::nullopt;
  }
  return CutIntent{*cut, SegmentLayout{*table, *format, *partition_by, *time_field}};
}

namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kStagingRows = 1024;  // rows handed to a writer at a time
// How many payload bytes may go into a file between size checks (computing
// a writer's size walks its columns).
constexpr uint64_t kSizeCheckBytes = 1 << 20;
constexpr size_t kPollMessages = 4096;
// Batches decoded but not yet encoded, across all files.
constexpr uint64_t kWriterQueueBytes = 8ull << 20;
constexpr auto kPollTimeout = std::chrono::milliseconds(200);
constexpr auto kBrokerTimeout = std::chrono::seconds(15);
// How long Make waits for the cluster id that tells the dev broker apart.
constexpr auto kClusterIdTimeout = std::chrono::seconds(2);
// File descriptors --max-open-files must leave for sockets, the Kafka
// client, dead-letter files and the store.
constexpr uint64_t kReservedFileDescriptors = 64;
// New files between two sums of the open files' memory (at most).
constexpr size_t kMemoryRecountFiles = 32;

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

// Everything that depends on the topic: table, format, decoding,
// partitioning. A segment replayed under the layout recorded in its intent
// has a context of its own, sharing the topic's decoder.
struct TopicContext {
  std::string table;
  SegmentLayout layout;
  const FormatInfo* format = nullptr;
  RecordDecoder* decoder = nullptr;  // owned by Archiver::Impl::decoders
  std::optional<Partitioner> partitioner;
};

// The layout as the flags that set it, for messages.
std::string DescribeLayout(const SegmentLayout& l) {
  return fmt::format("--table '{}' --file-format {} --partition-by '{}' --time-field '{}'", l.table,
                     l.format, l.partition_by, l.time_field);
}

struct OpenFile {
  std::string partition_path;  // the Hive path, e.g. "event_date=2026-11-21/hour=05"
  std::string path;
  std::unique_ptr<BackgroundWriter> writer;
  RecordBatch staging;
  uint64_t records = 0;
  uint64_t unchecked_bytes = 0;  // payload bytes since Bytes() was last compared
  uint64_t last_used = 0;        // Impl::use_clock when a record last went here

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
  std::optional<Clock::time_point> segment_started;
  std::unique_ptr<RecordBatch> scratch;
  OpenFile* last_file = nullptr;  // where the previous record went
  // After a rewind: records are skipped until this offset comes again.
  std::optional<int64_t> await_offset;
};

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
  // Encodes and compresses on a second core while this thread decodes; must
  // outlive the writers in `states`.
  WriterThread writer_thread{kWriterQueueBytes};
  std::unordered_map<kafka::TopicPartition, std::unique_ptr<PartitionState>,
                     kafka::TopicPartitionHash>
      states;
  Status error;  // first fatal error, also from rebalance callbacks
  std::string path_scratch;
  uint64_t use_clock = 0;  // counts records placed in files, for OpenFile::last_used
  // The open files' memory at its last count (RoomForAnotherFile).
  struct MemoryCount {
    uint64_t bytes = 0;
    size_t files = 0;         // open then
    size_t opened_since = 0;  // files opened since
  } memory_count;

  mutable std::mutex stats_mu;
  ArchiveStats stats;
  Clock::time_point started;
  std::optional<Clock::time_point> first_record;
  Clock::time_point last_record_seen;
  Clock::time_point last_activity;  // last record or assignment
  // The group has answered with an assignment (maybe empty).
  std::atomic<bool> joined{false};
  GroupMembership membership;
  std::optional<kafka::InstanceLease> instance_lease;  // holds a derived instance id

  // Whatever is still open is abandoned, as a killed process leaves it:
  // the consumer's closing revocation no longer reaches this listener, so
  // nothing is finished or committed; the writers abort.
  ~Impl() override {
    if (consumer) consumer->SetListener(nullptr);
  }

  Clock::time_point Now() const { return clock(); }

  void OnAssigned(const std::vector<kafka::TopicPartition>& partitions) override;
  void OnRevoked(const std::vector<kafka::TopicPartition>& partitions, bool lost) override;

  // Set-up, in this order (Archiver::Make).
  void SetLake(ObjectStore* store, std::string path);
  Status BuildTopics(const ArchiveOptions& o);
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

  std::string TableDir(const TopicContext& ctx) const {
    return fmt::format("{}/{}", lake.path, lake::Lake::RawDir(ctx.table, ctx.layout.format));
  }
  std::string StagingDir(const std::string& table, const kafka::TopicPartition& tp) const {
    return fmt::format("{}/{}", lake.path, lake::Lake::StagingDir(table, tp.topic, tp.partition));
  }
  std::string StagingDir(const PartitionState& s) const {
    return StagingDir(s.context->table, s.tp);
  }

  Result<OpenFile*> FileFor(PartitionState& s, const std::string& partition_path,
                            int64_t first_offset) {
    auto it = s.files.find(partition_path);
    if (it != s.files.end()) return it->second.get();
    auto file = std::make_unique<OpenFile>(s.context->decoder->schema());
    file->partition_path = partition_path;
    const std::string dir = partition_path.empty()
                                ? TableDir(*s.context)
                                : fmt::format("{}/{}", TableDir(*s.context), partition_path);
    file->path = fmt::format("{}/{}+{}+{:020}{}", dir, s.tp.topic, s.tp.partition, first_offset,
                             s.context->format->extensions.front());
    OutputOptions out_options = options.write.output;
    out_options.staging_dir = StagingDir(s);
    staging_dirs.insert(out_options.staging_dir);
    LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> out,
                        lake.store->OpenOutput(file->path, out_options));
    LP_ASSIGN_OR_RETURN(
        std::unique_ptr<FileWriter> writer,
        s.context->format->new_writer(std::move(out), s.context->decoder->schema(), options.write));
    file->writer = std::make_unique<BackgroundWriter>(std::move(writer), &writer_thread);
    OpenFile* raw = file.get();
    s.files.emplace(partition_path, std::move(file));
    return raw;
  }

  static Status FlushStaging(OpenFile& f) {
    if (f.staging.num_rows() == 0) return Status::OK();
    return f.writer->Submit(&f.staging);
  }

  // While replaying a cut found in the commit metadata, the segment may only
  // end exactly there: the files of the interrupted run may already be
  // visible, and any other cut would write different ones.
  static bool Cuttable(const PartitionState& s) {
    return !s.replay_cut || s.next_offset >= *s.replay_cut;
  }

  // Finishes the segment when allowed, else discards it uncommitted (the
  // next owner replays it to the same cut).
  Status FinishOrAbort(PartitionState& s) {
    if (Cuttable(s)) return Cut(s);
    Abort(s);
    return Status::OK();
  }

  // The records of an aborted segment go back to the group uncommitted:
  // they count as given back (consumed stays: it never goes down), so
  // consumed - given_back = archived + dead-lettered.
  void Abort(PartitionState& s) {
    for (auto& [path, file] : s.files) file->writer->Abort();
    s.files.clear();
    s.last_file = nullptr;
    {
      std::lock_guard<std::mutex> lock(stats_mu);
      stats.given_back += s.segment_records;
    }
    s.segment_records = 0;
    s.segment_dead = 0;
    s.segment_started.reset();
  }

  // Closes the segment [S, E) of `s`: intent, files, end (see archiver.h).
  Status Cut(PartitionState& s) {
    if (s.next_offset < 0 || s.segment_start < 0 || s.next_offset <= s.segment_start) {
      s.segment_started.reset();
      return Status::OK();
    }
    const int64_t start = s.segment_start;
    const int64_t end = s.next_offset;
    if (!s.files.empty() && s.replay_cut != end) {
      Status intent = consumer->Commit({{s.tp, start, CutMetadata(end, s.context->layout)}});
      if (!intent.ok()) {
        if (Refused(intent)) return Rewind(s, s.replay_cut, intent);
        return intent.WithContext(
            fmt::format("committing the cut of {}[{}]", s.tp.topic, s.tp.partition));
      }
    }
    uint64_t records = 0, bytes = 0, files = 0;
    for (auto& [path, file] : s.files) {
      LP_RETURN_IF_ERROR(FlushStaging(*file));
      const auto finishing = Now();
      LP_RETURN_IF_ERROR(file->writer->Finish());
      observe::Registry::Default().Observe(
          "lakepipe_upload_seconds", {{"table", s.context->table}},
          std::chrono::duration<double>(Now() - finishing).count());
      // Read once the file is finished: nothing is in flight any more.
      records += file->writer->rows_written();
      bytes += file->writer->bytes_written();
      ++files;
    }
    LP_ASSIGN_OR_RETURN(DeadLetterSink::FlushResult dead, dead_letters->Flush());
    Status done = consumer->Commit({{s.tp, end, ""}});
    if (!done.ok() && Refused(done)) {
      // The files are durable and the intent says cut=E: whoever reads the
      // partition next (this process or the new owner) rewrites them alike.
      return Rewind(s, end, done);
    }
    if (!done.ok())
      return done.WithContext(
          fmt::format("committing offset {} of {}[{}]", end, s.tp.topic, s.tp.partition));
    s.files.clear();
    s.last_file = nullptr;
    // The writers' buffers are free now; give the pages back so that peak
    // RSS follows the open files, not the history of closed ones.
    if (files > 0) malloc_trim(0);
    s.segment_start = end;
    const uint64_t dead_records = s.segment_dead;
    s.segment_records = 0;
    s.segment_dead = 0;
    s.segment_started.reset();
    EndReplay(s);
    std::lock_guard<std::mutex> lock(stats_mu);
    stats.archived += records;
    stats.files_written += files;
    stats.bytes_written += bytes;
    // The sink flushes the dead letters of every partition at once; they
    // count with the segment that holds their offsets.
    stats.dead_lettered += dead_records;
    stats.dead_letter_files += dead.to_files;
    return Status::OK();
  }

  // The replayed cut is committed (or cannot be reproduced): the current
  // settings apply from here on.
  static void EndReplay(PartitionState& s) {
    s.replay_cut.reset();
    s.replay_context.reset();
    s.context = s.topic_context;
  }

  // The context of `layout`, recorded in the intent of a segment of `topic`
  // that is replayed; an error saying why when it cannot be rebuilt.
  Result<std::unique_ptr<TopicContext>> ReplayContext(const SegmentLayout& layout,
                                                      const TopicContext& topic) const {
    auto ctx = std::make_unique<TopicContext>();
    ctx->table = layout.table;
    ctx->layout = layout;
    ctx->decoder = topic.decoder;
    auto format = FormatRegistry::Default().Find(layout.format);
    if (!format.ok()) return format.status();
    ctx->format = *format;
    if (ctx->format->check_write_options) {
      LP_RETURN_IF_ERROR(ctx->format->check_write_options(options.write));
    }
    if (layout.table.empty()) return InvalidArgumentError("the recorded table name is empty");
    LP_ASSIGN_OR_RETURN(
        Partitioner partitioner,
        Partitioner::Make(*topic.decoder->schema(), layout.partition_by, layout.time_field));
    ctx->partitioner.emplace(std::move(partitioner));
    return ctx;
  }

  // The segment of `s` interrupted at its intent was started under
  // `recorded`, not the current settings: some of its files may be visible,
  // so it is replayed under `recorded` up to its cut (see archiver.h).
  Status ReplayUnderRecordedLayout(PartitionState& s, const SegmentLayout& recorded) {
    auto replay = ReplayContext(recorded, *s.topic_context);
    if (!replay.ok()) {
      return FailedPreconditionError(
          "{}[{}]: the segment from offset {} to offset {} was being archived with {} when the "
          "previous run stopped, and some of its files may already be visible; it cannot be "
          "replayed with the current schema and settings ({}). Restart with those settings "
          "until offset {} is committed, then change them",
          s.tp.topic, s.tp.partition, s.segment_start, *s.replay_cut, DescribeLayout(recorded),
          replay.status().message(), *s.replay_cut);
    }
    Log(fmt::format("{}[{}]: offsets {}..{} were being archived with {} when the previous run "
                    "stopped; replaying them with those settings so that no record is written "
                    "twice; {} applies from offset {}",
                    s.tp.topic, s.tp.partition, s.segment_start, *s.replay_cut - 1,
                    DescribeLayout(recorded), DescribeLayout(s.topic_context->layout),
                    *s.replay_cut),
        observe::LogLevel::kWarning, {s.tp.topic, s.tp.partition, s.segment_start});
    s.replay_context = std::move(replay).value();
    s.context = s.replay_context.get();
    return Status::OK();
  }

  // A commit refused for now (typically REBALANCE_IN_PROGRESS while the
  // group rebalances): the group still holds offset S, so this segment is
  // dropped and the partition is read again from S (cutting at `cut`, when
  // the intent made it to the group). Nothing is lost or duplicated: the
  // replay rebuilds the same files.
  // Commit failures that mean "not now" or "not yours any more"
  // (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, a
  // partition no longer assigned), as opposed to broken settings.
  static bool Refused(const Status& st) {
    return st.code() == StatusCode::kUnavailable || st.code() == StatusCode::kFailedPrecondition;
  }

  Status Rewind(PartitionState& s, std::optional<int64_t> cut, const Status& why) {
    const int64_t start = s.segment_start;
    Log(fmt::format("{}[{}]: commit refused for now ({}); re-reading from offset {}", s.tp.topic,
                    s.tp.partition, why.message(), start),
        observe::LogLevel::kWarning, {s.tp.topic, s.tp.partition, start});
    Abort(s);  // finished files stay; the replay rewrites them alike
    s.next_offset = -1;
    s.replay_cut = cut;
    s.await_offset = start;
    Status sought = consumer->Seek(s.tp, start, kBrokerTimeout);
    if (!sought.ok()) {
      Log(fmt::format(
              "{}[{}]: could not seek back to {} ({}); the partition's next owner replays it",
              s.tp.topic, s.tp.partition, start, sought.message()),
          observe::LogLevel::kWarning, {s.tp.topic, s.tp.partition, start});
    }
    return Status::OK();
  }

  // Reports offsets lost between `expected` and the log start; returns the
  // number lost (0 when the gap is not a loss, e.g. transaction markers).
  Status CheckLoss(PartitionState& s, int64_t expected, int64_t seen) {
    auto marks = consumer->Watermarks(s.tp, kBrokerTimeout);
    if (!marks.ok()) return marks.status();
    const int64_t low = marks->first;
    if (low <= expected) return Status::OK();
    const int64_t last_lost = std::min(low, seen) - 1;
    const uint64_t lost = static_cast<uint64_t>(last_lost - expected + 1);
    // A replayed cut cannot be reproduced once part of its records are gone.
    s.replay_cut.reset();
    Log(fmt::format(
            "DATA LOSS: {}[{}] offsets {}..{} ({} records) were removed by retention before they "
            "were archived; continuing from offset {}",
            s.tp.topic, s.tp.partition, expected, last_lost, FormatCount(lost), last_lost + 1),
        observe::LogLevel::kError, {s.tp.topic, s.tp.partition, expected, last_lost});
    {
      std::lock_guard<std::mutex> lock(stats_mu);
      stats.data_loss_records += lost;
      stats.data_loss_ranges += 1;
    }
    if (options.strict) {
      return DataLossError("{}[{}] offsets {}..{} were lost to retention (--strict)", s.tp.topic,
                           s.tp.partition, expected, last_lost);
    }
    return Status::OK();
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

  // Records consumed since the stats were last updated (see FlushCounts).
  uint64_t consumed_unreported = 0;

  void FlushCounts() {
    if (consumed_unreported == 0) return;
    std::lock_guard<std::mutex> lock(stats_mu);
    stats.consumed += consumed_unreported;
    consumed_unreported = 0;
    last_record_seen = Now();
    if (!first_record) first_record = last_record_seen;
    stats.active_seconds =
        std::max(stats.active_seconds,
                 std::chrono::duration<double>(last_record_seen - *first_record).count());
  }

  Status Handle(PartitionState& s, const kafka::MessageView& m) {
    if (s.await_offset) {
      if (m.offset != *s.await_offset) return Status::OK();  // fetched before the rewind
      s.await_offset.reset();
    }
    if (s.next_offset >= 0 && m.offset < s.next_offset) return Status::OK();
    const int64_t expected = s.next_offset >= 0 ? s.next_offset : s.segment_start;
    if (expected >= 0 && m.offset > expected) LP_RETURN_IF_ERROR(CheckLoss(s, expected, m.offset));
    if (s.segment_start < 0) s.segment_start = m.offset;  // nothing committed yet
    if (!s.segment_started) s.segment_started = Now();
    ++consumed_unreported;
    // Decode straight into the file the previous record went to (records of
    // a partition mostly share a partition path); move the row if not.
    OpenFile* file = s.last_file;
    RecordBatch* into = file != nullptr ? &file->staging : s.scratch.get();
    std::string reason;
    LP_ASSIGN_OR_RETURN(bool decoded, s.context->decoder->Decode(m.value, into, &reason));
    if (decoded && !s.context->partitioner->ReadablePathFor(
                       *into, into->num_rows() - 1, m.timestamp_ms, &path_scratch, &reason)) {
      into->TruncateRows(into->num_rows() - 1);
      decoded = false;
    }
    if (decoded) {
      size_t row = into->num_rows() - 1;
      if (options.on_record) LP_RETURN_IF_ERROR(options.on_record(*into, row, m));
      if (file == nullptr || path_scratch != file->partition_path) {
        if (s.files.find(path_scratch) == s.files.end() && !RoomForAnotherFile()) {
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
        LP_ASSIGN_OR_RETURN(file, FileFor(s, path_scratch, m.offset));
        if (into != &file->staging) {
          file->staging.AppendRowFrom(*into, row);
          into->TruncateRows(row);
        }
        s.last_file = file;
      }
      ++file->records;
      file->last_used = ++use_clock;
      file->unchecked_bytes += m.value.size();
      bool check_size = file->unchecked_bytes >= kSizeCheckBytes;
      if (file->staging.num_rows() >= kStagingRows) {
        LP_RETURN_IF_ERROR(FlushStaging(*file));
        check_size = true;
      }
      if (check_size) file->unchecked_bytes = 0;
      s.next_offset = m.offset + 1;
      ++s.segment_records;
      if (s.replay_cut) {
        if (s.next_offset >= *s.replay_cut) return Cut(s);
      } else if ((file->records >= options.flush_records ||
                  (check_size && file->Bytes() >= options.flush_bytes)) &&
                 !consumer->Disconnected()) {
        // Without a broker the commit would wait for one: the cut waits.
        return Cut(s);
      }
      return Status::OK();
    }
    ++s.segment_dead;
    LP_RETURN_IF_ERROR(
        dead_letters->Add(DeadLetter{m.topic, m.partition, m.offset, m.has_key, m.key, m.has_value,
                                     m.value, m.timestamp_ms, reason}));
    s.next_offset = m.offset + 1;
    ++s.segment_records;
    if (s.replay_cut && s.next_offset >= *s.replay_cut) return Cut(s);
    return Status::OK();
  }

  size_t OpenFileCount() const {
    size_t n = 0;
    for (const auto& [tp, s] : states) n += s->files.size();
    return n;
  }

  // Whether a file may open: fewer than --max-open-files are open and their
  // memory is below --max-buffer-bytes. Checked at each new file, not only
  // between polls: one poll may bring thousands of partition values.
  // Summing every open file's memory costs a lock each, so the sum is
  // recounted every kMemoryRecountFiles new files, or sooner when the files
  // opened since, at the average size of the last count, would reach the
  // bound.
  bool RoomForAnotherFile() {
    const size_t open = OpenFileCount();
    if (open >= options.max_open_files) return false;
    MemoryCount& c = memory_count;
    if (c.files > 0 && c.opened_since < kMemoryRecountFiles &&
        c.bytes + (c.opened_since + 1) * (c.bytes / c.files) < options.max_buffer_bytes) {
      ++c.opened_since;
      return true;
    }
    uint64_t total = 0;
    for (const auto& [tp, s] : states) {
      for (const auto& [path, f] : s->files) total += f->Memory();
    }
    c = MemoryCount{total, open, 0};
    if (total >= options.max_buffer_bytes) return false;
    ++c.opened_since;
    return true;
  }

  // At --max-open-files or --max-buffer-bytes: closes the segment that
  // holds the least recently used file. A segment being replayed cannot end before its recorded
  // cut, so its files stay open (the run that recorded it had them open too).
  Status CloseLeastRecentlyUsed() {
    PartitionState* victim = nullptr;
    uint64_t oldest = UINT64_MAX;
    for (auto& [tp, s] : states) {
      if (s->replay_cut) continue;
      for (const auto& [path, f] : s->files) {
        if (f->last_used < oldest) {
          oldest = f->last_used;
          victim = s.get();
        }
      }
    }
    if (victim == nullptr) return Status::OK();
    return Cut(*victim);
  }

  // Time-based rotation, and the global memory bound.
  Status Housekeeping() {
    const auto now = Now();
    for (auto& [tp, s] : states) {
      if (!s->replay_cut && s->segment_started &&
          now - *s->segment_started >= options.rotate_interval) {
        LP_RETURN_IF_ERROR(Cut(*s));
      }
    }
    while (true) {
      uint64_t total = 0, largest = 0;
      PartitionState* victim = nullptr;
      for (auto& [tp, s] : states) {
        for (auto& [path, f] : s->files) {
          const uint64_t b = f->Memory();
          total += b;
          if (b > largest && !s->replay_cut) {
            largest = b;
            victim = s.get();
          }
        }
      }
      {
        std::lock_guard<std::mutex> lock(stats_mu);
        stats.buffered_bytes = total;
      }
      if (total < options.max_buffer_bytes || victim == nullptr) return Status::OK();
      LP_RETURN_IF_ERROR(Cut(*victim));
    }
  }

  Status FinishAll() {
    for (auto& [tp, s] : states) LP_RETURN_IF_ERROR(FinishOrAbort(*s));
    return Status::OK();
  }

  // The staging directories of the partitions this archiver owned: removed
  // at exit when empty (with their parents up to the lake).
  std::set<std::string> staging_dirs;

  void RemoveEmptyStagingDirs() {
    for (auto it = staging_dirs.rbegin(); it != staging_dirs.rend(); ++it) {
      RemoveEmptyDirectories(*lake.store, *it, lake.path);
    }
  }

  // Positions() for other threads.
  std::map<kafka::TopicPartition, int64_t> positions;

  void UpdatePositions() {
    std::lock_guard<std::mutex> lock(stats_mu);
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
    uint64_t open = 0, buffered = 0;
    for (auto& [tp, s] : states) {
      open += s->files.size();
      for (const auto& [path, f] : s->files) buffered += f->Memory();
    }
    std::lock_guard<std::mutex> lock(stats_mu);
    stats.lag = total;
    stats.open_files = open;
    stats.buffered_bytes = buffered;
    stats.seconds = std::chrono::duration<double>(Now() - started).count();
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
  std::lock_guard<std::mutex> lock(impl_->stats_mu);
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
    auto partitioner = Partitioner::Make(*ctx.decoder->schema(), o.partition_by, o.time_field);
    if (!partitioner.ok()) return partitioner.status().WithContext("--partition-by");
    ctx.partitioner.emplace(std::move(partitioner).value());
    topics.emplace(topic, std::move(ctx));
  }
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
  consumer->SetListener(this);
}

Result<std::unique_ptr<Archiver>> Archiver::Make(ArchiveOptions options) {
  auto impl = std::make_unique<Impl>();
  LP_ASSIGN_OR_RETURN(impl->format, CheckOptions(options, /*need_lake=*/true));
  LP_ASSIGN_OR_RETURN(StoreLocation lake, ObjectStoreRegistry::Default().Resolve(options.lake));
  impl->owned_store = std::move(lake.store);
  impl->SetLake(impl->owned_store.get(), std::move(lake.path));
  LP_RETURN_IF_ERROR(impl->BuildTopics(options));
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
  LP_ASSIGN_OR_RETURN(impl->format, CheckOptions(options, /*need_lake=*/false));
  impl->SetLake(parts.store, std::move(parts.lake_path));
  if (parts.clock) impl->clock = std::move(parts.clock);
  LP_RETURN_IF_ERROR(impl->BuildTopics(options));
  impl->dead_letters = std::move(parts.dead_letters);
  impl->membership.group = options.group;
  impl->TakeOptions(std::move(options));
  impl->Start(std::move(parts.source));
  return std::unique_ptr<Archiver>(new Archiver(std::move(impl)));
}

void Archiver::Impl::OnAssigned(const std::vector<kafka::TopicPartition>& partitions) {
  Impl& im = *this;
  {
    std::lock_guard<std::mutex> lock(im.stats_mu);
    ++im.stats.rebalances;
  }
  // --exit-when-idle counts from the (re)join, not from the start: joining
  // a group can take seconds.
  im.last_activity = im.Now();
  im.joined = true;
  if (partitions.empty() || !im.error.ok()) return;
  auto committed = im.consumer->Committed(partitions, kBrokerTimeout);
  if (!committed.ok()) {
    im.error = committed.status().WithContext("reading committed offsets");
    return;
  }
  bool lake_down = false;
  for (const kafka::OffsetAndMetadata& c : *committed) {
    auto ctx = im.topics.find(c.tp.topic);
    if (ctx == im.topics.end()) continue;
    auto s = std::make_unique<PartitionState>();
    s->tp = c.tp;
    s->context = &ctx->second;
    s->topic_context = &ctx->second;
    s->scratch = std::make_unique<RecordBatch>(ctx->second.decoder->schema());
    s->segment_start = c.offset >= 0 ? c.offset : -1;
    const std::optional<CutIntent> intent = ParseCutMetadata(c.metadata);
    if (intent) s->replay_cut = intent->cut;
    if (c.offset >= 0) {
      // Offsets below the log start were removed before they were archived.
      Status st = im.CheckLoss(*s, c.offset, INT64_MAX);
      if (!st.ok()) {
        im.error = st;
        return;
      }
      auto marks = im.consumer->Watermarks(c.tp, kBrokerTimeout);
      if (marks.ok() && marks->first > c.offset) {
        s->segment_start = marks->first;
        s->next_offset = marks->first;
        s->replay_cut.reset();
      }
    } else {
      // A group that never committed here starts at the log start: records
      // below it were removed before anyone archived them.
      Status st = im.CheckLoss(*s, 0, INT64_MAX);
      if (!st.ok()) {
        im.error = st;
        return;
      }
    }
    if (s->replay_cut && intent->layout && *intent->layout != ctx->second.layout) {
      Status st = im.ReplayUnderRecordedLayout(*s, *intent->layout);
      if (!st.ok()) {
        im.error = st;
        return;
      }
    }
    // Leftovers of a writer that was killed while finishing a segment. When
    // the lake does not answer, the other partitions are not asked either:
    // writing will report it.
    std::vector<std::string> tables = {s->context->table};
    if (s->topic_context->table != s->context->table) tables.push_back(s->topic_context->table);
    for (const std::string& table : tables) {
      if (lake_down) break;
      im.staging_dirs.insert(im.StagingDir(table, c.tp));
      auto leftovers = im.lake.store->List(im.StagingDir(table, c.tp));
      if (leftovers.ok()) {
        for (const ObjectInfo& o : *leftovers) im.lake.store->Delete(o.path).IgnoreError();
      } else {
        lake_down = true;
      }
    }
    im.states[c.tp] = std::move(s);
  }
}

void Archiver::Impl::OnRevoked(const std::vector<kafka::TopicPartition>& partitions, bool lost) {
  Impl& im = *this;
  for (const kafka::TopicPartition& tp : partitions) {
    auto it = im.states.find(tp);
    if (it == im.states.end()) continue;
    PartitionState& s = *it->second;
    if (lost || !im.error.ok()) {
      im.Abort(s);
    } else {
      Status st = im.FinishOrAbort(s);
      if (!st.ok()) {
        // The new owner replays from the last committed offset; nothing is lost.
        im.Log(fmt::format("warning: could not finish {}[{}] on revoke ({}); its open files were "
                           "discarded and "
                           "the new owner will replay them",
                           tp.topic, tp.partition, st.message()),
               observe::LogLevel::kWarning, {tp.topic, tp.partition});
        im.Abort(s);
      }
    }
    im.states.erase(it);
  }
}

const GroupMembership& Archiver::Membership() const { return impl_->membership; }

std::optional<JoinWait> Archiver::Joining() const {
  if (impl_->joined.load()) return std::nullopt;
  std::lock_guard<std::mutex> lock(impl_->stats_mu);
  JoinWait wait;
  wait.group = impl_->options.group;
  wait.seconds = std::chrono::duration<double>(impl_->Now() - impl_->started).count();
  wait.session_timeout = impl_->membership.session_timeout;
  return wait;
}

ArchiveStats Archiver::Snapshot() const {
  std::lock_guard<std::mutex> lock(impl_->stats_mu);
  ArchiveStats s = impl_->stats;
  s.seconds = std::chrono::duration<double>(impl_->Now() - impl_->started).count();
  return s;
}

Result<ArchiveStats> Archiver::Run(const std::atomic<bool>& stop) {
  Impl& im = *impl_;
  {
    std::lock_guard<std::mutex> lock(im.stats_mu);
    im.started = im.Now();
  }
  im.last_activity = im.Now();
  Clock::time_point next_stats = im.Now() + im.options.stats_interval;
  uint64_t last_consumed = 0;
  double last_seconds = 0;
  while (!stop.load(std::memory_order_relaxed) && im.error.ok()) {
    auto batch = im.consumer->Poll(kPollTimeout, kPollMessages);
    if (!im.error.ok()) break;
    if (!batch.ok()) {
      im.error = batch.status();
      if (im.error.message().find("FENCED_INSTANCE_ID") != std::string::npos) {
        im.error = FailedPreconditionError(
            "{}: start each archiver of group '{}' with its own --instance-id "
            "(archive.instance_id)",
            im.error.message(), im.options.group);
      }
      break;
    }
    bool any = false;
    PartitionState* state = nullptr;  // of the previous record
    for (const kafka::MessageView& m : *batch) {
      any = true;
      if (state == nullptr || state->tp.partition != m.partition || state->tp.topic != m.topic) {
        auto it = im.states.find(kafka::TopicPartition{std::string(m.topic), m.partition});
        if (it == im.states.end()) {
          state = nullptr;
          continue;  // not ours (any more)
        }
        state = it->second.get();
      }
      Status st = im.Handle(*state, m);
      if (!st.ok()) {
        im.error = st;
        break;
      }
    }
    im.FlushCounts();
    im.UpdatePositions();
    if (!im.error.ok()) break;
    if (const auto down = im.consumer->Disconnected()) {
      im.last_activity = im.Now();  // idle counts only while connected
      if (im.Now() - down->since >= im.options.broker_timeout) {
        im.error = im.BrokersDown(*down, /*stopped=*/false);
        break;
      }
      // Rotation and the memory bound wait for a broker: librdkafka holds a
      // commit until a group coordinator answers, which would stall here.
    } else if (Status st = im.Housekeeping(); !st.ok()) {
      im.error = st;
      break;
    }
    // Idle time counts from after the work this poll's records caused (cuts
    // can take longer than --exit-when-idle), and only after a poll that
    // brought nothing.
    if (any) im.last_activity = im.Now();
    if (im.Now() >= next_stats) {
      im.RefreshStats();
      const ArchiveStats s = Snapshot();
      ProgressFigures f = ProgressOf(s);
      f.joining = Joining();
      const double interval = s.seconds - last_seconds;
      f.consumed_per_second =
          interval > 0 ? static_cast<double>(s.consumed - last_consumed) / interval : 0;
      im.Log(FormatProgressLine(f));
      last_consumed = s.consumed;
      last_seconds = s.seconds;
      next_stats = im.Now() + im.options.stats_interval;
    }
    if (!any && im.options.exit_when_idle.count() > 0 && im.joined &&
        im.Now() - im.last_activity >= im.options.exit_when_idle)
      break;
  }
  // Stopped while no broker answers: nothing can be committed.
  if (im.error.ok()) {
    if (const auto down = im.consumer->Disconnected()) {
      im.error = im.BrokersDown(*down, /*stopped=*/true);
    }
  }
  // Finish what is open (unless something is broken), then leave the group.
  Status finished = im.error.ok() ? im.FinishAll() : Status::OK();
  if (!finished.ok() && im.error.ok()) im.error = finished;
  if (!im.error.ok()) {
    for (auto& [tp, s] : im.states) im.Abort(*s);
  }
  im.states.clear();
  Status closed = im.consumer->Close();
  im.RemoveEmptyStagingDirs();
  im.RefreshStats();
  if (!im.error.ok()) return im.error;
  if (!closed.ok()) return closed;
  return Snapshot();
}

}  // namespace lakepipe::archive

// lakepipe run: the whole pipeline in one process. Produce records from a
// source onto Kafka (the in-process dev broker unless the config names
// brokers) while archiving them into the lake, with local copies of what
// was consumed; then the transform jobs over the table.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "archive/archiver.h"
#include "cli/allocator.h"
#include "cli/archive_options.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/observe.h"
#include "cli/signals.h"
#include "config/config.h"
#include "core/lake_names.h"
#include "core/redact.h"
#include "core/time_util.h"
#include "core/units.h"
#include "jobs/aggregate_jobs.h"
#include "jobs/clean_job.h"
#include "kafka/dev_broker.h"
#include "kafka/metadata.h"
#include "kafka/producer.h"
#include "lake/lake.h"
#include "observe/log.h"
#include "observe/metrics.h"
#include "observe/server.h"
#include "pipeline/local_outputs.h"
#include "pipeline/produce.h"
#include "pipeline/record_encoder.h"
#include "registry/schema_registry.h"
#include "sources/source.h"
#include "storage/object_store.h"
#include "warehouse/catalog.h"

namespace lakepipe::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kDefaultMetricsAddress = "127.0.0.1:9464";

struct RunFlags {
  ConfigFlags config;
  std::string source = "users", duration, lake, output = "out", settle = "5s", as_of, stats_json,
              local_copies;
  uint64_t count = 0;
  double rate = 0;
  int64_t seed = -1;
  int partitions = 16;
  bool sequential = false;
  bool replace = false;
  std::string metrics_addr = kDefaultMetricsAddress;
  LogFlags log;
  S3Flags s3;
};

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

std::string PerSecond(uint64_t n, double seconds) {
  return seconds > 0 ? FormatRate(0, n, seconds) : "-";
}

// Progress on stderr: on a terminal one line redrawn in place; otherwise a
// plain line every few seconds. Log lines from any thread go above it.
class Progress {
 public:
  Progress() : tty_(isatty(fileno(stderr)) != 0 && !observe::LogJson()) {}
  bool tty() const { return tty_; }
  std::chrono::milliseconds interval() const {
    return tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(2000);
  }
  void Show(const std::string& raw_line) {
    const std::string line = MaskUrlCredentials(raw_line);
    std::lock_guard<std::mutex> lock(mu_);
    if (tty_) {
      fmt::print(stderr, "\r\033[K{}", line);
      shown_ = line;
    } else {
      Plain(line);
    }
    std::fflush(stderr);
  }
  void Log(const std::string& raw_line) {
    const std::string line = MaskUrlCredentials(raw_line);
    std::lock_guard<std::mutex> lock(mu_);
    if (tty_ && !shown_.empty()) {
      fmt::print(stderr, "\r\033[K{}\n{}", line, shown_);
    } else {
      Plain(line);
    }
    std::fflush(stderr);
  }
  // Ends the phase's line: it stays, as the phase's last state.
  void End(const std::string& raw_line) {
    const std::string line = MaskUrlCredentials(raw_line);
    std::lock_guard<std::mutex> lock(mu_);
    if (tty_) {
      fmt::print(stderr, "\r\033[K{}\n", line);
    } else {
      Plain(line);
    }
    shown_.clear();
    std::fflush(stderr);
  }

 private:
  // A line as it is, or as a JSON log line without its "lakepipe run: ".
  static void Plain(const std::string& line) {
    if (!observe::LogJson()) {
      fmt::print(stderr, "{}\n", line);
      return;
    }
    std::string_view text = line;
    for (std::string_view prefix : {"lakepipe run: ", "lakepipe run "}) {
      if (text.substr(0, prefix.size()) == prefix) text.remove_prefix(prefix.size());
    }
    observe::Log(observe::LogLevel::kInfo, "run", text);
  }
  const bool tty_;
  std::mutex mu_;
  std::string shown_;
};

struct PhaseTime {
  std::string name;
  uint64_t records = 0;
  double seconds = 0;
};

// What the producing thread shares.
struct ProduceState {
  std::atomic<uint64_t> produced{0}, delivered{0}, failed{0}, rejected{0};
  std::atomic<bool> done{false};
  Result<ProduceSummary> result = InternalError("not run");
  Clock::time_point start = Clock::now(), end;
};

struct ArchiveState {
  std::atomic<bool> done{false};
  Result<archive::ArchiveStats> result = InternalError("not run");
  Clock::time_point start = Clock::now(), end;
};

std::string TableOf(const std::string& source) {
  return source == "activity" ? "user_activity" : "users";
}

// Deletes what an earlier dev-broker run left of `table` in `lake` (raw,
// curated and rejected zones, bookmarks, job state) when `allowed`;
// kFailedPrecondition naming --replace otherwise.
Status ReplaceTable(const std::string& uri, const std::string& table, bool allowed,
                    Progress& progress) {
  LP_ASSIGN_OR_RETURN(lake::Lake lake, lake::Lake::Open(uri));
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> existing, lake.ListData(lake::Lake::TableDir(table)));
  if (existing.empty()) return Status::OK();
  if (!allowed) {
    return FailedPreconditionError(
        "{}/{} already holds {} files from an earlier run; the dev broker's offsets start at 0 "
        "again, so its files would be overwritten: give --replace to delete the table first, "
        "or another --lake",
        lake.uri(), table, existing.size());
  }
  progress.Log(fmt::format("lakepipe run: replacing {}/{} ({} files of an earlier run)", lake.uri(),
                           table, existing.size()));
  for (const std::string& rel :
       {lake::Lake::TableDir(table), lake::Lake::BookmarkDir(table), lake::Lake::StateDir(table)}) {
    LP_RETURN_IF_ERROR(lake.DeleteAll(rel));
  }
  return Status::OK();
}

// What became of the local copies at the end of a run.
enum class CopiesFate {
  kReplaced,      // this run's copies are in place
  kPreviousKept,  // the run failed: an earlier run's copies stay as they were
  kFailed,        // this run's copies could not be written or put in place
};

// A run that succeeded puts its copies in place of an earlier run's. One
// that failed leaves an earlier run's copies as they were, and puts its own
// in place only where there were none (they hold what was consumed while
// the lake was down, say). `*status` gets the error of kFailed.
CopiesFate SettleLocalCopies(LocalOutputs& outputs, bool succeeded, Status* status) {
  if (!status->ok()) return CopiesFate::kFailed;
  if (!succeeded && outputs.AnyExists()) {
    outputs.Abort();
    return CopiesFate::kPreviousKept;
  }
  *status = outputs.Replace();
  return status->ok() ? CopiesFate::kReplaced : CopiesFate::kFailed;
}

// The formats of the local copies: --local-copies, else run.local_copies.
Result<std::vector<std::string>> LocalCopyFormats(const CLI::App& app, const RunFlags& f,
                                                  config::Config& cfg) {
  if (app.count("--local-copies") > 0) {
    LP_RETURN_IF_ERROR(cfg.SetFlag("run", "local_copies", f.local_copies));
  }
  const std::string where =
      cfg.OriginOf("run", "local_copies") == config::Origin::kFlag
          ? "--local-copies"
          : fmt::format("run.local_copies ({})", cfg.SourceOf("run", "local_copies"));
  LP_ASSIGN_OR_RETURN(std::vector<std::string> list, cfg.GetList("run", "local_copies"));
  if (list.empty()) {
    return InvalidArgumentError(
        "{} names no format: give json, csv, parquet (comma-separated), "
        "or none",
        where);
  }
  Result<std::vector<std::string>> formats =
      ParseLocalCopyFormats(fmt::format("{}", fmt::join(list, ",")));
  if (!formats.ok()) return formats.status().WithContext(where);
  return formats;
}

// Records of this run that are not in the lake: produced, but neither
// archived nor dead-lettered (lost to retention, still in the topic, or
// never delivered).
uint64_t NotArchived(uint64_t produced, const archive::ArchiveStats& s) {
  const uint64_t settled = s.archived + s.dead_lettered;
  return produced > settled ? produced - settled : 0;
}

// The summary's balance of records: what became of every produced one.
std::string BalanceLine(uint64_t produced, uint64_t delivered, const archive::ArchiveStats& s) {
  const std::string lost = s.data_loss_records > 0 ? fmt::format(" + lost to retention {}",
                                                                 FormatCount(s.data_loss_records))
                                                   : "";
  if (s.kept() > delivered) {
    // A new group on a topic that already had records reads those too.
    return fmt::format(
        "consumed {} = archived {} + dead-lettered {}{} (produced {} by this run; the "
        "topic held {} more)",
        FormatCount(s.kept()), FormatCount(s.archived), FormatCount(s.dead_lettered), lost,
        FormatCount(delivered), FormatCount(s.kept() - delivered));
  }
  const uint64_t accounted = s.archived + s.dead_lettered + s.data_loss_records;
  if (accounted >= produced) {
    return fmt::format("produced {} = archived {} + dead-lettered {}{}", FormatCount(delivered),
                       FormatCount(s.archived), FormatCount(s.dead_lettered), lost);
  }
  return fmt::format("produced {} = archived {} + dead-lettered {}{} + not archived {}",
                     FormatCount(produced), FormatCount(s.archived), FormatCount(s.dead_lettered),
                     lost, FormatCount(produced - accounted));
}

// What an interrupted run left unarchived, and where those records are.
std::string InterruptedLine(uint64_t produced, uint64_t delivered, const archive::ArchiveStats& s,
                            const std::string& topic, const std::string& group, bool dev_broker,
                            bool transformed, const std::string& lake, const std::string& table) {
  const uint64_t left = NotArchived(produced, s);
  if (left == 0) {
    return fmt::format("interrupted: all {} produced records were archived{}",
                       FormatCount(produced),
                       transformed ? ""
                                   : fmt::format("; transform them with: lakepipe transform "
                                                 "--lake {} --table {}",
                                                 lake, table));
  }
  const std::string head = fmt::format("interrupted: {} of {} produced records were not archived",
                                       FormatCount(left), FormatCount(produced));
  const uint64_t lost = std::min(s.data_loss_records, left);
  const uint64_t undelivered = std::min(produced - std::min(delivered, produced), left - lost);
  const uint64_t in_topic = left - lost - undelivered;
  std::vector<std::string> where;
  if (dev_broker) {
    where.push_back(fmt::format(
        "they were only in topic '{}' of the dev broker in this process, which ended with it",
        topic));
    if (lost > 0) {
      where.push_back(
          fmt::format("{} of them were lost to its retention before", FormatCount(lost)));
    }
  } else {
    const std::string resume = fmt::format(
        "consumer group '{}' archives them first when it starts again (the next run with this "
        "config, or lakepipe archive --group {})",
        group, group);
    if (in_topic == left)
      return fmt::format("{} yet; they stay in topic '{}', and {}", head, topic, resume);
    if (in_topic > 0) {
      where.push_back(
          fmt::format("{} stay in topic '{}', and {}", FormatCount(in_topic), topic, resume));
    }
    if (lost > 0) {
      where.push_back(fmt::format("{} were lost to the topic's retention", FormatCount(lost)));
    }
  }
  if (undelivered > 0) {
    where.push_back(fmt::format("{} never reached Kafka", FormatCount(undelivered)));
  }
  if (dev_broker) {
    where.push_back(s.archived > 0
                        ? fmt::format("the lake holds the {} archived", FormatCount(s.archived))
                        : std::string("none reached the lake"));
  }
  return fmt::format("{}: {}", head, fmt::join(where, "; "));
}

int Run(const CLI::App& app, const RunFlags& f) {
  const std::string cmd = "lakepipe run";
  const auto started = Clock::now();
  if (Status st = ApplyLogFlags(f.log); !st.ok()) return ReportError(cmd, st);
  auto loaded = LoadConfig(f.config.path);
  if (!loaded.ok()) return ReportError(cmd, loaded.status());
  config::Config& cfg = *loaded;
  if (Status st = ApplyS3Flags(app, f.s3, &cfg); !st.ok()) return ReportError(cmd, st);
  // The source: --source, else source.name of the config file.
  if (app.count("--source") > 0) {
    if (Status st = cfg.SetFlag("source", "name", f.source); !st.ok()) return ReportError(cmd, st);
  }
  if (f.seed >= 0) {
    if (Status st = cfg.SetFlag("source", "seed", std::to_string(f.seed)); !st.ok()) {
      return ReportError(cmd, st);
    }
  }
  const std::string source_name = *cfg.GetString("source", "name");
  if (source_name != "users" && source_name != "activity" && source_name != "randomuser") {
    return ReportError(cmd, InvalidArgumentError("source '{}' ({}) is not a source of run (users, "
                                                 "activity, randomuser): give --source",
                                                 source_name, cfg.SourceOf("source", "name")));
  }
  auto copy_formats = LocalCopyFormats(app, f, cfg);
  if (!copy_formats.ok()) return ReportError(cmd, copy_formats.status());

  std::chrono::milliseconds duration{0}, settle{0};
  if (!f.duration.empty()) {
    auto d = config::ParseDuration(f.duration);
    if (!d.ok()) return ReportError(cmd, d.status().WithContext("--duration"));
    duration = *d;
  }
  {
    auto d = config::ParseDuration(f.settle);
    if (!d.ok()) return ReportError(cmd, d.status().WithContext("--settle"));
    settle = *d;
  }
  if (app.count("--count") > 0 && duration.count() > 0) {
    return ReportError(cmd, InvalidArgumentError("give --count or --duration, not both"));
  }
  const uint64_t count = duration.count() > 0 ? 0 : (app.count("--count") > 0 ? f.count : 100000);
  if (duration.count() == 0 && count == 0) {
    return ReportError(cmd, InvalidArgumentError("--count 0 produces nothing: give a count > 0"));
  }
  std::optional<int32_t> as_of;
  if (!f.as_of.empty()) {
    auto d = ParseDate(f.as_of);
    if (!d.ok()) {
      return ReportError(cmd, InvalidArgumentError("--as-of '{}' is not a date: write it as "
                                                   "YYYY-MM-DD",
                                                   f.as_of));
    }
    as_of = *d;
  }

  // Where things go: flags, then the config file, then the defaults.
  const std::string table =
      cfg.HasValue("archive", "table") && !cfg.GetString("archive", "table")->empty()
          ? *cfg.GetString("archive", "table")
          : TableOf(source_name);
  if (Status valid = ValidateTableName(table); !valid.ok()) {
    return ReportError(cmd, valid.WithContext(fmt::format("archive.table ({})",
                                                          cfg.SourceOf("archive", "table"))));
  }
  std::string topic = cfg.HasValue("produce", "topic") ? *cfg.GetString("produce", "topic") : "";
  if (topic.empty()) topic = table;
  std::string lake = f.lake;
  if (lake.empty() && cfg.HasValue("archive", "lake")) lake = *cfg.GetString("archive", "lake");
  const bool default_lake = lake.empty();
  if (default_lake) lake = "out/lake";
  if (Status st = cfg.SetFlag("archive", "lake", lake); !st.ok()) return ReportError(cmd, st);
  if (Status st = cfg.SetFlag("archive", "topics", topic); !st.ok()) return ReportError(cmd, st);
  if (Status st = cfg.SetFlag("archive", "table", table); !st.ok()) return ReportError(cmd, st);
  if (!cfg.HasValue("archive", "group") || cfg.GetString("archive", "group")->empty()) {
    if (Status st = cfg.SetFlag("archive", "group", "lakepipe-run"); !st.ok()) {
      return ReportError(cmd, st);
    }
  }
  auto format_name = cfg.GetString("produce", "message_format");
  if (!format_name.ok()) return ReportError(cmd, format_name.status());
  auto payload = ParsePayloadFormat(*format_name);
  if (!payload.ok()) return ReportError(cmd, payload.status());
  if (Status st = cfg.SetFlag("archive", "message_format", *format_name); !st.ok()) {
    return ReportError(cmd, st);
  }
  if (f.config.print) return PrintConfig(cfg);
  if (Status st = ConfigureS3(cfg); !st.ok()) return ReportError(cmd, st);

  if (f.metrics_addr != "off" && !f.metrics_addr.empty()) {
    if (auto parsed = observe::ParseServerAddress(f.metrics_addr); !parsed.ok()) {
      return ReportError(cmd, parsed.status());
    }
  }

  Progress progress;
  // Kafka: the configured brokers, else the dev broker in this process.
  std::string brokers = ConfiguredBrokers(cfg);
  std::unique_ptr<kafka::DevBroker> dev_broker;
  if (brokers.empty()) {
    kafka::DevBrokerOptions bo;
    bo.partitions = f.partitions;
    bo.topics = {topic};
    auto started_broker = kafka::DevBroker::Start(bo);
    if (!started_broker.ok()) return ReportError(cmd, started_broker.status());
    dev_broker = std::move(started_broker).value();
    brokers = dev_broker->bootstrap();
    if (Status st = cfg.SetFlag("kafka", "bootstrap.servers", brokers); !st.ok()) {
      return ReportError(cmd, st);
    }
    progress.Log(fmt::format("{}: dev broker in this process at {} (topic '{}', {} partitions; {})",
                             cmd, brokers, topic, f.partitions, kafka::kDevBrokerRetention));
    // A new dev broker starts its offsets at 0 again, so the archive would
    // write over the files of an earlier run: the table starts afresh.
    if (Status st = ReplaceTable(lake, table, default_lake || f.replace, progress); !st.ok()) {
      if (st.code() == StatusCode::kFailedPrecondition) return ReportError(cmd, st);
      // The lake may be down: go on, the local copies keep what is consumed.
      progress.Log(fmt::format("{}: warning: cannot look at the lake: {}", cmd, st.ToString()));
    }
  } else {
    progress.Log(fmt::format("{}: Kafka at {}, topic '{}'", cmd, brokers, topic));
  }

  // The source and what its records are written as.
  SourceOptions so;
  if (cfg.HasValue("source", "seed")) {
    auto seed = cfg.GetInt("source", "seed");
    if (!seed.ok()) return ReportError(cmd, seed.status());
    so.seed = static_cast<uint64_t>(*seed);
  }
  if (auto url = cfg.GetString("source", "url"); url.ok()) so.url = *url;
  auto source = OpenSource(source_name, so);
  if (!source.ok()) return ReportError(cmd, source.status());
  const SchemaPtr table_schema =
      table == "user_activity" ? UserActivitySchemaPtr() : UserSchemaPtr();
  auto projector = BatchProjector::Make((*source)->schema(), table_schema);
  if (!projector.ok()) return ReportError(cmd, projector.status());
  std::optional<int32_t> schema_id;
  auto registry_url = cfg.GetString("schema_registry", "url");
  if (!registry_url.ok()) return ReportError(cmd, registry_url.status());
  archive::ArchiveOptions ao;
  std::string unused_stats_json;
  if (Status st = BuildArchiveOptions(cfg, &ao, &unused_stats_json); !st.ok()) {
    return ReportError(cmd, st);
  }
  if (!registry_url->empty() && *payload == PayloadFormat::kAvro) {
    registry::SchemaRegistryClient client(*ao.decoder.registry);
    auto id = client.Register(topic + "-value", table_schema->avro_json());
    if (!id.ok()) return ReportError(cmd, id.status());
    schema_id = *id;
  }
  if (!ao.decoder.schema) {
    ao.decoder.schema = table_schema;
    ao.decoder.schema_origin = fmt::format("built-in {} schema", table_schema->name());
  }
  auto encoder = RecordEncoder::Make(*payload, *table_schema, schema_id);
  if (!encoder.ok()) return ReportError(cmd, encoder.status());
  std::optional<KeyExtractor> key;
  if (const std::string k = (*source)->default_key_field(); !k.empty()) {
    auto made = KeyExtractor::Make(*table_schema, k);
    if (!made.ok()) return ReportError(cmd, made.status());
    key.emplace(std::move(made).value());
  }
  // Nothing starts unless a broker answers: a wrong address fails now, in
  // one line, instead of after the producer's and the archive's timeouts.
  if (!dev_broker) {
    if (Status st =
            kafka::WaitForBrokers(brokers, cfg.Passthrough("kafka"), kafka::kBrokerStartTimeout);
        !st.ok()) {
      return ReportError(cmd, st);
    }
  }
  kafka::ProducerOptions po;
  po.brokers = brokers;
  po.settings = cfg.Passthrough("kafka");
  auto producer = kafka::Producer::Make(po);
  if (!producer.ok()) return ReportError(cmd, producer.status());

  // Local copies of every record the archive consumes.
  const std::string stem = table + "_data";
  auto local = LocalOutputs::Open(f.output, stem, ao.decoder.schema, *copy_formats);
  if (!local.ok()) return ReportError(cmd, local.status().WithContext("--output"));
  LocalOutputs* outputs = local->get();
  // Each offset once: a segment read again (a rewind, a rebalance) is not
  // copied twice.
  std::map<int32_t, int64_t> copied_until;  // partition -> next offset to copy
  ao.on_record = [outputs, &copied_until](const RecordBatch& b, size_t row,
                                          const kafka::MessageView& m) {
    int64_t& next = copied_until.try_emplace(m.partition, -1).first->second;
    if (m.offset < next) return Status::OK();
    next = m.offset + 1;
    return outputs->Add(b, row);
  };
  ao.exit_when_idle = std::chrono::milliseconds(0);  // the run says when to stop
  ao.log = [&progress](const std::string& line) {
    progress.Log(line);
    if (line.find("DATA LOSS") != std::string::npos) observe::Events::Default().Add("error", line);
  };
  TuneAllocatorFor(Workload::kArchive);
  // The raw files rotate as archive's do (archive.flush_records,
  // flush_bytes, rotate_interval...), so that a long run does not leave a
  // file per partition every few seconds.
  auto archiver = archive::Archiver::Make(ao);
  if (!archiver.ok()) return ReportError(cmd, archiver.status());

  // The status page: on by default; another free port when the default one
  // is taken (another run, say).
  ArchiverMetrics archive_metrics(**archiver, ao);
  std::atomic<bool> transforming{false};
  auto health = [&archive_metrics, &transforming]() -> observe::Health {
    if (transforming) return {};
    return archive_metrics.Health();
  };
  auto server = StartMetrics("run", f.metrics_addr, health);
  if (!server.ok() && server.status().code() == StatusCode::kFailedPrecondition &&
      f.metrics_addr == kDefaultMetricsAddress) {
    progress.Log(fmt::format("{}: {} is taken; serving the status page on another port", cmd,
                             kDefaultMetricsAddress));
    server = StartMetrics("run", "127.0.0.1:0", health);
  }
  if (!server.ok()) return ReportError(cmd, server.status());

  const std::atomic<bool>& interrupted = StopRequested();
  std::atomic<bool> stop_produce{false}, stop_archive{false};
  ProduceState ps;
  ArchiveState as;
  ProduceOptions popt;
  popt.topic = topic;
  popt.count = count;
  popt.duration = duration;
  popt.rate = f.rate;
  popt.progress_interval = std::chrono::milliseconds(100);
  popt.on_progress = [&ps, &topic](const ProduceProgress& p) {
    ExportProduceProgress(topic, p);
    ps.produced = p.produced;
    ps.delivered = p.delivered;
    ps.failed = p.failed;
    ps.rejected = p.rejected;
  };
  auto produce = [&] {
    ps.result = RunProduce(**source, &*projector, *encoder, key, **producer, popt, stop_produce);
    if (ps.result.ok()) {
      ExportProduceProgress(topic, ps.result->progress);
      ps.produced = ps.result->progress.produced;
      ps.delivered = ps.result->progress.delivered;
      ps.failed = ps.result->progress.failed;
      ps.rejected = ps.result->progress.rejected;
    }
    ps.end = Clock::now();
    ps.done = true;
  };
  auto consume = [&] {
    as.result = (*archiver)->Run(stop_archive);
    if (as.result.ok()) {
      archive_metrics.Finished();
    } else {
      archive_metrics.Failed(as.result.status().ToString());
      observe::Events::Default().Add("error", "archive: " + as.result.status().ToString());
    }
    as.end = Clock::now();
    as.done = true;
  };
  auto remaining = [&](uint64_t done, double elapsed) -> std::string {
    if (duration.count() > 0) {
      const double left = std::max(0.0, static_cast<double>(duration.count()) / 1000 - elapsed);
      return FormatSeconds(left);
    }
    if (done == 0 || elapsed <= 0) return "-";
    const double rate = static_cast<double>(done) / elapsed;
    return FormatSeconds(static_cast<double>(count > done ? count - done : 0) / rate);
  };
  auto target = [&] { return count > 0 ? "/" + FormatCount(count) : std::string(); };
  auto lag_of = [&](const archive::ArchiveStats& s) {
    // The broker's figure once partitions are assigned; what was delivered
    // and not consumed yet before that.
    const uint64_t d = ps.delivered;
    return std::max<uint64_t>(s.lag > 0 ? static_cast<uint64_t>(s.lag) : 0,
                              d > s.kept() ? d - s.kept() : 0);
  };
  // Everything delivered was consumed (or lost to retention, which the
  // archive reports), and the consumer knows of nothing left in its
  // partitions (a new group on a topic with older records reads those too).
  // Once produced: the end offset of every partition, which the archive
  // must reach (records from before the run included).
  std::optional<std::vector<int64_t>> ends;
  bool ends_failed = false;
  auto caught_up = [&] {
    if (!ps.done) return false;
    const archive::ArchiveStats s = (*archiver)->Snapshot();
    if (s.kept() + s.data_loss_records < ps.delivered) return false;
    if (!ends && !ends_failed) {
      auto got =
          kafka::EndOffsets(brokers, topic, cfg.Passthrough("kafka"), std::chrono::seconds(10));
      if (got.ok()) {
        ends = std::move(got).value();
      } else {
        ends_failed = true;  // counts alone, then
        progress.Log(fmt::format("{}: warning: {}", cmd, got.status().ToString()));
      }
    }
    if (!ends) return true;
    const std::map<kafka::TopicPartition, int64_t> at = (*archiver)->Positions();
    for (size_t p = 0; p < ends->size(); ++p) {
      if ((*ends)[p] <= 0) continue;
      auto it = at.find(kafka::TopicPartition{topic, static_cast<int32_t>(p)});
      if (it == at.end() || it->second < (*ends)[p]) return false;
    }
    return true;
  };
  // Watches the running phase: progress, and the stop conditions.
  auto watch = [&](const std::string& phase, const std::function<bool()>& finished,
                   const std::function<std::string()>& line) {
    auto next = Clock::now();
    while (!finished()) {
      if (interrupted) {
        stop_produce = true;
        stop_archive = true;
      }
      if (Clock::now() >= next) {
        progress.Show(fmt::format("{} {:<8} {}", cmd, phase, line()));
        next = Clock::now() + progress.interval();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    progress.End(fmt::format("{} {:<8} {}", cmd, phase, line()));
  };
  // The archive's progress line (the same as `archive`'s), after what was
  // produced when `producing`; `t`: seconds since the phase started.
  auto progress_line = [&](bool producing, double t, const std::string& left) {
    const archive::ArchiveStats s = (*archiver)->Snapshot();
    archive::ProgressFigures pf = archive::ProgressOf(s);
    pf.joining = (*archiver)->Joining();
    pf.consumed_per_second = t > 0 ? static_cast<double>(s.consumed) / t : 0;
    pf.lag = static_cast<int64_t>(lag_of(s));
    if (producing) {
      pf.produced = archive::ProgressFigures::Produced{
          ps.produced, count, t > 0 ? static_cast<double>(ps.produced) / t : 0};
    }
    pf.elapsed_seconds = t;
    pf.left = left;
    return archive::FormatProgressLine(pf);
  };
  auto archive_line = [&] { return progress_line(false, Since(as.start), ""); };

  std::vector<PhaseTime> phases;
  if (!f.sequential) {
    ps.start = as.start = Clock::now();
    std::thread consumer(consume);
    std::thread producer_thread(produce);
    watch(
        "produce+archive",
        [&] {
          if (as.done) stop_produce = true;  // the archive failed: stop producing
          if (!stop_archive && caught_up()) stop_archive = true;
          if (ps.done && !ps.result.ok()) stop_archive = true;
          return ps.done && as.done;
        },
        [&] {
          const double t = Since(ps.start);
          return progress_line(true, t, remaining(ps.produced, t));
        });
    producer_thread.join();
    consumer.join();
  } else {
    ps.start = Clock::now();
    std::thread producer_thread(produce);
    watch(
        "produce", [&] { return ps.done.load(); },
        [&] {
          const double t = Since(ps.start);
          return fmt::format("produced {}{} ({}), delivered {}, {} elapsed, {} left",
                             FormatCount(ps.produced), target(), PerSecond(ps.produced, t),
                             FormatCount(ps.delivered), FormatSeconds(t),
                             remaining(ps.produced, t));
        });
    producer_thread.join();
    const auto settle_start = Clock::now();
    watch(
        "settle", [&] { return interrupted || Clock::now() - settle_start >= settle; },
        [&] {
          return fmt::format(
              "waiting {} before consuming, {} left", FormatSeconds(settle.count() / 1000.0),
              FormatSeconds(std::max(0.0, settle.count() / 1000.0 - Since(settle_start))));
        });
    as.start = Clock::now();
    std::thread consumer(consume);
    watch(
        "archive",
        [&] {
          if (!stop_archive && caught_up()) stop_archive = true;
          return as.done.load();
        },
        archive_line);
    consumer.join();
  }
  const double produce_seconds = std::chrono::duration<double>(ps.end - ps.start).count();
  const double archive_seconds = std::chrono::duration<double>(as.end - as.start).count();
  const archive::ArchiveStats astats = as.result.ok() ? *as.result : (*archiver)->Snapshot();

  // The local copies are complete under temporary names; they take the
  // place of an earlier run's at the end, when the run succeeded.
  Status local_status = outputs->Finish();
  int exit_code = kExitOk;
  std::vector<std::string> failures;
  if (!ps.result.ok()) failures.push_back("produce: " + ps.result.status().ToString());
  if (!as.result.ok()) failures.push_back("archive: " + as.result.status().ToString());
  if (!local_status.ok()) failures.push_back("local outputs: " + local_status.ToString());
  const ProduceProgress pp = ps.result.ok() ? ps.result->progress : ProduceProgress{};
  // What was produced, also when producing failed.
  const uint64_t produced = ps.result.ok() ? pp.produced : ps.produced.load();
  const uint64_t delivered = ps.result.ok() ? pp.delivered : ps.delivered.load();
  if (ps.result.ok() && (pp.failed > 0 || pp.delivered < pp.produced)) {
    failures.push_back(
        fmt::format("produce: {} records not delivered", pp.produced - pp.delivered));
  }
  if (as.result.ok() && astats.archived + astats.dead_lettered < astats.kept()) {
    failures.push_back(
        fmt::format("archive: consumed {} records but archived {} and "
                    "dead-lettered {}",
                    FormatCount(astats.kept()), FormatCount(astats.archived),
                    FormatCount(astats.dead_lettered)));
  }
  if (as.result.ok() && astats.data_loss_records > 0) {
    failures.push_back(fmt::format("archive: {} records lost to the broker's retention",
                                   FormatCount(astats.data_loss_records)));
  }

  // Transform, when the lake got everything.
  std::vector<jobs::JobStats> job_stats;
  double transform_seconds = 0;
  uint64_t clean_rows = 0, rejected_rows = 0;
  if (failures.empty() && !interrupted) {
    transforming = true;
    TuneAllocatorFor(Workload::kJobs);  // the archive is over: its settings give way
    const auto t0 = Clock::now();
    for (const std::string job : {"clean", "analytics", "demographics", "timeseries"}) {
      progress.Show(fmt::format("{} {:<8} {} ...", cmd, "transform", job));
      Result<jobs::JobStats> st = InternalError("no job ran");
      if (job == "clean") {
        jobs::CleanJobOptions o;
        o.lake = lake;
        o.table = table;
        o.as_of = as_of;
        st = jobs::RunCleanJob(o);
      } else {
        jobs::AggregateOptions o;
        o.lake = lake;
        o.table = table;
        o.job = job;
        st = jobs::RunAggregateJob(o);
      }
      if (!st.ok()) {
        failures.push_back(fmt::format("transform {}: {}", job, st.status().ToString()));
        break;
      }
      if (job == "clean") {
        clean_rows = st->clean;
        rejected_rows = st->rejected;
      }
      ExportJobStats(*st);
      job_stats.push_back(*st);
    }
    transform_seconds = Since(t0);
    progress.End(fmt::format("{} {:<8} {} jobs in {}", cmd, "transform", job_stats.size(),
                             FormatSeconds(transform_seconds)));
  }

  const bool copies_finished = local_status.ok();
  const CopiesFate copies =
      SettleLocalCopies(*outputs, failures.empty() && !interrupted, &local_status);
  if (copies == CopiesFate::kFailed && copies_finished) {
    failures.push_back("local outputs: " + local_status.ToString());
  }

  // Summary (stdout).
  std::string out = "\nlakepipe run: summary\n\n";
  out += fmt::format("  {:<16} {:>12} {:>14} {:>10}\n", "phase", "records", "throughput", "time");
  out += fmt::format("  {:<16} {:>12} {:>14} {:>10}\n", "produce", FormatCount(produced),
                     PerSecond(produced, produce_seconds), FormatSeconds(produce_seconds));
  out += fmt::format("  {:<16} {:>12} {:>14} {:>10}\n", "archive", FormatCount(astats.consumed),
                     PerSecond(astats.consumed, archive_seconds), FormatSeconds(archive_seconds));
  if (!job_stats.empty()) {
    out += fmt::format(
        "  {:<16} {:>12} {:>14} {:>10}\n", "transform", FormatCount(job_stats[0].records_in),
        PerSecond(job_stats[0].records_in, transform_seconds), FormatSeconds(transform_seconds));
  }
  out += fmt::format("\n  {}{}\n", BalanceLine(produced, delivered, astats),
                     interrupted ? " (interrupted)" : "");
  if (!job_stats.empty()) {
    out += fmt::format(
        "  archived {} = clean {} + rejected {}  (source records rejected before "
        "Kafka: {})\n",
        FormatCount(job_stats[0].records_in), FormatCount(clean_rows), FormatCount(rejected_rows),
        FormatCount(pp.rejected));
  }
  nlohmann::ordered_json tables_json = nlohmann::ordered_json::array();
  if (Result<lake::Lake> l = lake::Lake::Open(lake); l.ok()) {
    if (auto tables = warehouse::DiscoverTables(*l); tables.ok()) {
      std::map<std::pair<std::string, std::string>, std::pair<uint64_t, uint64_t>> zones;
      for (const warehouse::LakeTable& t : *tables) {
        auto& z = zones[{t.table, t.zone}];
        z.first += t.files;
        z.second += t.bytes;
      }
      out += fmt::format("\n  {:<16} {:<14} {:>8} {:>12}\n", "table", "zone", "files", "bytes");
      for (const auto& [k, z] : zones) {
        out += fmt::format("  {:<16} {:<14} {:>8} {:>12}\n", k.first, k.second,
                           FormatCount(z.first), FormatBytes(z.second));
        tables_json.push_back(
            {{"table", k.first}, {"zone", k.second}, {"files", z.first}, {"bytes", z.second}});
      }
    }
  }
  out += fmt::format("\n  lake          {}\n", lake);
  for (const std::string& p : outputs->paths()) {
    if (copies == CopiesFate::kReplaced) out += fmt::format("  local copy    {}\n", p);
    if (copies == CopiesFate::kPreviousKept) {
      out += fmt::format("  local copy    {} (an earlier run's, kept)\n", p);
    }
  }
  out += fmt::format("  query it      lakepipe sql --dialect duckdb --lake {}\n", lake);
  out += fmt::format("  total         {}\n", FormatSeconds(Since(started)));
  fmt::print("{}", out);
  std::fflush(stdout);

  if (!f.stats_json.empty()) {
    nlohmann::ordered_json j;
    j["table"] = table;
    j["topic"] = topic;
    j["lake"] = lake;
    j["produced"] = produced;
    j["delivered"] = delivered;
    j["source_rejected"] = pp.rejected;
    j["consumed"] = astats.kept();  // each record once
    j["given_back"] = astats.given_back;
    j["archived"] = astats.archived;
    j["dead_lettered"] = astats.dead_lettered;
    j["data_loss_records"] = astats.data_loss_records;
    j["not_archived"] = NotArchived(produced, astats);
    j["interrupted"] = interrupted.load();
    j["lake_files"] = astats.files_written;
    j["local_records"] = outputs->records();
    j["local_outputs"] =
        copies == CopiesFate::kReplaced ? outputs->paths() : std::vector<std::string>();
    j["clean"] = clean_rows;
    j["rejected"] = rejected_rows;
    j["jobs"] = job_stats.size();
    j["tables"] = tables_json;
    j["seconds"] = {{"produce", produce_seconds},
                    {"archive", archive_seconds},
                    {"transform", transform_seconds},
                    {"total", Since(started)}};
    j["errors"] = failures;
    if (Status st = WriteWholeFile(f.stats_json, j.dump(2) + "\n"); !st.ok()) {
      failures.push_back("--stats-json: " + st.ToString());
    }
  }
  for (const std::string& failure : failures) {
    Say("{}: FAILED {}\n", cmd, failure);
    exit_code = kExitFailure;
  }
  if (!failures.empty() && copies == CopiesFate::kReplaced && !outputs->paths().empty()) {
    Say("{}: the {} records consumed are in {}\n", cmd, FormatCount(outputs->records()),
        fmt::join(outputs->paths(), ", "));
  }
  if (copies == CopiesFate::kPreviousKept) {
    Say("{}: the local copies {} are an earlier run's, left as they were; this run's {} "
        "consumed records are not in them\n",
        cmd, fmt::join(outputs->paths(), ", "), FormatCount(outputs->records()));
  }
  if (interrupted) {
    Say("{}: {}\n", cmd,
        InterruptedLine(produced, delivered, astats, topic, *cfg.GetString("archive", "group"),
                        dev_broker != nullptr, !job_stats.empty(), lake, table));
    exit_code = kExitFailure;
  }
  return exit_code;
}

}  // namespace

Result<int> RunRun(int argc, char** argv) {
  CLI::App app(
      "Run the whole pipeline: produce records from a source onto Kafka while archiving them "
      "into the lake (exactly once, Parquet, Hive-partitioned), with local copies of every "
      "consumed record in <output>/<table>_data.json, .csv and .parquet (--local-copies); then "
      "transform --job all over the table. With no config file Kafka is a dev broker in this "
      "process; a config file's kafka, schema_registry, s3, produce and archive sections point "
      "it at real Kafka, a registry and S3, and its run section sets the local copies. Raw "
      "files rotate as archive's do (archive.flush_records, flush_bytes, rotate_interval).\n\nAt "
      "the end: a summary of records per phase (produced = "
      "archived + dead-lettered; archived = clean + rejected), files and bytes per table and "
      "zone, and the outputs' paths. Exit status 1 when any phase failed or the run was "
      "interrupted; an interrupted run says how many produced records were not archived. The local "
      "copies are written under temporary names and replace an earlier "
      "run's only when the run succeeds; a failed run leaves an earlier run's copies as they "
      "were, and writes its own only where there were none.",
      "lakepipe run");
  RunFlags f;
  AddConfigFlags(&app, &f.config,
                 "sections kafka, schema_registry, s3, source, produce, archive and run are used");
  app.add_option("--source", f.source,
                 "users, activity or randomuser (the randomuser.me API); default: source.name "
                 "of the config file, else users");
  app.add_option("--count", f.count, "Records to produce (default 100000)");
  app.add_option("--duration", f.duration, "Produce for this long instead (e.g. 30s, 2m)");
  app.add_option("--rate", f.rate, "Records per second (default: as fast as possible)");
  app.add_option("--seed", f.seed, kSeedHelp);
  app.add_option("--lake", f.lake,
                 "Lake root: a path or s3://bucket/prefix (default: archive.lake, else out/lake)");
  app.add_option("--output", f.output, "Directory of the local copies")->capture_default_str();
  app.add_option("--local-copies", f.local_copies,
                 "Local copies to write: any of json,csv,parquet (comma-separated), or none "
                 "(default: run.local_copies, else all three)");
  app.add_flag("--sequential", f.sequential,
               "The batch flow: produce everything first, wait --settle, then consume it all");
  app.add_option("--settle", f.settle,
                 "With --sequential: the wait between producing and "
                 "consuming")
      ->capture_default_str();
  app.add_flag("--replace", f.replace,
               "With the dev broker and a --lake that has the table: delete the table first "
               "(done without asking for the default lake, out/lake)");
  app.add_option("--partitions", f.partitions, "Partitions of the dev broker's topic")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--as-of", f.as_of, "transform: the day ages and tenures are computed at");
  AddStatsJsonFlag(&app, &f.stats_json, "Write the run's counts as JSON here");
  AddS3Flags(&app, &f.s3);
  AddMetricsFlag(
      &app, &f.metrics_addr,
      fmt::format("{}, or another free port when taken; off: none", kDefaultMetricsAddress));
  AddLogFlags(&app, &f.log);
  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  return Run(app, f);
}

}  // namespace lakepipe::cli

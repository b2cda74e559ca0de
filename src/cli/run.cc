// lakepipe run: the whole pipeline in one process (pipeline/run.h runs
// it). Here: the flags and the effective configuration into RunOptions,
// the progress display, the status page, and the summary.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "archive/archiver.h"
#include "cli/allocator.h"
#include "cli/archive_options.h"
#include "cli/catalog_flags.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/observe.h"
#include "cli/signals.h"
#include "config/config.h"
#include "core/lake_names.h"
#include "core/redact.h"
#include "core/time_util.h"
#include "core/units.h"
#include "lake/lake.h"
#include "observe/log.h"
#include "observe/metrics.h"
#include "observe/server.h"
#include "pipeline/local_outputs.h"
#include "pipeline/record_encoder.h"
#include "pipeline/run.h"
#include "storage/object_store.h"
#include "warehouse/catalog.h"

namespace lakepipe::cli {
namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kCmd = "lakepipe run";
constexpr const char* kDefaultMetricsAddress = "127.0.0.1:9464";

struct RunFlags {
  ConfigFlags config;
  std::string source = "users", duration, lake, output = "out", settle = "5s", as_of, stats_json,
              local_copies, shape;
  uint64_t count = 0;
  double rate = 0;
  int64_t seed = -1;
  int partitions = 16;
  bool sequential = false;
  bool replace = false;
  std::string metrics_addr = kDefaultMetricsAddress;
  LogFlags log;
  S3Flags s3;
  std::string table_format, commit_interval;
  CatalogFlags catalog;
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

std::string TableOf(const std::string& source) {
  return source == "activity" ? "user_activity" : "users";
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

// How much is produced, the flow, and the day of the jobs.
Status ReadFlow(const CLI::App& app, const RunFlags& f, pipeline::RunOptions* o) {
  if (!f.duration.empty()) {
    auto d = config::ParseDuration(f.duration);
    if (!d.ok()) return d.status().WithContext("--duration");
    o->duration = *d;
  }
  auto settle = config::ParseDuration(f.settle);
  if (!settle.ok()) return settle.status().WithContext("--settle");
  o->settle = *settle;
  if (app.count("--count") > 0 && o->duration.count() > 0) {
    return InvalidArgumentError("give --count or --duration, not both");
  }
  o->count = o->duration.count() > 0 ? 0 : (app.count("--count") > 0 ? f.count : 100000);
  if (o->duration.count() == 0 && o->count == 0) {
    return InvalidArgumentError("--count 0 produces nothing: give a count > 0");
  }
  if (!f.as_of.empty()) {
    auto d = ParseDate(f.as_of);
    if (!d.ok()) {
      return InvalidArgumentError("--as-of '{}' is not a date: write it as YYYY-MM-DD", f.as_of);
    }
    o->jobs.as_of = *d;
  }
  o->rate = f.rate;
  o->partitions = f.partitions;
  o->sequential = f.sequential;
  return Status::OK();
}

// Where things go: flags, then the config file, then the defaults. The
// table, lake and group go into o->archive, read from the archive section
// later (ReadArchive).
Status ReadWhere(const CLI::App& app, const RunFlags& f, config::Config& cfg,
                 pipeline::RunOptions* o) {
  LP_ASSIGN_OR_RETURN(std::string table, cfg.GetString("archive", "table"));
  if (table.empty()) table = TableOf(o->source);
  LP_RETURN_IF_ERROR(ValidateTableName(table).WithContext(
      fmt::format("archive.table ({})", cfg.SourceOf("archive", "table"))));
  o->archive.table = table;
  LP_ASSIGN_OR_RETURN(o->topic, cfg.GetString("produce", "topic"));
  if (o->topic.empty()) o->topic = table;
  if (!f.lake.empty()) LP_RETURN_IF_ERROR(cfg.SetFlag("archive", "lake", f.lake));
  LP_ASSIGN_OR_RETURN(o->archive.lake, cfg.GetString("archive", "lake"));
  // The default lake is replaced without asking; another one on --replace.
  o->replace = o->archive.lake.empty() || f.replace;
  if (o->archive.lake.empty()) o->archive.lake = "out/lake";
  o->replace_hint = "give --replace to delete the table first, or another --lake";
  LP_ASSIGN_OR_RETURN(o->archive.group, cfg.GetString("archive", "group"));
  if (o->archive.group.empty()) o->archive.group = "lakepipe-run";
  LP_ASSIGN_OR_RETURN(o->archive.decoder.input_format, cfg.GetString("produce", "message_format"));
  LP_ASSIGN_OR_RETURN(o->format, ParsePayloadFormat(o->archive.decoder.input_format));
  return Status::OK();
}

// The configuration as --print-config shows it: with the archive settings
// the run decides itself (lake, topic, table, group, message format) shown
// as set by flags. A copy, for display only: the run reads its options
// from `o`.
Result<config::Config> ConfigToPrint(const config::Config& cfg, const pipeline::RunOptions& o) {
  config::Config shown = cfg;
  LP_RETURN_IF_ERROR(shown.SetFlag("archive", "lake", o.archive.lake));
  LP_RETURN_IF_ERROR(shown.SetFlag("archive", "topics", o.topic));
  LP_RETURN_IF_ERROR(shown.SetFlag("archive", "table", o.archive.table));
  LP_ASSIGN_OR_RETURN(std::string group, cfg.GetString("archive", "group"));
  if (group.empty()) LP_RETURN_IF_ERROR(shown.SetFlag("archive", "group", o.archive.group));
  LP_RETURN_IF_ERROR(shown.SetFlag("archive", "message_format", o.archive.decoder.input_format));
  return shown;
}

// The run's settings that the flags and the config decide before the
// archive section is read: the source, the flow, the local copies, the
// jobs, and where things go. Flags given are layered onto the config as
// every command does; nothing computed is written back into it.
Result<pipeline::RunOptions> RunOptionsFrom(const CLI::App& app, const RunFlags& f,
                                            config::Config& cfg) {
  pipeline::RunOptions o;
  if (app.count("--table-format") > 0) {
    LP_RETURN_IF_ERROR(cfg.SetFlag("archive", "table_format", f.table_format));
  }
  if (app.count("--commit-interval") > 0) {
    LP_RETURN_IF_ERROR(cfg.SetFlag("archive", "commit_interval", f.commit_interval));
  }
  LP_RETURN_IF_ERROR(ApplyCatalogFlags(app, f.catalog, &cfg));
  // The source: --source, else source.name of the config file.
  if (app.count("--source") > 0) LP_RETURN_IF_ERROR(cfg.SetFlag("source", "name", f.source));
  if (f.seed >= 0) LP_RETURN_IF_ERROR(cfg.SetFlag("source", "seed", std::to_string(f.seed)));
  if (app.count("--shape") > 0) LP_RETURN_IF_ERROR(cfg.SetFlag("source", "shape", f.shape));
  o.source = *cfg.GetString("source", "name");
  if (o.source != "users" && o.source != "activity" && o.source != "randomuser") {
    return InvalidArgumentError(
        "source '{}' ({}) is not a source of run (users, activity, randomuser): give --source",
        o.source, cfg.SourceOf("source", "name"));
  }
  LP_ASSIGN_OR_RETURN(o.local_copy_formats, LocalCopyFormats(app, f, cfg));
  o.output_dir = f.output;
  o.output_context = "--output";
  LP_RETURN_IF_ERROR(ReadFlow(app, f, &o));
  LP_RETURN_IF_ERROR(ReadWhere(app, f, cfg, &o));
  o.stop = &StopRequested();
  return o;
}

// The archive section and the source's seed and URL, once the
// configuration is not just printed. The archive's topic, table, lake,
// group and message format are the run's (RunOptionsFrom).
Status ReadArchive(const config::Config& cfg, pipeline::RunOptions* o) {
  archive::ArchiveOptions ao;
  std::string unused_stats_json;
  LP_RETURN_IF_ERROR(ReadArchiveSettings(cfg, &ao, &unused_stats_json));
  ao.topics = {o->topic};
  ao.table = o->archive.table;
  ao.lake = o->archive.lake;
  ao.group = o->archive.group;
  ao.decoder.input_format = o->archive.decoder.input_format;
  o->archive = std::move(ao);
  if (cfg.HasValue("source", "seed")) {
    LP_ASSIGN_OR_RETURN(int64_t seed, cfg.GetInt("source", "seed"));
    o->source_options.seed = static_cast<uint64_t>(seed);
  }
  if (auto url = cfg.GetString("source", "url"); url.ok()) o->source_options.url = *url;
  LP_ASSIGN_OR_RETURN(std::string shape, cfg.GetString("source", "shape"));
  LP_ASSIGN_OR_RETURN(o->source_options.shape, ParseUserShape(shape));
  return Status::OK();
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

// The progress display of a run: one line per step (Progress's Show and
// End), in the format of `archive`'s progress line where the archive runs.
class RunDisplay {
 public:
  RunDisplay(Progress& progress, const pipeline::RunOptions& o)
      : progress_(progress), count_(o.count), duration_(o.duration), settle_(o.settle) {}

  void operator()(const pipeline::RunProgress& p) {
    std::string line;
    if (p.step == pipeline::RunStep::kTransform) {
      line = p.last ? fmt::format("{} jobs in {}", p.jobs_done, FormatSeconds(p.seconds))
                    : fmt::format("{} ...", p.job);
    } else {
      line = Line(p);
    }
    line = fmt::format("{} {:<8} {}", kCmd, pipeline::StepName(p.step), line);
    if (p.last) {
      progress_.End(line);
    } else {
      progress_.Show(line);
    }
  }

 private:
  std::string Line(const pipeline::RunProgress& p) const {
    const double t = p.seconds;
    switch (p.step) {
      case pipeline::RunStep::kProduceArchive:
        return ArchiveLine(p, true, Remaining(p.produced, t));
      case pipeline::RunStep::kProduce:
        return fmt::format("produced {}{} ({}), delivered {}, {} elapsed, {} left",
                           FormatCount(p.produced), Target(), PerSecond(p.produced, t),
                           FormatCount(p.delivered), FormatSeconds(t), Remaining(p.produced, t));
      case pipeline::RunStep::kSettle: {
        const double settle = static_cast<double>(settle_.count()) / 1000.0;
        return fmt::format("waiting {} before consuming, {} left", FormatSeconds(settle),
                           FormatSeconds(std::max(0.0, settle - t)));
      }
      default:
        return ArchiveLine(p, false, "");
    }
  }

  // The archive's progress line (the same as `archive`'s), after what was
  // produced when `producing`.
  std::string ArchiveLine(const pipeline::RunProgress& p, bool producing,
                          const std::string& left) const {
    const double t = p.seconds;
    archive::ProgressFigures pf = archive::ProgressOf(p.archive);
    pf.joining = p.joining;
    pf.consumed_per_second = t > 0 ? static_cast<double>(p.archive.consumed) / t : 0;
    pf.lag = static_cast<int64_t>(p.lag);
    if (producing) {
      pf.produced = archive::ProgressFigures::Produced{
          p.produced, count_, t > 0 ? static_cast<double>(p.produced) / t : 0};
    }
    pf.elapsed_seconds = t;
    pf.left = left;
    return archive::FormatProgressLine(pf);
  }

  std::string Remaining(uint64_t done, double elapsed) const {
    if (duration_.count() > 0) {
      return FormatSeconds(std::max(0.0, static_cast<double>(duration_.count()) / 1000 - elapsed));
    }
    if (done == 0 || elapsed <= 0) return "-";
    const double rate = static_cast<double>(done) / elapsed;
    return FormatSeconds(static_cast<double>(count_ > done ? count_ - done : 0) / rate);
  }

  std::string Target() const { return count_ > 0 ? "/" + FormatCount(count_) : std::string(); }

  Progress& progress_;
  const uint64_t count_;
  const std::chrono::milliseconds duration_, settle_;
};

// The files and bytes of every table and zone of the lake, as the summary
// shows them and as JSON; nothing when the lake cannot be read.
std::string TablesSection(const std::string& uri, nlohmann::ordered_json* tables_json) {
  Result<lake::Lake> l = lake::Lake::Open(uri);
  if (!l.ok()) return "";
  auto tables = warehouse::DiscoverTables(*l);
  if (!tables.ok()) return "";
  std::map<std::pair<std::string, std::string>, std::pair<uint64_t, uint64_t>> zones;
  for (const warehouse::LakeTable& t : *tables) {
    auto& z = zones[{t.table, t.zone}];
    z.first += t.files;
    z.second += t.bytes;
  }
  std::string out =
      fmt::format("\n  {:<16} {:<14} {:>8} {:>12}\n", "table", "zone", "files", "bytes");
  for (const auto& [k, z] : zones) {
    out += fmt::format("  {:<16} {:<14} {:>8} {:>12}\n", k.first, k.second, FormatCount(z.first),
                       FormatBytes(z.second));
    tables_json->push_back(
        {{"table", k.first}, {"zone", k.second}, {"files", z.first}, {"bytes", z.second}});
  }
  return out;
}

// What the summary and --stats-json tell of a finished run.
struct Finished {
  const pipeline::RunReport& r;
  const pipeline::Pipeline& pipeline;
  const std::string& topic;
  Clock::time_point started;
};

// The summary (stdout): records per phase, the balance, the tables, the
// outputs' paths.
std::string SummaryText(const Finished& run, nlohmann::ordered_json* tables_json) {
  const pipeline::RunReport& r = run.r;
  const std::string& lake = run.pipeline.archive_options().lake;
  std::string out = "\nlakepipe run: summary\n\n";
  auto row = [&out](std::string_view phase, uint64_t records, double seconds) {
    out += fmt::format("  {:<16} {:>12} {:>14} {:>10}\n", phase, FormatCount(records),
                       PerSecond(records, seconds), FormatSeconds(seconds));
  };
  out += fmt::format("  {:<16} {:>12} {:>14} {:>10}\n", "phase", "records", "throughput", "time");
  row("produce", r.produced, r.produce_seconds);
  row("archive", r.archive.consumed, r.archive_seconds);
  if (!r.jobs.empty()) row("transform", r.jobs[0].records_in, r.transform_seconds);
  out += fmt::format("\n  {}{}\n", BalanceLine(r.produced, r.delivered, r.archive),
                     r.interrupted ? " (interrupted)" : "");
  if (!r.jobs.empty()) {
    out += fmt::format(
        "  archived {} = clean {} + rejected {}  (source records rejected before "
        "Kafka: {})\n",
        FormatCount(r.jobs[0].records_in), FormatCount(r.clean_rows), FormatCount(r.rejected_rows),
        FormatCount(r.source_rejected));
  }
  out += TablesSection(lake, tables_json);
  if (const auto table = run.pipeline.archiver().Iceberg()) {
    out += fmt::format("\n  iceberg table {} at {}\n", table->identifier, table->location);
    out += fmt::format("  snapshot      {} (metadata {})\n",
                       table->snapshot_id != 0 ? std::to_string(table->snapshot_id)
                                               : std::string("none committed by this run"),
                       table->metadata_location);
  }
  out += fmt::format("\n  lake          {}\n", lake);
  for (const std::string& p : run.pipeline.local_copies().paths()) {
    if (r.copies == pipeline::CopiesFate::kReplaced) out += fmt::format("  local copy    {}\n", p);
    if (r.copies == pipeline::CopiesFate::kPreviousKept) {
      out += fmt::format("  local copy    {} (an earlier run's, kept)\n", p);
    }
  }
  out += fmt::format("  query it      lakepipe sql --dialect duckdb --lake {}{}\n", lake,
                     run.pipeline.archiver().Iceberg() ? " --table-format iceberg" : "");
  out += fmt::format("  total         {}\n", FormatSeconds(Since(run.started)));
  return out;
}

// The run's counts as JSON (--stats-json).
nlohmann::ordered_json StatsJson(const Finished& run, const nlohmann::ordered_json& tables_json,
                                 const std::vector<std::string>& failures) {
  const pipeline::RunReport& r = run.r;
  const LocalOutputs& copies = run.pipeline.local_copies();
  nlohmann::ordered_json j;
  j["table"] = run.pipeline.archive_options().table;
  j["topic"] = run.topic;
  j["lake"] = run.pipeline.archive_options().lake;
  j["produced"] = r.produced;
  j["delivered"] = r.delivered;
  j["source_rejected"] = r.source_rejected;
  j["consumed"] = r.archive.kept();  // each record once
  j["given_back"] = r.archive.given_back;
  j["archived"] = r.archive.archived;
  j["dead_lettered"] = r.archive.dead_lettered;
  j["data_loss_records"] = r.archive.data_loss_records;
  j["not_archived"] = NotArchived(r.produced, r.archive);
  j["interrupted"] = r.interrupted;
  j["lake_files"] = r.archive.files_written;
  j["local_records"] = copies.records();
  j["local_outputs"] =
      r.copies == pipeline::CopiesFate::kReplaced ? copies.paths() : std::vector<std::string>();
  j["clean"] = r.clean_rows;
  j["rejected"] = r.rejected_rows;
  j["jobs"] = r.jobs.size();
  j["tables"] = tables_json;
  j["seconds"] = {{"produce", r.produce_seconds},
                  {"archive", r.archive_seconds},
                  {"transform", r.transform_seconds},
                  {"total", Since(run.started)}};
  j["errors"] = failures;
  return j;
}

// The summary, --stats-json and the lines after them; the exit status.
int Summarize(const Finished& run, const std::string& stats_json) {
  const pipeline::RunReport& r = run.r;
  const LocalOutputs& copies = run.pipeline.local_copies();
  nlohmann::ordered_json tables_json = nlohmann::ordered_json::array();
  fmt::print("{}", SummaryText(run, &tables_json));
  std::fflush(stdout);
  std::vector<std::string> failures = r.failures;
  if (!stats_json.empty()) {
    const nlohmann::ordered_json j = StatsJson(run, tables_json, failures);
    if (Status st = WriteWholeFile(stats_json, j.dump(2) + "\n"); !st.ok()) {
      failures.push_back("--stats-json: " + st.ToString());
    }
  }
  int exit_code = kExitOk;
  for (const std::string& failure : failures) {
    Say("{}: FAILED {}\n", kCmd, failure);
    exit_code = kExitFailure;
  }
  if (!failures.empty() && r.copies == pipeline::CopiesFate::kReplaced && !copies.paths().empty()) {
    Say("{}: the {} records consumed are in {}\n", kCmd, FormatCount(copies.records()),
        fmt::join(copies.paths(), ", "));
  }
  if (r.copies == pipeline::CopiesFate::kPreviousKept) {
    Say("{}: the local copies {} are an earlier run's, left as they were; this run's {} "
        "consumed records are not in them\n",
        kCmd, fmt::join(copies.paths(), ", "), FormatCount(copies.records()));
  }
  if (r.interrupted) {
    const archive::ArchiveOptions& ao = run.pipeline.archive_options();
    Say("{}: {}\n", kCmd,
        InterruptedLine(r.produced, r.delivered, r.archive, run.topic, ao.group,
                        run.pipeline.dev_broker(), !r.jobs.empty(), ao.lake, ao.table));
    exit_code = kExitFailure;
  }
  return exit_code;
}

// The hooks through which the pipeline reports to the command: its log
// lines and progress on stderr, the producer's and the jobs' figures into
// the metrics, the allocator tuned for each phase.
void AttachDisplay(Progress& progress, RunDisplay& display, std::atomic<bool>& transforming,
                   pipeline::RunOptions* o) {
  o->log = [&progress](const std::string& line) {
    progress.Log(fmt::format("{}: {}", kCmd, line));
  };
  o->archive.log = [&progress](const std::string& line) {
    progress.Log(line);
    if (line.find("DATA LOSS") != std::string::npos) observe::Events::Default().Add("error", line);
  };
  o->on_progress = [&display](const pipeline::RunProgress& p) { display(p); };
  o->progress_interval = progress.interval();
  o->on_produce_progress = [topic = o->topic](const ProduceProgress& p) {
    ExportProduceProgress(topic, p);
  };
  o->on_job = [](const jobs::JobStats& s) { ExportJobStats(s); };
  o->on_phase = [&transforming](pipeline::RunPhase phase) {
    if (phase == pipeline::RunPhase::kArchive) {
      TuneAllocatorFor(Workload::kArchive);
    } else {
      transforming = true;
      TuneAllocatorFor(Workload::kJobs);  // the archive is over: its settings give way
    }
  };
}

// The status page: on by default; another free port when the default one
// is taken (another run, say).
Result<std::unique_ptr<observe::StatusServer>> StartStatusPage(
    const std::string& address, Progress& progress, std::function<observe::Health()> health) {
  auto server = StartMetrics("run", address, health);
  if (!server.ok() && server.status().code() == StatusCode::kFailedPrecondition &&
      address == kDefaultMetricsAddress) {
    progress.Log(fmt::format("{}: {} is taken; serving the status page on another port", kCmd,
                             kDefaultMetricsAddress));
    server = StartMetrics("run", "127.0.0.1:0", health);
  }
  return server;
}

Result<int> Run(const CLI::App& app, const RunFlags& f) {
  const auto started = Clock::now();
  LP_RETURN_IF_ERROR(ApplyLogFlags(f.log));
  LP_ASSIGN_OR_RETURN(config::Config cfg, LoadConfig(f.config.path));
  LP_RETURN_IF_ERROR(ApplyS3Flags(app, f.s3, &cfg));
  LP_ASSIGN_OR_RETURN(pipeline::RunOptions options, RunOptionsFrom(app, f, cfg));
  if (f.config.print) {
    LP_ASSIGN_OR_RETURN(config::Config shown, ConfigToPrint(cfg, options));
    return PrintConfig(shown);
  }
  LP_RETURN_IF_ERROR(ConfigureS3(cfg));
  if (f.metrics_addr != "off" && !f.metrics_addr.empty()) {
    LP_RETURN_IF_ERROR(observe::ParseServerAddress(f.metrics_addr).status());
  }
  LP_RETURN_IF_ERROR(ReadArchive(cfg, &options));

  Progress progress;
  RunDisplay display(progress, options);
  std::atomic<bool> transforming{false};
  AttachDisplay(progress, display, transforming, &options);
  ArchiverMetrics* metrics = nullptr;  // once the archiver is made
  options.on_archive_end = [&metrics](const Result<archive::ArchiveStats>& result) {
    if (result.ok()) {
      metrics->Finished();
    } else {
      metrics->Failed(result.status().ToString());
      observe::Events::Default().Add("error", "archive: " + result.status().ToString());
    }
  };
  const std::string topic = options.topic;
  LP_ASSIGN_OR_RETURN(std::unique_ptr<pipeline::Pipeline> pipeline,
                      pipeline::Pipeline::Make(std::move(options)));
  ArchiverMetrics archive_metrics(pipeline->archiver(), pipeline->archive_options());
  metrics = &archive_metrics;
  LP_ASSIGN_OR_RETURN(std::unique_ptr<observe::StatusServer> server,
                      StartStatusPage(f.metrics_addr, progress, [&archive_metrics, &transforming] {
                        return transforming ? observe::Health{} : archive_metrics.Health();
                      }));
  const pipeline::RunReport report = pipeline->Run();
  return Summarize(Finished{report, *pipeline, topic, started}, f.stats_json);
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
      "were, and writes its own only where there were none.\n\nShapes of users and randomuser "
      "(--shape): flat (schemas/user.avsc) or api (schemas/user_api.avsc: exactly the "
      "randomuser.me API's nested objects, keyed by login.uuid; the table's schema follows the "
      "shape).",
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
  app.add_option("--shape", f.shape, kShapeHelp);
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
  app.add_option("--table-format", f.table_format,
                 "hive (default) or iceberg: archive into an Apache Iceberg table in the catalog "
                 "(default: the file catalog in the lake), default.<table>")
      ->check(CLI::IsMember({"hive", "iceberg"}));
  app.add_option("--commit-interval", f.commit_interval,
                 "Iceberg: commit a snapshot this often (default 60s)");
  AddCatalogFlags(&app, &f.catalog);
  AddS3Flags(&app, &f.s3);
  AddMetricsFlag(
      &app, &f.metrics_addr,
      fmt::format("{}, or another free port when taken; off: none", kDefaultMetricsAddress));
  AddLogFlags(&app, &f.log);
  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  return Run(app, f);
}

}  // namespace lakepipe::cli

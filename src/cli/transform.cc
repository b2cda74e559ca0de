// lakepipe transform: jobs over the lake (jobs/registry.h names them).
#include <algorithm>
#include <chrono>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/allocator.h"
#include "cli/catalog_flags.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/observe.h"
#include "config/config.h"
#include "core/lake_names.h"
#include "core/time_util.h"
#include "core/units.h"
#include "jobs/clean_rules.h"
#include "jobs/registry.h"
#include "storage/object_store.h"

namespace lakepipe::cli {
namespace {

struct TransformFlags {
  std::string lake, table, job = "clean", since, as_of, stats_json, config_path;
  bool full_refresh = false;
  bool print_config = false;
  std::string max_buffer_bytes = "256MiB";
  std::string wait_for_lock = "0s";
  int zscore_window = 28;
  double zscore_threshold = 3.0;
  S3Flags s3;
  std::string metrics_addr;
  LogFlags log;
  std::string table_format = "hive";
  CatalogFlags catalog;
};

Result<std::optional<int32_t>> OptionalDate(const std::string& text, const char* flag) {
  if (text.empty()) return std::optional<int32_t>();
  Result<int32_t> day = ParseDate(text);
  if (!day.ok()) {
    return InvalidArgumentError("{} '{}' is not a date: write it as YYYY-MM-DD", flag, text);
  }
  return std::optional<int32_t>(*day);
}

nlohmann::ordered_json StatsJson(const jobs::JobStats& s) {
  nlohmann::ordered_json j;
  j["table"] = s.table;
  j["job"] = s.job;
  if (s.job == "clean") j["as_of"] = FormatDate(s.as_of);
  j["input_files"] = s.raw_files;
  j["new_files"] = s.new_files;
  j["records_in"] = s.records_in;
  if (s.job == "clean") {
    j["clean"] = s.clean;
    j["rejected"] = s.rejected;
    j["duplicates"] = s.duplicates;
  }
  j["partitions_written"] = s.partitions_written;
  j["rows_written"] = s.rows_written;
  j["files_written"] = s.files_written;
  j["bytes_written"] = s.bytes_written;
  j["seconds"] = s.seconds;
  if (!s.raw_table.empty()) j["raw_table"] = s.raw_table;
  if (!s.iceberg.empty()) {
    j["iceberg"] = nlohmann::ordered_json::array();
    for (const jobs::IcebergCommit& c : s.iceberg) {
      nlohmann::ordered_json t;
      t["table"] = c.table;
      t["location"] = c.location;
      if (c.snapshot_id != 0) t["snapshot_id"] = c.snapshot_id;
      t["added_files"] = c.added_files;
      t["deleted_files"] = c.deleted_files;
      j["iceberg"].push_back(std::move(t));
    }
  }
  return j;
}

void PrintSummary(const jobs::JobStats& s) {
  const std::string cmd = "lakepipe transform";
  if (s.new_files == 0) {
    Say("{}: {} {}: nothing new in its {} input files; nothing changed\n", cmd, s.table, s.job,
        FormatCount(s.raw_files));
  } else if (s.job == "clean") {
    Say("{}: {} {}: {} new raw files, {} records in = {} clean + {} rejected; {} "
        "duplicates replaced; {} partitions rewritten ({} rows, {} files, {}) as of {} in "
        "{}\n",
        cmd, s.table, s.job, FormatCount(s.new_files), FormatCount(s.records_in),
        FormatCount(s.clean), FormatCount(s.rejected), FormatCount(s.duplicates),
        FormatCount(s.partitions_written), FormatCount(s.rows_written),
        FormatCount(s.files_written), FormatBytes(s.bytes_written), FormatDate(s.as_of),
        FormatSeconds(s.seconds));
  } else {
    Say("{}: {} {}: {} clean rows read from {} changed files, {} metric files written "
        "({} rows, {}) in {}\n",
        cmd, s.table, s.job, FormatCount(s.records_in), FormatCount(s.new_files),
        FormatCount(s.partitions_written), FormatCount(s.rows_written),
        FormatBytes(s.bytes_written), FormatSeconds(s.seconds));
  }
  for (const jobs::IcebergCommit& c : s.iceberg) {
    if (c.snapshot_id == 0) {
      Say("  iceberg table {}: unchanged\n", c.table);
    } else {
      Say("  iceberg table {}: snapshot {} (+{} -{} data files) at {}\n", c.table, c.snapshot_id,
          c.added_files, c.deleted_files, c.location);
    }
  }
}

// The table: --table (set into archive.table), else archive.table of the
// config file, else the only topic of archive.topics (archive names a table
// after its topic), else users.
Result<std::string> TableFromConfig(const CLI::App& app, const std::string& table_flag,
                                    config::Config* cfg) {
  if (app.count("--table") > 0) LP_RETURN_IF_ERROR(cfg->SetFlag("archive", "table", table_flag));
  LP_ASSIGN_OR_RETURN(std::string table, cfg->GetString("archive", "table"));
  if (!table.empty()) {
    LP_RETURN_IF_ERROR(ValidateTableName(table).WithContext(
        fmt::format("archive.table ({})", cfg->SourceOf("archive", "table"))));
    return table;
  }
  LP_ASSIGN_OR_RETURN(std::vector<std::string> topics, cfg->GetList("archive", "topics"));
  if (topics.size() == 1 && ValidateTableName(topics[0]).ok()) return topics[0];
  return std::string("users");
}

// The jobs --job names: one, or all of them in their order.
Result<std::vector<const jobs::Job*>> SelectJobs(const std::string& name) {
  std::vector<const jobs::Job*> selected;
  if (name == "all") {
    for (const jobs::Job& job : jobs::Jobs()) selected.push_back(&job);
  } else if (const jobs::Job* job = jobs::FindJob(name)) {
    selected.push_back(job);
  } else {
    return InvalidArgumentError("--job '{}' is not a job ({}, all)", name, jobs::JobNames());
  }
  return selected;
}

Result<int> Transform(const CLI::App& app, const TransformFlags& f) {
  LP_RETURN_IF_ERROR(ApplyLogFlags(f.log));
  LP_ASSIGN_OR_RETURN(config::Config cfg, LoadConfigWithS3Flags(app, f.config_path, f.s3));
  Result<std::string> lake = LakeFromConfig(app, f.lake, &cfg);
  Result<std::string> table = TableFromConfig(app, f.table, &cfg);
  if (app.count("--table-format") > 0) {
    LP_RETURN_IF_ERROR(cfg.SetFlag("archive", "table_format", f.table_format));
  }
  LP_RETURN_IF_ERROR(ApplyCatalogFlags(app, f.catalog, &cfg));
  if (f.print_config) return PrintConfig(cfg);
  LP_RETURN_IF_ERROR(lake.status());
  LP_RETURN_IF_ERROR(table.status());
  LP_RETURN_IF_ERROR(ConfigureS3(cfg));
  LP_ASSIGN_OR_RETURN(std::vector<const jobs::Job*> run, SelectJobs(f.job));
  if (Status st = jobs::CheckTableHasJobs(*table); !st.ok()) {
    return app.count("--table") > 0 ? st.WithContext("--table") : st;
  }
  jobs::JobOptions o;
  o.lake = *lake;
  o.table = *table;
  o.full_refresh = f.full_refresh;
  LP_ASSIGN_OR_RETURN(o.since, OptionalDate(f.since, "--since"));
  LP_ASSIGN_OR_RETURN(o.as_of, OptionalDate(f.as_of, "--as-of"));
  o.max_buffer_bytes = *ParseByteSize(f.max_buffer_bytes);  // checked by the flag
  o.zscore_window_days = f.zscore_window;
  o.zscore_threshold = f.zscore_threshold;
  o.lock_wait = *config::ParseDuration(f.wait_for_lock);  // checked by the flag
  LP_ASSIGN_OR_RETURN(std::string format, cfg.GetString("archive", "table_format"));
  if (format == "iceberg") {
    jobs::IcebergTables tables;
    LP_ASSIGN_OR_RETURN(tables.catalog, CatalogOptionsFromConfig(cfg, *lake));
    LP_ASSIGN_OR_RETURN(tables.raw_table, cfg.GetString("archive", "iceberg_table"));
    o.iceberg = std::move(tables);
  }
  LP_ASSIGN_OR_RETURN(std::unique_ptr<observe::StatusServer> server,
                      StartMetrics("transform", f.metrics_addr));
  nlohmann::ordered_json report = nlohmann::ordered_json::array();
  TuneAllocatorFor(Workload::kJobs);
  for (const jobs::Job* job : run) {
    Result<jobs::JobStats> stats = job->run(o);
    if (!stats.ok()) return stats.status().WithContext(fmt::format("job {}", job->name));
    PrintSummary(*stats);
    ExportJobStats(*stats);
    report.push_back(StatsJson(*stats));
  }
  if (!f.stats_json.empty()) {
    nlohmann::ordered_json j;
    j["jobs"] = report;
    LP_RETURN_IF_ERROR(WriteWholeFile(f.stats_json, j.dump(2) + "\n").WithContext("--stats-json"));
  }
  return kExitOk;
}

}  // namespace

Result<int> RunTransform(int argc, char** argv) {
  CLI::App app(
      "Run a job over a table of the lake, incrementally: only raw files the job's bookmark "
      "(<lake>/_lakepipe/bookmarks/<table>/<job>.json) does not list are read, and a run with "
      "nothing new changes nothing.\n\nclean: validates, cleanses, enriches and de-duplicates "
      "<lake>/<table>/raw/<format>/ (written by archive --table <table>) into "
      "<lake>/<table>/clean/parquet/ (zstd, Hive-partitioned); rejected rows go to "
      "<lake>/<table>/rejected/parquet/ with the rule, the reason, the source file and the "
      "record.\n\nanalytics (gender distribution, top email domains, age groups), demographics "
      "(users by country, by country and state) and timeseries (daily and hourly counts with a "
      "moving average and z-score anomalies) read the clean table and write "
      "<lake>/<table>/<job>/parquet/<metric>/, reading only the clean partitions that changed "
      "since their bookmark; all runs clean and then the three.",
      "lakepipe transform");
  TransformFlags f;
  app.add_option("--lake", f.lake,
                 "Lake root: a path, file:///path or s3://bucket/prefix (default: archive.lake of "
                 "the config file)");
  app.add_option("--table", f.table,
                 "Table: users or user_activity (default: archive.table of the config file, else "
                 "its only archive.topics entry, else users)")
      ->check(TableNameValidator());
  app.add_option("--job", f.job, "Job: clean, analytics, demographics, timeseries or all")
      ->capture_default_str();
  app.add_option("--max-buffer-bytes", f.max_buffer_bytes,
                 "clean: new rows held in memory before they are spilled to hidden files (at "
                 "least 1 byte: 1 spills after every batch read)")
      ->check(ByteSizeValidator())
      ->capture_default_str();
  app.add_option("--zscore-window", f.zscore_window,
                 "timeseries: days before each day its z-score is computed against")
      ->check(CLI::Range(2, 3660))
      ->capture_default_str();
  app.add_option("--zscore-threshold", f.zscore_threshold,
                 "timeseries: a step (day or hour) is an anomaly when |z-score| reaches this; "
                 "never the newest one, which is partial")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--wait-for-lock", f.wait_for_lock,
                 "How long to wait for another transform of the same table to finish (local "
                 "lakes: one transform per table runs at a time, under "
                 "<lake>/_lakepipe/locks/<table>.transform); 0s fails at once, naming it. S3 "
                 "lakes take no lock: run one transform per table at a time there")
      ->check(CLI::Validator(
          [](std::string& value) -> std::string {
            Result<std::chrono::milliseconds> d = config::ParseDuration(value);
            return d.ok() ? std::string() : d.status().message();
          },
          "DURATION"))
      ->capture_default_str();
  app.add_flag("--full-refresh", f.full_refresh,
               "Forget the bookmark and rebuild the job's tables from every raw file");
  app.add_option("--since", f.since,
                 "Only raw files in event_date partitions on or after this day (YYYY-MM-DD)");
  app.add_option("--as-of", f.as_of,
                 "Day ages and tenures are computed at (YYYY-MM-DD; default: the one the table "
                 "was built at, else today)");
  app.add_option("--table-format", f.table_format,
                 "hive: Hive-layout Parquet tables in the lake; iceberg: the raw table is the "
                 "Iceberg table <table> of the catalog when it has one (archive --table-format "
                 "iceberg), and the clean, rejected and metric tables are also Iceberg tables "
                 "of the catalog (<table>_clean, <table>_rejected, <table>_<job>_<metric>), "
                 "each run one snapshot per changed table (default: archive.table_format of "
                 "the config file)")
      ->check(CLI::IsMember({"hive", "iceberg"}));
  AddCatalogFlags(&app, &f.catalog);
  AddStatsJsonFlag(&app, &f.stats_json, "Write the run's counts as JSON here");
  app.add_option("--config", f.config_path,
                 "YAML config file shared by every command (archive.lake, archive.table and the "
                 "s3 section are used; the others are validated)");
  AddPrintConfigFlag(&app, &f.print_config);
  AddS3Flags(&app, &f.s3);
  AddMetricsFlag(&app, &f.metrics_addr);
  AddLogFlags(&app, &f.log);
  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  return Transform(app, f);
}

}  // namespace lakepipe::cli

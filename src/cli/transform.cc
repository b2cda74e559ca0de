// lakepipe transform: jobs over the lake's raw zone (today: clean).
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/flags.h"
#include "core/time_util.h"
#include "core/units.h"
#include "jobs/clean_job.h"
#include "storage/object_store.h"

namespace lakepipe::cli {
namespace {

struct TransformFlags {
  std::string lake, table = "users", job = "clean", since, as_of, stats_json, config_path;
  bool full_refresh = false;
  S3Flags s3;
};

Result<std::optional<int32_t>> OptionalDate(const std::string& text, const char* flag) {
  if (text.empty()) return std::optional<int32_t>();
  Result<int32_t> day = ParseDate(text);
  if (!day.ok()) {
    return InvalidArgumentError("{} '{}' is not a date: write it as YYYY-MM-DD", flag, text);
  }
  return std::optional<int32_t>(*day);
}

Status WriteStats(const std::string& path, const jobs::JobStats& s) {
  nlohmann::ordered_json j;
  j["table"] = s.table;
  j["job"] = s.job;
  j["as_of"] = FormatDate(s.as_of);
  j["raw_files"] = s.raw_files;
  j["new_files"] = s.new_files;
  j["records_in"] = s.records_in;
  j["clean"] = s.clean;
  j["rejected"] = s.rejected;
  j["duplicates"] = s.duplicates;
  j["partitions_written"] = s.partitions_written;
  j["rows_written"] = s.rows_written;
  j["files_written"] = s.files_written;
  j["bytes_written"] = s.bytes_written;
  j["seconds"] = s.seconds;
  LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> out, OpenOutputStream(path));
  LP_RETURN_IF_ERROR(out->Append(j.dump(2) + "\n"));
  return out->Commit();
}

int Transform(const CLI::App& app, const TransformFlags& f) {
  const std::string cmd = "lakepipe transform";
  if (Status st = SetUpS3(app, f.config_path, f.s3); !st.ok()) return ReportError(cmd, st);
  if (f.job != "clean") {
    return ReportError(
        cmd, InvalidArgumentError("--job '{}' is not available yet (jobs: clean)", f.job));
  }
  jobs::CleanJobOptions o;
  o.lake = f.lake;
  o.table = f.table;
  o.full_refresh = f.full_refresh;
  auto since = OptionalDate(f.since, "--since");
  if (!since.ok()) return ReportError(cmd, since.status());
  o.since = *since;
  auto as_of = OptionalDate(f.as_of, "--as-of");
  if (!as_of.ok()) return ReportError(cmd, as_of.status());
  o.as_of = *as_of;
  auto stats = jobs::RunCleanJob(o);
  if (!stats.ok()) return ReportError(cmd, stats.status());
  const jobs::JobStats& s = *stats;
  if (s.new_files == 0) {
    fmt::print(stderr, "{}: {} {}: no new raw files ({} already processed); nothing changed\n", cmd,
               s.table, s.job, FormatCount(s.raw_files));
  } else {
    fmt::print(stderr,
               "{}: {} {}: {} new raw files, {} records in = {} clean + {} rejected; {} "
               "duplicates replaced; {} partitions rewritten ({} rows, {} files, {}) as of {} in "
               "{}\n",
               cmd, s.table, s.job, FormatCount(s.new_files), FormatCount(s.records_in),
               FormatCount(s.clean), FormatCount(s.rejected), FormatCount(s.duplicates),
               FormatCount(s.partitions_written), FormatCount(s.rows_written),
               FormatCount(s.files_written), FormatBytes(s.bytes_written), FormatDate(s.as_of),
               FormatSeconds(s.seconds));
  }
  if (!f.stats_json.empty()) {
    if (Status st = WriteStats(f.stats_json, s); !st.ok()) {
      return ReportError(cmd, st.WithContext("--stats-json"));
    }
  }
  return kExitOk;
}

}  // namespace

int RunTransform(int argc, char** argv) {
  CLI::App app(
      "Run a job over a table of the lake, incrementally: only raw files the job's bookmark "
      "(<lake>/_lakepipe/bookmarks/<table>/<job>.json) does not list are read, and a run with "
      "nothing new changes nothing.\n\nclean: validates, cleanses, enriches and de-duplicates "
      "<lake>/<table>/raw/<format>/ (written by archive --table <table>) into "
      "<lake>/<table>/clean/parquet/ (zstd, Hive-partitioned); rejected rows go to "
      "<lake>/<table>/rejected/parquet/ with the rule, the reason, the source file and the "
      "record.",
      "lakepipe transform");
  TransformFlags f;
  app.add_option("--lake", f.lake, "Lake root: a path, file:///path or s3://bucket/prefix")
      ->required();
  app.add_option("--table", f.table, "Table: users")->capture_default_str();
  app.add_option("--job", f.job, "Job: clean")->capture_default_str();
  app.add_flag("--full-refresh", f.full_refresh,
               "Forget the bookmark and rebuild the job's tables from every raw file");
  app.add_option("--since", f.since,
                 "Only raw files in event_date partitions on or after this day (YYYY-MM-DD)");
  app.add_option("--as-of", f.as_of,
                 "Day ages and tenures are computed at (YYYY-MM-DD; default: the one the table "
                 "was built at, else today)");
  app.add_option("--stats-json", f.stats_json, "Write the run's counts as JSON here");
  app.add_option("--config", f.config_path, "YAML config file (its s3 section is used)");
  AddS3Flags(&app, &f.s3);
  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  return Transform(app, f);
}

}  // namespace lakepipe::cli

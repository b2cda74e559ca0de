// lakepipe archive: Kafka topics into Hive-partitioned files of a lake.
#include <chrono>
#include <string_view>

#include <fmt/format.h>
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
#include "core/units.h"
#include "kafka/metadata.h"
#include "observe/metrics.h"
#include "observe/server.h"
#include "storage/object_store.h"

namespace lakepipe::cli {
namespace {

struct ArchiveFlags {
  ConfigFlags config;
  KafkaFlags kafka;
  RegistryFlags registry;
  std::string group, instance_id, lake, format, compression, input_format, schema;
  std::string partition_by, time_field, flush_records, flush_bytes, rotate_interval,
      max_buffer_bytes, max_open_files;
  std::string table, dlq_topic, exit_when_idle, broker_timeout, stats_json, max_record_bytes;
  std::string table_format, iceberg_table, commit_interval, commit_bytes;
  CatalogFlags catalog;
  std::vector<std::string> topics;
  bool strict = false;
  S3Flags s3;
  std::string metrics_addr;
  LogFlags log;
};

// A schema registry serves Avro schemas, so its URL implies Avro messages in
// the Confluent wire format, unless the input format is set with at least
// the URL's precedence. Both given as flags, they must agree; the error names
// `message_format_flag`.
Status ImplyAvroInput(std::string_view message_format_flag, config::Config* cfg) {
  if (!cfg->HasValue("schema_registry", "url")) return Status::OK();
  const config::Origin url_origin = cfg->OriginOf("schema_registry", "url");
  const config::Origin format_origin = cfg->OriginOf("archive", "message_format");
  if (url_origin > format_origin) return cfg->SetFlag("archive", "message_format", "avro");
  LP_ASSIGN_OR_RETURN(std::string format, cfg->GetString("archive", "message_format"));
  if (url_origin != config::Origin::kFlag || format == "avro") return Status::OK();
  return InvalidArgumentError(
      "{} {} contradicts --schema-registry, which reads Avro messages in the Confluent wire "
      "format: drop {} (--schema-registry implies avro), or drop --schema-registry to read {} "
      "messages",
      message_format_flag, format, message_format_flag, format);
}

Status ApplyFlags(const CLI::App& app, const ArchiveFlags& f, config::Config* cfg) {
  auto given = [&](const char* name) { return Given(app, name); };
  LP_RETURN_IF_ERROR(ApplyKafkaFlags(app, f.kafka, cfg));
  LP_RETURN_IF_ERROR(ApplyS3Flags(app, f.s3, cfg));
  if (given("--topic")) {
    std::string joined;
    for (const std::string& t : f.topics) joined += (joined.empty() ? "" : ",") + t;
    LP_RETURN_IF_ERROR(cfg->SetFlag("archive", "topics", joined));
  }
  const std::pair<const char*, std::pair<const char*, const std::string*>> mapping[] = {
      {"--group", {"group", &f.group}},
      {"--instance-id", {"instance_id", &f.instance_id}},
      {"--lake", {"lake", &f.lake}},
      {"--file-format", {"file_format", &f.format}},
      {"--compression", {"compression", &f.compression}},
      {"--message-format", {"message_format", &f.input_format}},
      {"--schema", {"schema", &f.schema}},
      {"--partition-by", {"partition_by", &f.partition_by}},
      {"--time-field", {"time_field", &f.time_field}},
      {"--flush-records", {"flush_records", &f.flush_records}},
      {"--flush-bytes", {"flush_bytes", &f.flush_bytes}},
      {"--rotate-interval", {"rotate_interval", &f.rotate_interval}},
      {"--max-buffer-bytes", {"max_buffer_bytes", &f.max_buffer_bytes}},
      {"--max-open-files", {"max_open_files", &f.max_open_files}},
      {"--table", {"table", &f.table}},
      {"--dlq-topic", {"dlq_topic", &f.dlq_topic}},
      {"--max-record-bytes", {"max_record_bytes", &f.max_record_bytes}},
      {"--exit-when-idle", {"exit_when_idle", &f.exit_when_idle}},
      {"--broker-timeout", {"broker_timeout", &f.broker_timeout}},
      {"--stats-json", {"stats_json", &f.stats_json}},
      {"--table-format", {"table_format", &f.table_format}},
      {"--iceberg-table", {"iceberg_table", &f.iceberg_table}},
      {"--commit-interval", {"commit_interval", &f.commit_interval}},
      {"--commit-bytes", {"commit_bytes", &f.commit_bytes}},
  };
  for (const auto& [flag, target] : mapping) {
    if (given(flag)) LP_RETURN_IF_ERROR(cfg->SetFlag("archive", target.first, *target.second));
  }
  if (given("--strict"))
    LP_RETURN_IF_ERROR(cfg->SetFlag("archive", "strict", f.strict ? "true" : "false"));
  LP_RETURN_IF_ERROR(ApplyRegistryFlags(app, f.registry, cfg));
  LP_RETURN_IF_ERROR(ApplyCatalogFlags(app, f.catalog, cfg));
  return ImplyAvroInput("--message-format", cfg);
}

nlohmann::ordered_json StatsJson(const archive::ArchiveStats& s) {
  nlohmann::ordered_json j;
  j["consumed"] = s.consumed;
  j["given_back"] = s.given_back;
  j["archived"] = s.archived;
  j["dead_lettered"] = s.dead_lettered;
  j["dead_letter_files"] = s.dead_letter_files;
  j["files_written"] = s.files_written;
  j["bytes_written"] = s.bytes_written;
  j["data_loss_records"] = s.data_loss_records;
  j["data_loss_ranges"] = s.data_loss_ranges;
  j["rebalances"] = s.rebalances;
  j["lag"] = s.lag;
  j["seconds"] = s.seconds;
  j["active_seconds"] = s.active_seconds;
  // The rate while records flowed (excludes the group join and idle waits).
  j["records_per_second"] = RatePerSecond(0, s.consumed, s.active_seconds);
  return j;
}

Status WriteStatsJson(const std::string& path, const archive::ArchiveStats& s,
                      const Status& outcome) {
  nlohmann::ordered_json j = StatsJson(s);
  j["ok"] = outcome.ok();
  if (!outcome.ok()) j["error"] = Scrub(outcome.ToString());
  return WriteWholeFile(path, j.dump(2) + "\n");
}

Result<int> Archive(const CLI::App& app, const ArchiveFlags& f) {
  const std::string cmd = "lakepipe archive";
  LP_RETURN_IF_ERROR(ApplyLogFlags(f.log));
  auto loaded = LoadConfig(f.config.path);
  if (!loaded.ok()) return loaded.status();
  LP_RETURN_IF_ERROR(ApplyFlags(app, f, &*loaded));
  if (f.config.print) return PrintConfig(*loaded);
  LP_RETURN_IF_ERROR(ConfigureS3(*loaded));
  archive::ArchiveOptions options;
  std::string stats_json;
  LP_RETURN_IF_ERROR(BuildArchiveOptions(*loaded, &options, &stats_json));
  // A wrong Kafka address fails at start, not after --broker-timeout; a
  // bad --metrics-addr before that wait.
  options.start_timeout = kafka::kBrokerStartTimeout;
  if (f.metrics_addr != "off" && !f.metrics_addr.empty()) {
    if (auto parsed = observe::ParseServerAddress(f.metrics_addr); !parsed.ok()) {
      return parsed.status();
    }
  }
  TuneAllocatorFor(Workload::kArchive);
  auto archiver = archive::Archiver::Make(options);
  if (!archiver.ok()) {
    if (!stats_json.empty()) {
      Status written = WriteStatsJson(stats_json, archive::ArchiveStats{}, archiver.status());
      if (!written.ok()) return written.WithContext("--stats-json");
    }
    return archiver.status();
  }
  Say("{}: {} -> {} ({}), group '{}', {}\n", cmd, fmt::join(options.topics, ","), options.lake,
      options.format, options.group, archive::DescribeMembership((*archiver)->Membership()));
  if (const auto table = (*archiver)->Iceberg()) {
    Say("{}: Iceberg table {} at {} ({} catalog)\n", cmd, table->identifier, table->location,
        options.catalog.type);
  }
  ArchiverMetrics metrics(**archiver, options);
  auto server = StartMetrics("archive", f.metrics_addr, [&metrics] { return metrics.Health(); });
  if (!server.ok()) return server.status();
  auto result = (*archiver)->Run(StopRequested());
  if (result.ok()) {
    metrics.Finished();
  } else {
    metrics.Failed(result.status().ToString());
    observe::Events::Default().Add("error", result.status().ToString());
  }
  const archive::ArchiveStats stats = result.ok() ? *result : (*archiver)->Snapshot();
  Say("{}: consumed {}{}, archived {}, dead-lettered {} ({} to files), files {} ({}), data "
      "loss {} records "
      "in {} ranges, {} rebalances, {} ({})\n",
      cmd, FormatCount(stats.consumed),
      stats.given_back > 0
          ? fmt::format(" ({} given back uncommitted, read again by the next owner or run)",
                        FormatCount(stats.given_back))
          : std::string(),
      FormatCount(stats.archived), FormatCount(stats.dead_lettered),
      FormatCount(stats.dead_letter_files), FormatCount(stats.files_written),
      FormatBytes(stats.bytes_written), FormatCount(stats.data_loss_records),
      stats.data_loss_ranges, stats.rebalances, FormatSeconds(stats.seconds),
      FormatRate(0, stats.consumed, stats.seconds));
  if (const auto table = (*archiver)->Iceberg()) {
    Say("{}: Iceberg table {}: {}, metadata {}\n", cmd, table->identifier,
        table->snapshot_id != 0 ? fmt::format("committed snapshot {}", table->snapshot_id)
                                : std::string("no snapshot committed by this run"),
        table->metadata_location);
  }
  if (!stats_json.empty()) {
    Status written = WriteStatsJson(stats_json, stats, result.status());
    if (!written.ok()) return written.WithContext("--stats-json");
  }
  if (!result.ok()) return result.status();
  return kExitOk;
}

}  // namespace

Result<int> RunArchive(int argc, char** argv) {
  CLI::App app(
      "Archive Kafka topics into Hive-partitioned files of a lake, exactly once: every offset ends "
      "up in exactly "
      "one file across crashes, restarts and rebalances. Files appear atomically under "
      "<lake>/<table>/raw/<format>/<partition path>/<topic>+<partition>+<first offset>.<ext>. Bad "
      "records go to "
      "the dead-letter topic (<topic>.dlq) with headers naming the source and the error, else to "
      "<lake>/_rejected/. Several processes in one --group split the partitions.\n\nSettings come "
      "from flags, then "
      "LAKEPIPE_<SECTION>_<KEY> environment variables (also read from ./.env), then --config, then "
      "defaults. "
      "An s3:// lake uses the s3 section and --s3-* flags; what they leave unset comes from the "
      "AWS_* variables (environment, then ./.env) and ~/.aws. "
      "Ctrl-C finishes open files, commits and leaves the group (a static member, see "
      "--instance-id, keeps its place for its session); a second Ctrl-C aborts.",
      "lakepipe archive");
  ArchiveFlags f;
  AddConfigFlags(&app, &f.config,
                 "sections kafka, schema_registry, archive and s3 are used; the others are "
                 "validated");
  AddKafkaFlags(&app, &f.kafka);
  app.add_option("--topic", f.topics, "Topic(s) to archive; comma-separated or repeated")
      ->delimiter(',');
  app.add_option("--group", f.group, "Consumer group");
  app.add_option("--instance-id", f.instance_id,
                 "Static member id in the group (group.instance.id): an archiver restarted "
                 "within the session gets its partitions back at once. Default: <table>-<host>, "
                 "-2, -3... for more archivers of the group on this host; 'none': dynamic "
                 "membership. Each archiver of a group needs its own. The dev broker ignores "
                 "static membership: against it the default is none, with 3 s sessions");
  app.add_option("--lake", f.lake, "Lake root: a path, file:///path or s3://bucket/prefix");
  app.add_option("--file-format", f.format,
                 "Lake file format: parquet (default), avro, jsonl, csv (archive.file_format)");
  AddDeprecatedAlias(&app, "--format", "--file-format", &f.format);
  app.add_option("--compression", f.compression,
                 "Codec: parquet none|snappy|gzip|zstd|brotli|lz4|lz4_raw|lz4_hadoop, avro "
                 "null|deflate|snappy|zstandard|bzip2|xz");
  app.add_option("--message-format", f.input_format,
                 "Message payload format: json (default) or avro (archive.message_format)");
  AddDeprecatedAlias(&app, "--input-format", "--message-format", &f.input_format);
  app.add_option("--schema", f.schema,
                 "Avro schema (.avsc) of the table (required for json and plain avro)");
  AddRegistryFlags(&app, &f.registry,
                   "Schema registry URL (Avro messages in the Confluent wire format; implies "
                   "--message-format avro)");
  app.add_option(
      "--partition-by", f.partition_by,
      "Hive path template, e.g. event_date={event_time:%Y-%m-%d}/hour={event_time:%H} (default) or "
      "country={country}; with --table-format iceberg a partition spec, e.g. day(event_time), "
      "bucket[16](id), or none (default: the day of --time-field, else none)");
  app.add_option("--table-format", f.table_format,
                 "hive (default): Hive-partitioned files; iceberg: an Apache Iceberg table "
                 "(Parquet, format v2) in the catalog, committed exactly once in snapshots that "
                 "record the Kafka offsets (archive.table_format)")
      ->check(CLI::IsMember({"hive", "iceberg"}));
  app.add_option("--iceberg-table", f.iceberg_table,
                 "Iceberg table identifier namespace.name (default: default.<table>)");
  app.add_option("--commit-interval", f.commit_interval,
                 "Iceberg: commit a snapshot this often (default 60s)");
  app.add_option("--commit-bytes", f.commit_bytes,
                 "Iceberg: commit sooner when the files waiting reach this size (default 512MiB)");
  AddCatalogFlags(&app, &f.catalog);
  app.add_option("--time-field", f.time_field,
                 "Field with the event time (default: the Kafka record timestamp)");
  app.add_option("--flush-records", f.flush_records,
                 "Close a file after this many records (default 100000)");
  app.add_option("--flush-bytes", f.flush_bytes,
                 "Close a file at this encoded size (default 64MiB, at least 1MiB)");
  app.add_option("--rotate-interval", f.rotate_interval,
                 "Close a file this long after its first record (default 60s)");
  app.add_option("--max-buffer-bytes", f.max_buffer_bytes,
                 "Memory bound over all open files (default 128MiB, at least 1MiB)");
  app.add_option("--max-open-files", f.max_open_files,
                 "Bound on files open at once; at the bound the segment holding the least recently "
                 "used file is closed (default: half the open-file limit, which is raised to its "
                 "hard limit at start)");
  app.add_option("--table", f.table,
                 "Table name: letters, digits, '_', '-', '.', starting with a letter or digit "
                 "(default: the topic name)")
      ->check(TableNameValidator());
  app.add_option("--dlq-topic", f.dlq_topic, "Dead-letter topic (default <topic>.dlq)");
  app.add_option("--max-record-bytes", f.max_record_bytes,
                 "Dead-letter records larger than this (default 8MiB, at least 1 byte)");
  app.add_option("--exit-when-idle", f.exit_when_idle,
                 "Finish and exit after receiving nothing for this long while connected (at "
                 "least 1ms; default: run until stopped)");
  app.add_option("--broker-timeout", f.broker_timeout,
                 "Fail (exit 1) when no Kafka broker is reachable for this long (default 60s); "
                 "/healthz answers 503 as soon as none is. At start the wait for a first answer "
                 "is at most 10s");
  AddStatsJsonFlag(&app, &f.stats_json, "Write the final stats as JSON here at exit");
  app.add_flag("--strict", f.strict, "Stop with an error when offsets were lost to retention");
  AddS3Flags(&app, &f.s3);
  AddMetricsFlag(&app, &f.metrics_addr);
  AddLogFlags(&app, &f.log);
  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  return Archive(app, f);
}

}  // namespace lakepipe::cli

#include "cli/archive_options.h"

#include <fmt/format.h>

#include "cli/catalog_flags.h"
#include "cli/flags.h"
#include "core/lake_names.h"
#include "registry/schema_registry.h"

namespace lakepipe::cli {
namespace {

// The decoder's schema (archive.schema) and registry (schema_registry).
Status ReadDecoderSettings(const config::Config& cfg, archive::DecoderOptions* d) {
  LP_ASSIGN_OR_RETURN(d->input_format, cfg.GetString("archive", "message_format"));
  LP_ASSIGN_OR_RETURN(std::string schema_path, cfg.GetString("archive", "schema"));
  if (!schema_path.empty()) {
    LP_ASSIGN_OR_RETURN(Schema schema, Schema::FromFile(schema_path));
    d->schema = std::make_shared<const Schema>(std::move(schema));
    d->schema_origin = cfg.OriginOf("archive", "schema") == config::Origin::kFlag
                           ? fmt::format("from --schema {}", schema_path)
                           : fmt::format("from archive.schema {} ({})", schema_path,
                                         cfg.SourceOf("archive", "schema"));
  }
  LP_ASSIGN_OR_RETURN(std::string registry_url, cfg.GetString("schema_registry", "url"));
  if (!registry_url.empty()) {
    registry::RegistryOptions ro;
    ro.url = registry_url;
    LP_ASSIGN_OR_RETURN(ro.username, cfg.GetString("schema_registry", "username"));
    LP_ASSIGN_OR_RETURN(ro.password, cfg.GetString("schema_registry", "password"));
    LP_ASSIGN_OR_RETURN(ro.timeout, cfg.GetDuration("schema_registry", "timeout"));
    d->registry = ro;
  }
  LP_ASSIGN_OR_RETURN(uint64_t max_record_bytes, cfg.GetSize("archive", "max_record_bytes"));
  d->max_record_bytes = static_cast<size_t>(max_record_bytes);
  return Status::OK();
}

// The lake file format and its codec.
Status ReadFileSettings(const config::Config& cfg, archive::ArchiveOptions* o) {
  LP_ASSIGN_OR_RETURN(o->format, cfg.GetString("archive", "file_format"));
  LP_ASSIGN_OR_RETURN(std::string compression, cfg.GetString("archive", "compression"));
  if (compression.empty()) return Status::OK();
  if (o->format == "parquet") {
    o->write.parquet.compression = compression;
  } else if (o->format == "avro") {
    o->write.avro.codec = compression;
  } else {
    return InvalidArgumentError("--compression applies to parquet and avro, not {}", o->format);
  }
  return Status::OK();
}

// When files close, and how long the archive waits.
Status ReadRotationSettings(const config::Config& cfg, archive::ArchiveOptions* o) {
  LP_ASSIGN_OR_RETURN(int64_t flush_records, cfg.GetInt("archive", "flush_records"));
  o->flush_records = static_cast<uint64_t>(flush_records);
  LP_ASSIGN_OR_RETURN(o->flush_bytes, cfg.GetSize("archive", "flush_bytes"));
  LP_ASSIGN_OR_RETURN(o->rotate_interval, cfg.GetDuration("archive", "rotate_interval"));
  LP_ASSIGN_OR_RETURN(o->max_buffer_bytes, cfg.GetSize("archive", "max_buffer_bytes"));
  if (cfg.HasValue("archive", "max_open_files")) {
    LP_ASSIGN_OR_RETURN(int64_t max_open_files, cfg.GetInt("archive", "max_open_files"));
    o->max_open_files = static_cast<uint64_t>(max_open_files);
  }
  if (cfg.HasValue("archive", "exit_when_idle")) {
    LP_ASSIGN_OR_RETURN(o->exit_when_idle, cfg.GetDuration("archive", "exit_when_idle"));
  }
  LP_ASSIGN_OR_RETURN(o->broker_timeout, cfg.GetDuration("archive", "broker_timeout"));
  return Status::OK();
}

// --table-format and, for an Iceberg table, its catalog and commits.
Status ReadTableFormatSettings(const config::Config& cfg, archive::ArchiveOptions* o) {
  LP_ASSIGN_OR_RETURN(o->table_format, cfg.GetString("archive", "table_format"));
  if (o->table_format != "iceberg") return Status::OK();
  LP_ASSIGN_OR_RETURN(o->iceberg_table, cfg.GetString("archive", "iceberg_table"));
  LP_ASSIGN_OR_RETURN(o->commit_interval, cfg.GetDuration("archive", "commit_interval"));
  LP_ASSIGN_OR_RETURN(o->commit_bytes, cfg.GetSize("archive", "commit_bytes"));
  LP_ASSIGN_OR_RETURN(o->catalog, CatalogOptionsFromConfig(cfg, o->lake));
  return Status::OK();
}

}  // namespace

Status ReadArchiveSettings(const config::Config& cfg, archive::ArchiveOptions* o,
                           std::string* stats_json) {
  o->kafka_settings = cfg.Passthrough("kafka");
  o->brokers = ConfiguredBrokers(cfg);
  LP_ASSIGN_OR_RETURN(o->topics, cfg.GetList("archive", "topics"));
  LP_ASSIGN_OR_RETURN(o->group, cfg.GetString("archive", "group"));
  LP_ASSIGN_OR_RETURN(o->instance_id, cfg.GetString("archive", "instance_id"));
  LP_ASSIGN_OR_RETURN(o->lake, cfg.GetString("archive", "lake"));
  LP_ASSIGN_OR_RETURN(o->table, cfg.GetString("archive", "table"));
  if (!o->table.empty()) {
    LP_RETURN_IF_ERROR(ValidateTableName(o->table).WithContext(
        fmt::format("archive.table ({})", cfg.SourceOf("archive", "table"))));
  }
  LP_RETURN_IF_ERROR(ReadFileSettings(cfg, o));
  LP_RETURN_IF_ERROR(ReadDecoderSettings(cfg, &o->decoder));
  LP_ASSIGN_OR_RETURN(o->partition_by, cfg.GetString("archive", "partition_by"));
  LP_ASSIGN_OR_RETURN(o->time_field, cfg.GetString("archive", "time_field"));
  LP_RETURN_IF_ERROR(ReadRotationSettings(cfg, o));
  LP_RETURN_IF_ERROR(ReadTableFormatSettings(cfg, o));
  LP_ASSIGN_OR_RETURN(o->dlq_topic, cfg.GetString("archive", "dlq_topic"));
  LP_ASSIGN_OR_RETURN(o->strict, cfg.GetBool("archive", "strict"));
  LP_ASSIGN_OR_RETURN(*stats_json, cfg.GetString("archive", "stats_json"));
  return Status::OK();
}

Status BuildArchiveOptions(const config::Config& cfg, archive::ArchiveOptions* o,
                           std::string* stats_json) {
  LP_RETURN_IF_ERROR(RequireBrokers(cfg).status());
  LP_ASSIGN_OR_RETURN(std::vector<std::string> topics, cfg.GetList("archive", "topics"));
  if (topics.empty()) {
    return InvalidArgumentError("no topics: give --topic or archive.topics in the config file");
  }
  LP_ASSIGN_OR_RETURN(std::string group, cfg.GetString("archive", "group"));
  if (group.empty())
    return InvalidArgumentError("no consumer group: give --group or archive.group");
  LP_ASSIGN_OR_RETURN(std::string lake, cfg.GetString("archive", "lake"));
  if (lake.empty()) {
    return InvalidArgumentError("no lake: give --lake (a path or file:///path) or archive.lake");
  }
  return ReadArchiveSettings(cfg, o, stats_json);
}

}  // namespace lakepipe::cli

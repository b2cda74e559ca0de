// lakepipe produce: records from a source onto a Kafka topic.
#include <fmt/format.h>

#include "cli/bad_records.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/observe.h"
#include "cli/signals.h"
#include "config/config.h"
#include "core/units.h"
#include "kafka/producer.h"
#include "pipeline/produce.h"
#include "registry/schema_registry.h"
#include "sources/source.h"

namespace lakepipe::cli {
namespace {

struct ProduceFlags {
  ConfigFlags config;
  KafkaFlags kafka;
  RegistryFlags registry;
  std::string topic, source, format, key, schema, url, bad_records;
  std::string count, duration, rate, seed, batch;
  bool quiet = false;
  std::string metrics_addr;
  LogFlags log;
};

// Applies the flags that were given on the command line, which win over
// the environment, the config file and the defaults.
Status ApplyFlags(const CLI::App& app, const ProduceFlags& f, config::Config* cfg) {
  auto given = [&](const char* name) { return Given(app, name); };
  LP_RETURN_IF_ERROR(ApplyKafkaFlags(app, f.kafka, cfg));
  const std::pair<const char*, std::pair<const char*, const std::string*>> mapping[] = {
      {"--topic", {"produce.topic", &f.topic}},
      {"--message-format", {"produce.message_format", &f.format}},
      {"--key", {"produce.key", &f.key}},
      {"--count", {"produce.count", &f.count}},
      {"--duration", {"produce.duration", &f.duration}},
      {"--rate", {"produce.rate", &f.rate}},
      {"--schema", {"produce.schema", &f.schema}},
      {"--source", {"source.name", &f.source}},
      {"--seed", {"source.seed", &f.seed}},
      {"--url", {"source.url", &f.url}},
      {"--batch", {"source.batch", &f.batch}},
  };
  for (const auto& [flag, target] : mapping) {
    if (!given(flag)) continue;
    const std::string_view path = target.first;
    const size_t dot = path.find('.');
    LP_RETURN_IF_ERROR(cfg->SetFlag(path.substr(0, dot), path.substr(dot + 1), *target.second));
  }
  return ApplyRegistryFlags(app, f.registry, cfg);
}

std::string Rate(uint64_t n, double seconds) {
  return seconds > 0 ? FormatCount(static_cast<uint64_t>(static_cast<double>(n) / seconds)) : "-";
}

int Produce(const CLI::App& app, const ProduceFlags& f) {
  const std::string cmd = "lakepipe produce";
  if (Status st = ApplyLogFlags(f.log); !st.ok()) return ReportError(cmd, st);
  auto loaded = LoadConfig(f.config.path);
  if (!loaded.ok()) return ReportError(cmd, loaded.status());
  config::Config& cfg = *loaded;
  if (Status st = ApplyFlags(app, f, &cfg); !st.ok()) return ReportError(cmd, st);
  if (f.config.print) return PrintConfig(cfg);

  // Effective settings.
  const kafka::Settings kafka_settings = cfg.Passthrough("kafka");
  auto topic = cfg.GetString("produce", "topic");
  auto format_name = cfg.GetString("produce", "message_format");
  auto key_field = cfg.GetString("produce", "key");
  auto count = cfg.GetInt("produce", "count");
  Result<std::chrono::milliseconds> duration = std::chrono::milliseconds(0);
  if (cfg.HasValue("produce", "duration")) duration = cfg.GetDuration("produce", "duration");
  auto rate = cfg.GetInt("produce", "rate");
  auto schema_path = cfg.GetString("produce", "schema");
  auto source_name = cfg.GetString("source", "name");
  auto url = cfg.GetString("source", "url");
  auto batch = cfg.GetInt("source", "batch");
  auto timeout = cfg.GetDuration("source", "timeout");
  auto registry_url = cfg.GetString("schema_registry", "url");
  for (const Status* st :
       {&topic.status(), &format_name.status(), &key_field.status(), &count.status(),
        &duration.status(), &rate.status(), &schema_path.status(), &source_name.status(),
        &url.status(), &batch.status(), &timeout.status(), &registry_url.status()}) {
    if (!st->ok()) return ReportError(cmd, *st);
  }
  auto brokers = RequireBrokers(cfg);
  if (!brokers.ok()) return ReportError(cmd, brokers.status());
  if (topic->empty()) {
    return ReportError(
        cmd, InvalidArgumentError("no topic: give --topic or produce.topic in the config file"));
  }
  auto format = ParsePayloadFormat(*format_name);
  if (!format.ok()) return ReportError(cmd, format.status());

  // Source, with its rejected records dead-lettered when asked.
  SourceOptions source_options;
  if (cfg.HasValue("source", "seed")) {
    auto seed = cfg.GetInt("source", "seed");
    if (!seed.ok()) return ReportError(cmd, seed.status());
    source_options.seed = static_cast<uint64_t>(*seed);
  }
  source_options.url = *url;
  source_options.batch = static_cast<size_t>(*batch);
  source_options.timeout = *timeout;
  std::unique_ptr<BadRecordFile> bad;
  if (!f.bad_records.empty()) {
    auto opened = BadRecordFile::Open(f.bad_records);
    if (!opened.ok()) return ReportError(cmd, opened.status().WithContext("--bad-records"));
    bad = std::move(opened).value();
    source_options.bad_records = bad->Sink();
  }
  auto source = OpenSource(*source_name, source_options);
  if (!source.ok()) return ReportError(cmd, source.status());

  // The schema messages are written with: the source's, or --schema resolved from it.
  SchemaPtr schema = (*source)->schema();
  std::optional<BatchProjector> projector;
  if (!schema_path->empty()) {
    auto target = Schema::FromFile(*schema_path);
    if (!target.ok()) return ReportError(cmd, target.status());
    auto made =
        BatchProjector::Make(schema, std::make_shared<const Schema>(std::move(target).value()));
    if (!made.ok()) return ReportError(cmd, made.status().WithContext(*schema_path));
    projector.emplace(std::move(made).value());
    schema = projector->to();
  }
  std::optional<int32_t> schema_id;
  if (!registry_url->empty()) {
    if (*format != PayloadFormat::kAvro) {
      return ReportError(cmd, InvalidArgumentError("--schema-registry needs --message-format avro "
                                                   "(produce.message_format)"));
    }
    registry::RegistryOptions ro;
    ro.url = *registry_url;
    auto user = cfg.GetString("schema_registry", "username");
    auto password = cfg.GetString("schema_registry", "password");
    auto registry_timeout = cfg.GetDuration("schema_registry", "timeout");
    if (!user.ok() || !password.ok() || !registry_timeout.ok()) {
      return ReportError(cmd, !user.ok()       ? user.status()
                              : !password.ok() ? password.status()
                                               : registry_timeout.status());
    }
    ro.username = *user;
    ro.password = *password;
    ro.timeout = *registry_timeout;
    registry::SchemaRegistryClient client(ro);
    auto id = client.Register(*topic + "-value", schema->avro_json());
    if (!id.ok()) return ReportError(cmd, id.status());
    schema_id = *id;
  }
  auto encoder = RecordEncoder::Make(*format, *schema, schema_id);
  if (!encoder.ok()) return ReportError(cmd, encoder.status());
  std::optional<KeyExtractor> key;
  const std::string key_name = key_field->empty() ? (*source)->default_key_field() : *key_field;
  if (!key_name.empty()) {
    auto made = KeyExtractor::Make(*schema, key_name);
    if (!made.ok()) return ReportError(cmd, made.status().WithContext("--key"));
    key.emplace(std::move(made).value());
  }

  // The topic should exist; brokers that auto-create topics give them few partitions.
  auto partitions =
      kafka::TopicPartitions(*brokers, *topic, kafka_settings, std::chrono::seconds(10));
  if (!partitions.ok()) {
    if (partitions.status().code() != StatusCode::kNotFound)
      return ReportError(cmd, partitions.status());
    Say("{}: warning: {}; producing anyway (brokers may create it)\n", cmd,
        partitions.status().message());
  }
  kafka::ProducerOptions po;
  po.brokers = *brokers;
  po.settings = kafka_settings;
  auto producer = kafka::Producer::Make(po);
  if (!producer.ok()) return ReportError(cmd, producer.status());

  ProduceOptions options;
  options.topic = *topic;
  options.count = static_cast<uint64_t>(std::max<int64_t>(0, *count));
  options.duration = *duration;
  options.rate = static_cast<double>(std::max<int64_t>(0, *rate));
  if (bad) options.bad_records = bad->Sink();
  options.on_progress = [&](const ProduceProgress& p) {
    ExportProduceProgress(*topic, p);
    if (f.quiet) return;
    Say("{}: produced {} records ({}/s), delivered {}, failed {}\n", cmd, FormatCount(p.produced),
        Rate(p.produced, p.seconds), FormatCount(p.delivered), FormatCount(p.failed));
  };
  auto server = StartMetrics("produce", f.metrics_addr);
  if (!server.ok()) return ReportError(cmd, server.status());
  if (!f.quiet) {
    if (options.count == 0 && options.duration.count() == 0 &&
        (*source_name == "users" || *source_name == "activity" || *source_name == "randomuser")) {
      Say("{}: producing to '{}' until interrupted (Ctrl-C); --count or --duration limit it\n", cmd,
          *topic);
    }
  }
  const std::atomic<bool>& stop = StopRequested();
  auto result = RunProduce(**source, projector ? &*projector : nullptr, *encoder, key, **producer,
                           options, stop);
  Status committed = bad ? bad->Commit() : Status::OK();
  if (!result.ok()) return ReportError(cmd, result.status());
  if (!committed.ok()) return ReportError(cmd, committed);
  ExportProduceProgress(*topic, result->progress);

  const ProduceProgress& p = result->progress;
  Say("{}: produced {} records to '{}' in {}: {} records/s, {} MB/s{}\n", cmd,
      FormatCount(p.produced), *topic, FormatSeconds(p.seconds), Rate(p.produced, p.seconds),
      p.seconds > 0 ? fmt::format("{:.1f}", static_cast<double>(p.bytes) / 1e6 / p.seconds) : "-",
      result->interrupted ? " (interrupted)" : "");
  Say("{}: delivered {}, failed {}, rejected {}{}\n", cmd, FormatCount(p.delivered),
      FormatCount(p.failed), FormatCount(p.rejected),
      bad && p.rejected > 0 ? fmt::format(" -> {}", bad->path()) : "");
  for (const auto& [cause, n] : result->stats.failures_by_cause) {
    Say("{}:   {} failed: {}\n", cmd, FormatCount(n), cause);
  }
  if (p.failed > 0 || p.delivered < p.produced) return kExitFailure;
  return p.rejected > 0 ? kExitRejected : kExitOk;
}

}  // namespace

Result<int> RunProduce(int argc, char** argv) {
  CLI::App app(
      "Produce records from a source onto a Kafka topic: an idempotent producer (acks=all, lz4 by "
      "default) "
      "keyed by the source's id field so one user's events stay ordered in one partition. Prints "
      "produced, "
      "delivered and failed counts at the end and exits non-zero if any record was not "
      "delivered.\n\n"
      "Sources: users (generated people), activity (generated e-commerce events), randomuser (the "
      "randomuser.me API), file:PATH (JSON Lines, CSV, Avro or Parquet).\n\nSettings come from "
      "flags, then "
      "LAKEPIPE_<SECTION>_<KEY> environment variables (also read from ./.env), then --config, then "
      "defaults.\n\n"
      "Exit status: 0 done, 1 failed or undelivered records, 2 bad usage, 3 done but source "
      "records were rejected.",
      "lakepipe produce");
  ProduceFlags f;
  AddConfigFlags(&app, &f.config,
                 "sections kafka, schema_registry, source and produce are used; the others are "
                 "validated");
  AddKafkaFlags(&app, &f.kafka);
  app.add_option("--topic", f.topic, "Topic to produce to");
  app.add_option("--source", f.source, "users, activity, randomuser or file:PATH (default users)");
  app.add_option("--message-format", f.format,
                 "Message payload format: json (default) or avro (produce.message_format)");
  AddDeprecatedAlias(&app, "--format", "--message-format", &f.format);
  app.add_option("--count", f.count, "Stop after this many records (default: no limit)");
  app.add_option("--duration", f.duration,
                 "Stop after this long, e.g. 30s, 5m (default: no limit)");
  app.add_option("--rate", f.rate, "Records per second (default: as fast as possible)");
  app.add_option("--key", f.key,
                 "Field whose value is the message key (default: the source's id field)");
  app.add_option("--schema", f.schema,
                 "Avro schema (.avsc) to write records as, resolved from the source's");
  AddRegistryFlags(&app, &f.registry,
                   "Schema registry URL: register the schema under <topic>-value and frame Avro "
                   "messages in the Confluent wire format");
  app.add_option("--seed", f.seed, kSeedHelp);
  app.add_option("--url", f.url, "randomuser: API URL (default https://randomuser.me/api/)");
  app.add_option("--batch", f.batch, "randomuser: results per request (default 100)");
  app.add_option("--bad-records", f.bad_records,
                 "Write rejected source records here (JSON Lines with reasons)");
  app.add_flag("-q,--quiet", f.quiet, "Print only the final summary");
  AddMetricsFlag(&app, &f.metrics_addr);
  AddLogFlags(&app, &f.log);
  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  return Produce(app, f);
}

}  // namespace lakepipe::cli

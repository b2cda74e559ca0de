// lakepipe produce: records from a source onto a Kafka topic.
#include <algorithm>
#include <chrono>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "cli/bad_records.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/observe.h"
#include "cli/signals.h"
#include "config/config.h"
#include "core/units.h"
#include "kafka/metadata.h"
#include "kafka/producer.h"
#include "pipeline/produce.h"
#include "pipeline/source_producer.h"
#include "registry/schema_registry.h"
#include "sources/source.h"

namespace lakepipe::cli {
namespace {

struct ProduceFlags {
  ConfigFlags config;
  KafkaFlags kafka;
  RegistryFlags registry;
  std::string topic, source, format, key, schema, url, bad_records;
  std::string count, duration, rate, seed, batch, shape;
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
      {"--shape", {"source.shape", &f.shape}},
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

// The producer assembly's options from the effective configuration.
Result<SourceProducerOptions> AssemblyOptions(const config::Config& cfg) {
  SourceProducerOptions o;
  LP_ASSIGN_OR_RETURN(o.topic, cfg.GetString("produce", "topic"));
  LP_ASSIGN_OR_RETURN(std::string format_name, cfg.GetString("produce", "message_format"));
  LP_ASSIGN_OR_RETURN(o.key_field, cfg.GetString("produce", "key"));
  LP_ASSIGN_OR_RETURN(o.schema_file, cfg.GetString("produce", "schema"));
  LP_ASSIGN_OR_RETURN(o.source, cfg.GetString("source", "name"));
  LP_ASSIGN_OR_RETURN(o.source_options.url, cfg.GetString("source", "url"));
  LP_ASSIGN_OR_RETURN(std::string shape, cfg.GetString("source", "shape"));
  LP_ASSIGN_OR_RETURN(o.source_options.shape, ParseUserShape(shape));
  LP_ASSIGN_OR_RETURN(int64_t batch, cfg.GetInt("source", "batch"));
  o.source_options.batch = static_cast<size_t>(batch);
  LP_ASSIGN_OR_RETURN(o.source_options.timeout, cfg.GetDuration("source", "timeout"));
  LP_ASSIGN_OR_RETURN(std::string registry_url, cfg.GetString("schema_registry", "url"));
  LP_ASSIGN_OR_RETURN(o.producer.brokers, RequireBrokers(cfg));
  o.producer.settings = cfg.Passthrough("kafka");
  if (o.topic.empty()) {
    return InvalidArgumentError("no topic: give --topic or produce.topic in the config file");
  }
  LP_ASSIGN_OR_RETURN(o.format, ParsePayloadFormat(format_name));
  if (cfg.HasValue("source", "seed")) {
    LP_ASSIGN_OR_RETURN(int64_t seed, cfg.GetInt("source", "seed"));
    o.source_options.seed = static_cast<uint64_t>(seed);
  }
  if (!registry_url.empty()) {
    if (o.format != PayloadFormat::kAvro) {
      return InvalidArgumentError(
          "--schema-registry needs --message-format avro (produce.message_format)");
    }
    registry::RegistryOptions ro;
    ro.url = registry_url;
    LP_ASSIGN_OR_RETURN(ro.username, cfg.GetString("schema_registry", "username"));
    LP_ASSIGN_OR_RETURN(ro.password, cfg.GetString("schema_registry", "password"));
    LP_ASSIGN_OR_RETURN(ro.timeout, cfg.GetDuration("schema_registry", "timeout"));
    o.registry = ro;
  }
  o.key_context = "--key";
  return o;
}

// The loop's options from the effective configuration.
Result<ProduceOptions> LoopOptions(const config::Config& cfg) {
  ProduceOptions options;
  LP_ASSIGN_OR_RETURN(options.topic, cfg.GetString("produce", "topic"));
  LP_ASSIGN_OR_RETURN(int64_t count, cfg.GetInt("produce", "count"));
  options.count = static_cast<uint64_t>(std::max<int64_t>(0, count));
  if (cfg.HasValue("produce", "duration")) {
    LP_ASSIGN_OR_RETURN(options.duration, cfg.GetDuration("produce", "duration"));
  }
  LP_ASSIGN_OR_RETURN(int64_t rate, cfg.GetInt("produce", "rate"));
  options.rate = static_cast<double>(std::max<int64_t>(0, rate));
  return options;
}

// The topic should exist; brokers that auto-create topics give them few
// partitions: a warning when it does not.
Status CheckTopic(const std::string& cmd, const kafka::ProducerOptions& po,
                  const std::string& topic) {
  auto partitions =
      kafka::TopicPartitions(po.brokers, topic, po.settings, std::chrono::seconds(10));
  if (partitions.ok()) return Status::OK();
  if (partitions.status().code() != StatusCode::kNotFound) return partitions.status();
  Say("{}: warning: {}; producing anyway (brokers may create it)\n", cmd,
      partitions.status().message());
  return Status::OK();
}

void PrintSummary(const std::string& cmd, const std::string& topic, const ProduceSummary& result,
                  const BadRecordFile* bad) {
  const ProduceProgress& p = result.progress;
  Say("{}: produced {} records to '{}' in {}: {} records/s, {} MB/s{}\n", cmd,
      FormatCount(p.produced), topic, FormatSeconds(p.seconds), Rate(p.produced, p.seconds),
      p.seconds > 0 ? fmt::format("{:.1f}", static_cast<double>(p.bytes) / 1e6 / p.seconds) : "-",
      result.interrupted ? " (interrupted)" : "");
  Say("{}: delivered {}, failed {}, rejected {}{}\n", cmd, FormatCount(p.delivered),
      FormatCount(p.failed), FormatCount(p.rejected),
      bad && p.rejected > 0 ? fmt::format(" -> {}", bad->path()) : "");
  for (const auto& [cause, n] : result.stats.failures_by_cause) {
    Say("{}:   {} failed: {}\n", cmd, FormatCount(n), cause);
  }
}

Result<int> Produce(const CLI::App& app, const ProduceFlags& f) {
  const std::string cmd = "lakepipe produce";
  LP_RETURN_IF_ERROR(ApplyLogFlags(f.log));
  LP_ASSIGN_OR_RETURN(config::Config cfg, LoadConfig(f.config.path));
  LP_RETURN_IF_ERROR(ApplyFlags(app, f, &cfg));
  if (f.config.print) return PrintConfig(cfg);

  LP_ASSIGN_OR_RETURN(ProduceOptions options, LoopOptions(cfg));
  LP_ASSIGN_OR_RETURN(SourceProducerOptions assembly, AssemblyOptions(cfg));
  // The source's rejected records are dead-lettered when asked.
  std::unique_ptr<BadRecordFile> bad;
  if (!f.bad_records.empty()) {
    auto opened = BadRecordFile::Open(f.bad_records);
    if (!opened.ok()) return opened.status().WithContext("--bad-records");
    bad = std::move(opened).value();
    assembly.source_options.bad_records = bad->Sink();
    options.bad_records = bad->Sink();
  }
  assembly.before_producer = [&] { return CheckTopic(cmd, assembly.producer, assembly.topic); };
  LP_ASSIGN_OR_RETURN(std::unique_ptr<SourceProducer> sp, AssembleSourceProducer(assembly));

  const std::string& topic = assembly.topic;
  options.on_progress = [&](const ProduceProgress& p) {
    ExportProduceProgress(topic, p);
    if (f.quiet) return;
    Say("{}: produced {} records ({}/s), delivered {}, failed {}\n", cmd, FormatCount(p.produced),
        Rate(p.produced, p.seconds), FormatCount(p.delivered), FormatCount(p.failed));
  };
  LP_ASSIGN_OR_RETURN(std::unique_ptr<observe::StatusServer> server,
                      StartMetrics("produce", f.metrics_addr));
  if (!f.quiet && options.count == 0 && options.duration.count() == 0 &&
      (assembly.source == "users" || assembly.source == "activity" ||
       assembly.source == "randomuser")) {
    Say("{}: producing to '{}' until interrupted (Ctrl-C); --count or --duration limit it\n", cmd,
        topic);
  }
  auto result = sp->Run(options, StopRequested());
  Status committed = bad ? bad->Commit() : Status::OK();
  LP_RETURN_IF_ERROR(result.status());
  LP_RETURN_IF_ERROR(committed);
  ExportProduceProgress(topic, result->progress);
  PrintSummary(cmd, topic, *result, bad.get());
  const ProduceProgress& p = result->progress;
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
      "randomuser.me API), file:PATH (JSON Lines, CSV, Avro or Parquet).\n\nShapes of users and "
      "randomuser (--shape): flat (schemas/user.avsc, one column per value, keyed by id) or api "
      "(schemas/user_api.avsc: exactly the randomuser.me API's nested objects, name{title,first,"
      "last}, location{street{number,name},...}, login{uuid,...}, dob{date,age}, ..., keyed by "
      "login.uuid; nested JSON or nested Avro messages).\n\nSettings come from "
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
  app.add_option("--shape", f.shape, kShapeHelp);
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

// lakepipe check: validates the configuration and probes each configured
// service (Kafka, schema registry, the lake's object store), printing a table
// of OK/FAIL with the reason; exits 1 when anything fails.
#include <chrono>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/flags.h"
#include "core/lake_names.h"
#include "core/redact.h"
#include "kafka/metadata.h"
#include "lake/lake.h"
#include "registry/schema_registry.h"
#include "storage/object_store.h"

namespace lakepipe::cli {
namespace {

struct CheckFlags {
  ConfigFlags config;
  KafkaFlags kafka;
  RegistryFlags registry;
  std::string lake;
  std::vector<std::string> topics;
  S3Flags s3;
};

struct Row {
  std::string service, target;
  Status status;
  std::string detail;  // on success
};

// The deepest of `dir` and its ancestors that exists on the local file
// system ("" when none does).
std::string ExistingAncestor(const std::string& dir) {
  std::error_code ec;
  std::filesystem::path d(dir);
  while (!d.empty() && !std::filesystem::exists(d, ec) && d != d.parent_path()) {
    d = d.parent_path();
  }
  return d.string();
}

Status ProbeLake(const std::string& lake, std::string* detail) {
  LP_ASSIGN_OR_RETURN(StoreLocation loc, ObjectStoreRegistry::Default().Resolve(lake));
  std::string root = loc.path;
  while (!root.empty() && root.back() == '/') root.pop_back();
  std::mt19937_64 rng{std::random_device{}()};
  const std::string key = lake::Lake::PathUnder(root, lake::Lake::CheckProbePath(rng()));
  const std::string payload = fmt::format("lakepipe check probe {:016x}\n", rng());
  // The directories the write creates go with the probe (local lakes).
  const std::string dir = std::filesystem::path(key).parent_path().string();
  const std::string existing = loc.store->scheme() == "file" ? ExistingAncestor(dir) : "";
  LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> out,
                      loc.store->OpenOutput(key, OutputOptions()));
  if (Status st = out->Append(payload); !st.ok()) {
    out->Abort();
    return st.WithContext("writing a probe object");
  }
  LP_RETURN_IF_ERROR(out->Commit().WithContext("writing a probe object"));
  Status read = [&]() -> Status {
    LP_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> in, loc.store->OpenInput(key));
    std::string back;
    LP_RETURN_IF_ERROR(in->ReadAt(0, payload.size() + 1, &back));
    if (back != payload) return CorruptionError("the probe object read back differs");
    return Status::OK();
  }();
  Status deleted = loc.store->Delete(key);
  if (deleted.ok()) RemoveEmptyDirectories(*loc.store, dir, existing);
  LP_RETURN_IF_ERROR(read.WithContext("reading the probe object back"));
  LP_RETURN_IF_ERROR(deleted.WithContext("deleting the probe object"));
  *detail = fmt::format("wrote, read back and deleted {}", key);
  return Status::OK();
}

Result<int> Check(const CLI::App& app, const CheckFlags& f) {
  auto loaded = LoadConfig(f.config.path);
  if (!loaded.ok()) return loaded.status();
  config::Config& cfg = *loaded;
  LP_RETURN_IF_ERROR(ApplyKafkaFlags(app, f.kafka, &cfg));
  LP_RETURN_IF_ERROR(ApplyS3Flags(app, f.s3, &cfg));
  LP_RETURN_IF_ERROR(ApplyRegistryFlags(app, f.registry, &cfg));
  if (app.count("--topic") > 0) {
    std::string joined;
    for (const std::string& t : f.topics) joined += (joined.empty() ? "" : ",") + t;
    LP_RETURN_IF_ERROR(cfg.SetFlag("archive", "topics", joined));
  }
  if (app.count("--lake") > 0) {
    LP_RETURN_IF_ERROR(cfg.SetFlag("archive", "lake", f.lake));
  }
  if (f.config.print) return PrintConfig(cfg);
  LP_RETURN_IF_ERROR(ConfigureS3(cfg));

  std::vector<Row> rows;
  const kafka::Settings settings = cfg.Passthrough("kafka");
  const std::string brokers = ConfiguredBrokers(cfg);
  auto topics = cfg.GetList("archive", "topics");
  if (!topics.ok()) return topics.status();
  if (!brokers.empty()) {
    if (topics->empty()) {
      rows.push_back({"kafka", brokers, Status::OK(), "brokers given; no topic to check"});
    }
    for (const std::string& topic : *topics) {
      Result<int> partitions =
          kafka::TopicPartitions(brokers, topic, settings, std::chrono::seconds(10));
      rows.push_back({"kafka", fmt::format("{} topic {}", brokers, topic), partitions.status(),
                      partitions.ok() ? fmt::format("{} partitions", *partitions) : ""});
    }
  }
  auto url = cfg.GetString("schema_registry", "url");
  if (!url.ok()) return url.status();
  if (!url->empty()) {
    registry::RegistryOptions ro;
    ro.url = *url;
    ro.username = cfg.GetString("schema_registry", "username").ValueOr("");
    ro.password = cfg.GetString("schema_registry", "password").ValueOr("");
    ro.retry.max_attempts = 2;
    registry::SchemaRegistryClient client(ro);
    for (const std::string& topic : topics->empty() ? std::vector<std::string>{""} : *topics) {
      if (topic.empty()) {
        rows.push_back({"schema registry", *url, Status::OK(), "URL given; no topic to check"});
        continue;
      }
      const std::string subject = topic + "-value";
      Result<std::string> schema = client.GetLatestSchema(subject);
      rows.push_back({"schema registry", fmt::format("{} subject {}", *url, subject),
                      schema.status(), schema.ok() ? "latest schema found" : ""});
    }
  }
  if (auto table = cfg.GetString("archive", "table"); table.ok() && !table->empty()) {
    Status valid = ValidateTableName(*table);
    rows.push_back({"config", "archive.table (" + cfg.SourceOf("archive", "table") + ")", valid,
                    "a valid table name"});
  }
  auto lake = cfg.GetString("archive", "lake");
  if (!lake.ok()) return lake.status();
  if (!lake->empty()) {
    std::string detail;
    Status probed = ProbeLake(*lake, &detail);
    rows.push_back({"lake", *lake, probed, detail});
  }
  if (rows.empty()) {
    return InvalidArgumentError(
        "nothing to check: give --brokers/--topic, --schema-registry or "
        "--lake, or a --config file naming them");
  }
  size_t w_service = 7, w_target = 6;
  for (Row& r : rows) r.target = MaskUrlCredentials(r.target);
  for (const Row& r : rows) {
    w_service = std::max(w_service, r.service.size());
    w_target = std::max(w_target, r.target.size());
  }
  fmt::print("{:<{}}  {:<{}}  {:<6}  {}\n", "service", w_service, "target", w_target, "status",
             "detail");
  bool failed = false;
  for (const Row& r : rows) {
    failed |= !r.status.ok();
    fmt::print("{:<{}}  {:<{}}  {:<6}  {}\n", r.service, w_service, r.target, w_target,
               r.status.ok() ? "OK" : "FAIL",
               MaskUrlCredentials(r.status.ok() ? r.detail : r.status.ToString()));
  }
  return failed ? 1 : kExitOk;
}

}  // namespace

Result<int> RunCheck(int argc, char** argv) {
  CLI::App app(
      "Check the configuration and probe each configured service: Kafka (brokers reachable, "
      "topics exist, partitions), the schema registry (reachable, subject <topic>-value) and the "
      "lake (write, read back and delete a probe object under <lake>/_lakepipe/check/, and the "
      "directories made for it). Prints "
      "OK or FAIL with the reason per service; exits 1 when anything fails.\n\nSettings come from "
      "flags, then LAKEPIPE_<SECTION>_<KEY> environment variables (also read from ./.env), then "
      "--config (every section is validated; kafka, schema_registry, archive and s3 are "
      "used), then defaults. S3 settings the s3 section leaves unset come from the AWS_* "
      "variables (environment, then ./.env) and ~/.aws.",
      "lakepipe check");
  CheckFlags f;
  AddConfigFlags(&app, &f.config, "every section is validated");
  AddKafkaFlags(&app, &f.kafka);
  app.add_option("--topic", f.topics, "Topic(s) to check; comma-separated or repeated")
      ->delimiter(',');
  AddRegistryFlags(&app, &f.registry, "Schema registry URL");
  app.add_option("--lake", f.lake, "Lake root: a path, file:///path or s3://bucket/prefix");
  AddS3Flags(&app, &f.s3);
  if (int code = ParseArgs(app, argc, argv); code >= 0) return code;
  return Check(app, f);
}

}  // namespace lakepipe::cli

#include "cli/commands.h"

#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "cli/flags.h"
#include "core/version.h"
#include "s3/s3_store.h"
#include "storage/object_store.h"

namespace lakepipe::cli {

namespace {

const Command kCommands[] = {
    {"run", "the whole pipeline in one command: produce, archive and transform, with a summary",
     RunRun},
    {"convert", "convert a file between Parquet, Avro, JSON Lines, JSON and CSV", RunConvert},
    {"inspect", "show a file's schema, row count, layout and first rows; a directory's files",
     RunInspect},
    {"produce", "produce records from a source (generators, randomuser.me, files) onto Kafka",
     RunProduce},
    {"archive", "archive Kafka topics into a Hive-partitioned lake, exactly once", RunArchive},
    {"transform",
     "run jobs over the lake incrementally: clean, analytics, demographics, timeseries",
     RunTransform},
    {"sql", "print warehouse SQL for the lake's tables (snowflake, duckdb, athena, spark)", RunSql},
    {"check", "validate the configuration and probe Kafka, the schema registry and the lake",
     RunCheck},
    {"table", "show an Iceberg table, its history and committed Kafka offsets; verify it",
     RunTable},
    {"lag", "show a consumer group's offsets, lag per partition and members", RunLag},
    {"broker", "run an in-memory Kafka broker for development and tests", RunBroker},
    {"registry", "run an in-memory schema registry for development and tests", RunRegistry},
};

void PrintUsage(std::FILE* out) {
  fmt::print(out,
             "lakepipe {}: events from APIs and generators through Kafka into a queryable data "
             "lake\n\nusage: lakepipe <command> [options]\n\ncommands:\n",
             kVersion);
  for (const Command& c : kCommands) fmt::print(out, "  {:<10} {}\n", c.name, c.summary);
  fmt::print(out, "\nRun 'lakepipe <command> --help' for a command's options.\n");
}

}  // namespace

std::span<const Command> Commands() { return kCommands; }

int Main(int argc, char** argv) {
  if (argc < 2) {
    PrintUsage(stderr);
    return kExitUsage;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    PrintUsage(stdout);
    return kExitOk;
  }
  if (name == "--version" || name == "version") {
    fmt::print("lakepipe {} (build {})\n", kVersion, kBuildId);
    return kExitOk;
  }
  // s3:// URIs, with credentials, region and endpoint from the environment
  // and ~/.aws (see s3/s3_store.h).
  s3::S3Options s3_base;
  s3_base.region.clear();
  s3::RegisterS3Store(&ObjectStoreRegistry::Default(), s3_base);
  for (const Command& c : kCommands) {
    if (c.name == name) {
      std::string program = fmt::format("lakepipe {}", name);
      argv[1] = program.data();
      Result<int> outcome = c.run(argc - 1, argv + 1);
      if (!outcome.ok()) return ReportError(program, outcome.status());
      return *outcome;
    }
  }
  fmt::print(stderr, "lakepipe: unknown command '{}'\n\n", name);
  PrintUsage(stderr);
  return kExitUsage;
}

}  // namespace lakepipe::cli

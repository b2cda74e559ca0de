// lakepipe registry: an in-memory schema registry for development and tests
// (the Confluent REST API), running until SIGINT or SIGTERM.
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/signals.h"
#include "registry/dev_registry.h"

namespace lakepipe::cli {

Result<int> RunRegistry(int argc, char** argv) {
  CLI::App app(
      "Run a schema registry for development and tests: in memory, development only. It speaks "
      "the Confluent Schema Registry REST API (subjects, versions, ids, latest, lookups, "
      "compatibility checks and levels NONE, BACKWARD, FORWARD, FULL and their _TRANSITIVE "
      "variants, global and per subject) for the flat Avro records lakepipe reads, so produce "
      "--schema-registry and archive --schema-registry can use it. Everything registered is "
      "gone when it stops; never use it in production.\n\n"
      "The first line on stdout is its URL (for schema_registry.url / --schema-registry). Runs "
      "until Ctrl-C or SIGTERM, then exits 0.",
      "lakepipe registry");
  registry::DevRegistryOptions options;
  std::string compatibility(registry::CompatibilityLevelName(options.compatibility));
  app.add_option("--port", options.port, "Port to listen on; 0 picks a free one")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--host", options.host,
                 "Address to listen on (0.0.0.0: every interface; no authentication)")
      ->capture_default_str();
  app.add_option("--compatibility", compatibility,
                 "Global compatibility level until PUT /config changes it: " +
                     registry::CompatibilityLevelNames())
      ->capture_default_str();
  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  const std::string cmd = "lakepipe registry";
  auto level = registry::ParseCompatibilityLevel(compatibility);
  if (!level) {
    fmt::print(stderr, "{}: --compatibility: '{}' is not a level; use one of {}\n", cmd,
               compatibility, registry::CompatibilityLevelNames());
    return kExitUsage;
  }
  options.compatibility = *level;

  // Before the server starts, so that its threads inherit the mask.
  StopSignals stop_signals;

  auto registry = registry::DevRegistry::Start(options);
  if (!registry.ok()) return registry.status();
  fmt::print("{}\n", (*registry)->url());
  std::fflush(stdout);
  fmt::print(stderr,
             "{}: schema registry at {} (compatibility {}). In memory, development only: "
             "everything registered is gone when it stops. Stop with Ctrl-C or SIGTERM.\n",
             cmd, (*registry)->url(), registry::CompatibilityLevelName(options.compatibility));
  std::fflush(stderr);

  fmt::print(stderr, "{}: stopping on {}\n", cmd, stop_signals.Wait());
  registry->reset();
  return kExitOk;
}

}  // namespace lakepipe::cli

// Helpers shared by subcommands: option validation and error reporting.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "config/config.h"
#include "core/result.h"

namespace lakepipe::cli {

// Parses argv with CLI11; returns -1 to continue, or the exit status to
// return right away (help printed: 0; bad usage: 2 after printing why).
int ParseArgs(CLI::App& app, int argc, char** argv);

// Prints "lakepipe <command>: <status message>" to stderr and returns 1.
int ReportError(const std::string& command, const Status& status);

// A CLI11 validator for byte sizes ("64MiB").
CLI::Validator ByteSizeValidator();

// Sets kafka.bootstrap.servers from --brokers (when given) and each -X
// key=value into the kafka section.
Status ApplyKafkaFlags(const CLI::App& app, const std::string& brokers,
                       const std::vector<std::string>& settings, config::Config* cfg);

// Sets schema_registry.username and .password from --schema-registry-auth
// USER:PASSWORD (when given).
Status ApplyRegistryAuthFlag(const CLI::App& app, const std::string& user_password,
                             config::Config* cfg);

}  // namespace lakepipe::cli

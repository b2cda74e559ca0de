// Helpers shared by subcommands: option validation and error reporting.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "config/config.h"
#include "core/result.h"

namespace lakepipe::s3 {
struct S3Options;
}  // namespace lakepipe::s3

namespace lakepipe::cli {

// Parses argv with CLI11; returns -1 to continue, or the exit status to
// return right away (help printed: 0; bad usage: 2 after printing why).
// Usage messages never show a value that may be a secret: arguments no
// option takes are named when they are options and only counted when they
// are values, and the values of -X, --schema-registry-auth and of options
// or key=value pairs with secret-looking names (core/redact.h) are masked
// in every other message, here and in ReportError.
int ParseArgs(CLI::App& app, int argc, char** argv);

// Prints "lakepipe <command>: <status message>" to stderr and returns 1.
// Credentials of URLs and the command line's secrets are masked.
int ReportError(const std::string& command, const Status& status);

// `text` with credentials of URLs and the command line's secrets (see
// ParseArgs) masked, for anything printed or written after parsing.
std::string Scrub(std::string text);

// A CLI11 validator for byte sizes ("64MiB").
CLI::Validator ByteSizeValidator();

// A CLI11 validator for --table: ValidateTableName (core/lake_names.h).
CLI::Validator TableNameValidator();

// Sets kafka.bootstrap.servers from --brokers (when given) and each -X
// key=value into the kafka section.
Status ApplyKafkaFlags(const CLI::App& app, const std::string& brokers,
                       const std::vector<std::string>& settings, config::Config* cfg);

// Sets schema_registry.username and .password from --schema-registry-auth
// USER:PASSWORD (when given).
Status ApplyRegistryAuthFlag(const CLI::App& app, const std::string& user_password,
                             config::Config* cfg);

// --s3-* flags, shared by the commands that read or write a lake.
struct S3Flags {
  std::string endpoint, region, ca_bundle, part_size;
  bool insecure = false;
};
void AddS3Flags(CLI::App* app, S3Flags* flags);
// --stats-json PATH: `first_words` ("Write the run's counts as JSON here")
// and how the file is written.
void AddStatsJsonFlag(CLI::App* app, std::string* path, std::string_view first_words);

// Sets the s3 section's options from the --s3-* flags that were given.
Status ApplyS3Flags(const CLI::App& app, const S3Flags& flags, config::Config* cfg);

// Makes s3:// URIs use the s3 section of `cfg` (anything it leaves unset
// comes from the AWS_* variables and ~/.aws, see s3/s3_store.h). Prints a
// warning to stderr when certificate checks are off. With `used`, sets it
// to the options given to the store (before the AWS_* variables).
Status ConfigureS3(const config::Config& cfg, s3::S3Options* used = nullptr);

// For commands whose only settings are S3's (convert, inspect): loads
// `config_path` ("" = none) and the environment, applies the --s3-* flags
// and configures S3 with the result.
Status SetUpS3(const CLI::App& app, const std::string& config_path, const S3Flags& flags,
               s3::S3Options* used = nullptr);

}  // namespace lakepipe::cli

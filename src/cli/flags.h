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
// With --print-config no option or argument is required.
// Usage messages never show a value that may be a secret: arguments no
// option takes are named when they are options and only counted when they
// are values, and the values of -X, --schema-registry-auth and of options
// or key=value pairs with secret-looking names (core/redact.h) are masked
// in every other message, here and in ReportError.
int ParseArgs(CLI::App& app, int argc, char** argv);

// A renamed option's old spelling `old_name`, hidden from --help, setting
// `*value` like `new_name` does. ParseArgs prints one line to stderr for each
// old spelling used, naming the new one ("--format is deprecated: use
// --file-format"), and fails (usage) when both spellings are given.
void AddDeprecatedAlias(CLI::App* app, const std::string& old_name, const std::string& new_name,
                        std::string* value);

// True when option `name`, or an old spelling of it, was given.
bool Given(const CLI::App& app, const std::string& name);

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

// Loads `config_path` ("" = none), ./.env and the environment against every
// section lakepipe knows (config::AllSections()), whichever of them the
// command reads: one file serves every command. A section no command knows,
// an unknown key in any section and a misspelled LAKEPIPE_ variable are
// kInvalidArgument naming file:line (or the variable).
[[nodiscard]] Result<config::Config> LoadConfig(const std::string& config_path);

// Help of --seed (produce, run): what a seed fixes, including the time base.
// --shape of produce and run.
inline constexpr const char* kShapeHelp =
    "users and randomuser: flat (default; schemas/user.avsc) or api (the randomuser.me API's "
    "nested objects, schemas/user_api.avsc, keyed by login.uuid) (source.shape)";
inline constexpr const char* kSeedHelp =
    "Seed of the users and activity generators: the same seed gives the same records on every "
    "run. A seeded generator's clock is fixed at 2026-01-01T00:00:00Z instead of the current "
    "time: activity event times start at 2025-12-31T00:00:00Z (a simulated day before it) and "
    "advance with the events; users' birth and registration dates count back from "
    "2026-01-01T00:00:00Z";

// --config PATH and --print-config (AddPrintConfigFlag). `sections`, in
// the help of --config, says which sections of the file the command uses
// ("sections kafka and archive are used; the others are validated").
struct ConfigFlags {
  std::string path;
  bool print = false;
};
void AddConfigFlags(CLI::App* app, ConfigFlags* flags, std::string_view sections);

// --brokers and -X key=value (repeatable), the kafka section's settings.
struct KafkaFlags {
  std::string brokers;
  std::vector<std::string> settings;
};
void AddKafkaFlags(CLI::App* app, KafkaFlags* flags);

// Sets kafka.bootstrap.servers from --brokers (when given) and each -X
// key=value into the kafka section.
Status ApplyKafkaFlags(const CLI::App& app, const KafkaFlags& flags, config::Config* cfg);

// kafka.bootstrap.servers of the effective configuration; "" when unset.
std::string ConfiguredBrokers(const config::Config& cfg);

// ConfiguredBrokers, or kInvalidArgument naming the three places brokers
// are given when none is set.
[[nodiscard]] Result<std::string> RequireBrokers(const config::Config& cfg);

// --schema-registry URL and --schema-registry-auth USER:PASSWORD.
// `url_help` says what the command does with the registry.
struct RegistryFlags {
  std::string url, auth;
};
void AddRegistryFlags(CLI::App* app, RegistryFlags* flags, std::string_view url_help);

// Sets schema_registry.url from --schema-registry and .username and
// .password from --schema-registry-auth (each when given).
Status ApplyRegistryFlags(const CLI::App& app, const RegistryFlags& flags, config::Config* cfg);

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

// For commands whose settings from the file are S3's and the lake's
// (convert, inspect, sql, transform): LoadConfig, then the --s3-* flags
// applied. ConfigureS3 the result once it is not just printed.
[[nodiscard]] Result<config::Config> LoadConfigWithS3Flags(const CLI::App& app,
                                                           const std::string& config_path,
                                                           const S3Flags& flags);

// The lake of commands that read one (transform, sql): --lake when given
// (set into archive.lake), else archive.lake of the config file, where
// archive writes. kInvalidArgument naming both when neither is set.
[[nodiscard]] Result<std::string> LakeFromConfig(const CLI::App& app, const std::string& lake_flag,
                                                 config::Config* cfg);

// --print-config, on every command that takes --config. Given it, ParseArgs
// requires nothing else (options and arguments otherwise required are not).
void AddPrintConfigFlag(CLI::App* app, bool* print_config);

// Prints the effective configuration (every section; secrets masked, each
// value with where it came from) to stdout and returns kExitOk.
int PrintConfig(const config::Config& cfg);

}  // namespace lakepipe::cli

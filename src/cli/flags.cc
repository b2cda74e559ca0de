#include "cli/flags.h"

#include <algorithm>

#include "observe/log.h"

#include <fmt/format.h>

#include "cli/commands.h"
#include "config/sections.h"
#include "core/lake_names.h"
#include "core/redact.h"
#include "core/units.h"
#include "s3/s3_store.h"
#include "storage/object_store.h"

namespace lakepipe::cli {

namespace {

// Records a -X "key=value" as a secret, and, when the key looks secret, its
// value on its own too, since a message may show only the value. Values of
// other keys (acks=all, session.timeout.ms=6000) alone would mask unrelated
// text such as port numbers.
void AddSetting(std::string_view setting, std::vector<std::string>* secrets) {
  secrets->emplace_back(setting);
  const size_t eq = setting.find('=');
  if (eq != std::string_view::npos && eq + 1 < setting.size() &&
      LooksSecretKey(setting.substr(0, eq))) {
    secrets->emplace_back(setting.substr(eq + 1));
  }
}

// Values on the command line that may be secrets: the values of -X and of
// --schema-registry-auth, and the value of any key=value, or of any --flag
// the command does not declare, whose name looks secret (core/redact.h).
std::vector<std::string> SecretArguments(const CLI::App& app, int argc, char** argv) {
  std::vector<std::string> secrets;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const size_t eq = arg.find('=');
    const std::string_view name = arg.substr(0, eq);
    const bool undeclared_secret = name.size() > 2 && name.substr(0, 2) == "--" &&
                                   LooksSecretKey(name.substr(2)) &&
                                   app.get_option_no_throw(std::string(name)) == nullptr;
    const bool takes_secret = name == "-X" || name == "--schema-registry-auth" || undeclared_secret;
    const bool is_option = !name.empty() && name[0] == '-';
    if (arg.size() > 2 && arg.substr(0, 2) == "-X") {
      AddSetting(arg.substr(2), &secrets);
    } else if (eq == std::string_view::npos) {
      if (name == "-X" && i + 1 < argc) {
        AddSetting(argv[i + 1], &secrets);
      } else if (takes_secret && i + 1 < argc) {
        secrets.emplace_back(argv[i + 1]);
      }
    } else if (is_option ? takes_secret : LooksSecretKey(name)) {
      secrets.emplace_back(arg.substr(eq + 1));
    }
  }
  return secrets;
}

// The command line's secrets, for the messages printed after parsing.
std::vector<std::string>& CommandLineSecrets() {
  static std::vector<std::string>* secrets = new std::vector<std::string>();
  return *secrets;
}

// The old spellings of renamed options, {old, new}, for ParseArgs and Given.
std::vector<std::pair<std::string, std::string>>& DeprecatedAliases() {
  static auto* aliases = new std::vector<std::pair<std::string, std::string>>();
  return *aliases;
}

// One line per old spelling used; kExitUsage when a new one is given too.
int ReportDeprecatedAliases(const CLI::App& app) {
  for (const auto& [old_name, new_name] : DeprecatedAliases()) {
    if (app.get_option_no_throw(old_name) == nullptr || app.count(old_name) == 0) continue;
    if (app.count(new_name) > 0) {
      fmt::print(stderr, "{}: {} is the old name of {}: give {} only\n", app.get_name(), old_name,
                 new_name, new_name);
      return kExitUsage;
    }
    fmt::print(stderr, "{}: warning: {} is deprecated: use {}\n", app.get_name(), old_name,
               new_name);
  }
  return -1;
}

// CLI11's message for arguments no option takes lists them, values included;
// ours names the options (without "=value") and only counts the values.
std::string DescribeExtras(const std::vector<std::string>& extras) {
  std::vector<std::string> options;
  size_t values = 0;
  for (const std::string& arg : extras) {
    if (arg.size() > 1 && arg[0] == '-') {
      // "--name=value" -> "--name"; "-Xkey=value" -> "-X".
      options.push_back(arg[1] == '-' ? arg.substr(0, arg.find('=')) : arg.substr(0, 2));
    } else {
      ++values;
    }
  }
  std::string out;
  if (!options.empty()) {
    out = fmt::format("{} {} of this command", fmt::join(options, ", "),
                      options.size() == 1 ? "is not an option" : "are not options");
  }
  if (values > 0) {
    out += fmt::format("{}{} {} that no option takes (not shown: {} be a secret)",
                       out.empty() ? "" : "; ", values, values == 1 ? "value" : "values",
                       values == 1 ? "it may" : "any may");
  }
  return out.empty() ? "unexpected arguments" : out;
}

}  // namespace

std::string Scrub(std::string text) {
  text = MaskUrlCredentials(text);
  for (const std::string& secret : CommandLineSecrets()) {
    if (secret.size() < 3) continue;  // too short to be a secret, and would garble the text
    text = MaskValue(std::move(text), secret);
  }
  return text;
}

int ParseArgs(CLI::App& app, int argc, char** argv) {
  CommandLineSecrets() = SecretArguments(app, argc, argv);
  // Printing the configuration needs nothing else.
  if (std::any_of(argv + 1, argv + argc,
                  [](const char* arg) { return std::string_view(arg) == "--print-config"; })) {
    for (CLI::Option* option : app.get_options()) option->required(false);
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    fmt::print("{}", app.help());
    return kExitOk;
  } catch (const CLI::ExtrasError& e) {
    fmt::print(stderr, "{}: {}\nRun '{} --help' for the options.\n", app.get_name(),
               DescribeExtras(app.remaining()), app.get_name());
    return kExitUsage;
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "{}: {}\nRun '{} --help' for the options.\n", app.get_name(),
               Scrub(e.what()), app.get_name());
    return kExitUsage;
  }
  return ReportDeprecatedAliases(app);
}

void AddDeprecatedAlias(CLI::App* app, const std::string& old_name, const std::string& new_name,
                        std::string* value) {
  app->add_option(old_name, *value, fmt::format("Deprecated: use {}", new_name))->group("");
  DeprecatedAliases().emplace_back(old_name, new_name);
}

bool Given(const CLI::App& app, const std::string& name) {
  if (app.count(name) > 0) return true;
  for (const auto& [old_name, new_name] : DeprecatedAliases()) {
    if (new_name == name && app.get_option_no_throw(old_name) != nullptr &&
        app.count(old_name) > 0) {
      return true;
    }
  }
  return false;
}

int ReportError(const std::string& command, const Status& status) {
  const std::string message = Scrub(status.ToString());
  if (observe::LogJson()) {
    observe::Log(observe::LogLevel::kError,
                 command.rfind("lakepipe ", 0) == 0 ? command.substr(9) : command, message);
  } else {
    fmt::print(stderr, "{}: {}\n", command, message);
  }
  return kExitFailure;
}

CLI::Validator ByteSizeValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        Result<uint64_t> parsed = ParseByteSize(value);
        if (!parsed.ok()) return parsed.status().message();
        if (*parsed == 0) return "must be greater than zero";
        return "";
      },
      "SIZE");
}

CLI::Validator TableNameValidator() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        Status valid = ValidateTableName(value);
        return valid.ok() ? "" : valid.message();
      },
      "NAME");
}

void AddConfigFlags(CLI::App* app, ConfigFlags* flags, std::string_view sections) {
  app->add_option("--config", flags->path,
                  fmt::format("YAML config file shared by every command ({})", sections));
  AddPrintConfigFlag(app, &flags->print);
}

void AddKafkaFlags(CLI::App* app, KafkaFlags* flags) {
  app->add_option("--brokers", flags->brokers,
                  "Kafka bootstrap servers, host:port[,...] (kafka.bootstrap.servers)");
  app->add_option("-X", flags->settings,
                  "librdkafka setting key=value (repeatable), e.g. -X security.protocol=ssl");
}

Status ApplyKafkaFlags(const CLI::App& app, const KafkaFlags& flags, config::Config* cfg) {
  if (app.count("--brokers") > 0) {
    LP_RETURN_IF_ERROR(cfg->SetFlag("kafka", "bootstrap.servers", flags.brokers));
  }
  for (const std::string& kv : flags.settings) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError(
          "-X takes key=value (a librdkafka setting); one -X value has no key (the value is not "
          "shown: it may be a secret)");
    }
    LP_RETURN_IF_ERROR(cfg->SetFlag("kafka", kv.substr(0, eq), kv.substr(eq + 1)));
  }
  return Status::OK();
}

std::string ConfiguredBrokers(const config::Config& cfg) {
  std::string brokers;
  for (const auto& [key, value] : cfg.Passthrough("kafka")) {
    if (key == "bootstrap.servers") brokers = value;
  }
  return brokers;
}

Result<std::string> RequireBrokers(const config::Config& cfg) {
  std::string brokers = ConfiguredBrokers(cfg);
  if (brokers.empty()) {
    return InvalidArgumentError(
        "no Kafka brokers: give --brokers, kafka.bootstrap.servers in the config file, or "
        "LAKEPIPE_KAFKA_BOOTSTRAP_SERVERS");
  }
  return brokers;
}

void AddRegistryFlags(CLI::App* app, RegistryFlags* flags, std::string_view url_help) {
  app->add_option("--schema-registry", flags->url, std::string(url_help));
  app->add_option("--schema-registry-auth", flags->auth,
                  "USER:PASSWORD for the schema registry (basic auth)");
}

Status ApplyRegistryFlags(const CLI::App& app, const RegistryFlags& flags, config::Config* cfg) {
  if (app.count("--schema-registry") > 0) {
    LP_RETURN_IF_ERROR(cfg->SetFlag("schema_registry", "url", flags.url));
  }
  if (app.count("--schema-registry-auth") == 0) return Status::OK();
  const size_t colon = flags.auth.find(':');
  if (colon == std::string::npos) {
    return InvalidArgumentError("--schema-registry-auth must be USER:PASSWORD");
  }
  LP_RETURN_IF_ERROR(cfg->SetFlag("schema_registry", "username", flags.auth.substr(0, colon)));
  return cfg->SetFlag("schema_registry", "password", flags.auth.substr(colon + 1));
}

void AddStatsJsonFlag(CLI::App* app, std::string* path, std::string_view first_words) {
  app->add_option("--stats-json", *path,
                  fmt::format("{} (a file is replaced atomically, a symlink followed; a FIFO, "
                              "device or /dev/stdout is written in place)",
                              first_words));
}

void AddS3Flags(CLI::App* app, S3Flags* flags) {
  app->add_option("--s3-endpoint", flags->endpoint,
                  "S3-compatible endpoint URL, e.g. http://127.0.0.1:9000 (s3.endpoint; default "
                  "AWS_ENDPOINT_URL, else AWS)");
  app->add_option("--s3-region", flags->region,
                  "S3 region (s3.region; default AWS_REGION, else us-east-1)");
  app->add_option("--s3-ca-bundle", flags->ca_bundle,
                  "PEM CA bundle to verify the S3 endpoint's certificate with (s3.ca_bundle)");
  app->add_flag("--s3-insecure", flags->insecure,
                "Do not verify the S3 endpoint's certificate (test endpoints only; s3.insecure)");
  app->add_option("--s3-part-size", flags->part_size,
                  "Single PUT up to this size, multipart above it (s3.part_size, default 16MiB)");
}

Status ApplyS3Flags(const CLI::App& app, const S3Flags& flags, config::Config* cfg) {
  struct Given {
    const char* flag;
    const char* key;
    const std::string* value;
  };
  for (const Given& g : {Given{"--s3-endpoint", "endpoint", &flags.endpoint},
                         Given{"--s3-region", "region", &flags.region},
                         Given{"--s3-ca-bundle", "ca_bundle", &flags.ca_bundle},
                         Given{"--s3-part-size", "part_size", &flags.part_size}}) {
    if (app.count(g.flag) > 0) LP_RETURN_IF_ERROR(cfg->SetFlag("s3", g.key, *g.value));
  }
  if (flags.insecure) LP_RETURN_IF_ERROR(cfg->SetFlag("s3", "insecure", "true"));
  return Status::OK();
}

Status ConfigureS3(const config::Config& cfg, s3::S3Options* used) {
  s3::S3Options o;
  LP_ASSIGN_OR_RETURN(o.endpoint, cfg.GetString("s3", "endpoint"));
  LP_ASSIGN_OR_RETURN(o.region, cfg.GetString("s3", "region"));
  LP_ASSIGN_OR_RETURN(o.profile, cfg.GetString("s3", "profile"));
  LP_ASSIGN_OR_RETURN(o.credentials.access_key_id, cfg.GetString("s3", "access_key_id"));
  LP_ASSIGN_OR_RETURN(o.credentials.secret_access_key, cfg.GetString("s3", "secret_access_key"));
  LP_ASSIGN_OR_RETURN(o.credentials.session_token, cfg.GetString("s3", "session_token"));
  if (o.credentials.access_key_id.empty() != o.credentials.secret_access_key.empty()) {
    return InvalidArgumentError(
        "s3.access_key_id and s3.secret_access_key go together: set both or neither (then the "
        "AWS_* variables and ~/.aws are used)");
  }
  LP_ASSIGN_OR_RETURN(const std::string addressing, cfg.GetString("s3", "addressing"));
  if (addressing != "auto") o.path_style = addressing == "path";
  LP_ASSIGN_OR_RETURN(o.ca_bundle, cfg.GetString("s3", "ca_bundle"));
  LP_ASSIGN_OR_RETURN(const bool insecure, cfg.GetBool("s3", "insecure"));
  o.verify_tls = !insecure;
  LP_ASSIGN_OR_RETURN(o.part_size, cfg.GetSize("s3", "part_size"));
  LP_ASSIGN_OR_RETURN(const int64_t parallel, cfg.GetInt("s3", "parallel_parts"));
  o.parallel_parts = static_cast<int>(parallel);
  LP_ASSIGN_OR_RETURN(o.request_timeout, cfg.GetDuration("s3", "request_timeout"));
  LP_ASSIGN_OR_RETURN(o.retry.deadline, cfg.GetDuration("s3", "retry_deadline"));
  if (insecure) {
    fmt::print(stderr,
               "lakepipe: warning: s3.insecure is set ({}): the S3 endpoint's HTTPS certificate "
               "is not verified\n",
               cfg.SourceOf("s3", "insecure"));
  }
  if (used != nullptr) *used = o;
  s3::RegisterS3Store(&ObjectStoreRegistry::Default(), std::move(o));
  return Status::OK();
}

Result<config::Config> LoadConfig(const std::string& config_path) {
  LP_ASSIGN_OR_RETURN(config::Config cfg, config::Config::Load(config_path, config::AllSections()));
  for (const std::string& warning : cfg.warnings()) {
    if (observe::LogJson()) {
      observe::Log(observe::LogLevel::kWarning, "config", warning);
    } else {
      fmt::print(stderr, "lakepipe: warning: {}\n", warning);
    }
  }
  return cfg;
}

Result<config::Config> LoadConfigWithS3Flags(const CLI::App& app, const std::string& config_path,
                                             const S3Flags& flags) {
  LP_ASSIGN_OR_RETURN(config::Config cfg, LoadConfig(config_path));
  LP_RETURN_IF_ERROR(ApplyS3Flags(app, flags, &cfg));
  return cfg;
}

Result<std::string> LakeFromConfig(const CLI::App& app, const std::string& lake_flag,
                                   config::Config* cfg) {
  if (app.count("--lake") > 0) LP_RETURN_IF_ERROR(cfg->SetFlag("archive", "lake", lake_flag));
  LP_ASSIGN_OR_RETURN(std::string lake, cfg->GetString("archive", "lake"));
  if (lake.empty()) {
    return InvalidArgumentError(
        "no lake: give --lake (a path, file:///path or s3://bucket/prefix), or archive.lake in "
        "the --config file or LAKEPIPE_ARCHIVE_LAKE");
  }
  return lake;
}

void AddPrintConfigFlag(CLI::App* app, bool* print_config) {
  app->add_flag("--print-config", *print_config,
                "Print the effective configuration of every section (secrets masked, each value "
                "with where it came from) and exit");
}

int PrintConfig(const config::Config& cfg) {
  fmt::print("{}", cfg.Dump());
  return kExitOk;
}

}  // namespace lakepipe::cli

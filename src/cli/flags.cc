#include "cli/flags.h"

#include <fmt/format.h>

#include "cli/commands.h"
#include "core/units.h"

namespace lakepipe::cli {

int ParseArgs(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    fmt::print("{}", app.help());
    return kExitOk;
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "{}: {}\nRun '{} --help' for the options.\n", app.get_name(), e.what(),
               app.get_name());
    return kExitUsage;
  }
  return -1;
}

int ReportError(const std::string& command, const Status& status) {
  fmt::print(stderr, "{}: {}\n", command, status.ToString());
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

Status ApplyKafkaFlags(const CLI::App& app, const std::string& brokers,
                       const std::vector<std::string>& settings, config::Config* cfg) {
  if (app.count("--brokers") > 0) {
    LP_RETURN_IF_ERROR(cfg->SetFlag("kafka", "bootstrap.servers", brokers));
  }
  for (const std::string& kv : settings) {
    const size_t eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) {
      return InvalidArgumentError("-X '{}' must look like key=value (a librdkafka setting)", kv);
    }
    LP_RETURN_IF_ERROR(cfg->SetFlag("kafka", kv.substr(0, eq), kv.substr(eq + 1)));
  }
  return Status::OK();
}

Status ApplyRegistryAuthFlag(const CLI::App& app, const std::string& user_password,
                             config::Config* cfg) {
  if (app.count("--schema-registry-auth") == 0) return Status::OK();
  const size_t colon = user_password.find(':');
  if (colon == std::string::npos) {
    return InvalidArgumentError("--schema-registry-auth must be USER:PASSWORD");
  }
  LP_RETURN_IF_ERROR(cfg->SetFlag("schema_registry", "username", user_password.substr(0, colon)));
  return cfg->SetFlag("schema_registry", "password", user_password.substr(colon + 1));
}

}  // namespace lakepipe::cli

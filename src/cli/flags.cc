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

}  // namespace lakepipe::cli

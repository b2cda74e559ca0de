// lakepipe's subcommands: a table of {name, summary, entry point}.
//
// Each entry point receives the arguments after the subcommand name
// (argv[0] is "lakepipe <name>") and returns either the process exit status
// of an outcome that is not a failure (0 success, 2 usage error after the
// usage was printed, 3 finished but records were rejected) or the Status of
// its failure, which Main reports in one place ("lakepipe <name>: <why>",
// ReportError in cli/flags.h) and turns into exit status 1.
#pragma once

#include <span>
#include <string_view>

#include "core/result.h"

namespace lakepipe::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRejected = 3;

struct Command {
  std::string_view name;
  std::string_view summary;
  Result<int> (*run)(int argc, char** argv);
};

// All subcommands, in the order `lakepipe --help` lists them.
std::span<const Command> Commands();

Result<int> RunConvert(int argc, char** argv);
Result<int> RunInspect(int argc, char** argv);
Result<int> RunBroker(int argc, char** argv);
Result<int> RunRegistry(int argc, char** argv);
Result<int> RunProduce(int argc, char** argv);
Result<int> RunArchive(int argc, char** argv);
Result<int> RunCheck(int argc, char** argv);
Result<int> RunTransform(int argc, char** argv);
Result<int> RunRun(int argc, char** argv);
Result<int> RunSql(int argc, char** argv);
Result<int> RunLag(int argc, char** argv);
Result<int> RunTable(int argc, char** argv);

// Parses the subcommand name and dispatches.
int Main(int argc, char** argv);

}  // namespace lakepipe::cli

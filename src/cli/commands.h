// lakepipe's subcommands: a table of {name, summary, entry point}.
//
// Each entry point receives the arguments after the subcommand name
// (argv[0] is "lakepipe <name>") and returns the process exit status:
//   0 success, 1 failure, 2 usage error, 3 finished but records were rejected.
#pragma once

#include <span>
#include <string_view>

namespace lakepipe::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitRejected = 3;

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(int argc, char** argv);
};

// All subcommands, in the order `lakepipe --help` lists them.
std::span<const Command> Commands();

int RunConvert(int argc, char** argv);
int RunInspect(int argc, char** argv);
int RunBroker(int argc, char** argv);
int RunRegistry(int argc, char** argv);
int RunProduce(int argc, char** argv);
int RunArchive(int argc, char** argv);
int RunCheck(int argc, char** argv);
int RunTransform(int argc, char** argv);
int RunRun(int argc, char** argv);
int RunSql(int argc, char** argv);
int RunLag(int argc, char** argv);

// Parses the subcommand name and dispatches.
int Main(int argc, char** argv);

}  // namespace lakepipe::cli

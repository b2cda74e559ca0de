// Helpers shared by subcommands: option validation and error reporting.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "core/result.h"

namespace lakepipe::cli {

// Parses argv with CLI11; returns -1 to continue, or the exit status to
// return right away (help printed: 0; bad usage: 2 after printing why).
int ParseArgs(CLI::App& app, int argc, char** argv);

// Prints "lakepipe <command>: <status message>" to stderr and returns 1.
int ReportError(const std::string& command, const Status& status);

// A CLI11 validator for byte sizes ("64MiB").
CLI::Validator ByteSizeValidator();

}  // namespace lakepipe::cli

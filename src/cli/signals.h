// Graceful stop on SIGINT / SIGTERM for long-running commands.
#pragma once

#include <atomic>

namespace lakepipe::cli {

// Installs handlers for SIGINT and SIGTERM (once per process) and returns
// the flag they set. A second signal while stopping exits at once (status 130).
const std::atomic<bool>& StopRequested();

}  // namespace lakepipe::cli

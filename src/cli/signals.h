// Graceful stop on SIGINT / SIGTERM for long-running commands.
#pragma once

#include <signal.h>

#include <atomic>

namespace lakepipe::cli {

// Installs handlers for SIGINT and SIGTERM (once per process) and returns
// the flag they set. A second signal while stopping exits at once (status 130).
const std::atomic<bool>& StopRequested();

// For commands that serve until stopped (broker, registry): blocks SIGINT
// and SIGTERM in the calling thread when constructed, so that every thread
// started after it inherits the mask, and takes them with sigwait. Create
// it before starting the server's threads.
class StopSignals {
 public:
  StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  // Waits for SIGINT or SIGTERM; returns its name ("SIGINT", "SIGTERM").
  const char* Wait();

 private:
  sigset_t signals_;
};

}  // namespace lakepipe::cli

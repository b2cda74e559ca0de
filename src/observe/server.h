// StatusServer: the HTTP endpoints of --metrics-addr, served on a thread of
// its own:
//   /metrics      the Registry in the Prometheus text format
//   /status.json  the same figures as JSON, plus the command's status
//                 (partitions, tables...), health, recent events, uptime and
//                 the time (seconds since the epoch)
//   /healthz      200 "ok", or 503 with the reason the command gives
//   /             a status page (HTML and JavaScript in the binary, no
//                 network fetch) that refreshes itself from /status.json
//
// One thread serves every connection with poll(): a connection costs a
// buffer, not a thread, so idle or slow clients cannot delay the others.
// Each connection answers one GET or HEAD and closes.
//
// Thread-safety: the callbacks run on the server's thread; they must be
// safe to call while the command runs, and quick (they delay every client).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace lakepipe::observe {

struct Health {
  bool ok = true;
  std::string reason;  // why not, for /healthz and the page
};

struct ServerOptions {
  std::string address;                     // HOST:PORT; port 0 picks a free one
  std::string command;                     // "archive", "run", ... for the page's title
  std::function<Health()> health;          // default: ok
  std::function<nlohmann::json()> status;  // merged into /status.json
  // A client has this long from connecting to send its whole request (and
  // again to take the response); then the connection is closed. Idle and
  // slow clients (preconnects, slowloris) cannot hold the server.
  std::chrono::milliseconds request_timeout{2000};
  // Connections held at once. A new connection beyond it closes the oldest
  // one that has sent nothing yet, else the oldest still sending its request.
  size_t max_connections = 64;
};

// HOST and PORT of a --metrics-addr value; kInvalidArgument naming it
// when it is not HOST:PORT.
Result<std::pair<std::string, int>> ParseServerAddress(const std::string& address);

class StatusServer {
 public:
  // kInvalidArgument for an address that is not HOST:PORT;
  // kFailedPrecondition when the port is taken.
  static Result<std::unique_ptr<StatusServer>> Start(ServerOptions options);
  ~StatusServer();
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // http://HOST:PORT/ with the port actually bound.
  const std::string& url() const { return url_; }
  int port() const { return port_; }

 private:
  struct Impl;
  explicit StatusServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string url_;
  int port_ = 0;
};

// The status page (HTML with its script and styles inline).
const char* StatusPageHtml();

}  // namespace lakepipe::observe

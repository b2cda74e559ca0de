#include "observe/server.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>

#include "observe/metrics.h"

namespace lakepipe::observe {

struct StatusServer::Impl {
  ServerOptions options;
  httplib::Server server;
  std::thread thread;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();

  Health Check() const { return options.health ? options.health() : Health{}; }
};

StatusServer::StatusServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StatusServer::~StatusServer() {
  impl_->server.stop();
  if (impl_->thread.joinable()) impl_->thread.join();
}

Result<std::unique_ptr<StatusServer>> StatusServer::Start(ServerOptions options) {
  const size_t colon = options.address.rfind(':');
  int port = -1;
  std::string host;
  if (colon != std::string::npos && colon > 0) {
    host = options.address.substr(0, colon);
    try {
      size_t used = 0;
      port = std::stoi(options.address.substr(colon + 1), &used);
      if (used != options.address.size() - colon - 1) port = -1;
    } catch (const std::exception&) {
      port = -1;
    }
  }
  if (port < 0 || port > 65535) {
    return InvalidArgumentError("--metrics-addr '{}' is not HOST:PORT (e.g. 127.0.0.1:9464)",
                                options.address);
  }
  DescribeStandardMetrics();
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  Impl* im = impl.get();
  httplib::Server& s = im->server;
  s.Get("/metrics", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(Registry::Default().RenderPrometheus(), "text/plain; version=0.0.4");
  });
  s.Get("/status.json", [im](const httplib::Request&, httplib::Response& res) {
    nlohmann::json j = im->options.status ? im->options.status() : nlohmann::json::object();
    if (!j.is_object()) j = nlohmann::json::object();
    const Health h = im->Check();
    j["command"] = im->options.command;
    j["uptime_seconds"] =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - im->started).count();
    j["health"] = {{"ok", h.ok}, {"reason", h.reason}};
    j["metrics"] = Registry::Default().RenderJson();
    j["errors"] = Events::Default().Json();
    res.set_header("Cache-Control", "no-store");
    res.set_content(j.dump(), "application/json");
  });
  s.Get("/healthz", [im](const httplib::Request&, httplib::Response& res) {
    const Health h = im->Check();
    res.status = h.ok ? 200 : 503;
    res.set_content(h.ok ? "ok\n" : h.reason + "\n", "text/plain");
  });
  s.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(StatusPageHtml(), "text/html; charset=utf-8");
  });
  // httplib's default also sets SO_REUSEPORT, which would let a second
  // process share the port silently: address reuse only.
  s.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
  });
  // One request per connection: a client keeping its connection alive
  // would otherwise hold a server thread, and the command's exit, open.
  s.set_keep_alive_max_count(1);
  s.set_read_timeout(2, 0);
  int bound = port;
  if (port == 0) {
    bound = s.bind_to_any_port(host);
    if (bound < 0) {
      return FailedPreconditionError("--metrics-addr {}: cannot listen on {}", host, host);
    }
  } else if (!s.bind_to_port(host, port)) {
    return FailedPreconditionError(
        "--metrics-addr {}:{}: cannot listen there (the port is in use or the host is not "
        "local); give another HOST:PORT, or port 0 for any free one",
        host, port);
  }
  im->thread = std::thread([im] { im->server.listen_after_bind(); });
  // Serving before returning: a stop() before the loop starts would not
  // stop it.
  for (int i = 0; i < 500 && !im->server.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  std::unique_ptr<StatusServer> out(new StatusServer(std::move(impl)));
  out->port_ = bound;
  out->url_ = fmt::format("http://{}:{}/", host, bound);
  return out;
}

}  // namespace lakepipe::observe

#include "registry/dev_registry.h"

#include <httplib.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "registry/registry_api.h"

namespace lakepipe::registry {
namespace {

constexpr const char* kContentType = "application/vnd.schemaregistry.v1+json";

void Reply(const ApiReply& reply, httplib::Response* res) {
  res->status = reply.status;
  res->set_content(reply.body.dump(), kContentType);
}

bool QueryIsTrue(const httplib::Request& req, const char* name) {
  return req.has_param(name) && req.get_param_value(name) == "true";
}

// Routes each endpoint of registry_api.h to `api`.
void Route(httplib::Server& server, RegistryApi& api) {
  using Req = httplib::Request;
  using Res = httplib::Response;
  server.Get("/", [](const Req&, Res& res) { Reply(ApiReply{}, &res); });
  server.Get("/subjects", [&api](const Req&, Res& res) { Reply(api.Subjects(), &res); });
  server.Get("/schemas/types", [](const Req&, Res& res) {
    Reply(ApiReply{200, nlohmann::json::array({"AVRO"})}, &res);
  });
  server.Get(R"(/schemas/ids/([^/]+))",
             [&api](const Req& req, Res& res) { Reply(api.SchemaById(req.matches[1]), &res); });
  server.Post(R"(/subjects/(.+)/versions)", [&api](const Req& req, Res& res) {
    Reply(api.Register(req.matches[1], req.body), &res);
  });
  server.Get(R"(/subjects/(.+)/versions)",
             [&api](const Req& req, Res& res) { Reply(api.Versions(req.matches[1]), &res); });
  server.Get(R"(/subjects/(.+)/versions/([^/]+)/schema)", [&api](const Req& req, Res& res) {
    Reply(api.VersionSchema(req.matches[1], req.matches[2]), &res);
  });
  server.Get(R"(/subjects/(.+)/versions/([^/]+))", [&api](const Req& req, Res& res) {
    Reply(api.Version(req.matches[1], req.matches[2]), &res);
  });
  server.Post(R"(/subjects/(.+))", [&api](const Req& req, Res& res) {
    Reply(api.Lookup(req.matches[1], req.body), &res);
  });
  server.Delete(R"(/subjects/(.+))", [&api](const Req& req, Res& res) {
    Reply(api.DeleteSubject(req.matches[1]), &res);
  });
  server.Post(R"(/compatibility/subjects/(.+)/versions/([^/]+))", [&api](const Req& req, Res& res) {
    Reply(api.TestCompatibility(req.matches[1], req.matches[2], req.body,
                                QueryIsTrue(req, "verbose")),
          &res);
  });
  server.Post(R"(/compatibility/subjects/(.+)/versions)", [&api](const Req& req, Res& res) {
    Reply(api.TestCompatibility(req.matches[1], "", req.body, QueryIsTrue(req, "verbose")), &res);
  });
  server.Get("/config", [&api](const Req&, Res& res) { Reply(api.GetConfig("", true), &res); });
  server.Put("/config",
             [&api](const Req& req, Res& res) { Reply(api.SetConfig("", req.body), &res); });
  server.Get(R"(/config/(.+))", [&api](const Req& req, Res& res) {
    Reply(api.GetConfig(req.matches[1], QueryIsTrue(req, "defaultToGlobal")), &res);
  });
  server.Put(R"(/config/(.+))", [&api](const Req& req, Res& res) {
    Reply(api.SetConfig(req.matches[1], req.body), &res);
  });
  server.Delete(R"(/config/(.+))", [&api](const Req& req, Res& res) {
    Reply(api.DeleteConfig(req.matches[1]), &res);
  });
  server.set_error_handler([](const Req& req, Res& res) {
    if (!res.body.empty()) return;
    const std::string message =
        res.status == 404
            ? fmt::format("HTTP 404 Not Found: no endpoint {} {}", req.method, req.path)
            : fmt::format("HTTP {}", res.status);
    Reply(ApiReply{res.status, {{"error_code", res.status}, {"message", message}}}, &res);
  });
}

}  // namespace

struct DevRegistry::Impl {
  explicit Impl(CompatibilityLevel level) : api(level) {}
  ~Impl() {
    server.stop();
    if (thread.joinable()) thread.join();
  }

  RegistryApi api;
  httplib::Server server;
  std::thread thread;
};

Result<std::unique_ptr<DevRegistry>> DevRegistry::Start(DevRegistryOptions options) {
  auto impl = std::make_unique<Impl>(options.compatibility);
  Route(impl->server, impl->api);
  // SO_REUSEADDR only: cpp-httplib's default adds SO_REUSEPORT, which would
  // let a second registry share a port that is in use.
  impl->server.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  int port = options.port;
  if (port == 0) {
    port = impl->server.bind_to_any_port(options.host);
  } else if (!impl->server.bind_to_port(options.host, port)) {
    port = -1;
  }
  if (port <= 0) {
    return FailedPreconditionError(
        "cannot listen on {}:{}: the port is in use or the host is not an address of this "
        "machine; choose another --port (0 picks a free one) or --host",
        options.host, options.port);
  }
  impl->thread = std::thread([server = &impl->server] { server->listen_after_bind(); });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!impl->server.is_running()) {
    if (std::chrono::steady_clock::now() > deadline) {
      return InternalError("the schema registry on {}:{} did not start serving", options.host,
                           port);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const bool ipv6 = options.host.find(':') != std::string::npos;
  std::string url = ipv6 ? fmt::format("http://[{}]:{}", options.host, port)
                         : fmt::format("http://{}:{}", options.host, port);
  auto registry = std::unique_ptr<DevRegistry>(new DevRegistry(std::move(impl)));
  registry->url_ = std::move(url);
  return registry;
}

DevRegistry::DevRegistry(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

DevRegistry::~DevRegistry() = default;

}  // namespace lakepipe::registry

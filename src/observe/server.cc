#include "observe/server.h"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <list>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/unique_fd.h"
#include "observe/metrics.h"

namespace lakepipe::observe {
namespace {

using Clock = std::chrono::steady_clock;

// A request is a GET with a few headers; anything longer is refused.
constexpr size_t kMaxRequestBytes = 8192;
// The longest the loop sleeps without a deadline to watch.
constexpr int kIdlePollMs = 1000;

struct Response {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  bool no_store = false;
};

struct Connection {
  UniqueFd fd;
  Clock::time_point accepted;
  Clock::time_point deadline;  // for the request, then for the response
  std::string in;              // the request so far
  std::string out;             // the response, once the request is complete
  size_t sent = 0;
  bool responding = false;
};

std::string_view Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 431:
      return "Request Header Fields Too Large";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

std::string Serialize(const Response& r, bool head) {
  std::string out = fmt::format(
      "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n", r.status,
      Reason(r.status), r.content_type, r.body.size());
  if (r.no_store) out += "Cache-Control: no-store\r\n";
  if (r.status == 405) out += "Allow: GET, HEAD\r\n";
  out += "\r\n";
  if (!head) out += r.body;
  return out;
}

// The listening socket for HOST:PORT (non-blocking), and the port bound.
Result<std::pair<UniqueFd, int>> Listen(const std::string& host, int port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string service = std::to_string(port);
  if (int rc = getaddrinfo(host.empty() ? nullptr : host.c_str(), service.c_str(), &hints, &found);
      rc != 0) {
    return FailedPreconditionError("--metrics-addr {}:{}: cannot resolve '{}': {}", host, port,
                                   host, gai_strerror(rc));
  }
  std::string failure = "no address";
  for (addrinfo* a = found; a != nullptr; a = a->ai_next) {
    UniqueFd fd(
        socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (!fd.valid()) continue;
    // Address reuse only: SO_REUSEPORT would let a second process share the
    // port silently.
    int yes = 1;
    setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    if (bind(fd.get(), a->ai_addr, a->ai_addrlen) != 0 || listen(fd.get(), SOMAXCONN) != 0) {
      failure = std::strerror(errno);
      continue;
    }
    sockaddr_storage bound{};
    socklen_t len = sizeof(bound);
    getsockname(fd.get(), reinterpret_cast<sockaddr*>(&bound), &len);
    const int actual = bound.ss_family == AF_INET6
                           ? ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port)
                           : ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
    freeaddrinfo(found);
    return std::make_pair(std::move(fd), actual);
  }
  freeaddrinfo(found);
  return FailedPreconditionError(
      "--metrics-addr {}:{}: cannot listen there ({}: the port is in use or the host is not "
      "local); give another HOST:PORT, or port 0 for any free one",
      host, port, failure);
}

}  // namespace

// One thread serves every connection with poll(): a connection costs a
// buffer, not a thread, so idle clients cannot starve the others.
struct StatusServer::Impl {
  ServerOptions options;
  UniqueFd listener;
  UniqueFd wake_read, wake_write;  // a pipe that interrupts poll() for stop
  std::atomic<bool> stopping{false};
  std::thread thread;
  Clock::time_point started = Clock::now();
  std::list<Connection> connections;  // oldest first

  Health Check() const { return options.health ? options.health() : Health{}; }

  Response Route(std::string_view path) const {
    Response r;
    if (path == "/metrics") {
      r.body = Registry::Default().RenderPrometheus();
      r.content_type = "text/plain; version=0.0.4";
    } else if (path == "/status.json") {
      nlohmann::json j = options.status ? options.status() : nlohmann::json::object();
      if (!j.is_object()) j = nlohmann::json::object();
      const Health h = Check();
      j["command"] = options.command;
      j["uptime_seconds"] = std::chrono::duration<double>(Clock::now() - started).count();
      // The page's chart labels its time axis with the process's clock.
      j["time"] = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
                      .count();
      j["health"] = {{"ok", h.ok}, {"reason", h.reason}};
      j["metrics"] = Registry::Default().RenderJson();
      j["errors"] = Events::Default().Json();
      r.body = j.dump();
      r.content_type = "application/json";
      r.no_store = true;
    } else if (path == "/healthz") {
      const Health h = Check();
      r.status = h.ok ? 200 : 503;
      r.body = h.ok ? "ok\n" : h.reason + "\n";
    } else if (path == "/") {
      r.body = StatusPageHtml();
      r.content_type = "text/html; charset=utf-8";
    } else {
      r.status = 404;
      r.body = fmt::format("no such page: {} (try /, /metrics, /status.json, /healthz)\n", path);
    }
    return r;
  }

  // The response to a complete request head ("GET /path HTTP/1.1\r\n...").
  std::string Answer(std::string_view head) const {
    const size_t line_end = head.find("\r\n");
    const std::string_view line = head.substr(0, line_end);
    const size_t sp1 = line.find(' ');
    const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos) {
      return Serialize({400, "text/plain", "malformed request line\n", false}, false);
    }
    const std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    target = target.substr(0, target.find('?'));
    if (method != "GET" && method != "HEAD") {
      return Serialize({405, "text/plain", "only GET and HEAD are served\n", false}, false);
    }
    return Serialize(Route(target), method == "HEAD");
  }

  void Accept() {
    for (;;) {
      UniqueFd fd(accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!fd.valid()) return;  // EAGAIN, or a connection already gone
      if (connections.size() >= std::max<size_t>(options.max_connections, 1)) DropOne();
      const auto now = Clock::now();
      Connection& c = connections.emplace_back();
      c.fd = std::move(fd);
      c.accepted = now;
      c.deadline = now + options.request_timeout;
      // What it already sent is read now: connections accepted in one batch
      // would otherwise all look silent to DropOne(), so a client that sent
      // its request before a later one connected could be dropped for it.
      if (!Read(c)) connections.pop_back();
    }
  }

  // Makes room: the oldest connection that has sent nothing, else the
  // oldest still sending its request, else the oldest.
  void DropOne() {
    auto victim = std::find_if(connections.begin(), connections.end(),
                               [](const Connection& c) { return !c.responding && c.in.empty(); });
    if (victim == connections.end()) {
      victim = std::find_if(connections.begin(), connections.end(),
                            [](const Connection& c) { return !c.responding; });
    }
    if (victim == connections.end()) victim = connections.begin();
    connections.erase(victim);
  }

  // False when the connection is done (answered, closed or broken).
  bool Read(Connection& c) {
    char buffer[4096];
    for (;;) {
      const ssize_t n = recv(c.fd.get(), buffer, sizeof(buffer), 0);
      if (n == 0) return false;
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      c.in.append(buffer, static_cast<size_t>(n));
      const size_t end = c.in.find("\r\n\r\n");
      if (end != std::string::npos) {
        c.out = Answer(std::string_view(c.in).substr(0, end));
      } else if (c.in.size() > kMaxRequestBytes) {
        c.out = Serialize({431, "text/plain", "request too large\n", false}, false);
      } else {
        continue;
      }
      c.responding = true;
      c.deadline = Clock::now() + options.request_timeout;
      return Write(c);
    }
  }

  bool Write(Connection& c) {
    while (c.sent < c.out.size()) {
      const ssize_t n =
          send(c.fd.get(), c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
      if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
      c.sent += static_cast<size_t>(n);
    }
    // Unread bytes at close would make the kernel reset the connection,
    // which can destroy the response before the client reads it.
    char discard[4096];
    while (recv(c.fd.get(), discard, sizeof(discard), 0) > 0) {
    }
    shutdown(c.fd.get(), SHUT_WR);
    return false;
  }

  void Loop() {
    std::vector<pollfd> fds;
    while (!stopping.load()) {
      fds.clear();
      fds.push_back({wake_read.get(), POLLIN, 0});
      fds.push_back({listener.get(), POLLIN, 0});
      auto next = Clock::now() + std::chrono::milliseconds(kIdlePollMs);
      for (const Connection& c : connections) {
        fds.push_back({c.fd.get(), static_cast<short>(c.responding ? POLLOUT : POLLIN), 0});
        next = std::min(next, c.deadline);
      }
      const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - Clock::now());
      const int rc =
          poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(0, wait.count())));
      if (rc < 0 && errno != EINTR) break;
      const auto now = Clock::now();
      size_t i = 2;
      for (auto it = connections.begin(); it != connections.end(); ++i) {
        const short events = rc > 0 ? fds[i].revents : 0;
        bool keep = now < it->deadline;
        if (keep && events != 0) keep = it->responding ? Write(*it) : Read(*it);
        it = keep ? std::next(it) : connections.erase(it);
      }
      if (rc > 0 && (fds[1].revents & POLLIN) != 0) Accept();
    }
    connections.clear();
  }
};

StatusServer::StatusServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StatusServer::~StatusServer() {
  impl_->stopping.store(true);
  const char byte = 0;
  static_cast<void>(write(impl_->wake_write.get(), &byte, 1));
  if (impl_->thread.joinable()) impl_->thread.join();
}

Result<std::pair<std::string, int>> ParseServerAddress(const std::string& address) {
  const size_t colon = address.rfind(':');
  int port = -1;
  std::string host;
  if (colon != std::string::npos && colon > 0) {
    host = address.substr(0, colon);
    try {
      size_t used = 0;
      port = std::stoi(address.substr(colon + 1), &used);
      if (used != address.size() - colon - 1) port = -1;
    } catch (const std::exception&) {
      port = -1;
    }
  }
  if (port < 0 || port > 65535) {
    return InvalidArgumentError("--metrics-addr '{}' is not HOST:PORT (e.g. 127.0.0.1:9464)",
                                address);
  }
  return std::make_pair(host, port);
}

Result<std::unique_ptr<StatusServer>> StatusServer::Start(ServerOptions options) {
  LP_ASSIGN_OR_RETURN(const auto host_port, ParseServerAddress(options.address));
  const auto& [host, port] = host_port;
  if (options.request_timeout.count() <= 0) {
    return InvalidArgumentError("the status server's request timeout must be positive, got {} ms",
                                options.request_timeout.count());
  }
  DescribeStandardMetrics();
  auto impl = std::make_unique<Impl>();
  impl->options = std::move(options);
  LP_ASSIGN_OR_RETURN(auto listening, Listen(host, port));
  impl->listener = std::move(listening.first);
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC | O_NONBLOCK) != 0) {
    return InternalError("status server: cannot make a pipe: {}", std::strerror(errno));
  }
  impl->wake_read = UniqueFd(pipe_fds[0]);
  impl->wake_write = UniqueFd(pipe_fds[1]);
  Impl* im = impl.get();
  // Listening already: connections made before the loop starts wait in the
  // backlog.
  im->thread = std::thread([im] { im->Loop(); });
  std::unique_ptr<StatusServer> out(new StatusServer(std::move(impl)));
  out->port_ = listening.second;
  out->url_ = fmt::format("http://{}:{}/", host, listening.second);
  return out;
}

}  // namespace lakepipe::observe

#include "kafka/tcp_forwarder.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <list>
#include <vector>

namespace lakepipe::kafka {

struct TcpForwarder::Target {
  sockaddr_in address{};
  std::string name;  // "host:port", for messages
};

namespace {

constexpr size_t kBufferBytes = 64 * 1024;

// Bytes read from one socket and not yet written to the other.
struct Direction {
  std::array<char, kBufferBytes> data;
  size_t begin = 0;
  size_t end = 0;
  bool eof = false;  // the source closed its side

  bool empty() const { return begin == end; }
  bool full() const { return end == data.size(); }
};

struct Connection {
  UniqueFd client;
  UniqueFd upstream;
  Direction to_upstream;
  Direction to_client;
  bool failed = false;

  // Kafka clients and brokers never half-close: once a side closes and what it
  // sent was passed on, the connection is over.
  bool done() const {
    return failed || (to_upstream.eof && to_upstream.empty()) ||
           (to_client.eof && to_client.empty());
  }
};

void SetNonBlocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Reads from `from` into `d`; false on a socket error.
bool Fill(int from, Direction& d) {
  const ssize_t n = ::recv(from, d.data.data() + d.end, d.data.size() - d.end, 0);
  if (n > 0) {
    d.end += static_cast<size_t>(n);
    return true;
  }
  if (n == 0) {
    d.eof = true;
    return true;
  }
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

// Writes what `d` holds to `to`; false on a socket error.
bool Drain(int to, Direction& d) {
  const ssize_t n = ::send(to, d.data.data() + d.begin, d.end - d.begin, MSG_NOSIGNAL);
  if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  d.begin += static_cast<size_t>(n);
  if (d.begin == d.end) d.begin = d.end = 0;
  return true;
}

short WantedEvents(const Direction& in, const Direction& out) {
  short events = 0;
  if (!in.eof && !in.full()) events |= POLLIN;
  if (!out.empty()) events |= POLLOUT;
  return events;
}

// Moves data for one socket after poll(): `in` is filled from it, `out` drained to it.
bool Service(int fd, short revents, Direction& in, Direction& out) {
  if ((revents & (POLLNVAL | POLLERR)) != 0) return false;
  if ((revents & (POLLIN | POLLHUP)) != 0 && !in.eof && !in.full()) {
    if (!Fill(fd, in)) return false;
  }
  if ((revents & POLLOUT) != 0 && !out.empty()) {
    if (!Drain(fd, out)) return false;
  }
  return true;
}

}  // namespace

Result<std::unique_ptr<TcpForwarder>> TcpForwarder::Start(int port, const std::string& target_host,
                                                          int target_port) {
  if (port < 0 || port > 65535) {
    return InvalidArgumentError("port {} is out of range: use 0 to 65535", port);
  }
  if (target_port <= 0 || target_port > 65535) {
    return InvalidArgumentError("forwarding target port {} is out of range", target_port);
  }
  std::unique_ptr<TcpForwarder> f(new TcpForwarder());
  f->target_ = std::make_unique<Target>();
  f->target_->name = target_host + ":" + std::to_string(target_port);
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(target_host.c_str(), nullptr, &hints, &found) != 0 || found == nullptr) {
    return InvalidArgumentError("cannot resolve forwarding target '{}' to an IPv4 address",
                                target_host);
  }
  std::memcpy(&f->target_->address, found->ai_addr, sizeof(sockaddr_in));
  ::freeaddrinfo(found);
  f->target_->address.sin_port = htons(static_cast<uint16_t>(target_port));

  f->listener_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!f->listener_.valid()) return ErrnoError("socket", errno);
  const int one = 1;
  ::setsockopt(f->listener_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(f->listener_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) !=
      0) {
    const int err = errno;
    if (err == EADDRINUSE) {
      return FailedPreconditionError(
          "port {} on 127.0.0.1 is already in use; stop what listens there or choose another "
          "port",
          port);
    }
    return ErrnoError("binding 127.0.0.1:" + std::to_string(port), err);
  }
  if (::listen(f->listener_.get(), 64) != 0) return ErrnoError("listen", errno);
  socklen_t length = sizeof(address);
  if (::getsockname(f->listener_.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    return ErrnoError("getsockname", errno);
  }
  f->port_ = ntohs(address.sin_port);
  f->wake_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!f->wake_.valid()) return ErrnoError("eventfd", errno);
  f->thread_ = std::thread([self = f.get()] { self->Run(); });
  return f;
}

TcpForwarder::~TcpForwarder() {
  if (thread_.joinable()) {
    const uint64_t one = 1;
    const ssize_t written = ::write(wake_.get(), &one, sizeof(one));
    (void)written;  // an eventfd write of 1 cannot fail short of a bug
    thread_.join();
  }
}

void TcpForwarder::Run() {
  std::list<Connection> connections;
  std::vector<pollfd> fds;
  for (;;) {
    fds.clear();
    fds.push_back({wake_.get(), POLLIN, 0});
    fds.push_back({listener_.get(), POLLIN, 0});
    for (const Connection& c : connections) {
      fds.push_back({c.client.get(), WantedEvents(c.to_upstream, c.to_client), 0});
      fds.push_back({c.upstream.get(), WantedEvents(c.to_client, c.to_upstream), 0});
    }
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      std::fprintf(stderr, "lakepipe: kafka forwarder: poll failed: %s\n", std::strerror(errno));
      return;
    }
    if (fds[0].revents != 0) return;

    size_t i = 2;
    for (Connection& c : connections) {
      const short client_events = fds[i++].revents;
      const short upstream_events = fds[i++].revents;
      if (!Service(c.client.get(), client_events, c.to_upstream, c.to_client) ||
          !Service(c.upstream.get(), upstream_events, c.to_client, c.to_upstream)) {
        c.failed = true;
      }
    }
    connections.remove_if([](const Connection& c) { return c.done(); });

    if ((fds[1].revents & POLLIN) != 0) {
      UniqueFd client(::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK));
      if (!client.valid()) continue;
      // The target is on loopback, so a blocking connect returns at once.
      UniqueFd upstream(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
      if (!upstream.valid() ||
          ::connect(upstream.get(), reinterpret_cast<const sockaddr*>(&target_->address),
                    sizeof(target_->address)) != 0) {
        std::fprintf(stderr, "lakepipe: kafka forwarder: cannot connect to %s: %s\n",
                     target_->name.c_str(), std::strerror(errno));
        continue;  // closing `client` tells the peer
      }
      SetNonBlocking(upstream.get());
      const int one = 1;
      ::setsockopt(upstream.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      ::setsockopt(client.get(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      Connection& c = connections.emplace_back();
      c.client = std::move(client);
      c.upstream = std::move(upstream);
    }
  }
}

}  // namespace lakepipe::kafka

// TcpForwarder: accepts TCP connections on 127.0.0.1:PORT and relays each one,
// byte for byte in both directions, to a fixed target address. DevBroker uses
// it to give the mock cluster (whose ports librdkafka picks) a fixed
// bootstrap port.
//
// One thread runs a poll() loop over every socket; memory is bounded by two
// 64 KiB buffers per connection.
//
// Thread-safety: port() may be called from any thread; destruction stops the
// thread and closes every socket.
#pragma once

#include <memory>
#include <string>
#include <thread>

#include "core/result.h"

namespace lakepipe::kafka {

// Owns a file descriptor; closes it on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

class TcpForwarder {
 public:
  // Listens on 127.0.0.1:`port` (0 picks a free port) and relays connections
  // to `target_host`:`target_port` (an IPv4 address or a host name).
  // kFailedPrecondition when the port is already in use; kInvalidArgument for
  // a bad port or target.
  static Result<std::unique_ptr<TcpForwarder>> Start(int port, const std::string& target_host,
                                                     int target_port);
  ~TcpForwarder();
  TcpForwarder(const TcpForwarder&) = delete;
  TcpForwarder& operator=(const TcpForwarder&) = delete;

  // The port listened on.
  int port() const { return port_; }

 private:
  struct Target;
  TcpForwarder() = default;
  void Run();

  UniqueFd listener_;
  UniqueFd wake_;  // an eventfd: written once to stop Run()
  std::unique_ptr<Target> target_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace lakepipe::kafka

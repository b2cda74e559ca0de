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
#include "core/unique_fd.h"

namespace lakepipe::kafka {

using ::lakepipe::UniqueFd;

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

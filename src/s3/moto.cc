#include "s3/moto.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include <fmt/format.h>

#include "http/http_client.h"

namespace lakepipe::s3::testing {
namespace {

Result<int> FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return UnavailableError("socket: {}", std::strerror(errno));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return UnavailableError("finding a free port: {}", std::strerror(errno));
  }
  const int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

}  // namespace

s3::Credentials Moto::TestCredentials() {
  s3::Credentials c;
  c.access_key_id = "AKIDLAKEPIPETEST";
  c.secret_access_key = "lakepipe-test-secret";
  return c;
}

Result<std::unique_ptr<Moto>> Moto::Start() {
  if (std::system("command -v moto_server >/dev/null 2>&1") != 0) {
    return FailedPreconditionError(
        "moto_server is not installed: the S3 tests need it (pip install 'moto[server]')");
  }
  LP_ASSIGN_OR_RETURN(const int port, FreePort());
  std::unique_ptr<Moto> moto(new Moto());
  moto->endpoint_ = fmt::format("http://127.0.0.1:{}", port);
  const pid_t pid = fork();
  if (pid < 0) return UnavailableError("fork: {}", std::strerror(errno));
  if (pid == 0) {
    const std::string port_text = std::to_string(port);
    // Quiet: moto logs every request.
    if (freopen("/dev/null", "w", stderr) == nullptr) _exit(127);
    if (freopen("/dev/null", "w", stdout) == nullptr) _exit(127);
    execlp("moto_server", "moto_server", "-H", "127.0.0.1", "-p", port_text.c_str(),
           static_cast<char*>(nullptr));
    _exit(127);
  }
  moto->pid_ = pid;
  HttpClient http;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    HttpRequest request;
    request.url = moto->endpoint_ + "/moto-api/";
    request.timeout = std::chrono::seconds(2);
    if (auto response = http.Send(request); response.ok()) return moto;
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) {
      moto->pid_ = -1;
      return UnavailableError("moto_server exited at start (status {})", status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return UnavailableError("moto_server did not answer on {} within 30 s", moto->endpoint_);
}

Moto::~Moto() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

}  // namespace lakepipe::s3::testing

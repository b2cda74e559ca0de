#include "kafka/membership.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace lakepipe::kafka {
namespace {

bool IdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

constexpr int kMaxLeases = 64;

// The directory of the lock files, made if missing (mode 0700).
Result<std::string> LockDirectory() {
  std::string dir;
  if (const char* runtime = std::getenv("XDG_RUNTIME_DIR"); runtime != nullptr && *runtime) {
    dir = fmt::format("{}/lakepipe", runtime);
  } else {
    dir = fmt::format("/tmp/lakepipe-{}", getuid());
  }
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return UnavailableError("cannot make {} for the consumer instance locks: {}", dir,
                            std::strerror(errno));
  }
  return dir;
}

}  // namespace

Status ValidateGroupInstanceId(std::string_view id) {
  if (id.empty()) return InvalidArgumentError("a group.instance.id cannot be empty");
  if (id.size() > 249) {
    return InvalidArgumentError("group.instance.id '{}' is {} characters long; the limit is 249",
                                id, id.size());
  }
  for (const char c : id) {
    if (!IdChar(c)) {
      return InvalidArgumentError(
          "group.instance.id '{}' has the character '{}'; use only letters, digits, '.', '_' and "
          "'-'",
          id, c);
    }
  }
  return Status::OK();
}

std::string InstanceIdPiece(std::string_view text, size_t max) {
  std::string out;
  for (const char c : text.substr(0, max)) out += IdChar(c) ? c : '-';
  return out;
}

std::string HostIdPiece() {
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) != 0 || host[0] == '\0') return "localhost";
  return InstanceIdPiece(host, 64);
}

bool IsDevBrokerClusterId(std::string_view cluster_id) {
  return cluster_id.substr(0, 11) == "mockCluster";
}

Settings DevBrokerGroupSettings() {
  return {{"session.timeout.ms", "3000"}, {"heartbeat.interval.ms", "300"}};
}

Result<InstanceLease> InstanceLease::Acquire(std::string_view group, std::string_view base) {
  LP_RETURN_IF_ERROR(ValidateGroupInstanceId(base));
  LP_ASSIGN_OR_RETURN(const std::string dir, LockDirectory());
  for (int n = 1; n <= kMaxLeases; ++n) {
    std::string id = n == 1 ? std::string(base) : fmt::format("{}-{}", base, n);
    const std::string path =
        fmt::format("{}/{}.{}.lock", dir, InstanceIdPiece(group, 100), InstanceIdPiece(id, 140));
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
      return UnavailableError("cannot open the consumer instance lock {}: {}", path,
                              std::strerror(errno));
    }
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) return InstanceLease(std::move(id), fd);
    close(fd);
  }
  return FailedPreconditionError(
      "{} consumers of group '{}' named '{}' already run on this host; give this one its own "
      "instance id",
      kMaxLeases, group, base);
}

InstanceLease::InstanceLease(InstanceLease&& other) noexcept
    : id_(std::move(other.id_)), fd_(std::exchange(other.fd_, -1)) {}

InstanceLease& InstanceLease::operator=(InstanceLease&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    id_ = std::move(other.id_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

InstanceLease::~InstanceLease() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace lakepipe::kafka

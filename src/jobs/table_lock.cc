#include "jobs/table_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <thread>

#include <fmt/format.h>

namespace lakepipe::jobs {
namespace {

constexpr std::chrono::milliseconds kPollInterval{100};

// Who holds the flock of the file open as `fd`: "pid N: <command line>",
// from /proc/locks (the processes of this host and pid namespace). The lock
// file itself is never written, so a run with nothing to do changes nothing.
std::string Holder(int fd) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return "a process that cannot be named";
  const std::string inode = std::to_string(st.st_ino);
  std::ifstream locks("/proc/locks");
  std::string line;
  while (std::getline(locks, line)) {
    // "1: FLOCK  ADVISORY  WRITE 4242 fd:01:1234 0 EOF"; waiters have "->".
    std::istringstream fields(line);
    std::string id, type, mode, access, pid, where;
    fields >> id >> type >> mode >> access >> pid >> where;
    const size_t colon = where.rfind(':');
    if (type != "FLOCK" || colon == std::string::npos || where.substr(colon + 1) != inode) {
      continue;
    }
    std::ifstream cmdline("/proc/" + pid + "/cmdline");
    std::string command((std::istreambuf_iterator<char>(cmdline)),
                        std::istreambuf_iterator<char>());
    std::replace(command.begin(), command.end(), '\0', ' ');
    while (!command.empty() && command.back() == ' ') command.pop_back();
    return fmt::format("pid {}: {}", pid, command.empty() ? "?" : command);
  }
  return "a process this host does not show (on another host?)";
}

}  // namespace

Result<TableLock> TableLock::Acquire(const Lake& lake, const std::string& table,
                                     std::chrono::milliseconds wait) {
  if (lake.store().scheme() != "file") return TableLock(-1);  // see the header: S3
  const std::string path = lake.Path(Lake::LockPath(table));
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  if (ec) {
    return IoError("cannot create the directory of the lock file '{}': {}", path, ec.message());
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return ErrnoError(fmt::format("cannot open the lock file '{}'", path), errno);
  TableLock lock(fd);
  const auto deadline = std::chrono::steady_clock::now() + wait;
  while (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EINTR) continue;
    if (errno != EWOULDBLOCK) {
      return ErrnoError(fmt::format("cannot lock '{}'", path), errno);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return UnavailableError(
          "{} is being transformed by another run ({}; lock file {}), waited {} ms for it: let "
          "it finish, or give --wait-for-lock DURATION to wait longer; one transform per table "
          "runs at a time",
          table, Holder(fd), lake.Uri(path), wait.count());
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  return lock;
}

}  // namespace lakepipe::jobs

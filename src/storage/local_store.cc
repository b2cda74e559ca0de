#include "storage/local_store.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "core/unique_fd.h"

namespace lakepipe {
namespace {

class LocalInputFile final : public InputFile {
 public:
  LocalInputFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  const std::string& path() const override { return path_; }
  uint64_t size() const override { return size_; }

  Status ReadAt(uint64_t offset, size_t n, std::string* out) override {
    if (offset >= size_) {
      out->clear();
      return Status::OK();
    }
    n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
    out->resize(n);
    size_t done = 0;
    while (done < n) {
      ssize_t r =
          ::pread(fd_.get(), out->data() + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return ErrnoError(fmt::format("cannot read '{}'", path_), errno);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    out->resize(done);
    return Status::OK();
  }

 private:
  std::string path_;
  UniqueFd fd_;
  uint64_t size_;
};

// Buffers appends and writes them to a descriptor. Once a write failed the
// stream is broken: later appends and Commit() return that failure, so a
// file missing some of its bytes is never committed.
class BufferedOutputStream : public OutputStream {
 public:
  BufferedOutputStream(std::string path, int fd) : path_(std::move(path)), fd_(fd) {
    buffer_.reserve(kBufferSize);
  }

  const std::string& path() const override { return path_; }
  uint64_t position() const override { return position_; }

  Status Append(std::string_view data) override {
    if (done_) return FailedPreconditionError("'{}' is already committed or aborted", path_);
    if (!failed_.ok()) return failed_;
    position_ += data.size();
    if (buffer_.size() + data.size() <= kBufferSize) {
      buffer_.append(data.data(), data.size());
      return Status::OK();
    }
    LP_RETURN_IF_ERROR(Flush());
    if (data.size() >= kBufferSize) return WriteAll(data);
    buffer_.append(data.data(), data.size());
    return Status::OK();
  }

 protected:
  static constexpr size_t kBufferSize = 256 << 10;

  // Writes what is buffered; the first failure sticks.
  Status Flush() {
    if (!failed_.ok()) return failed_;
    if (buffer_.empty()) return Status::OK();
    Status st = WriteAll(buffer_);
    buffer_.clear();
    return st;
  }

  // Flushes and closes the descriptor, syncing it first when `sync`.
  Status FlushAndClose(bool sync) {
    Status st = FlushAndSync(sync);
    Status closed = Close();
    return st.ok() ? closed : st;
  }

  Status FlushAndSync(bool sync) {
    Status st = Flush();
    if (st.ok() && sync && ::fsync(fd_.get()) != 0) st = Fail("cannot sync", errno);
    return st;
  }

  Status Close() {
    if (fd_.get() >= 0 && ::close(fd_.release()) != 0) return Fail("cannot write", errno);
    return Status::OK();
  }

  Status Fail(std::string_view what, int errnum) {
    failed_ = ErrnoError(fmt::format("{} '{}'", what, path_), errnum);
    return failed_;
  }

  std::string path_;
  UniqueFd fd_;
  bool done_ = false;

 private:
  Status WriteAll(std::string_view data) {
    if (!failed_.ok()) return failed_;
    while (!data.empty()) {
      ssize_t w = ::write(fd_.get(), data.data(), data.size());
      if (w < 0) {
        if (errno == EINTR) continue;
        return Fail("cannot write", errno);
      }
      data.remove_prefix(static_cast<size_t>(w));
    }
    return Status::OK();
  }

  std::string buffer_;
  uint64_t position_ = 0;
  Status failed_;
};

// A regular file (new or replaced): written to a hidden temporary file and
// renamed over `target` on Commit(). The temporary file is locked (flock on
// its descriptor) until then, so that DeleteAbandoned() leaves it alone.
class AtomicFileStream final : public BufferedOutputStream {
 public:
  AtomicFileStream(std::string path, std::string target, std::string temp_path, int fd,
                   OutputOptions options)
      : BufferedOutputStream(std::move(path), fd),
        target_(std::move(target)),
        temp_path_(std::move(temp_path)),
        options_(std::move(options)) {}
  ~AtomicFileStream() override { Abort(); }

  Status Commit() override {
    if (done_) return FailedPreconditionError("'{}' is already committed or aborted", path_);
    // A second descriptor keeps the lock from the close (whose error is
    // reported before anything is visible) to the rename. Without one (no
    // descriptor left), the file is renamed first and closed after.
    UniqueFd hold(::fcntl(fd_.get(), F_DUPFD_CLOEXEC, 3));
    Status st = hold.get() >= 0 ? FlushAndClose(options_.sync) : FlushAndSync(options_.sync);
    if (st.ok()) st = CheckStillReplaceable(target_, path_);
    if (st.ok()) st = Rename();
    if (!st.ok()) {
      Abort();
      return st;
    }
    done_ = true;
    if (Status closed = Close(); !closed.ok()) return closed;
    if (options_.sync) SyncDirectory();
    return Status::OK();
  }

  void Abort() override {
    if (done_) return;
    done_ = true;
    fd_.reset();
    ::unlink(temp_path_.c_str());
  }

 private:
  // Refuses to rename over what is not a regular file (it became one after
  // OpenOutput() looked).
  static Status CheckStillReplaceable(const std::string& target, const std::string& path) {
    struct stat st;
    if (::lstat(target.c_str(), &st) != 0 || S_ISREG(st.st_mode)) return Status::OK();
    return FailedPreconditionError(
        "'{}' is no longer a regular file; it was left alone and nothing was written", path);
  }

  Status Rename() {
    if (options_.overwrite) {
      if (::rename(temp_path_.c_str(), target_.c_str()) != 0) return Fail("cannot write", errno);
      return Status::OK();
    }
    if (::renameat2(AT_FDCWD, temp_path_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE) !=
        0) {
      if (errno == EEXIST) return AlreadyExistsError("'{}' already exists", path_);
      return Fail("cannot write", errno);
    }
    return Status::OK();
  }

  void SyncDirectory() {
    std::string dir = std::filesystem::path(target_).parent_path().string();
    UniqueFd dfd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd.get() >= 0) ::fsync(dfd.get());
  }

  std::string target_;
  std::string temp_path_;
  OutputOptions options_;
};

// A character device, a FIFO or an inherited descriptor (/dev/stdout):
// written in place. Bytes written cannot be taken back, so Abort() only
// stops writing.
class InPlaceStream final : public BufferedOutputStream {
 public:
  InPlaceStream(std::string path, int fd, bool sync)
      : BufferedOutputStream(std::move(path), fd), sync_(sync) {}
  ~InPlaceStream() override { Abort(); }

  Status Commit() override {
    if (done_) return FailedPreconditionError("'{}' is already committed or aborted", path_);
    struct stat st;
    const bool regular = ::fstat(fd_.get(), &st) == 0 && S_ISREG(st.st_mode);
    done_ = true;
    return FlushAndClose(sync_ && regular);
  }

  void Abort() override {
    done_ = true;
    fd_.reset();
  }

 private:
  bool sync_;
};

// Where OpenOutput() writes. Symbolic links are followed to their final
// target: a regular file there is replaced atomically (the link stays), a
// missing one is created. Character devices, FIFOs and the process's own
// descriptors (/dev/stdout, /dev/stderr, /dev/fd/N) are written in place,
// never replaced. Anything else (a directory, a socket, a block device) is
// refused.
struct Destination {
  enum class Kind { kFile, kDevice, kDescriptor };
  Kind kind = Kind::kFile;
  std::string target;   // the path after following symbolic links
  int descriptor = -1;  // kDescriptor: the process's descriptor to write to
};

// The descriptor named by /dev/stdout, /dev/stderr, /dev/fd/N or
// /proc/self/fd/N; -1 for any other path. They are links to wherever the
// descriptor points (a pipe, a terminal, a file opened for appending), so
// they are written through the descriptor itself rather than resolved.
int InheritedDescriptor(std::string_view path) {
  if (path == "/dev/stdout") return 1;
  if (path == "/dev/stderr") return 2;
  for (std::string_view prefix : {"/dev/fd/", "/proc/self/fd/"}) {
    if (path.substr(0, prefix.size()) != prefix) continue;
    std::string_view digits = path.substr(prefix.size());
    if (digits.empty() || digits.size() > 6 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos) {
      return -1;
    }
    return std::stoi(std::string(digits));
  }
  return -1;
}

const char* FileTypeName(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

Result<Destination> ResolveDestination(const std::string& path) {
  constexpr int kMaxLinks = 40;  // as the kernel's ELOOP limit
  Destination dest;
  dest.target = path;
  for (int links = 0;; ++links) {
    if (int fd = InheritedDescriptor(dest.target); fd >= 0) {
      dest.kind = Destination::Kind::kDescriptor;
      dest.descriptor = fd;
      return dest;
    }
    struct stat st;
    if (::lstat(dest.target.c_str(), &st) != 0) {
      if (errno == ENOENT) return dest;  // a new file
      return ErrnoError(fmt::format("cannot write '{}'", path), errno);
    }
    if (S_ISREG(st.st_mode)) return dest;
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
      dest.kind = Destination::Kind::kDevice;
      return dest;
    }
    if (!S_ISLNK(st.st_mode)) {
      return InvalidArgumentError(
          "cannot write '{}': it is {}; outputs are regular files, character devices or FIFOs",
          path, FileTypeName(st.st_mode));
    }
    if (links == kMaxLinks) return ErrnoError(fmt::format("cannot write '{}'", path), ELOOP);
    std::string link(static_cast<size_t>(st.st_size > 0 ? st.st_size : 4096) + 1, '\0');
    const ssize_t n = ::readlink(dest.target.c_str(), link.data(), link.size());
    if (n < 0) return ErrnoError(fmt::format("cannot write '{}'", path), errno);
    link.resize(static_cast<size_t>(n));
    std::filesystem::path next{link};
    // Not normalised: "a/../b" must stay for the kernel to resolve through a link at "a".
    if (next.is_relative()) next = std::filesystem::path(dest.target).parent_path() / next;
    dest.target = next.string();
  }
}

// Makes sure `dir` exists: creates it (and its parents) when `create`, else
// names the outermost missing directory.
Status PrepareDirectory(const std::string& path, const std::filesystem::path& dir, bool create) {
  if (dir.empty()) return Status::OK();
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return Status::OK();
  if (create) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return IoError("cannot create directory '{}': {}", dir.string(), ec.message());
    return Status::OK();
  }
  std::filesystem::path missing = dir;
  while (missing.has_parent_path() && missing.parent_path() != missing &&
         !std::filesystem::exists(missing.parent_path(), ec)) {
    missing = missing.parent_path();
  }
  if (std::filesystem::exists(missing, ec)) {
    return InvalidArgumentError("cannot write '{}': '{}' is not a directory", path,
                                missing.string());
  }
  return NotFoundError("cannot write '{}': directory '{}' does not exist (create it first)", path,
                       missing.string());
}

class LocalObjectStore final : public ObjectStore {
 public:
  std::string_view scheme() const override { return "file"; }

  Result<std::unique_ptr<InputFile>> OpenInput(std::string_view path) override {
    std::string p(path);
    UniqueFd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      if (errno == ENOENT) return NotFoundError("'{}' does not exist", p);
      return ErrnoError(fmt::format("cannot open '{}'", p), errno);
    }
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return ErrnoError(fmt::format("cannot stat '{}'", p), errno);
    if (S_ISDIR(st.st_mode)) return InvalidArgumentError("'{}' is a directory, not a file", p);
    return std::unique_ptr<InputFile>(
        std::make_unique<LocalInputFile>(p, fd.release(), static_cast<uint64_t>(st.st_size)));
  }

  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override {
    // A prefix names a directory (everything below it) or a file name prefix in one.
    std::filesystem::path dir{std::string(prefix)};
    std::string want;
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      want = dir.string();
      dir = dir.parent_path();
      if (dir.empty()) dir = ".";
    }
    std::vector<ObjectInfo> out;
    if (!std::filesystem::is_directory(dir, ec)) return out;
    for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
         !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      std::string path = it->path().string();
      if (!want.empty() && path.compare(0, want.size(), want) != 0) continue;
      const uint64_t size = static_cast<uint64_t>(it->file_size(ec));
      out.push_back(ObjectInfo{std::move(path), size});
    }
    if (ec) return IoError("cannot list '{}': {}", dir.string(), ec.message());
    return out;
  }

  Status Delete(std::string_view path) override {
    std::string p(path);
    if (::unlink(p.c_str()) != 0 && errno != ENOENT) {
      return ErrnoError(fmt::format("cannot delete '{}'", p), errno);
    }
    return Status::OK();
  }

  // A file is deleted while this holds its lock, which a running writer
  // would hold (see AtomicFileStream and LockTemporary).
  Result<size_t> DeleteAbandoned(std::string_view prefix) override {
    LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> objects, List(prefix));
    size_t deleted = 0;
    for (const ObjectInfo& o : objects) {
      UniqueFd fd(::open(o.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (fd.get() < 0) {
        if (errno == ENOENT) continue;
        return ErrnoError(fmt::format("cannot open '{}'", o.path), errno);
      }
      if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) continue;  // a running writer's
        return ErrnoError(fmt::format("cannot lock '{}'", o.path), errno);
      }
      LP_RETURN_IF_ERROR(Delete(o.path));
      ++deleted;
    }
    return deleted;
  }

  Result<std::unique_ptr<OutputStream>> OpenOutput(std::string_view path,
                                                   const OutputOptions& options) override {
    std::string p(path);
    if (std::filesystem::path(p).filename().empty())
      return InvalidArgumentError("'{}' names a directory, not a file", path);
    LP_ASSIGN_OR_RETURN(Destination dest, ResolveDestination(p));
    if (dest.kind != Destination::Kind::kFile) {
      if (!options.overwrite) return AlreadyExistsError("'{}' already exists", p);
      return OpenInPlace(p, dest, options);
    }
    return OpenAtomic(p, dest.target, options);
  }

 private:
  static Result<std::unique_ptr<OutputStream>> OpenInPlace(const std::string& path,
                                                           const Destination& dest,
                                                           const OutputOptions& options) {
    // A FIFO waits here for its reader, as a shell redirection does.
    UniqueFd fd(dest.kind == Destination::Kind::kDescriptor
                    ? ::fcntl(dest.descriptor, F_DUPFD_CLOEXEC, 3)
                    : ::open(dest.target.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC));
    if (fd.get() < 0) return ErrnoError(fmt::format("cannot write '{}'", path), errno);
    return std::unique_ptr<OutputStream>(
        std::make_unique<InPlaceStream>(path, fd.release(), options.sync));
  }

  static Result<std::unique_ptr<OutputStream>> OpenAtomic(const std::string& path,
                                                          const std::string& target,
                                                          const OutputOptions& options) {
    const std::filesystem::path t{target};
    LP_RETURN_IF_ERROR(PrepareDirectory(path, t.parent_path(), options.create_parent_dirs));
    std::filesystem::path temp_dir = t.parent_path();
    if (!options.staging_dir.empty()) {
      temp_dir = options.staging_dir;
      LP_RETURN_IF_ERROR(PrepareDirectory(path, temp_dir, /*create=*/true));
    }
    const bool staged = !options.staging_dir.empty();
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    std::string temp;
    UniqueFd fd;
    // Another process may delete the new file before it is locked (it looked
    // abandoned), or remove its empty staging directory (see
    // RemoveEmptyDirectories): then again, under a new name.
    for (int attempt = 0; attempt < 4; ++attempt) {
      temp = (temp_dir / fmt::format(".{}.tmp-{:016x}", t.filename().string(), rng())).string();
      fd = UniqueFd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
      if (fd.get() < 0) {
        if (errno != ENOENT || !staged) break;
        LP_RETURN_IF_ERROR(PrepareDirectory(path, temp_dir, /*create=*/true));
        continue;
      }
      LP_ASSIGN_OR_RETURN(bool locked, LockTemporary(fd.get(), temp));
      if (locked) break;
      fd.reset();
      errno = ENOENT;
    }
    if (fd.get() < 0) return ErrnoError(fmt::format("cannot write '{}'", path), errno);
    return std::unique_ptr<OutputStream>(
        std::make_unique<AtomicFileStream>(path, target, temp, fd.release(), options));
  }

  // Locks the new temporary file open as `fd`; false when DeleteAbandoned()
  // deleted it before it was locked.
  static Result<bool> LockTemporary(int fd, const std::string& temp) {
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) return ErrnoError(fmt::format("cannot lock '{}'", temp), errno);
    }
    struct stat st;
    if (::fstat(fd, &st) != 0) return ErrnoError(fmt::format("cannot stat '{}'", temp), errno);
    return st.st_nlink > 0;
  }
};

}  // namespace

std::unique_ptr<ObjectStore> NewLocalObjectStore() { return std::make_unique<LocalObjectStore>(); }

}  // namespace lakepipe

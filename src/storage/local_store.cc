#include "storage/local_store.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <random>

#include <fmt/format.h>

namespace lakepipe {
namespace {

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) : fd_(fd) {}
  ~FileDescriptor() { Close(); }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  int get() const { return fd_; }
  int Release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

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
  FileDescriptor fd_;
  uint64_t size_;
};

class LocalOutputStream final : public OutputStream {
 public:
  LocalOutputStream(std::string path, std::string temp_path, int fd, OutputOptions options)
      : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd), options_(options) {
    buffer_.reserve(kBufferSize);
  }
  ~LocalOutputStream() override { Abort(); }

  const std::string& path() const override { return path_; }
  uint64_t position() const override { return position_; }

  Status Append(std::string_view data) override {
    if (done_) return FailedPreconditionError("'{}' is already committed or aborted", path_);
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

  Status Commit() override {
    if (done_) return FailedPreconditionError("'{}' is already committed or aborted", path_);
    Status st = Flush();
    if (st.ok() && options_.sync && ::fsync(fd_.get()) != 0) {
      st = ErrnoError(fmt::format("cannot sync '{}'", temp_path_), errno);
    }
    fd_.Close();
    if (st.ok()) {
      if (options_.overwrite) {
        if (::rename(temp_path_.c_str(), path_.c_str()) != 0) {
          st = ErrnoError(fmt::format("cannot rename '{}' to '{}'", temp_path_, path_), errno);
        }
      } else if (::renameat2(AT_FDCWD, temp_path_.c_str(), AT_FDCWD, path_.c_str(),
                             RENAME_NOREPLACE) != 0) {
        st = errno == EEXIST
                 ? AlreadyExistsError("'{}' already exists", path_)
                 : ErrnoError(fmt::format("cannot rename '{}' to '{}'", temp_path_, path_), errno);
      }
    }
    if (!st.ok()) {
      ::unlink(temp_path_.c_str());
      done_ = true;
      return st;
    }
    done_ = true;
    if (options_.sync) SyncDirectory();
    return Status::OK();
  }

  void Abort() override {
    if (done_) return;
    done_ = true;
    fd_.Close();
    ::unlink(temp_path_.c_str());
  }

 private:
  static constexpr size_t kBufferSize = 256 << 10;

  Status Flush() {
    if (buffer_.empty()) return Status::OK();
    Status st = WriteAll(buffer_);
    buffer_.clear();
    return st;
  }

  Status WriteAll(std::string_view data) {
    while (!data.empty()) {
      ssize_t w = ::write(fd_.get(), data.data(), data.size());
      if (w < 0) {
        if (errno == EINTR) continue;
        return ErrnoError(fmt::format("cannot write '{}'", temp_path_), errno);
      }
      data.remove_prefix(static_cast<size_t>(w));
    }
    return Status::OK();
  }

  void SyncDirectory() {
    std::string dir = std::filesystem::path(path_).parent_path().string();
    FileDescriptor dfd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dfd.get() >= 0) ::fsync(dfd.get());
  }

  std::string path_;
  std::string temp_path_;
  FileDescriptor fd_;
  OutputOptions options_;
  std::string buffer_;
  uint64_t position_ = 0;
  bool done_ = false;
};

class LocalObjectStore final : public ObjectStore {
 public:
  std::string_view scheme() const override { return "file"; }

  Result<std::unique_ptr<InputFile>> OpenInput(std::string_view path) override {
    std::string p(path);
    FileDescriptor fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      if (errno == ENOENT) return NotFoundError("'{}' does not exist", p);
      return ErrnoError(fmt::format("cannot open '{}'", p), errno);
    }
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) return ErrnoError(fmt::format("cannot stat '{}'", p), errno);
    if (S_ISDIR(st.st_mode)) return InvalidArgumentError("'{}' is a directory, not a file", p);
    return std::unique_ptr<InputFile>(
        std::make_unique<LocalInputFile>(p, fd.Release(), static_cast<uint64_t>(st.st_size)));
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

  Result<std::unique_ptr<OutputStream>> OpenOutput(std::string_view path,
                                                   const OutputOptions& options) override {
    std::filesystem::path p{std::string(path)};
    if (p.filename().empty())
      return InvalidArgumentError("'{}' names a directory, not a file", path);
    std::error_code ec;
    if (p.has_parent_path()) {
      std::filesystem::create_directories(p.parent_path(), ec);
      if (ec) {
        return IoError("cannot create directory '{}': {}", p.parent_path().string(), ec.message());
      }
    }
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    std::filesystem::path temp_dir = p.parent_path();
    if (!options.staging_dir.empty()) {
      temp_dir = options.staging_dir;
      std::filesystem::create_directories(temp_dir, ec);
      if (ec) return IoError("cannot create directory '{}': {}", temp_dir.string(), ec.message());
    }
    std::string temp =
        (temp_dir / fmt::format(".{}.tmp-{:016x}", p.filename().string(), rng())).string();
    FileDescriptor fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
    if (fd.get() < 0) return ErrnoError(fmt::format("cannot create '{}'", temp), errno);
    return std::unique_ptr<OutputStream>(
        std::make_unique<LocalOutputStream>(p.string(), temp, fd.Release(), options));
  }
};

}  // namespace

std::unique_ptr<ObjectStore> NewLocalObjectStore() { return std::make_unique<LocalObjectStore>(); }

}  // namespace lakepipe

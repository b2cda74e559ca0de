#include "storage/object_store.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "storage/object_store_conformance.h"

namespace lakepipe {
namespace {

namespace fs = std::filesystem;

using testing::ObjectStoreConformance;
INSTANTIATE_TEST_SUITE_P(File, ObjectStoreConformance,
                         ::testing::Values(testing::StoreUnderTest{
                             "file", [] { return "file://" + testing::MakeTempDir("store"); }}));

// What the local store adds to the contract.
class LocalStoreTest : public ::testing::Test {
 protected:
  void SetUp() override { root_ = testing::MakeTempDir("store"); }
  std::string Uri(const std::string& rel) { return "file://" + root_ + "/" + rel; }
  std::string root_;
};

TEST_F(LocalStoreTest, AbortLeavesNoTemporaryFile) {
  {
    ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(Uri("x.bin")));
    ASSERT_OK(out->Append("data"));
    out->Abort();
  }
  {
    ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(Uri("y.bin")));
    ASSERT_OK(out->Append("data"));
  }
  EXPECT_TRUE(fs::is_empty(root_)) << "temporary files were left in " << root_;
}

TEST_F(LocalStoreTest, BadSchemesAreNamed) {
  Status st = OpenInputFile("gopher://host/x").status();
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("gopher"), std::string::npos);
}

TEST_F(LocalStoreTest, StagesElsewhereUntilCommit) {
  ASSERT_OK_AND_ASSIGN(StoreLocation loc, ObjectStoreRegistry::Default().Resolve(Uri("t")));
  ObjectStore& store = *loc.store;
  OutputOptions staged;
  staged.staging_dir = root_ + "/_staging";
  ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(Uri("t/a/x.bin"), staged));
  ASSERT_OK(out->Append("xyz"));
  // The unfinished bytes live in the staging directory, not beside the object.
  ASSERT_OK_AND_ASSIGN(auto staging, store.List(root_ + "/_staging"));
  ASSERT_EQ(staging.size(), 1u);
  EXPECT_FALSE(fs::exists(root_ + "/t/a/x.bin"));
  ASSERT_OK(out->Commit());
  ASSERT_OK_AND_ASSIGN(auto after, store.List(root_ + "/_staging"));
  EXPECT_TRUE(after.empty());
  EXPECT_TRUE(fs::exists(root_ + "/t/a/x.bin"));
}

TEST_F(LocalStoreTest, EmptyDirectoriesAreRemovedUpToTheOneKept) {
  ASSERT_OK_AND_ASSIGN(StoreLocation loc, ObjectStoreRegistry::Default().Resolve(Uri("t")));
  fs::create_directories(root_ + "/lake/_meta/staging/a/p0");
  fs::create_directories(root_ + "/lake/_meta/staging/b/p1");
  std::ofstream(root_ + "/lake/_meta/staging/b/p1/file") << "x";
  // Up to the first that holds anything: a/p0 and a go, staging stays.
  RemoveEmptyDirectories(*loc.store, root_ + "/lake/_meta/staging/a/p0", root_ + "/lake");
  EXPECT_FALSE(fs::exists(root_ + "/lake/_meta/staging/a"));
  EXPECT_TRUE(fs::exists(root_ + "/lake/_meta/staging/b/p1/file"));
  // A directory holding a file stays.
  RemoveEmptyDirectories(*loc.store, root_ + "/lake/_meta/staging/b/p1", root_ + "/lake");
  EXPECT_TRUE(fs::exists(root_ + "/lake/_meta/staging/b/p1/file"));
  // Emptied, it goes, up to and not including the one kept.
  fs::remove(root_ + "/lake/_meta/staging/b/p1/file");
  RemoveEmptyDirectories(*loc.store, root_ + "/lake/_meta/staging/b/p1/", root_ + "/lake/");
  EXPECT_FALSE(fs::exists(root_ + "/lake/_meta"));
  EXPECT_TRUE(fs::is_directory(root_ + "/lake"));
  // Nothing outside the one kept.
  fs::create_directories(root_ + "/other/x");
  RemoveEmptyDirectories(*loc.store, root_ + "/other/x", root_ + "/lake");
  EXPECT_TRUE(fs::exists(root_ + "/other/x"));
}

TEST_F(LocalStoreTest, AStagingDirectoryRemovedWhileOpeningIsCreatedAgain) {
  OutputOptions staged;
  staged.staging_dir = root_ + "/_staging/p0";
  ASSERT_OK_AND_ASSIGN(auto first, OpenOutputStream(Uri("t/x.bin"), staged));
  ASSERT_OK(first->Commit());
  ASSERT_OK_AND_ASSIGN(StoreLocation loc, ObjectStoreRegistry::Default().Resolve(Uri("t")));
  RemoveEmptyDirectories(*loc.store, staged.staging_dir, root_);
  ASSERT_FALSE(fs::exists(root_ + "/_staging"));
  ASSERT_OK_AND_ASSIGN(auto second, OpenOutputStream(Uri("t/y.bin"), staged));
  ASSERT_OK(second->Append("y"));
  ASSERT_OK(second->Commit());
  EXPECT_TRUE(fs::exists(root_ + "/t/y.bin"));
}

// Another process writing into the staging directory keeps its file while
// it runs; once it is killed (kill -9: nothing of it runs), its file goes.
TEST_F(LocalStoreTest, DeleteAbandonedTakesOnlyTheFilesOfDeadWriters) {
  const std::string staging = root_ + "/_staging/p0";
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(ready[0]);
    OutputOptions staged;
    staged.staging_dir = staging;
    auto out = OpenOutputStream(Uri("t/x.bin"), staged);
    const bool ok = out.ok() && (*out)->Append(std::string(1 << 20, 'x')).ok();
    const char byte = ok ? '1' : '0';
    if (::write(ready[1], &byte, 1) != 1) ::_exit(2);
    ::pause();  // until killed, the stream open
    ::_exit(0);
  }
  ::close(ready[1]);
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::close(ready[0]);
  ASSERT_EQ(byte, '1') << "the child could not open its stream";
  ASSERT_OK_AND_ASSIGN(StoreLocation loc, ObjectStoreRegistry::Default().Resolve(Uri("t")));
  ASSERT_OK_AND_ASSIGN(auto staged_files, loc.store->List(staging));
  ASSERT_EQ(staged_files.size(), 1u);
  ASSERT_OK_AND_ASSIGN(size_t deleted, loc.store->DeleteAbandoned(staging));
  EXPECT_EQ(deleted, 0u) << "a running writer's file was deleted";
  EXPECT_TRUE(fs::exists(staged_files[0].path));
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_OK_AND_ASSIGN(deleted, loc.store->DeleteAbandoned(staging));
  EXPECT_EQ(deleted, 1u);
  EXPECT_FALSE(fs::exists(staged_files[0].path));
  EXPECT_FALSE(fs::exists(root_ + "/t/x.bin"));
}

TEST_F(LocalStoreTest, PlainPathsAreLocalFiles) {
  ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(root_ + "/plain.txt"));
  ASSERT_OK(out->Append("p"));
  ASSERT_OK(out->Commit());
  EXPECT_TRUE(fs::exists(root_ + "/plain.txt"));
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// Names in `dir`, hidden temporary files included.
std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

mode_t TypeOf(const std::string& path) {
  struct stat st;
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & S_IFMT;
}

// Reads `fd` until its writer closes it; gives up after `timeout_ms` without
// news (a writer that never came), so a broken store fails instead of hanging.
std::string DrainFifo(int fd, int timeout_ms) {
  std::string got;
  char buf[65536];
  for (;;) {
    struct pollfd p = {fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return got + "<timed out>";
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EAGAIN) continue;
    if (n <= 0) return got;
    got.append(buf, static_cast<size_t>(n));
  }
}

TEST_F(LocalStoreTest, WritesToAFifoInPlace) {
  const std::string fifo = root_ + "/out.fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  // The reading end, open before the writer comes (as a shell's reader would be).
  const int rfd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  ASSERT_GE(rfd, 0);
  std::string received;
  std::thread reader([&] { received = DrainFifo(rfd, 5000); });
  const std::string data = std::string(1 << 20, 'f') + "end";
  Status st;
  {
    auto out = OpenOutputStream(fifo);
    st = out.ok() ? (*out)->Append(data) : out.status();
    if (st.ok()) st = (*out)->Commit();
  }
  reader.join();
  ::close(rfd);
  EXPECT_OK(st);
  EXPECT_EQ(received.size(), data.size());
  EXPECT_TRUE(received == data);
  EXPECT_EQ(TypeOf(fifo), S_IFIFO) << "the FIFO was replaced";
  EXPECT_EQ(Names(root_), std::vector<std::string>{"out.fifo"});
}

TEST_F(LocalStoreTest, WritesToAnInheritedDescriptorInPlace) {
  // /dev/fd/N (like /dev/stdout) is written through the descriptor itself.
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  {
    ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream("/dev/fd/" + std::to_string(fds[1])));
    ASSERT_OK(out->Append("through the pipe"));
    ASSERT_OK(out->Commit());
  }
  ASSERT_EQ(::close(fds[1]), 0) << "the caller's descriptor stays open";
  char buf[64];
  const ssize_t n = ::read(fds[0], buf, sizeof buf);
  ::close(fds[0]);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, static_cast<size_t>(n)), "through the pipe");
}

TEST_F(LocalStoreTest, WritesToACharacterDeviceInPlace) {
  // Twins of /dev/null and /dev/full (we run as root; never the real ones).
  const std::string null_dev = root_ + "/null";
  const std::string full_dev = root_ + "/full";
  ASSERT_EQ(::mknod(null_dev.c_str(), S_IFCHR | 0666, makedev(1, 3)), 0) << std::strerror(errno);
  ASSERT_EQ(::mknod(full_dev.c_str(), S_IFCHR | 0666, makedev(1, 7)), 0) << std::strerror(errno);
  {
    ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(null_dev));
    ASSERT_OK(out->Append("discarded"));
    ASSERT_OK(out->Commit());
  }
  {
    ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(full_dev));
    Status st = out->Append("no room");
    if (st.ok()) st = out->Commit();
    EXPECT_EQ(st.code(), StatusCode::kIoError) << st.ToString();
    EXPECT_NE(st.message().find("No space left on device"), std::string::npos) << st.ToString();
    EXPECT_NE(st.message().find("'" + full_dev + "'"), std::string::npos) << st.ToString();
  }
  EXPECT_EQ(TypeOf(null_dev), S_IFCHR) << "the device was replaced";
  EXPECT_EQ(TypeOf(full_dev), S_IFCHR) << "the device was replaced";
  EXPECT_EQ(Names(root_), (std::vector<std::string>{"full", "null"}));
}

TEST_F(LocalStoreTest, FollowsSymlinksAndReplacesTheirTarget) {
  fs::create_directory(root_ + "/real");
  std::ofstream(root_ + "/real/data.txt") << "old";
  fs::create_symlink("real/data.txt", root_ + "/link.txt");
  fs::create_symlink("link.txt", root_ + "/link2.txt");
  fs::create_symlink("real/new.txt", root_ + "/dangling.txt");
  ASSERT_OK(WriteWholeFile(root_ + "/link2.txt", "new"));
  ASSERT_OK(WriteWholeFile(root_ + "/dangling.txt", "created"));
  EXPECT_EQ(TypeOf(root_ + "/link.txt"), S_IFLNK);
  EXPECT_EQ(TypeOf(root_ + "/link2.txt"), S_IFLNK);
  EXPECT_EQ(TypeOf(root_ + "/dangling.txt"), S_IFLNK);
  EXPECT_EQ(Slurp(root_ + "/real/data.txt"), "new");
  EXPECT_EQ(Slurp(root_ + "/real/new.txt"), "created");
  EXPECT_EQ(Names(root_ + "/real"), (std::vector<std::string>{"data.txt", "new.txt"}));
  EXPECT_EQ(Names(root_),
            (std::vector<std::string>{"dangling.txt", "link.txt", "link2.txt", "real"}));

  fs::create_symlink("loop.txt", root_ + "/loop.txt");
  Status st = WriteWholeFile(root_ + "/loop.txt", "x");
  EXPECT_FALSE(st.ok());
  EXPECT_NE(st.message().find(root_ + "/loop.txt"), std::string::npos) << st.ToString();
}

TEST_F(LocalStoreTest, RefusesADirectory) {
  fs::create_directory(root_ + "/dir");
  Status st = WriteWholeFile(root_ + "/dir", "x");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << st.ToString();
  EXPECT_TRUE(fs::is_directory(root_ + "/dir"));
}

// Makes writes past `bytes` fail with EFBIG for as long as it lives, as a
// full disk would (SIGXFSZ ignored, so write() reports the error instead).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    old_handler_ = ::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &old_);
    struct rlimit lim = old_;
    lim.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lim);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    ::signal(SIGXFSZ, old_handler_);
  }

 private:
  struct rlimit old_;
  sighandler_t old_handler_;
};

TEST_F(LocalStoreTest, AStreamWhoseWriteFailedCanOnlyAbort) {
  const std::string path = root_ + "/cut.jsonl";
  ASSERT_OK_AND_ASSIGN(auto out, OpenOutputStream(path));
  {
    FileSizeLimit limit(8192);
    Status st = out->Append(std::string(600 << 10, 'a'));
    ASSERT_FALSE(st.ok()) << "the write past the limit should fail";
    EXPECT_NE(st.message().find("'" + path + "'"), std::string::npos) << st.ToString();
    EXPECT_EQ(st.message().find(".tmp-"), std::string::npos) << st.ToString();
  }
  // Room again (another file was deleted): the stream still must not commit.
  EXPECT_FALSE(out->Append("tail\n").ok());
  Status st = out->Commit();
  EXPECT_FALSE(st.ok()) << "a stream that lost bytes was committed";
  EXPECT_NE(st.message().find("'" + path + "'"), std::string::npos) << st.ToString();
  EXPECT_EQ(st.message().find(".tmp-"), std::string::npos) << st.ToString();
  EXPECT_FALSE(fs::exists(path));
  EXPECT_TRUE(fs::is_empty(root_)) << "temporary files were left in " << root_;
}

TEST_F(LocalStoreTest, MissingDirectoriesAreCreatedOnlyWhenAsked) {
  OutputOptions no_dirs;
  no_dirs.create_parent_dirs = false;
  const std::string path = root_ + "/missing/sub/out.bin";
  Result<std::unique_ptr<OutputStream>> out = OpenOutputStream(path, no_dirs);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.status().code(), StatusCode::kNotFound) << out.status().ToString();
  EXPECT_NE(out.status().message().find("'" + root_ + "/missing'"), std::string::npos)
      << out.status().ToString();
  EXPECT_NE(out.status().message().find(path), std::string::npos) << out.status().ToString();
  EXPECT_FALSE(fs::exists(root_ + "/missing"));

  ASSERT_OK_AND_ASSIGN(auto made, OpenOutputStream(path));
  ASSERT_OK(made->Append("x"));
  ASSERT_OK(made->Commit());
  EXPECT_EQ(Slurp(path), "x");
}

TEST(ObjectStoreRegistryTest, RegisteringASchemeAgainReplacesIt) {
  ObjectStoreRegistry registry;
  int first = 0, second = 0;
  registry.Register("mem", [&](std::string_view) -> Result<std::unique_ptr<ObjectStore>> {
    ++first;
    return InvalidArgumentError("first");
  });
  registry.Register("mem", [&](std::string_view) -> Result<std::unique_ptr<ObjectStore>> {
    ++second;
    return InvalidArgumentError("second");
  });
  EXPECT_EQ(registry.Resolve("mem://x/y").status().message(), "second");
  EXPECT_EQ(first, 0);
  EXPECT_EQ(second, 1);
}

}  // namespace
}  // namespace lakepipe

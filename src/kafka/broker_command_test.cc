// Runs `lakepipe broker` as a child process and uses it as a Kafka cluster.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "kafka/metadata.h"
#include "kafka/producer.h"
#include "kafka/tcp_forwarder.h"
#include "kafka/test_consumer.h"

namespace lakepipe::kafka {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// $LAKEPIPE_BINARY, else the lakepipe binary of the build tree this test is in.
std::string LakepipeBinary() {
  if (const char* env = std::getenv("LAKEPIPE_BINARY"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  return (self.parent_path() / ".." / ".." / "lakepipe").lexically_normal().string();
}

// A child process with its stdout and stderr on pipes.
class Child {
 public:
  explicit Child(const std::vector<std::string>& args) {
    int out[2] = {-1, -1};
    int err[2] = {-1, -1};
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return;
    stdout_.reset(out[0]);
    stderr_.reset(err[0]);
    UniqueFd out_w(out[1]);
    UniqueFd err_w(err[1]);
    std::vector<std::string> argv_strings = {LakepipeBinary()};
    argv_strings.insert(argv_strings.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (std::string& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::dup2(out_w.get(), STDOUT_FILENO);
      ::dup2(err_w.get(), STDERR_FILENO);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
  }
  ~Child() {
    if (pid_ > 0 && !exited_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }

  bool started() const { return pid_ > 0; }
  void Signal(int sig) { ::kill(pid_, sig); }

  // One line from stdout or stderr, without the newline; nullopt on timeout or EOF.
  std::optional<std::string> ReadLine(bool from_stderr, milliseconds timeout) {
    std::string& pending = from_stderr ? err_pending_ : out_pending_;
    const int fd = from_stderr ? stderr_.get() : stdout_.get();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      if (const size_t nl = pending.find('\n'); nl != std::string::npos) {
        std::string line = pending.substr(0, nl);
        pending.erase(0, nl + 1);
        return line;
      }
      const auto left =
          std::chrono::duration_cast<milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return std::nullopt;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) return std::nullopt;
      char buf[4096];
      const ssize_t n = ::read(fd, buf, sizeof(buf));
      if (n <= 0) return std::nullopt;
      pending.append(buf, static_cast<size_t>(n));
    }
  }

  // Every line left on stdout or stderr until the child closes it.
  std::string ReadAll(bool from_stderr, milliseconds timeout) {
    std::string all;
    while (std::optional<std::string> line = ReadLine(from_stderr, timeout)) all += *line + "\n";
    return all + (from_stderr ? err_pending_ : out_pending_);
  }

  // The exit status, or -1 if the child does not exit within `timeout`.
  int Wait(milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    return -1;
  }

 private:
  pid_t pid_ = -1;
  bool exited_ = false;
  UniqueFd stdout_;
  UniqueFd stderr_;
  std::string out_pending_;
  std::string err_pending_;
};

TEST(BrokerCommandTest, ServesProduceAndConsumeThenStopsOnSigterm) {
  ASSERT_TRUE(std::filesystem::exists(LakepipeBinary())) << LakepipeBinary();
  Child broker({"broker", "--topic", "t", "--partitions", "3"});
  ASSERT_TRUE(broker.started());
  const std::string bootstrap = broker.ReadLine(false, seconds(20)).value_or("");
  ASSERT_EQ(bootstrap.rfind("127.0.0.1:", 0), 0u) << "first stdout line: '" << bootstrap << "'";
  const std::string banner = broker.ReadLine(true, seconds(5)).value_or("");
  EXPECT_NE(banner.find("in memory"), std::string::npos) << banner;
  EXPECT_NE(banner.find("5 MB"), std::string::npos) << banner;
  EXPECT_NE(banner.find("development and tests only"), std::string::npos) << banner;

  ASSERT_OK_AND_ASSIGN(int partitions, TopicPartitions(bootstrap, "t", {}, seconds(10)));
  EXPECT_EQ(partitions, 3);
  ASSERT_OK_AND_ASSIGN(auto producer, Producer::Make({.brokers = bootstrap}));
  for (int i = 0; i < 1000; ++i) {
    ASSERT_OK(producer->Produce("t", fmt::format("k{}", i % 10), fmt::format("v{}", i)));
  }
  ASSERT_OK(producer->Flush(seconds(30)));
  EXPECT_EQ(producer->stats().delivered, 1000u);
  ASSERT_OK_AND_ASSIGN(auto records, testing::ConsumeAll(bootstrap, "t", 1000, seconds(30)));
  EXPECT_EQ(records.size(), 1000u);
  producer.reset();

  broker.Signal(SIGTERM);
  EXPECT_EQ(broker.Wait(seconds(20)), 0);
}

TEST(BrokerCommandTest, FixedPortAndSigint) {
  // A free port: bind one, note it, release it.
  int port = 0;
  {
    auto probe = TcpForwarder::Start(0, "127.0.0.1", 1);
    ASSERT_OK(probe);
    port = (*probe)->port();
  }
  Child broker({"broker", "--port", std::to_string(port), "--brokers", "2"});
  const std::string bootstrap = broker.ReadLine(false, seconds(20)).value_or("");
  EXPECT_EQ(bootstrap, fmt::format("127.0.0.1:{}", port));
  ASSERT_OK_AND_ASSIGN(auto producer, Producer::Make({.brokers = bootstrap}));
  ASSERT_OK(producer->Produce("auto", "k", "v"));
  ASSERT_OK(producer->Flush(seconds(30)));
  producer.reset();
  broker.Signal(SIGINT);
  EXPECT_EQ(broker.Wait(seconds(20)), 0);
}

TEST(BrokerCommandTest, HelpSaysInMemoryAndDevOnly) {
  Child help({"broker", "--help"});
  const std::string text = help.ReadAll(false, seconds(10));
  EXPECT_EQ(help.Wait(seconds(10)), 0);
  EXPECT_NE(text.find("in memory"), std::string::npos) << text;
  EXPECT_NE(text.find("5 MB"), std::string::npos) << text;
  EXPECT_NE(text.find("development and tests only"), std::string::npos) << text;
}

TEST(BrokerCommandTest, BadFlagsAreUsageErrors) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"broker", "--partitions", "0"}, "--partitions"},
      {{"broker", "--brokers", "0"}, "--brokers"},
      {{"broker", "--port", "70000"}, "--port"},
      {{"broker", "--topic", "a b"}, "'a b'"},
  };
  for (const auto& [args, mention] : cases) {
    Child c(args);
    const std::string err = c.ReadAll(true, seconds(10));
    EXPECT_EQ(c.Wait(seconds(10)), 2) << args.back();
    EXPECT_NE(err.find(mention), std::string::npos) << err;
  }
}

TEST(BrokerCommandTest, TakenPortFails) {
  auto taken = TcpForwarder::Start(0, "127.0.0.1", 1);
  ASSERT_OK(taken);
  Child c({"broker", "--port", std::to_string((*taken)->port())});
  const std::string err = c.ReadAll(true, seconds(10));
  EXPECT_EQ(c.Wait(seconds(10)), 1);
  EXPECT_NE(err.find("already in use"), std::string::npos) << err;
}

}  // namespace
}  // namespace lakepipe::kafka

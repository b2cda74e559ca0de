// lakepipe broker: a Kafka broker for development and tests (librdkafka's
// mock cluster), running until SIGINT or SIGTERM.
#include <charconv>
#include <cstdio>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/signals.h"
#include "kafka/dev_broker.h"
#include "kafka/topic_name.h"

namespace lakepipe::cli {
namespace {

std::string DescribeTopics(const kafka::DevBrokerOptions& o) {
  if (o.topics.empty()) return "no topics yet (producers auto-create topics with few partitions)";
  std::string out = "topics ";
  for (size_t i = 0; i < o.topics.size(); ++i) {
    if (i > 0) out += ", ";
    out += o.topics[i];
  }
  return out + fmt::format(" ({} partitions each)", o.partitions);
}

// A whole number of at least 1, with a plain message otherwise.
CLI::Validator AtLeastOne() {
  return CLI::Validator(
      [](std::string& value) -> std::string {
        int n = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec != std::errc() || end != value.data() + value.size() || n < 1) {
          return "must be a whole number of at least 1, got '" + value + "'";
        }
        return "";
      },
      "");
}

}  // namespace

Result<int> RunBroker(int argc, char** argv) {
  CLI::App app(
      "Run a Kafka broker for development and tests: librdkafka's mock cluster, speaking the "
      "real Kafka protocol on 127.0.0.1, so any Kafka client can use it. Data is kept in memory "
      "only, about 5 MB per partition: older data is dropped (like retention) and everything is "
      "gone when the broker stops. For development and tests only, never for production.\n\n"
      "The first line on stdout is the bootstrap address (bootstrap.servers), printed once the "
      "topics exist. Runs until Ctrl-C or SIGTERM, then exits 0.",
      "lakepipe broker");
  kafka::DevBrokerOptions options;
  app.add_option("--port", options.port,
                 "Bootstrap port on 127.0.0.1; 0 picks a free one. Clients bootstrap there, then "
                 "connect to the ports the brokers advertise")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  app.add_option("--brokers", options.brokers, "Number of brokers in the cluster (at least 1)")
      ->check(AtLeastOne())
      ->capture_default_str();
  app.add_option("--partitions", options.partitions, "Partitions of each --topic (at least 1)")
      ->check(AtLeastOne())
      ->capture_default_str();
  app.add_option("--topic", options.topics, "Create this topic; repeat for more");
  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  const std::string cmd = "lakepipe broker";
  for (const std::string& topic : options.topics) {
    if (Status valid = kafka::ValidateTopicName(topic); !valid.ok()) {
      fmt::print(stderr, "{}: --topic: {}\n", cmd, valid.message());
      return kExitUsage;
    }
  }

  // Before the server starts, so that its threads inherit the mask.
  StopSignals stop_signals;

  Result<std::unique_ptr<kafka::DevBroker>> broker = kafka::DevBroker::Start(options);
  if (!broker.ok()) return broker.status();
  fmt::print("{}\n", (*broker)->bootstrap());
  std::fflush(stdout);
  fmt::print(stderr,
             "{}: Kafka dev broker at {} ({} broker{}; {}). Data is {}. For development and "
             "tests only. Stop with Ctrl-C or SIGTERM.\n",
             cmd, (*broker)->bootstrap(), options.brokers, options.brokers == 1 ? "" : "s",
             DescribeTopics(options), kafka::kDevBrokerRetention);
  std::fflush(stderr);

  fmt::print(stderr, "{}: stopping on {}\n", cmd, stop_signals.Wait());
  broker->reset();
  return kExitOk;
}

}  // namespace lakepipe::cli

#include "kafka/dev_broker.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include <fmt/format.h>

#include "kafka/tcp_forwarder.h"
#include "kafka/topic_name.h"

namespace lakepipe::kafka {

Result<std::unique_ptr<DevBroker>> DevBroker::Start(const DevBrokerOptions& options) {
  if (options.brokers < 1) {
    return InvalidArgumentError("dev broker count must be at least 1, got {}", options.brokers);
  }
  if (options.partitions < 1) {
    return InvalidArgumentError("partition count must be at least 1, got {}", options.partitions);
  }
  if (options.port < 0 || options.port > 65535) {
    return InvalidArgumentError("port must be 0 to 65535, got {}", options.port);
  }
  for (const std::string& topic : options.topics) LP_RETURN_IF_ERROR(ValidateTopicName(topic));
  // The mock cluster needs a client to host it; this one never connects anywhere.
  LP_ASSIGN_OR_RETURN(ConfHandle conf, MakeConf({}));
  std::unique_ptr<DevBroker> broker(new DevBroker());
  broker->brokers_ = options.brokers;
  LP_ASSIGN_OR_RETURN(broker->client_, NewClient(RD_KAFKA_PRODUCER, conf));
  broker->mock_.reset(rd_kafka_mock_cluster_new(broker->client_.get(), options.brokers));
  if (!broker->mock_) {
    return UnavailableError("cannot start the Kafka dev broker ({} brokers) on loopback",
                            options.brokers);
  }
  broker->bootstrap_ = rd_kafka_mock_cluster_bootstraps(broker->mock_.get());
  if (options.port != 0) {
    // The first broker: "host:port" up to the first comma.
    const std::string_view all = broker->bootstrap_;
    const std::string_view first = all.substr(0, all.find(','));
    const size_t colon = first.rfind(':');
    if (colon == std::string_view::npos) {
      return InternalError("unexpected mock cluster address '{}'", all);
    }
    const std::string host(first.substr(0, colon));
    const std::string_view port_text = first.substr(colon + 1);
    int first_port = 0;
    const auto parsed =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), first_port);
    if (parsed.ec != std::errc()) {
      return InternalError("unexpected mock cluster address '{}'", all);
    }
    LP_ASSIGN_OR_RETURN(broker->forwarder_, TcpForwarder::Start(options.port, host, first_port));
    broker->bootstrap_ = fmt::format("127.0.0.1:{}", broker->forwarder_->port());
  }
  for (const std::string& topic : options.topics) {
    LP_RETURN_IF_ERROR(broker->CreateTopic(topic, options.partitions));
  }
  return broker;
}

DevBroker::~DevBroker() {
  // Clients first lose the bootstrap port, then the brokers, then the host client.
  forwarder_.reset();
  mock_.reset();
  client_.reset();
}

Status DevBroker::CreateTopic(const std::string& topic, int partitions) {
  LP_RETURN_IF_ERROR(ValidateTopicName(topic));
  if (partitions < 1) {
    return InvalidArgumentError("topic '{}': partition count must be at least 1, got {}", topic,
                                partitions);
  }
  const int replication = std::min(brokers_, 3);
  const rd_kafka_resp_err_t err =
      rd_kafka_mock_topic_create(mock_.get(), topic.c_str(), partitions, replication);
  if (err == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    return AlreadyExistsError("Kafka topic '{}' already exists on the dev broker", topic);
  }
  return KafkaError(err,
                    fmt::format("creating Kafka topic '{}' with {} partitions", topic, partitions));
}

}  // namespace lakepipe::kafka

// DevBroker: a Kafka cluster for development and tests, in this process.
//
// It is librdkafka's mock cluster: the real Kafka protocol on loopback, so
// any Kafka client (librdkafka, kcat, kafkajs) can use it, with producers
// (idempotent too), consumers, consumer groups and offset commits. Data lives
// in memory only: about 5 MB of stored (compressed) batches per partition;
// beyond that the oldest batches are dropped and the log start offset moves,
// like retention. The first consumer-group join takes about 3 s (the initial
// rebalance delay). Not for production.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "core/result.h"
#include "kafka/handles.h"

namespace lakepipe::kafka {

class TcpForwarder;

struct DevBrokerOptions {
  int brokers = 1;     // mock brokers, >= 1
  int partitions = 8;  // for each topic below, >= 1
  std::vector<std::string> topics{};
  // 0: bootstrap() is the first broker's own port (picked by the system).
  // Else a forwarder listens on 127.0.0.1:port and relays each connection to
  // the first broker; clients bootstrap through it, then connect to the
  // ports the brokers advertise.
  int port = 0;
};

class DevBroker {
 public:
  // Starts the brokers and creates options.topics. kInvalidArgument for bad
  // options; kFailedPrecondition when `port` is already in use.
  static Result<std::unique_ptr<DevBroker>> Start(const DevBrokerOptions& options);

  ~DevBroker();
  DevBroker(const DevBroker&) = delete;
  DevBroker& operator=(const DevBroker&) = delete;

  // The bootstrap.servers value for clients: "127.0.0.1:PORT[,...]".
  const std::string& bootstrap() const { return bootstrap_; }

  // Creates `topic` with `partitions` partitions (replicated on up to 3
  // brokers). kAlreadyExists if it exists; kInvalidArgument for a bad name or count.
  Status CreateTopic(const std::string& topic, int partitions);

  // The mock cluster, for error injection in tests (rd_kafka_mock_*).
  rd_kafka_mock_cluster_t* mock() { return mock_.get(); }

 private:
  DevBroker() = default;

  int brokers_ = 0;
  ClientHandle client_;  // the mock cluster's host client
  MockClusterHandle mock_;
  std::unique_ptr<TcpForwarder> forwarder_;
  std::string bootstrap_;
};

// What DevBroker keeps per partition, for messages and help texts.
inline constexpr const char* kDevBrokerRetention =
    "in memory only, about 5 MB kept per partition (older data is dropped, like retention)";

}  // namespace lakepipe::kafka

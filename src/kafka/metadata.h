// Cluster metadata lookups.
//
// Thread-safety: each call uses its own short-lived client; calls may run
// concurrently.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/result.h"
#include "kafka/handles.h"

namespace lakepipe::kafka {

// How long run, produce and archive wait at start for a broker to answer
// before they give up (kUnavailable from WaitForBrokers).
inline constexpr std::chrono::seconds kBrokerStartTimeout{10};

// Waits until one of the bootstrap servers answers a metadata request, up to
// `timeout`. Prints nothing: the reason (e.g. "Connection refused", a name
// that does not resolve) is in the returned kUnavailable, one line naming
// the bootstrap servers and what to do. kInvalidArgument for bad `settings`
// or no brokers.
Status WaitForBrokers(const std::string& brokers, const Settings& settings,
                      std::chrono::milliseconds timeout);

// Partition count of `topic` from cluster metadata. Never creates the topic.
// Errors: kNotFound when the topic does not exist (the message names the topic
// and the brokers); kUnavailable when the brokers cannot be reached within
// `timeout` (the message carries librdkafka's last connection error);
// kInvalidArgument for bad `settings` (as for Producer::Make).
Result<int> TopicPartitions(const std::string& brokers, const std::string& topic,
                            const Settings& settings, std::chrono::milliseconds timeout);

// The high watermark (the offset the next record will get) of every
// partition of `topic`, by partition number. kNotFound for a missing topic.
Result<std::vector<int64_t>> EndOffsets(const std::string& brokers, const std::string& topic,
                                        const Settings& settings,
                                        std::chrono::milliseconds timeout);

// The cluster id the brokers report (Kafka's cluster.id; the dev broker's
// starts with "mockCluster", see IsDevBroker). kUnavailable when the brokers
// cannot be reached within `timeout`.
Result<std::string> ClusterId(const std::string& brokers, const Settings& settings,
                              std::chrono::milliseconds timeout);

}  // namespace lakepipe::kafka

// Test helper: reads a topic back with a plain librdkafka consumer (every
// partition assigned from offset 0; no consumer group is joined).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace lakepipe::kafka::testing {

struct ConsumedRecord {
  std::string key;
  std::string value;
  int32_t partition = -1;
  int64_t offset = -1;
};

// Reads every partition of `topic` from offset 0 until `count`
// records arrived; kDeadlineExceeded naming how many did if `timeout` passes.
Result<std::vector<ConsumedRecord>> ConsumeAll(const std::string& brokers, const std::string& topic,
                                               size_t count, std::chrono::milliseconds timeout);

}  // namespace lakepipe::kafka::testing

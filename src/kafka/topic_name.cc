#include "kafka/topic_name.h"

namespace lakepipe::kafka {

Status ValidateTopicName(std::string_view topic) {
  if (topic.empty()) return InvalidArgumentError("a Kafka topic name cannot be empty");
  if (topic.size() > 249) {
    return InvalidArgumentError("Kafka topic name '{}' is {} characters long; the limit is 249",
                                topic, topic.size());
  }
  if (topic == "." || topic == "..") {
    return InvalidArgumentError("'{}' is not a valid Kafka topic name", topic);
  }
  for (const char c : topic) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) {
      return InvalidArgumentError(
          "Kafka topic name '{}' has the character '{}'; use only letters, digits, '.', '_' and "
          "'-'",
          topic, c);
    }
  }
  return Status::OK();
}

}  // namespace lakepipe::kafka

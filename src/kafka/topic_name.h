// Kafka's rule for topic names, checked before a name reaches a broker (or
// a file name, for the dead letters' fallback files), so that a bad name
// fails at once with the reason instead of as a broker error later.
//
// Thread-safety: a pure function.
#pragma once

#include <string_view>

#include "core/status.h"

namespace lakepipe::kafka {

// Kafka's rule for topic names: 1 to 249 of [a-zA-Z0-9._-], not "." or "..".
// kInvalidArgument naming the topic and the offending character.
Status ValidateTopicName(std::string_view topic);

}  // namespace lakepipe::kafka

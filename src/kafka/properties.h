// Which librdkafka properties each kind of client takes, so that one
// `kafka:` section (or one set of -X settings) serves producers and
// consumers alike without librdkafka's "Configuration property X is a
// producer property and will be ignored by this consumer instance".
//
// The tables follow the C/P column of librdkafka 2.0's CONFIGURATION.md
// (global and topic properties, aliases included): "P" properties are
// producer-only, "C" consumer-only, "*" both. Properties in neither table,
// unknown ones included, go to every client (librdkafka rejects unknown
// ones).
#pragma once

#include <string_view>

#include "kafka/handles.h"

namespace lakepipe::kafka {

enum class ClientKind {
  kProducer,
  kConsumer,
  kMetadata,  // lookups only: neither producer-only nor consumer-only properties
};

bool IsProducerOnlyProperty(std::string_view key);
bool IsConsumerOnlyProperty(std::string_view key);

// `settings`, in order, without the properties `kind` does not take.
Settings SettingsFor(ClientKind kind, const Settings& settings);

}  // namespace lakepipe::kafka

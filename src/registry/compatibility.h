// Schema compatibility as a schema registry checks it: whether data written
// with one Avro schema can be read with another, by lakepipe's Avro schema
// resolution (formats/schema_resolution.h), and the registry's levels that
// say which versions a new schema is checked against, in which direction.
//
// Stricter than reading, where a value without a reader equivalent only
// makes its record bad: a schema pair is incompatible when any valid record
// could fail, i.e. a nullable writer field read by a non-nullable reader
// field, or a writer enum symbol the reader's enum lacks (with no default
// symbol).
//
// Thread-safety: free functions over immutable schemas.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"

namespace lakepipe::registry {

enum class CompatibilityLevel {
  kNone,                // no check
  kBackward,            // the new schema reads data written with the latest
  kBackwardTransitive,  // ... with every earlier version
  kForward,             // the latest reads data written with the new schema
  kForwardTransitive,   // every earlier version does
  kFull,                // backward and forward, against the latest
  kFullTransitive,      // backward and forward, against every earlier version
};

// "NONE", "BACKWARD", "BACKWARD_TRANSITIVE", ... as the REST API spells them.
std::string_view CompatibilityLevelName(CompatibilityLevel level);

// Any case; nullopt for other text.
std::optional<CompatibilityLevel> ParseCompatibilityLevel(std::string_view text);

// "NONE, BACKWARD, ..." for error messages.
std::string CompatibilityLevelNames();

// Why data written with `writer` cannot be read with `reader`, or "" when
// every record can.
std::string ReadProblem(const Schema& writer, const Schema& reader);

struct SchemaVersion {
  int32_t version = 0;
  const Schema* schema = nullptr;
};

// The problems of adding `candidate` after `earlier` (oldest first) under
// `level`, one per version and direction that fails, each naming the
// version; empty when compatible. Non-transitive levels look at the last
// entry of `earlier` only.
std::vector<std::string> CompatibilityProblems(CompatibilityLevel level, const Schema& candidate,
                                               const std::vector<SchemaVersion>& earlier);

}  // namespace lakepipe::registry

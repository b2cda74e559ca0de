// Pieces shared by the generators (users, activity).
// Thread-safety: functions of their arguments, except that an unseeded
// ResolveGeneratorSetup reads std::random_device and the clock.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>
#include <string_view>

#include "core/schema.h"
#include "sources/source.h"

namespace lakepipe::sources {

// Reference time of seeded generators without SourceOptions::now_millis:
// 2026-01-01T00:00:00Z.
inline constexpr int64_t kSeededNowMillis = 1767225600000;
inline constexpr int64_t kMillisPerDay = 86400000;
inline constexpr int64_t kMillisPerYear = 31556952000;  // 365.2425 days

// The seed and reference time a generator runs with: the options' values,
// else a random seed and the current time (kSeededNowMillis when seeded).
struct GeneratorSetup {
  uint64_t seed = 0;
  int64_t now_millis = 0;
};

inline GeneratorSetup ResolveGeneratorSetup(const SourceOptions& options) {
  GeneratorSetup setup;
  if (options.seed) {
    setup.seed = *options.seed;
  } else {
    std::random_device device;
    setup.seed = (static_cast<uint64_t>(device()) << 32) ^ device();
  }
  if (options.now_millis) {
    setup.now_millis = *options.now_millis;
  } else if (options.seed) {
    setup.now_millis = kSeededNowMillis;
  } else {
    setup.now_millis = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  }
  return setup;
}

// The index of the field `name`, checked to be stored as `storage` and to
// be nullable exactly when `nullable`: generators write columns by index and
// must fail clearly if the built-in schema no longer has the expected shape.
inline Result<size_t> GeneratedField(const Schema& schema, std::string_view name, Storage storage,
                                     bool nullable) {
  const int index = schema.FieldIndex(name);
  if (index < 0) return InternalError("schema {} has no field '{}'", schema.name(), name);
  const Field& field = schema.field(static_cast<size_t>(index));
  if (field.storage() != storage || field.nullable != nullable) {
    return InternalError("field '{}' of schema {} is {}, which the generator does not produce",
                         name, schema.name(), field.Describe());
  }
  return static_cast<size_t>(index);
}

}  // namespace lakepipe::sources

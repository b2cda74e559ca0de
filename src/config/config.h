// Declarative configuration: sections of typed options, loaded from defaults,
// a YAML file, the environment (and ./.env) and command-line flags.
//
// A component declares its options once, as a SectionSpec (see sections.h);
// the loader validates every value against that declaration, whatever its
// origin, and rejects keys nobody declared. Precedence, lowest first:
//
//   defaults < file < environment (./.env below real variables) < flags
//
// Environment variables are named LAKEPIPE_<SECTION>_<KEY>, upper-cased.
// Declared section names are matched longest first (LAKEPIPE_SCHEMA_REGISTRY_URL
// is schema_registry.url). An underscore in the variable matches '_', '.' or
// '-' in a declared key. In a passthrough section (kafka) a key nobody
// declared keeps the spelling of the file when the file has it; otherwise
// its underscores become dots and it is lower-cased:
// LAKEPIPE_KAFKA_BOOTSTRAP_SERVERS is kafka's bootstrap.servers.
//
// A LAKEPIPE_ variable that names no section or key is an error, so typos are
// not silently ignored; kReservedEnvironment lists the few LAKEPIPE_
// variables that belong to lakepipe's scripts and tests instead.
//
// Values by type:
//   kString      any text.
//   kInt         a decimal int64, within [min, max] when given.
//   kBool        true/false, yes/no, 1/0 (any case).
//   kSize        ParseByteSize: "1048576", "64KiB", "128MiB", "10MB".
//   kDuration    ParseDuration: "500ms", "10s", "2m", "1h30m".
//   kEnum        one of `allowed` (any case; stored in the declared spelling).
//                An allowed entry ending in "<...>", like "file:<path>", accepts
//                its prefix followed by any non-empty text.
//   kStringList  a YAML sequence, or a comma-separated string (environment,
//                flags); items are trimmed and empty items dropped.
//
// A renamed option (SectionSpec::renamed) keeps its old name as a
// deprecated alias, in the file, the environment and SetFlag.
// min/max bound ints, sizes (bytes) and durations (milliseconds).
//
// An option whose default is "" is optional: until a value is given, its
// typed getter returns kNotFound and HasValue() is false. An empty value is
// accepted for optional options and for strings and lists.
//
// Secrets (OptionSpec::secret, and passthrough keys containing "password",
// "secret", "token" or "sasl.jaas", or undeclared passthrough keys that
// LooksSecretKey() of core/redact.h flags) never appear in Dump() or in error
// messages. Dump() masks the credentials of URLs (MaskUrlCredentials).
//
// Thread-safety: a Config is a value. Const methods may be called from many
// threads at once; SetFlag needs exclusive access.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"

namespace lakepipe::config {

enum class Origin { kDefault, kFile, kEnvironment, kFlag };

// "default", "file", "environment", "flag".
std::string_view OriginName(Origin origin);

struct OptionSpec {
  enum class Type { kString, kInt, kBool, kSize, kDuration, kEnum, kStringList };

  std::string key{};  // e.g. "timeout"; letters, digits, '_', '.', '-'
  Type type = Type::kString;
  std::string default_value{};         // as it would be written in the file; "" = optional
  std::string help{};                  // one or two sentences, for --help and the example file
  std::vector<std::string> allowed{};  // kEnum only
  bool secret = false;
  std::optional<int64_t> min{};  // kInt, kSize (bytes), kDuration (ms)
  std::optional<int64_t> max{};
};

// "string", "int", "bool", "size", "duration", "enum", "list".
std::string_view TypeName(OptionSpec::Type type);

struct SectionSpec {
  std::string name{};  // e.g. "schema_registry"; lower-case letters, digits, '_'
  std::string help{};
  std::vector<OptionSpec> options{};
  // Any key is accepted and kept verbatim as a string (kafka: librdkafka
  // properties, validated by librdkafka). Declared options document the
  // common keys and mark secrets.
  bool passthrough = false;
  // Old names of renamed options, {old key, new key}: the old name still
  // sets the new option from the file, the environment or a flag, with a
  // deprecation warning (Config::warnings()); giving both names at the same
  // level (both in the file, say) is an error.
  std::vector<std::pair<std::string, std::string>> renamed{};
};

// LAKEPIPE_ variables that are not configuration (used by lakepipe's scripts
// and tests); Load ignores them.
inline constexpr std::string_view kReservedEnvironment[] = {
    "LAKEPIPE_BINARY", "LAKEPIPE_BUILD_DIR",  "LAKEPIPE_BUILD_TYPE",
    "LAKEPIPE_ROOT",   "LAKEPIPE_SOURCE_DIR",
};

class Config {
 public:
  // Loads defaults, then `path` (YAML; "" = no file; a missing file named
  // explicitly is kNotFound), then the environment (after reading ./.env if
  // present: KEY=VALUE lines, an optional `export ` prefix, single or double
  // quotes, # comments; a variable already in the environment wins over
  // .env). Only LAKEPIPE_ entries of .env are used; .env does not change the
  // process environment.
  // Errors (kInvalidArgument) name the key, the place (file:line, .env:line
  // or the variable) and what is allowed. Malformed declarations are
  // kInternal.
  [[nodiscard]] static Result<Config> Load(const std::string& path,
                                           std::vector<SectionSpec> sections);

  // Sets a value from a command-line flag; flags win over everything.
  // Validated like the other origins (kInvalidArgument naming the key).
  Status SetFlag(std::string_view section, std::string_view key, std::string_view value);

  // Typed getters. REQUIRES: the key is declared with that type (kInternal
  // otherwise; in a passthrough section GetString also accepts any key and
  // returns kNotFound when it is not set). kNotFound when an optional option
  // has no value.
  [[nodiscard]] Result<std::string> GetString(std::string_view section, std::string_view key) const;
  [[nodiscard]] Result<int64_t> GetInt(std::string_view section, std::string_view key) const;
  [[nodiscard]] Result<bool> GetBool(std::string_view section, std::string_view key) const;
  [[nodiscard]] Result<uint64_t> GetSize(std::string_view section, std::string_view key) const;
  [[nodiscard]] Result<std::chrono::milliseconds> GetDuration(std::string_view section,
                                                              std::string_view key) const;
  [[nodiscard]] Result<std::vector<std::string>> GetList(std::string_view section,
                                                         std::string_view key) const;

  // True when the value came from the file, the environment or a flag.
  bool IsSet(std::string_view section, std::string_view key) const;
  // True when the effective value is not empty (optional options).
  bool HasValue(std::string_view section, std::string_view key) const;
  // kDefault for keys that are not set or not declared.
  Origin OriginOf(std::string_view section, std::string_view key) const;
  // Where the value came from: "lakepipe.yaml:12", "environment variable
  // LAKEPIPE_KAFKA_ACKS", ".env:3 (LAKEPIPE_KAFKA_ACKS)", "flag" or "default".
  std::string SourceOf(std::string_view section, std::string_view key) const;

  // The entries of a passthrough section that have a value, lowest
  // precedence first (defaults, file in file order, environment by name,
  // flags in call order); each key once, at the place of the origin that set
  // it. Applying them in order gives the effective configuration.
  std::vector<std::pair<std::string, std::string>> Passthrough(std::string_view section) const;

  // Deprecation warnings of the load and of SetFlag, in order, each naming
  // where the old name was used and the new name: "lakepipe.yaml:12:
  // produce.format is deprecated: use produce.message_format".
  const std::vector<std::string>& warnings() const { return warnings_; }

  // The effective configuration as YAML, every declared option and every
  // passthrough entry, each with a comment saying where it came from.
  // Secrets with a value are "***".
  std::string Dump() const;

  Config(const Config&) = default;
  Config& operator=(const Config&) = default;
  Config(Config&&) noexcept = default;
  Config& operator=(Config&&) noexcept = default;
  ~Config() = default;

 private:
  struct Entry {
    std::string key;
    int option = -1;  // index into the section's options; -1 = undeclared passthrough key
    std::string text;
    std::vector<std::string> list;
    Origin origin = Origin::kDefault;
    std::string where = "default";
    uint64_t sequence = 0;
    std::string spelling;  // the name it was set under (a renamed option's old one)
  };
  struct Section {
    SectionSpec spec;
    std::vector<Entry> entries;  // declared options first, in declaration order
  };
  struct RawValue;

  Config() = default;
  const Section* FindSection(std::string_view name) const;
  Section* FindSection(std::string_view name);
  std::string SectionNames() const;  // "kafka, schema_registry, ..."
  const Entry* FindEntry(std::string_view section, std::string_view key) const;
  Result<const Entry*> Lookup(std::string_view section, std::string_view key,
                              OptionSpec::Type type) const;
  Status Set(Section& section, std::string_view key, const RawValue& value, Origin origin,
             const std::string& where);
  Status LoadFile(const std::string& path);
  Status LoadEnvironment();

  std::vector<Section> sections_;
  uint64_t next_sequence_ = 0;
  std::vector<std::string> warnings_;
};

// "10s", "500ms", "2m", "1h", "1h30m", "1d", "0" -> milliseconds. Units: ms,
// s, m, h, d; components are whole numbers. Errors name the text.
[[nodiscard]] Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// "true"/"false", "yes"/"no", "1"/"0", any case.
[[nodiscard]] Result<bool> ParseBool(std::string_view text);

// A readable reference of the options of `sections` (names, types, defaults,
// allowed values, help), for --help.
std::string DescribeOptions(const std::vector<SectionSpec>& sections);

}  // namespace lakepipe::config

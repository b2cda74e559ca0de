// Parsing of `.env` files: the KEY=VALUE lines docker compose and most
// dotenv libraries accept.
//
//   # a comment
//   LAKEPIPE_PRODUCE_TOPIC=users
//   export LAKEPIPE_SCHEMA_REGISTRY_URL = "http://localhost:8081"  # trailing comment
//   LAKEPIPE_KAFKA_SASL_PASSWORD='literal $text, no escapes'
//
// Unquoted values end at the end of the line or at " #"; surrounding spaces
// are dropped. Single quotes keep the text literally; double quotes
// understand \n, \r, \t, \", \\ and \$. Quoted values may span lines. There is
// no variable expansion. Later lines win over earlier ones.
//
// Thread-safety: free functions without shared state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace lakepipe::config {

struct EnvAssignment {
  std::string name;
  std::string value;
  int line = 0;  // 1-based line of the name
};

// `name` (e.g. ".env") prefixes errors: "name:line: reason". Errors never
// quote values, which may be secrets.
[[nodiscard]] Result<std::vector<EnvAssignment>> ParseDotEnv(std::string_view text,
                                                             std::string_view name);

// Reads and parses the file at `path`; an empty list when it does not exist.
[[nodiscard]] Result<std::vector<EnvAssignment>> ReadDotEnv(const std::string& path);

}  // namespace lakepipe::config

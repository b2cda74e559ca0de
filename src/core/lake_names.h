// Names that become paths of the lake: what a table may be called.
//
// A table is one directory right under the lake root
// (<lake>/<table>/raw/..., <lake>/_lakepipe/bookmarks/<table>/...), so its
// name must be a single, visible path component that every file system,
// object store and warehouse catalog accepts as it is:
//
//   - 1 to kMaxTableNameBytes bytes of ASCII letters, digits, '_', '-' and
//     '.' (what Kafka allows in topic names, so most topics can name their
//     table; Glue, Athena and Hive accept them quoted);
//   - starting with a letter or a digit: names starting with '_' or '.' are
//     reserved (_lakepipe holds lakepipe's state, _rejected dead letters,
//     and readers skip such names as hidden), and this also rules out "."
//     and "..";
//   - so never '/', '\', spaces or control characters.
//
// Thread-safety: the functions are pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace lakepipe {

inline constexpr size_t kMaxTableNameBytes = 128;

// OK for a valid table name; kInvalidArgument naming the value (control
// and non-ASCII bytes shown as \xNN) and the rule it breaks.
Status ValidateTableName(std::string_view name);

// `text` with bytes outside printable ASCII written as \xNN, for messages
// that quote a name given by a user.
std::string PrintableName(std::string_view text);

}  // namespace lakepipe

// JSON string text: a string quoted and escaped as JSON needs it, fast on
// long runs of plain text (SSE2 scans 16 bytes at a time where available).
// Shared by the JSON writers (formats/text) and core/column_json.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

namespace lakepipe {

// Appends `s` as a JSON string (quotes included): '"', '\\' and control
// characters escaped, invalid UTF-8 replaced by U+FFFD.
void AppendJsonString(std::string_view s, std::string* out);
// Appends `s` with invalid UTF-8 replaced by U+FFFD.
void AppendValidUtf8(std::string_view s, std::string* out);

}  // namespace lakepipe

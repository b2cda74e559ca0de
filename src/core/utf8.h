// UTF-8 validation (RFC 3629, Unicode Table 3-7 "well-formed byte
// sequences"): shortest forms only, no surrogates (U+D800..U+DFFF), nothing
// above U+10FFFF. Parquet, JSON and every reader of the lake expect strings
// to be valid UTF-8, so strings read from binary inputs (Avro) are checked
// with this before they are kept.
//
// Runs of ASCII are skipped eight bytes at a time.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace lakepipe {

// Length (2 to 4) of the well-formed sequence starting at text[i], whose
// lead byte is not ASCII (>= 0x80), or 0 when the sequence there is
// ill-formed or truncated by the end of `text`.
size_t Utf8SequenceLength(std::string_view text, size_t i);

// Offset of the first byte of the first ill-formed sequence in `text`
// (a truncated sequence at the end counts), or text.size() when all of
// `text` is valid UTF-8.
size_t FindInvalidUtf8(std::string_view text);

inline bool IsValidUtf8(std::string_view text) { return FindInvalidUtf8(text) == text.size(); }

}  // namespace lakepipe

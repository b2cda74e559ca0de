// Value text shared by the JSON and CSV readers and writers (internal to the
// text module): how each field type is parsed from and printed as text. The
// rules are the ones documented in text_formats.h.
//
// Thread-safety: the free functions are thread-safe; a FieldPlan is
// immutable after MakeFieldPlans() and may be shared.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/column.h"
#include "core/json_text.h"
#include "core/schema.h"
#include "core/utf8.h"

namespace lakepipe::text {

// What a field holds, with the logical type folded in.
enum class ValueKind {
  kNull,
  kBool,
  kInt32,
  kInt64,
  kFloat,
  kDouble,
  kString,
  kUuid,
  kBytes,
  kEnum,
  kDate,
  kTimestampMillis,
  kTimestampMicros,
  // A type of the complete model the kinds above do not describe: struct,
  // list, map, decimal, fixed, uuid on fixed(16), small and unsigned
  // integers, time, local or nanosecond timestamps. FieldPlan::field says
  // which (complete_text.h parses and prints them).
  kComplete,
};

ValueKind KindOf(const Field& field);

// Hash for maps keyed by std::string that are looked up by std::string_view.
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// Per-field facts the readers and writers look up for every value.
struct FieldPlan {
  // The field's path for messages: "name", "location.street.number",
  // "tags[]" (a list's elements), "scores{}" / "scores{key}" (a map's
  // values and keys).
  std::string name;
  ValueKind kind = ValueKind::kNull;
  bool nullable = false;
  // kEnum: symbol → index, and the symbols for messages.
  StringMap<int> symbol_index;
  std::vector<std::string> symbols;
  // kComplete: the field, and the plans of its children (struct fields in
  // order, a list's element, a map's key and value) with child_index
  // finding a struct field by name.
  std::shared_ptr<const Field> field;
  std::vector<FieldPlan> children;
  StringMap<int> child_index;
  // The field's own name as a JSON key, and whether it appears verbatim in
  // JSON text (nothing to escape), so that a raw key can be compared to it.
  std::string key;
  bool verbatim_key = false;
};

// The plan of `field`, named `path`.
FieldPlan MakeFieldPlan(const Field& field, std::string path);
std::vector<FieldPlan> MakeFieldPlans(const Schema& schema);

// "int", "timestamp (ISO-8601 or epoch milliseconds)", ... for messages.
std::string ExpectedText(const FieldPlan& plan);

// `text` clipped to a readable length for messages.
std::string Preview(std::string_view text);

// Appends the value that `text` denotes to `column` (a non-null value; the
// caller decides about empty text and nulls). kString takes the text as is.
// Returns false and sets `*reason` ("field 'x': expected int, got \"abc\"")
// when the text does not fit the field.
bool AppendTextValue(const FieldPlan& plan, std::string_view text, Column* column,
                     std::string* reason);

// Parsers of single values; false when the text is not a value of the type.
bool ParseBoolText(std::string_view text, bool* out);  // true/false/1/0, any case

// Which spellings of a number a parser takes.
enum class NumberSyntax {
  kJson,  // JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  kText,  // also a leading '+', leading zeros, "5." and ".5" (CSV, JSON strings)
};

// How a number's text relates to int64.
enum class IntegerText {
  kOk,            // its value is an integer in [-2^63, 2^63-1]
  kNotANumber,    // not a number in the syntax
  kNotAnInteger,  // a number with a non-zero fraction (1.5, 123e-2)
  kOutOfRange,    // an integer outside [-2^63, 2^63-1]
};

// Parses decimal number text exactly, never through a double: integers, and
// numbers with a fraction or an exponent whose value is an integer ("3.0",
// "1e3", "1234567890123456789.0"; "-0.0" is 0). Sets `*out` only for kOk.
IntegerText ParseExactInteger(std::string_view text, NumberSyntax syntax, int64_t* out);
// ParseExactInteger(text, NumberSyntax::kText, out) == IntegerText::kOk.
bool ParseInt64Text(std::string_view text, int64_t* out);

// Appends the integer `v` (whose text was `text`, for messages) to a field
// of kind int, long, date or timestamp, after checking it fits: int and
// date in int32, timestamps in the range the lake's readers accept
// (TimestampMicrosInReaderRange). Sets `*reason` and returns false otherwise.
bool AppendIntegerValue(const FieldPlan& plan, int64_t v, std::string_view text, Column* column,
                        std::string* reason);
// Sets `*reason` for an integer `text` outside the range of the field's type
// ("field 'v': ... is out of range for long (-2^63 to 2^63-1)"); returns false.
bool IntegerOutOfRange(const FieldPlan& plan, std::string_view text, std::string* reason);
// Parses `text` with ParseExactInteger and appends it with AppendIntegerValue;
// a text that is not an integer of the field's type sets `*reason`.
bool AppendIntegerText(const FieldPlan& plan, std::string_view text, NumberSyntax syntax,
                       Column* column, std::string* reason);
// Numbers plus NaN / Infinity / -Infinity / inf (any case).
bool ParseDoubleText(std::string_view text, double* out);
bool IsCanonicalUuid(std::string_view text);
// RFC 4648 base64; padding may be omitted.
bool DecodeBase64(std::string_view text, std::string* out);
void AppendBase64(std::string_view bytes, std::string* out);

// Shortest text that reads back as the same value; NaN and infinities as
// "NaN", "Infinity", "-Infinity"; negative zero as "-0.0".
void AppendDouble(double v, std::string* out);
void AppendFloat(float v, std::string* out);
void AppendInt(int64_t v, std::string* out);

// JSON string text (core/json_text.h).
using lakepipe::AppendJsonString;
using lakepipe::AppendValidUtf8;
// True when `s` must be quoted as a CSV field: it is empty, holds the
// delimiter, a quote or a line break, or starts or ends with a blank.
bool NeedsCsvQuotes(std::string_view s, char delimiter);

// Appends the text of a non-null value as JSON and CSV print it (strings
// unquoted and unescaped, floats per AppendDouble, bytes as base64, ...).
// For kString/kUuid/kBytes/kEnum/kDate/kTimestamp* JSON quotes this text.
void AppendValueText(const FieldPlan& plan, const Column& column, size_t row, std::string* out);

}  // namespace lakepipe::text

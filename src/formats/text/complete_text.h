// Text of the values the flat ValueKinds do not describe (ValueKind::
// kComplete: struct, list, map, decimal, fixed, uuid on fixed(16), small
// and unsigned integers, time, local and nanosecond timestamps), internal
// to the text module. Nested values are JSON (see core/column_json.h,
// JsonTextStyle::kLake); the JSON reader parses them value by value.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/column.h"
#include "formats/text/value_text.h"

namespace lakepipe::text {

__extension__ typedef __int128 Int128;

// What a kComplete field takes, for messages: "decimal(38,3)", "int8 (-128
// to 127)", "struct (a JSON object)", ...
std::string CompleteExpectedText(const FieldPlan& plan);

// Appends the value that `text` denotes (a JSON string's content, a JSON
// number's text or a CSV cell) to the column of a kComplete leaf field.
// Sets `*reason` naming the field's path and returns false when it does not
// fit; a nested field's text is refused here (the JSON parsers read it).
bool AppendCompleteText(const FieldPlan& plan, std::string_view text, Column* column,
                        std::string* reason);

// How decimal text relates to decimal(precision, scale).
enum class DecimalText {
  kOk,
  kNotANumber,
  kTooManyDigits,          // more than `precision` digits at `scale`
  kTooManyFractionDigits,  // non-zero digits beyond `scale`
};
// Parses "[+-]digits[.digits][e[+-]digits]" exactly (never through a
// double) into the unscaled value at `scale`. Sets `*unscaled` only for kOk.
// REQUIRES: 0 < precision <= 38, 0 <= scale <= precision.
DecimalText ParseDecimalText(std::string_view text, int32_t precision, int32_t scale,
                             Int128* unscaled);

// Appends the CSV text of a non-null kComplete value: nested values as
// their JSON text, other values as JSON prints them without quotes.
void AppendCompleteValueText(const FieldPlan& plan, const Column& column, size_t row,
                             std::string* out);

}  // namespace lakepipe::text

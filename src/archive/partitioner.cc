#include "archive/partitioner.h"

#include <cmath>
#include <limits>
#include <set>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/time_util.h"
#include "core/utf8.h"

namespace lakepipe::archive {
namespace {

constexpr int64_t kMicrosPerSecond = 1000000;
constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;
constexpr char kHex[] = "0123456789ABCDEF";
// "~" and 16 hex digits.
constexpr size_t kHashSuffixBytes = 17;

// Hive's FileUtils.escapePathName set (on Linux), besides the control
// characters: " # % ' * / : = ? \ 0x7F { [ ] ^.
bool HiveEscapes(unsigned char c) {
  if (c < 0x20 || c == 0x7f) return true;
  switch (c) {
    case '"':
    case '#':
    case '%':
    case '\'':
    case '*':
    case '/':
    case ':':
    case '=':
    case '?':
    case '\\':
    case '{':
    case '[':
    case ']':
    case '^':
      return true;
    default:
      return false;
  }
}

void AppendEscapedByte(unsigned char c, std::string* out) {
  out->push_back('%');
  out->push_back(kHex[c >> 4]);
  out->push_back(kHex[c & 15]);
}

uint64_t Fnv1a64(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

bool IsIdentifier(std::string_view name) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
    if (!letter && !(i > 0 && c >= '0' && c <= '9')) return false;
  }
  return true;
}

void AppendPadded(int64_t v, int width, std::string* out) {
  if (v < 0) {
    out->push_back('-');
    v = -v;
  }
  fmt::format_to(std::back_inserter(*out), "{:0{}}", v, width);
}

// Appends `micros` rendered with a FORMAT (validated by Make).
void AppendTime(int64_t micros, std::string_view format, std::string* out) {
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  const int64_t seconds_of_day = FloorMod(micros, kMicrosPerDay) / kMicrosPerSecond;
  const CivilDate date = CivilFromDays(days);
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%' || i + 1 == format.size()) {
      out->push_back(format[i]);
      continue;
    }
    switch (format[++i]) {
      case 'Y':
        AppendPadded(date.year, 4, out);
        break;
      case 'm':
        AppendPadded(date.month, 2, out);
        break;
      case 'd':
        AppendPadded(date.day, 2, out);
        break;
      case 'H':
        AppendPadded(seconds_of_day / 3600, 2, out);
        break;
      case 'M':
        AppendPadded(seconds_of_day / 60 % 60, 2, out);
        break;
      case 'S':
        AppendPadded(seconds_of_day % 60, 2, out);
        break;
      case 'j':
        AppendPadded(days - DaysFromCivil(date.year, 1, 1) + 1, 3, out);
        break;
      case 'u':
        AppendPadded(FloorMod(days + 3, 7) + 1, 1, out);  // 1970-01-01 was a Thursday
        break;
      default:
        out->push_back(format[i]);  // '%%'
        break;
    }
  }
}

// Checks a FORMAT; "" when it is fine, else the problem.
std::string CheckFormat(std::string_view format) {
  if (format.empty()) return "the FORMAT after ':' is empty";
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') continue;
    if (i + 1 == format.size()) return "the FORMAT ends with a lone '%' (write %% for a '%')";
    const char spec = format[++i];
    if (std::string_view("YmdHMSju%").find(spec) == std::string_view::npos) {
      return fmt::format("unknown FORMAT specifier '%{}': use %Y %m %d %H %M %S %j %u or %%", spec);
    }
  }
  return "";
}

// Why a value of `field` cannot name a directory ("" when it can): nested
// values have no one-piece text, and decimals, unsigned 64-bit integers,
// fixed and unions are not rendered as partition values.
std::string NotPartitionable(const Field& field) {
  const Kind kind = field.kind();
  if (IsNested(kind) || kind == Kind::kDecimal || kind == Kind::kUInt64 || !field.IsFlat()) {
    return fmt::format("is {}", field.Describe());
  }
  return "";
}

constexpr std::string_view kPartitionableKinds =
    "a top-level string, number, boolean, enum, date or timestamp field";

// For a dotted `name` whose first part is a field of `schema`: the message
// that says values inside records cannot be used, and to use `instead`;
// else "".
std::string InsideRecord(const Schema& schema, std::string_view name, std::string_view instead) {
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos) return "";
  const int outer = schema.FieldIndex(name.substr(0, dot));
  if (outer < 0) return "";
  return fmt::format("'{}' is inside field '{}' ({}): use {}", name, name.substr(0, dot),
                     schema.field(static_cast<size_t>(outer)).Describe(), instead);
}

bool IsTimeField(const Field& field) {
  return field.logical == LogicalType::kDate || field.logical == LogicalType::kTimestampMillis ||
         field.logical == LogicalType::kTimestampMicros;
}

// A date or timestamp value as microseconds; nullopt when out of range.
std::optional<int64_t> TimeMicros(const Field& field, const Column& column, size_t row) {
  switch (field.logical) {
    case LogicalType::kDate: {
      // Beyond the readers' range a day count can overflow microseconds.
      const int64_t days = column.GetInt32(row);
      if (days < kMinReaderTimestampMicros / kMicrosPerDay ||
          days > kMaxReaderTimestampMicros / kMicrosPerDay) {
        return std::nullopt;
      }
      return days * kMicrosPerDay;
    }
    case LogicalType::kTimestampMillis: {
      const int64_t ms = column.GetInt64(row);
      constexpr int64_t kLimit = std::numeric_limits<int64_t>::max() / 1000;
      if (ms > kLimit || ms < -kLimit) return std::nullopt;
      return ms * 1000;
    }
    case LogicalType::kTimestampMicros:
      return column.GetInt64(row);
    default:
      break;
  }
  if (field.type == Type::kString) {
    Result<int64_t> parsed = ParseTimestampMicros(column.GetBytes(row));
    if (parsed.ok()) return *parsed;
  }
  return std::nullopt;
}

void AppendFloating(double v, std::string* out) {
  if (std::isnan(v)) {
    out->append("NaN");
  } else if (std::isinf(v)) {
    out->append(v > 0 ? "Infinity" : "-Infinity");
  } else {
    fmt::format_to(std::back_inserter(*out), "{}", v);
  }
}

}  // namespace

void AppendHiveValue(std::string_view value, bool is_null, std::string* out) {
  if (is_null || value.empty()) {
    out->append(kHiveDefaultPartition);
    return;
  }
  const size_t start = out->size();
  // Where the escaped text ends after the last unit (a byte, an escape or a
  // UTF-8 sequence) that leaves room for the hash suffix.
  size_t fits_end = start;
  const bool looks_null =
      EqualsIgnoringCase(value, "null") || value == std::string_view(kHiveDefaultPartition);
  for (size_t i = 0; i < value.size();) {
    const auto c = static_cast<unsigned char>(value[i]);
    size_t unit = 1;
    if ((i == 0 && looks_null) || HiveEscapes(c)) {
      AppendEscapedByte(c, out);
    } else if (c >= 0x80) {
      unit = Utf8SequenceLength(value, i);
      if (unit == 0) {
        unit = 1;
        AppendEscapedByte(c, out);
      } else {
        out->append(value.substr(i, unit));
      }
    } else {
      out->push_back(static_cast<char>(c));
    }
    i += unit;
    const size_t written = out->size() - start;
    if (written <= kMaxEscapedValueBytes - kHashSuffixBytes) fits_end = out->size();
    if (written > kMaxEscapedValueBytes) break;
  }
  if (out->size() - start <= kMaxEscapedValueBytes) return;
  out->resize(fits_end);
  fmt::format_to(std::back_inserter(*out), "~{:016x}", Fnv1a64(value));
}

std::string EscapeHiveValue(std::string_view value, bool is_null) {
  std::string out;
  AppendHiveValue(value, is_null, &out);
  return out;
}

Result<Partitioner> Partitioner::Make(const Schema& schema, std::string_view templ,
                                      std::string_view time_field) {
  Partitioner p;
  p.fields_ = schema.fields();
  const auto field_list = [&] {
    std::vector<std::string> names;
    for (const Field& f : schema.fields()) names.push_back(f.name);
    return fmt::format("{}", fmt::join(names, ", "));
  };
  if (!time_field.empty()) {
    p.time_field_ = schema.FieldIndex(time_field);
    if (p.time_field_ < 0) {
      if (std::string inside = InsideRecord(
              schema, time_field,
              "a top-level timestamp-millis, timestamp-micros, date or ISO-8601 string field");
          !inside.empty()) {
        return InvalidArgumentError("time field {}", inside);
      }
      return InvalidArgumentError("time field '{}' is not in the schema (fields: {})", time_field,
                                  field_list());
    }
    const Field& f = schema.field(static_cast<size_t>(p.time_field_));
    if (!IsTimeField(f) && f.type != Type::kString) {
      return InvalidArgumentError(
          "time field '{}' is {}: use a timestamp-millis, timestamp-micros, date or ISO-8601 "
          "string field (declare epoch numbers with a logicalType)",
          time_field, f.Describe());
    }
  }
  if (templ.empty()) return p;

  // Split into components at '/' outside placeholders.
  std::vector<std::string_view> parts;
  size_t begin = 0;
  bool in_placeholder = false;
  for (size_t i = 0; i < templ.size(); ++i) {
    const bool doubled = i + 1 < templ.size() && templ[i + 1] == templ[i];
    if (!in_placeholder && doubled && (templ[i] == '{' || templ[i] == '}')) {
      ++i;  // a literal brace
      continue;
    }
    if (templ[i] == '{') in_placeholder = true;
    if (templ[i] == '}') in_placeholder = false;
    if (templ[i] == '/') {
      if (in_placeholder) {
        return InvalidArgumentError(
            "partition template '{}': a placeholder cannot hold '/' (write one component per "
            "directory level, e.g. year={{event_time:%Y}}/month={{event_time:%m}})",
            templ);
      }
      parts.push_back(templ.substr(begin, i - begin));
      begin = i + 1;
    }
  }
  parts.push_back(templ.substr(begin));

  std::set<std::string> seen;
  for (std::string_view part : parts) {
    const size_t eq = part.find('=');
    if (part.empty() || eq == std::string_view::npos) {
      return InvalidArgumentError(
          "partition template '{}': component '{}' is not name=value (e.g. "
          "event_date={{event_time:%Y-%m-%d}}); separate components with '/'",
          templ, part);
    }
    Component component;
    component.name = std::string(part.substr(0, eq));
    if (!IsIdentifier(component.name) || component.name.size() > kMaxPartitionNameBytes) {
      return InvalidArgumentError(
          "partition template '{}': '{}' is not a valid partition name: use letters, digits and "
          "'_', not starting with a digit, at most {} characters",
          templ, component.name, kMaxPartitionNameBytes);
    }
    std::string lower;
    for (char c : component.name) {
      lower.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c);
    }
    if (!seen.insert(lower).second) {
      return InvalidArgumentError(
          "partition template '{}': the name '{}' appears twice (names are case-insensitive for "
          "Hive and DuckDB)",
          templ, component.name);
    }
    const std::string_view value = part.substr(eq + 1);
    if (value.empty()) {
      return InvalidArgumentError("partition template '{}': component '{}' has no value", templ,
                                  part);
    }
    Piece literal;
    for (size_t i = 0; i < value.size(); ++i) {
      const char c = value[i];
      if ((c == '{' || c == '}') && i + 1 < value.size() && value[i + 1] == c) {
        literal.text.push_back(c);
        ++i;
        continue;
      }
      if (c == '}') {
        return InvalidArgumentError(
            "partition template '{}': unmatched '}}' in '{}' (write '}}}}' for a literal brace)",
            templ, part);
      }
      if (c != '{') {
        literal.text.push_back(c);
        continue;
      }
      const size_t close = value.find('}', i + 1);
      if (close == std::string_view::npos) {
        return InvalidArgumentError("partition template '{}': '{{' without '}}' in '{}'", templ,
                                    part);
      }
      const std::string_view body = value.substr(i + 1, close - i - 1);
      i = close;
      if (!literal.text.empty()) component.pieces.push_back(std::exchange(literal, Piece{}));
      Piece piece;
      const size_t colon = body.find(':');
      const std::string_view name = body.substr(0, colon);
      if (colon != std::string_view::npos) {
        piece.has_format = true;
        piece.text = std::string(body.substr(colon + 1));
        if (piece.text.find('{') != std::string::npos) {
          return InvalidArgumentError("partition template '{}': a FORMAT cannot hold '{{'", templ);
        }
        if (std::string problem = CheckFormat(piece.text); !problem.empty()) {
          return InvalidArgumentError("partition template '{}': {{{}}}: {}", templ, body, problem);
        }
      }
      if (name.empty()) {
        return InvalidArgumentError(
            "partition template '{}': empty placeholder in '{}': name a field or event_time", templ,
            part);
      }
      if (name == "event_time") {
        piece.kind = PieceKind::kEventTime;
        p.uses_event_time_ = true;
      } else {
        const int index = schema.FieldIndex(name);
        if (index < 0) {
          if (std::string inside = InsideRecord(schema, name, kPartitionableKinds);
              !inside.empty()) {
            return InvalidArgumentError("partition template '{}': {}", templ, inside);
          }
          return InvalidArgumentError(
              "partition template '{}': '{}' is not a field of the schema (fields: {}; or use "
              "event_time)",
              templ, name, field_list());
        }
        const Field& f = schema.field(static_cast<size_t>(index));
        if (std::string why = NotPartitionable(f); !why.empty()) {
          return InvalidArgumentError("partition template '{}': field '{}' {}: partition by {}",
                                      templ, name, why, kPartitionableKinds);
        }
        if (f.type == Type::kBytes) {
          return InvalidArgumentError(
              "partition template '{}': field '{}' is bytes: partition by a string, number, "
              "boolean, enum, date or timestamp field",
              templ, name);
        }
        if (piece.has_format && !IsTimeField(f) && index != p.time_field_) {
          return InvalidArgumentError(
              "partition template '{}': field '{}' is {}: a FORMAT applies only to event_time, "
              "date and timestamp fields and the time field",
              templ, name, f.Describe());
        }
        piece.kind = PieceKind::kField;
        piece.field = static_cast<size_t>(index);
      }
      component.pieces.push_back(std::move(piece));
    }
    if (!literal.text.empty()) component.pieces.push_back(std::move(literal));
    p.components_.push_back(std::move(component));
  }
  return p;
}

std::optional<int64_t> Partitioner::EventTimeMicros(const RecordBatch& batch, size_t row,
                                                    int64_t kafka_timestamp_ms) const {
  if (time_field_ < 0) {
    if (kafka_timestamp_ms < 0) return std::nullopt;
    constexpr int64_t kLimit = std::numeric_limits<int64_t>::max() / 1000;
    if (kafka_timestamp_ms > kLimit) return std::nullopt;
    return kafka_timestamp_ms * 1000;
  }
  const auto index = static_cast<size_t>(time_field_);
  const Column& column = batch.column(index);
  if (column.IsNull(row) || column.storage() == Storage::kNone) return std::nullopt;
  return TimeMicros(fields_[index], column, row);
}

bool Partitioner::EventTimeReadable(const RecordBatch& batch, size_t row,
                                    int64_t kafka_timestamp_ms, std::string* reason) const {
  if (!uses_event_time_) return true;
  std::optional<int64_t> event_time;
  return ReadEventTime(batch, row, kafka_timestamp_ms, &event_time, reason);
}

bool Partitioner::ReadEventTime(const RecordBatch& batch, size_t row, int64_t kafka_timestamp_ms,
                                std::optional<int64_t>* event_time, std::string* reason) const {
  event_time->reset();
  std::string value;
  if (time_field_ < 0) {
    if (kafka_timestamp_ms < 0) return true;
    if (TimestampMillisInReaderRange(kafka_timestamp_ms)) {
      *event_time = kafka_timestamp_ms * 1000;
      return true;
    }
    value = fmt::format("the Kafka timestamp {}", kafka_timestamp_ms);
  } else {
    const auto index = static_cast<size_t>(time_field_);
    const Field& field = fields_[index];
    const Column& column = batch.column(index);
    if (column.storage() == Storage::kNone || column.IsNull(row)) return true;
    const std::optional<int64_t> micros = TimeMicros(field, column, row);
    if (micros && TimestampMicrosInReaderRange(*micros)) {
      *event_time = micros;
      return true;
    }
    switch (field.logical) {
      case LogicalType::kDate:
        value = fmt::format("field '{}': day {}", field.name, column.GetInt32(row));
        break;
      case LogicalType::kTimestampMillis:
      case LogicalType::kTimestampMicros:
        value = fmt::format("field '{}': {}", field.name, column.GetInt64(row));
        break;
      default:
        // A string that does not parse is a null event time (see the header).
        if (!micros) return true;
        value = fmt::format("field '{}': {}", field.name, column.GetBytes(row));
        break;
    }
  }
  *reason = fmt::format("{} is outside the event times the lake's readers accept ({})", value,
                        kReaderTimestampRange);
  return false;
}

bool Partitioner::AppendPiece(const Piece& piece, const RecordBatch& batch, size_t row,
                              const std::optional<int64_t>& event_time, std::string* out) const {
  if (piece.kind == PieceKind::kEventTime) {
    if (!event_time) return false;
    if (piece.has_format) {
      AppendTime(*event_time, piece.text, out);
    } else {
      AppendTimestampMicros(*event_time, out);
    }
    return true;
  }
  const Field& field = fields_[piece.field];
  const Column& column = batch.column(piece.field);
  if (column.storage() == Storage::kNone || column.IsNull(row)) return false;
  if (piece.has_format) {
    std::optional<int64_t> micros = TimeMicros(field, column, row);
    if (!micros) return false;
    AppendTime(*micros, piece.text, out);
    return true;
  }
  switch (field.logical) {
    case LogicalType::kDate:
      AppendDate(column.GetInt32(row), out);
      return true;
    case LogicalType::kTimestampMillis:
      AppendTimestampMillis(column.GetInt64(row), out);
      return true;
    case LogicalType::kTimestampMicros:
      AppendTimestampMicros(column.GetInt64(row), out);
      return true;
    default:
      break;
  }
  switch (field.type) {
    case Type::kNull:
    case Type::kBytes:
      return false;
    case Type::kBoolean:
      out->append(column.GetBool(row) ? "true" : "false");
      return true;
    case Type::kInt:
      fmt::format_to(std::back_inserter(*out), "{}", column.GetInt32(row));
      return true;
    case Type::kLong:
      fmt::format_to(std::back_inserter(*out), "{}", column.GetInt64(row));
      return true;
    case Type::kFloat:
      AppendFloating(column.GetFloat(row), out);
      return true;
    case Type::kDouble:
      AppendFloating(column.GetDouble(row), out);
      return true;
    case Type::kString:
      out->append(column.GetBytes(row));
      return true;
    case Type::kEnum: {
      const int32_t symbol = column.GetInt32(row);
      if (symbol < 0 || static_cast<size_t>(symbol) >= field.symbols.size()) return false;
      out->append(field.symbols[static_cast<size_t>(symbol)]);
      return true;
    }
  }
  return false;
}

void Partitioner::PathFor(const RecordBatch& batch, size_t row, int64_t kafka_timestamp_ms,
                          std::string* out) const {
  std::optional<int64_t> event_time;
  if (uses_event_time_) event_time = EventTimeMicros(batch, row, kafka_timestamp_ms);
  AppendPath(batch, row, event_time, out);
}

bool Partitioner::ReadablePathFor(const RecordBatch& batch, size_t row, int64_t kafka_timestamp_ms,
                                  std::string* out, std::string* reason) const {
  std::optional<int64_t> event_time;
  if (uses_event_time_ && !ReadEventTime(batch, row, kafka_timestamp_ms, &event_time, reason)) {
    return false;
  }
  AppendPath(batch, row, event_time, out);
  return true;
}

void Partitioner::AppendPath(const RecordBatch& batch, size_t row,
                             const std::optional<int64_t>& event_time, std::string* out) const {
  out->clear();
  std::string value;
  for (size_t c = 0; c < components_.size(); ++c) {
    const Component& component = components_[c];
    if (c > 0) out->push_back('/');
    out->append(component.name);
    out->push_back('=');
    value.clear();
    bool is_null = false;
    for (const Piece& piece : component.pieces) {
      if (piece.kind == PieceKind::kLiteral) {
        value.append(piece.text);
      } else if (!AppendPiece(piece, batch, row, event_time, &value)) {
        is_null = true;
        break;
      }
    }
    AppendHiveValue(value, is_null, out);
  }
}

std::vector<std::string> Partitioner::names() const {
  std::vector<std::string> names;
  for (const Component& c : components_) names.push_back(c.name);
  return names;
}

}  // namespace lakepipe::archive

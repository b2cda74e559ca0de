// JSON Lines and JSON array readers: records are split by RecordSplitter and
// each object is parsed with simdjson On-Demand straight into the batch.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include <fmt/format.h>
#include <simdjson.h>

#include "formats/text/complete_text.h"
#include "formats/text/text_internal.h"
#include "formats/text/text_reader.h"

namespace lakepipe::text {
namespace {

namespace od = simdjson::ondemand;

static_assert(kRecordPadding >= simdjson::SIMDJSON_PADDING, "records must be padded for simdjson");

// Objects larger than this are parsed with a parser that is freed right
// after, so that one huge record does not pin its scratch memory.
constexpr size_t kSmallParserCapacity = size_t{4} << 20;

std::string_view TrimTrailingSpace(std::string_view s) {
  while (!s.empty() && IsJsonSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string InvalidJson(simdjson::error_code error) {
  return fmt::format("invalid JSON ({})", simdjson::error_message(error));
}

// Keys that appear verbatim in JSON text (nothing to escape), so that a raw
// key can be compared with them byte for byte.
bool IsVerbatimKey(std::string_view name) {
  for (char c : name) {
    if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

// Parses JSON objects into rows of a batch.
class JsonRowParser {
 public:
  explicit JsonRowParser(const Schema& schema)
      : plans_(MakeFieldPlans(schema)), seen_(schema.num_fields(), 0) {
    for (size_t i = 0; i < plans_.size(); ++i) index_.emplace(plans_[i].name, static_cast<int>(i));
  }

  // Appends the object in json[0, size) (followed by kRecordPadding readable
  // bytes) as a row. On a bad record the row is rolled back, `*reason` says
  // why and false is returned.
  bool ParseRow(const char* json, size_t size, RecordBatch* batch, std::string* reason) {
    if (size <= kSmallParserCapacity) return ParseWith(&parser_, json, size, batch, reason);
    od::parser big;
    return ParseWith(&big, json, size, batch, reason);
  }

 private:
  // A key seen at some position of the previous object, with its first and
  // last eight bytes preloaded so that the usual match costs two loads.
  struct Slot {
    std::string name;
    int field = -1;
    bool verbatim = false;
    uint64_t head = 0;
    uint64_t tail = 0;

    void Set(std::string_view key, int index) {
      name.assign(key);
      field = index;
      verbatim = IsVerbatimKey(key);
      head = tail = 0;
      if (key.size() <= 8) {
        std::memcpy(&head, key.data(), key.size());
      } else if (key.size() <= 16) {
        std::memcpy(&head, key.data(), 8);
        std::memcpy(&tail, key.data() + key.size() - 8, 8);
      }
    }

    // True when the raw (still escaped) key text at `raw` is this key.
    // REQUIRES: 16 readable bytes at `raw` (the document is padded).
    bool Matches(const char* raw) const {
      const size_t n = name.size();
      if (!verbatim) return false;
      if (n > 16) {
        // Stops at the key's closing quote at the latest: `name` has none.
        for (size_t i = 0; i < n; ++i) {
          if (raw[i] != name[i]) return false;
        }
        return raw[n] == '"';
      }
      if (raw[n] != '"') return false;
      uint64_t word = 0;
      std::memcpy(&word, raw, 8);
      if (n <= 8) {
        const uint64_t mask = n == 8 ? ~uint64_t{0} : (uint64_t{1} << (8 * n)) - 1;
        return (word & mask) == head;
      }
      uint64_t last = 0;
      std::memcpy(&last, raw + n - 8, 8);
      return word == head && last == tail;
    }
  };

  bool ParseWith(od::parser* parser, const char* json, size_t size, RecordBatch* batch,
                 std::string* reason) {
    bool ok = ParseObject(parser, json, size, batch, reason);
    if (!ok) batch->RollbackRow();
    return ok;
  }

  bool ParseObject(od::parser* parser, const char* json, size_t size, RecordBatch* batch,
                   std::string* reason) {
    od::document doc;
    simdjson::padded_string_view view(json, size, size + kRecordPadding);
    simdjson::error_code error = parser->iterate(view).get(doc);
    if (error) {
      *reason = InvalidJson(error);
      return false;
    }
    od::object object;
    error = doc.get_object().get(object);
    if (error) {
      std::string_view text = TrimLeadingSpace(std::string_view(json, size));
      if (error == simdjson::INCORRECT_TYPE && !text.empty() && text[0] != '{') {
        *reason = fmt::format("expected a JSON object, got {}", Preview(text));
      } else {
        *reason = InvalidJson(error);
      }
      return false;
    }
    if (++generation_ == 0) {
      std::fill(seen_.begin(), seen_.end(), 0);
      generation_ = 1;
    }
    const size_t rows = batch->num_rows();
    // Strings need unescaping only when the object has a backslash at all.
    const bool escapes = std::memchr(json, '\\', size) != nullptr;
    size_t k = 0;
    size_t matched = 0;
    for (auto item : object) {
      if (item.error()) {
        *reason = InvalidJson(item.error());
        return false;
      }
      // Used in place: moving the field out costs a store-forwarding stall.
      od::field& field = item.value_unsafe();
      int idx = -1;
      if (k < slots_.size() && slots_[k].Matches(field.key().raw())) {
        idx = slots_[k].field;
      } else {
        std::string_view name;
        error = field.unescaped_key().get(name);
        if (error) {
          *reason = InvalidJson(error);
          return false;
        }
        auto it = index_.find(name);
        idx = it == index_.end() ? -1 : it->second;
        if (k >= slots_.size()) slots_.emplace_back();
        slots_[k].Set(name, idx);
      }
      ++k;
      if (idx < 0) continue;
      const auto i = static_cast<size_t>(idx);
      Column& column = batch->column(i);
      if (seen_[i] == generation_) {
        column.Truncate(rows);  // a duplicate key: the last one wins
      } else {
        seen_[i] = generation_;
        ++matched;
      }
      const FieldPlan& plan = plans_[i];
      od::value& value = field.value();
      // Fast path: an unescaped JSON string for a field that takes text.
      if (!escapes && plan.kind != ValueKind::kComplete) {
        std::string_view token = value.raw_json_token();
        if (token.size() >= 2 && token[0] == '"') {
          token = TrimTrailingSpace(token);
          if (token.back() == '"') {
            const std::string_view text = token.substr(1, token.size() - 2);
            if (plan.kind == ValueKind::kString) {
              column.AppendBytes(text);
            } else if (!AppendTextValue(plan, text, &column, reason)) {
              return false;
            }
            continue;
          }
        }
      }
      if (!AppendValue(plan, value, escapes, &column, reason)) return false;
    }
    // Anything after the object's closing brace is an error.
    const char* rest = nullptr;
    error = doc.current_location().get(rest);
    if (error != simdjson::OUT_OF_BOUNDS) {
      *reason = error ? InvalidJson(error)
                      : fmt::format("unexpected text after the JSON object: {}",
                                    Preview(std::string_view(rest, json + size - rest)));
      return false;
    }
    if (matched != plans_.size()) {
      for (size_t i = 0; i < plans_.size(); ++i) {
        if (seen_[i] == generation_) continue;
        if (!plans_[i].nullable) {
          *reason =
              fmt::format("field '{}': missing, and the field is not nullable", plans_[i].name);
          return false;
        }
        batch->column(i).AppendNull();
      }
    }
    batch->CommitRow();
    return true;
  }

  // DuckDB writes NaN and infinities as bare NaN / Infinity / -Infinity,
  // which is not JSON; float and double fields accept them anyway.
  static bool AppendBareNonFinite(const FieldPlan& plan, std::string_view token, Column* column) {
    if (plan.kind != ValueKind::kDouble && plan.kind != ValueKind::kFloat) return false;
    token = TrimTrailingSpace(token);
    double v = 0;
    if (token == "NaN") {
      v = std::numeric_limits<double>::quiet_NaN();
    } else if (token == "Infinity") {
      v = std::numeric_limits<double>::infinity();
    } else if (token == "-Infinity") {
      v = -std::numeric_limits<double>::infinity();
    } else {
      return false;
    }
    if (plan.kind == ValueKind::kDouble) {
      column->AppendDouble(v);
    } else {
      column->AppendFloat(static_cast<float>(v));
    }
    return true;
  }

  static bool Mismatch(const FieldPlan& plan, std::string_view got, std::string* reason) {
    *reason = fmt::format("field '{}': expected {}, got {}", plan.name, ExpectedText(plan),
                          Preview(TrimTrailingSpace(got)));
    return false;
  }

 public:
  static bool AppendValue(const FieldPlan& plan, od::value& value, bool escapes, Column* column,
                          std::string* reason) {
    if (plan.kind == ValueKind::kComplete)
      return AppendComplete(plan, value, escapes, column, reason);
    od::json_type type = od::json_type::null;
    simdjson::error_code error = value.type().get(type);
    if (error) {
      if (AppendBareNonFinite(plan, value.raw_json_token(), column)) return true;
      *reason = fmt::format("field '{}': {}", plan.name, InvalidJson(error));
      return false;
    }
    switch (type) {
      case od::json_type::string: {
        std::string_view token = TrimTrailingSpace(value.raw_json_token());
        std::string_view s;
        if (!escapes && token.size() >= 2 && token.back() == '"') {
          s = token.substr(1, token.size() - 2);
        } else {
          error = value.get_string().get(s);
          if (error) {
            *reason = fmt::format("field '{}': {}", plan.name, InvalidJson(error));
            return false;
          }
        }
        if (plan.kind == ValueKind::kString) {
          column->AppendBytes(s);
          return true;
        }
        return AppendTextValue(plan, s, column, reason);
      }
      case od::json_type::number:
        return AppendNumber(plan, value, column, reason);
      case od::json_type::boolean: {
        bool b = false;
        error = value.get_bool().get(b);
        if (error) {
          *reason = fmt::format("field '{}': {}", plan.name, InvalidJson(error));
          return false;
        }
        if (plan.kind == ValueKind::kBool) {
          column->AppendBool(b);
        } else if (plan.kind == ValueKind::kString) {
          column->AppendBytes(b ? "true" : "false");
        } else {
          return Mismatch(plan, b ? "true" : "false", reason);
        }
        return true;
      }
      case od::json_type::null: {
        bool is_null = false;
        error = value.is_null().get(is_null);
        if (error || !is_null) {
          *reason = fmt::format("field '{}': {}", plan.name,
                                InvalidJson(error ? error : simdjson::N_ATOM_ERROR));
          return false;
        }
        if (!plan.nullable) {
          *reason = fmt::format("field '{}': got null, and the field is not nullable", plan.name);
          return false;
        }
        column->AppendNull();
        return true;
      }
      case od::json_type::object:
      case od::json_type::array: {
        const bool is_object = type == od::json_type::object;
        if (plan.kind != ValueKind::kString) {
          return Mismatch(plan, is_object ? "an object" : "an array", reason);
        }
        std::string_view raw;
        if (is_object) {
          od::object nested;
          error = value.get_object().get(nested);
          if (!error) error = nested.raw_json().get(raw);
        } else {
          od::array nested;
          error = value.get_array().get(nested);
          if (!error) error = nested.raw_json().get(raw);
        }
        if (error) {
          *reason = fmt::format("field '{}': {}", plan.name, InvalidJson(error));
          return false;
        }
        column->AppendBytes(TrimTrailingSpace(raw));
        return true;
      }
    }
    return Mismatch(plan, value.raw_json_token(), reason);
  }

 private:
  static bool AppendNumber(const FieldPlan& plan, od::value& value, Column* column,
                           std::string* reason) {
    switch (plan.kind) {
      case ValueKind::kInt32:
      case ValueKind::kInt64:
      case ValueKind::kDate:
      case ValueKind::kTimestampMillis:
      case ValueKind::kTimestampMicros: {
        // simdjson reads integer text in int64 exactly; anything else (a
        // fraction, an exponent, more digits) is decided from the text.
        const std::string_view token = TrimTrailingSpace(value.raw_json_token());
        int64_t v = 0;
        if (value.get_int64().get(v)) {
          switch (ParseExactInteger(token, NumberSyntax::kJson, &v)) {
            case IntegerText::kOk:
              break;
            case IntegerText::kOutOfRange:
              return IntegerOutOfRange(plan, token, reason);
            case IntegerText::kNotANumber:
            case IntegerText::kNotAnInteger:
              return Mismatch(plan, token, reason);
          }
        }
        return AppendIntegerValue(plan, v, token, column, reason);
      }
      case ValueKind::kDouble: {
        double d = 0;
        if (value.get_double().get(d)) {
          if (AppendBareNonFinite(plan, value.raw_json_token(), column)) return true;
          return Mismatch(plan, value.raw_json_token(), reason);
        }
        column->AppendDouble(d);
        return true;
      }
      case ValueKind::kFloat: {
        // Parse the text as a float directly: rounding through double could
        // differ from the nearest float.
        double d = 0;
        std::string_view token = TrimTrailingSpace(value.raw_json_token());
        float f = 0;
        auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), f);
        if (value.get_double().get(d) || ec != std::errc() || end != token.data() + token.size()) {
          if (AppendBareNonFinite(plan, token, column)) return true;
          if (ec == std::errc::result_out_of_range) {
            *reason = fmt::format("field '{}': {} is out of range for float (declare it double)",
                                  plan.name, Preview(token));
            return false;
          }
          return Mismatch(plan, token, reason);
        }
        column->AppendFloat(f);
        return true;
      }
      case ValueKind::kString: {
        std::string_view token = TrimTrailingSpace(value.raw_json_token());
        double d = 0;
        if (value.get_double().get(d)) return Mismatch(plan, token, reason);
        column->AppendBytes(token);
        return true;
      }
      default:
        return Mismatch(plan, value.raw_json_token(), reason);
    }
  }

  static bool Invalid(const FieldPlan& plan, simdjson::error_code error, std::string* reason) {
    *reason = fmt::format("field '{}': {}", plan.name, InvalidJson(error));
    return false;
  }

  // The string `value` holds (unescaped only when the object has escapes).
  static bool GetString(const FieldPlan& plan, od::value& value, bool escapes, std::string_view* s,
                        std::string* reason) {
    const std::string_view token = TrimTrailingSpace(value.raw_json_token());
    if (!escapes && token.size() >= 2 && token.back() == '"') {
      *s = token.substr(1, token.size() - 2);
      return true;
    }
    simdjson::error_code error = value.get_string().get(*s);
    return !error || Invalid(plan, error, reason);
  }

  // A value of the complete model (ValueKind::kComplete): nested values
  // column by column into the child columns, leaves from their text.
  static bool AppendComplete(const FieldPlan& plan, od::value& value, bool escapes, Column* column,
                             std::string* reason) {
    od::json_type type = od::json_type::null;
    simdjson::error_code error = value.type().get(type);
    if (error) return Invalid(plan, error, reason);
    const Kind kind = plan.field->kind();
    switch (type) {
      case od::json_type::null: {
        bool is_null = false;
        error = value.is_null().get(is_null);
        if (error || !is_null) return Invalid(plan, error ? error : simdjson::N_ATOM_ERROR, reason);
        if (!plan.nullable) {
          *reason = fmt::format("field '{}': got null, and the field is not nullable", plan.name);
          return false;
        }
        column->AppendNull();
        return true;
      }
      case od::json_type::object: {
        if (kind != Kind::kStruct && kind != Kind::kMap) return Mismatch(plan, "an object", reason);
        od::object object;
        error = value.get_object().get(object);
        if (error) return Invalid(plan, error, reason);
        return kind == Kind::kStruct ? AppendStruct(plan, object, escapes, column, reason)
                                     : AppendObjectMap(plan, object, escapes, column, reason);
      }
      case od::json_type::array: {
        if (kind != Kind::kList && kind != Kind::kMap) return Mismatch(plan, "an array", reason);
        od::array array;
        error = value.get_array().get(array);
        if (error) return Invalid(plan, error, reason);
        return kind == Kind::kList ? AppendList(plan, array, escapes, column, reason)
                                   : AppendEntryMap(plan, array, escapes, column, reason);
      }
      case od::json_type::string: {
        std::string_view s;
        if (!GetString(plan, value, escapes, &s, reason)) return false;
        return AppendCompleteText(plan, s, column, reason);
      }
      case od::json_type::number:
        return AppendCompleteText(plan, TrimTrailingSpace(value.raw_json_token()), column, reason);
      case od::json_type::boolean:
        return Mismatch(plan, value.raw_json_token(), reason);
    }
    return Mismatch(plan, value.raw_json_token(), reason);
  }

  // True when the raw (still escaped) key text at `raw` is `child`'s key.
  // Stops at the raw key's closing quote at the latest: a verbatim key has
  // no quote.
  static bool RawKeyIs(const char* raw, const FieldPlan& child) {
    if (!child.verbatim_key) return false;
    const size_t n = child.key.size();
    for (size_t i = 0; i < n; ++i) {
      if (raw[i] != child.key[i]) return false;
    }
    return raw[n] == '"';
  }

  // Keys by name; unknown keys are skipped, a repeated key's last value
  // wins, and a missing key is null (an error when not nullable).
  static bool AppendStruct(const FieldPlan& plan, od::object& object, bool escapes, Column* column,
                           std::string* reason) {
    column->AppendStruct();
    const size_t row = column->size() - 1;
    size_t position = 0;
    for (auto item : object) {
      od::field field;
      simdjson::error_code error = std::move(item).get(field);
      if (error) return Invalid(plan, error, reason);
      // Objects usually hold the fields in schema order: try the field at
      // this position on the raw key before looking the key up.
      size_t i = position++;
      if (i >= plan.children.size() || !RawKeyIs(field.key().raw(), plan.children[i])) {
        std::string_view key;
        error = field.unescaped_key().get(key);
        if (error) return Invalid(plan, error, reason);
        const auto it = plan.child_index.find(key);
        if (it == plan.child_index.end()) continue;
        i = static_cast<size_t>(it->second);
      }
      Column& child = column->child(i);
      if (child.size() > row) child.Truncate(row);
      if (!AppendValue(plan.children[i], field.value(), escapes, &child, reason)) return false;
    }
    size_t members_set = 0;
    for (size_t i = 0; i < plan.children.size(); ++i) {
      Column& child = column->child(i);
      if (child.size() > row) {
        members_set += child.IsValid(row) ? 1 : 0;
        continue;
      }
      if (!plan.children[i].nullable) {
        *reason = fmt::format("field '{}': missing, and the field is not nullable",
                              plan.children[i].name);
        return false;
      }
      child.AppendNull();
    }
    if (plan.field->avro_union && members_set > 1) {
      *reason =
          fmt::format("field '{}': {} members of the union are set; a union value has one member",
                      plan.name, members_set);
      return false;
    }
    return true;
  }

  static bool AppendList(const FieldPlan& plan, od::array& array, bool escapes, Column* column,
                         std::string* reason) {
    for (auto item : array) {
      od::value element;
      simdjson::error_code error = std::move(item).get(element);
      if (error) return Invalid(plan, error, reason);
      if (!AppendValue(plan.children[0], element, escapes, &column->child(0), reason)) return false;
    }
    column->FinishList();
    return true;
  }

  static bool AppendKey(const FieldPlan& plan, std::string_view key, Column* keys,
                        std::string* reason) {
    if (plan.kind == ValueKind::kString) {
      keys->AppendBytes(key);
      return true;
    }
    return AppendTextValue(plan, key, keys, reason);
  }

  // {"k": v, ...}: keys that are not strings are parsed from their text.
  static bool AppendObjectMap(const FieldPlan& plan, od::object& object, bool escapes,
                              Column* column, std::string* reason) {
    for (auto item : object) {
      od::field field;
      simdjson::error_code error = std::move(item).get(field);
      std::string_view key;
      if (!error) error = field.unescaped_key().get(key);
      if (error) return Invalid(plan, error, reason);
      if (!AppendKey(plan.children[0], key, &column->child(0), reason) ||
          !AppendValue(plan.children[1], field.value(), escapes, &column->child(1), reason)) {
        return false;
      }
    }
    column->FinishList();
    return true;
  }

  // [{"key": k, "value": v}, ...], as DuckDB and Spark print maps whose keys
  // are not strings.
  static bool AppendEntryMap(const FieldPlan& plan, od::array& array, bool escapes, Column* column,
                             std::string* reason) {
    Column& keys = column->child(0);
    Column& values = column->child(1);
    for (auto item : array) {
      od::object entry;
      simdjson::error_code error = std::move(item).get_object().get(entry);
      if (error)
        return Mismatch(plan, "an array element that is not a {\"key\", \"value\"} object", reason);
      const size_t at = keys.size();
      for (auto member : entry) {
        od::field field;
        error = std::move(member).get(field);
        std::string_view name;
        if (!error) error = field.unescaped_key().get(name);
        if (error) return Invalid(plan, error, reason);
        const bool is_key = name == "key";
        if (!is_key && name != "value") continue;
        Column& target = is_key ? keys : values;
        if (target.size() > at) target.Truncate(at);
        if (!AppendValue(plan.children[is_key ? 0 : 1], field.value(), escapes, &target, reason)) {
          return false;
        }
      }
      if (keys.size() == at) {
        *reason = fmt::format("field '{}': a map entry without a \"key\"", plan.name);
        return false;
      }
      if (values.size() == at) {
        if (!plan.children[1].nullable) {
          *reason = fmt::format(
              "field '{}': a map entry without a \"value\", and the value is "
              "not nullable",
              plan.name);
          return false;
        }
        values.AppendNull();
      }
    }
    column->FinishList();
    return true;
  }

  std::vector<FieldPlan> plans_;
  StringMap<int> index_;
  // Keys of the previous object by position: objects usually repeat them.
  std::vector<Slot> slots_;
  std::vector<uint32_t> seen_;
  uint32_t generation_ = 0;
  od::parser parser_;
};

class JsonReader final : public TextRecordReader {
 public:
  JsonReader(std::unique_ptr<InputFile> file, ReadOptions options, bool array,
             const ReaderTuning& tuning)
      : TextRecordReader(std::move(file), std::move(options)),
        array_(array),
        splitter_(&this->file(),
                  array ? static_cast<RecordScanner*>(&array_scanner_) : &line_scanner_,
                  tuning.chunk_bytes, tuning.max_record_bytes),
        parser_(*this->options().schema) {}

 private:
  RecordSplitter& splitter() override { return splitter_; }

  Status Take(const RawRecord& record, RecordBatch* batch) override {
    return array_ ? Element(record, batch) : Line(record, batch);
  }

  Status Oversized(const RawRecord& record, std::string_view what) {
    return Reject(record.line, record.offset, record.text,
                  fmt::format("{} is {} bytes, longer than the limit of {} bytes", what,
                              record.size, splitter_.max_record_bytes()));
  }

  Status Parse(const char* text, size_t size, uint64_t line, uint64_t offset, RecordBatch* batch) {
    std::string reason;
    if (parser_.ParseRow(text, size, batch, &reason)) return Status::OK();
    return Reject(line, offset, std::string_view(text, size), std::move(reason));
  }

  Status Line(const RawRecord& record, RecordBatch* batch) {
    if (record.oversized) return Oversized(record, "the line");
    std::string_view text = record.text;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    if (text.empty() || (text[0] != '{' && IsBlank(text))) return Status::OK();
    return Parse(text.data(), text.size(), record.line, record.offset, batch);
  }

  // Where the element starts: after leading whitespace (and the array's
  // '[' in the first record).
  struct Located {
    std::string_view text;
    uint64_t line;
    uint64_t offset;
  };
  Located Locate(const RawRecord& record) {
    std::string_view text = TrimLeadingSpace(record.text);
    if (first_ && !array_scanner_.sequence() && !text.empty() && text[0] == '[') {
      text = TrimLeadingSpace(text.substr(1));
    }
    first_ = false;
    const size_t skipped = record.text.size() - text.size();
    const auto newlines =
        static_cast<uint64_t>(std::count(record.text.data(), record.text.data() + skipped, '\n'));
    return Located{text, record.line + newlines, record.offset + skipped};
  }

  Status Element(const RawRecord& record, RecordBatch* batch) {
    using End = JsonArrayScanner::End;
    if (record.oversized) return Oversized(record, "the element");
    if (!record.terminated) return Unterminated(record);
    Located at = Locate(record);
    switch (array_scanner_.last_end()) {
      case End::kNotArray:
        return InvalidArgumentError(
            "{}:{}: not a JSON array or a sequence of JSON objects: it starts with {}; give the "
            "right format or fix the file",
            file().path(), at.line, Preview(at.text));
      case End::kElement: {
        if (expect_comma_) {
          expect_comma_ = !array_scanner_.sequence();
          return Reject(at.line, at.offset, at.text, "missing ',' before this array element");
        }
        expect_comma_ = !array_scanner_.sequence();
        if (!at.text.empty() && at.text[0] != '{') {
          return Reject(at.line, at.offset, at.text,
                        fmt::format("expected a JSON object, got {}", Preview(at.text)));
        }
        return Parse(at.text.data(), at.text.size(), at.line, at.offset, batch);
      }
      case End::kComma:
      case End::kArrayEnd: {
        const bool had_element = expect_comma_;
        expect_comma_ = false;
        if (!at.text.empty()) {
          return Reject(at.line, at.offset, at.text,
                        fmt::format("expected a JSON object, got {}", Preview(at.text)));
        }
        if (!had_element && array_scanner_.last_end() == End::kComma) {
          return Reject(at.line, at.offset, at.text, "empty array element before ','");
        }
        return Status::OK();
      }
      case End::kNone:
        break;
    }
    return InternalError("{}: JSON array scanner returned no record kind", file().path());
  }

  Status Unterminated(const RawRecord& record) {
    Located at = Locate(record);
    if (at.text.empty()) return Status::OK();
    if (array_scanner_.closed()) {
      return InvalidArgumentError("{}:{}: unexpected text after the JSON array: {}", file().path(),
                                  at.line, Preview(TrimTrailingSpace(at.text)));
    }
    ended_inside_ = true;
    return Reject(at.line, at.offset, at.text,
                  "the file ends inside this element (is it truncated?)");
  }

  Status AtEnd() override {
    if (!array_ || ended_inside_ || !array_scanner_.in_array()) return Status::OK();
    return Reject(1 + splitter_newlines(), file().size(), "",
                  "the JSON array is not closed with ']' (is the file truncated?)");
  }

  uint64_t splitter_newlines() const { return array_scanner_.newlines(); }

  bool array_;
  LineScanner line_scanner_;
  JsonArrayScanner array_scanner_;
  RecordSplitter splitter_;
  JsonRowParser parser_;
  bool first_ = true;
  bool expect_comma_ = false;
  bool ended_inside_ = false;
};

Result<std::unique_ptr<RecordReader>> NewJsonReader(std::unique_ptr<InputFile> file,
                                                    const ReadOptions& options, bool array,
                                                    const ReaderTuning& tuning) {
  if (!options.schema) {
    return InvalidArgumentError("reading JSON from '{}' needs a schema: give one or infer it",
                                file->path());
  }
  return std::unique_ptr<RecordReader>(
      std::make_unique<JsonReader>(std::move(file), options, array, tuning));
}

}  // namespace

std::string_view TrimLeadingSpace(std::string_view text) {
  size_t i = 0;
  while (i < text.size() && IsJsonSpace(text[i])) ++i;
  return text.substr(i);
}

bool IsBlank(std::string_view text) { return TrimLeadingSpace(text).empty(); }

size_t JsonArrayScanner::Scan(const char* data, size_t from, size_t size, size_t* content_end) {
  for (size_t i = from; i < size; ++i) {
    const char c = data[i];
    if (phase_ == Phase::kStart && c != '[' && c != '{' && !IsJsonSpace(c)) {
      phase_ = Phase::kClosed;
      last_end_ = End::kNotArray;
      *content_end = i + 1;
      return i + 1;
    }
    if (in_string_) {
      if (escape_) {
        escape_ = false;
      } else if (c == '\\') {
        escape_ = true;
      } else if (c == '"') {
        in_string_ = false;
      } else if (c == '\n') {
        ++newlines_;
      }
      continue;
    }
    switch (c) {
      case '\n':
        ++newlines_;
        break;
      case '"':
        if (phase_ != Phase::kClosed) in_string_ = true;
        break;
      case '[':
      case '{':
        if (phase_ == Phase::kClosed) break;
        if (phase_ == Phase::kStart) {
          if (c == '[') {
            phase_ = Phase::kArray;
            break;
          }
          phase_ = Phase::kSequence;
        }
        ++depth_;
        break;
      case ']':
      case '}':
        if (phase_ == Phase::kClosed) break;
        if (depth_ == 0) {
          if (phase_ == Phase::kArray && c == ']') {
            phase_ = Phase::kClosed;
            last_end_ = End::kArrayEnd;
            *content_end = i;
            return i + 1;
          }
          break;  // a stray bracket: left in the content, where parsing reports it
        }
        if (--depth_ == 0) {
          last_end_ = End::kElement;
          *content_end = i + 1;
          return i + 1;
        }
        break;
      case ',':
        if (depth_ == 0 && phase_ == Phase::kArray) {
          last_end_ = End::kComma;
          *content_end = i;
          return i + 1;
        }
        break;
      default:
        break;
    }
  }
  return kNotFound;
}

Result<std::unique_ptr<RecordReader>> NewJsonLinesReader(std::unique_ptr<InputFile> file,
                                                         const ReadOptions& options,
                                                         const ReaderTuning& tuning) {
  return NewJsonReader(std::move(file), options, false, tuning);
}

Result<std::unique_ptr<RecordReader>> NewJsonArrayReader(std::unique_ptr<InputFile> file,
                                                         const ReadOptions& options,
                                                         const ReaderTuning& tuning) {
  return NewJsonReader(std::move(file), options, true, tuning);
}

Result<uint64_t> CountJsonLines(InputFile* file) {
  LineScanner scanner;
  RecordSplitter splitter(file, &scanner);
  uint64_t n = 0;
  RawRecord record;
  while (true) {
    LP_ASSIGN_OR_RETURN(bool more, splitter.Next(&record));
    if (!more) return n;
    if (!IsBlank(record.text)) ++n;
  }
}

Result<uint64_t> CountJsonArrayElements(InputFile* file) {
  JsonArrayScanner scanner;
  RecordSplitter splitter(file, &scanner);
  uint64_t n = 0;
  RawRecord record;
  while (true) {
    LP_ASSIGN_OR_RETURN(bool more, splitter.Next(&record));
    if (!more || !record.terminated) return n;
    switch (scanner.last_end()) {
      case JsonArrayScanner::End::kElement:
        ++n;
        break;
      case JsonArrayScanner::End::kNotArray:
        return InvalidArgumentError("'{}' is not a JSON array or a sequence of JSON objects",
                                    file->path());
      default:
        break;
    }
  }
}

struct JsonValueParser::Impl {
  od::parser parser;
  std::string padded;  // the input, then kRecordPadding bytes for simdjson
};

JsonValueParser::JsonValueParser() : impl_(std::make_unique<Impl>()) {}
JsonValueParser::~JsonValueParser() = default;
JsonValueParser::JsonValueParser(JsonValueParser&&) noexcept = default;
JsonValueParser& JsonValueParser::operator=(JsonValueParser&&) noexcept = default;

bool JsonValueParser::Append(const FieldPlan& plan, std::string_view json, Column* column,
                             std::string* reason) {
  std::string& padded = impl_->padded;
  padded.assign(json);
  padded.append(kRecordPadding, '\0');
  od::document doc;
  simdjson::padded_string_view view(padded.data(), json.size(), padded.size());
  simdjson::error_code error = impl_->parser.iterate(view).get(doc);
  od::value value;
  if (!error) error = doc.get_value().get(value);
  if (error) {
    *reason = fmt::format("field '{}': expected {}, got {} ({})", plan.name, ExpectedText(plan),
                          Preview(json), InvalidJson(error));
    return false;
  }
  const bool escapes = json.find('\\') != std::string_view::npos;
  if (!JsonRowParser::AppendValue(plan, value, escapes, column, reason)) return false;
  const char* rest = nullptr;
  error = doc.current_location().get(rest);
  if (error != simdjson::OUT_OF_BOUNDS) {
    *reason = fmt::format("field '{}': unexpected text after the JSON value: {}", plan.name,
                          Preview(std::string_view(json).substr(
                              error ? 0 : static_cast<size_t>(rest - padded.data()))));
    return false;
  }
  return true;
}

}  // namespace lakepipe::text

namespace lakepipe {

struct JsonRecordParser::Impl {
  explicit Impl(const Schema& schema) : parser(schema) {}
  text::JsonRowParser parser;
  std::string padded;  // the input, then kRecordPadding bytes for simdjson
};

JsonRecordParser::JsonRecordParser(SchemaPtr schema)
    : schema_(std::move(schema)), impl_(std::make_unique<Impl>(*schema_)) {}
JsonRecordParser::~JsonRecordParser() = default;
JsonRecordParser::JsonRecordParser(JsonRecordParser&&) noexcept = default;
JsonRecordParser& JsonRecordParser::operator=(JsonRecordParser&&) noexcept = default;

bool JsonRecordParser::Parse(std::string_view json, RecordBatch* out, std::string* reason) {
  if (text::IsBlank(json)) {
    *reason = "empty input: expected a JSON object";
    return false;
  }
  std::string& padded = impl_->padded;
  padded.assign(json);
  padded.append(text::kRecordPadding, '\0');
  return impl_->parser.ParseRow(padded.data(), json.size(), out, reason);
}

}  // namespace lakepipe

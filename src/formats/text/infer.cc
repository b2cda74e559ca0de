// Schema inference for the text formats: the first rows of a file are
// sampled and every key/column gets the narrowest type all its values fit.

#include <algorithm>
#include <memory>
#include <optional>
#include <set>

#include <fmt/format.h>
#include <simdjson.h>

#include "core/time_util.h"
#include "formats/text/text_internal.h"

namespace lakepipe::text {
namespace {

namespace od = simdjson::ondemand;

static_assert(kRecordPadding >= simdjson::SIMDJSON_PADDING, "records must be padded for simdjson");

// Kinds of values, ordered so that int < long < double widen.
enum class Kind { kNone, kBool, kInt, kLong, kDouble, kString };

Kind Merge(Kind a, Kind b) {
  if (a == Kind::kNone) return b;
  if (b == Kind::kNone || a == b) return a;
  const bool a_num = a == Kind::kInt || a == Kind::kLong || a == Kind::kDouble;
  const bool b_num = b == Kind::kInt || b == Kind::kLong || b == Kind::kDouble;
  if (a_num && b_num) return std::max(a, b);
  return Kind::kString;  // incompatible kinds
}

bool MaybeDate(std::string_view s) { return s.size() == 10 && s[4] == '-' && s[7] == '-'; }
bool MaybeTimestamp(std::string_view s) { return s.size() > 10 && s[4] == '-' && s[7] == '-'; }

// One value as seen in a sampled row.
struct Observation {
  Kind kind = Kind::kNone;  // kNone: null
  bool text = false;        // a string value (not nested JSON)
  // The string when `text`: its place in the row's string buffer.
  size_t offset = 0;
  size_t size = 0;
};

// The values of one sampled row, in order, with their strings.
struct Row {
  std::vector<std::pair<std::string, Observation>> values;
  std::string strings;

  void Clear() {
    values.clear();
    strings.clear();
  }
  void Add(std::string_view name, Observation obs, std::string_view text = {}) {
    if (obs.text) {
      obs.offset = strings.size();
      obs.size = text.size();
      strings.append(text);
    }
    values.emplace_back(std::string(name), obs);
  }
  std::string_view Text(const Observation& obs) const {
    return std::string_view(strings.data() + obs.offset, obs.size);
  }
};

struct Candidate {
  std::string name;
  Kind kind = Kind::kNone;
  uint64_t rows_present = 0;  // rows with the key (null or not)
  uint64_t last_row = 0;      // 1-based row that last had the key
  bool saw_null = false;
  bool only_text = true;  // every non-null value was a string
  bool all_date = true;
  bool all_timestamp = true;
  bool all_uuid = true;

  void Observe(const Observation& o, std::string_view string, uint64_t row) {
    if (last_row != row) {
      last_row = row;
      ++rows_present;
    }
    if (o.kind == Kind::kNone) {
      saw_null = true;
      return;
    }
    kind = Merge(kind, o.kind);
    if (!o.text) {
      only_text = false;
      return;
    }
    if (all_date) all_date = MaybeDate(string) && LooksLikeDate(string);
    if (all_timestamp) all_timestamp = MaybeTimestamp(string) && LooksLikeTimestamp(string);
    if (all_uuid) all_uuid = IsCanonicalUuid(string);
  }

  Field ToField(uint64_t rows) const {
    Field f;
    f.name = name;
    f.nullable = saw_null || rows_present < rows || kind == Kind::kNone;
    switch (kind) {
      case Kind::kNone:
        f.type = Type::kNull;
        break;
      case Kind::kBool:
        f.type = Type::kBoolean;
        break;
      case Kind::kInt:
        f.type = Type::kInt;
        break;
      case Kind::kLong:
        f.type = Type::kLong;
        break;
      case Kind::kDouble:
        f.type = Type::kDouble;
        break;
      case Kind::kString:
        f.type = Type::kString;
        if (only_text && all_date) {
          f.type = Type::kInt;
          f.logical = LogicalType::kDate;
        } else if (only_text && all_timestamp) {
          f.type = Type::kLong;
          f.logical = LogicalType::kTimestampMicros;
        } else if (only_text && all_uuid) {
          f.logical = LogicalType::kUuid;
        }
        break;
    }
    return f;
  }
};

class Inference {
 public:
  // Records the observations of one row (name, value) in order.
  void AddRow(const Row& row) {
    ++rows_;
    for (const auto& [name, obs] : row.values) {
      auto it = index_.find(name);
      size_t i = 0;
      if (it == index_.end()) {
        i = candidates_.size();
        index_.emplace(name, i);
        candidates_.push_back(Candidate{});
        candidates_.back().name = name;
      } else {
        i = it->second;
      }
      candidates_[i].Observe(obs, row.Text(obs), rows_);
    }
  }

  // Columns of a CSV header, which exist even when no row has a value.
  void AddColumn(const std::string& name) {
    index_.emplace(name, candidates_.size());
    candidates_.push_back(Candidate{});
    candidates_.back().name = name;
  }

  uint64_t rows() const { return rows_; }
  size_t num_fields() const { return candidates_.size(); }

  Schema Build(const std::string& record_name) const {
    std::vector<Field> fields;
    fields.reserve(candidates_.size());
    for (const Candidate& c : candidates_) fields.push_back(c.ToField(rows_));
    return Schema(record_name, std::move(fields));
  }

 private:
  uint64_t rows_ = 0;
  std::vector<Candidate> candidates_;
  StringMap<size_t> index_;
};

bool IsBareNonFinite(od::value& value) {
  std::string_view token = value.raw_json_token();
  while (!token.empty() && IsJsonSpace(token.back())) token.remove_suffix(1);
  return token == "NaN" || token == "Infinity" || token == "-Infinity";
}

// One JSON value of a sampled row: a scalar observation, an object's
// members or an array's elements.
struct JsonValue {
  enum class Form { kNull, kScalar, kObject, kArray };
  Form form = Form::kNull;
  Observation scalar;
  std::string text;  // a string scalar
  std::vector<std::pair<std::string, JsonValue>> members;
  std::vector<JsonValue> elements;
};

bool ObserveJsonValue(od::value& value, int depth, JsonValue* out);

bool ObserveJsonObjectMembers(od::object& object, int depth, JsonValue* out) {
  out->form = JsonValue::Form::kObject;
  for (auto item : object) {
    od::field field;
    if (std::move(item).get(field)) return false;
    std::string_view key;
    if (field.unescaped_key().get(key)) return false;
    out->members.emplace_back(std::string(key), JsonValue{});
    if (!ObserveJsonValue(field.value(), depth + 1, &out->members.back().second)) return false;
  }
  return true;
}

// Objects and arrays deeper than this are kept as JSON text.
constexpr int kMaxInferredDepth = 64;

bool ObserveJsonValue(od::value& value, int depth, JsonValue* out) {
  od::json_type type = od::json_type::null;
  Observation& obs = out->scalar;
  if (value.type().get(type) || (type == od::json_type::number && IsBareNonFinite(value))) {
    // DuckDB writes NaN and infinities as bare words; they are doubles.
    if (!IsBareNonFinite(value)) return false;
    out->form = JsonValue::Form::kScalar;
    obs.kind = Kind::kDouble;
    return true;
  }
  out->form = JsonValue::Form::kScalar;
  switch (type) {
    case od::json_type::null: {
      bool is_null = false;
      if (value.is_null().get(is_null) || !is_null) return false;
      out->form = JsonValue::Form::kNull;
      return true;
    }
    case od::json_type::boolean: {
      bool b = false;
      if (value.get_bool().get(b)) return false;
      obs.kind = Kind::kBool;
      return true;
    }
    case od::json_type::number: {
      od::number_type nt = od::number_type::floating_point_number;
      if (value.get_number_type().get(nt) || nt != od::number_type::signed_integer) {
        double d = 0;
        if (value.get_double().get(d)) return false;
        obs.kind = Kind::kDouble;
        return true;
      }
      int64_t v = 0;
      if (value.get_int64().get(v)) return false;
      obs.kind = v >= INT32_MIN && v <= INT32_MAX ? Kind::kInt : Kind::kLong;
      return true;
    }
    case od::json_type::string: {
      std::string_view text;
      if (value.get_string().get(text)) return false;
      if (text == "NaN" || text == "Infinity" || text == "-Infinity") {
        obs.kind = Kind::kDouble;  // how JSON writers spell non-finite doubles
        return true;
      }
      obs.kind = Kind::kString;
      obs.text = true;
      out->text.assign(text);
      return true;
    }
    case od::json_type::object: {
      od::object object;
      if (value.get_object().get(object)) return false;
      if (depth >= kMaxInferredDepth) {
        std::string_view raw;
        obs.kind = Kind::kString;
        return !object.raw_json().get(raw);
      }
      return ObserveJsonObjectMembers(object, depth, out);
    }
    case od::json_type::array: {
      od::array array;
      if (value.get_array().get(array)) return false;
      if (depth >= kMaxInferredDepth) {
        std::string_view raw;
        obs.kind = Kind::kString;
        return !array.raw_json().get(raw);
      }
      out->form = JsonValue::Form::kArray;
      for (auto item : array) {
        od::value element;
        if (std::move(item).get(element)) return false;
        out->elements.emplace_back();
        if (!ObserveJsonValue(element, depth + 1, &out->elements.back())) return false;
      }
      return true;
    }
  }
  return false;
}

// Reads one JSON object of a sample; false when it is malformed.
bool ObserveJsonObject(od::parser* parser, std::string_view json, JsonValue* row) {
  *row = JsonValue{};
  od::document doc;
  if (parser
          ->iterate(
              simdjson::padded_string_view(json.data(), json.size(), json.size() + kRecordPadding))
          .get(doc)) {
    return false;
  }
  od::object object;
  if (doc.get_object().get(object)) return false;
  if (!ObserveJsonObjectMembers(object, 0, row)) return false;
  const char* rest = nullptr;
  return doc.current_location().get(rest) == simdjson::OUT_OF_BOUNDS;
}

// What the sampled values at one place of the documents (a top-level key,
// a key of a nested object, the elements of an array) have in common.
// Objects become structs (their keys unioned in first-seen order, a key
// missing from some objects nullable), arrays lists of their elements'
// shape, scalars widen as Candidate does; a place that holds values of
// different forms (an object here, a number there) is JSON text.
class Shape {
 public:
  void Observe(const JsonValue& v) {
    switch (v.form) {
      case JsonValue::Form::kNull:
        saw_null_ = true;
        return;
      case JsonValue::Form::kScalar:
        ++scalars_;
        scalar_.Observe(v.scalar, v.text, scalars_);
        return;
      case JsonValue::Form::kObject:
        ++objects_;
        for (const auto& [name, member] : v.members) {
          auto it = index_.find(name);
          if (it == index_.end()) {
            it = index_.emplace(name, fields_.size()).first;
            fields_.push_back(Member{name, std::make_unique<Shape>(), 0, 0});
          }
          Member& m = fields_[it->second];
          if (m.last_object != objects_) {
            m.last_object = objects_;
            ++m.present;
          }
          m.shape->Observe(member);
        }
        return;
      case JsonValue::Form::kArray:
        ++arrays_;
        if (!element_) element_ = std::make_unique<Shape>();
        for (const JsonValue& e : v.elements) element_->Observe(e);
        return;
    }
  }

  // The field named `name` at `path` (record names are made from paths and
  // kept unique in `names`); `missing` when some parent lacked the key.
  Field ToField(const std::string& name, const std::string& path, bool missing,
                std::set<std::string>* names) const {
    const int forms = (scalars_ > 0) + (objects_ > 0) + (arrays_ > 0);
    Field f;
    if (forms > 1) {
      f.type = Type::kString;  // the reader keeps objects and arrays as their JSON text
    } else if (objects_ > 0) {
      f.full_kind = lakepipe::Kind::kStruct;
      f.type_name = UniqueName(path, names);
      for (const Member& m : fields_) {
        f.children.push_back(
            m.shape->ToField(m.name, path + "_" + m.name, m.present < objects_, names));
      }
    } else if (arrays_ > 0) {
      f.full_kind = lakepipe::Kind::kList;
      if (element_->empty()) {
        Field element;
        element.type = Type::kString;  // only empty arrays: their elements are unknown
        element.nullable = true;
        element.name = "element";
        f.children.push_back(std::move(element));
      } else {
        f.children.push_back(element_->ToField("element", path + "_element", false, names));
      }
    } else {
      f = scalar_.ToField(scalars_);
    }
    f.name = name;
    f.nullable = f.nullable || missing || saw_null_ || forms == 0;
    if (forms == 0) f.type = Type::kNull;
    return f;
  }

  bool empty() const { return scalars_ == 0 && objects_ == 0 && arrays_ == 0 && !saw_null_; }

  // The top-level record's fields. REQUIRES: the shape of the rows.
  std::vector<Field> TopLevelFields(uint64_t rows) const {
    std::set<std::string> names;
    std::vector<Field> fields;
    for (const Member& m : fields_) {
      fields.push_back(m.shape->ToField(m.name, m.name, m.present < rows, &names));
    }
    return fields;
  }
  size_t num_fields() const { return fields_.size(); }

 private:
  struct Member {
    std::string name;
    std::unique_ptr<Shape> shape;
    uint64_t present = 0;      // objects holding the key
    uint64_t last_object = 0;  // the last of them (1-based)
  };

  // An Avro name made from `path`, unique among `names`.
  static std::string UniqueName(const std::string& path, std::set<std::string>* names) {
    std::string base;
    for (char c : path) {
      const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      base.push_back(ok ? c : '_');
    }
    if (base.empty() || (base[0] >= '0' && base[0] <= '9')) base.insert(base.begin(), '_');
    std::string name = base;
    for (int k = 2; !names->insert(name).second; ++k) name = fmt::format("{}_{}", base, k);
    return name;
  }

  bool saw_null_ = false;
  uint64_t scalars_ = 0;
  uint64_t objects_ = 0;
  uint64_t arrays_ = 0;
  Candidate scalar_;
  std::vector<Member> fields_;
  StringMap<size_t> index_;
  std::unique_ptr<Shape> element_;
};

// The first record of a sample that was over the record limit.
struct Oversized {
  uint64_t line = 0;
  uint64_t size = 0;
};

std::string TooLong(InputFile* file, std::string_view what, const Oversized& record, size_t limit) {
  return fmt::format("{}:{}: {} is {} bytes, longer than the limit of {} bytes", file->path(),
                     record.line, what, record.size, limit);
}

Status NoFields(InputFile* file, bool array, const InferOptions& options,
                const std::optional<Oversized>& oversized, size_t limit) {
  if (oversized) {
    return InvalidArgumentError(
        "{}; no other record among the first {} is a JSON object to infer a schema from: give a "
        "schema",
        TooLong(file, array ? "the element" : "the line", *oversized, limit), options.sample_rows);
  }
  return InvalidArgumentError(
      "cannot infer a schema from '{}': no JSON object among its first {} records; give a schema",
      file->path(), options.sample_rows);
}

// Classifies CSV text; empty text is null unless quoted (an empty string).
Observation ObserveCsvText(std::string_view s, bool quoted) {
  Observation obs;
  if (s.empty()) {
    if (quoted) {
      obs.kind = Kind::kString;
      obs.text = true;
    }
    return obs;
  }
  bool b = false;
  if (s.size() >= 4 && ParseBoolText(s, &b)) {
    obs.kind = Kind::kBool;
    return obs;
  }
  int64_t v = 0;
  std::string_view digits = s[0] == '-' || s[0] == '+' ? s.substr(1) : s;
  const bool integer =
      !digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos;
  if (integer && ParseInt64Text(s, &v)) {
    obs.kind = v >= INT32_MIN && v <= INT32_MAX ? Kind::kInt : Kind::kLong;
    return obs;
  }
  double d = 0;
  if (ParseDoubleText(s, &d)) {
    obs.kind = Kind::kDouble;
    return obs;
  }
  obs.kind = Kind::kString;
  obs.text = true;
  return obs;
}

}  // namespace

Result<Schema> InferJsonSchema(InputFile* file, bool array, const InferOptions& options) {
  LineScanner line_scanner;
  JsonArrayScanner array_scanner;
  RecordScanner* scanner = array ? static_cast<RecordScanner*>(&array_scanner) : &line_scanner;
  RecordSplitter splitter(file, scanner);
  od::parser parser;
  Shape shape;
  JsonValue row;
  uint64_t rows = 0;
  uint64_t records = 0;
  bool first = true;
  std::optional<Oversized> oversized;
  RawRecord record;
  while (records < options.sample_rows) {
    LP_ASSIGN_OR_RETURN(bool more, splitter.Next(&record));
    if (!more) break;
    std::string_view text = TrimLeadingSpace(record.text);
    if (array) {
      if (array_scanner.last_end() == JsonArrayScanner::End::kNotArray) {
        return InvalidArgumentError("'{}' is not a JSON array or a sequence of JSON objects",
                                    file->path());
      }
      if (first && !array_scanner.sequence() && !text.empty() && text[0] == '[') {
        text = TrimLeadingSpace(text.substr(1));
      }
      first = false;
      if (!record.terminated || array_scanner.last_end() != JsonArrayScanner::End::kElement) {
        continue;
      }
    }
    if (record.oversized && !oversized) oversized = Oversized{record.line, record.size};
    if (text.empty() || record.oversized) continue;
    ++records;
    if (!ObserveJsonObject(&parser, text, &row)) continue;
    ++rows;
    shape.Observe(row);
  }
  if (shape.num_fields() == 0) {
    return NoFields(file, array, options, oversized, splitter.max_record_bytes());
  }
  return Schema(options.record_name, shape.TopLevelFields(rows));
}

Result<Schema> InferCsvSchema(InputFile* file, const InferOptions& options) {
  CsvScanner scanner(options.csv_delimiter);
  RecordSplitter splitter(file, &scanner);
  CsvRowParser parser(options.csv_delimiter);
  Inference inference;
  std::vector<std::string> names;
  bool have_names = false;
  Row row;
  uint64_t records = 0;
  RawRecord record;
  while (records < options.sample_rows) {
    LP_ASSIGN_OR_RETURN(bool more, splitter.Next(&record));
    if (!more) break;
    if (record.oversized && !have_names) {
      return InvalidArgumentError("{}: give a schema", TooLong(file, "the CSV header row",
                                                               Oversized{record.line, record.size},
                                                               splitter.max_record_bytes()));
    }
    if (record.oversized || (!record.terminated && scanner.in_quotes())) continue;
    std::string_view text = record.text;
    if (text.empty() || text == "\r") continue;
    std::string reason;
    if (!parser.Parse(text, &reason)) {
      if (!have_names) {
        return InvalidArgumentError("{}:{}: cannot read the CSV header: {}", file->path(),
                                    record.line, reason);
      }
      continue;
    }
    if (!have_names) {
      have_names = true;
      for (size_t i = 0; i < parser.fields().size(); ++i) {
        names.push_back(options.csv_header ? std::string(parser.fields()[i].text)
                                           : fmt::format("column{}", i));
      }
      for (size_t i = 0; i < names.size(); ++i) {
        for (size_t j = 0; j < i; ++j) {
          if (names[i] == names[j]) {
            return InvalidArgumentError(
                "{}: the CSV header names column '{}' twice; rename one or give a schema",
                file->path(), names[i]);
          }
        }
        inference.AddColumn(names[i]);
      }
      if (options.csv_header) continue;
    }
    if (parser.fields().size() != names.size()) continue;
    ++records;
    row.Clear();
    for (size_t i = 0; i < names.size(); ++i) {
      const CsvField& f = parser.fields()[i];
      row.Add(names[i], ObserveCsvText(f.text, f.quoted), f.text);
    }
    inference.AddRow(row);
  }
  if (!have_names) {
    return InvalidArgumentError(
        "cannot infer a schema from '{}': the CSV file is empty; give a schema", file->path());
  }
  return inference.Build(options.record_name);
}

}  // namespace lakepipe::text

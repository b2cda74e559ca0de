#include "formats/projection.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>

#include "core/utf8.h"
#include "formats/schema_resolution.h"

namespace lakepipe {
namespace {

bool IsNullType(const Field& f) { return f.type == Type::kNull; }

std::string FieldTypeText(const Field& f) { return f.Describe(); }

// Decodes UTF-8 `text` into code points 0..255, one byte each (the Avro
// rule for defaults of bytes fields). False for larger code points.
bool CodePointsToBytes(std::string_view text, std::string* out) {
  out->clear();
  for (size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out->push_back(static_cast<char>(c));
      ++i;
    } else if ((c & 0xe0) == 0xc0 && i + 1 < text.size()) {
      const unsigned cp = ((c & 0x1fu) << 6) | (static_cast<unsigned char>(text[i + 1]) & 0x3fu);
      if (cp > 0xff) return false;
      out->push_back(static_cast<char>(cp));
      i += 2;
    } else {
      return false;
    }
  }
  return true;
}

// Converts the JSON default of reader field `f` once.
Status ConvertDefault(const Field& f, DefaultDatum* d) {
  const nlohmann::json& j = *f.default_value;
  d->storage = f.storage();
  d->is_null = false;
  auto invalid = [&]() {
    return InvalidArgumentError(
        "reader field '{}' ({}): default {} is not a valid value of the field's type; fix the "
        "reader schema's default",
        f.name, FieldTypeText(f), j.dump());
  };
  if (j.is_null()) {
    if (!f.nullable && !IsNullType(f)) return invalid();
    d->is_null = true;
    return Status::OK();
  }
  switch (f.type) {
    case Type::kNull:
      return invalid();
    case Type::kBoolean:
      if (!j.is_boolean()) return invalid();
      d->boolean = j.get<bool>();
      return Status::OK();
    case Type::kInt:
    case Type::kLong: {
      int64_t v = 0;
      if (j.is_number_unsigned()) {
        const uint64_t u = j.get<uint64_t>();
        if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return invalid();
        v = static_cast<int64_t>(u);
      } else if (j.is_number_integer()) {
        v = j.get<int64_t>();
      } else {
        return invalid();
      }
      if (f.type == Type::kInt) {
        if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
          return invalid();
        }
        d->i32 = static_cast<int32_t>(v);
      } else {
        d->i64 = v;
      }
      return Status::OK();
    }
    case Type::kFloat:
    case Type::kDouble: {
      double v = 0;
      if (j.is_number()) {
        v = j.get<double>();
      } else if (j.is_string() && j == "NaN") {
        v = std::nan("");
      } else if (j.is_string() && j == "Infinity") {
        v = HUGE_VAL;
      } else if (j.is_string() && j == "-Infinity") {
        v = -HUGE_VAL;
      } else {
        return invalid();
      }
      d->f64 = v;
      d->f32 = static_cast<float>(v);
      return Status::OK();
    }
    case Type::kString:
      if (!j.is_string()) return invalid();
      d->bytes = j.get<std::string>();
      return Status::OK();
    case Type::kBytes:
      if (!j.is_string() || !CodePointsToBytes(j.get_ref<const std::string&>(), &d->bytes)) {
        return invalid();
      }
      return Status::OK();
    case Type::kEnum: {
      if (!j.is_string()) return invalid();
      const int index = f.SymbolIndex(j.get<std::string>());
      if (index < 0) return invalid();
      d->i32 = index;
      return Status::OK();
    }
  }
  return invalid();
}

// The conversion that reads writer field `w` as reader field `r`, or an
// error saying why it cannot.
Status PlanConversion(const Field& w, const Field& r, ValueConversion* conv) {
  auto incompatible = [&](std::string_view why) {
    return InvalidArgumentError(
        "reader field '{}' ({}) cannot read writer field '{}' ({}): {}; change the reader "
        "schema",
        r.name, FieldTypeText(r), w.name, FieldTypeText(w), why);
  };
  if (IsNullType(w)) {
    if (!IsNullType(r) && !r.nullable) return incompatible("the data is always null");
    *conv = ValueConversion::kNull;
    return Status::OK();
  }
  if (IsNullType(r)) return incompatible("a null field holds no values");

  // Logical types annotate the underlying types, which resolve by the rules
  // below (Avro specification). Only two different logical types need a
  // decision: timestamp units convert, anything else is refused rather than
  // reinterpreted.
  *conv = ValueConversion::kCopy;
  if (w.logical != r.logical && w.logical != LogicalType::kNone &&
      r.logical != LogicalType::kNone) {
    if (w.logical == LogicalType::kTimestampMillis && r.logical == LogicalType::kTimestampMicros) {
      *conv = ValueConversion::kMillisToMicros;
    } else if (w.logical == LogicalType::kTimestampMicros &&
               r.logical == LogicalType::kTimestampMillis) {
      *conv = ValueConversion::kMicrosToMillis;
    } else {
      return incompatible(fmt::format(
          "the data's values are {} and the reader's {}, which lakepipe does not convert; read "
          "the field as {} or as plain {}",
          LogicalTypeName(w.logical), LogicalTypeName(r.logical), LogicalTypeName(w.logical),
          TypeName(w.type)));
    }
  }
  if (w.type == r.type) {
    if (w.type == Type::kEnum) *conv = ValueConversion::kEnumRemap;
    return Status::OK();
  }
  const bool binary_pair = (w.type == Type::kString && r.type == Type::kBytes) ||
                           (w.type == Type::kBytes && r.type == Type::kString);
  if (binary_pair) return Status::OK();
  switch (w.type) {
    case Type::kInt:
      if (r.type == Type::kLong) *conv = ValueConversion::kIntToLong;
      if (r.type == Type::kFloat) *conv = ValueConversion::kIntToFloat;
      if (r.type == Type::kDouble) *conv = ValueConversion::kIntToDouble;
      break;
    case Type::kLong:
      if (r.type == Type::kFloat) *conv = ValueConversion::kLongToFloat;
      if (r.type == Type::kDouble) *conv = ValueConversion::kLongToDouble;
      break;
    case Type::kFloat:
      if (r.type == Type::kDouble) *conv = ValueConversion::kFloatToDouble;
      break;
    default:
      break;
  }
  if (*conv == ValueConversion::kCopy) {
    return incompatible(
        fmt::format("{} does not promote to {}", TypeName(w.type), TypeName(r.type)));
  }
  return Status::OK();
}

bool SameField(const Field& a, const Field& b) {
  return a.name == b.name && a.type == b.type && a.logical == b.logical &&
         (a.nullable || IsNullType(a)) == (b.nullable || IsNullType(b)) && a.symbols == b.symbols;
}

}  // namespace

Result<SchemaResolution> ResolveSchemas(const Schema& writer, const Schema& reader) {
  SchemaResolution res;
  res.reader_of_writer.assign(writer.num_fields(), -1);
  res.fields.reserve(reader.num_fields());

  for (size_t ri = 0; ri < reader.num_fields(); ++ri) {
    const Field& r = reader.field(ri);
    FieldResolution fr;
    fr.reader_field = ri;
    int wi = writer.FieldIndex(r.name);
    for (size_t a = 0; wi < 0 && a < r.aliases.size(); ++a) wi = writer.FieldIndex(r.aliases[a]);
    if (wi < 0) {
      if (!r.default_value) {
        return InvalidArgumentError(
            "reader field '{}' is not in the data's schema and has no default; add a \"default\" "
            "to the reader schema or remove the field",
            r.name);
      }
      LP_RETURN_IF_ERROR(ConvertDefault(r, &fr.default_value));
      res.fields.push_back(std::move(fr));
      continue;
    }
    const Field& w = writer.field(static_cast<size_t>(wi));
    if (res.reader_of_writer[static_cast<size_t>(wi)] >= 0) {
      const Field& other =
          reader.field(res.fields[static_cast<size_t>(res.reader_of_writer[wi])].reader_field);
      return InvalidArgumentError(
          "reader fields '{}' and '{}' both read writer field '{}'; rename or remove an alias",
          other.name, r.name, w.name);
    }
    fr.writer_field = wi;
    LP_RETURN_IF_ERROR(PlanConversion(w, r, &fr.conversion));
    fr.null_is_bad = w.nullable && !IsNullType(w) && !r.nullable && !IsNullType(r);
    if (fr.conversion == ValueConversion::kEnumRemap) {
      int default_index = -1;
      bool any_missing = false;
      fr.enum_map.resize(w.symbols.size());
      for (size_t s = 0; s < w.symbols.size(); ++s) {
        fr.enum_map[s] = r.SymbolIndex(w.symbols[s]);
        any_missing = any_missing || fr.enum_map[s] < 0;
      }
      if (any_missing) {
        if (!r.enum_default.empty()) default_index = r.SymbolIndex(r.enum_default);
        for (int32_t& m : fr.enum_map) {
          if (m < 0) m = default_index;
        }
      }
    }
    res.reader_of_writer[static_cast<size_t>(wi)] = static_cast<int>(res.fields.size());
    res.fields.push_back(std::move(fr));
  }

  res.identity = writer.num_fields() == reader.num_fields();
  for (size_t i = 0; res.identity && i < reader.num_fields(); ++i) {
    const FieldResolution& fr = res.fields[i];
    res.identity =
        fr.writer_field == static_cast<int>(i) && SameField(writer.field(i), reader.field(i)) &&
        (fr.conversion == ValueConversion::kCopy || fr.conversion == ValueConversion::kEnumRemap ||
         fr.conversion == ValueConversion::kNull);
  }
  return res;
}

std::string DescribeRejection(const Schema& writer, const Schema& reader, const FieldResolution& r,
                              bool was_null, int64_t value) {
  const Field& rf = reader.field(r.reader_field);
  if (was_null) {
    return fmt::format(
        "field '{}': value is null but the reader field is not nullable ({}); make it nullable "
        "in the reader schema or fix the data",
        rf.name, FieldTypeText(rf));
  }
  if (r.conversion == ValueConversion::kEnumRemap && r.writer_field >= 0) {
    const Field& wf = writer.field(static_cast<size_t>(r.writer_field));
    const std::string symbol = value >= 0 && static_cast<size_t>(value) < wf.symbols.size()
                                   ? wf.symbols[static_cast<size_t>(value)]
                                   : fmt::format("#{}", value);
    return fmt::format(
        "field '{}': symbol '{}' is not in the reader's enum {} and that enum has no \"default\" "
        "symbol; add the symbol or a default to the reader schema",
        rf.name, symbol, rf.enum_name);
  }
  if (r.conversion == ValueConversion::kMillisToMicros) {
    return fmt::format(
        "field '{}': timestamp-millis value {} does not fit in timestamp-micros; read it as "
        "timestamp-millis",
        rf.name, value);
  }
  return fmt::format("field '{}': value {} cannot be converted to {}", rf.name, value,
                     FieldTypeText(rf));
}

std::string DescribeInvalidUtf8(const Field& reader_field, std::string_view value, size_t bad) {
  return fmt::format(
      "field '{}': string is not valid UTF-8 (byte 0x{:02x} at offset {} of {}); fix the "
      "producer, or declare the field as bytes in the reader schema to keep such values",
      reader_field.name, bad < value.size() ? static_cast<unsigned char>(value[bad]) : 0, bad,
      value.size());
}

struct BatchProjector::FieldPlan {
  FieldResolution resolution;
  bool can_fail = false;
  // Bytes read into a string: each value must be valid UTF-8.
  bool check_utf8 = false;
  // Same representation and nullability: a whole column may be copied.
  bool plain_copy = false;
};

BatchProjector::BatchProjector() = default;
BatchProjector::BatchProjector(BatchProjector&&) noexcept = default;
BatchProjector& BatchProjector::operator=(BatchProjector&&) noexcept = default;
BatchProjector::~BatchProjector() = default;

namespace {

// Same values in the same layout: kind, nullability and parameters at every
// level, children by name in order.
bool SameShape(const Field& a, const Field& b) {
  if (a.kind() != b.kind() ||
      (a.nullable || a.kind() == Kind::kNull) != (b.nullable || b.kind() == Kind::kNull) ||
      a.unit != b.unit || a.utc_adjusted != b.utc_adjusted || a.precision != b.precision ||
      a.scale != b.scale || a.base != b.base || a.fixed_size != b.fixed_size ||
      a.symbols != b.symbols || a.children.size() != b.children.size()) {
    return false;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (a.children[i].name != b.children[i].name || !SameShape(a.children[i], b.children[i])) {
      return false;
    }
  }
  return true;
}

// Nested values (and fixed) are copied as they are: their types must agree.
Status CheckNestedCopy(const Field& w, const Field& r) {
  if (w.IsFlat() && r.IsFlat()) return Status::OK();
  if (SameShape(w, r)) return Status::OK();
  return UnimplementedError(
      "field '{}': reading {} as {} is not supported; give the field the data's own type ({})",
      r.name, w.Describe(), r.Describe(), w.TypeJson().dump());
}

}  // namespace

Result<BatchProjector> BatchProjector::Make(SchemaPtr from, SchemaPtr to) {
  if (!from || !to) return InvalidArgumentError("BatchProjector needs both schemas");
  LP_ASSIGN_OR_RETURN(SchemaResolution res, ResolveSchemas(*from, *to));
  BatchProjector p;
  p.identity_ = res.identity;
  p.plans_.reserve(res.fields.size());
  for (FieldResolution& fr : res.fields) {
    auto plan = std::make_unique<FieldPlan>();
    plan->can_fail = fr.CanFail();
    if (fr.writer_field >= 0) {
      const Field& w = from->field(static_cast<size_t>(fr.writer_field));
      const Field& r = to->field(fr.reader_field);
      LP_RETURN_IF_ERROR(CheckNestedCopy(w, r));
      plan->check_utf8 = w.type == Type::kBytes && r.type == Type::kString;
      plan->can_fail = plan->can_fail || plan->check_utf8;
      const bool identity_enum =
          fr.conversion == ValueConversion::kEnumRemap && w.symbols == r.symbols;
      plan->plain_copy = (fr.conversion == ValueConversion::kCopy ||
                          fr.conversion == ValueConversion::kNull || identity_enum) &&
                         w.storage() == r.storage() &&
                         (w.nullable || IsNullType(w)) == (r.nullable || IsNullType(r));
    }
    plan->resolution = std::move(fr);
    p.plans_.push_back(std::move(plan));
  }
  p.from_ = std::move(from);
  p.to_ = std::move(to);
  return p;
}

namespace {

// Appends rows of `in` not marked in `skip` (may be empty: keep all) to `out`.
void AppendColumn(const FieldResolution& r, const Column& in, const std::vector<uint8_t>& skip,
                  Column* out) {
  const size_t n = in.size();
  auto keep = [&](size_t row) { return skip.empty() || skip[row] == 0; };
  for (size_t row = 0; row < n; ++row) {
    if (!keep(row)) continue;
    if (in.layout() != Layout::kFlat) {
      out->AppendFrom(in, row);
      continue;
    }
    if (in.IsNull(row)) {
      out->AppendNull();
      continue;
    }
    switch (in.storage()) {
      case Storage::kNone:
        out->AppendNull();
        break;
      case Storage::kBool:
        AppendResolvedBool(r, in.GetBool(row), out);
        break;
      case Storage::kInt32:
        AppendResolvedInt32(r, in.GetInt32(row), out);
        break;
      case Storage::kInt64:
        AppendResolvedInt64(r, in.GetInt64(row), out);
        break;
      case Storage::kFloat:
        AppendResolvedFloat(r, in.GetFloat(row), out);
        break;
      case Storage::kDouble:
        AppendResolvedDouble(r, in.GetDouble(row), out);
        break;
      case Storage::kBinary:
        AppendResolvedBytes(r, in.GetBytes(row), out);
        break;
    }
  }
}

}  // namespace

Status BatchProjector::Project(const RecordBatch& in, RecordBatch* out, const BadRecordSink& bad,
                               const std::string& source) const {
  out->Clear();
  const size_t n = in.num_rows();
  if (identity_) {
    for (size_t i = 0; i < out->num_columns(); ++i) out->column(i) = in.column(i);
    out->SetNumRows(n);
    return Status::OK();
  }

  // Pass 1: find the rows some field cannot convert, with the first reason.
  std::vector<uint8_t> skip;
  std::vector<std::pair<size_t, std::string>> rejected;
  Column probe(Storage::kInt64, false);
  for (const auto& plan : plans_) {
    if (!plan->can_fail) continue;
    const FieldResolution& r = plan->resolution;
    const Column& col = in.column(static_cast<size_t>(r.writer_field));
    for (size_t row = 0; row < n; ++row) {
      if (!skip.empty() && skip[row]) continue;
      bool fails = false;
      bool was_null = false;
      int64_t value = 0;
      std::string reason;
      if (col.IsNull(row)) {
        fails = r.null_is_bad;
        was_null = true;
      } else if (col.storage() == Storage::kInt32 && r.conversion == ValueConversion::kEnumRemap) {
        value = col.GetInt32(row);
        fails = value < 0 || static_cast<size_t>(value) >= r.enum_map.size() ||
                r.enum_map[static_cast<size_t>(value)] < 0;
      } else if (col.storage() == Storage::kInt64 &&
                 r.conversion == ValueConversion::kMillisToMicros) {
        value = col.GetInt64(row);
        probe.Clear();
        fails = !AppendResolvedInt64(r, value, &probe);
      } else if (plan->check_utf8) {
        const std::string_view text = col.GetBytes(row);
        const size_t bad_at = FindInvalidUtf8(text);
        fails = bad_at != text.size();
        if (fails) reason = DescribeInvalidUtf8(to_->field(r.reader_field), text, bad_at);
      }
      if (!fails) continue;
      if (skip.empty()) skip.assign(n, 0);
      skip[row] = 1;
      if (reason.empty()) reason = DescribeRejection(*from_, *to_, r, was_null, value);
      rejected.emplace_back(row, std::move(reason));
    }
  }
  if (!rejected.empty()) {
    std::sort(rejected.begin(), rejected.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    if (!bad) return InvalidArgumentError("{}: {}", source, rejected.front().second);
    for (const auto& [row, reason] : rejected) {
      BadRecord record;
      record.source = source;
      record.reason = reason;
      LP_RETURN_IF_ERROR(bad(record));
    }
  }

  // Pass 2: fill the output column by column.
  const size_t kept = n - rejected.size();
  for (const auto& plan : plans_) {
    const FieldResolution& r = plan->resolution;
    Column& dst = out->column(r.reader_field);
    if (r.writer_field < 0) {
      dst.Reserve(kept);
      for (size_t row = 0; row < kept; ++row) AppendDefault(r, &dst);
      continue;
    }
    const Column& src = in.column(static_cast<size_t>(r.writer_field));
    if (plan->plain_copy && skip.empty()) {
      dst = src;
      continue;
    }
    dst.Reserve(kept);
    AppendColumn(r, src, skip, &dst);
  }
  out->SetNumRows(kept);
  return Status::OK();
}

}  // namespace lakepipe

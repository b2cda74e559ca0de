#include "archive/iceberg_layout.h"

#include <utility>

#include <fmt/format.h>

#include "archive/partitioner.h"
#include "core/time_util.h"
#include "iceberg/schema_json.h"

namespace lakepipe::archive {
namespace {

// The spec a Hive template means: the finest time unit of each event-time
// placeholder, and identity for the other fields.
std::string SpecEquivalent(std::string_view templ, std::string_view time_field) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while ((pos = templ.find('{', pos)) != std::string_view::npos) {
    const size_t close = templ.find('}', pos);
    if (close == std::string_view::npos) break;
    std::string_view inner = templ.substr(pos + 1, close - pos - 1);
    pos = close + 1;
    if (inner.empty() || inner.front() == '{') continue;
    const size_t colon = inner.find(':');
    const std::string_view name = inner.substr(0, colon);
    const std::string_view format =
        colon == std::string_view::npos ? std::string_view() : inner.substr(colon + 1);
    const bool event_time = name == "event_time" || name == time_field;
    std::string source = event_time ? std::string(time_field.empty() ? "<time field>" : time_field)
                                    : std::string(name);
    std::string part = source;
    if (event_time || !format.empty()) {
      const char* unit = format.find("%H") != std::string_view::npos   ? "hour"
                         : format.find("%d") != std::string_view::npos ? "day"
                         : format.find("%j") != std::string_view::npos ? "day"
                         : format.find("%m") != std::string_view::npos ? "month"
                         : format.find("%Y") != std::string_view::npos ? "year"
                                                                       : "day";
      part = fmt::format("{}({})", unit, source);
    }
    bool seen = false;
    for (const std::string& p : parts) seen = seen || p == part;
    if (!seen) parts.push_back(part);
  }
  // An hour partition makes the day one redundant.
  std::string out;
  for (const std::string& p : parts) {
    if (p.rfind("day(", 0) == 0) {
      const std::string hour = "hour(" + p.substr(4);
      bool has_hour = false;
      for (const std::string& q : parts) has_hour = has_hour || q == hour;
      if (has_hour) continue;
    }
    if (!out.empty()) out += ", ";
    out += p;
  }
  return out.empty() ? "none" : out;
}

// The ids of `table` onto `records`, by position, at every depth.
void CopyIds(const std::vector<Field>& table, std::vector<Field>* records) {
  for (size_t i = 0; i < records->size() && i < table.size(); ++i) {
    Field& f = (*records)[i];
    f.field_id = table[i].field_id;
    CopyIds(table[i].children, &f.children);
  }
}

nlohmann::json Comparable(nlohmann::json field) {
  if (field.is_object()) {
    field.erase("doc");
    for (auto& [key, value] : field.items()) value = Comparable(value);
  } else if (field.is_array()) {
    for (auto& value : field) value = Comparable(value);
  }
  return field;
}

void AppendUrlEncoded(std::string_view text, std::string* out) {
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || c == '.' ||
        c == '-' || c == '*' || c == '_') {
      out->push_back(c);
    } else if (c == ' ') {
      out->push_back('+');
    } else {
      *out += fmt::format("%{:02X}", u);
    }
  }
}

std::string DatumText(const Field& type, const iceberg::Datum& value) {
  struct Visitor {
    const Field& type;
    std::string operator()(std::monostate) const { return "null"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int32_t v) const {
      return type.kind() == Kind::kDate ? FormatDate(v) : std::to_string(v);
    }
    std::string operator()(int64_t v) const {
      return type.kind() == Kind::kTimestamp && type.unit != TimeUnit::kNanos
                 ? FormatTimestampMicros(v)
                 : std::to_string(v);
    }
    std::string operator()(float v) const { return fmt::format("{}", v); }
    std::string operator()(double v) const { return fmt::format("{}", v); }
    std::string operator()(const std::string& v) const {
      if (type.kind() == Kind::kString || type.kind() == Kind::kEnum) return v;
      std::string hex;
      for (const char c : v) hex += fmt::format("{:02x}", static_cast<unsigned char>(c));
      return hex;
    }
  };
  return std::visit(Visitor{type}, value);
}

}  // namespace

Result<std::string> IcebergSpecText(std::string_view partition_by, std::string_view time_field,
                                    const Schema& schema) {
  if (partition_by == kDefaultPartitionTemplate) {
    if (!time_field.empty() && schema.FieldIndex(time_field) >= 0) {
      return fmt::format("day({})", time_field);
    }
    return std::string();
  }
  if (partition_by.empty() || partition_by == "none") return std::string();
  if (partition_by.find('=') != std::string_view::npos ||
      partition_by.find('{') != std::string_view::npos) {
    return InvalidArgumentError(
        "--partition-by '{}' is a Hive path template; an Iceberg table is partitioned by a spec "
        "of transforms of its columns: give --partition-by '{}' (identity, year, month, day, "
        "hour, bucket[N], truncate[W]; 'none' for an unpartitioned table)",
        partition_by, SpecEquivalent(partition_by, time_field));
  }
  return std::string(partition_by);
}

namespace {

// "day(ts), bucket[16](id)" for a spec over `schema`'s top-level fields.
std::string SpecText(const iceberg::PartitionSpec& spec, const Schema& schema) {
  std::vector<std::string> terms;
  for (const iceberg::PartitionField& f : spec.fields) {
    std::string source = fmt::format("<field {}>", f.source_id);
    for (const Field& field : schema.fields()) {
      if (field.field_id == f.source_id) source = field.name;
    }
    const std::string transform = f.transform.ToString();
    terms.push_back(transform == "identity" ? source : fmt::format("{}({})", transform, source));
  }
  return terms.empty() ? "none" : fmt::format("{}", fmt::join(terms, ", "));
}

}  // namespace

std::optional<std::string> SpecMismatch(const iceberg::TableMetadata& table,
                                        const iceberg::TableIdentifier& id,
                                        std::string_view wanted) {
  const iceberg::PartitionSpec* spec = table.DefaultSpec();
  const iceberg::TableSchema* schema = table.CurrentSchema();
  if (spec == nullptr || schema == nullptr || schema->schema == nullptr) return std::nullopt;
  auto mine = iceberg::ParsePartitionSpec(wanted, *schema->schema);
  bool same = mine.ok() && mine->fields.size() == spec->fields.size();
  for (size_t i = 0; same && i < spec->fields.size(); ++i) {
    same = mine->fields[i].source_id == spec->fields[i].source_id &&
           mine->fields[i].transform.ToString() == spec->fields[i].transform.ToString();
  }
  if (same) return std::nullopt;
  return fmt::format(
      "warning: table {} is partitioned by {}; --partition-by '{}' is not applied (partition "
      "evolution is not supported): its files are written by the table's spec",
      id.ToString(), SpecText(*spec, *schema->schema), wanted.empty() ? "none" : wanted);
}

Result<SchemaPtr> MatchTableSchema(const Schema& records, const iceberg::TableSchema& table) {
  const std::vector<Field>& want = table.schema->fields();
  std::vector<Field> fields = records.fields();
  CopyIds(want, &fields);
  Schema matched(records.name(), fields, records.name_space());
  LP_ASSIGN_OR_RETURN(nlohmann::json mine, iceberg::SchemaToJson(matched, table.schema_id));
  LP_ASSIGN_OR_RETURN(nlohmann::json theirs, iceberg::SchemaToJson(*table.schema, table.schema_id));
  const nlohmann::json& a = mine["fields"];
  const nlohmann::json& b = theirs["fields"];
  for (size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    if (i < a.size() && i < b.size() && Comparable(a[i]) == Comparable(b[i])) continue;
    const std::string got = i < a.size() ? Comparable(a[i]).dump() : "nothing";
    const std::string has = i < b.size() ? Comparable(b[i]).dump() : "nothing";
    const std::string name = i < b.size() ? b[i].value("name", "") : a[i].value("name", "");
    return UnimplementedError(
        "unsupported: the table's schema differs from the records' at field {} '{}' (the table "
        "has {}, the records give {}); schema evolution is not supported: archive into a new "
        "table (--iceberg-table) or give the table's schema",
        i + 1, name, has, got);
  }
  return std::make_shared<const Schema>(std::move(matched));
}

SchemaPtr WithIdsOf(const Schema& records, const Schema& with_ids) {
  std::vector<Field> fields = records.fields();
  CopyIds(with_ids.fields(), &fields);
  return std::make_shared<const Schema>(records.name(), std::move(fields), records.name_space());
}

std::string PartitionValueText(const iceberg::PartitionField& field, const Field& result,
                               const iceberg::Datum& value) {
  if (std::holds_alternative<std::monostate>(value)) return "null";
  const auto* units = std::get_if<int32_t>(&value);
  if (units != nullptr) {
    switch (field.transform.kind) {
      case iceberg::TransformKind::kYear:
        return fmt::format("{:04}", 1970 + *units);
      case iceberg::TransformKind::kMonth:
        return fmt::format("{:04}-{:02}", 1970 + FloorDiv(*units, 12), FloorMod(*units, 12) + 1);
      case iceberg::TransformKind::kHour:
        return fmt::format("{}-{:02}", FormatDate(static_cast<int32_t>(FloorDiv(*units, 24))),
                           FloorMod(*units, 24));
      default:
        break;
    }
  }
  return DatumText(result, value);
}

Result<IcebergPartitioner> IcebergPartitioner::Make(SchemaPtr schema, iceberg::PartitionSpec spec) {
  IcebergPartitioner p;
  for (const iceberg::PartitionField& pf : spec.fields) {
    Source source;
    bool found = false;
    for (size_t i = 0; i < schema->num_fields(); ++i) {
      if (schema->field(i).field_id == pf.source_id) {
        source.column = i;
        source.field = schema->field(i);
        found = true;
      }
    }
    if (!found) {
      return UnimplementedError(
          "unsupported: partition field '{}' has source id {}, which is not a top-level field of "
          "the table; partition by top-level fields",
          pf.name, pf.source_id);
    }
    LP_ASSIGN_OR_RETURN(source.result, pf.transform.ResultType(source.field));
    p.sources_.push_back(std::move(source));
  }
  p.schema_ = std::move(schema);
  p.spec_ = std::move(spec);
  return p;
}

bool IcebergPartitioner::PathFor(const RecordBatch& batch, size_t row,
                                 std::vector<iceberg::Datum>* values, std::string* path,
                                 std::string* reason) const {
  values->clear();
  path->clear();
  for (size_t i = 0; i < sources_.size(); ++i) {
    const Source& s = sources_[i];
    const iceberg::PartitionField& pf = spec_.fields[i];
    auto value = pf.transform.ApplyRow(s.field, batch.column(s.column), row);
    if (!value.ok()) {
      *reason = fmt::format("partition field '{}': {}", pf.name, value.status().message());
      return false;
    }
    if (i > 0) path->push_back('/');
    AppendUrlEncoded(pf.name, path);
    path->push_back('=');
    AppendUrlEncoded(PartitionValueText(pf, s.result, *value), path);
    values->push_back(std::move(value).value());
  }
  return true;
}

}  // namespace lakepipe::archive

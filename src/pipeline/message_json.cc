#include "pipeline/message_json.h"

#include <fmt/format.h>

#include "core/column_json.h"
#include "core/time_util.h"

namespace lakepipe {
namespace {

void AppendValue(const Field& f, const Column& c, size_t row, std::string* out);

// Field names are Avro names (letters, digits, _): no escaping needed.
void AppendKey(const std::string& name, std::string* out) {
  out->push_back('"');
  out->append(name);
  out->append("\":");
}

void AppendTimestamp(const Field& f, int64_t v, std::string* out) {
  out->push_back('"');
  const int64_t per_second = f.unit == TimeUnit::kMillis   ? 1000
                             : f.unit == TimeUnit::kMicros ? 1000000
                                                           : 1000000000;
  const int64_t seconds = FloorDiv(v, per_second);
  std::string text = FormatTimestampMillis(seconds * 1000);
  text.pop_back();  // "Z"
  out->append(text);
  const int64_t fraction = FloorMod(v, per_second);
  if (per_second == 1000) {
    fmt::format_to(std::back_inserter(*out), ".{:03}", fraction);
  } else if (per_second == 1000000) {
    fmt::format_to(std::back_inserter(*out), ".{:06}", fraction);
  } else {
    fmt::format_to(std::back_inserter(*out), ".{:09}", fraction);
  }
  out->append(f.utc_adjusted ? "Z\"" : "\"");
}

void AppendStruct(const Field& f, const Column& c, size_t row, std::string* out) {
  out->push_back('{');
  for (size_t i = 0; i < f.children.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendKey(f.children[i].name, out);
    AppendValue(f.children[i], c.child(i), row, out);
  }
  out->push_back('}');
}

void AppendList(const Field& f, const Column& c, size_t row, std::string* out) {
  out->push_back('[');
  for (size_t k = c.ListBegin(row); k < c.ListEnd(row); ++k) {
    if (k > c.ListBegin(row)) out->push_back(',');
    AppendValue(f.children[0], c.child(0), k, out);
  }
  out->push_back(']');
}

// String keys: an object; other keys: [{"key": k, "value": v}, ...].
void AppendMap(const Field& f, const Column& c, size_t row, std::string* out) {
  const bool string_keys = f.children[0].kind() == Kind::kString;
  out->push_back(string_keys ? '{' : '[');
  for (size_t k = c.ListBegin(row); k < c.ListEnd(row); ++k) {
    if (k > c.ListBegin(row)) out->push_back(',');
    if (!string_keys) out->append("{\"key\":");
    AppendValue(f.children[0], c.child(0), k, out);
    out->append(string_keys ? ":" : ",\"value\":");
    AppendValue(f.children[1], c.child(1), k, out);
    if (!string_keys) out->push_back('}');
  }
  out->push_back(string_keys ? '}' : ']');
}

void AppendValue(const Field& f, const Column& c, size_t row, std::string* out) {
  if (c.IsNull(row)) {
    out->append("null");
    return;
  }
  switch (f.kind()) {
    case Kind::kStruct:
      return AppendStruct(f, c, row, out);
    case Kind::kList:
      return AppendList(f, c, row, out);
    case Kind::kMap:
      return AppendMap(f, c, row, out);
    case Kind::kTimestamp:
      return AppendTimestamp(f, c.GetInt64(row), out);
    default:
      return AppendValueJson(f, c, row, out);
  }
}

}  // namespace

void AppendMessageJson(const RecordBatch& batch, size_t row, std::string* out) {
  const Schema& schema = *batch.schema();
  out->push_back('{');
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    if (i > 0) out->push_back(',');
    AppendKey(schema.field(i).name, out);
    AppendValue(schema.field(i), batch.column(i), row, out);
  }
  out->push_back('}');
}

}  // namespace lakepipe

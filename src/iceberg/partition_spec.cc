// Partition specs: parsing "day(ts), bucket[16](id)" and the partition
// tuple's type.
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "iceberg/schema_json.h"
#include "iceberg/table_metadata.h"

namespace lakepipe::iceberg {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits at commas outside brackets and parentheses.
std::vector<std::string_view> SplitTopLevel(std::string_view text) {
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '(' || c == '[') ++depth;
    if (c == ')' || c == ']') --depth;
    if (c == ',' && depth == 0) {
      parts.push_back(Trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  parts.push_back(Trim(text.substr(start)));
  return parts;
}

// The field named by `path` ("a" or "a.b" through structs), or null.
const Field* FindByPath(const std::vector<Field>& fields, std::string_view path) {
  size_t dot = path.find('.');
  std::string_view head = path.substr(0, dot);
  for (const Field& f : fields) {
    if (f.name != head) continue;
    if (dot == std::string_view::npos) return &f;
    if (f.kind() != Kind::kStruct) return nullptr;
    return FindByPath(f.children, path.substr(dot + 1));
  }
  return nullptr;
}

const Field* FindById(const std::vector<Field>& fields, int32_t id) {
  for (const Field& f : fields) {
    if (f.field_id == id) return &f;
    if (f.kind() == Kind::kStruct) {
      if (const Field* found = FindById(f.children, id)) return found;
    }
  }
  return nullptr;
}

std::string DefaultName(std::string_view column, const Transform& t) {
  std::string base(column);
  switch (t.kind) {
    case TransformKind::kIdentity:
      return base;
    case TransformKind::kBucket:
      return base + "_bucket";
    case TransformKind::kTruncate:
      return base + "_trunc";
    case TransformKind::kYear:
      return base + "_year";
    case TransformKind::kMonth:
      return base + "_month";
    case TransformKind::kDay:
      return base + "_day";
    case TransformKind::kHour:
      return base + "_hour";
    case TransformKind::kVoid:
      return base + "_null";
  }
  return base;
}

struct Term {
  Transform transform;
  std::string_view column;
};

Result<Term> ParseTerm(std::string_view term) {
  size_t open = term.find('(');
  if (open == std::string_view::npos) return Term{Transform{}, term};
  if (term.back() != ')') {
    return InvalidArgumentError(
        "partition spec: '{}' is not <transform>(<column>); write e.g. day(ts) or bucket[16](id)",
        term);
  }
  LP_ASSIGN_OR_RETURN(Transform t, Transform::Parse(Trim(term.substr(0, open))));
  return Term{t, Trim(term.substr(open + 1, term.size() - open - 2))};
}

}  // namespace

Result<std::vector<Field>> PartitionSpec::PartitionType(const Schema& schema) const {
  std::vector<Field> fields = WithFieldIds(schema);
  std::vector<Field> out;
  for (const PartitionField& pf : this->fields) {
    const Field* source = FindById(fields, pf.source_id);
    if (source == nullptr) {
      return InvalidArgumentError(
          "partition field '{}' reads column id {}, which the schema does not have", pf.name,
          pf.source_id);
    }
    LP_ASSIGN_OR_RETURN(Field f, pf.transform.ResultType(*source));
    f.name = pf.name;
    f.field_id = pf.field_id;
    f.nullable = true;  // partition values are optional, as Java types them
    f.doc.clear();
    out.push_back(std::move(f));
  }
  return out;
}

Result<PartitionSpec> ParsePartitionSpec(std::string_view text, const Schema& schema) {
  PartitionSpec spec;
  text = Trim(text);
  if (text.empty()) return spec;
  std::vector<Field> fields = WithFieldIds(schema);
  std::set<std::string, std::less<>> names;
  for (std::string_view term : SplitTopLevel(text)) {
    LP_ASSIGN_OR_RETURN(Term parsed, ParseTerm(term));
    const Field* source = FindByPath(fields, parsed.column);
    if (source == nullptr || !source->field_id) {
      return InvalidArgumentError("partition spec: no column '{}' in the schema (in '{}')",
                                  parsed.column, term);
    }
    LP_RETURN_IF_ERROR(parsed.transform.ResultType(*source).status());
    PartitionField pf;
    pf.source_id = *source->field_id;
    pf.field_id = 1000 + static_cast<int32_t>(spec.fields.size());
    pf.name = DefaultName(parsed.column, parsed.transform);
    pf.transform = parsed.transform;
    if (!names.insert(pf.name).second) {
      return InvalidArgumentError("partition spec: the partition field '{}' is given twice",
                                  pf.name);
    }
    const Field* clash = FindByPath(fields, pf.name);
    if (clash != nullptr && !(parsed.transform.kind == TransformKind::kIdentity &&
                              clash->field_id == source->field_id)) {
      return InvalidArgumentError(
          "partition spec: the partition field name '{}' is a column of the schema; rename "
          "that column",
          pf.name);
    }
    spec.fields.push_back(std::move(pf));
  }
  return spec;
}

}  // namespace lakepipe::iceberg

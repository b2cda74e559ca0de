#include "registry/compatibility.h"

#include <cctype>
#include <iterator>

#include <fmt/format.h>

#include "formats/schema_resolution.h"

namespace lakepipe::registry {
namespace {

constexpr CompatibilityLevel kLevels[] = {
    CompatibilityLevel::kNone,
    CompatibilityLevel::kBackward,
    CompatibilityLevel::kBackwardTransitive,
    CompatibilityLevel::kForward,
    CompatibilityLevel::kForwardTransitive,
    CompatibilityLevel::kFull,
    CompatibilityLevel::kFullTransitive,
};

bool Transitive(CompatibilityLevel level) {
  return level == CompatibilityLevel::kBackwardTransitive ||
         level == CompatibilityLevel::kForwardTransitive ||
         level == CompatibilityLevel::kFullTransitive;
}

bool ChecksBackward(CompatibilityLevel level) {
  return level != CompatibilityLevel::kNone && level != CompatibilityLevel::kForward &&
         level != CompatibilityLevel::kForwardTransitive;
}

bool ChecksForward(CompatibilityLevel level) {
  return level != CompatibilityLevel::kNone && level != CompatibilityLevel::kBackward &&
         level != CompatibilityLevel::kBackwardTransitive;
}

// The first field whose values could fail to convert, or "".
std::string PerRecordProblem(const Schema& writer, const Schema& reader,
                             const SchemaResolution& resolution) {
  for (const FieldResolution& r : resolution.fields) {
    if (r.writer_field < 0) continue;
    const Field& w = writer.field(static_cast<size_t>(r.writer_field));
    const Field& f = reader.field(r.reader_field);
    if (r.null_is_bad) {
      return fmt::format("reader field '{}' ({}) cannot hold the nulls of writer field '{}' ({})",
                         f.name, f.Describe(), w.name, w.Describe());
    }
    for (size_t s = 0; s < r.enum_map.size(); ++s) {
      if (r.enum_map[s] >= 0) continue;
      return fmt::format(
          "reader field '{}' lacks symbol '{}' of writer field '{}' and has no default symbol",
          f.name, w.symbols[s], w.name);
    }
  }
  return "";
}

}  // namespace

std::string_view CompatibilityLevelName(CompatibilityLevel level) {
  switch (level) {
    case CompatibilityLevel::kNone:
      return "NONE";
    case CompatibilityLevel::kBackward:
      return "BACKWARD";
    case CompatibilityLevel::kBackwardTransitive:
      return "BACKWARD_TRANSITIVE";
    case CompatibilityLevel::kForward:
      return "FORWARD";
    case CompatibilityLevel::kForwardTransitive:
      return "FORWARD_TRANSITIVE";
    case CompatibilityLevel::kFull:
      return "FULL";
    case CompatibilityLevel::kFullTransitive:
      return "FULL_TRANSITIVE";
  }
  return "NONE";
}

std::optional<CompatibilityLevel> ParseCompatibilityLevel(std::string_view text) {
  std::string upper;
  for (char c : text)
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  for (CompatibilityLevel level : kLevels) {
    if (CompatibilityLevelName(level) == upper) return level;
  }
  return std::nullopt;
}

std::string CompatibilityLevelNames() {
  std::string out;
  for (CompatibilityLevel level : kLevels) {
    if (!out.empty()) out += ", ";
    out += CompatibilityLevelName(level);
  }
  return out;
}

std::string ReadProblem(const Schema& writer, const Schema& reader) {
  Result<SchemaResolution> resolution = ResolveSchemas(writer, reader);
  if (!resolution.ok()) return resolution.status().message();
  // ResolveSchemas plans the flat view; nested fields resolve level by level.
  if (Status nested = CheckNestedResolution(writer, reader); !nested.ok()) {
    return nested.message();
  }
  return PerRecordProblem(writer, reader, *resolution);
}

std::vector<std::string> CompatibilityProblems(CompatibilityLevel level, const Schema& candidate,
                                               const std::vector<SchemaVersion>& earlier) {
  std::vector<std::string> problems;
  if (earlier.empty() || level == CompatibilityLevel::kNone) return problems;
  auto first = Transitive(level) ? earlier.begin() : std::prev(earlier.end());
  for (auto it = first; it != earlier.end(); ++it) {
    if (ChecksBackward(level)) {
      if (std::string p = ReadProblem(*it->schema, candidate); !p.empty()) {
        problems.push_back(fmt::format(
            "the new schema cannot read data written with version {}: {}", it->version, p));
      }
    }
    if (ChecksForward(level)) {
      if (std::string p = ReadProblem(candidate, *it->schema); !p.empty()) {
        problems.push_back(fmt::format(
            "version {} cannot read data written with the new schema: {}", it->version, p));
      }
    }
  }
  return problems;
}

}  // namespace lakepipe::registry

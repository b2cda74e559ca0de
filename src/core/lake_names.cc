#include "core/lake_names.h"

#include <fmt/format.h>

namespace lakepipe {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsTableNameChar(char c) { return IsAsciiAlnum(c) || c == '_' || c == '-' || c == '.'; }

constexpr std::string_view kRule =
    "a table name is one directory of the lake: 1 to {} ASCII letters, digits, '_', '-' and "
    "'.', starting with a letter or a digit";

Status Invalid(std::string_view name, std::string_view why) {
  return InvalidArgumentError("table name '{}' {}; {}", PrintableName(name), why,
                              fmt::format(fmt::runtime(kRule), kMaxTableNameBytes));
}

}  // namespace

Status ValidateTableName(std::string_view name) {
  if (name.empty()) {
    return InvalidArgumentError("the table name is empty; {}",
                                fmt::format(fmt::runtime(kRule), kMaxTableNameBytes));
  }
  if (name.size() > kMaxTableNameBytes) {
    return Invalid(name, fmt::format("is {} bytes long", name.size()));
  }
  for (char c : name) {
    if (c == '/' || c == '\\') {
      return Invalid(name, fmt::format("holds '{}', which would make it a path", c));
    }
  }
  for (char c : name) {
    if (!IsTableNameChar(c)) {
      const std::string shown = PrintableName(std::string_view(&c, 1));
      return Invalid(name, fmt::format("holds '{}'", shown));
    }
  }
  if (name.front() == '_' || name.front() == '.') {
    return Invalid(name,
                   "starts with '_' or '.': such names are reserved (_lakepipe holds lakepipe's "
                   "state, _rejected dead letters, and readers skip hidden names)");
  }
  if (name.front() == '-') return Invalid(name, "starts with '-'");
  return Status::OK();
}

std::string PrintableName(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte >= 0x7f) {
      out += fmt::format("\\x{:02X}", byte);
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace lakepipe

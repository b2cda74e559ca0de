#include "core/redact.h"

#include <array>
#include <cctype>

namespace lakepipe {
namespace {

bool EndsAuthority(char c) {
  return c == '/' || c == '?' || c == '#' || c == '"' || c == '\'' || c == '<' || c == '>' ||
         c == ',' || std::isspace(static_cast<unsigned char>(c)) != 0;
}

bool IsSchemeChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '+' || c == '-' || c == '.';
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string MaskUrlCredentials(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t copied = 0;
  size_t pos = 0;
  while ((pos = text.find("://", pos)) != std::string_view::npos) {
    const bool has_scheme = pos > 0 && IsSchemeChar(text[pos - 1]);
    const size_t start = pos + 3;
    size_t end = start;
    while (end < text.size() && !EndsAuthority(text[end])) ++end;
    const std::string_view authority = text.substr(start, end - start);
    const size_t at = authority.rfind('@');
    if (has_scheme && at != std::string_view::npos && at > 0) {
      const std::string_view userinfo = authority.substr(0, at);
      const size_t colon = userinfo.find(':');
      out.append(text.substr(copied, start - copied));
      if (colon != std::string_view::npos) out.append(userinfo.substr(0, colon + 1));
      out.append(kMaskedSecret);
      copied = start + at;  // from the '@' on
    }
    pos = end > start ? end : start;
  }
  out.append(text.substr(copied));
  return out;
}

std::string MaskValue(std::string text, std::string_view value, std::string_view replacement) {
  if (value.empty()) return text;
  for (size_t at = text.find(value); at != std::string::npos;
       at = text.find(value, at + replacement.size())) {
    text.replace(at, value.size(), replacement);
  }
  return text;
}

bool LooksSecretKey(std::string_view key) {
  const std::string lower = Lower(key);
  constexpr std::array<std::string_view, 8> kWords = {"password",   "passwd", "secret",  "token",
                                                      "credential", "jaas",   "private", "auth"};
  for (std::string_view word : kWords) {
    if (lower.find(word) != std::string::npos) return true;
  }
  if (lower.rfind("sasl.", 0) == 0) return true;
  size_t begin = 0;
  while (begin <= lower.size()) {
    size_t end = lower.find_first_of("._-", begin);
    if (end == std::string::npos) end = lower.size();
    const std::string_view part = std::string_view(lower).substr(begin, end - begin);
    if (part.size() >= 3 && part.substr(part.size() - 3) == "key") return true;
    begin = end + 1;
  }
  return false;
}

}  // namespace lakepipe

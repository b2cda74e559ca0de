#include "archive/cut_metadata.h"

#include <iterator>
#include <utility>

#include <fmt/format.h>

namespace lakepipe::archive {

namespace {

constexpr std::string_view kCutV1 = "lakepipe:v1 cut=";
constexpr std::string_view kCutV2 = "lakepipe:v2 cut=";
constexpr char kHexDigits[] = "0123456789ABCDEF";

void AppendEscaped(std::string_view value, std::string* out) {
  for (char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= ' ' || c == '%' || c == 0x7f) {
      out->push_back('%');
      out->push_back(kHexDigits[c >> 4]);
      out->push_back(kHexDigits[c & 15]);
    } else {
      out->push_back(ch);
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> Unescape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = HexValue(text[i + 1]);
    const int lo = HexValue(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::optional<int64_t> ParseOffset(std::string_view digits) {
  if (digits.empty() || digits.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

// The value of "key=value" at the front of `*rest` (words separated by one
// space), which is advanced past it.
std::optional<std::string> TakeField(std::string_view key, std::string_view* rest) {
  if (rest->substr(0, key.size() + 1) != fmt::format("{}=", key)) return std::nullopt;
  rest->remove_prefix(key.size() + 1);
  const size_t space = rest->find(' ');
  auto value = Unescape(rest->substr(0, space));
  rest->remove_prefix(space == std::string_view::npos ? rest->size() : space + 1);
  return value;
}

}  // namespace

std::string CutMetadata(int64_t cut, const SegmentLayout& layout) {
  std::string out = fmt::format("{}{}", kCutV2, cut);
  const std::pair<std::string_view, const std::string*> fields[] = {
      {"table", &layout.table},
      {"format", &layout.format},
      {"partition_by", &layout.partition_by},
      {"time_field", &layout.time_field}};
  for (const auto& [key, value] : fields) {
    fmt::format_to(std::back_inserter(out), " {}=", key);
    AppendEscaped(*value, &out);
  }
  return out;
}

std::optional<CutIntent> ParseCutMetadata(std::string_view metadata) {
  if (metadata.substr(0, kCutV1.size()) == kCutV1) {
    auto cut = ParseOffset(metadata.substr(kCutV1.size()));
    if (!cut) return std::nullopt;
    return CutIntent{*cut, std::nullopt};
  }
  if (metadata.substr(0, kCutV2.size()) != kCutV2) return std::nullopt;
  std::string_view rest = metadata.substr(kCutV2.size());
  const size_t space = rest.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  auto cut = ParseOffset(rest.substr(0, space));
  rest.remove_prefix(space + 1);
  auto table = TakeField("table", &rest);
  auto format = TakeField("format", &rest);
  auto partition_by = TakeField("partition_by", &rest);
  auto time_field = TakeField("time_field", &rest);
  if (!cut || !table || !format || !partition_by || !time_field || !rest.empty()) {
    return std::nullopt;
  }
  return CutIntent{*cut, SegmentLayout{*table, *format, *partition_by, *time_field}};
}

std::string DescribeLayout(const SegmentLayout& l) {
  return fmt::format("--table '{}' --file-format {} --partition-by '{}' --time-field '{}'", l.table,
                     l.format, l.partition_by, l.time_field);
}

}  // namespace lakepipe::archive

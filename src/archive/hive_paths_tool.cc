// hive_paths_tool: prints the escaped partition values lakepipe writes, so
// that tests/interop/hive.test.mjs can check how DuckDB decodes them.
//
//   stdin:  a JSON array; each item is a string, null, or {"hex": "..."}
//           for bytes that are not text (e.g. invalid UTF-8)
//   stdout: a JSON array of EscapeHiveValue() of each item, in order
//
// Exit status 2 with a message on stderr for input that is not such an array.

#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>

#include <nlohmann/json.hpp>

#include "archive/partitioner.h"

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool FromHex(const std::string& hex, std::string* out) {
  if (hex.size() % 2 != 0) return false;
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int hi = HexValue(hex[i]);
    const int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

int Fail(const char* message) {
  std::fprintf(stderr, "hive_paths_tool: %s\n", message);
  return 2;
}

}  // namespace

int main() {
  const std::string input((std::istreambuf_iterator<char>(std::cin)),
                          std::istreambuf_iterator<char>());
  const nlohmann::json values = nlohmann::json::parse(input, nullptr, false);
  if (!values.is_array()) return Fail("stdin must be a JSON array of strings, nulls or {\"hex\"}");
  nlohmann::json out = nlohmann::json::array();
  for (const nlohmann::json& v : values) {
    if (v.is_null()) {
      out.push_back(lakepipe::archive::EscapeHiveValue("", true));
    } else if (v.is_string()) {
      out.push_back(lakepipe::archive::EscapeHiveValue(v.get<std::string>(), false));
    } else if (v.is_object() && v.contains("hex") && v["hex"].is_string()) {
      std::string bytes;
      if (!FromHex(v["hex"].get<std::string>(), &bytes)) return Fail("bad {\"hex\"} item");
      out.push_back(lakepipe::archive::EscapeHiveValue(bytes, false));
    } else {
      return Fail("items must be strings, nulls or {\"hex\": \"...\"}");
    }
  }
  std::cout << out.dump() << "\n";
  return 0;
}

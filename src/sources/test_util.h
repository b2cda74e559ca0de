// Helpers for the sources module's tests.
#pragma once

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "formats/text/text_formats.h"
#include "sources/source.h"

namespace lakepipe::sources::testing {

// The repository root: LAKEPIPE_SOURCE_DIR (set by CTest), else the
// directory the build was configured from.
inline std::string SourceDir() {
  const char* dir = std::getenv("LAKEPIPE_SOURCE_DIR");
  return dir != nullptr ? dir : LAKEPIPE_DEFAULT_SOURCE_DIR;
}

inline std::string ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot open " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    const char c = s[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

// Version 4, RFC 4122 variant.
inline bool IsUuid4(std::string_view s) {
  return IsUuid(s) && s[14] == '4' &&
         (s[19] == '8' || s[19] == '9' || s[19] == 'a' || s[19] == 'b');
}

inline bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xE  ? 3
                 : (c >> 3) == 0x1E ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

inline bool IsAscii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

// Row `row` of `batch` as a JSON object text.
inline std::string RowJson(const RecordBatch& batch, size_t row) {
  std::string out;
  AppendJsonRow(batch, row, &out);
  return out;
}

// The first `rows` records of `source`, as JSON texts, read `max_rows` at a time.
inline std::vector<std::string> Collect(Source& source, size_t rows, size_t max_rows) {
  std::vector<std::string> out;
  RecordBatch batch(source.schema());
  while (out.size() < rows) {
    Result<bool> more = source.Next(&batch, std::min(max_rows, rows - out.size()));
    EXPECT_TRUE(more.ok()) << more.status().ToString();
    if (!more.ok() || !*more) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) out.push_back(testing::RowJson(batch, r));
  }
  return out;
}

}  // namespace lakepipe::sources::testing

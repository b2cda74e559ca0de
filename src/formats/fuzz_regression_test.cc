// Replays inputs that once crashed or hung a reader under the fuzzer
// (fuzz/regressions/<format>/) and the fuzzer's seed files (fuzz/seeds/,
// src/formats/parquet/testdata/): each must be read to the end or rejected
// with a descriptive error, never crash.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "formats/format.h"
#include "storage/memory_file.h"

namespace lakepipe {
namespace {

namespace fs = std::filesystem;

std::string ReadBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Reads every batch and describes the file; returns the first error.
Status ReadAll(const FormatInfo& format, const std::string& name, const std::string& bytes) {
  auto reader = format.open_reader(NewMemoryInputFile(name, bytes), ReadOptions());
  if (!reader.ok()) return reader.status();
  RecordBatch batch((*reader)->schema());
  while (true) {
    auto more = (*reader)->ReadBatch(&batch);
    if (!more.ok()) return more.status();
    if (!*more) break;
  }
  auto file = NewMemoryInputFile(name, bytes);
  return format.describe(file.get()).status();
}

TEST(FuzzRegressionTest, ReplaysEveryStoredInput) {
  const char* root = std::getenv("LAKEPIPE_SOURCE_DIR");
  ASSERT_NE(root, nullptr) << "LAKEPIPE_SOURCE_DIR must point at the source tree";
  size_t replayed = 0;
  for (const char* format_name : {"parquet", "avro"}) {
    auto format = FormatRegistry::Default().Find(format_name);
    ASSERT_OK(format.status());
    // The Parquet fuzzer is seeded with the reader's DuckDB-written fixtures.
    const std::vector<fs::path> dirs = {
        fs::path(root) / "fuzz" / "regressions" / format_name,
        fs::path(root) / "fuzz" / "seeds" / format_name,
        fs::path(root) / "src" / "formats" / format_name / "testdata",
    };
    for (const fs::path& dir : dirs) {
      if (!fs::exists(dir)) continue;
      for (const auto& entry : fs::directory_iterator(dir)) {
        if (!entry.is_regular_file() || entry.path().extension() == ".json") continue;
        const std::string bytes = ReadBytes(entry.path());
        Status st = ReadAll(**format, entry.path().filename().string(), bytes);
        if (!st.ok()) {
          EXPECT_FALSE(st.message().empty()) << entry.path();
          EXPECT_TRUE(st.code() == StatusCode::kCorruption ||
                      st.code() == StatusCode::kUnimplemented ||
                      st.code() == StatusCode::kInvalidArgument)
              << entry.path() << ": " << st.ToString();
        }
        ++replayed;
      }
    }
  }
  EXPECT_GT(replayed, 0u) << "no fuzz seeds or regressions found";
}

}  // namespace
}  // namespace lakepipe

// libFuzzer target for the Parquet reader: opens the input as a Parquet file,
// reads every batch and describes the footer, ignoring errors. Any crash,
// sanitizer report, leak or timeout is a bug.
//
// Reading stops after kMaxRows rows: a few bytes can legitimately describe
// billions of null rows (one RLE run per page), which would only slow the
// fuzzer down without reaching new code.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/column.h"
#include "formats/parquet/parquet_reader.h"
#include "storage/memory_file.h"

namespace {

constexpr uint64_t kMaxRows = uint64_t{1} << 20;

void ReadEverything(const std::string& bytes) {
  lakepipe::ReadOptions options;
  options.batch_rows = 1000;
  lakepipe::Result<std::unique_ptr<lakepipe::RecordReader>> reader =
      lakepipe::OpenParquetReader(lakepipe::NewMemoryInputFile("fuzz.parquet", bytes), options);
  if (!reader.ok()) return;
  lakepipe::RecordBatch batch((*reader)->schema());
  uint64_t rows = 0;
  while (rows < kMaxRows) {
    lakepipe::Result<bool> more = (*reader)->ReadBatch(&batch);
    if (!more.ok() || !*more) break;
    rows += batch.num_rows();
  }
}

void Describe(const std::string& bytes) {
  std::unique_ptr<lakepipe::InputFile> file = lakepipe::NewMemoryInputFile("fuzz.parquet", bytes);
  lakepipe::Result<nlohmann::json> described = lakepipe::DescribeParquet(file.get());
  // Serialising must work: every string in the result is valid UTF-8.
  if (described.ok()) (void)described->dump();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  ReadEverything(bytes);
  Describe(bytes);
  return 0;
}

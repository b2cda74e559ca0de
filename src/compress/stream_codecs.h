// Brotli, bzip2 and xz (internal to the compress module). Decompression is
// bounded as CodecContext::Decompress promises.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace lakepipe::compress_internal {

// `quality` 1..11 (clamped).
Status BrotliCompress(std::string_view input, int quality, std::string* out);
Status BrotliDecompress(std::string_view input, size_t exact, size_t max_size, std::string* out);

// `block_size` in 100 kB, 1..9 (clamped).
Status Bzip2Compress(std::string_view input, int block_size, std::string* out);
Status Bzip2Decompress(std::string_view input, size_t exact, size_t max_size, std::string* out);

// Keeps liblzma's encoder and decoder between calls: their tables are large
// and liblzma reuses them when the next stream has the same settings.
class XzCoder {
 public:
  XzCoder();
  ~XzCoder();
  XzCoder(const XzCoder&) = delete;
  XzCoder& operator=(const XzCoder&) = delete;

  // `preset` 1..9 (clamped). The dictionary is no larger than the input
  // needs, which keeps memory small for small blocks at the same ratio.
  Status Compress(std::string_view input, int preset, std::string* out);
  Status Decompress(std::string_view input, size_t exact, size_t max_size, std::string* out);

  // Most memory the decoder may use; streams needing more are unsupported.
  static constexpr uint64_t kDecoderMemoryLimit = 256ull << 20;

 private:
  struct Streams;
  std::unique_ptr<Streams> streams_;
};

}  // namespace lakepipe::compress_internal

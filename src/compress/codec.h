// Block compression codecs shared by the file formats.
//
// Parquet uses none, snappy, gzip, zstd, brotli, lz4 (the Hadoop-framed form)
// and lz4_raw; Avro uses none, deflate, snappy, zstd, bzip2 and xz.
//
// A CodecContext keeps the expensive per-codec state (zstd contexts, zlib
// streams) so that compressing many pages or blocks allocates nothing after
// warm-up. Decompression never allocates more than the caller's bound, so a
// corrupt header cannot trigger a huge allocation.
//
// Thread-safety: a CodecContext is used by one thread at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace lakepipe {

enum class Codec {
  kNone,
  kSnappy,   // raw snappy block (not the framing format)
  kGzip,     // RFC 1952 gzip member; decompression also accepts zlib (RFC 1950)
  kDeflate,  // raw RFC 1951 deflate (Avro "deflate")
  kZstd,     // one zstd frame
  kBrotli,   // one brotli stream (RFC 7932)
  kLz4Raw,   // one raw LZ4 block (Parquet LZ4_RAW)
  // Parquet's LZ4: blocks framed as Hadoop's Lz4Codec writes them (big-endian
  // u32 decompressed size, u32 compressed size, raw LZ4 block, repeated).
  // Decompression also accepts one raw LZ4 block, as older Arrow wrote.
  kLz4Hadoop,
  kBzip2,  // one bzip2 stream ("BZh")
  kXz,     // one .xz stream (LZMA2, CRC64 check when compressing)
};

std::string_view CodecName(Codec codec);

class CodecContext {
 public:
  // `level`: compression level for gzip/deflate (1..9), zstd (1..22),
  // brotli (1..11), bzip2 (1..9, the block size in 100 kB) and xz (1..9);
  // 0 picks the codec's default (zlib 6, zstd 3, brotli 8, bzip2 9, xz 6).
  // LZ4 has no levels. Levels above a codec's range are clamped.
  explicit CodecContext(int level = 0);
  ~CodecContext();
  CodecContext(const CodecContext&) = delete;
  CodecContext& operator=(const CodecContext&) = delete;

  // Appends the compressed form of `input` to `*out`. `level` overrides the
  // context's level for this call (0 keeps it).
  Status Compress(Codec codec, std::string_view input, std::string* out, int level = 0);

  // Appends the decompressed form of `input` to `*out`. When `exact_size` is
  // not kUnknownSize the output must have exactly that many bytes; otherwise
  // it may not exceed `max_size`. Damaged input gives kCorruption.
  static constexpr size_t kUnknownSize = static_cast<size_t>(-1);
  Status Decompress(Codec codec, std::string_view input, size_t exact_size, size_t max_size,
                    std::string* out);

 private:
  struct State;
  int level_;
  std::unique_ptr<State> state_;
};

}  // namespace lakepipe

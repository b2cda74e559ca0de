// LZ4 for Parquet (internal to the compress module): the raw block form
// (LZ4_RAW) and the Hadoop-framed form of Parquet's LZ4.
//
// Hadoop framing is a sequence of frames, each a big-endian u32 decompressed
// size followed by one or more (big-endian u32 compressed size, raw LZ4
// block) chunks that together decompress to that size. Older Arrow wrote a
// bare block under the same codec id, so decompression tries the framing and
// falls back to one raw block.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"

namespace lakepipe::compress_internal {

// Largest frame the writer makes: Hadoop's default LZ4 buffer size, so that
// Hadoop's decompressor accepts every frame.
inline constexpr size_t kLz4HadoopFrameBytes = 256 << 10;

Status Lz4RawCompress(std::string_view input, std::string* out);
Status Lz4HadoopCompress(std::string_view input, std::string* out);

// `exact` / `max_size` as in CodecContext::Decompress.
Status Lz4RawDecompress(std::string_view input, size_t exact, size_t max_size, std::string* out);
Status Lz4HadoopDecompress(std::string_view input, size_t exact, size_t max_size, std::string* out);

}  // namespace lakepipe::compress_internal

#include "compress/lz4_codec.h"

#include <lz4.h>

#include <algorithm>
#include <cstdint>

#include "compress/codec.h"

namespace lakepipe::compress_internal {
namespace {

// A raw LZ4 block cannot expand by more than 255:1 (each byte of a match
// length extension adds at most 255 bytes), plus a few bytes of slack.
size_t Lz4MaxOutput(size_t in) { return in * 255 + 64; }

uint32_t GetBigEndian32(const char* p) {
  const auto* u = reinterpret_cast<const uint8_t*>(p);
  return (static_cast<uint32_t>(u[0]) << 24) | (static_cast<uint32_t>(u[1]) << 16) |
         (static_cast<uint32_t>(u[2]) << 8) | static_cast<uint32_t>(u[3]);
}

void PutBigEndian32(uint32_t v, char* p) {
  p[0] = static_cast<char>(v >> 24);
  p[1] = static_cast<char>(v >> 16);
  p[2] = static_cast<char>(v >> 8);
  p[3] = static_cast<char>(v);
}

// Decodes Hadoop frames into `*out` (already holding `start` bytes); false
// when `input` is not a complete, valid framed stream within `limit` bytes.
bool TryHadoopFrames(std::string_view input, size_t limit, size_t start, std::string* out) {
  size_t pos = 0;
  size_t total = 0;
  while (pos < input.size()) {
    if (input.size() - pos < 4) return false;
    const size_t frame = GetBigEndian32(input.data() + pos);
    pos += 4;
    if (frame > limit - total) return false;
    out->resize(start + total + frame);
    size_t filled = 0;
    // One or more chunks make up the frame; an empty frame still has one.
    do {
      if (input.size() - pos < 4) return false;
      const size_t chunk = GetBigEndian32(input.data() + pos);
      pos += 4;
      if (chunk > input.size() - pos || chunk > LZ4_MAX_INPUT_SIZE) return false;
      const int n = LZ4_decompress_safe(input.data() + pos, out->data() + start + total + filled,
                                        static_cast<int>(chunk), static_cast<int>(frame - filled));
      if (n < 0 || (n == 0 && frame > filled)) return false;
      filled += static_cast<size_t>(n);
      pos += chunk;
    } while (filled < frame);
    total += frame;
  }
  out->resize(start + total);
  return !input.empty();
}

}  // namespace

Status Lz4RawCompress(std::string_view input, std::string* out) {
  if (input.size() > LZ4_MAX_INPUT_SIZE) {
    return InvalidArgumentError("LZ4 compresses at most {} bytes at once, got {}",
                                LZ4_MAX_INPUT_SIZE, input.size());
  }
  const size_t start = out->size();
  const int bound = LZ4_compressBound(static_cast<int>(input.size()));
  out->resize(start + static_cast<size_t>(bound));
  const int n = LZ4_compress_default(input.data(), out->data() + start,
                                     static_cast<int>(input.size()), bound);
  if (n <= 0) {
    out->resize(start);
    return InternalError("LZ4 compression failed");
  }
  out->resize(start + static_cast<size_t>(n));
  return Status::OK();
}

Status Lz4HadoopCompress(std::string_view input, std::string* out) {
  size_t pos = 0;
  do {
    const std::string_view piece = input.substr(pos, kLz4HadoopFrameBytes);
    const size_t head = out->size();
    out->resize(head + 8);
    LP_RETURN_IF_ERROR(Lz4RawCompress(piece, out));
    PutBigEndian32(static_cast<uint32_t>(piece.size()), out->data() + head);
    PutBigEndian32(static_cast<uint32_t>(out->size() - head - 8), out->data() + head + 4);
    pos += piece.size();
  } while (pos < input.size());
  return Status::OK();
}

Status Lz4RawDecompress(std::string_view input, size_t exact, size_t max_size, std::string* out) {
  if (input.size() > LZ4_MAX_INPUT_SIZE) {
    return CorruptionError("an LZ4 block of {} bytes is larger than LZ4 allows", input.size());
  }
  const bool is_exact = exact != CodecContext::kUnknownSize;
  const size_t room = is_exact ? exact : std::min(max_size, Lz4MaxOutput(input.size()));
  if (room > static_cast<size_t>(INT32_MAX)) {
    return CorruptionError("an LZ4 block cannot hold {} bytes", room);
  }
  const size_t start = out->size();
  out->resize(start + room);
  const int n = LZ4_decompress_safe(input.data(), out->data() + start,
                                    static_cast<int>(input.size()), static_cast<int>(room));
  if (n < 0) {
    out->resize(start);
    return CorruptionError("LZ4 data is damaged or holds more than {} bytes", room);
  }
  out->resize(start + static_cast<size_t>(n));
  if (is_exact && static_cast<size_t>(n) != exact) {
    out->resize(start);
    return CorruptionError("LZ4 block holds {} bytes, expected {}", n, exact);
  }
  return Status::OK();
}

Status Lz4HadoopDecompress(std::string_view input, size_t exact, size_t max_size,
                           std::string* out) {
  const bool is_exact = exact != CodecContext::kUnknownSize;
  const size_t limit = is_exact ? exact : max_size;
  const size_t start = out->size();
  if (TryHadoopFrames(input, limit, start, out) && (!is_exact || out->size() - start == exact)) {
    return Status::OK();
  }
  out->resize(start);
  Status raw = Lz4RawDecompress(input, exact, max_size, out);
  if (!raw.ok()) {
    return CorruptionError("LZ4 data is neither Hadoop-framed nor one raw LZ4 block ({})",
                           raw.message());
  }
  return Status::OK();
}

}  // namespace lakepipe::compress_internal

#include "formats/parquet/encoding.h"

#include <algorithm>
#include <cstring>
#include <vector>

namespace lakepipe::parquet {

int BitWidth(uint64_t max_value) {
  int w = 0;
  while (max_value != 0) {
    ++w;
    max_value >>= 1;
  }
  return w;
}

namespace {

void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

template <typename T>
void PackValues(const T* values, size_t n, size_t padded, int bit_width, std::string* out) {
  if (bit_width == 0) return;
  // Fewer than 8 bits stay in the accumulator between values, so adding a
  // value of at most 32 bits never overflows it.
  uint64_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < padded; ++i) {
    acc |= (i < n ? static_cast<uint64_t>(values[i]) : 0) << bits;
    bits += bit_width;
    while (bits >= 8) {
      out->push_back(static_cast<char>(acc & 0xff));
      acc >>= 8;
      bits -= 8;
    }
  }
  if (bits > 0) out->push_back(static_cast<char>(acc & 0xff));
}

template <typename T>
void EmitLiteral(const T* values, size_t n, int bit_width, std::string* out) {
  if (n == 0) return;
  const size_t groups = (n + 7) / 8;
  PutVarint((static_cast<uint64_t>(groups) << 1) | 1, out);
  PackValues(values, n, groups * 8, bit_width, out);
}

void EmitRepeat(uint32_t value, size_t count, int bit_width, std::string* out) {
  PutVarint(static_cast<uint64_t>(count) << 1, out);
  const int bytes = (bit_width + 7) / 8;
  for (int b = 0; b < bytes; ++b) out->push_back(static_cast<char>((value >> (8 * b)) & 0xff));
}

template <typename T>
void RleEncodeT(const T* v, size_t n, int bit_width, std::string* out) {
  size_t literal_start = 0;
  size_t i = 0;
  while (i < n) {
    size_t j = i + 1;
    while (j < n && v[j] == v[i]) ++j;
    const size_t run = j - i;
    const size_t pad = (8 - (i - literal_start) % 8) % 8;
    if (run >= 8 + pad) {
      // Fill the open literal group with copies of the repeated value, then
      // encode the rest of the run as one repeat.
      i += pad;
      EmitLiteral(v + literal_start, i - literal_start, bit_width, out);
      EmitRepeat(static_cast<uint32_t>(v[i]), j - i, bit_width, out);
      literal_start = j;
    }
    i = j;
  }
  EmitLiteral(v + literal_start, n - literal_start, bit_width, out);
}

}  // namespace

void RleEncode(const uint32_t* values, size_t n, int bit_width, std::string* out) {
  RleEncodeT(values, n, bit_width, out);
}

void RleEncodeBytes(const uint8_t* values, size_t n, int bit_width, std::string* out) {
  RleEncodeT(values, n, bit_width, out);
}

void BitPack(const uint32_t* values, size_t n, int bit_width, std::string* out) {
  PackValues(values, n, n, bit_width, out);
}

void BitUnpack(const uint8_t* data, uint64_t first, size_t n, int bit_width, uint32_t* out) {
  if (bit_width == 0) {
    std::fill(out, out + n, 0u);
    return;
  }
  const uint64_t mask = bit_width == 32 ? 0xffffffffull : ((1ull << bit_width) - 1);
  uint64_t bit = first * static_cast<uint64_t>(bit_width);
  for (size_t i = 0; i < n; ++i, bit += bit_width) {
    const uint64_t byte = bit >> 3;
    const int shift = static_cast<int>(bit & 7);
    // A value spans at most 5 bytes (32 bits + 7 bits of shift).
    const int need = (shift + bit_width + 7) / 8;
    uint64_t word = 0;
    for (int b = 0; b < need; ++b) word |= static_cast<uint64_t>(data[byte + b]) << (8 * b);
    out[i] = static_cast<uint32_t>((word >> shift) & mask);
  }
}

Status RleDecoder::NextRun() {
  uint64_t header = 0;
  for (int shift = 0;; shift += 7) {
    if (p_ >= end_) return CorruptionError("RLE data ends early");
    if (shift > 35) return CorruptionError("RLE run header is too long");
    const uint8_t b = *p_++;
    header |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) break;
  }
  if (header & 1) {
    const uint64_t groups = header >> 1;
    const uint64_t bytes = groups * static_cast<uint64_t>(bit_width_);  // 8 values per group
    if (groups == 0) return CorruptionError("empty bit-packed run");
    if (bytes > static_cast<uint64_t>(end_ - p_)) {
      // Writers may truncate the final group's padding; accept a short last run.
      const uint64_t avail = static_cast<uint64_t>(end_ - p_);
      if (bit_width_ == 0) return CorruptionError("bit-packed run with zero width");
      rle_ = false;
      packed_ = p_;
      packed_index_ = 0;
      remaining_ = avail * 8 / static_cast<uint64_t>(bit_width_);
      p_ = end_;
      if (remaining_ == 0) return CorruptionError("RLE data ends early");
      return Status::OK();
    }
    rle_ = false;
    packed_ = p_;
    packed_index_ = 0;
    remaining_ = groups * 8;
    p_ += bytes;
  } else {
    const uint64_t count = header >> 1;
    if (count == 0) return CorruptionError("empty RLE run");
    const int bytes = (bit_width_ + 7) / 8;
    if (bytes > end_ - p_) return CorruptionError("RLE data ends early");
    uint32_t value = 0;
    for (int b = 0; b < bytes; ++b) value |= static_cast<uint32_t>(p_[b]) << (8 * b);
    p_ += bytes;
    rle_ = true;
    rle_value_ = value;
    remaining_ = count;
  }
  return Status::OK();
}

template <typename T>
Status RleDecoder::DecodeT(T* out, size_t n) {
  uint32_t tmp[256];
  while (n > 0) {
    if (remaining_ == 0) LP_RETURN_IF_ERROR(NextRun());
    const size_t take = static_cast<size_t>(std::min<uint64_t>(remaining_, n));
    if (rle_) {
      std::fill(out, out + take, static_cast<T>(rle_value_));
      out += take;
    } else {
      size_t left = take;
      while (left > 0) {
        const size_t chunk = std::min<size_t>(left, 256);
        BitUnpack(packed_, packed_index_, chunk, bit_width_, tmp);
        for (size_t i = 0; i < chunk; ++i) out[i] = static_cast<T>(tmp[i]);
        out += chunk;
        packed_index_ += chunk;
        left -= chunk;
      }
    }
    remaining_ -= take;
    n -= take;
  }
  return Status::OK();
}

Status RleDecoder::Decode(uint32_t* out, size_t n) { return DecodeT(out, n); }
Status RleDecoder::DecodeBytes(uint8_t* out, size_t n) { return DecodeT(out, n); }

}  // namespace lakepipe::parquet

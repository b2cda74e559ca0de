#include "formats/parquet/decoders.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/time_util.h"

namespace lakepipe::parquet {

bool ReadUleb128(const uint8_t** p, const uint8_t* end, uint64_t* v) {
  uint64_t result = 0;
  const uint8_t* q = *p;
  for (int shift = 0; shift < 70; shift += 7) {
    if (q >= end) return false;
    const uint8_t b = *q++;
    if (shift == 63 && (b & 0x7e) != 0) return false;
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *p = q;
      *v = result;
      return true;
    }
  }
  return false;
}

namespace {

uint64_t ZigZagDecode(uint64_t u) { return (u >> 1) ^ (~(u & 1) + 1); }

// Largest block size accepted; real writers use 128 to a few thousand.
constexpr uint64_t kMaxBlockSize = uint64_t{1} << 31;

// Reads `width` (0..64) bits at bit `bit` of [data, end). REQUIRES: the bits
// lie inside the buffer.
inline uint64_t ReadBits(const uint8_t* data, const uint8_t* end, uint64_t bit, int width) {
  if (width == 0) return 0;
  const uint8_t* p = data + (bit >> 3);
  const int shift = static_cast<int>(bit & 7);
  uint64_t v = 0;
  if (end - p >= 9) {
    std::memcpy(&v, p, 8);
    v >>= shift;
    if (shift + width > 64) v |= static_cast<uint64_t>(p[8]) << (64 - shift);
  } else {
    const int bytes = (shift + width + 7) / 8;
    uint64_t lo = 0;
    for (int b = 0; b < bytes && b < 8 && p + b < end; ++b) {
      lo |= static_cast<uint64_t>(p[b]) << (8 * b);
    }
    v = lo >> shift;
    if (bytes > 8 && p + 8 < end) v |= static_cast<uint64_t>(p[8]) << (64 - shift);
  }
  return width == 64 ? v : (v & ((uint64_t{1} << width) - 1));
}

// Bytes a miniblock of `values` values at `width` bits occupies.
inline uint64_t PackedBytes(uint64_t values, int width) {
  return (values * static_cast<uint64_t>(width) + 7) / 8;
}

}  // namespace

Status DeltaBinaryPackedDecoder::Init(const uint8_t* data, size_t size) {
  *this = DeltaBinaryPackedDecoder();
  begin_ = data;
  p_ = data;
  end_ = data + size;
  uint64_t first_zz = 0;
  if (!ReadUleb128(&p_, end_, &block_size_) || !ReadUleb128(&p_, end_, &miniblocks_) ||
      !ReadUleb128(&p_, end_, &total_) || !ReadUleb128(&p_, end_, &first_zz)) {
    return CorruptionError("DELTA_BINARY_PACKED header is truncated");
  }
  if (block_size_ == 0 || block_size_ > kMaxBlockSize || miniblocks_ == 0 ||
      miniblocks_ > block_size_ || block_size_ % miniblocks_ != 0 ||
      (block_size_ / miniblocks_) % 8 != 0) {
    return CorruptionError(
        "DELTA_BINARY_PACKED header has an invalid block size {} with {} miniblocks", block_size_,
        miniblocks_);
  }
  per_miniblock_ = block_size_ / miniblocks_;
  first_ = ZigZagDecode(first_zz);
  deltas_left_ = total_ > 0 ? total_ - 1 : 0;
  body_ = p_;
  return Status::OK();
}

Status DeltaBinaryPackedDecoder::NextMiniblock() {
  if (!in_block_ || mini_index_ + 1 >= miniblocks_) {
    uint64_t zz = 0;
    if (!ReadUleb128(&p_, end_, &zz)) {
      return CorruptionError("DELTA_BINARY_PACKED block header is truncated");
    }
    if (miniblocks_ > static_cast<uint64_t>(end_ - p_)) {
      return CorruptionError("DELTA_BINARY_PACKED miniblock widths are truncated");
    }
    min_delta_ = ZigZagDecode(zz);
    widths_ = p_;
    p_ += miniblocks_;
    mini_index_ = 0;
    in_block_ = true;
  } else {
    ++mini_index_;
  }
  const int width = widths_[mini_index_];
  if (width > 64) {
    return CorruptionError("DELTA_BINARY_PACKED miniblock bit width {} exceeds 64", width);
  }
  const uint64_t n = std::min(per_miniblock_, deltas_left_);
  const uint64_t avail = static_cast<uint64_t>(end_ - p_);
  if (PackedBytes(n, width) > avail) {
    return CorruptionError("DELTA_BINARY_PACKED miniblock needs {} bytes, {} remain",
                           PackedBytes(n, width), avail);
  }
  // The last miniblock should be padded to full length; accept one that is not.
  const uint64_t full = PackedBytes(per_miniblock_, width);
  mini_data_ = p_;
  p_ += std::min(full, avail);
  mini_end_ = p_;
  mini_width_ = width;
  mini_pos_ = 0;
  mini_left_ = n;
  deltas_left_ -= n;
  return Status::OK();
}

Status DeltaBinaryPackedDecoder::Decode(int64_t* out, size_t n) {
  if (n > remaining()) {
    return CorruptionError("DELTA_BINARY_PACKED data holds {} more values, {} needed", remaining(),
                           n);
  }
  size_t i = 0;
  if (n > 0 && emitted_ == 0) {
    last_ = first_;
    out[i++] = static_cast<int64_t>(last_);
  }
  while (i < n) {
    if (mini_left_ == 0) LP_RETURN_IF_ERROR(NextMiniblock());
    const size_t take = static_cast<size_t>(std::min<uint64_t>(mini_left_, n - i));
    uint64_t bit = mini_pos_ * static_cast<uint64_t>(mini_width_);
    uint64_t last = last_;
    for (size_t j = 0; j < take; ++j, bit += mini_width_) {
      last += ReadBits(mini_data_, mini_end_, bit, mini_width_) + min_delta_;
      out[i + j] = static_cast<int64_t>(last);
    }
    last_ = last;
    mini_pos_ += take;
    mini_left_ -= take;
    i += take;
  }
  emitted_ += n;
  return Status::OK();
}

Status DeltaBinaryPackedDecoder::Decode(int32_t* out, size_t n) {
  int64_t buf[256];
  while (n > 0) {
    const size_t take = std::min<size_t>(n, 256);
    LP_RETURN_IF_ERROR(Decode(buf, take));
    for (size_t i = 0; i < take; ++i) out[i] = static_cast<int32_t>(static_cast<uint32_t>(buf[i]));
    out += take;
    n -= take;
  }
  return Status::OK();
}

Result<size_t> DeltaBinaryPackedDecoder::EncodedSize() const {
  const uint8_t* p = body_;
  uint64_t deltas = total_ > 0 ? total_ - 1 : 0;
  // Every block takes at least 1 + miniblocks_ bytes, so this loop ends
  // within the data.
  while (deltas > 0) {
    uint64_t zz = 0;
    if (!ReadUleb128(&p, end_, &zz)) {
      return CorruptionError("DELTA_BINARY_PACKED block header is truncated");
    }
    if (miniblocks_ > static_cast<uint64_t>(end_ - p)) {
      return CorruptionError("DELTA_BINARY_PACKED miniblock widths are truncated");
    }
    const uint8_t* widths = p;
    p += miniblocks_;
    for (uint64_t m = 0; m < miniblocks_ && deltas > 0; ++m) {
      const int width = widths[m];
      if (width > 64) {
        return CorruptionError("DELTA_BINARY_PACKED miniblock bit width {} exceeds 64", width);
      }
      const uint64_t bytes = PackedBytes(per_miniblock_, width);
      if (bytes > static_cast<uint64_t>(end_ - p)) {
        return CorruptionError("DELTA_BINARY_PACKED miniblock needs {} bytes, {} remain", bytes,
                               end_ - p);
      }
      p += bytes;
      deltas -= std::min(per_miniblock_, deltas);
    }
  }
  return static_cast<size_t>(p - begin_);
}

Status DeltaLengthByteArrayDecoder::Init(const uint8_t* data, size_t size) {
  LP_RETURN_IF_ERROR(lengths_.Init(data, size));
  LP_ASSIGN_OR_RETURN(size_t lengths_size, lengths_.EncodedSize());
  LP_RETURN_IF_ERROR(lengths_.Init(data, lengths_size));
  data_ = data + lengths_size;
  data_end_ = data + size;
  return Status::OK();
}

Status DeltaLengthByteArrayDecoder::Decode(std::string_view* out, size_t n) {
  scratch_.resize(std::min<size_t>(n, 1024));
  while (n > 0) {
    const size_t take = std::min(n, scratch_.size());
    LP_RETURN_IF_ERROR(lengths_.Decode(scratch_.data(), take));
    for (size_t i = 0; i < take; ++i) {
      const int64_t len = scratch_[i];
      if (len < 0 || static_cast<uint64_t>(len) > static_cast<uint64_t>(data_end_ - data_)) {
        return CorruptionError("DELTA_LENGTH_BYTE_ARRAY value of {} bytes, {} remain", len,
                               data_end_ - data_);
      }
      out[i] = std::string_view(reinterpret_cast<const char*>(data_), static_cast<size_t>(len));
      data_ += len;
    }
    out += take;
    n -= take;
  }
  return Status::OK();
}

Status DeltaByteArrayDecoder::Init(const uint8_t* data, size_t size) {
  last_.clear();
  LP_RETURN_IF_ERROR(prefixes_.Init(data, size));
  LP_ASSIGN_OR_RETURN(size_t prefix_size, prefixes_.EncodedSize());
  LP_RETURN_IF_ERROR(prefixes_.Init(data, prefix_size));
  return suffixes_.Init(data + prefix_size, size - prefix_size);
}

Status DeltaByteArrayDecoder::Decode(std::string_view* out, size_t n, std::string* arena) {
  arena->clear();
  prefix_scratch_.resize(n);
  suffix_scratch_.resize(n);
  ends_.resize(n);
  LP_RETURN_IF_ERROR(prefixes_.Decode(prefix_scratch_.data(), n));
  LP_RETURN_IF_ERROR(suffixes_.Decode(suffix_scratch_.data(), n));
  size_t prev_start = 0;
  size_t prev_len = last_.size();
  const std::string* prev_src = &last_;
  for (size_t i = 0; i < n; ++i) {
    const int64_t prefix = prefix_scratch_[i];
    if (prefix < 0 || static_cast<uint64_t>(prefix) > prev_len) {
      return CorruptionError("DELTA_BYTE_ARRAY prefix of {} bytes exceeds the previous value's {}",
                             prefix, prev_len);
    }
    const size_t start = arena->size();
    // The previous value lives either in last_ or earlier in the arena.
    if (prev_src == &last_) {
      arena->append(last_, 0, static_cast<size_t>(prefix));
    } else {
      arena->append(*arena, prev_start, static_cast<size_t>(prefix));
    }
    arena->append(suffix_scratch_[i]);
    ends_[i] = arena->size();
    prev_start = start;
    prev_len = arena->size() - start;
    prev_src = arena;
  }
  size_t start = 0;
  for (size_t i = 0; i < n; ++i) {
    out[i] = std::string_view(arena->data() + start, ends_[i] - start);
    start = ends_[i];
  }
  if (n > 0) last_.assign(out[n - 1]);
  return Status::OK();
}

Status ByteStreamSplitDecoder::Init(const uint8_t* data, size_t size, size_t width) {
  if (width == 0 || size % width != 0) {
    return CorruptionError(
        "BYTE_STREAM_SPLIT data of {} bytes is not a multiple of the {}-byte width", size, width);
  }
  data_ = data;
  width_ = width;
  count_ = size / width;
  pos_ = 0;
  return Status::OK();
}

Status ByteStreamSplitDecoder::Decode(uint8_t* out, size_t n) {
  if (n > remaining()) {
    return CorruptionError("BYTE_STREAM_SPLIT data holds {} more values, {} needed", remaining(),
                           n);
  }
  for (size_t b = 0; b < width_; ++b) {
    const uint8_t* src = data_ + b * count_ + pos_;
    uint8_t* dst = out + b;
    for (size_t i = 0; i < n; ++i) dst[i * width_] = src[i];
  }
  pos_ += n;
  return Status::OK();
}

void UnpackMsbFirstBits(const uint8_t* data, uint64_t first, size_t n, uint8_t* out) {
  for (size_t i = 0; i < n; ++i) {
    const uint64_t bit = first + i;
    out[i] = static_cast<uint8_t>((data[bit >> 3] >> (7 - (bit & 7))) & 1);
  }
}

int64_t Int96ToMicros(const uint8_t* p) {
  int64_t nanos = 0;
  uint32_t day = 0;
  std::memcpy(&nanos, p, 8);
  std::memcpy(&day, p + 8, 4);
  // Matches DuckDB 1.5.6 (checked with @duckdb/node-api on
  // testdata/int96_extremes.parquet): the day is unsigned, the product and
  // the sum wrap modulo 2^64 (so Julian day 0xffffffff reads as
  // 1939426010608967680 us, and -1999 ns of the day as -1 us).
  constexpr uint64_t kMicrosPerDay = uint64_t{86400} * 1000 * 1000;
  const auto days = static_cast<uint64_t>(static_cast<int64_t>(day) - kJulianEpochDay);
  const auto micros = static_cast<uint64_t>(nanos / 1000);
  return static_cast<int64_t>(days * kMicrosPerDay + micros);
}

float HalfToFloat(uint16_t half) {
  const int sign = (half >> 15) & 1;
  const int exponent = (half >> 10) & 0x1f;
  const int mantissa = half & 0x3ff;
  float value = 0;
  if (exponent == 0) {
    value = std::ldexp(static_cast<float>(mantissa), -24);
  } else if (exponent == 31) {
    value = mantissa == 0 ? std::numeric_limits<float>::infinity()
                          : std::numeric_limits<float>::quiet_NaN();
  } else {
    value = std::ldexp(static_cast<float>(mantissa | 0x400), exponent - 25);
  }
  return sign ? -value : value;
}

void AppendUuidText(const uint8_t* p, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out->push_back('-');
    out->push_back(kHex[p[i] >> 4]);
    out->push_back(kHex[p[i] & 0x0f]);
  }
}

}  // namespace lakepipe::parquet

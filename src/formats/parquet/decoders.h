// Value decoders for Parquet data pages beyond PLAIN and the RLE hybrid
// (encoding.h): DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY,
// DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT, plus the conversions of legacy
// physical representations (INT96 timestamps, FLOAT16, UUID bytes).
//
// Every decoder reads from a buffer it does not own, which must outlive it.
// Each length, count and bit width is checked against the bytes that exist
// before use, decoding is lazy (values are produced as they are asked for),
// and nothing is allocated in proportion to a count read from the data, so
// damaged input yields kCorruption rather than an out-of-bounds read or a
// huge allocation.
//
// Thread-safety: a decoder is used by one thread at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace lakepipe::parquet {

// DELTA_BINARY_PACKED: a header (block size, miniblocks per block, total
// value count, zigzag first value) then blocks of (zigzag min delta, one
// bit-width byte per miniblock, bit-packed miniblocks). Arithmetic wraps in
// 64 bits, so streams written with 32-bit or 64-bit deltas both decode.
class DeltaBinaryPackedDecoder {
 public:
  // Parses the header of the stream in data[0, size).
  Status Init(const uint8_t* data, size_t size);

  // Values the header announces, and those not yet decoded.
  uint64_t total_values() const { return total_; }
  uint64_t remaining() const { return total_ - emitted_; }

  // Decodes the next `n` values. kCorruption when fewer than `n` remain or
  // the data is damaged. The 32-bit form keeps the low 32 bits.
  Status Decode(int64_t* out, size_t n);
  Status Decode(int32_t* out, size_t n);

  // Bytes taken by the header and every block holding total_values()
  // values, found from the block headers without unpacking (the cost is
  // bounded by the data size). Needed where more data follows the stream.
  // Does not move the decoding position.
  Result<size_t> EncodedSize() const;

 private:
  Status NextMiniblock();

  const uint8_t* begin_ = nullptr;
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  const uint8_t* body_ = nullptr;  // first block
  uint64_t block_size_ = 0;
  uint64_t miniblocks_ = 0;
  uint64_t per_miniblock_ = 0;
  uint64_t total_ = 0;
  uint64_t emitted_ = 0;
  uint64_t first_ = 0;
  uint64_t last_ = 0;
  uint64_t deltas_left_ = 0;  // deltas not yet assigned to a miniblock
  // Current block and miniblock.
  bool in_block_ = false;
  uint64_t min_delta_ = 0;
  const uint8_t* widths_ = nullptr;
  uint64_t mini_index_ = 0;
  const uint8_t* mini_data_ = nullptr;
  const uint8_t* mini_end_ = nullptr;
  int mini_width_ = 0;
  uint64_t mini_pos_ = 0;
  uint64_t mini_left_ = 0;
};

// DELTA_LENGTH_BYTE_ARRAY: DELTA_BINARY_PACKED lengths, then the bytes of
// every value back to back. Values are views into the input buffer.
class DeltaLengthByteArrayDecoder {
 public:
  Status Init(const uint8_t* data, size_t size);
  uint64_t remaining() const { return lengths_.remaining(); }
  Status Decode(std::string_view* out, size_t n);

 private:
  DeltaBinaryPackedDecoder lengths_;
  const uint8_t* data_ = nullptr;
  const uint8_t* data_end_ = nullptr;
  std::vector<int64_t> scratch_;
};

// DELTA_BYTE_ARRAY: DELTA_BINARY_PACKED prefix lengths, then the suffixes as
// DELTA_LENGTH_BYTE_ARRAY; each value is the previous value's prefix plus
// its suffix. Values are rebuilt into `*arena` (cleared by each call) and
// stay valid until the next call.
class DeltaByteArrayDecoder {
 public:
  Status Init(const uint8_t* data, size_t size);
  uint64_t remaining() const { return prefixes_.remaining(); }
  Status Decode(std::string_view* out, size_t n, std::string* arena);

 private:
  DeltaBinaryPackedDecoder prefixes_;
  DeltaLengthByteArrayDecoder suffixes_;
  std::string last_;
  std::vector<int64_t> prefix_scratch_;
  std::vector<std::string_view> suffix_scratch_;
  std::vector<size_t> ends_;
};

// BYTE_STREAM_SPLIT: K byte streams of N bytes, the k-th holding byte k of
// every value (K = value width). N is the data size divided by K.
class ByteStreamSplitDecoder {
 public:
  Status Init(const uint8_t* data, size_t size, size_t width);
  uint64_t remaining() const { return count_ - pos_; }
  // Decodes `n` values of `width` bytes each into out[0, n * width).
  Status Decode(uint8_t* out, size_t n);

 private:
  const uint8_t* data_ = nullptr;
  size_t width_ = 0;
  size_t count_ = 0;
  size_t pos_ = 0;
};

// Reads a ULEB128 varint of at most 10 bytes at *p (advancing it); false
// when the data ends first or the varint is too long.
bool ReadUleb128(const uint8_t** p, const uint8_t* end, uint64_t* v);

// Unpacks the deprecated BIT_PACKED level encoding (most significant bit
// first) at bit width 1: `n` levels from data, which must hold ceil(n/8)
// bytes, starting at level `first`.
void UnpackMsbFirstBits(const uint8_t* data, uint64_t first, size_t n, uint8_t* out);

// Julian day of 1970-01-01, the epoch of INT96 timestamps.
inline constexpr int64_t kJulianEpochDay = 2440588;

// An INT96 timestamp (8-byte little-endian nanoseconds of the day, then a
// 4-byte little-endian unsigned Julian day) as microseconds since the Unix
// epoch, exactly as DuckDB reads it: (day - 2440588) * 86400000000 +
// nanoseconds / 1000 (truncated towards zero), wrapping modulo 2^64. Every
// bit pattern gives a value; none makes a file unreadable.
int64_t Int96ToMicros(const uint8_t* p);

// An IEEE 754 half-precision value as a float (exact).
float HalfToFloat(uint16_t half);

// Appends 16 bytes as canonical lowercase UUID text (8-4-4-4-12).
void AppendUuidText(const uint8_t* p, std::string* out);

}  // namespace lakepipe::parquet

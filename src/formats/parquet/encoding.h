// Parquet's RLE / bit-packing hybrid encoding (definition levels, dictionary
// indices, booleans in v2 pages) and bit packing helpers.
//
// Encoded form: a sequence of runs, each led by a ULEB128 header.
//   header & 1 == 0: RLE run of (header >> 1) copies of one value stored in
//                    ceil(bit_width / 8) little-endian bytes;
//   header & 1 == 1: (header >> 1) groups of 8 values bit-packed LSB first.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "core/result.h"

namespace lakepipe::parquet {

// Bits needed for values 0..max_value (0 for max_value 0).
int BitWidth(uint64_t max_value);

// Appends the hybrid encoding of `values[0..n)` to `*out` (no length prefix).
void RleEncode(const uint32_t* values, size_t n, int bit_width, std::string* out);
// Same for 0/1 bytes (definition levels of a flat optional column, booleans).
void RleEncodeBytes(const uint8_t* values, size_t n, int bit_width, std::string* out);

// Appends `n` values packed at `bit_width` bits each, LSB first, padded to a
// whole byte.
void BitPack(const uint32_t* values, size_t n, int bit_width, std::string* out);

class RleDecoder {
 public:
  // `bit_width` in 0..32.
  RleDecoder(const uint8_t* data, size_t size, int bit_width)
      : p_(data), end_(data + size), bit_width_(bit_width) {}

  // Decodes exactly `n` values into `out`; kCorruption when the data ends
  // first or is malformed.
  Status Decode(uint32_t* out, size_t n);
  // Same, for narrow values (levels, booleans).
  Status DecodeBytes(uint8_t* out, size_t n);

  // Bytes consumed so far (whole runs).
  size_t consumed(const uint8_t* start) const { return static_cast<size_t>(p_ - start); }

 private:
  Status NextRun();
  template <typename T>
  Status DecodeT(T* out, size_t n);

  const uint8_t* p_;
  const uint8_t* end_;
  int bit_width_;
  // Current run.
  bool rle_ = false;
  uint32_t rle_value_ = 0;
  uint64_t remaining_ = 0;           // values left in the run
  const uint8_t* packed_ = nullptr;  // bit-packed run data
  uint64_t packed_index_ = 0;        // next value within the bit-packed run
};

// Unpacks `n` values of `bit_width` bits starting at value `first` of the
// packed buffer `data` (which must hold them).
void BitUnpack(const uint8_t* data, uint64_t first, size_t n, int bit_width, uint32_t* out);

}  // namespace lakepipe::parquet

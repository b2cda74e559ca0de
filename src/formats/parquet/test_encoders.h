// Test-only encoders written from the Parquet encoding specification, to
// make inputs for the decoders and the reader. Not used by lakepipe itself.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace lakepipe::parquet::test {

inline void PutUleb(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

inline void PutZigZag(int64_t v, std::string* out) {
  PutUleb((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63), out);
}

inline std::string Le32(uint32_t v) {
  std::string s(4, '\0');
  std::memcpy(s.data(), &v, 4);
  return s;
}

// Packs `values` at `width` bits each, least significant bit first.
inline void PackBits(const std::vector<uint64_t>& values, int width, std::string* out) {
  std::vector<uint8_t> bytes((values.size() * width + 7) / 8, 0);
  size_t bit = 0;
  for (uint64_t v : values) {
    for (int b = 0; b < width; ++b, ++bit) {
      if ((v >> b) & 1) bytes[bit / 8] |= static_cast<uint8_t>(1u << (bit % 8));
    }
  }
  out->append(bytes.begin(), bytes.end());
}

inline int BitsFor(uint64_t v) {
  int w = 0;
  while (v != 0) ++w, v >>= 1;
  return w;
}

// DELTA_BINARY_PACKED with `block` values per block in `minis` miniblocks.
inline std::string EncodeDelta(const std::vector<int64_t>& v, uint64_t block = 128,
                               uint64_t minis = 4) {
  std::string out;
  PutUleb(block, &out);
  PutUleb(minis, &out);
  PutUleb(v.size(), &out);
  PutZigZag(v.empty() ? 0 : v[0], &out);
  const uint64_t per = block / minis;
  size_t i = 1;
  while (i < v.size()) {
    const size_t take = std::min<size_t>(block, v.size() - i);
    std::vector<int64_t> deltas(take);
    for (size_t j = 0; j < take; ++j) {
      deltas[j] = static_cast<int64_t>(static_cast<uint64_t>(v[i + j]) -
                                       static_cast<uint64_t>(v[i + j - 1]));
    }
    const int64_t min = *std::min_element(deltas.begin(), deltas.end());
    PutZigZag(min, &out);
    std::vector<std::vector<uint64_t>> mini(minis);
    std::vector<int> widths(minis, 0);
    for (size_t j = 0; j < take; ++j) {
      const uint64_t rel = static_cast<uint64_t>(deltas[j]) - static_cast<uint64_t>(min);
      mini[j / per].push_back(rel);
      widths[j / per] = std::max(widths[j / per], BitsFor(rel));
    }
    for (uint64_t m = 0; m < minis; ++m) out.push_back(static_cast<char>(widths[m]));
    for (uint64_t m = 0; m < minis; ++m) {
      if (mini[m].empty()) break;
      mini[m].resize(per, 0);
      PackBits(mini[m], widths[m], &out);
    }
    i += take;
  }
  return out;
}

// DELTA_LENGTH_BYTE_ARRAY.
inline std::string EncodeDeltaLength(const std::vector<std::string>& values) {
  std::vector<int64_t> lengths;
  std::string data;
  for (const std::string& s : values) {
    lengths.push_back(static_cast<int64_t>(s.size()));
    data += s;
  }
  return EncodeDelta(lengths) + data;
}

// DELTA_BYTE_ARRAY.
inline std::string EncodeDeltaBytes(const std::vector<std::string>& values) {
  std::vector<int64_t> prefixes;
  std::vector<std::string> suffixes;
  std::string prev;
  for (const std::string& s : values) {
    size_t p = 0;
    while (p < s.size() && p < prev.size() && s[p] == prev[p]) ++p;
    prefixes.push_back(static_cast<int64_t>(p));
    suffixes.push_back(s.substr(p));
    prev = s;
  }
  return EncodeDelta(prefixes) + EncodeDeltaLength(suffixes);
}

// BYTE_STREAM_SPLIT of values of `width` bytes stored back to back.
inline std::string EncodeByteStreamSplit(const std::string& plain, size_t width) {
  const size_t n = plain.size() / width;
  std::string out(plain.size(), '\0');
  for (size_t i = 0; i < n; ++i) {
    for (size_t k = 0; k < width; ++k) out[k * n + i] = plain[i * width + k];
  }
  return out;
}

// PLAIN encodings.
template <typename T>
std::string Plain(const std::vector<T>& values) {
  std::string out(values.size() * sizeof(T), '\0');
  if (!values.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

inline std::string PlainStrings(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& s : values) out += Le32(static_cast<uint32_t>(s.size())) + s;
  return out;
}

inline std::string PlainBools(const std::vector<bool>& values) {
  std::vector<uint64_t> bits(values.begin(), values.end());
  std::string out;
  PackBits(bits, 1, &out);
  return out;
}

}  // namespace lakepipe::parquet::test

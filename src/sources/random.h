// Portable pseudo-random numbers for the generators.
//
// The output of std::uniform_*_distribution differs between standard
// libraries, so the generators use these instead: the same seed gives the
// same numbers on every machine. Only integer arithmetic is used (no libm),
// for the same reason.
//
// Thread-safety: values; one object per thread.
#pragma once

#include <cstdint>
#include <string>

namespace lakepipe::sources {

// The SplitMix64 finaliser: a bijective 64-bit mix.
inline uint64_t Mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// A seed for the stream number `index` of `seed`: users use their record
// number, activity the numbers from 2^64 - 1 down.
inline uint64_t StreamSeed(uint64_t seed, uint64_t index) {
  return Mix64(seed ^ Mix64(index + 0x9E3779B97F4A7C15ull));
}

// Maps 64 random bits uniformly onto [0, n) by multiply-high (n < 2^32).
inline uint32_t Reduce32(uint64_t bits, uint32_t n) {
  return static_cast<uint32_t>(((bits >> 32) * n) >> 32);
}

__extension__ using Uint128 = unsigned __int128;

// Maps 64 random bits uniformly onto [0, n) by multiply-high.
inline uint64_t Reduce64(uint64_t bits, uint64_t n) {
  return static_cast<uint64_t>((static_cast<Uint128>(bits) * n) >> 64);
}

// SplitMix64 (Steele, Lea, Flood 2014): tiny state, cheap to seed; used to
// seed the other generators.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ += 0x9E3779B97F4A7C15ull;
    return Mix64(state_);
  }
  // Uniform in [0, n). REQUIRES: 0 < n < 2^32.
  uint32_t Below(uint32_t n) { return Reduce32(Next(), n); }
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Below64(uint64_t n) { return Reduce64(Next(), n); }
  // True with probability per_mille / 1000.
  bool PerMille(uint32_t per_mille) { return Below(1000) < per_mille; }

 private:
  uint64_t state_;
};

// wyrand (Wang Yi, public domain): one 64x64→128-bit multiply per number,
// passes PractRand and BigCrush; used for one short stream per record.
class WyRand {
 public:
  explicit WyRand(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    state_ += 0xA0761D6478BD642Full;
    const Uint128 product = static_cast<Uint128>(state_) * (state_ ^ 0xE7037ED1A0B428DBull);
    return static_cast<uint64_t>(product >> 64) ^ static_cast<uint64_t>(product);
  }
  uint32_t Below(uint32_t n) { return Reduce32(Next(), n); }
  uint64_t Below64(uint64_t n) { return Reduce64(Next(), n); }
  bool PerMille(uint32_t per_mille) { return Below(1000) < per_mille; }

 private:
  uint64_t state_;
};

// Small uniform choices (digits, letters) cut from one 64-bit draw: each
// choice multiplies a 64-bit fraction by n and takes the integer part; ten
// choices of up to 64 values share one draw. For filling codes and phone
// numbers, where a draw per character would dominate the cost.
template <typename Rng>
class SmallChoices {
 public:
  explicit SmallChoices(Rng& rng) : rng_(rng) {}
  // Uniform in [0, n) for 1 <= n <= 64 (n == 1 gives 0).
  uint32_t Below(uint32_t n) {
    if (left_ == 0) {
      frac_ = rng_.Next();
      left_ = 10;
    }
    --left_;
    const Uint128 product = static_cast<Uint128>(frac_) * n;
    frac_ = static_cast<uint64_t>(product);
    return static_cast<uint32_t>(product >> 64);
  }

 private:
  Rng& rng_;
  uint64_t frac_ = 0;
  int left_ = 0;
};

// xoshiro256** (Blackman, Vigna 2018) for long streams; seeded by SplitMix64.
class Xoshiro256 {
 public:
  explicit Xoshiro256(uint64_t seed) {
    SplitMix64 init(seed);
    for (uint64_t& s : s_) s = init.Next();
  }
  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  uint32_t Below(uint32_t n) { return Reduce32(Next(), n); }
  uint64_t Below64(uint64_t n) { return Reduce64(Next(), n); }
  bool PerMille(uint32_t per_mille) { return Below(1000) < per_mille; }

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// Writes the canonical text of a version-4 UUID made from 128 random bits
// into out[0..36).
inline void FormatUuid4(uint64_t hi, uint64_t lo, char* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  hi = (hi & ~0xF000ull) | 0x4000ull;                         // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  // Hex digit i (0..31) of the 128 bits, and where it goes in the text.
  static constexpr uint8_t kPos[32] = {0,  1,  2,  3,  4,  5,  6,  7,  9,  10, 11,
                                       12, 14, 15, 16, 17, 19, 20, 21, 22, 24, 25,
                                       26, 27, 28, 29, 30, 31, 32, 33, 34, 35};
  for (int i = 0; i < 16; ++i) {
    out[kPos[i]] = kHex[(hi >> (60 - 4 * i)) & 0xF];
    out[kPos[16 + i]] = kHex[(lo >> (60 - 4 * i)) & 0xF];
  }
  out[8] = out[13] = out[18] = out[23] = '-';
}

// Appends the decimal digits of `v`.
inline void AppendDecimal(uint64_t v, std::string* out) {
  char buf[20];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (n > 0) out->push_back(buf[--n]);
}

}  // namespace lakepipe::sources

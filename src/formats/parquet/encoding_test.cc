#include "formats/parquet/encoding.h"

#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe::parquet {
namespace {

std::vector<uint32_t> RoundTrip(const std::vector<uint32_t>& values, int width) {
  std::string encoded;
  RleEncode(values.data(), values.size(), width, &encoded);
  RleDecoder dec(reinterpret_cast<const uint8_t*>(encoded.data()), encoded.size(), width);
  std::vector<uint32_t> out(values.size());
  Status st = dec.Decode(out.data(), out.size());
  EXPECT_TRUE(st.ok()) << st.ToString();
  return out;
}

TEST(RleTest, BitWidth) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(255), 8);
  EXPECT_EQ(BitWidth(256), 9);
  EXPECT_EQ(BitWidth(0xffffffffu), 32);
}

TEST(RleTest, KnownEncodingFromTheSpecification) {
  // Eight values 0..7 at width 3: one bit-packed group, header (1<<1)|1.
  std::vector<uint32_t> v = {0, 1, 2, 3, 4, 5, 6, 7};
  std::string enc;
  RleEncode(v.data(), v.size(), 3, &enc);
  EXPECT_EQ(enc, std::string("\x03\x88\xc6\xfa", 4));
  // A run of 100 sevens at width 3: header 200, value byte 7.
  std::vector<uint32_t> r(100, 7);
  enc.clear();
  RleEncode(r.data(), r.size(), 3, &enc);
  EXPECT_EQ(enc, std::string("\xc8\x01\x07", 3));
}

TEST(RleTest, RandomMixesOfRunsAndLiterals) {
  std::mt19937 rng(42);
  for (int width : {1, 2, 5, 8, 13, 20, 31, 32}) {
    for (int trial = 0; trial < 20; ++trial) {
      std::vector<uint32_t> v;
      const uint64_t max = width == 32 ? 0xffffffffull : (1ull << width) - 1;
      const size_t n = rng() % 3000;
      while (v.size() < n) {
        const uint32_t x = static_cast<uint32_t>(rng() % (max + 1));
        const size_t run = rng() % 4 == 0 ? rng() % 40 : 1;
        for (size_t i = 0; i < run && v.size() < n; ++i) v.push_back(x);
      }
      ASSERT_EQ(RoundTrip(v, width), v) << "width " << width;
    }
  }
}

TEST(RleTest, BytesVariantMatches) {
  std::vector<uint8_t> levels = {1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1};
  std::string a, b;
  RleEncodeBytes(levels.data(), levels.size(), 1, &a);
  std::vector<uint32_t> wide(levels.begin(), levels.end());
  RleEncode(wide.data(), wide.size(), 1, &b);
  EXPECT_EQ(a, b);
  RleDecoder dec(reinterpret_cast<const uint8_t*>(a.data()), a.size(), 1);
  std::vector<uint8_t> out(levels.size());
  ASSERT_OK(dec.DecodeBytes(out.data(), out.size()));
  EXPECT_EQ(out, levels);
}

TEST(RleTest, TruncatedDataIsCorruption) {
  std::vector<uint32_t> v(1000);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint32_t>(i * 7919 % 1000);
  std::string enc;
  RleEncode(v.data(), v.size(), 10, &enc);
  RleDecoder dec(reinterpret_cast<const uint8_t*>(enc.data()), enc.size() / 2, 10);
  std::vector<uint32_t> out(v.size());
  EXPECT_EQ(dec.Decode(out.data(), out.size()).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace lakepipe::parquet

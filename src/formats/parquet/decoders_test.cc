#include "formats/parquet/decoders.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "formats/parquet/test_encoders.h"

namespace lakepipe::parquet {
namespace {

using test::EncodeDelta;
using test::PutUleb;
using test::PutZigZag;

const uint8_t* U8(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

TEST(DeltaBinaryPackedTest, SpecificationExampleOne) {
  // 1, 2, 3, 4, 5: block size 8, 1 miniblock, 5 values, first value 1;
  // block: min delta 1, bit width 0, no packed data.
  const std::string enc("\x08\x01\x05\x02\x02\x00", 6);
  DeltaBinaryPackedDecoder d;
  ASSERT_OK(d.Init(U8(enc), enc.size()));
  EXPECT_EQ(d.total_values(), 5u);
  ASSERT_OK_AND_ASSIGN(size_t size, d.EncodedSize());
  EXPECT_EQ(size, enc.size());
  std::vector<int64_t> out(5);
  ASSERT_OK(d.Decode(out.data(), 5));
  EXPECT_EQ(out, (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(d.remaining(), 0u);
  EXPECT_EQ(d.Decode(out.data(), 1).code(), StatusCode::kCorruption);
}

TEST(DeltaBinaryPackedTest, SpecificationExampleTwo) {
  // 7, 5, 3, 1, 2, 3, 4, 5: deltas -2 -2 -2 1 1 1 1, min -2, relative
  // 0 0 0 3 3 3 3 (+ one padding 0) at 2 bits, LSB first: 0xc0 0x3f.
  const std::string enc("\x08\x01\x08\x0e\x03\x02\xc0\x3f", 8);
  DeltaBinaryPackedDecoder d;
  ASSERT_OK(d.Init(U8(enc), enc.size()));
  std::vector<int32_t> out(8);
  ASSERT_OK(d.Decode(out.data(), 3));
  ASSERT_OK(d.Decode(out.data() + 3, 5));
  EXPECT_EQ(out, (std::vector<int32_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  ASSERT_OK_AND_ASSIGN(size_t size, d.EncodedSize());
  EXPECT_EQ(size, enc.size());
}

TEST(DeltaBinaryPackedTest, RandomSequencesWithWrapAroundAndManyBlocks) {
  std::mt19937_64 rng(7);
  const int64_t lo = std::numeric_limits<int64_t>::min();
  const int64_t hi = std::numeric_limits<int64_t>::max();
  for (int trial = 0; trial < 40; ++trial) {
    std::vector<int64_t> v(rng() % 1000 + 1);
    for (size_t i = 0; i < v.size(); ++i) {
      switch (trial % 4) {
        case 0:
          v[i] = static_cast<int64_t>(rng());  // full 64-bit range: wrapping deltas
          break;
        case 1:
          v[i] = static_cast<int64_t>(i * 3) - 100;  // constant delta: width 0
          break;
        case 2:
          v[i] = (i % 2) ? lo : hi;
          break;
        default:
          v[i] = static_cast<int64_t>(rng() % 1000) - 500;
      }
    }
    const uint64_t blocks[][2] = {{128, 4}, {256, 8}, {128, 1}, {1024, 32}};
    const auto& shape = blocks[trial % 4];
    const std::string enc = EncodeDelta(v, shape[0], shape[1]);
    DeltaBinaryPackedDecoder d;
    ASSERT_OK(d.Init(U8(enc), enc.size()));
    ASSERT_OK_AND_ASSIGN(size_t size, d.EncodedSize());
    EXPECT_EQ(size, enc.size()) << "trial " << trial;
    std::vector<int64_t> out(v.size());
    size_t pos = 0;
    while (pos < v.size()) {  // uneven steps cross miniblocks and blocks
      const size_t step = std::min<size_t>(v.size() - pos, rng() % 70 + 1);
      ASSERT_OK(d.Decode(out.data() + pos, step));
      pos += step;
    }
    ASSERT_EQ(out, v) << "trial " << trial;
  }
}

TEST(DeltaBinaryPackedTest, ThirtyTwoBitValuesWrapLikeTheWriter) {
  // INT32 writers may compute deltas in 32 bits; decoding in 64 bits and
  // keeping the low half restores the values either way.
  const std::vector<int32_t> v = {std::numeric_limits<int32_t>::max(),
                                  std::numeric_limits<int32_t>::min(), 0, -1, 5};
  std::vector<int64_t> wide(v.begin(), v.end());
  const std::string enc = EncodeDelta(wide);
  DeltaBinaryPackedDecoder d;
  ASSERT_OK(d.Init(U8(enc), enc.size()));
  std::vector<int32_t> out(v.size());
  ASSERT_OK(d.Decode(out.data(), out.size()));
  EXPECT_EQ(out, v);
}

TEST(DeltaBinaryPackedTest, DamagedInputIsCorruption) {
  std::vector<int64_t> v(300);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int64_t>(i * i);
  const std::string enc = EncodeDelta(v);
  for (size_t cut = 0; cut < enc.size(); ++cut) {
    const std::string part = enc.substr(0, cut);
    DeltaBinaryPackedDecoder d;
    Status st = d.Init(U8(part), part.size());
    if (st.ok()) {
      EXPECT_FALSE(d.EncodedSize().ok()) << "cut " << cut;
      std::vector<int64_t> out(v.size());
      st = d.Decode(out.data(), out.size());
      if (st.ok()) {
        // Only the padding of the last miniblock may be missing.
        EXPECT_EQ(out, v);
        EXPECT_GT(cut + 32, enc.size()) << "cut " << cut;
        continue;
      }
    }
    EXPECT_EQ(st.code(), StatusCode::kCorruption) << "cut " << cut;
  }
  // Invalid headers: block size 0, miniblocks not dividing it, width > 64.
  for (const std::string& bad :
       {std::string("\x00\x01\x01\x00", 4), std::string("\x08\x03\x01\x00", 4),
        std::string("\x80\x01\x05\x01\x00", 5)}) {
    DeltaBinaryPackedDecoder d;
    EXPECT_EQ(d.Init(U8(bad), bad.size()).code(), StatusCode::kCorruption);
  }
  const std::string wide("\x08\x01\x03\x00\x00\x41", 6);
  DeltaBinaryPackedDecoder d;
  ASSERT_OK(d.Init(U8(wide), wide.size()));
  int64_t out[3];
  EXPECT_EQ(d.Decode(out, 3).code(), StatusCode::kCorruption);
}

TEST(DeltaBinaryPackedTest, HugeCountsCostNoMemory) {
  // A header announcing 2^62 values in a few bytes: the decoder neither
  // allocates for them nor loops over them.
  std::string enc;
  PutUleb(128, &enc);
  PutUleb(4, &enc);
  PutUleb(uint64_t{1} << 62, &enc);
  PutZigZag(0, &enc);
  enc += std::string("\x00\x00\x00\x00\x00", 5);
  DeltaBinaryPackedDecoder d;
  ASSERT_OK(d.Init(U8(enc), enc.size()));
  EXPECT_EQ(d.EncodedSize().status().code(), StatusCode::kCorruption);
  std::vector<int64_t> out(200);
  EXPECT_EQ(d.Decode(out.data(), out.size()).code(), StatusCode::kCorruption);
}

TEST(DeltaLengthByteArrayTest, SpecificationExample) {
  // "Hello", "World", "Foobar", "ABCDEF": lengths 5 5 6 6 as
  // DELTA_BINARY_PACKED (block 128, 4 miniblocks, first 5, deltas 0 1 0:
  // min 0, miniblock 0 at width 1 = 0b010 padded to 32 values = 4 bytes),
  // then the bytes back to back.
  std::string enc("\x80\x01\x04\x04\x0a", 5);
  enc += std::string("\x00\x01\x00\x00\x00", 5);
  enc += std::string("\x02\x00\x00\x00", 4);
  enc += "HelloWorldFoobarABCDEF";
  DeltaLengthByteArrayDecoder d;
  ASSERT_OK(d.Init(U8(enc), enc.size()));
  std::vector<std::string_view> out(4);
  ASSERT_OK(d.Decode(out.data(), 1));
  ASSERT_OK(d.Decode(out.data() + 1, 3));
  EXPECT_EQ(out, (std::vector<std::string_view>{"Hello", "World", "Foobar", "ABCDEF"}));
}

TEST(DeltaLengthByteArrayTest, LengthsBeyondTheDataAreCorruption) {
  std::string enc = EncodeDelta({3, 100});
  enc += "abcdef";
  DeltaLengthByteArrayDecoder d;
  ASSERT_OK(d.Init(U8(enc), enc.size()));
  std::vector<std::string_view> out(2);
  EXPECT_EQ(d.Decode(out.data(), 2).code(), StatusCode::kCorruption);
  std::string neg = EncodeDelta({-1});
  ASSERT_OK(d.Init(U8(neg), neg.size()));
  EXPECT_EQ(d.Decode(out.data(), 1).code(), StatusCode::kCorruption);
}

TEST(DeltaByteArrayTest, SpecificationExample) {
  // "axis", "axle", "babble", "babyhood": prefix lengths 0 2 0 3, suffix
  // lengths 4 2 6 5, suffix bytes "axislebabbleyhood".
  std::string enc = EncodeDelta({0, 2, 0, 3});
  enc += EncodeDelta({4, 2, 6, 5});
  enc += "axislebabbleyhood";
  DeltaByteArrayDecoder d;
  ASSERT_OK(d.Init(U8(enc), enc.size()));
  std::string arena;
  std::vector<std::string_view> out(4);
  ASSERT_OK(d.Decode(out.data(), 2, &arena));
  EXPECT_EQ(out[0], "axis");
  EXPECT_EQ(out[1], "axle");
  // The previous value carries over between calls.
  ASSERT_OK(d.Decode(out.data() + 2, 2, &arena));
  EXPECT_EQ(out[2], "babble");
  EXPECT_EQ(out[3], "babyhood");
}

TEST(DeltaByteArrayTest, PrefixLongerThanThePreviousValueIsCorruption) {
  std::string enc = EncodeDelta({0, 5});
  enc += EncodeDelta({2, 1});
  enc += "abc";
  DeltaByteArrayDecoder d;
  ASSERT_OK(d.Init(U8(enc), enc.size()));
  std::string arena;
  std::vector<std::string_view> out(2);
  EXPECT_EQ(d.Decode(out.data(), 2, &arena).code(), StatusCode::kCorruption);
}

TEST(ByteStreamSplitTest, SpecificationExample) {
  const std::string enc("\xAA\x00\xA3\xBB\x11\xB4\xCC\x22\xC5\xDD\x33\xD6", 12);
  ByteStreamSplitDecoder d;
  ASSERT_OK(d.Init(U8(enc), enc.size(), 4));
  EXPECT_EQ(d.remaining(), 3u);
  uint8_t out[12];
  ASSERT_OK(d.Decode(out, 1));
  ASSERT_OK(d.Decode(out + 4, 2));
  EXPECT_EQ(std::string(reinterpret_cast<char*>(out), 12),
            std::string("\xAA\xBB\xCC\xDD\x00\x11\x22\x33\xA3\xB4\xC5\xD6", 12));
  EXPECT_EQ(d.Decode(out, 1).code(), StatusCode::kCorruption);
  EXPECT_EQ(d.Init(U8(enc), 11, 4).code(), StatusCode::kCorruption);
  EXPECT_EQ(d.Init(U8(enc), 12, 0).code(), StatusCode::kCorruption);
}

TEST(ByteStreamSplitTest, DoublesRoundTrip) {
  const std::vector<double> v = {1.5, -0.0, std::numeric_limits<double>::infinity(), 1e300, -7};
  std::string enc(v.size() * 8, '\0');
  for (size_t i = 0; i < v.size(); ++i) {
    uint8_t b[8];
    std::memcpy(b, &v[i], 8);
    for (size_t k = 0; k < 8; ++k) enc[k * v.size() + i] = static_cast<char>(b[k]);
  }
  ByteStreamSplitDecoder d;
  ASSERT_OK(d.Init(U8(enc), enc.size(), 8));
  std::vector<double> out(v.size());
  ASSERT_OK(d.Decode(reinterpret_cast<uint8_t*>(out.data()), out.size()));
  for (size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(std::memcmp(&out[i], &v[i], 8), 0) << i;
  }
}

TEST(Int96Test, JulianDayAndNanosOfDay) {
  const auto make = [](int64_t nanos, uint32_t day) {
    std::string s(12, '\0');
    std::memcpy(s.data(), &nanos, 8);
    std::memcpy(s.data() + 8, &day, 4);
    return s;
  };
  EXPECT_EQ(Int96ToMicros(U8(make(0, 2440588))), 0);
  EXPECT_EQ(Int96ToMicros(U8(make(1500, 2440589))), int64_t{86400000000} + 1);
  // The last nanosecond before the epoch: the last microsecond.
  EXPECT_EQ(Int96ToMicros(U8(make(int64_t{86399999999999}, 2440587))), -1);
  // 2000-01-01 is Julian day 2451545.
  EXPECT_EQ(Int96ToMicros(U8(make(0, 2451545))), int64_t{946684800} * 1000000);
}

// Values no writer means still read, as DuckDB reads them (see decoders.cc).
TEST(Int96Test, OutOfRangeValuesWrapAsDuckDBReadsThem) {
  const auto make = [](int64_t nanos, uint32_t day) {
    std::string s(12, '\0');
    std::memcpy(s.data(), &nanos, 8);
    std::memcpy(s.data() + 8, &day, 4);
    return s;
  };
  EXPECT_EQ(Int96ToMicros(U8(make(0, 0xffffffffu))), int64_t{1939426010608967680});
  EXPECT_EQ(Int96ToMicros(U8(make(0, 2440588 + 106751992))), int64_t{-9223371964909551616});
  EXPECT_EQ(Int96ToMicros(U8(make(std::numeric_limits<int64_t>::max(), 2440588))),
            int64_t{9223372036854775});
  // Nanoseconds are truncated towards zero.
  EXPECT_EQ(Int96ToMicros(U8(make(-1999, 2440588))), -1);
  EXPECT_EQ(Int96ToMicros(U8(make(-1, 2440588))), 0);
}

TEST(ConversionTest, HalfFloats) {
  EXPECT_EQ(HalfToFloat(0x3c00), 1.0f);
  EXPECT_EQ(HalfToFloat(0xc000), -2.0f);
  EXPECT_EQ(HalfToFloat(0x7bff), 65504.0f);
  EXPECT_EQ(HalfToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(HalfToFloat(0x3555), 0.333251953125f);
  EXPECT_TRUE(std::isinf(HalfToFloat(0x7c00)));
  EXPECT_TRUE(std::isnan(HalfToFloat(0x7e00)));
  EXPECT_TRUE(std::signbit(HalfToFloat(0x8000)));
}

TEST(ConversionTest, UuidText) {
  const std::string bytes("\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb\xcc\xdd\xee\xff", 16);
  std::string text;
  AppendUuidText(U8(bytes), &text);
  EXPECT_EQ(text, "00112233-4455-6677-8899-aabbccddeeff");
}

TEST(ConversionTest, MsbFirstBitPackedLevels) {
  // The deprecated BIT_PACKED order: the first value in the high bit.
  const uint8_t data[] = {0xb0, 0x80};
  uint8_t out[9];
  UnpackMsbFirstBits(data, 0, 9, out);
  EXPECT_EQ(std::vector<uint8_t>(out, out + 9), (std::vector<uint8_t>{1, 0, 1, 1, 0, 0, 0, 0, 1}));
  UnpackMsbFirstBits(data, 2, 2, out);
  EXPECT_EQ(out[0], 1);
  EXPECT_EQ(out[1], 1);
}

TEST(ConversionTest, Uleb128Limits) {
  const std::string max("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", 10);
  const uint8_t* p = U8(max);
  uint64_t v = 0;
  ASSERT_TRUE(ReadUleb128(&p, p + max.size(), &v));
  EXPECT_EQ(v, std::numeric_limits<uint64_t>::max());
  const std::string over("\xff\xff\xff\xff\xff\xff\xff\xff\xff\x02", 10);
  p = U8(over);
  EXPECT_FALSE(ReadUleb128(&p, p + over.size(), &v));
  const std::string open("\x80\x80", 2);
  p = U8(open);
  EXPECT_FALSE(ReadUleb128(&p, p + open.size(), &v));
}

}  // namespace
}  // namespace lakepipe::parquet

#include "compress/codec.h"

#include <random>

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe {
namespace {

std::string SampleData(size_t n) {
  std::mt19937 rng(7);
  std::string s;
  const char* words[] = {"lakepipe ", "parquet ", "kafka ", "avro ", "\x01\x02 "};
  while (s.size() < n) s += words[rng() % 5];
  s.resize(n);
  return s;
}

class CodecRoundTrip : public ::testing::TestWithParam<Codec> {};

TEST_P(CodecRoundTrip, CompressesAndRestores) {
  CodecContext ctx;
  for (size_t n : {size_t{0}, size_t{1}, size_t{1000}, size_t{3} << 20}) {
    const std::string data = SampleData(n);
    std::string packed = "prefix";
    ASSERT_OK(ctx.Compress(GetParam(), data, &packed));
    std::string_view body = std::string_view(packed).substr(6);
    std::string exact, bounded;
    ASSERT_OK(ctx.Decompress(GetParam(), body, data.size(), 0, &exact));
    EXPECT_EQ(exact, data);
    ASSERT_OK(
        ctx.Decompress(GetParam(), body, CodecContext::kUnknownSize, data.size() + 10, &bounded));
    EXPECT_EQ(bounded, data);
  }
}

TEST_P(CodecRoundTrip, RejectsDamagedOrOversizedData) {
  CodecContext ctx;
  const std::string data = SampleData(100000);
  std::string packed;
  ASSERT_OK(ctx.Compress(GetParam(), data, &packed));
  std::string out;
  // Wrong expected size.
  EXPECT_FALSE(ctx.Decompress(GetParam(), packed, data.size() - 1, 0, &out).ok());
  out.clear();
  // Bound smaller than the data: no allocation beyond it, an error instead.
  EXPECT_EQ(ctx.Decompress(GetParam(), packed, CodecContext::kUnknownSize, 1000, &out).code(),
            StatusCode::kCorruption);
  if (GetParam() == Codec::kNone) return;
  out.clear();
  EXPECT_FALSE(ctx.Decompress(GetParam(), std::string_view(packed).substr(0, packed.size() / 2),
                              data.size(), 0, &out)
                   .ok());
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, CodecRoundTrip,
                         ::testing::Values(Codec::kNone, Codec::kSnappy, Codec::kGzip,
                                           Codec::kDeflate, Codec::kZstd),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST(CodecTest, GzipIsRfc1952) {
  CodecContext ctx;
  std::string packed;
  ASSERT_OK(ctx.Compress(Codec::kGzip, "hello", &packed));
  ASSERT_GE(packed.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8b);
}

}  // namespace
}  // namespace lakepipe

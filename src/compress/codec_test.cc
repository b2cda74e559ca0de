#include "compress/codec.h"

#include <lz4.h>

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
                                           Codec::kDeflate, Codec::kZstd, Codec::kBrotli,
                                           Codec::kLz4Raw, Codec::kLz4Hadoop, Codec::kBzip2,
                                           Codec::kXz),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST(CodecTest, GzipIsRfc1952) {
  CodecContext ctx;
  std::string packed;
  ASSERT_OK(ctx.Compress(Codec::kGzip, "hello", &packed));
  ASSERT_GE(packed.size(), 2u);
  EXPECT_EQ(static_cast<unsigned char>(packed[0]), 0x1f);
  EXPECT_EQ(static_cast<unsigned char>(packed[1]), 0x8b);
}

TEST_P(CodecRoundTrip, HighlyCompressibleDataStaysWithinTheBound) {
  // Long runs make the largest expansion ratios: a bound far below the data
  // must fail without the output growing past it.
  CodecContext ctx;
  const std::string data(8 << 20, 'a');
  std::string packed;
  ASSERT_OK(ctx.Compress(GetParam(), data, &packed));
  std::string out;
  out.reserve(1);
  const Status st = ctx.Decompress(GetParam(), packed, CodecContext::kUnknownSize, 4096, &out);
  EXPECT_EQ(st.code(), StatusCode::kCorruption) << st.ToString();
  EXPECT_TRUE(out.empty());
  EXPECT_LE(out.capacity(), size_t{64} << 10);
}

TEST_P(CodecRoundTrip, GarbageIsCorruption) {
  if (GetParam() == Codec::kNone) return;
  CodecContext ctx;
  const std::string garbage = "\xff\xfe this is not compressed data at all \x00\x01\x02\x03";
  std::string out;
  EXPECT_EQ(ctx.Decompress(GetParam(), garbage, 1000, 0, &out).code(), StatusCode::kCorruption);
  out.clear();
  EXPECT_EQ(ctx.Decompress(GetParam(), garbage, CodecContext::kUnknownSize, 1000, &out).code(),
            StatusCode::kCorruption);
}

// A Hadoop LZ4 frame made by hand: big-endian u32 decompressed size,
// big-endian u32 compressed size, raw LZ4 block.
void AppendHadoopFrame(std::string_view piece, std::string* out) {
  std::string block(static_cast<size_t>(LZ4_compressBound(static_cast<int>(piece.size()))), '\0');
  const int n = LZ4_compress_default(piece.data(), block.data(), static_cast<int>(piece.size()),
                                     static_cast<int>(block.size()));
  ASSERT_GT(n, 0);
  block.resize(static_cast<size_t>(n));
  for (uint32_t v : {static_cast<uint32_t>(piece.size()), static_cast<uint32_t>(n)}) {
    for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
  }
  out->append(block);
}

TEST(CodecTest, Lz4ReadsHadoopFramesAndRawBlocks) {
  const std::string data = SampleData(300000);
  std::string framed;
  AppendHadoopFrame(std::string_view(data).substr(0, 100000), &framed);
  AppendHadoopFrame(std::string_view(data).substr(100000, 150000), &framed);
  AppendHadoopFrame(std::string_view(data).substr(250000), &framed);
  std::string raw(static_cast<size_t>(LZ4_compressBound(static_cast<int>(data.size()))), '\0');
  raw.resize(static_cast<size_t>(LZ4_compress_default(
      data.data(), raw.data(), static_cast<int>(data.size()), static_cast<int>(raw.size()))));
  CodecContext ctx;
  for (const std::string* input : {&framed, &raw}) {
    std::string exact, bounded;
    ASSERT_OK(ctx.Decompress(Codec::kLz4Hadoop, *input, data.size(), 0, &exact));
    EXPECT_EQ(exact, data);
    ASSERT_OK(ctx.Decompress(Codec::kLz4Hadoop, *input, CodecContext::kUnknownSize, data.size(),
                             &bounded));
    EXPECT_EQ(bounded, data);
  }
  // A frame whose block is cut short is neither framed nor a raw block.
  std::string out;
  EXPECT_EQ(ctx.Decompress(Codec::kLz4Hadoop, std::string_view(framed).substr(0, framed.size() - 9),
                           data.size(), 0, &out)
                .code(),
            StatusCode::kCorruption);
  // LZ4_RAW never reads the framing.
  out.clear();
  EXPECT_FALSE(ctx.Decompress(Codec::kLz4Raw, framed, data.size(), 0, &out).ok());
}

TEST(CodecTest, Lz4WritesHadoopFramesOfAtMost256KiB) {
  const std::string data = SampleData(600000);
  CodecContext ctx;
  std::string packed;
  ASSERT_OK(ctx.Compress(Codec::kLz4Hadoop, data, &packed));
  size_t pos = 0, total = 0, frames = 0;
  auto be32 = [&](size_t at) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(packed[at + i]);
    return v;
  };
  while (pos < packed.size()) {
    ASSERT_LE(pos + 8, packed.size());
    const uint32_t raw = be32(pos), comp = be32(pos + 4);
    EXPECT_LE(raw, 256u << 10);
    std::string block(raw, '\0');
    ASSERT_EQ(LZ4_decompress_safe(packed.data() + pos + 8, block.data(), static_cast<int>(comp),
                                  static_cast<int>(raw)),
              static_cast<int>(raw));
    EXPECT_EQ(block, data.substr(total, raw));
    pos += 8 + comp;
    total += raw;
    ++frames;
  }
  EXPECT_EQ(total, data.size());
  EXPECT_EQ(frames, 3u);
}

TEST(CodecTest, StreamFormatsHaveTheirSignatures) {
  CodecContext ctx;
  std::string bz, xz;
  ASSERT_OK(ctx.Compress(Codec::kBzip2, "hello", &bz));
  ASSERT_OK(ctx.Compress(Codec::kXz, "hello", &xz));
  EXPECT_EQ(bz.substr(0, 3), "BZh");
  EXPECT_EQ(xz.substr(0, 6), std::string("\xfd"
                                         "7zXZ\0",
                                         6));
}

}  // namespace
}  // namespace lakepipe

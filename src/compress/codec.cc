#include "compress/codec.h"

#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>

#include "compress/lz4_codec.h"
#include "compress/stream_codecs.h"

namespace lakepipe {

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kNone:
      return "none";
    case Codec::kSnappy:
      return "snappy";
    case Codec::kGzip:
      return "gzip";
    case Codec::kDeflate:
      return "deflate";
    case Codec::kZstd:
      return "zstd";
    case Codec::kBrotli:
      return "brotli";
    case Codec::kLz4Raw:
      return "lz4_raw";
    case Codec::kLz4Hadoop:
      return "lz4_hadoop";
    case Codec::kBzip2:
      return "bzip2";
    case Codec::kXz:
      return "xz";
  }
  return "?";
}

namespace {

struct ZstdCCtxDeleter {
  void operator()(ZSTD_CCtx* c) const { ZSTD_freeCCtx(c); }
};
struct ZstdDCtxDeleter {
  void operator()(ZSTD_DCtx* c) const { ZSTD_freeDCtx(c); }
};

// Streams `input` through zlib (inflate or deflate) into `out`.
class ZStream {
 public:
  ZStream() = default;
  ~ZStream() { Reset(); }
  ZStream(const ZStream&) = delete;
  ZStream& operator=(const ZStream&) = delete;

  Status InitDeflate(int level, int window_bits) {
    Reset();
    if (deflateInit2(&z_, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return InternalError("zlib deflateInit2 failed");
    }
    mode_ = Mode::kDeflate;
    return Status::OK();
  }
  Status InitInflate(int window_bits) {
    Reset();
    if (inflateInit2(&z_, window_bits) != Z_OK) return InternalError("zlib inflateInit2 failed");
    mode_ = Mode::kInflate;
    return Status::OK();
  }
  z_stream* get() { return &z_; }

 private:
  enum class Mode { kNone, kDeflate, kInflate };
  void Reset() {
    if (mode_ == Mode::kDeflate) deflateEnd(&z_);
    if (mode_ == Mode::kInflate) inflateEnd(&z_);
    mode_ = Mode::kNone;
    z_ = z_stream{};
  }
  z_stream z_{};
  Mode mode_ = Mode::kNone;
};

Status ZlibCompress(std::string_view input, int level, int window_bits, std::string* out) {
  ZStream stream;
  LP_RETURN_IF_ERROR(stream.InitDeflate(level, window_bits));
  z_stream* z = stream.get();
  const size_t start = out->size();
  out->resize(start + deflateBound(z, input.size()) + 32);
  z->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  z->avail_in = static_cast<uInt>(input.size());
  z->next_out = reinterpret_cast<Bytef*>(out->data() + start);
  z->avail_out = static_cast<uInt>(out->size() - start);
  if (deflate(z, Z_FINISH) != Z_STREAM_END) return InternalError("zlib deflate did not finish");
  out->resize(start + z->total_out);
  return Status::OK();
}

Status ZlibDecompress(std::string_view input, int window_bits, size_t exact, size_t max_size,
                      std::string* out) {
  ZStream stream;
  LP_RETURN_IF_ERROR(stream.InitInflate(window_bits));
  z_stream* z = stream.get();
  const size_t start = out->size();
  const size_t limit = exact != CodecContext::kUnknownSize ? exact : max_size;
  // One byte beyond the limit lets an overlong stream show itself.
  size_t chunk = exact != CodecContext::kUnknownSize
                     ? exact + 1
                     : std::min<size_t>(max_size + 1, input.size() * 4 + 1024);
  z->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  z->avail_in = static_cast<uInt>(input.size());
  size_t produced = 0;
  while (true) {
    out->resize(start + produced + std::max<size_t>(chunk, 1));
    z->next_out = reinterpret_cast<Bytef*>(out->data() + start + produced);
    z->avail_out = static_cast<uInt>(out->size() - start - produced);
    const uInt before = z->avail_out;
    int rc = inflate(z, Z_NO_FLUSH);
    produced += before - z->avail_out;
    if (rc == Z_STREAM_END) break;
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      out->resize(start);
      return CorruptionError("deflate data is damaged ({})", z->msg ? z->msg : "zlib error");
    }
    if (z->avail_out != 0 && z->avail_in == 0) {
      out->resize(start);
      return CorruptionError("deflate data is truncated");
    }
    if (produced > limit) {
      out->resize(start);
      return CorruptionError("decompressed data exceeds the expected {} bytes", limit);
    }
    chunk = std::min(limit - produced + 1, chunk * 2);
  }
  out->resize(start + produced);
  if (produced > limit || (exact != CodecContext::kUnknownSize && produced != exact)) {
    out->resize(start);
    return CorruptionError("decompressed {} bytes, expected {}", produced, exact);
  }
  return Status::OK();
}

}  // namespace

struct CodecContext::State {
  std::unique_ptr<ZSTD_CCtx, ZstdCCtxDeleter> zc;
  std::unique_ptr<ZSTD_DCtx, ZstdDCtxDeleter> zd;
  std::unique_ptr<compress_internal::XzCoder> xz;
  compress_internal::XzCoder* Xz() {
    if (!xz) xz = std::make_unique<compress_internal::XzCoder>();
    return xz.get();
  }
};

CodecContext::CodecContext(int level) : level_(level), state_(std::make_unique<State>()) {}
CodecContext::~CodecContext() = default;

Status CodecContext::Compress(Codec codec, std::string_view input, std::string* out, int level) {
  if (level <= 0) level = level_;
  switch (codec) {
    case Codec::kNone:
      out->append(input.data(), input.size());
      return Status::OK();
    case Codec::kSnappy: {
      const size_t start = out->size();
      out->resize(start + snappy::MaxCompressedLength(input.size()));
      size_t n = 0;
      snappy::RawCompress(input.data(), input.size(), out->data() + start, &n);
      out->resize(start + n);
      return Status::OK();
    }
    case Codec::kGzip:
      return ZlibCompress(input, level > 0 ? std::min(level, 9) : 6, 15 + 16, out);
    case Codec::kDeflate:
      return ZlibCompress(input, level > 0 ? std::min(level, 9) : 6, -15, out);
    case Codec::kZstd: {
      if (!state_->zc) {
        state_->zc.reset(ZSTD_createCCtx());
        if (!state_->zc) return InternalError("cannot allocate a zstd context");
      }
      const size_t start = out->size();
      out->resize(start + ZSTD_compressBound(input.size()));
      size_t n = ZSTD_compressCCtx(state_->zc.get(), out->data() + start, out->size() - start,
                                   input.data(), input.size(), level > 0 ? level : 3);
      if (ZSTD_isError(n)) {
        out->resize(start);
        return InternalError("zstd compression failed: {}", ZSTD_getErrorName(n));
      }
      out->resize(start + n);
      return Status::OK();
    }
    case Codec::kBrotli:
      return compress_internal::BrotliCompress(input, level > 0 ? level : 8, out);
    case Codec::kLz4Raw:
      return compress_internal::Lz4RawCompress(input, out);
    case Codec::kLz4Hadoop:
      return compress_internal::Lz4HadoopCompress(input, out);
    case Codec::kBzip2:
      return compress_internal::Bzip2Compress(input, level > 0 ? level : 9, out);
    case Codec::kXz:
      return state_->Xz()->Compress(input, level > 0 ? level : 6, out);
  }
  return InternalError("unknown codec");
}

Status CodecContext::Decompress(Codec codec, std::string_view input, size_t exact_size,
                                size_t max_size, std::string* out) {
  const bool exact = exact_size != kUnknownSize;
  const size_t limit = exact ? exact_size : max_size;
  switch (codec) {
    case Codec::kNone:
      if (input.size() > limit || (exact && input.size() != exact_size)) {
        return CorruptionError("uncompressed data has {} bytes, expected {}", input.size(),
                               exact ? exact_size : max_size);
      }
      out->append(input.data(), input.size());
      return Status::OK();
    case Codec::kSnappy: {
      size_t n = 0;
      if (!snappy::GetUncompressedLength(input.data(), input.size(), &n)) {
        return CorruptionError("snappy data is damaged (bad length header)");
      }
      if (n > limit || (exact && n != exact_size)) {
        return CorruptionError("snappy block holds {} bytes, expected {}{}", n,
                               exact ? "" : "at most ", limit);
      }
      const size_t start = out->size();
      out->resize(start + n);
      if (!snappy::RawUncompress(input.data(), input.size(), out->data() + start)) {
        out->resize(start);
        return CorruptionError("snappy data is damaged");
      }
      return Status::OK();
    }
    case Codec::kGzip:
      return ZlibDecompress(input, 15 + 32, exact_size, max_size, out);
    case Codec::kDeflate:
      return ZlibDecompress(input, -15, exact_size, max_size, out);
    case Codec::kZstd: {
      if (!state_->zd) {
        state_->zd.reset(ZSTD_createDCtx());
        if (!state_->zd) return InternalError("cannot allocate a zstd context");
      }
      const size_t start = out->size();
      if (exact) {
        out->resize(start + exact_size);
        size_t n = ZSTD_decompressDCtx(state_->zd.get(), out->data() + start, exact_size,
                                       input.data(), input.size());
        if (ZSTD_isError(n) || n != exact_size) {
          out->resize(start);
          return CorruptionError("zstd data is damaged ({})",
                                 ZSTD_isError(n) ? ZSTD_getErrorName(n) : "wrong size");
        }
        return Status::OK();
      }
      // Unknown size: stream, growing the output no further than `max_size`.
      ZSTD_DCtx_reset(state_->zd.get(), ZSTD_reset_session_only);
      ZSTD_inBuffer in{input.data(), input.size(), 0};
      size_t produced = 0;
      size_t chunk = std::min<size_t>(max_size, std::max<size_t>(input.size() * 4, 4096));
      while (true) {
        out->resize(start + produced + chunk);
        ZSTD_outBuffer ob{out->data() + start, produced + chunk, produced};
        size_t rc = ZSTD_decompressStream(state_->zd.get(), &ob, &in);
        produced = ob.pos;
        if (ZSTD_isError(rc)) {
          out->resize(start);
          return CorruptionError("zstd data is damaged ({})", ZSTD_getErrorName(rc));
        }
        if (rc == 0) break;
        if (in.pos == in.size && ob.pos < ob.size) {
          out->resize(start);
          return CorruptionError("zstd data is truncated");
        }
        if (produced >= max_size) {
          out->resize(start);
          return CorruptionError("decompressed data exceeds {} bytes", max_size);
        }
        chunk = std::min(max_size - produced + 1, chunk * 2);
      }
      out->resize(start + produced);
      return Status::OK();
    }
    case Codec::kBrotli:
      return compress_internal::BrotliDecompress(input, exact_size, max_size, out);
    case Codec::kLz4Raw:
      return compress_internal::Lz4RawDecompress(input, exact_size, max_size, out);
    case Codec::kLz4Hadoop:
      return compress_internal::Lz4HadoopDecompress(input, exact_size, max_size, out);
    case Codec::kBzip2:
      return compress_internal::Bzip2Decompress(input, exact_size, max_size, out);
    case Codec::kXz:
      return state_->Xz()->Decompress(input, exact_size, max_size, out);
  }
  return InternalError("unknown codec");
}

}  // namespace lakepipe

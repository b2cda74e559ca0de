#include "compress/stream_codecs.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <bzlib.h>
#include <lzma.h>

#include <algorithm>
#include <climits>

#include <fmt/format.h>

#include "compress/bounded.h"

namespace lakepipe::compress_internal {
namespace {

using State = DecodeStep::State;

DecodeStep Progress(size_t read, size_t written) {
  DecodeStep step;
  step.read = read;
  step.written = written;
  return step;
}

uint8_t* Bytes(char* p) { return reinterpret_cast<uint8_t*>(p); }
const uint8_t* Bytes(const char* p) { return reinterpret_cast<const uint8_t*>(p); }

struct BrotliDecoderDeleter {
  void operator()(BrotliDecoderState* s) const { BrotliDecoderDestroyInstance(s); }
};

// A bz_stream set up for decompression, ended on destruction.
class Bzip2Decoder {
 public:
  Bzip2Decoder() { ok_ = BZ2_bzDecompressInit(&s_, 0, 0) == BZ_OK; }
  ~Bzip2Decoder() {
    if (ok_) BZ2_bzDecompressEnd(&s_);
  }
  Bzip2Decoder(const Bzip2Decoder&) = delete;
  Bzip2Decoder& operator=(const Bzip2Decoder&) = delete;
  bool ok() const { return ok_; }
  bz_stream* get() { return &s_; }

 private:
  bz_stream s_{};
  bool ok_ = false;
};

// A lzma_stream ended on destruction.
struct LzmaStream {
  LzmaStream() = default;
  ~LzmaStream() { lzma_end(&s); }
  LzmaStream(const LzmaStream&) = delete;
  LzmaStream& operator=(const LzmaStream&) = delete;
  lzma_stream s = LZMA_STREAM_INIT;
};

}  // namespace

Status BrotliCompress(std::string_view input, int quality, std::string* out) {
  quality = std::clamp(quality, 1, BROTLI_MAX_QUALITY);
  size_t bound = BrotliEncoderMaxCompressedSize(input.size());
  if (bound == 0) bound = input.size() + (input.size() >> 2) + 1024;
  const size_t start = out->size();
  out->resize(start + bound);
  size_t n = bound;
  if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, input.size(),
                             Bytes(input.data()), &n, Bytes(out->data() + start))) {
    out->resize(start);
    return InternalError("brotli compression failed");
  }
  out->resize(start + n);
  return Status::OK();
}

Status BrotliDecompress(std::string_view input, size_t exact, size_t max_size, std::string* out) {
  std::unique_ptr<BrotliDecoderState, BrotliDecoderDeleter> s(
      BrotliDecoderCreateInstance(nullptr, nullptr, nullptr));
  if (!s) return InternalError("cannot allocate a brotli decoder");
  return DecodeBounded(
      "brotli", input, exact, max_size, out, [&](std::string_view in, char* dst, size_t room) {
        size_t avail_in = in.size();
        const uint8_t* next_in = Bytes(in.data());
        size_t avail_out = room;
        uint8_t* next_out = Bytes(dst);
        const BrotliDecoderResult r = BrotliDecoderDecompressStream(s.get(), &avail_in, &next_in,
                                                                    &avail_out, &next_out, nullptr);
        DecodeStep step = Progress(in.size() - avail_in, room - avail_out);
        if (r == BROTLI_DECODER_RESULT_SUCCESS) step.state = State::kEnd;
        if (r == BROTLI_DECODER_RESULT_ERROR) {
          step.state = State::kDamaged;
          step.error = BrotliDecoderErrorString(BrotliDecoderGetErrorCode(s.get()));
        }
        return step;
      });
}

Status Bzip2Compress(std::string_view input, int block_size, std::string* out) {
  if (input.size() > UINT_MAX / 2) {
    return InvalidArgumentError("bzip2 compresses at most {} bytes at once, got {}", UINT_MAX / 2,
                                input.size());
  }
  // bzip2's documented bound: 1% larger plus 600 bytes.
  const size_t bound = input.size() + input.size() / 100 + 601;
  const size_t start = out->size();
  out->resize(start + bound);
  auto n = static_cast<unsigned int>(bound);
  const int rc = BZ2_bzBuffToBuffCompress(out->data() + start, &n, const_cast<char*>(input.data()),
                                          static_cast<unsigned int>(input.size()),
                                          std::clamp(block_size, 1, 9), 0, 0);
  if (rc != BZ_OK) {
    out->resize(start);
    return InternalError("bzip2 compression failed (code {})", rc);
  }
  out->resize(start + n);
  return Status::OK();
}

Status Bzip2Decompress(std::string_view input, size_t exact, size_t max_size, std::string* out) {
  Bzip2Decoder decoder;
  if (!decoder.ok()) return InternalError("cannot allocate a bzip2 decoder");
  bz_stream* z = decoder.get();
  return DecodeBounded(
      "bzip2", input, exact, max_size, out, [&](std::string_view in, char* dst, size_t room) {
        z->next_in = const_cast<char*>(in.data());
        z->avail_in = static_cast<unsigned int>(std::min<size_t>(in.size(), UINT_MAX));
        z->next_out = dst;
        z->avail_out = static_cast<unsigned int>(std::min<size_t>(room, UINT_MAX));
        const unsigned int in_before = z->avail_in;
        const unsigned int out_before = z->avail_out;
        const int rc = BZ2_bzDecompress(z);
        DecodeStep step = Progress(in_before - z->avail_in, out_before - z->avail_out);
        if (rc == BZ_STREAM_END) step.state = State::kEnd;
        if (rc != BZ_OK && rc != BZ_STREAM_END) {
          step.state = State::kDamaged;
          step.error = rc == BZ_DATA_ERROR_MAGIC ? "no bzip2 signature"
                       : rc == BZ_MEM_ERROR      ? "out of memory"
                                                 : "bad block data";
        }
        return step;
      });
}

struct XzCoder::Streams {
  LzmaStream encoder;
  LzmaStream decoder;
};

XzCoder::XzCoder() : streams_(std::make_unique<Streams>()) {}
XzCoder::~XzCoder() = default;

Status XzCoder::Compress(std::string_view input, int preset, std::string* out) {
  lzma_options_lzma options;
  if (lzma_lzma_preset(&options, static_cast<uint32_t>(std::clamp(preset, 1, 9)))) {
    return InternalError("liblzma has no preset {}", preset);
  }
  // A dictionary larger than the input finds nothing more.
  uint32_t dict = LZMA_DICT_SIZE_MIN;
  while (dict < input.size() && dict < options.dict_size) dict *= 2;
  options.dict_size = std::min(options.dict_size, dict);
  lzma_filter filters[] = {{LZMA_FILTER_LZMA2, &options}, {LZMA_VLI_UNKNOWN, nullptr}};
  lzma_stream* s = &streams_->encoder.s;
  if (lzma_stream_encoder(s, filters, LZMA_CHECK_CRC64) != LZMA_OK) {
    return InternalError("cannot set up the xz encoder");
  }
  const size_t start = out->size();
  const size_t bound = lzma_stream_buffer_bound(input.size());
  out->resize(start + bound);
  s->next_in = Bytes(input.data());
  s->avail_in = input.size();
  s->next_out = Bytes(out->data() + start);
  s->avail_out = bound;
  const lzma_ret rc = lzma_code(s, LZMA_FINISH);
  if (rc != LZMA_STREAM_END) {
    out->resize(start);
    return InternalError("xz compression failed (code {})", static_cast<int>(rc));
  }
  out->resize(start + (bound - s->avail_out));
  return Status::OK();
}

Status XzCoder::Decompress(std::string_view input, size_t exact, size_t max_size,
                           std::string* out) {
  lzma_stream* s = &streams_->decoder.s;
  if (lzma_stream_decoder(s, kDecoderMemoryLimit, 0) != LZMA_OK) {
    return InternalError("cannot set up the xz decoder");
  }
  return DecodeBounded(
      "xz", input, exact, max_size, out, [&](std::string_view in, char* dst, size_t room) {
        s->next_in = Bytes(in.data());
        s->avail_in = in.size();
        s->next_out = Bytes(dst);
        s->avail_out = room;
        const lzma_ret rc = lzma_code(s, LZMA_FINISH);
        DecodeStep step = Progress(in.size() - s->avail_in, room - s->avail_out);
        switch (rc) {
          case LZMA_OK:
          case LZMA_BUF_ERROR:
            break;
          case LZMA_STREAM_END:
            step.state = State::kEnd;
            break;
          case LZMA_MEMLIMIT_ERROR:
            step.state = State::kUnsupported;
            step.error = fmt::format("the stream needs more than {} MiB to decode",
                                     kDecoderMemoryLimit >> 20);
            break;
          case LZMA_OPTIONS_ERROR:
            step.state = State::kUnsupported;
            step.error = "the stream uses xz options liblzma does not support";
            break;
          case LZMA_FORMAT_ERROR:
            step.state = State::kDamaged;
            step.error = "no xz signature";
            break;
          default:
            step.state = State::kDamaged;
            step.error = rc == LZMA_MEM_ERROR ? "out of memory" : "bad stream data";
            break;
        }
        return step;
      });
}

}  // namespace lakepipe::compress_internal

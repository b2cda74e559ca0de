// Bounded output for streaming decoders (internal to the compress module).
//
// DecodeBounded drives one decoder call at a time, growing the output in
// steps that never take it past the caller's limit (plus one byte, which lets
// an overlong stream show itself), so a damaged or hostile stream cannot cause
// a large allocation.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "compress/codec.h"
#include "core/result.h"

namespace lakepipe::compress_internal {

// What one decoder call did.
struct DecodeStep {
  enum class State {
    kMore,         // not finished: call again (with more output room if it filled it)
    kEnd,          // the stream ended
    kDamaged,      // the input is not a valid stream
    kUnsupported,  // valid, but needs something lakepipe does not provide
  };
  size_t read = 0;
  size_t written = 0;
  State state = State::kMore;
  std::string error;
};

// Decodes `input` with `step(in, out, room) -> DecodeStep` (`in` is the input
// not yet consumed, `out` has room for `room` bytes), appending to `*out`.
// With `exact` not kUnknownSize the output must have exactly that many bytes,
// otherwise at most `max_size`. `what` names the codec in messages.
template <typename Step>
Status DecodeBounded(std::string_view what, std::string_view input, size_t exact, size_t max_size,
                     std::string* out, Step&& step) {
  const bool is_exact = exact != CodecContext::kUnknownSize;
  const size_t limit = std::min<size_t>(is_exact ? exact : max_size, SIZE_MAX - 1);
  const size_t start = out->size();
  size_t room = is_exact ? limit + 1 : std::min<size_t>(limit + 1, input.size() * 4 + 1024);
  size_t consumed = 0;
  size_t produced = 0;
  auto fail = [&](Status st) {
    out->resize(start);
    return st;
  };
  while (true) {
    out->resize(start + produced + room);
    DecodeStep r = step(input.substr(consumed), out->data() + start + produced, room);
    consumed += r.read;
    produced += r.written;
    if (r.state == DecodeStep::State::kDamaged) {
      return fail(CorruptionError("{} data is damaged ({})", what, r.error));
    }
    if (r.state == DecodeStep::State::kUnsupported) {
      return fail(UnimplementedError("{} data: {}", what, r.error));
    }
    if (produced > limit) {
      return fail(
          CorruptionError("decompressed {} data exceeds the expected {} bytes", what, limit));
    }
    if (r.state == DecodeStep::State::kEnd) break;
    if (r.written < room && consumed == input.size()) {
      return fail(CorruptionError("{} data is truncated", what));
    }
    if (r.read == 0 && r.written == 0) {
      return fail(CorruptionError("{} data is damaged (the decoder makes no progress)", what));
    }
    if (r.written == room) room *= 2;
    room = std::min(limit - produced + 1, room);
  }
  out->resize(start + produced);
  if (is_exact && produced != exact) {
    return fail(CorruptionError("{} data holds {} bytes, expected {}", what, produced, exact));
  }
  return Status::OK();
}

}  // namespace lakepipe::compress_internal

#include "core/json_text.h"

#include <array>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "core/utf8.h"

namespace lakepipe {

namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";

constexpr uint64_t kHigh = 0x8080808080808080ULL;

inline uint64_t Load8(const char* p) {
  uint64_t w = 0;
  std::memcpy(&w, p, 8);
  return w;
}

constexpr std::array<bool, 256> MakeJsonSpecialTable() {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) table[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\';
  return table;
}

constexpr std::array<bool, 256> kJsonSpecial = MakeJsonSpecialTable();

// Index of the first byte at or after `i` that JSON text cannot hold as is:
// a control character, '"', '\\', or a non-ASCII byte (to be validated).
// s.size() when none.
size_t FindJsonSpecial(std::string_view s, size_t i) {
  const char* d = s.data();
  const size_t n = s.size();
#if defined(__SSE2__)
  if (n - i >= 16) {
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i backslash = _mm_set1_epi8('\\');
    auto mask16 = [&](size_t at) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(d + at));
      // A signed compare with 0x20 catches both 0x00..0x1F and 0x80..0xFF.
      const __m128i hit =
          _mm_or_si128(_mm_cmplt_epi8(v, space),
                       _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
      return static_cast<unsigned>(_mm_movemask_epi8(hit));
    };
    for (; i + 16 <= n; i += 16) {
      const unsigned mask = mask16(i);
      if (mask != 0) return i + static_cast<size_t>(__builtin_ctz(mask));
    }
    if (i == n) return n;
    // The last block overlaps bytes already scanned; drop their bits.
    const unsigned mask = mask16(n - 16) >> (i - (n - 16));
    return mask != 0 ? i + static_cast<size_t>(__builtin_ctz(mask)) : n;
  }
#endif
  for (; i < n; ++i) {
    if (kJsonSpecial[static_cast<unsigned char>(d[i])]) return i;
  }
  return n;
}

// Index of the first byte at or after `i` that is not ASCII.
size_t FindNonAscii(std::string_view s, size_t i) {
  const char* d = s.data();
  const size_t n = s.size();
  for (; i + 8 <= n; i += 8) {
    const uint64_t bits = Load8(d + i) & kHigh;
    if (bits != 0) return i + static_cast<size_t>(__builtin_ctzll(bits) / 8);
  }
  if (i == n) return n;
  if (n >= 8) {
    const uint64_t bits = (Load8(d + n - 8) & kHigh) >> (8 * (i - (n - 8)));
    return bits != 0 ? i + static_cast<size_t>(__builtin_ctzll(bits) / 8) : n;
  }
  for (; i < n; ++i) {
    if (static_cast<unsigned char>(d[i]) >= 0x80) return i;
  }
  return n;
}

}  // namespace

void AppendJsonString(std::string_view s, std::string* out) {
  static constexpr char kHexDigits[] = "0123456789abcdef";
  out->push_back('"');
  const char* d = s.data();
  const size_t n = s.size();
  size_t run = 0;  // start of the bytes not yet copied
  size_t i = FindJsonSpecial(s, 0);
  while (i < n) {
    const auto c = static_cast<unsigned char>(d[i]);
    if (c >= 0x80) {
      const size_t len = Utf8SequenceLength(s, i);
      if (len != 0) {
        i = FindJsonSpecial(s, i + len);
        continue;
      }
      out->append(d + run, i - run);
      out->append(kReplacement, 3);
    } else {
      out->append(d + run, i - run);
      switch (c) {
        case '"':
          out->append("\\\"");
          break;
        case '\\':
          out->append("\\\\");
          break;
        case '\n':
          out->append("\\n");
          break;
        case '\r':
          out->append("\\r");
          break;
        case '\t':
          out->append("\\t");
          break;
        case '\b':
          out->append("\\b");
          break;
        case '\f':
          out->append("\\f");
          break;
        default: {
          const char esc[6] = {'\\', 'u', '0', '0', kHexDigits[c >> 4], kHexDigits[c & 15]};
          out->append(esc, 6);
        }
      }
    }
    run = i + 1;
    i = FindJsonSpecial(s, i + 1);
  }
  out->append(d + run, n - run);
  out->push_back('"');
}

void AppendValidUtf8(std::string_view s, std::string* out) {
  const char* d = s.data();
  const size_t n = s.size();
  size_t run = 0;
  size_t i = FindNonAscii(s, 0);
  while (i < n) {
    const size_t len = Utf8SequenceLength(s, i);
    if (len != 0) {
      i = FindNonAscii(s, i + len);
      continue;
    }
    out->append(d + run, i - run);
    out->append(kReplacement, 3);
    run = i + 1;
    i = FindNonAscii(s, i + 1);
  }
  out->append(d + run, n - run);
}

}  // namespace lakepipe

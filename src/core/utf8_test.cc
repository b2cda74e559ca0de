#include "core/utf8.h"

#include <string>

#include <gtest/gtest.h>

namespace lakepipe {
namespace {

TEST(Utf8Test, AcceptsWellFormedText) {
  for (std::string_view s : {"", "plain ascii, longer than eight bytes", "é", "✓ check", "€100",
                             "\xf0\x9f\x98\x80 emoji", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf",
                             "mixed ascii run then \xc3\xa9 then more ascii text"}) {
    EXPECT_TRUE(IsValidUtf8(s)) << s;
    EXPECT_EQ(FindInvalidUtf8(s), s.size()) << s;
  }
  EXPECT_TRUE(IsValidUtf8(std::string_view("nul\0inside", 10)));
}

TEST(Utf8Test, FindsTheFirstIllFormedSequence) {
  struct Case {
    std::string text;
    size_t offset;
  } cases[] = {
      {"\xff", 0},
      {"abc\x80", 3},                     // a lone continuation byte
      {"abcdefghij\xc3", 10},             // truncated at the end
      {"\xc3(", 0},                       // continuation missing
      {"\xc0\xaf", 0},                    // overlong '/'
      {"\xc1\xbf", 0},                    // overlong
      {"\xe0\x80\xaf", 0},                // overlong three-byte form
      {"\xf0\x80\x80\xaf", 0},            // overlong four-byte form
      {"ok \xed\xa0\x80", 3},             // surrogate U+D800
      {"\xf4\x90\x80\x80", 0},            // above U+10FFFF
      {"\xf5\x80\x80\x80", 0},            // lead byte never used
      {"\xe2\x9c", 0},                    // truncated three-byte form
      {"\xe2\x9c\x93\xe2\x9c", 3},        // valid ✓ then a truncated one
      {"0123456789abcdef\xfe tail", 16},  // after two ASCII words
      {"01234567\xc3\xa9"
       "0123456\xff",
       17},  // after ASCII, é and ASCII
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(IsValidUtf8(c.text)) << testing::PrintToString(c.text);
    EXPECT_EQ(FindInvalidUtf8(c.text), c.offset) << testing::PrintToString(c.text);
  }
}

TEST(Utf8Test, SequenceLengths) {
  EXPECT_EQ(Utf8SequenceLength("\xc3\xa9", 0), 2u);          // é
  EXPECT_EQ(Utf8SequenceLength("a\xe2\x82\xac", 1), 3u);     // €
  EXPECT_EQ(Utf8SequenceLength("\xf0\x9f\x98\x80", 0), 4u);  // U+1F600
  EXPECT_EQ(Utf8SequenceLength("\xf4\x8f\xbf\xbf", 0), 4u);  // U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\xc0\x80", 0), 0u);          // overlong
  EXPECT_EQ(Utf8SequenceLength("\xe0\x9f\xbf", 0), 0u);      // overlong
  EXPECT_EQ(Utf8SequenceLength("\xed\xa0\x80", 0), 0u);      // surrogate
  EXPECT_EQ(Utf8SequenceLength("\xf4\x90\x80\x80", 0), 0u);  // past U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\xf5\x80\x80\x80", 0), 0u);
  EXPECT_EQ(Utf8SequenceLength("\x80", 0), 0u);          // continuation
  EXPECT_EQ(Utf8SequenceLength("\xe2\x82", 0), 0u);      // truncated
  EXPECT_EQ(Utf8SequenceLength("\xe2\x41\xac", 0), 0u);  // not a continuation
}

}  // namespace
}  // namespace lakepipe

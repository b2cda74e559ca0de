#include "formats/text/value_text.h"

#include <cmath>
#include <limits>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/time_util.h"

namespace lakepipe::text {
namespace {

std::string JsonString(std::string_view s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

TEST(ValueTextTest, JsonStringEscapes) {
  EXPECT_EQ(JsonString(""), "\"\"");
  EXPECT_EQ(JsonString("plain text long enough for words"), "\"plain text long enough for words\"");
  EXPECT_EQ(JsonString("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonString("line\nbreak\r\ttab"), "\"line\\nbreak\\r\\ttab\"");
  EXPECT_EQ(JsonString(std::string("\x01\x1f\b\f", 4)), "\"\\u0001\\u001f\\b\\f\"");
  EXPECT_EQ(JsonString(std::string("nul\0x", 5)), "\"nul\\u0000x\"");
  // Valid UTF-8 is kept as is; DEL is not a control character in JSON.
  EXPECT_EQ(JsonString("Søndergade 日本 🎉\x7f"), "\"Søndergade 日本 🎉\x7f\"");
}

TEST(ValueTextTest, JsonStringReplacesInvalidUtf8) {
  EXPECT_EQ(JsonString("a\xff"
                       "b"),
            "\"a\xEF\xBF\xBD"
            "b\"");
  // A truncated sequence at the end, an overlong encoding, a surrogate.
  EXPECT_EQ(JsonString("x\xC3"), "\"x\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonString("\xC0\xAF"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonString("\xED\xA0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonString("\xF4\x90\x80\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  std::string valid;
  AppendValidUtf8("ok \xE2\x82\xAC and \xE2\x82", &valid);
  EXPECT_EQ(valid, "ok \xE2\x82\xAC and \xEF\xBF\xBD\xEF\xBF\xBD");
}

// Straightforward versions of the scanning functions, to compare against.
std::string ReferenceJsonString(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t len = Utf8SequenceLength(s, i);
      out += len == 0 ? std::string("\xEF\xBF\xBD") : std::string(s.substr(i, len));
      i += len == 0 ? 1 : len;
      continue;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\b') {
      out += "\\b";
    } else if (c == '\f') {
      out += "\\f";
    } else if (c < 0x20) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += static_cast<char>(c);
    }
    ++i;
  }
  return out + "\"";
}

std::string ReferenceValidUtf8(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    const size_t len = static_cast<unsigned char>(s[i]) < 0x80 ? 1 : Utf8SequenceLength(s, i);
    out += len == 0 ? std::string("\xEF\xBF\xBD") : std::string(s.substr(i, len));
    i += len == 0 ? 1 : len;
  }
  return out;
}

bool ReferenceNeedsQuotes(std::string_view s, char delimiter) {
  if (s.empty() || s.front() == ' ' || s.back() == ' ' || s.front() == '\t' || s.back() == '\t') {
    return true;
  }
  return s.find_first_of(std::string{delimiter, '"', '\r', '\n'}) != std::string_view::npos;
}

TEST(ValueTextTest, ScannersAgreeWithSimpleVersionsAtEveryLength) {
  const std::vector<std::string> pieces = {"a",
                                           "b",
                                           "Z",
                                           " ",
                                           "\"",
                                           "\\",
                                           ",",
                                           ";",
                                           "\n",
                                           "\r",
                                           "\t",
                                           std::string(1, '\0'),
                                           "\x1f",
                                           "\x7f",
                                           "\xC3\xB8",
                                           "\xE6\x97\xA5",
                                           "\xF0\x9F\x8E\x89",
                                           "\xff",
                                           "\xC3",
                                           "\xED\xA0\x80"};
  std::mt19937 rng(7);
  for (int round = 0; round < 8000; ++round) {
    std::string s;
    const size_t length = rng() % 70;
    // Mostly plain text with a few special pieces, so that every position
    // of a special byte relative to the 16-byte blocks gets exercised.
    while (s.size() < length) s += rng() % 6 == 0 ? pieces[rng() % pieces.size()] : "x";
    std::string json;
    AppendJsonString(s, &json);
    ASSERT_EQ(json, ReferenceJsonString(s)) << round;
    std::string valid;
    AppendValidUtf8(s, &valid);
    ASSERT_EQ(valid, ReferenceValidUtf8(s)) << round;
    for (char delimiter : {',', ';', '\t'}) {
      ASSERT_EQ(NeedsCsvQuotes(s, delimiter), ReferenceNeedsQuotes(s, delimiter)) << round;
    }
  }
}

TEST(ValueTextTest, ValidUtf8KeepsValidTextAndReplacesTheRest) {
  std::mt19937 rng(11);
  const std::vector<std::string> valid_pieces = {"a", "\xC3\xB8", "\xE6\x97\xA5",
                                                 "\xF0\x9F\x8E\x89", "\n"};
  for (int round = 0; round < 5000; ++round) {
    std::string s;
    const size_t length = rng() % 60;
    while (s.size() < length) s += valid_pieces[rng() % valid_pieces.size()];
    std::string out;
    AppendValidUtf8(s, &out);
    ASSERT_EQ(out, s);
    const size_t at = rng() % (s.size() + 1);
    std::string broken = s.substr(0, at) + "\xff" + s.substr(at);
    out.clear();
    AppendValidUtf8(broken, &out);
    ASSERT_NE(out.find("\xEF\xBF\xBD"), std::string::npos);
  }
}

TEST(ValueTextTest, Base64RoundTrip) {
  const std::string cases[] = {"",     "f",     "fo",     "foo",
                               "foob", "fooba", "foobar", std::string("\0\xff\x10\x80", 4)};
  const std::string encoded[] = {"",         "Zg==",     "Zm8=",     "Zm9v",
                                 "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy", "AP8QgA=="};
  for (size_t i = 0; i < std::size(cases); ++i) {
    std::string e;
    AppendBase64(cases[i], &e);
    EXPECT_EQ(e, encoded[i]);
    std::string d;
    ASSERT_TRUE(DecodeBase64(e, &d)) << e;
    EXPECT_EQ(d, cases[i]);
  }
  std::string d;
  EXPECT_TRUE(DecodeBase64("Zg", &d));  // padding may be left out
  EXPECT_EQ(d, "f");
  EXPECT_FALSE(DecodeBase64("Z", &d));
  EXPECT_FALSE(DecodeBase64("Zm9v!", &d));
  EXPECT_FALSE(DecodeBase64("Zg===", &d));
  EXPECT_FALSE(DecodeBase64("Z===", &d));
}

TEST(ValueTextTest, ParsesIntegers) {
  int64_t v = 0;
  EXPECT_TRUE(ParseInt64Text("42", &v));
  EXPECT_EQ(v, 42);
  EXPECT_TRUE(ParseInt64Text("+7", &v));
  EXPECT_EQ(v, 7);
  EXPECT_TRUE(ParseInt64Text("-9223372036854775808", &v));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::min());
  EXPECT_TRUE(ParseInt64Text("9223372036854775807", &v));
  EXPECT_EQ(v, std::numeric_limits<int64_t>::max());
  EXPECT_TRUE(ParseInt64Text("3.0", &v));
  EXPECT_EQ(v, 3);
  EXPECT_TRUE(ParseInt64Text("1e3", &v));
  EXPECT_EQ(v, 1000);
  EXPECT_FALSE(ParseInt64Text("9223372036854775808", &v));
  EXPECT_FALSE(ParseInt64Text("3.5", &v));
  EXPECT_FALSE(ParseInt64Text("abc", &v));
  EXPECT_FALSE(ParseInt64Text("", &v));
  EXPECT_FALSE(ParseInt64Text("12abc", &v));
  EXPECT_FALSE(ParseInt64Text("NaN", &v));
}

// Integers are parsed exactly, never through a double: the 1,024 integers
// below -2^63 all round to -2^63 as doubles, 1234567890123456789.0 to
// 1234567890123456768 and 9007199254740993.0 to 9007199254740992.
TEST(ValueTextTest, ParsesIntegersExactly) {
  int64_t v = 0;
  for (uint64_t k = 1; k <= 1024; ++k) {
    const std::string text = fmt::format("-{}", uint64_t{9223372036854775808u} + k);
    EXPECT_FALSE(ParseInt64Text(text, &v)) << text << " gave " << v;
  }
  EXPECT_FALSE(ParseInt64Text("-9223372036854775809", &v)) << v;
  EXPECT_FALSE(ParseInt64Text("-9223372036854775809.0", &v)) << v;
  EXPECT_FALSE(ParseInt64Text("9223372036854775808.0", &v)) << v;
  EXPECT_FALSE(ParseInt64Text("9.223372036854775808e18", &v)) << v;
  const std::pair<const char*, int64_t> exact[] = {
      {"1234567890123456789.0", 1234567890123456789},
      {"9007199254740993.0", 9007199254740993},
      {"9007199254740993", 9007199254740993},
      {"9223372036854775807.0", std::numeric_limits<int64_t>::max()},
      {"9.223372036854775807e18", std::numeric_limits<int64_t>::max()},
      {"-9223372036854775808.000", std::numeric_limits<int64_t>::min()},
      {"-9.223372036854775808E+18", std::numeric_limits<int64_t>::min()},
      {"1e2", 100},
      {"1.0e3", 1000},
      {"5.0", 5},
      {"5.", 5},
      {"12300e-2", 123},
      {"0.000000000000000000000001e24", 1},
      {"-0.0", 0},
      {"0e400", 0},
      {"007", 7},
  };
  for (const auto& [text, want] : exact) {
    v = -1;
    EXPECT_TRUE(ParseInt64Text(text, &v)) << text;
    EXPECT_EQ(v, want) << text;
  }
  for (const char* text : {"1.5", "123e-2", "1e19", "1e400", "1e-400", "1e99999999999999999999",
                           ".5", "1.2.3", "1e", "-", "--1", "1e+", "0x10", "inf", " 1", "1 "}) {
    EXPECT_FALSE(ParseInt64Text(text, &v)) << text << " gave " << v;
  }
}

TEST(ValueTextTest, LongAndTimestampTextOutOfRangeIsRejected) {
  Field l;
  l.name = "v";
  l.type = Type::kLong;
  Field ts;
  ts.name = "t";
  ts.type = Type::kLong;
  ts.logical = LogicalType::kTimestampMillis;
  Schema schema("r", {l, ts});
  std::vector<FieldPlan> plans = MakeFieldPlans(schema);
  Column column(Storage::kInt64, false);
  std::string reason;
  EXPECT_FALSE(AppendTextValue(plans[0], "-9223372036854775809", &column, &reason));
  EXPECT_EQ(reason, "field 'v': -9223372036854775809 is out of range for long (-2^63 to 2^63-1)");
  EXPECT_FALSE(AppendTextValue(plans[0], "1.5", &column, &reason));
  EXPECT_EQ(reason, "field 'v': expected long, got \"1.5\"");
  EXPECT_FALSE(AppendTextValue(plans[1], "9223372036854775807", &column, &reason));
  EXPECT_EQ(reason,
            "field 't': 9223372036854775807 is outside the timestamps the lake's readers accept "
            "(0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z)");
  EXPECT_EQ(column.size(), 0u);
  EXPECT_TRUE(AppendTextValue(plans[0], "1234567890123456789.0", &column, &reason)) << reason;
  EXPECT_EQ(column.GetInt64(0), 1234567890123456789);
}

TEST(ValueTextTest, ParsesDoublesAndSpecialValues) {
  double d = 0;
  EXPECT_TRUE(ParseDoubleText("1.5e-3", &d));
  EXPECT_EQ(d, 1.5e-3);
  EXPECT_TRUE(ParseDoubleText("NaN", &d));
  EXPECT_TRUE(std::isnan(d));
  EXPECT_TRUE(ParseDoubleText("Infinity", &d));
  EXPECT_EQ(d, std::numeric_limits<double>::infinity());
  EXPECT_TRUE(ParseDoubleText("-Infinity", &d));
  EXPECT_EQ(d, -std::numeric_limits<double>::infinity());
  EXPECT_TRUE(ParseDoubleText("-inf", &d));
  EXPECT_EQ(d, -std::numeric_limits<double>::infinity());
  EXPECT_FALSE(ParseDoubleText("1.5x", &d));
  EXPECT_FALSE(ParseDoubleText("", &d));
}

TEST(ValueTextTest, PrintsShortestRoundTripText) {
  auto text = [](double v) {
    std::string s;
    AppendDouble(v, &s);
    return s;
  };
  EXPECT_EQ(text(0.1), "0.1");
  EXPECT_EQ(text(1e300), "1e+300");
  EXPECT_EQ(text(-0.0), "-0.0");
  EXPECT_EQ(text(std::nan("")), "NaN");
  EXPECT_EQ(text(-std::numeric_limits<double>::infinity()), "-Infinity");
  std::string f;
  AppendFloat(0.1f, &f);
  EXPECT_EQ(f, "0.1");
}

TEST(ValueTextTest, PrintsFloatsAsTheirOwnShortestText) {
  auto text = [](float v) {
    std::string s;
    AppendFloat(v, &s);
    return s;
  };
  EXPECT_EQ(text(1.1f), "1.1");  // not 1.100000023841858, its double
  EXPECT_EQ(text(std::numeric_limits<float>::max()), "3.4028235e+38");
  EXPECT_EQ(text(-0.0f), "-0.0");
  EXPECT_EQ(text(std::nanf("")), "NaN");
  EXPECT_EQ(text(std::numeric_limits<float>::infinity()), "Infinity");
  EXPECT_EQ(text(-std::numeric_limits<float>::infinity()), "-Infinity");
}

TEST(ValueTextTest, RecognisesCanonicalUuids) {
  EXPECT_TRUE(IsCanonicalUuid("3f1c2a9e-6b1d-4a51-9c64-1f0e2d7b8a11"));
  EXPECT_TRUE(IsCanonicalUuid("3F1C2A9E-6B1D-4A51-9C64-1F0E2D7B8A11"));
  EXPECT_FALSE(IsCanonicalUuid("3f1c2a9e6b1d4a519c641f0e2d7b8a11"));
  EXPECT_FALSE(IsCanonicalUuid("3f1c2a9e-6b1d-4a51-9c64-1f0e2d7b8a1g"));
  EXPECT_FALSE(IsCanonicalUuid("{3f1c2a9e-6b1d-4a51-9c64-1f0e2d7b8a1}"));
}

TEST(ValueTextTest, BooleansAcceptOneZeroAnyCase) {
  bool b = false;
  EXPECT_TRUE(ParseBoolText("TRUE", &b));
  EXPECT_TRUE(b);
  EXPECT_TRUE(ParseBoolText("False", &b));
  EXPECT_FALSE(b);
  EXPECT_TRUE(ParseBoolText("1", &b));
  EXPECT_TRUE(b);
  EXPECT_TRUE(ParseBoolText("0", &b));
  EXPECT_FALSE(b);
  EXPECT_FALSE(ParseBoolText("yes", &b));
  EXPECT_FALSE(ParseBoolText("", &b));
}

TEST(ValueTextTest, TextValuesNameFieldAndValueWhenTheyDoNotFit) {
  Field f;
  f.name = "age";
  f.type = Type::kInt;
  Schema schema("r", {f});
  std::vector<FieldPlan> plans = MakeFieldPlans(schema);
  Column column(Storage::kInt32, false);
  std::string reason;
  EXPECT_FALSE(AppendTextValue(plans[0], "abc", &column, &reason));
  EXPECT_EQ(reason, "field 'age': expected int, got \"abc\"");
  EXPECT_FALSE(AppendTextValue(plans[0], "3000000000", &column, &reason));
  EXPECT_EQ(reason, "field 'age': 3000000000 is out of range for int (declare the field long)");
  EXPECT_TRUE(AppendTextValue(plans[0], "-12", &column, &reason));
  EXPECT_EQ(column.GetInt32(0), -12);
}

}  // namespace
}  // namespace lakepipe::text

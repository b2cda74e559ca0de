#include "config/dotenv.h"

#include <gtest/gtest.h>

#include "config/config_test_util.h"
#include "core/testing.h"

namespace lakepipe::config {
namespace {

TEST(DotEnvTest, ParsesAssignmentsQuotesAndComments) {
  const std::string text =
      "# comment\n"
      "\n"
      "PLAIN=value with spaces   \n"
      "export EXPORTED=1\n"
      "exporter=not-a-keyword\n"
      "  SPACED = around  \n"
      "HASH=a#b # comment\n"
      "EMPTY=\n"
      "EMPTY_COMMENT= # nothing\n"
      "SINGLE='lit $HOME \\n # kept'\n"
      "DOUBLE=\"tab\\tnewline\\nquote\\\" dollar\\$ other\\q\"  # comment\n"
      "MULTI=\"line1\n"
      "line2\"\n"
      "CRLF=windows\r\n"
      "PLAIN=later wins\n";
  ASSERT_OK_AND_ASSIGN(std::vector<EnvAssignment> env, ParseDotEnv(text, ".env"));
  std::vector<std::pair<std::string, std::string>> got;
  for (const EnvAssignment& a : env) got.emplace_back(a.name, a.value);
  const std::vector<std::pair<std::string, std::string>> want = {
      {"PLAIN", "value with spaces"},
      {"EXPORTED", "1"},
      {"exporter", "not-a-keyword"},
      {"SPACED", "around"},
      {"HASH", "a#b"},
      {"EMPTY", ""},
      {"EMPTY_COMMENT", ""},
      {"SINGLE", "lit $HOME \\n # kept"},
      {"DOUBLE", "tab\tnewline\nquote\" dollar$ other\\q"},
      {"MULTI", "line1\nline2"},
      {"CRLF", "windows"},
      {"PLAIN", "later wins"},
  };
  EXPECT_EQ(got, want);
  EXPECT_EQ(env[0].line, 3);
  EXPECT_EQ(env[9].line, 12);
  EXPECT_EQ(env[10].line, 14);
}

TEST(DotEnvTest, ErrorsNameTheLineButNotTheValue) {
  struct Case {
    const char* text;
    const char* expected;
  };
  for (const Case& c : {
           Case{"A=1\nno equals sign-secret\n", ".env:2: expected '=' after no"},
           Case{"A=1\n=secret\n", ".env:2: expected NAME=VALUE"},
           Case{"A=\"secret\n", ".env:1: the value's closing double quote is missing"},
           Case{"A='secret' trailing-secret\n", ".env:1: unexpected text after the closing quote"},
           Case{"9A=secret\n", ".env:1: expected NAME=VALUE"},
       }) {
    Result<std::vector<EnvAssignment>> env = ParseDotEnv(c.text, ".env");
    ASSERT_FALSE(env.ok()) << c.text;
    EXPECT_EQ(env.status().code(), StatusCode::kInvalidArgument);
    EXPECT_TRUE(Contains(env.status().message(), c.expected)) << c.text;
    EXPECT_TRUE(Lacks(env.status().message(), "secret")) << c.text;
  }
}

TEST(DotEnvTest, MissingFileIsEmpty) {
  ASSERT_OK_AND_ASSIGN(std::vector<EnvAssignment> env,
                       ReadDotEnv(lakepipe::testing::MakeTempDir("dotenv") + "/.env"));
  EXPECT_TRUE(env.empty());
}

}  // namespace
}  // namespace lakepipe::config

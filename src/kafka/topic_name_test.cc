#include "kafka/topic_name.h"

#include <string>

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe::kafka {
namespace {

TEST(TopicNameTest, AcceptsKafkasCharactersUpTo249) {
  EXPECT_OK(ValidateTopicName("users"));
  EXPECT_OK(ValidateTopicName("a"));
  EXPECT_OK(ValidateTopicName("Users.v2_raw-dlq"));
  EXPECT_OK(ValidateTopicName("0123456789"));
  EXPECT_OK(ValidateTopicName("..."));
  EXPECT_OK(ValidateTopicName(std::string(249, 'x')));
}

TEST(TopicNameTest, RefusesEmptyTooLongAndDotNames) {
  for (const std::string& bad :
       {std::string(), std::string(250, 'x'), std::string("."), std::string("..")}) {
    const Status st = ValidateTopicName(bad);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << "'" << bad << "'";
  }
  EXPECT_NE(ValidateTopicName(std::string(250, 'x')).message().find("250"), std::string::npos);
}

TEST(TopicNameTest, NamesTheTopicAndTheCharacterItRefuses) {
  for (const char* bad : {"a/b", "a b", "users:dlq", "tab\tle", "caf\xc3\xa9", "a*"}) {
    const Status st = ValidateTopicName(bad);
    ASSERT_EQ(st.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_NE(st.message().find(std::string("'") + bad + "'"), std::string::npos) << st.ToString();
  }
  EXPECT_NE(ValidateTopicName("a/b").message().find("character '/'"), std::string::npos);
}

}  // namespace
}  // namespace lakepipe::kafka

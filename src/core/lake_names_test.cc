#include "core/lake_names.h"

#include <string>

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe {
namespace {

TEST(LakeNamesTest, AcceptsTopicLikeNames) {
  for (std::string_view name :
       {"users", "user_activity", "Users2", "orders.v1", "clicks-eu", "7days", "a"}) {
    EXPECT_TRUE(ValidateTableName(name).ok()) << name;
  }
  EXPECT_OK(ValidateTableName(std::string(kMaxTableNameBytes, 'x')));
}

TEST(LakeNamesTest, RejectsNamesThatLeaveOrHideInTheLake) {
  for (std::string_view name :
       {"", ".", "..", "../../escape", "../x", "a/b", "/abs", "a\\b", "_lakepipe", "_rejected",
        "__consumer_offsets", ".hidden", "-dash", "a b", "tab\tname", "new\nline", "caf\xc3\xa9",
        "semi;colon", "a:b", "a*b"}) {
    Status st = ValidateTableName(name);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << "'" << name << "'";
  }
  EXPECT_EQ(ValidateTableName(std::string(kMaxTableNameBytes + 1, 'x')).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateTableName(std::string_view("a\0b", 3)).code(), StatusCode::kInvalidArgument);
}

TEST(LakeNamesTest, ErrorsNameTheValueAndTheRule) {
  Status st = ValidateTableName("../../escape");
  EXPECT_NE(st.message().find("'../../escape'"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("'/'"), std::string::npos) << st.message();
  st = ValidateTableName("_lakepipe");
  EXPECT_NE(st.message().find("reserved"), std::string::npos) << st.message();
  st = ValidateTableName("");
  EXPECT_NE(st.message().find("empty"), std::string::npos) << st.message();
  st = ValidateTableName("new\nline");
  EXPECT_NE(st.message().find("'new\\x0Aline'"), std::string::npos) << st.message();
  EXPECT_EQ(st.message().find('\n'), std::string::npos) << st.message();
}

TEST(LakeNamesTest, PrintableNameEscapesControlAndNonAsciiBytes) {
  EXPECT_EQ(PrintableName("plain-name_1.x"), "plain-name_1.x");
  EXPECT_EQ(PrintableName("a\tb\x7f"), "a\\x09b\\x7F");
  EXPECT_EQ(PrintableName("caf\xc3\xa9"), "caf\\xC3\\xA9");
}

}  // namespace
}  // namespace lakepipe

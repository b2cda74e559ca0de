#include "core/status.h"

#include <gtest/gtest.h>

#include "core/result.h"
#include "core/testing.h"

namespace lakepipe {
namespace {

Result<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("{} is odd", x);
  return x / 2;
}

Result<int> Quarter(int x) {
  LP_ASSIGN_OR_RETURN(int h, Half(x));
  LP_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  LP_RETURN_IF_ERROR(Half(x).status());
  return Status::OK();
}

TEST(StatusTest, OkCarriesNoMessage) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorsFormatCodeAndMessage) {
  Status s = CorruptionError("file '{}' is truncated", "a.parquet");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.ToString(), "corrupt data: file 'a.parquet' is truncated");
  EXPECT_EQ(s.WithContext("reading").message(), "reading: file 'a.parquet' is truncated");
  Status copy = s;
  EXPECT_EQ(copy, s);
}

TEST(StatusTest, RetryMeaning) {
  EXPECT_TRUE(IsRetriable(StatusCode::kUnavailable));
  EXPECT_FALSE(IsRetriable(StatusCode::kInvalidArgument));
  EXPECT_FALSE(IsRetriable(StatusCode::kDataLoss));
}

TEST(ResultTest, PropagatesErrorsAndValues) {
  ASSERT_OK_AND_ASSIGN(int q, Quarter(12));
  EXPECT_EQ(q, 3);
  Result<int> bad = Quarter(6);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "3 is odd");
  EXPECT_OK(CheckEven(4));
  EXPECT_EQ(CheckEven(5).code(), StatusCode::kInvalidArgument);
}

TEST(ResultTest, OkStatusBecomesInternalError) {
  Result<int> r{Status::OK()};
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace lakepipe

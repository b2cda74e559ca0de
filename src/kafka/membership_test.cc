#include "kafka/membership.h"

#include <stdlib.h>

#include <gtest/gtest.h>

#include "core/testing.h"
#include "kafka/dev_broker.h"
#include "kafka/metadata.h"

namespace lakepipe::kafka {
namespace {

using std::chrono::milliseconds;

TEST(GroupInstanceIdTest, KafkasRulesAreChecked) {
  EXPECT_OK(ValidateGroupInstanceId("users-host.example_1"));
  EXPECT_EQ(ValidateGroupInstanceId("").code(), StatusCode::kInvalidArgument);
  Status bad = ValidateGroupInstanceId("a b");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.message().find("'a b'"), std::string::npos) << bad.message();
  EXPECT_EQ(ValidateGroupInstanceId(std::string(250, 'a')).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(InstanceIdPiece("a b/c:d"), "a-b-c-d");
  EXPECT_EQ(InstanceIdPiece("abcdef", 3), "abc");
  EXPECT_OK(ValidateGroupInstanceId(HostIdPiece()));
}

TEST(InstanceLeaseTest, ProcessesAtOnceGetDistinctIdsAndAFreedIdIsTakenAgain) {
  const std::string dir = ::testing::TempDir() + "/leases";
  ASSERT_EQ(setenv("XDG_RUNTIME_DIR", dir.c_str(), 1), 0);
  mkdir(dir.c_str(), 0700);
  ASSERT_OK_AND_ASSIGN(InstanceLease first, InstanceLease::Acquire("g", "users-host"));
  ASSERT_OK_AND_ASSIGN(InstanceLease second, InstanceLease::Acquire("g", "users-host"));
  EXPECT_EQ(first.id(), "users-host");
  EXPECT_EQ(second.id(), "users-host-2");
  // Another group may use the same id.
  ASSERT_OK_AND_ASSIGN(InstanceLease other_group, InstanceLease::Acquire("h", "users-host"));
  EXPECT_EQ(other_group.id(), "users-host");
  { InstanceLease gone = std::move(first); }
  ASSERT_OK_AND_ASSIGN(InstanceLease again, InstanceLease::Acquire("g", "users-host"));
  EXPECT_EQ(again.id(), "users-host");
  unsetenv("XDG_RUNTIME_DIR");
}

TEST(DevBrokerDetectionTest, TheDevBrokersClusterIdIsRecognised) {
  ASSERT_OK_AND_ASSIGN(auto broker, DevBroker::Start({}));
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(std::string id, ClusterId(broker->bootstrap(), {}, milliseconds(10000)));
  // Quick enough to ask before every archive.
  EXPECT_LT(std::chrono::steady_clock::now() - start, milliseconds(1500));
  EXPECT_TRUE(IsDevBrokerClusterId(id)) << id;
  EXPECT_FALSE(IsDevBrokerClusterId("MkU3OEVBNTcwNTJENDM2Qg"));
  Result<std::string> none = ClusterId("127.0.0.1:1", {}, milliseconds(1000));
  EXPECT_EQ(none.status().code(), StatusCode::kUnavailable);
}

}  // namespace
}  // namespace lakepipe::kafka

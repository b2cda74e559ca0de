// The contract every ObjectStore keeps, as one value-parameterised gtest
// suite. A store's test binary instantiates it with a StoreUnderTest:
//
//   INSTANTIATE_TEST_SUITE_P(Local, ObjectStoreConformance,
//                            ::testing::Values(StoreUnderTest{"file", &FreshLocalRoot}));
//
// Each test asks `fresh_root` for an empty place of its own ("file:///tmp/x",
// "s3://bucket/run-3") and reaches it through ObjectStoreRegistry::Default(),
// the way the commands do: the store's scheme must be registered there.
#pragma once

#include <functional>
#include <ostream>
#include <string>

#include <gtest/gtest.h>

namespace lakepipe::testing {

struct StoreUnderTest {
  std::string name;
  // A URI under which nothing exists yet; called once per test.
  std::function<std::string()> fresh_root;
  // Objects larger than this take the store's multi-part path (S3's part
  // size); the suite writes one of about 2.5 times this size.
  uint64_t part_bytes = 5ull << 20;
};

inline void PrintTo(const StoreUnderTest& s, std::ostream* os) { *os << s.name; }

class ObjectStoreConformance : public ::testing::TestWithParam<StoreUnderTest> {};

}  // namespace lakepipe::testing

// Test helpers shared by every module's tests.
#pragma once

#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "core/result.h"
#include "core/status.h"

namespace lakepipe::testing {

inline const Status& ToStatus(const Status& s) { return s; }
template <typename T>
const Status& ToStatus(const Result<T>& r) {
  return r.status();
}

// A fresh empty directory under the test temp dir, removed at process exit by the OS cleaner.
std::string MakeTempDir(const std::string& name);

// True when `node` runs and tests/node_modules (under `source_dir`) holds
// the npm package `package`.
bool HasNodePackage(const std::string& source_dir, const std::string& package);

// True when the environment says CI=true: the test tools are installed
// there (scripts/test), so a test that needs a missing one fails instead of
// skipping.
bool UnderCi();

// What a Node script printed and its exit status.
struct NodeRun {
  int status = -1;
  std::string output;  // stdout and stderr
};
// Runs `script` (JavaScript, no double quotes) with `node -e` in
// `source_dir`/tests, so that require() finds the test tools, passing `arg`
// as process.argv[1].
NodeRun RunNodeScript(const std::string& source_dir, const std::string& script,
                      const std::string& arg);

}  // namespace lakepipe::testing

// In a test body: skips the test when node or the npm package `package`
// (tests/node_modules under `source_dir`) is missing, and fails it under CI.
#define LP_NEEDS_NODE_PACKAGE(source_dir, package)                                           \
  if (!::lakepipe::testing::HasNodePackage(source_dir, package)) {                           \
    if (::lakepipe::testing::UnderCi()) FAIL() << "node and " << (package) << " are needed"; \
    GTEST_SKIP() << "node or " << (package) << " is not installed";                          \
  }

#define ASSERT_OK(expr)                                     \
  do {                                                      \
    const auto& lp_t_ = (expr);                             \
    ASSERT_TRUE(::lakepipe::testing::ToStatus(lp_t_).ok())  \
        << ::lakepipe::testing::ToStatus(lp_t_).ToString(); \
  } while (false)

#define EXPECT_OK(expr)                                     \
  do {                                                      \
    const auto& lp_t_ = (expr);                             \
    EXPECT_TRUE(::lakepipe::testing::ToStatus(lp_t_).ok())  \
        << ::lakepipe::testing::ToStatus(lp_t_).ToString(); \
  } while (false)

#define LP_TEST_CONCAT_INNER(a, b) a##b
#define LP_TEST_CONCAT(a, b) LP_TEST_CONCAT_INNER(a, b)
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, rexpr)  \
  auto tmp = (rexpr);                               \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString(); \
  lhs = std::move(tmp).value()

// Asserts that `rexpr` (a Result<T>) is OK and assigns its value to `lhs`.
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  ASSERT_OK_AND_ASSIGN_IMPL(LP_TEST_CONCAT(lp_t_result_, __LINE__), lhs, rexpr)

// A fixture for configuration tests: each test runs in a fresh temporary
// working directory (so ./.env is the test's own) with no LAKEPIPE_
// variables in the environment; both are restored afterwards.
#pragma once

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe::config {

// EXPECT_THAT(text, HasSubstr(part)) without gmock.
inline ::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' not found in:\n" << text;
}
inline ::testing::AssertionResult Lacks(const std::string& text, const std::string& part) {
  if (text.find(part) == std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' unexpectedly found in:\n" << text;
}

class ConfigEnvironmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (char** e = ::environ; e != nullptr && *e != nullptr; ++e) {
      const std::string assignment(*e);
      const size_t eq = assignment.find('=');
      if (assignment.rfind("LAKEPIPE_", 0) == 0 && eq != std::string::npos) {
        saved_.emplace_back(assignment.substr(0, eq), assignment.substr(eq + 1));
      }
    }
    for (const auto& [name, value] : saved_) unsetenv(name.c_str());
    old_cwd_ = std::filesystem::current_path();
    dir_ = lakepipe::testing::MakeTempDir("config");
    std::filesystem::current_path(dir_);
  }

  void TearDown() override {
    std::filesystem::current_path(old_cwd_);
    for (const std::string& name : set_) unsetenv(name.c_str());
    for (const auto& [name, value] : saved_) setenv(name.c_str(), value.c_str(), 1);
  }

  // Sets a real environment variable for this test.
  void SetEnv(const std::string& name, const std::string& value) {
    setenv(name.c_str(), value.c_str(), 1);
    set_.push_back(name);
  }

  // Writes `text` to `name` in the test's directory; returns the path.
  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = (std::filesystem::path(dir_) / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  std::string dir_;

 private:
  std::filesystem::path old_cwd_;
  std::vector<std::pair<std::string, std::string>> saved_;
  std::vector<std::string> set_;
};

}  // namespace lakepipe::config

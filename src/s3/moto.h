// Moto: a moto_server child process on a free loopback port, for tests of
// the S3 client and store against a real S3 HTTP API. Fails with a clear
// error when moto_server is not installed.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "core/result.h"
#include "s3/s3_client.h"
#include "s3/sigv4.h"

namespace lakepipe::s3::testing {

class Moto {
 public:
  static Result<std::unique_ptr<Moto>> Start();
  // Stops the server (SIGTERM, then SIGKILL).
  ~Moto();
  Moto(const Moto&) = delete;
  Moto& operator=(const Moto&) = delete;

  // "http://127.0.0.1:<port>"
  const std::string& endpoint() const { return endpoint_; }
  // Any key pair works with moto's default settings.
  static s3::Credentials TestCredentials();

 private:
  Moto() = default;
  pid_t pid_ = -1;
  std::string endpoint_;
};

// A test fixture whose suite shares one Moto, started before its first test.
class MotoTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto moto = Moto::Start();
    ASSERT_TRUE(moto.ok()) << moto.status().ToString();
    moto_ = std::move(moto).value().release();
  }
  static void TearDownTestSuite() {
    delete moto_;
    moto_ = nullptr;
  }
  // Client options for the shared Moto: its endpoint and test credentials,
  // the smallest part size S3 allows.
  static S3Options ClientOptions() {
    S3Options o;
    o.endpoint = moto_->endpoint();
    o.credentials = Moto::TestCredentials();
    o.part_size = 5 << 20;
    return o;
  }
  static inline Moto* moto_ = nullptr;
};

}  // namespace lakepipe::s3::testing

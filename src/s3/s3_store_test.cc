// The s3 ObjectStore against moto_server: the ObjectStore contract
// (object_store_conformance.h) that the local store passes too, and what
// S3 adds: keys without a leading '/', aborts after parts were sent.
#include "s3/s3_store.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "s3/moto.h"
#include "storage/object_store_conformance.h"

namespace lakepipe::s3 {
namespace {

// The ObjectStore contract, against a moto_server started for it.
std::string FreshS3Root() {
  static std::unique_ptr<testing::Moto> moto;
  static int runs = 0;
  if (!moto) {
    auto started = testing::Moto::Start();
    if (!started.ok()) {
      ADD_FAILURE() << started.status().ToString();
      return "s3://moto-server-missing/x";
    }
    moto = std::move(started).value();
    S3Options o;
    o.endpoint = moto->endpoint();
    o.credentials = testing::Moto::TestCredentials();
    o.part_size = 5 << 20;
    o.parallel_parts = 2;
    auto client = S3Client::Make(o);
    EXPECT_TRUE(client.ok() && (*client)->CreateBucket("conformance").ok());
    RegisterS3Store(&ObjectStoreRegistry::Default(), o);
  }
  return "s3://conformance/run-" + std::to_string(++runs);
}

using ::lakepipe::testing::ObjectStoreConformance;
INSTANTIATE_TEST_SUITE_P(S3, ObjectStoreConformance,
                         ::testing::Values(::lakepipe::testing::StoreUnderTest{"s3", &FreshS3Root,
                                                                               5 << 20}));

class S3StoreTest : public testing::MotoTest {
 protected:
  void SetUp() override {
    S3Options o = ClientOptions();
    o.parallel_parts = 2;
    auto client = S3Client::Make(o);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::shared_ptr<S3Client>(std::move(client).value());
    static int n = 0;
    bucket_ = "store-" + std::to_string(++n);
    ASSERT_OK(client_->CreateBucket(bucket_));
    auto store = NewS3Store(client_, bucket_);
    ASSERT_TRUE(store.ok());
    store_ = std::move(store).value();
  }

  std::shared_ptr<S3Client> client_;
  std::string bucket_;
  std::unique_ptr<ObjectStore> store_;
};

TEST_F(S3StoreTest, KeysHaveNoLeadingSlash) {
  ASSERT_OK_AND_ASSIGN(auto out, store_->OpenOutput("/lake/t/a.txt", OutputOptions()));
  ASSERT_OK(out->Append("hello lake"));
  ASSERT_OK(out->Commit());
  ASSERT_OK_AND_ASSIGN(auto head, client_->HeadObject(bucket_, "lake/t/a.txt"));
  EXPECT_EQ(head.size, 10u);
  ASSERT_OK_AND_ASSIGN(auto listed, store_->List("/lake"));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].path, "lake/t/a.txt");
}

TEST_F(S3StoreTest, AbortAfterPartsWereSentLeavesNoUpload) {
  {
    ASSERT_OK_AND_ASSIGN(auto out, store_->OpenOutput("gone.bin", OutputOptions()));
    ASSERT_OK(out->Append(std::string(11 << 20, 'x')));  // two parts sent already
    out->Abort();
  }
  ASSERT_OK_AND_ASSIGN(auto listed, store_->List(""));
  EXPECT_TRUE(listed.empty());
  EXPECT_FALSE(store_->OpenInput("gone.bin").ok());
  // ListMultipartUploads, asked of moto directly: no upload (and so no part)
  // is left behind.
  HttpClient http;
  HttpRequest request;
  request.url = fmt::format("{}/{}?uploads", moto_->endpoint(), bucket_);
  ASSERT_OK_AND_ASSIGN(HttpResponse uploads, http.Send(request));
  ASSERT_EQ(uploads.status, 200) << uploads.body;
  EXPECT_NE(uploads.body.find("ListMultipartUploadsResult"), std::string::npos) << uploads.body;
  EXPECT_EQ(uploads.body.find("<Upload>"), std::string::npos) << uploads.body;
}

// ResolveS3Options with a controlled environment: every AWS_* variable and
// HOME replaced for the test, and the working directory a temp dir (for
// ./.env); all restored afterwards.
class ResolveS3OptionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::lakepipe::testing::MakeTempDir("resolve");
    for (const char* name : kVariables) {
      if (const char* v = std::getenv(name)) saved_.emplace_back(name, v);
      ::unsetenv(name);
    }
    ::setenv("HOME", dir_.c_str(), 1);
    cwd_ = std::filesystem::current_path();
    std::filesystem::current_path(dir_);
  }
  void TearDown() override {
    std::filesystem::current_path(cwd_);
    for (const char* name : kVariables) ::unsetenv(name);
    for (const auto& [name, value] : saved_) ::setenv(name.c_str(), value.c_str(), 1);
  }
  void Write(const std::string& rel, const std::string& text) {
    std::filesystem::create_directories(std::filesystem::path(dir_ + "/" + rel).parent_path());
    std::ofstream(dir_ + "/" + rel) << text;
  }

  static constexpr const char* kVariables[] = {
      "HOME",        "AWS_ACCESS_KEY_ID",           "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
      "AWS_REGION",  "AWS_DEFAULT_REGION",          "AWS_ENDPOINT_URL",      "AWS_ENDPOINT_URL_S3",
      "AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE"};
  std::string dir_;
  std::filesystem::path cwd_;
  std::vector<std::pair<std::string, std::string>> saved_;
};

TEST_F(ResolveS3OptionsTest, DotEnvFillsWhatTheEnvironmentLacks) {
  Write(".env",
        "AWS_ACCESS_KEY_ID=AKIDDOTENV\nexport AWS_SECRET_ACCESS_KEY='dotenv secret'\n"
        "AWS_REGION=eu-west-3\nAWS_ENDPOINT_URL=http://127.0.0.1:9\nOTHER=x\n");
  ASSERT_OK_AND_ASSIGN(S3Options o, ResolveS3Options(S3Options{.region = ""}));
  EXPECT_EQ(o.credentials.access_key_id, "AKIDDOTENV");
  EXPECT_EQ(o.credentials.secret_access_key, "dotenv secret");
  EXPECT_EQ(o.region, "eu-west-3");
  EXPECT_EQ(o.endpoint, "http://127.0.0.1:9");
  // A real variable wins over .env.
  ::setenv("AWS_REGION", "ap-south-1", 1);
  ASSERT_OK_AND_ASSIGN(o, ResolveS3Options(S3Options{.region = ""}));
  EXPECT_EQ(o.region, "ap-south-1");
}

TEST_F(ResolveS3OptionsTest, ExplicitSettingsWinOverEnvironmentAndFiles) {
  ::setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "env secret", 1);
  ::setenv("AWS_REGION", "us-west-2", 1);
  S3Options base{.region = "eu-central-1"};
  base.credentials = {"AKIDCONFIG", "config secret", ""};
  ASSERT_OK_AND_ASSIGN(S3Options o, ResolveS3Options(base));
  EXPECT_EQ(o.credentials.access_key_id, "AKIDCONFIG");
  EXPECT_EQ(o.credentials.secret_access_key, "config secret");
  EXPECT_EQ(o.region, "eu-central-1");
  ASSERT_OK_AND_ASSIGN(o, ResolveS3Options(S3Options{.region = ""}));
  EXPECT_EQ(o.credentials.access_key_id, "AKIDENV");
  EXPECT_EQ(o.region, "us-west-2");
}

TEST_F(ResolveS3OptionsTest, ProfilesOfTheAwsFiles) {
  Write(".aws/credentials",
        "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n"
        "[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = c\n"
        "aws_session_token = tok\n");
  Write(".aws/config",
        "[default]\nregion = us-east-2\n[profile ci]\nregion = sa-east-1\n"
        "endpoint_url = http://minio:9000\n");
  ASSERT_OK_AND_ASSIGN(S3Options o, ResolveS3Options(S3Options{.region = ""}));
  EXPECT_EQ(o.credentials.access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(o.region, "us-east-2");
  EXPECT_EQ(o.endpoint, "");
  ::setenv("AWS_PROFILE", "ci", 1);
  ASSERT_OK_AND_ASSIGN(o, ResolveS3Options(S3Options{.region = ""}));
  EXPECT_EQ(o.credentials.access_key_id, "AKIDCI");
  EXPECT_EQ(o.credentials.session_token, "tok");
  EXPECT_EQ(o.region, "sa-east-1");
  EXPECT_EQ(o.endpoint, "http://minio:9000");
  // s3.profile wins over AWS_PROFILE.
  ASSERT_OK_AND_ASSIGN(o, ResolveS3Options(S3Options{.region = "", .profile = "default"}));
  EXPECT_EQ(o.credentials.access_key_id, "AKIDDEFAULT");
}

TEST_F(ResolveS3OptionsTest, NoCredentialsSaysWhereTheyCanCome) {
  Status st = ResolveS3Options(S3Options{.region = ""}).status();
  EXPECT_EQ(st.code(), StatusCode::kFailedPrecondition);
  for (const char* where : {"s3.access_key_id", "AWS_ACCESS_KEY_ID", ".env", "profile 'default'"}) {
    EXPECT_NE(st.message().find(where), std::string::npos) << st.message();
  }
}

}  // namespace
}  // namespace lakepipe::s3

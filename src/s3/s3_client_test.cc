// S3Client against moto_server (a real S3 HTTP API on loopback), started
// per test suite on a free port.
#include "s3/s3_client.h"

#include <chrono>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "core/testing.h"
#include "s3/moto.h"

namespace lakepipe::s3 {
namespace {

class S3ClientTest : public testing::MotoTest {
 protected:
  std::unique_ptr<S3Client> Client() {
    S3Options o = ClientOptions();
    o.retry.deadline = std::chrono::seconds(5);
    auto client = S3Client::Make(o);
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return client.ok() ? std::move(client).value() : nullptr;
  }
};

TEST_F(S3ClientTest, PutGetHeadListDelete) {
  auto s3 = Client();
  ASSERT_NE(s3, nullptr);
  ASSERT_OK(s3->CreateBucket("basic"));
  ASSERT_OK(s3->HeadBucket("basic"));
  const std::string body = "hello, lake";
  ASSERT_OK(s3->PutObject("basic", "dir/a b+c=d.txt", body));
  ASSERT_OK_AND_ASSIGN(std::string got, s3->GetObject("basic", "dir/a b+c=d.txt"));
  EXPECT_EQ(got, body);
  ASSERT_OK_AND_ASSIGN(std::string part,
                       s3->GetObject("basic", "dir/a b+c=d.txt", std::make_pair(7, 4)));
  EXPECT_EQ(part, "lake");
  ASSERT_OK_AND_ASSIGN(ObjectHead head, s3->HeadObject("basic", "dir/a b+c=d.txt"));
  EXPECT_EQ(head.size, body.size());
  for (int i = 0; i < 7; ++i) ASSERT_OK(s3->PutObject("basic", fmt::format("dir/k{}", i), "x"));
  ASSERT_OK(s3->PutObject("basic", "other/k", "x"));
  // Three keys per page: the client follows the continuation tokens.
  ASSERT_OK_AND_ASSIGN(std::vector<ListedObject> listed, s3->ListObjects("basic", "dir/", 3));
  EXPECT_EQ(listed.size(), 8u);
  ASSERT_OK(s3->DeleteObject("basic", "dir/k0"));
  ASSERT_OK(s3->DeleteObject("basic", "dir/k0"));  // missing: still fine
  Result<std::string> missing = s3->GetObject("basic", "dir/k0");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_NE(missing.status().ToString().find("s3://basic/dir/k0"), std::string::npos)
      << missing.status().ToString();
}

TEST_F(S3ClientTest, VirtualHostedAddressing) {
  // bucket.localhost resolves to loopback, and moto takes the bucket from
  // the host name, as AWS does.
  S3Options o = ClientOptions();
  const std::string port = o.endpoint.substr(o.endpoint.rfind(':') + 1);
  o.endpoint = "http://localhost:" + port;
  o.path_style = false;
  ASSERT_OK_AND_ASSIGN(auto s3, S3Client::Make(o));
  auto path_style = Client();
  ASSERT_NE(path_style, nullptr);
  ASSERT_OK(path_style->CreateBucket("virtual"));
  ASSERT_OK(s3->PutObject("virtual", "a/b.txt", "hosted"));
  ASSERT_OK_AND_ASSIGN(std::string got, path_style->GetObject("virtual", "a/b.txt"));
  EXPECT_EQ(got, "hosted");
  ASSERT_OK_AND_ASSIGN(std::vector<ListedObject> listed, s3->ListObjects("virtual", "a/"));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].key, "a/b.txt");
}

TEST_F(S3ClientTest, MultipartUploadOfThreeParts) {
  auto s3 = Client();
  ASSERT_NE(s3, nullptr);
  ASSERT_OK(s3->CreateBucket("multi"));
  ASSERT_OK_AND_ASSIGN(std::string id, s3->CreateMultipartUpload("multi", "big.bin"));
  std::vector<std::string> etags;
  std::string all;
  for (int p = 1; p <= 3; ++p) {
    std::string body(p < 3 ? (5 << 20) : 1000, static_cast<char>('a' + p));
    all += body;
    ASSERT_OK_AND_ASSIGN(std::string etag, s3->UploadPart("multi", "big.bin", id, p, body));
    etags.push_back(etag);
  }
  ASSERT_OK(s3->CompleteMultipartUpload("multi", "big.bin", id, etags));
  ASSERT_OK_AND_ASSIGN(ObjectHead head, s3->HeadObject("multi", "big.bin"));
  EXPECT_EQ(head.size, all.size());
  ASSERT_OK_AND_ASSIGN(std::string got, s3->GetObject("multi", "big.bin"));
  EXPECT_TRUE(got == all);
}

TEST_F(S3ClientTest, ConditionalCreate) {
  auto s3 = Client();
  ASSERT_NE(s3, nullptr);
  ASSERT_OK(s3->CreateBucket("cond"));
  ASSERT_OK(s3->PutObject("cond", "once", "1", /*if_none_match=*/true));
  Status again = s3->PutObject("cond", "once", "2", /*if_none_match=*/true);
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists) << again.ToString();
  ASSERT_OK_AND_ASSIGN(std::string got, s3->GetObject("cond", "once"));
  EXPECT_EQ(got, "1");
}

TEST(ParseS3UriTest, BucketAndPrefix) {
  ASSERT_OK_AND_ASSIGN(auto parts, ParseS3Uri("s3://my-lake/raw/zone"));
  EXPECT_EQ(parts.first, "my-lake");
  EXPECT_EQ(parts.second, "raw/zone");
  EXPECT_FALSE(ParseS3Uri("s3://A_B/x").ok());
  EXPECT_FALSE(ParseS3Uri("file:///x").ok());
}

}  // namespace
}  // namespace lakepipe::s3

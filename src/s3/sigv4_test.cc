// The signer against the worked examples of the S3 API reference
// ("Examples: Signature Calculations in AWS Signature Version 4"): their
// inputs, canonical requests, strings to sign and signatures.
#include "s3/sigv4.h"

#include <gtest/gtest.h>

#include "core/testing.h"

namespace lakepipe::s3 {
namespace {

constexpr char kEmptySha256[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Credentials ExampleCredentials() {
  Credentials c;
  c.access_key_id = "AKIAIOSFODNN7EXAMPLE";
  c.secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
  return c;
}

SigningRequest ExampleGet(std::string path) {
  SigningRequest r;
  r.method = "GET";
  r.path = std::move(path);
  r.payload_sha256 = kEmptySha256;
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"x-amz-date", "20130524T000000Z"},
               {"x-amz-content-sha256", kEmptySha256}};
  return r;
}

TEST(SigV4Test, GetObjectWithRange) {
  SigningRequest r = ExampleGet("/test.txt");
  r.headers.emplace_back("Range", "bytes=0-9");
  ASSERT_OK_AND_ASSIGN(Signature s, SignV4(r, ExampleCredentials(), "us-east-1"));
  EXPECT_EQ(s.canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            "\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(s.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(s.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Test, PutObjectEncodesThePathAndSignsEveryHeader) {
  const std::string body = "Welcome to Amazon S3.";
  SigningRequest r;
  r.method = "PUT";
  r.path = "/test$file.text";
  r.payload_sha256 = HexSha256(body);
  EXPECT_EQ(r.payload_sha256, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-date", "20130524T000000Z"},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
               {"x-amz-content-sha256", r.payload_sha256}};
  ASSERT_OK_AND_ASSIGN(Signature s, SignV4(r, ExampleCredentials(), "us-east-1"));
  EXPECT_NE(s.canonical_request.find("\n/test%24file.text\n"), std::string::npos);
  EXPECT_EQ(s.signed_headers, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  EXPECT_EQ(s.string_to_sign.substr(s.string_to_sign.rfind('\n') + 1),
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(s.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4Test, QueryWithoutValue) {
  SigningRequest r = ExampleGet("/");
  r.query = {{"lifecycle", ""}};
  ASSERT_OK_AND_ASSIGN(Signature s, SignV4(r, ExampleCredentials(), "us-east-1"));
  EXPECT_NE(s.canonical_request.find("GET\n/\nlifecycle=\n"), std::string::npos);
  EXPECT_EQ(s.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4Test, QueryParametersAreSorted) {
  SigningRequest r = ExampleGet("/");
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};
  ASSERT_OK_AND_ASSIGN(Signature s, SignV4(r, ExampleCredentials(), "us-east-1"));
  EXPECT_NE(s.canonical_request.find("GET\n/\nmax-keys=2&prefix=J\n"), std::string::npos);
  EXPECT_EQ(s.string_to_sign.substr(s.string_to_sign.rfind('\n') + 1),
            "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7");
  EXPECT_EQ(s.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4Test, EncodingAndBadInput) {
  EXPECT_EQ(UriEncode("a b/c=d~e", true), "a%20b/c%3Dd~e");
  EXPECT_EQ(UriEncode("a b/c", false), "a%20b%2Fc");
  EXPECT_EQ(UriEncode("\xc3\xa9", true), "%C3%A9");
  EXPECT_EQ(Base64Md5(""), "1B2M2Y8AsgTpgAmY7PhCfg==");
  SigningRequest r = ExampleGet("/x");
  r.headers = {{"host", "h"}, {"x-amz-date", "2013-05-24"}};
  Result<Signature> bad = SignV4(r, ExampleCredentials(), "us-east-1");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().ToString().find("2013-05-24"), std::string::npos);
  r.headers = {{"x-amz-date", "20130524T000000Z"}};
  EXPECT_FALSE(SignV4(r, ExampleCredentials(), "us-east-1").ok());
}

}  // namespace
}  // namespace lakepipe::s3

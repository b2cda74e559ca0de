#include "core/redact.h"

#include <gtest/gtest.h>

namespace lakepipe {
namespace {

TEST(RedactTest, MasksThePasswordOfUrls) {
  EXPECT_EQ(MaskUrlCredentials("http://user:PASSWORD@127.0.0.1:8081"),
            "http://user:***@127.0.0.1:8081");
  EXPECT_EQ(MaskUrlCredentials("https://u:p%40ss@host/path?q=1"), "https://u:***@host/path?q=1");
  EXPECT_EQ(MaskUrlCredentials("GET http://a:b@h1/x failed; retried http://c:d@h2"),
            "GET http://a:***@h1/x failed; retried http://c:***@h2");
  EXPECT_EQ(MaskUrlCredentials("url: \"http://reguser:S3CRET@reg:8081/prefix\"\n"),
            "url: \"http://reguser:***@reg:8081/prefix\"\n");
  // The last '@' of the authority ends the userinfo: '@' may be in the password.
  EXPECT_EQ(MaskUrlCredentials("http://user:p@ss@host"), "http://user:***@host");
}

TEST(RedactTest, MasksAUserinfoWithoutPasswordWhole) {
  EXPECT_EQ(MaskUrlCredentials("https://ghp_TOKEN@example.com/x"), "https://***@example.com/x");
}

TEST(RedactTest, LeavesTextWithoutCredentialsAlone) {
  for (std::string_view text :
       {"http://127.0.0.1:8081", "s3://bucket/prefix", "plain text", "", "mail me@host.com",
        "http://host/path@not-userinfo", "://@", "file:///tmp/lake"}) {
    EXPECT_EQ(MaskUrlCredentials(text), text);
  }
}

TEST(RedactTest, MaskValueReplacesEveryOccurrence) {
  EXPECT_EQ(MaskValue("pw=hunter2 again hunter2.", "hunter2"), "pw=*** again ***.");
  EXPECT_EQ(MaskValue("aaaa", "aa"), "******");
  // A replacement that contains the value is not searched again.
  EXPECT_EQ(MaskValue("x \"s\" s", "\"s\"", "\"***\""), "x \"***\" s");
  EXPECT_EQ(MaskValue("***", "*"), "*********");
  EXPECT_EQ(MaskValue("unchanged", ""), "unchanged");
  EXPECT_EQ(MaskValue("unchanged", "absent"), "unchanged");
}

TEST(RedactTest, SecretLookingKeys) {
  for (std::string_view key :
       {"sasl.password", "SASL.PASSWORD", "sasl.username", "sasl.jaas.config", "ssl.key.pem",
        "ssl.key.password", "ssl_keystore_password", "secret_access_key", "session_token",
        "api_key", "apikey", "sasl.oauthbearer.client.secret", "basic.auth.user.info",
        "credentials", "private.key", "sasl.pasword"}) {
    EXPECT_TRUE(LooksSecretKey(key)) << key;
  }
  for (std::string_view key : {"bootstrap.servers", "acks", "client.id", "security.protocol",
                               "ssl.ca.location", "linger.ms", "compression.type", "url"}) {
    EXPECT_FALSE(LooksSecretKey(key)) << key;
  }
}

}  // namespace
}  // namespace lakepipe

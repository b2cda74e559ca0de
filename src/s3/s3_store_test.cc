// The s3 ObjectStore against moto_server: the same contract as the local
// store (atomic visibility, create-only, listing, deletion), plus multipart
// uploads of several parts and aborts that leave no upload behind.
#include "s3/s3_store.h"

#include <gtest/gtest.h>

#include "core/testing.h"
#include "s3/moto.h"

namespace lakepipe::s3 {
namespace {

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

TEST_F(S3StoreTest, SmallObjectAppearsOnlyAtCommit) {
  ASSERT_OK_AND_ASSIGN(auto out, store_->OpenOutput("/lake/t/a.txt", OutputOptions()));
  ASSERT_OK(out->Append("hello "));
  ASSERT_OK(out->Append("lake"));
  ASSERT_OK_AND_ASSIGN(auto before, store_->List("lake"));
  EXPECT_TRUE(before.empty());
  ASSERT_OK(out->Commit());
  ASSERT_OK_AND_ASSIGN(auto listed, store_->List("lake"));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].path, "lake/t/a.txt");
  EXPECT_EQ(listed[0].size, 10u);
  ASSERT_OK_AND_ASSIGN(auto in, store_->OpenInput("lake/t/a.txt"));
  EXPECT_EQ(in->size(), 10u);
  std::string got;
  ASSERT_OK(in->ReadAt(6, 100, &got));
  EXPECT_EQ(got, "lake");
  ASSERT_OK(store_->Delete("lake/t/a.txt"));
  ASSERT_OK_AND_ASSIGN(auto after, store_->List("lake"));
  EXPECT_TRUE(after.empty());
}

TEST_F(S3StoreTest, LargeObjectGoesInPartsAndReadsBack) {
  ASSERT_OK_AND_ASSIGN(auto out, store_->OpenOutput("big.bin", OutputOptions()));
  std::string all;
  for (int i = 0; i < 16; ++i) {
    std::string chunk(1 << 20, static_cast<char>('a' + i));  // 16 MiB: 4 parts of 5 MiB
    all += chunk;
    ASSERT_OK(out->Append(chunk));
  }
  ASSERT_OK(out->Commit());
  ASSERT_OK_AND_ASSIGN(auto in, store_->OpenInput("big.bin"));
  ASSERT_EQ(in->size(), all.size());
  std::string got;
  ASSERT_OK(in->ReadAt(0, all.size(), &got));
  EXPECT_TRUE(got == all);
}

TEST_F(S3StoreTest, AbortLeavesNothing) {
  {
    ASSERT_OK_AND_ASSIGN(auto out, store_->OpenOutput("gone.bin", OutputOptions()));
    ASSERT_OK(out->Append(std::string(11 << 20, 'x')));  // two parts sent already
    out->Abort();
  }
  ASSERT_OK_AND_ASSIGN(auto listed, store_->List(""));
  EXPECT_TRUE(listed.empty());
  EXPECT_FALSE(store_->OpenInput("gone.bin").ok());
}

TEST_F(S3StoreTest, CreateOnlyRefusesAnExistingObject) {
  OutputOptions once;
  once.overwrite = false;
  ASSERT_OK_AND_ASSIGN(auto first, store_->OpenOutput("once", once));
  ASSERT_OK(first->Append("1"));
  ASSERT_OK(first->Commit());
  ASSERT_OK_AND_ASSIGN(auto second, store_->OpenOutput("once", once));
  ASSERT_OK(second->Append("2"));
  EXPECT_EQ(second->Commit().code(), StatusCode::kAlreadyExists);
}

}  // namespace
}  // namespace lakepipe::s3

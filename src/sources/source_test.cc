#include "sources/source.h"

#include <gtest/gtest.h>

#include "sources/test_util.h"

namespace lakepipe {
namespace {

using sources::testing::ReadTextFile;
using sources::testing::SourceDir;

TEST(SourceRegistryTest, ListsTheBuiltinSources) {
  EXPECT_EQ(SourceNames(),
            (std::vector<std::string>{"users", "activity", "randomuser", "file:PATH"}));
  for (const SourceInfo& info : SourceRegistry::Default().sources()) {
    EXPECT_FALSE(info.description.empty()) << info.name;
  }
}

TEST(SourceRegistryTest, RejectsUnknownNamesListingTheValidOnes) {
  Result<std::unique_ptr<Source>> unknown = OpenSource("people", SourceOptions());
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(unknown.status().message(),
            "unknown source 'people': valid sources are users, activity, randomuser, file:PATH");

  Result<std::unique_ptr<Source>> argument = OpenSource("users:5", SourceOptions());
  EXPECT_EQ(argument.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(argument.status().message().find("takes no argument"), std::string::npos);

  Result<std::unique_ptr<Source>> no_path = OpenSource("file:", SourceOptions());
  EXPECT_EQ(no_path.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(no_path.status().message().find("file:PATH"), std::string::npos)
      << no_path.status().message();
}

TEST(SourceRegistryTest, RegisteringANameTwiceFails) {
  SourceRegistry registry;
  RegisterBuiltinSources(&registry);
  Status again = registry.Register(SourceInfo{"users", "again", "", nullptr});
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
}

TEST(SourceRegistryTest, GeneratorsHaveTheirSchemasAndKeys) {
  SourceOptions options;
  options.seed = 1;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Source> users, OpenSource("users", options));
  EXPECT_EQ(users->schema(), UserSchemaPtr());
  EXPECT_EQ(users->default_key_field(), "id");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Source> activity, OpenSource("activity", options));
  EXPECT_EQ(activity->schema(), UserActivitySchemaPtr());
  EXPECT_EQ(activity->default_key_field(), "user_id");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Source> randomuser, OpenSource("randomuser", options));
  EXPECT_EQ(randomuser->schema(), UserSchemaPtr());
  EXPECT_EQ(randomuser->default_key_field(), "id");
  for (const auto& s : {users.get(), activity.get()}) {
    RecordBatch batch(s->schema());
    EXPECT_EQ(s->Next(&batch, 0).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(s->rejected(), 0u);
  }
  for (const std::string& field : {users->default_key_field(), activity->default_key_field()}) {
    EXPECT_GE(
        field == "id" ? UserSchema().FieldIndex(field) : UserActivitySchema().FieldIndex(field), 0);
  }
}

// The compiled-in schemas are the files in schemas/, byte for byte.
TEST(BuiltinSchemasTest, EqualTheRepositoryFiles) {
  EXPECT_EQ(UserSchema().avro_json(), ReadTextFile(SourceDir() + "/schemas/user.avsc"));
  EXPECT_EQ(UserActivitySchema().avro_json(),
            ReadTextFile(SourceDir() + "/schemas/user_activity.avsc"));
  EXPECT_EQ(UserSchema().name(), "User");
  EXPECT_EQ(UserSchema().num_fields(), 16u);
  EXPECT_EQ(UserActivitySchema().name(), "UserActivity");
  EXPECT_EQ(UserActivitySchema().num_fields(), 11u);
  EXPECT_EQ(&UserSchema(), UserSchemaPtr().get());
  EXPECT_EQ(UserApiSchema().avro_json(), ReadTextFile(SourceDir() + "/schemas/user_api.avsc"));
  EXPECT_EQ(UserApiSchema().name(), "UserApi");
  EXPECT_EQ(UserApiSchema().num_fields(), 12u);
  EXPECT_EQ(UserSchemaPtr(UserShape::kApi), UserApiSchemaPtr());
  EXPECT_EQ(UserSchemaPtr(UserShape::kFlat), UserSchemaPtr());
}

TEST(UserShapeTest, ParsesItsNamesAndOnlyUsersAndRandomuserTakeIt) {
  EXPECT_EQ(*ParseUserShape("flat"), UserShape::kFlat);
  EXPECT_EQ(*ParseUserShape("api"), UserShape::kApi);
  Result<UserShape> bad = ParseUserShape("nested");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("unknown shape 'nested'"), std::string::npos);
  SourceOptions options;
  options.seed = 1;
  options.shape = UserShape::kApi;
  Result<std::unique_ptr<Source>> activity = OpenSource("activity", options);
  ASSERT_FALSE(activity.ok());
  EXPECT_EQ(activity.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(activity.status().message().find("source activity has no shape 'api'"),
            std::string::npos);
  EXPECT_TRUE(OpenSource("users", options).ok());
}

}  // namespace
}  // namespace lakepipe

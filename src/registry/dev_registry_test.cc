// The development registry over HTTP, through lakepipe's registry client
// where it has the call and plain HTTP requests elsewhere.
#include "registry/dev_registry.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/testing.h"
#include "http/http_client.h"
#include "registry/schema_registry.h"

namespace lakepipe::registry {
namespace {

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' not found in: " << text;
}

// A record named User with these fields (Avro JSON of each field).
std::string Record(const std::vector<std::string>& fields) {
  std::string out = R"({"type": "record", "name": "User", "fields": [)";
  for (size_t i = 0; i < fields.size(); ++i) out += (i > 0 ? ", " : "") + fields[i];
  return out + "]}";
}

const std::string kId = R"({"name": "id", "type": "string"})";
const std::string kName = R"({"name": "name", "type": "string"})";
const std::string kAgeWithDefault = R"({"name": "age", "type": "int", "default": 0})";
const std::string kAgeNoDefault = R"({"name": "age", "type": "int"})";

struct Answer {
  long status = 0;
  nlohmann::json body;
};

class DevRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK_AND_ASSIGN(registry_, DevRegistry::Start({.port = 0})); }

  SchemaRegistryClient Client() { return SchemaRegistryClient({.url = registry_->url()}); }

  Answer Call(const std::string& method, const std::string& path, const nlohmann::json& body = {}) {
    HttpClient http;
    HttpRequest request;
    request.method = method;
    request.url = registry_->url() + path;
    if (!body.is_null()) {
      request.body = body.dump();
      request.headers = {{"Content-Type", "application/vnd.schemaregistry.v1+json"}};
    }
    Result<HttpResponse> response = http.Send(request);
    EXPECT_OK(response);
    if (!response.ok()) return {};
    EXPECT_EQ(response->Header("content-type"), "application/vnd.schemaregistry.v1+json");
    return {response->status, nlohmann::json::parse(response->body, nullptr, false)};
  }

  // Registers through the client; the id, or the client's error.
  Result<int32_t> Register(const std::string& subject, const std::string& schema) {
    return Client().Register(subject, schema);
  }

  void SetLevel(const std::string& subject, const std::string& level) {
    Answer a = Call("PUT", "/config/" + subject, {{"compatibility", level}});
    ASSERT_EQ(a.status, 200) << a.body.dump();
    ASSERT_EQ(a.body["compatibility"], level);
  }

  std::unique_ptr<DevRegistry> registry_;
};

TEST_F(DevRegistryTest, SameSchemaSameIdAcrossSubjectsAndSpellings) {
  const std::string v1 = Record({kId, kName});
  ASSERT_OK_AND_ASSIGN(int32_t id, Register("users-value", v1));
  EXPECT_EQ(id, 1);
  // The same schema spelt differently (whitespace, key order) is the same schema.
  const std::string respelt =
      R"({"name":"User","fields":[{"type":"string","name":"id"},{"name":"name","type":"string"}],)"
      R"("type":"record"})";
  EXPECT_EQ(*Register("users-value", respelt), 1);
  EXPECT_EQ(*Register("other-value", v1), 1);
  EXPECT_EQ(Call("GET", "/subjects/users-value/versions").body, nlohmann::json::array({1}));
  // Stored as first registered.
  EXPECT_EQ(*Client().GetSchema(1), v1);
  EXPECT_EQ(Call("GET", "/subjects").body, nlohmann::json::array({"other-value", "users-value"}));
  ASSERT_OK_AND_ASSIGN(SubjectVersion latest, Client().GetLatest("users-value"));
  EXPECT_EQ(latest.version, 1);
  EXPECT_EQ(latest.id, 1);
  EXPECT_EQ(latest.schema, v1);
}

TEST_F(DevRegistryTest, VersionsIdsAndLatest) {
  const std::string v1 = Record({kId, kName});
  const std::string v2 = Record({kId, kName, kAgeWithDefault});
  EXPECT_EQ(*Register("users-value", v1), 1);
  EXPECT_EQ(*Register("users-value", v2), 2);
  EXPECT_EQ(Call("GET", "/subjects/users-value/versions").body, nlohmann::json::array({1, 2}));
  Answer first = Call("GET", "/subjects/users-value/versions/1");
  EXPECT_EQ(first.status, 200);
  EXPECT_EQ(
      first.body,
      nlohmann::json({{"subject", "users-value"}, {"version", 1}, {"id", 1}, {"schema", v1}}));
  ASSERT_OK_AND_ASSIGN(SubjectVersion latest, Client().GetLatest("users-value"));
  EXPECT_EQ(latest.version, 2);
  EXPECT_EQ(latest.id, 2);
  EXPECT_EQ(latest.schema, v2);
  EXPECT_EQ(Call("GET", "/subjects/users-value/versions/-1").body["version"], 2);
  EXPECT_EQ(Call("GET", "/subjects/users-value/versions/2/schema").body, nlohmann::json::parse(v2));
  EXPECT_EQ(*Client().GetSchema(2), v2);

  // Lookups.
  Answer found = Call("POST", "/subjects/users-value", {{"schema", v1}});
  EXPECT_EQ(found.status, 200);
  EXPECT_EQ(found.body["version"], 1);
  EXPECT_EQ(found.body["id"], 1);
  Answer absent = Call("POST", "/subjects/users-value", {{"schema", Record({kId})}});
  EXPECT_EQ(absent.status, 404);
  EXPECT_EQ(absent.body["error_code"], 40403);

  // What does not exist.
  EXPECT_EQ(Call("GET", "/subjects/users-value/versions/3").body["error_code"], 40402);
  EXPECT_EQ(Call("GET", "/subjects/users-value/versions/x").body["error_code"], 42202);
  EXPECT_EQ(Call("GET", "/subjects/nobody-value/versions/latest").body["error_code"], 40401);
  EXPECT_EQ(Call("GET", "/schemas/ids/99").body["error_code"], 40403);
  EXPECT_EQ(Client().GetSchema(99).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Client().GetLatest("nobody-value").status().code(), StatusCode::kNotFound);
  Answer unknown = Call("GET", "/nowhere");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.body["error_code"], 404);

  // Deleting a subject keeps its ids readable.
  EXPECT_EQ(Call("DELETE", "/subjects/users-value").body, nlohmann::json::array({1, 2}));
  EXPECT_EQ(Call("GET", "/subjects").body, nlohmann::json::array());
  EXPECT_EQ(*Client().GetSchema(2), v2);
}

TEST_F(DevRegistryTest, SubjectsWithSlashes) {
  ASSERT_OK_AND_ASSIGN(int32_t id, Register("team/orders-value", Record({kId})));
  ASSERT_OK_AND_ASSIGN(SubjectVersion latest, Client().GetLatest("team/orders-value"));
  EXPECT_EQ(latest.id, id);
  EXPECT_EQ(latest.subject, "team/orders-value");
}

// Each level against schema pairs whose outcome the Avro resolution rules decide.
TEST_F(DevRegistryTest, CompatibilityLevels) {
  const std::string v1 = Record({kId, kName});
  struct Change {
    std::string name;
    std::string schema;
  };
  const Change changes[] = {
      {"add-default", Record({kId, kName, kAgeWithDefault})},           // both directions read
      {"add-no-default", Record({kId, kName, kAgeNoDefault})},          // old data lacks age
      {"remove", Record({kId})},                                        // old readers need name
      {"retype", Record({kId, R"({"name": "name", "type": "int"})"})},  // neither reads
  };
  struct Expectation {
    std::string level;
    std::vector<bool> compatible;  // per change
  };
  const Expectation expectations[] = {
      {"BACKWARD", {true, false, true, false}},
      {"FORWARD", {true, true, false, false}},
      {"FULL", {true, false, false, false}},
      {"NONE", {true, true, true, true}},
  };
  for (const Expectation& e : expectations) {
    for (size_t c = 0; c < std::size(changes); ++c) {
      const std::string subject = e.level + "-" + changes[c].name;
      SCOPED_TRACE(subject);
      SetLevel(subject, e.level);
      ASSERT_OK(Register(subject, v1));
      // The compatibility endpoint answers what registering then does.
      Answer check =
          Call("POST", "/compatibility/subjects/" + subject + "/versions/latest?verbose=true",
               {{"schema", changes[c].schema}});
      EXPECT_EQ(check.status, 200);
      EXPECT_EQ(check.body["is_compatible"], e.compatible[c]) << check.body.dump();
      Result<int32_t> id = Register(subject, changes[c].schema);
      if (e.compatible[c]) {
        EXPECT_OK(id);
        EXPECT_EQ(Call("GET", "/subjects/" + subject + "/versions").body.size(), 2u);
      } else {
        ASSERT_FALSE(id.ok());
        EXPECT_EQ(id.status().code(), StatusCode::kInvalidArgument);
        EXPECT_TRUE(Contains(id.status().message(), "HTTP 409, incompatible"));
        EXPECT_TRUE(Contains(id.status().message(), "compatibility " + e.level));
        EXPECT_EQ(Call("GET", "/subjects/" + subject + "/versions").body.size(), 1u);
      }
    }
  }
}

TEST_F(DevRegistryTest, IncompatibleIsConfluent409) {
  ASSERT_OK(Register("users-value", Record({kId, kName})));
  Answer a = Call("POST", "/subjects/users-value/versions",
                  {{"schema", Record({kId, kName, kAgeNoDefault})}});
  EXPECT_EQ(a.status, 409);
  EXPECT_EQ(a.body["error_code"], 409);
  const std::string message = a.body["message"].get<std::string>();
  EXPECT_TRUE(Contains(message, "incompatible with an earlier schema for subject 'users-value'"));
  EXPECT_TRUE(Contains(message, "version 1"));
  EXPECT_TRUE(Contains(message, "'age'"));
}

TEST_F(DevRegistryTest, TransitiveLevelsCheckEveryVersion) {
  // v2 drops age; v3 brings it back as a string: readable after v2, not after v1.
  const std::string v1 = Record({kId, kAgeNoDefault});
  const std::string v2 = Record({kId});
  const std::string v3 = Record({kId, R"({"name": "age", "type": "string", "default": ""})"});
  for (const char* level_name : {"BACKWARD", "BACKWARD_TRANSITIVE"}) {
    const std::string level = level_name;
    SCOPED_TRACE(level);
    SetLevel(level, level);
    ASSERT_OK(Register(level, v1));
    ASSERT_OK(Register(level, v2));
    EXPECT_EQ(Register(level, v3).ok(), level == "BACKWARD");
  }
}

TEST_F(DevRegistryTest, NullsAndEnumSymbolsMustBeReadable) {
  const std::string nullable = Record({kId, R"({"name": "name", "type": ["null", "string"]})"});
  SetLevel("nulls", "FORWARD");
  ASSERT_OK(Register("nulls", Record({kId, kName})));
  // Old readers of a required name cannot read the new schema's nulls.
  EXPECT_FALSE(Register("nulls", nullable).ok());

  const std::string abc = Record(
      {kId, R"({"name": "c", "type": {"type": "enum", "name": "C", "symbols": ["A", "B", "C"]}})"});
  const std::string ab = Record(
      {kId, R"({"name": "c", "type": {"type": "enum", "name": "C", "symbols": ["A", "B"]}})"});
  const std::string ab_default = Record(
      {kId,
       R"({"name": "c", "type": {"type": "enum", "name": "C", "symbols": ["A", "B"], "default": "A"}})"});
  ASSERT_OK(Register("enums", abc));  // BACKWARD: the new schema reads old data
  EXPECT_FALSE(Register("enums", ab).ok());
  EXPECT_OK(Register("enums", ab_default));
}

TEST_F(DevRegistryTest, GlobalAndSubjectConfig) {
  EXPECT_EQ(Call("GET", "/config").body, nlohmann::json({{"compatibilityLevel", "BACKWARD"}}));
  Answer none = Call("GET", "/config/users-value");
  EXPECT_EQ(none.status, 404);
  EXPECT_EQ(none.body["error_code"], 40408);
  EXPECT_EQ(Call("GET", "/config/users-value?defaultToGlobal=true").body["compatibilityLevel"],
            "BACKWARD");
  Answer bad = Call("PUT", "/config", {{"compatibility", "SIDEWAYS"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.body["error_code"], 42203);
  EXPECT_EQ(Call("PUT", "/config", {{"compatibility", "none"}}).body["compatibility"], "NONE");
  // NONE lets anything follow.
  ASSERT_OK(Register("users-value", Record({kId, kName})));
  EXPECT_OK(Register("users-value", Record({kId, kAgeNoDefault})));
  // A subject's own level wins over the global one, until deleted.
  SetLevel("users-value", "FULL");
  EXPECT_EQ(Call("GET", "/config/users-value").body["compatibilityLevel"], "FULL");
  EXPECT_FALSE(Register("users-value", Record({kId})).ok());
  EXPECT_EQ(Call("DELETE", "/config/users-value").body["compatibilityLevel"], "FULL");
  EXPECT_OK(Register("users-value", Record({kId})));
}

TEST_F(DevRegistryTest, InvalidSchemasAre422) {
  for (const std::string& schema : {
           std::string("not json"),
           std::string(
               R"({"type": "record", "name": "R", "fields": [{"name": "x", "type": "nope"}]})"),
       }) {
    SCOPED_TRACE(schema);
    Answer a = Call("POST", "/subjects/bad-value/versions", {{"schema", schema}});
    EXPECT_EQ(a.status, 422);
    EXPECT_EQ(a.body["error_code"], 42201);
    Result<int32_t> id = Register("bad-value", schema);
    ASSERT_FALSE(id.ok());
    EXPECT_TRUE(Contains(id.status().message(), "HTTP 422, invalid"));
  }
  // Nested records are records lakepipe reads: registered like flat ones.
  EXPECT_OK(Register("nested-value",
                     Record({R"({"name": "inner", "type": {"type": "record", )"
                             R"("name": "I", "fields": [{"name": "a", "type": "int"}]}})"})));
  EXPECT_EQ(Call("POST", "/subjects/bad-value/versions",
                 {{"schema", Record({kId})}, {"schemaType", "PROTOBUF"}})
                .body["error_code"],
            42201);
  EXPECT_EQ(Call("GET", "/subjects").body, nlohmann::json::array({"nested-value"}));
}

TEST_F(DevRegistryTest, APortInUseIsNamed) {
  const std::string url = registry_->url();
  const int port = std::stoi(url.substr(url.rfind(':') + 1));
  Result<std::unique_ptr<DevRegistry>> second = DevRegistry::Start({.port = port});
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Contains(second.status().message(), std::to_string(port)));
}

}  // namespace
}  // namespace lakepipe::registry

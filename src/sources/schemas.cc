#include <cstdio>
#include <cstdlib>

#include "sources/builtin_schemas.h"
#include "sources/source.h"

namespace lakepipe {
namespace {

// The compiled-in text is checked by the tests, so a parse failure is a
// build defect: stop loudly rather than run without a schema.
SchemaPtr ParseBuiltin(const char* name, const char* text) {
  Result<Schema> schema = Schema::FromAvroJson(text, SchemaParseOptions{.complete_types = true});
  if (!schema.ok()) {
    std::fprintf(stderr, "lakepipe: built-in schema %s is invalid: %s\n", name,
                 schema.status().ToString().c_str());
    std::abort();
  }
  return std::make_shared<const Schema>(std::move(schema).value());
}

}  // namespace

const SchemaPtr& UserSchemaPtr() {
  static const SchemaPtr schema = ParseBuiltin("user.avsc", sources::UserAvsc());
  return schema;
}

const SchemaPtr& UserActivitySchemaPtr() {
  static const SchemaPtr schema = ParseBuiltin("user_activity.avsc", sources::UserActivityAvsc());
  return schema;
}

const SchemaPtr& UserApiSchemaPtr() {
  static const SchemaPtr schema = ParseBuiltin("user_api.avsc", sources::UserApiAvsc());
  return schema;
}

const SchemaPtr& UserSchemaPtr(UserShape shape) {
  return shape == UserShape::kApi ? UserApiSchemaPtr() : UserSchemaPtr();
}

Result<UserShape> ParseUserShape(std::string_view name) {
  if (name == "flat") return UserShape::kFlat;
  if (name == "api") return UserShape::kApi;
  return InvalidArgumentError(
      "unknown shape '{}': use flat (one column per value) or api (the randomuser.me API's "
      "nested objects)",
      name);
}

std::string_view UserShapeName(UserShape shape) {
  return shape == UserShape::kApi ? "api" : "flat";
}

const Schema& UserSchema() { return *UserSchemaPtr(); }
const Schema& UserActivitySchema() { return *UserActivitySchemaPtr(); }
const Schema& UserApiSchema() { return *UserApiSchemaPtr(); }

}  // namespace lakepipe

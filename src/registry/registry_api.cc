#include "registry/registry_api.h"

#include <charconv>
#include <limits>
#include <optional>
#include <utility>

#include <fmt/format.h>

namespace lakepipe::registry {
namespace {

ApiReply Error(int status, int code, std::string message) {
  return ApiReply{status, {{"error_code", code}, {"message", std::move(message)}}};
}

ApiReply SubjectNotFound(const std::string& subject) {
  return Error(404, 40401, fmt::format("Subject '{}' not found.", subject));
}

struct SchemaRequest {
  std::string text;
  std::string canonical;  // the parsed JSON, dumped: equal for the same schema
  SchemaPtr schema;
};

std::optional<nlohmann::json> ParseObject(const std::string& body) {
  nlohmann::json json = nlohmann::json::parse(body, nullptr, false);
  if (!json.is_object()) return std::nullopt;
  return json;
}

ApiReply NotAnObject() {
  return Error(400, 400,
               "The request body must be a JSON object, e.g. {\"schema\": \"<Avro schema JSON>\"}");
}

// Reads {"schema": "...", "schemaType": "AVRO", "references": []}.
std::optional<ApiReply> ParseSchemaRequest(const std::string& body, SchemaRequest* out) {
  std::optional<nlohmann::json> json = ParseObject(body);
  if (!json) return NotAnObject();
  auto type = json->find("schemaType");
  if (type != json->end() && !(type->is_string() && type->get<std::string>() == "AVRO")) {
    return Error(422, 42201,
                 fmt::format("Invalid schema: schemaType {} is not supported; this registry "
                             "holds Avro schemas only",
                             type->dump()));
  }
  auto references = json->find("references");
  if (references != json->end() && !references->is_null() && !references->empty()) {
    return Error(422, 42201, "Invalid schema: schema references are not supported");
  }
  auto schema = json->find("schema");
  if (schema == json->end() || !schema->is_string() || schema->get<std::string>().empty()) {
    return Error(422, 42201, "Empty schema: give the Avro schema as a string in \"schema\"");
  }
  out->text = schema->get<std::string>();
  nlohmann::json parsed = nlohmann::json::parse(out->text, nullptr, false);
  if (parsed.is_discarded()) {
    return Error(422, 42201, "Invalid schema: the \"schema\" string is not JSON");
  }
  Result<Schema> avro = Schema::FromAvroJson(out->text);
  if (!avro.ok()) {
    return Error(422, 42201,
                 fmt::format("Invalid schema: {} (this registry takes Avro records)",
                             avro.status().message()));
  }
  out->canonical = parsed.dump();
  out->schema = std::make_shared<const Schema>(std::move(avro).value());
  return std::nullopt;
}

}  // namespace

RegistryApi::RegistryApi(CompatibilityLevel level) : global_level_(level) {}

const std::vector<int32_t>* RegistryApi::FindSubject(const std::string& subject) const {
  auto it = subjects_.find(subject);
  return it == subjects_.end() ? nullptr : &it->second;
}

bool RegistryApi::FindVersion(const std::string& subject, const std::string& version, size_t* index,
                              ApiReply* error) const {
  int64_t number = 0;
  if (version == "latest") {
    number = -1;
  } else {
    const auto [end, ec] = std::from_chars(version.data(), version.data() + version.size(), number);
    if (ec != std::errc() || end != version.data() + version.size() ||
        (number < 1 && number != -1) || number > std::numeric_limits<int32_t>::max()) {
      *error = Error(422, 42202,
                     fmt::format("The specified version '{}' is not a valid version id. Allowed "
                                 "values are between [1, 2^31-1] and the string \"latest\"",
                                 version));
      return false;
    }
  }
  const std::vector<int32_t>* ids = FindSubject(subject);
  if (ids == nullptr) {
    *error = SubjectNotFound(subject);
    return false;
  }
  if (number == -1) number = static_cast<int64_t>(ids->size());
  if (number < 1 || static_cast<size_t>(number) > ids->size()) {
    *error = Error(404, 40402, fmt::format("Version {} not found.", version));
    return false;
  }
  *index = static_cast<size_t>(number - 1);
  return true;
}

CompatibilityLevel RegistryApi::LevelOf(const std::string& subject) const {
  auto it = subject_levels_.find(subject);
  return it == subject_levels_.end() ? global_level_ : it->second;
}

std::vector<SchemaVersion> RegistryApi::Earlier(const std::vector<int32_t>& ids) const {
  std::vector<SchemaVersion> out;
  for (size_t i = 0; i < ids.size(); ++i) {
    out.push_back(
        {static_cast<int32_t>(i + 1), schemas_[static_cast<size_t>(ids[i] - 1)].schema.get()});
  }
  return out;
}

ApiReply RegistryApi::Register(const std::string& subject, const std::string& body) {
  SchemaRequest request;
  if (auto error = ParseSchemaRequest(body, &request)) return *error;
  std::lock_guard<std::mutex> lock(mu_);
  auto known = ids_.find(request.canonical);
  const std::vector<int32_t>* ids = FindSubject(subject);
  if (ids != nullptr) {
    for (int32_t id : *ids) {
      if (known != ids_.end() && id == known->second) return ApiReply{200, {{"id", id}}};
    }
    std::vector<std::string> problems =
        CompatibilityProblems(LevelOf(subject), *request.schema, Earlier(*ids));
    if (!problems.empty()) {
      return Error(409, 409,
                   fmt::format("Schema being registered is incompatible with an earlier schema "
                               "for subject '{}' (compatibility {}): {}",
                               subject, CompatibilityLevelName(LevelOf(subject)),
                               fmt::join(problems, "; ")));
    }
  }
  int32_t id = 0;
  if (known != ids_.end()) {
    id = known->second;
  } else {
    schemas_.push_back({request.text, request.schema});
    id = static_cast<int32_t>(schemas_.size());
    ids_.emplace(request.canonical, id);
  }
  subjects_[subject].push_back(id);
  return ApiReply{200, {{"id", id}}};
}

ApiReply RegistryApi::Lookup(const std::string& subject, const std::string& body) const {
  SchemaRequest request;
  if (auto error = ParseSchemaRequest(body, &request)) return *error;
  std::lock_guard<std::mutex> lock(mu_);
  const std::vector<int32_t>* ids = FindSubject(subject);
  if (ids == nullptr) return SubjectNotFound(subject);
  auto known = ids_.find(request.canonical);
  for (size_t i = 0; known != ids_.end() && i < ids->size(); ++i) {
    if ((*ids)[i] != known->second) continue;
    return ApiReply{200,
                    {{"subject", subject},
                     {"version", i + 1},
                     {"id", known->second},
                     {"schema", schemas_[static_cast<size_t>(known->second - 1)].text}}};
  }
  return Error(404, 40403, fmt::format("Schema not found under subject '{}'.", subject));
}

ApiReply RegistryApi::Subjects() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json names = nlohmann::json::array();
  for (const auto& [name, ids] : subjects_) names.push_back(name);
  return ApiReply{200, std::move(names)};
}

ApiReply RegistryApi::Versions(const std::string& subject) const {
  std::lock_guard<std::mutex> lock(mu_);
  const std::vector<int32_t>* ids = FindSubject(subject);
  if (ids == nullptr) return SubjectNotFound(subject);
  nlohmann::json versions = nlohmann::json::array();
  for (size_t i = 0; i < ids->size(); ++i) versions.push_back(i + 1);
  return ApiReply{200, std::move(versions)};
}

ApiReply RegistryApi::Version(const std::string& subject, const std::string& version) const {
  std::lock_guard<std::mutex> lock(mu_);
  size_t index = 0;
  ApiReply error;
  if (!FindVersion(subject, version, &index, &error)) return error;
  const int32_t id = subjects_.at(subject)[index];
  return ApiReply{200,
                  {{"subject", subject},
                   {"version", index + 1},
                   {"id", id},
                   {"schema", schemas_[static_cast<size_t>(id - 1)].text}}};
}

ApiReply RegistryApi::VersionSchema(const std::string& subject, const std::string& version) const {
  ApiReply reply = Version(subject, version);
  if (reply.status != 200) return reply;
  return ApiReply{200, nlohmann::json::parse(reply.body["schema"].get<std::string>())};
}

ApiReply RegistryApi::DeleteSubject(const std::string& subject) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = subjects_.find(subject);
  if (it == subjects_.end()) return SubjectNotFound(subject);
  nlohmann::json versions = nlohmann::json::array();
  for (size_t i = 0; i < it->second.size(); ++i) versions.push_back(i + 1);
  subjects_.erase(it);
  return ApiReply{200, std::move(versions)};
}

ApiReply RegistryApi::SchemaById(const std::string& id_text) const {
  int64_t id = 0;
  const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), id);
  std::lock_guard<std::mutex> lock(mu_);
  if (ec != std::errc() || end != id_text.data() + id_text.size() || id < 1 ||
      static_cast<size_t>(id) > schemas_.size()) {
    return Error(404, 40403, fmt::format("Schema {} not found", id_text));
  }
  return ApiReply{200, {{"schema", schemas_[static_cast<size_t>(id - 1)].text}}};
}

ApiReply RegistryApi::TestCompatibility(const std::string& subject, const std::string& version,
                                        const std::string& body, bool verbose) const {
  SchemaRequest request;
  if (auto error = ParseSchemaRequest(body, &request)) return *error;
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<SchemaVersion> against;
  if (version.empty()) {
    if (const std::vector<int32_t>* ids = FindSubject(subject)) against = Earlier(*ids);
  } else {
    size_t index = 0;
    ApiReply error;
    if (!FindVersion(subject, version, &index, &error)) return error;
    against = {Earlier(subjects_.at(subject))[index]};
  }
  std::vector<std::string> problems =
      CompatibilityProblems(LevelOf(subject), *request.schema, against);
  ApiReply reply{200, {{"is_compatible", problems.empty()}}};
  if (verbose) reply.body["messages"] = problems;
  return reply;
}

ApiReply RegistryApi::GetConfig(const std::string& subject, bool default_to_global) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = subject_levels_.find(subject);
  if (!subject.empty() && it == subject_levels_.end() && !default_to_global) {
    return Error(404, 40408,
                 fmt::format("Subject '{}' does not have subject-level compatibility configured; "
                             "add ?defaultToGlobal=true for the global level",
                             subject));
  }
  const CompatibilityLevel level = it == subject_levels_.end() ? global_level_ : it->second;
  return ApiReply{200, {{"compatibilityLevel", std::string(CompatibilityLevelName(level))}}};
}

ApiReply RegistryApi::SetConfig(const std::string& subject, const std::string& body) {
  std::optional<nlohmann::json> json = ParseObject(body);
  if (!json) return NotAnObject();
  auto value = json->find("compatibility");
  std::optional<CompatibilityLevel> level;
  if (value != json->end() && value->is_string()) {
    level = ParseCompatibilityLevel(value->get<std::string>());
  }
  if (!level) {
    return Error(
        422, 42203,
        fmt::format("Invalid compatibility level {}: give {{\"compatibility\": L}} with "
                    "L one of {}",
                    value == json->end() ? "(none)" : value->dump(), CompatibilityLevelNames()));
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (subject.empty()) {
    global_level_ = *level;
  } else {
    subject_levels_[subject] = *level;
  }
  return ApiReply{200, {{"compatibility", std::string(CompatibilityLevelName(*level))}}};
}

ApiReply RegistryApi::DeleteConfig(const std::string& subject) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = subject_levels_.find(subject);
  if (it == subject_levels_.end()) {
    return Error(
        404, 40408,
        fmt::format("Subject '{}' does not have subject-level compatibility configured", subject));
  }
  ApiReply reply{200, {{"compatibilityLevel", std::string(CompatibilityLevelName(it->second))}}};
  subject_levels_.erase(it);
  return reply;
}

}  // namespace lakepipe::registry

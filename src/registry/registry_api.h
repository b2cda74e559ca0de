// The in-memory state of the development schema registry and the semantics
// of the Confluent Schema Registry REST API over it, without the HTTP
// transport (dev_registry.h serves it). Each method is one endpoint and
// returns the HTTP status and JSON body to answer with; errors are
// Confluent's {"error_code": N, "message": "..."}:
//   400   the request body is not a JSON object
//   404   40401 subject, 40402 version, 40403 schema not found;
//         40408 the subject has no compatibility level of its own
//   409   409 the schema is incompatible with earlier versions
//   422   42201 invalid schema, 42202 invalid version, 42203 invalid
//         compatibility level
//
// Schemas are Avro records lakepipe reads (core/schema.h: flat records);
// other schema types, references and nested types are invalid (42201). A
// schema is the same as another when their JSON is equal after parsing
// (whitespace and key order do not matter); the same schema keeps one id
// across subjects, and is stored as first registered.
//
// Thread-safety: thread-safe (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/schema.h"
#include "registry/compatibility.h"

namespace lakepipe::registry {

struct ApiReply {
  int status = 200;
  nlohmann::json body = nlohmann::json::object();
};

class RegistryApi {
 public:
  explicit RegistryApi(CompatibilityLevel level = CompatibilityLevel::kBackward);

  // POST /subjects/{subject}/versions {"schema": "..."} -> {"id": N}. The
  // same schema again returns its id without a new version.
  ApiReply Register(const std::string& subject, const std::string& body);
  // POST /subjects/{subject} -> {"subject", "version", "id", "schema"}.
  ApiReply Lookup(const std::string& subject, const std::string& body) const;
  // GET /subjects -> ["a", "b"].
  ApiReply Subjects() const;
  // GET /subjects/{subject}/versions -> [1, 2].
  ApiReply Versions(const std::string& subject) const;
  // GET /subjects/{subject}/versions/{version} (a number, "latest" or -1).
  ApiReply Version(const std::string& subject, const std::string& version) const;
  // GET /subjects/{subject}/versions/{version}/schema -> the schema itself.
  ApiReply VersionSchema(const std::string& subject, const std::string& version) const;
  // DELETE /subjects/{subject} -> the versions deleted; ids stay readable.
  ApiReply DeleteSubject(const std::string& subject);
  // GET /schemas/ids/{id} -> {"schema": "..."}.
  ApiReply SchemaById(const std::string& id) const;
  // POST /compatibility/subjects/{subject}/versions/{version}, or against
  // the versions the subject's level names when `version` is empty
  // -> {"is_compatible": bool}, with "messages" when `verbose`.
  ApiReply TestCompatibility(const std::string& subject, const std::string& version,
                             const std::string& body, bool verbose) const;
  // GET /config -> {"compatibilityLevel": "BACKWARD"}; with a subject, its
  // own level (or the global one when `default_to_global`).
  ApiReply GetConfig(const std::string& subject, bool default_to_global) const;
  // PUT /config[/{subject}] {"compatibility": "FULL"} -> {"compatibility": "FULL"}.
  ApiReply SetConfig(const std::string& subject, const std::string& body);
  // DELETE /config/{subject}: back to the global level.
  ApiReply DeleteConfig(const std::string& subject);

 private:
  struct Stored {
    std::string text;  // as first registered
    SchemaPtr schema;
  };

  // The subject's schema ids, version i + 1 at index i; nullptr when the
  // subject does not exist.
  const std::vector<int32_t>* FindSubject(const std::string& subject) const;
  // Resolves `version` of `subject` to an index into its ids, or fills
  // `*error`.
  bool FindVersion(const std::string& subject, const std::string& version, size_t* index,
                   ApiReply* error) const;
  CompatibilityLevel LevelOf(const std::string& subject) const;
  std::vector<SchemaVersion> Earlier(const std::vector<int32_t>& ids) const;

  mutable std::mutex mu_;
  CompatibilityLevel global_level_;
  std::map<std::string, CompatibilityLevel> subject_levels_;
  std::vector<Stored> schemas_;         // id i + 1 at index i
  std::map<std::string, int32_t> ids_;  // canonical JSON -> id
  std::map<std::string, std::vector<int32_t>> subjects_;
};

}  // namespace lakepipe::registry

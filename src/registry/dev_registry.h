// An in-memory schema registry for development and tests: the Confluent
// Schema Registry REST API (the endpoints of registry_api.h) over HTTP on
// a loopback address, served by cpp-httplib in background threads. What is
// registered is lost when it stops.
//
//   auto registry = DevRegistry::Start({.port = 0});
//   registry::SchemaRegistryClient client({.url = (*registry)->url()});
//
// Endpoints (the subject is percent-decoded; it may contain '/'):
//   GET    /                                          {}
//   GET    /subjects                                  ["users-value", ...]
//   POST   /subjects/{s}/versions                     register -> {"id": N}
//   GET    /subjects/{s}/versions                     [1, 2, ...]
//   GET    /subjects/{s}/versions/{v|latest}          {"subject", "version", "id", "schema"}
//   GET    /subjects/{s}/versions/{v|latest}/schema   the schema
//   POST   /subjects/{s}                              look a schema up
//   DELETE /subjects/{s}                              [1, 2, ...]
//   GET    /schemas/ids/{id}                          {"schema": "..."}
//   GET    /schemas/types                             ["AVRO"]
//   POST   /compatibility/subjects/{s}/versions[/{v}] {"is_compatible": bool} (?verbose=true)
//   GET    /config, PUT /config                       the global compatibility level
//   GET    /config/{s} (?defaultToGlobal=true), PUT, DELETE
// Answers are application/vnd.schemaregistry.v1+json; errors are
// {"error_code": N, "message": "..."} (unknown paths: 404, error_code 404).
//
// Thread-safety: Start, url and the destructor from one thread; requests
// are served concurrently.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "registry/compatibility.h"

namespace lakepipe::registry {

struct DevRegistryOptions {
  std::string host = "127.0.0.1";  // the address to listen on
  int port = 8081;                 // 0: a free port chosen by the system
  // The global compatibility level until PUT /config changes it.
  CompatibilityLevel compatibility = CompatibilityLevel::kBackward;
};

class DevRegistry {
 public:
  // Listens and serves until destroyed. kFailedPrecondition when the
  // address cannot be bound (the port in use, or the host not local).
  [[nodiscard]] static Result<std::unique_ptr<DevRegistry>> Start(DevRegistryOptions options);
  ~DevRegistry();
  DevRegistry(const DevRegistry&) = delete;
  DevRegistry& operator=(const DevRegistry&) = delete;

  // "http://127.0.0.1:8081": the base URL clients use.
  const std::string& url() const { return url_; }

 private:
  struct Impl;
  explicit DevRegistry(std::unique_ptr<Impl> impl);

  std::unique_ptr<Impl> impl_;
  std::string url_;
};

}  // namespace lakepipe::registry

// Sources: where records come from before they go to Kafka.
//
//   Source          yields record batches of one schema: generators (users,
//                   activity), an HTTP API (randomuser) or a file.
//   SourceOptions   one documented struct of every source's options.
//   SourceRegistry  maps names ("users", "file") to factories; filled
//                   explicitly by RegisterBuiltinSources().
//   OpenSource      opens a source from a spec such as "users" or
//                   "file:events.parquet".
//
// Thread-safety: a Source is used by one thread at a time; distinct sources
// are independent. The registry is read-only after registration, and the
// schema accessors are thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "core/result.h"
#include "core/schema.h"
#include "formats/format.h"
#include "http/http_client.h"

namespace lakepipe {

// A source of records: generators, HTTP APIs, files.
class Source {
 public:
  virtual ~Source() = default;
  virtual const SchemaPtr& schema() const = 0;
  // Clears `batch` (schema() batch) and fills it with up to `max_rows`
  // records. Returns false once a finite source is exhausted (file; the
  // batch is then empty); generators never end, and a batch returned with
  // true holds at least one record. Transient failures are retried inside
  // (HTTP); a failure that outlives the retries is returned. max_rows == 0
  // is kInvalidArgument.
  virtual Result<bool> Next(RecordBatch* batch, size_t max_rows) = 0;
  // Records rejected so far (sent to SourceOptions::bad_records).
  virtual uint64_t rejected() const { return 0; }
  // Field whose value keys Kafka records by default ("id" for users,
  // "user_id" for activity; "" for files).
  virtual std::string default_key_field() const = 0;
};

// The shape of the people that users and randomuser produce.
enum class UserShape {
  kFlat,  // schemas/user.avsc: one column per value (address as one string)
  kApi,   // schemas/user_api.avsc: the randomuser.me API's nested objects
};
// "flat" or "api"; anything else is kInvalidArgument naming both.
Result<UserShape> ParseUserShape(std::string_view name);
std::string_view UserShapeName(UserShape shape);
// Both names, for --help.
inline constexpr std::string_view kUserShapeNames = "flat, api";

struct SourceOptions {
  // Generators: deterministic output for a seed (the same records on every
  // run and machine); random when unset. randomuser: sent as the API's
  // `seed` parameter with consecutive `page`s, so the API returns the same
  // people again.
  std::optional<uint64_t> seed;
  // Generators: the instant generated times count back from, in ms since
  // the epoch (users: ages and registration dates; activity: the simulated
  // day starts 24 h before it). Unset: the current time, or with a seed the
  // fixed 2026-01-01T00:00:00Z, so that seeded output does not depend on
  // the day it is made.
  std::optional<int64_t> now_millis;
  // users and randomuser: the records' shape (the other sources have one).
  UserShape shape = UserShape::kFlat;
  std::string url = "https://randomuser.me/api/";  // randomuser
  size_t batch = 100;                              // randomuser: results per request, 1..5000
  // randomuser; each retry is logged; a host name that does not resolve or
  // a refused loopback port is retried only briefly.
  RetryPolicy retry{.brief_when_unreachable = true};
  std::chrono::milliseconds timeout{30000};  // randomuser: per request
  // file: read as this schema (null: the file's own / inferred).
  SchemaPtr file_schema;
  // Where malformed records go (null: they stop the source with an error).
  BadRecordSink bad_records;
};

// One kind of source in the registry.
struct SourceInfo {
  std::string name;         // "users", "file"
  std::string description;  // one line for --help
  // "file:PATH": the spec carries an argument after the colon; its
  // placeholder for help texts ("PATH"), "" for sources without one.
  std::string argument;
  std::function<Result<std::unique_ptr<Source>>(std::string_view argument,
                                                const SourceOptions& options)>
      open;
};

class SourceRegistry {
 public:
  // The process-wide registry with the built-in sources.
  static const SourceRegistry& Default();

  // Fails with kAlreadyExists when the name is taken.
  Status Register(SourceInfo info);
  // Opens "name" or "name:argument". Unknown names: kInvalidArgument
  // listing the valid ones.
  Result<std::unique_ptr<Source>> Open(std::string_view spec, const SourceOptions& options) const;
  // "users", ..., "file:PATH" in registration order.
  std::vector<std::string> Names() const;
  const std::vector<SourceInfo>& sources() const { return sources_; }

 private:
  std::vector<SourceInfo> sources_;
};

// Registers users, activity, randomuser and file.
void RegisterBuiltinSources(SourceRegistry* registry);

// "users", "activity", "randomuser", or "file:PATH" (PATH: a path or URI,
// format by extension). Unknown names: kInvalidArgument listing the valid
// ones. Uses SourceRegistry::Default().
Result<std::unique_ptr<Source>> OpenSource(std::string_view spec, const SourceOptions& options);
// The specs OpenSource accepts, for --help.
std::vector<std::string> SourceNames();

// The schemas shipped in schemas/*.avsc, compiled into the binary (so the
// binary needs no repository files). avro_json() is the file's text.
const Schema& UserSchema();
const Schema& UserActivitySchema();
const Schema& UserApiSchema();
// The same schemas as shared pointers, for RecordBatch.
const SchemaPtr& UserSchemaPtr();
const SchemaPtr& UserActivitySchemaPtr();
const SchemaPtr& UserApiSchemaPtr();
// The schema of people of `shape`: user.avsc or user_api.avsc.
const SchemaPtr& UserSchemaPtr(UserShape shape);

}  // namespace lakepipe

// Catalog: where a table's current metadata is found and how a new version
// of it is committed. Chosen by `catalog.type` from an explicit registry:
//   file  metadata/v<N>.metadata.json + version-hint.text under the table's
//         location; a commit creates v<N+1> exclusively (local: create
//         exclusive; S3: PUT with If-None-Match: *), then rewrites the hint.
//   sql   a SQLite database with the SQL catalog schema shared by the Java
//         JDBC catalog, pyiceberg, iceberg-go and iceberg-rust
//         (iceberg_tables, iceberg_namespace_properties); a commit writes
//         the new metadata file, then swaps metadata_location from the base's
//         to it in one UPDATE ... WHERE metadata_location = <base>.
//   rest  the Iceberg REST catalog protocol (config, namespaces, create /
//         load / commit table with requirements and updates), with bearer
//         tokens, OAuth2 client credentials or SigV4 signing.
//
// Commit outcomes are Status codes with retry meaning:
//   OK                   committed;
//   kFailedPrecondition  refused (someone committed first, a requirement
//     failed: REST 409, a lost compare-and-swap, an existing v<N+1>):
//     reload, rebase, retry;
//   kUnavailable         the outcome is unknown (5xx, timeout, connection
//     lost after sending): reload and look for the commit before retrying;
//   anything else        fails the commit.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "iceberg/table_metadata.h"

namespace lakepipe::iceberg {

// "db.events" / "a.b.events": namespace levels and the table name.
struct TableIdentifier {
  std::vector<std::string> namespace_levels;
  std::string name;

  static Result<TableIdentifier> Parse(std::string_view dotted);
  std::string ToString() const;  // dotted
};

// `catalog:` config section (config/lakepipe.example.yaml documents it).
struct CatalogOptions {
  std::string type = "file";      // file | sql | rest
  std::string name = "lakepipe";  // the catalog name (sql: catalog_name column)
  // Where new tables are created: <warehouse>/<namespace>/<table> (file,
  // sql; a REST server chooses its own unless it takes a location).
  std::string warehouse;
  std::string uri;  // sql: path of the SQLite file; rest: the server's base URL
  // rest authentication: a bearer token, or OAuth2 client credentials
  // ("<client_id>:<client_secret>") exchanged at oauth2_server_uri (default
  // <uri>/v1/oauth/tokens) for a token, refreshed before it expires.
  std::string token;
  std::string credential;
  std::string oauth2_server_uri;
  std::string scope = "catalog";
  // rest: sign requests with SigV4 (AWS Glue / S3 Tables) for this region
  // and service ("glue", "s3tables"); credentials from the environment.
  bool sigv4 = false;
  std::string signing_region;
  std::string signing_name = "glue";
  std::string prefix;  // rest: path prefix; "" takes the server's config
  std::chrono::milliseconds timeout{30000};
  std::map<std::string, std::string> properties;  // passed to the server
};

struct LoadedTable {
  TableMetadata metadata;
  std::string metadata_location;  // the URI of the metadata file read
};

// What a commit asserts and changes, in the REST catalog's terms; the file
// and sql catalogs check `requirements` against the base they read and
// write `updated` as the next metadata file.
struct TableCommit {
  // e.g. {"type":"assert-table-uuid","uuid":...},
  //      {"type":"assert-ref-snapshot-id","ref":"main","snapshot-id":N|null}
  nlohmann::json requirements = nlohmann::json::array();
  // e.g. {"action":"add-snapshot","snapshot":{...}},
  //      {"action":"set-snapshot-ref","ref-name":"main","type":"branch","snapshot-id":N}
  nlohmann::json updates = nlohmann::json::array();
};

class Catalog {
 public:
  virtual ~Catalog() = default;
  virtual std::string_view type() const = 0;
  // kNotFound when the table does not exist.
  virtual Result<LoadedTable> LoadTable(const TableIdentifier& id) = 0;
  // Creates the table from `metadata` (its location decided by the caller
  // from DefaultLocation or by the server); kAlreadyExists when it exists.
  virtual Result<LoadedTable> CreateTable(const TableIdentifier& id,
                                          const TableMetadata& metadata) = 0;
  // Commits `updated` (= `base` + `commit.updates`) over `base`.
  virtual Result<LoadedTable> CommitTable(const TableIdentifier& id, const LoadedTable& base,
                                          const TableMetadata& updated,
                                          const TableCommit& commit) = 0;
  // Where a new table is placed: <warehouse>/<ns...>/<name>.
  virtual Result<std::string> DefaultLocation(const TableIdentifier& id) = 0;
  // For `lakepipe sql`: how a warehouse reaches this table, e.g. the
  // metadata file URI or the REST URI.
  virtual nlohmann::json Describe() const = 0;
};

using CatalogFactory = std::function<Result<std::unique_ptr<Catalog>>(const CatalogOptions&)>;

class CatalogRegistry {
 public:
  static CatalogRegistry& Default();  // file, sql, rest registered
  void Register(std::string type, CatalogFactory factory);
  // Names the known types when `options.type` is not one.
  Result<std::unique_ptr<Catalog>> Make(const CatalogOptions& options) const;
  std::vector<std::string> Types() const;

 private:
  std::vector<std::pair<std::string, CatalogFactory>> factories_;
};

// Checks a commit's requirements (the REST catalog's assert-create,
// assert-table-uuid, assert-ref-snapshot-id, assert-current-schema-id,
// assert-last-assigned-field-id, assert-last-assigned-partition-id,
// assert-default-spec-id, assert-default-sort-order-id) against `base`
// (null: the table does not exist). kFailedPrecondition names the one
// that failed; kInvalidArgument an unknown or malformed requirement.
Status CheckRequirements(const TableMetadata* base, const nlohmann::json& requirements);

// "<warehouse>/<ns...>/<name>", for DefaultLocation; kInvalidArgument when
// `warehouse` is empty.
Result<std::string> WarehouseLocation(std::string_view warehouse, const TableIdentifier& id);

// The factories built in (file_catalog.cc, sql_catalog.cc, rest_catalog.cc).
Result<std::unique_ptr<Catalog>> MakeFileCatalog(const CatalogOptions& options);
Result<std::unique_ptr<Catalog>> MakeSqlCatalog(const CatalogOptions& options);
Result<std::unique_ptr<Catalog>> MakeRestCatalog(const CatalogOptions& options);

}  // namespace lakepipe::iceberg

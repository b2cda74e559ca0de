// The "sql" catalog: a SQLite database with the tables the Java JDBC
// catalog, pyiceberg, iceberg-go and iceberg-rust share.
//
//   iceberg_tables(catalog_name, table_namespace, table_name,
//                  metadata_location, previous_metadata_location,
//                  iceberg_type)                      -- the JDBC "V1" schema
//   iceberg_namespace_properties(catalog_name, namespace, property_key,
//                                property_value)
//
// Both are created when missing, with the JDBC catalog's DDL; a database
// made by pyiceberg (no iceberg_type column) is used as it is. Namespaces are
// their levels joined with '.', and a new one gets the row
// ('exists', 'true') as both catalogs write it. Metadata files are
// <location>/metadata/<5-digit version>-<uuid>.metadata.json, version 0 at
// create. A commit writes the next file, then swaps metadata_location from
// the base's with one guarded UPDATE: 0 rows means another writer committed
// first (kFailedPrecondition; the file written is deleted). A database
// locked for longer than the catalog timeout gives kUnavailable.
#include <sqlite3.h>

#include <chrono>
#include <mutex>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "iceberg/catalog.h"
#include "storage/object_store.h"

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

constexpr const char* kCreateTables =
    "CREATE TABLE IF NOT EXISTS iceberg_tables("
    "catalog_name VARCHAR(255) NOT NULL,"
    "table_namespace VARCHAR(255) NOT NULL,"
    "table_name VARCHAR(255) NOT NULL,"
    "metadata_location VARCHAR(1000),"
    "previous_metadata_location VARCHAR(1000),"
    "iceberg_type VARCHAR(5),"
    "PRIMARY KEY (catalog_name, table_namespace, table_name))";
constexpr const char* kCreateNamespaceProperties =
    "CREATE TABLE IF NOT EXISTS iceberg_namespace_properties("
    "catalog_name VARCHAR(255) NOT NULL,"
    "namespace VARCHAR(255) NOT NULL,"
    "property_key VARCHAR(255),"
    "property_value VARCHAR(1000),"
    "PRIMARY KEY (catalog_name, namespace, property_key))";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status SqlError(sqlite3* db, int rc, std::string_view what) {
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    return UnavailableError("sql catalog: {}: the database stayed locked ({}); retry", what,
                            sqlite3_errmsg(db));
  }
  return IoError("sql catalog: {}: {}", what, sqlite3_errmsg(db));
}

// A statement with its parameters bound as text.
Result<StmtPtr> Prepare(sqlite3* db, std::string_view sql, const std::vector<std::string>& args) {
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
  StmtPtr stmt(raw);
  if (rc != SQLITE_OK) return SqlError(db, rc, "preparing a statement");
  for (size_t i = 0; i < args.size(); ++i) {
    rc = sqlite3_bind_text(stmt.get(), static_cast<int>(i + 1), args[i].data(),
                           static_cast<int>(args[i].size()), SQLITE_TRANSIENT);
    if (rc != SQLITE_OK) return SqlError(db, rc, "binding a parameter");
  }
  return stmt;
}

// Runs a statement that returns no rows; the number of rows it changed.
Result<int> Exec(sqlite3* db, std::string_view sql, const std::vector<std::string>& args,
                 std::string_view what) {
  LP_ASSIGN_OR_RETURN(StmtPtr stmt, Prepare(db, sql, args));
  int rc = sqlite3_step(stmt.get());
  if (rc != SQLITE_DONE) return SqlError(db, rc, what);
  return sqlite3_changes(db);
}

// The first column of each row, as text (NULL as "").
Result<std::vector<std::string>> Query(sqlite3* db, std::string_view sql,
                                       const std::vector<std::string>& args,
                                       std::string_view what) {
  LP_ASSIGN_OR_RETURN(StmtPtr stmt, Prepare(db, sql, args));
  std::vector<std::string> out;
  for (;;) {
    int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) return out;
    if (rc != SQLITE_ROW) return SqlError(db, rc, what);
    const unsigned char* text = sqlite3_column_text(stmt.get(), 0);
    out.emplace_back(text ? reinterpret_cast<const char*>(text) : "");
  }
}

// "sqlite:///rel.db", "sqlite:////abs.db" (SQLAlchemy), "jdbc:sqlite:x.db"
// or a plain path: the file's path.
std::string DatabasePath(std::string_view uri) {
  for (std::string_view prefix : {"jdbc:sqlite:", "sqlite:///"}) {
    if (uri.starts_with(prefix)) return std::string(uri.substr(prefix.size()));
  }
  return std::string(uri);
}

// N of "<N>-<uuid>.metadata.json", or -1 (as Java parses it).
int64_t VersionOf(std::string_view location) {
  std::string_view name = location.substr(location.rfind('/') + 1);
  size_t dash = name.find('-');
  if (dash == std::string_view::npos || dash == 0) return -1;
  int64_t n = 0;
  for (char c : name.substr(0, dash)) {
    if (c < '0' || c > '9') return -1;
    n = n * 10 + (c - '0');
  }
  return n;
}

void DeleteQuietly(const std::string& uri) {
  auto loc = ObjectStoreRegistry::Default().Resolve(uri);
  if (loc.ok()) loc->store->Delete(loc->path).IgnoreError();
}

Result<TableMetadata> ReadMetadata(const std::string& uri) {
  LP_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> in, OpenInputFile(uri));
  LP_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(in.get()));
  auto m = TableMetadata::Parse(text);
  if (!m.ok()) return m.status().WithContext(uri);
  return m;
}

class SqlCatalog final : public Catalog {
 public:
  SqlCatalog(CatalogOptions options, DbPtr db, bool typed)
      : options_(std::move(options)), db_(std::move(db)), typed_(typed) {}

  std::string_view type() const override { return "sql"; }

  Result<LoadedTable> LoadTable(const TableIdentifier& id) override {
    LP_ASSIGN_OR_RETURN(std::string location, CurrentLocation(id));
    LP_ASSIGN_OR_RETURN(TableMetadata m, ReadMetadata(location));
    return LoadedTable{std::move(m), std::move(location)};
  }

  Result<LoadedTable> CreateTable(const TableIdentifier& id,
                                  const TableMetadata& metadata) override {
    LP_ASSIGN_OR_RETURN(std::string ns, Namespace(id));
    TableMetadata m = metadata;
    if (m.location.empty()) {
      LP_ASSIGN_OR_RETURN(m.location, DefaultLocation(id));
    }
    m.last_updated_ms = std::max(m.last_updated_ms, NowMs());
    std::string uri = MetadataUri(m.location, 0);
    LP_RETURN_IF_ERROR(CreateWholeFile(uri, m.ToText()));
    Status inserted = Insert(id, ns, uri);
    if (!inserted.ok()) {
      DeleteQuietly(uri);
      return inserted;
    }
    return LoadedTable{std::move(m), std::move(uri)};
  }

  Result<LoadedTable> CommitTable(const TableIdentifier& id, const LoadedTable& base,
                                  const TableMetadata& updated,
                                  const TableCommit& commit) override {
    LP_ASSIGN_OR_RETURN(std::string ns, Namespace(id));
    LP_RETURN_IF_ERROR(CheckRequirements(&base.metadata, commit.requirements));
    TableMetadata next = updated;
    AddPreviousMetadataFile(&next, base.metadata.last_updated_ms, base.metadata_location);
    next.last_updated_ms = std::max(next.last_updated_ms, NowMs());
    std::string uri = MetadataUri(next.location, VersionOf(base.metadata_location) + 1);
    LP_RETURN_IF_ERROR(CreateWholeFile(uri, next.ToText()));
    Result<int> changed = Swap(id, ns, base.metadata_location, uri);
    if (!changed.ok() || *changed != 1) DeleteQuietly(uri);
    if (!changed.ok()) return changed.status();
    if (*changed != 1) {
      return FailedPreconditionError(
          "table {} was committed by another writer (its metadata_location is no longer {}): "
          "reload the table and retry",
          id.ToString(), base.metadata_location);
    }
    return LoadedTable{std::move(next), std::move(uri)};
  }

  Result<std::string> DefaultLocation(const TableIdentifier& id) override {
    return WarehouseLocation(options_.warehouse, id);
  }

  json Describe() const override {
    return {{"type", "sql"},
            {"name", options_.name},
            {"uri", options_.uri},
            {"warehouse", options_.warehouse}};
  }

 private:
  std::string TypeFilter() const {
    return typed_ ? " AND (iceberg_type = 'TABLE' OR iceberg_type IS NULL)" : "";
  }

  static Result<std::string> Namespace(const TableIdentifier& id) {
    if (id.namespace_levels.empty()) {
      return InvalidArgumentError(
          "table '{}' has no namespace: the sql catalog needs <namespace>.<table>", id.name);
    }
    return fmt::format("{}", fmt::join(id.namespace_levels, "."));
  }

  static std::string MetadataUri(std::string_view location, int64_t version) {
    return fmt::format("{}/metadata/{:05d}-{}.metadata.json", location, version, NewUuid());
  }

  Result<std::string> CurrentLocation(const TableIdentifier& id) {
    LP_ASSIGN_OR_RETURN(std::string ns, Namespace(id));
    std::lock_guard lock(mu_);
    LP_ASSIGN_OR_RETURN(
        std::vector<std::string> rows,
        Query(db_.get(),
              "SELECT metadata_location FROM iceberg_tables WHERE catalog_name = ? AND "
              "table_namespace = ? AND table_name = ?" +
                  TypeFilter(),
              {options_.name, ns, id.name}, "loading a table"));
    if (rows.empty() || rows[0].empty()) {
      return NotFoundError("table {} does not exist in sql catalog '{}' ({})", id.ToString(),
                           options_.name, options_.uri);
    }
    return rows[0];
  }

  // Inserts the table's row, and the namespace's ('exists', 'true') row when
  // the namespace has none, in one transaction.
  Status Insert(const TableIdentifier& id, const std::string& ns, const std::string& uri) {
    std::lock_guard lock(mu_);
    sqlite3* db = db_.get();
    LP_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE", {}, "starting a transaction").status());
    Status st = InsertRows(id, ns, uri);
    Exec(db, st.ok() ? "COMMIT" : "ROLLBACK", {}, "ending a transaction").status().IgnoreError();
    return st;
  }

  Status InsertRows(const TableIdentifier& id, const std::string& ns, const std::string& uri) {
    sqlite3* db = db_.get();
    LP_ASSIGN_OR_RETURN(std::vector<std::string> known,
                        Query(db,
                              "SELECT namespace FROM iceberg_namespace_properties WHERE "
                              "catalog_name = ? AND namespace = ?",
                              {options_.name, ns}, "looking up a namespace"));
    if (known.empty()) {
      LP_RETURN_IF_ERROR(Exec(db,
                              "INSERT INTO iceberg_namespace_properties (catalog_name, namespace, "
                              "property_key, property_value) VALUES (?, ?, 'exists', 'true')",
                              {options_.name, ns}, "creating a namespace")
                             .status());
    }
    std::string sql = typed_ ? "INSERT INTO iceberg_tables (catalog_name, table_namespace, "
                               "table_name, metadata_location, previous_metadata_location, "
                               "iceberg_type) VALUES (?, ?, ?, ?, NULL, 'TABLE')"
                             : "INSERT INTO iceberg_tables (catalog_name, table_namespace, "
                               "table_name, metadata_location, previous_metadata_location) "
                               "VALUES (?, ?, ?, ?, NULL)";
    auto rows = Exec(db, sql, {options_.name, ns, id.name, uri}, "creating a table");
    if (!rows.ok() && sqlite3_extended_errcode(db) == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return AlreadyExistsError("table {} already exists in sql catalog '{}'", id.ToString(),
                                options_.name);
    }
    return rows.status();
  }

  Result<int> Swap(const TableIdentifier& id, const std::string& ns, const std::string& from,
                   const std::string& to) {
    std::lock_guard lock(mu_);
    return Exec(db_.get(),
                "UPDATE iceberg_tables SET metadata_location = ?, previous_metadata_location = ? "
                "WHERE catalog_name = ? AND table_namespace = ? AND table_name = ? AND "
                "metadata_location = ?" +
                    TypeFilter(),
                {to, from, options_.name, ns, id.name, from}, "committing");
  }

  CatalogOptions options_;
  std::mutex mu_;  // one statement at a time on the handle
  DbPtr db_;
  bool typed_;  // iceberg_tables has iceberg_type (a JDBC V1 database)
};

Result<bool> HasColumn(sqlite3* db, std::string_view table, std::string_view column) {
  LP_ASSIGN_OR_RETURN(StmtPtr stmt, Prepare(db, fmt::format("PRAGMA table_info({})", table), {}));
  for (;;) {
    int rc = sqlite3_step(stmt.get());
    if (rc == SQLITE_DONE) return false;
    if (rc != SQLITE_ROW) return SqlError(db, rc, "reading the table columns");
    const unsigned char* name = sqlite3_column_text(stmt.get(), 1);
    if (name && column == reinterpret_cast<const char*>(name)) return true;
  }
}

}  // namespace

Result<std::unique_ptr<Catalog>> MakeSqlCatalog(const CatalogOptions& options) {
  if (options.uri.empty()) {
    return InvalidArgumentError("catalog.uri is not set: give the sql catalog's SQLite file");
  }
  std::string path = DatabasePath(options.uri);
  sqlite3* raw = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  DbPtr db(raw);
  if (rc != SQLITE_OK) {
    return IoError("sql catalog: cannot open '{}': {}", path,
                   raw ? sqlite3_errmsg(raw) : "out of memory");
  }
  sqlite3_busy_timeout(db.get(), static_cast<int>(options.timeout.count()));
  LP_RETURN_IF_ERROR(Exec(db.get(), kCreateTables, {}, "creating iceberg_tables").status());
  LP_RETURN_IF_ERROR(
      Exec(db.get(), kCreateNamespaceProperties, {}, "creating iceberg_namespace_properties")
          .status());
  LP_ASSIGN_OR_RETURN(bool typed, HasColumn(db.get(), "iceberg_tables", "iceberg_type"));
  return std::unique_ptr<Catalog>(std::make_unique<SqlCatalog>(options, std::move(db), typed));
}

}  // namespace lakepipe::iceberg

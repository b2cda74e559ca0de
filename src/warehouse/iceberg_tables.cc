#include "warehouse/iceberg_tables.h"

#include <algorithm>
#include <map>
#include <memory>
#include <regex>
#include <set>

#include <fmt/format.h>
#include <sqlite3.h>

#include "iceberg/manifest.h"
#include "storage/object_store.h"

namespace lakepipe::warehouse {
namespace {

using iceberg::TableIdentifier;

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() > suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::string> SplitDots(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t dot = s.find('.', start);
    out.push_back(s.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) return out;
    start = dot + 1;
  }
}

// File catalog: every <warehouse>/<ns...>/<name>/metadata/ holding a
// version hint or a v<N>.metadata.json.
Result<std::vector<TableIdentifier>> ListFileCatalog(const std::string& warehouse) {
  std::string root = warehouse;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  LP_ASSIGN_OR_RETURN(StoreLocation where, ObjectStoreRegistry::Default().Resolve(root));
  std::string prefix = where.path;
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> objects, where.store->List(prefix));
  static const std::regex kMetadata(
      R"((.+)/metadata/(version-hint\.text|v[0-9]+\.metadata\.json))");
  std::set<std::vector<std::string>> found;
  for (const ObjectInfo& o : objects) {
    if (o.path.rfind(prefix, 0) != 0) continue;
    std::smatch m;
    const std::string rel = o.path.substr(prefix.size());
    if (!std::regex_match(rel, m, kMetadata)) continue;
    std::vector<std::string> parts;
    bool hidden = false;
    size_t start = 0;
    const std::string dir = m[1].str();
    for (;;) {
      const size_t slash = dir.find('/', start);
      parts.push_back(
          dir.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
      hidden = hidden || parts.back().empty() || parts.back()[0] == '.' || parts.back()[0] == '_';
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    if (!hidden && parts.size() >= 2) found.insert(parts);
  }
  std::vector<TableIdentifier> out;
  for (const std::vector<std::string>& parts : found) {
    TableIdentifier id;
    id.namespace_levels.assign(parts.begin(), parts.end() - 1);
    id.name = parts.back();
    out.push_back(std::move(id));
  }
  return out;
}

struct SqliteClose {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct SqliteFinalize {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

// SQL catalog: the rows of iceberg_tables for the catalog's name (tables
// only, when the JDBC catalog's iceberg_type column is there).
Result<std::vector<TableIdentifier>> ListSqlCatalog(const iceberg::CatalogOptions& o) {
  std::string path = o.uri;
  if (path.rfind("file://", 0) == 0) path = path.substr(7);
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
  std::unique_ptr<sqlite3, SqliteClose> db(raw);
  if (rc != SQLITE_OK) {
    return NotFoundError("the sql catalog '{}' cannot be opened: {} (catalog.uri)", path,
                         raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc));
  }
  sqlite3_stmt* stmt = nullptr;
  const char* kTables =
      "SELECT table_namespace, table_name FROM iceberg_tables WHERE catalog_name = ? AND "
      "(iceberg_type = 'TABLE' OR iceberg_type IS NULL) ORDER BY 1, 2";
  const char* kAll =
      "SELECT table_namespace, table_name FROM iceberg_tables WHERE catalog_name = ? ORDER BY 1, 2";
  if (sqlite3_prepare_v2(db.get(), kTables, -1, &stmt, nullptr) != SQLITE_OK &&
      sqlite3_prepare_v2(db.get(), kAll, -1, &stmt, nullptr) != SQLITE_OK) {
    return InvalidArgumentError("'{}' is not an Iceberg sql catalog: {}", path,
                                sqlite3_errmsg(db.get()));
  }
  std::unique_ptr<sqlite3_stmt, SqliteFinalize> query(stmt);
  sqlite3_bind_text(stmt, 1, o.name.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<TableIdentifier> out;
  int step;
  while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
    auto text = [&](int i) {
      const unsigned char* t = sqlite3_column_text(stmt, i);
      return t ? std::string(reinterpret_cast<const char*>(t)) : std::string();
    };
    TableIdentifier id;
    id.namespace_levels = SplitDots(text(0));
    id.name = text(1);
    out.push_back(std::move(id));
  }
  if (step != SQLITE_DONE) {
    return UnavailableError("reading the sql catalog '{}': {}", path, sqlite3_errmsg(db.get()));
  }
  return out;
}

Result<std::vector<TableIdentifier>> Identifiers(const IcebergDiscovery& d) {
  std::vector<TableIdentifier> out;
  for (const std::string& text : d.identifiers) {
    LP_ASSIGN_OR_RETURN(TableIdentifier id, TableIdentifier::Parse(text));
    if (id.namespace_levels.empty()) id.namespace_levels = {"default"};
    out.push_back(std::move(id));
  }
  if (!out.empty()) return out;
  if (d.catalog.type == "file") return ListFileCatalog(d.catalog.warehouse);
  if (d.catalog.type == "sql") return ListSqlCatalog(d.catalog);
  return InvalidArgumentError(
      "the {} catalog's tables are not listed: name them with --iceberg-table <namespace>.<table>",
      d.catalog.type);
}

IcebergSource SourceOf(const iceberg::CatalogOptions& o) {
  IcebergSource s;
  s.catalog_type = o.type;
  s.catalog_name = o.name;
  s.catalog_uri = o.uri;
  s.warehouse = o.warehouse;
  s.rest_prefix = o.prefix;
  s.rest_auth = o.sigv4                 ? "sigv4"
                : !o.credential.empty() ? "oauth2"
                : !o.token.empty()      ? "bearer"
                                        : "";
  s.oauth2_server_uri = o.oauth2_server_uri;
  s.scope = o.credential.empty() ? "" : o.scope;
  s.glue = o.sigv4 && o.signing_name == "glue";
  s.signing_region = o.signing_region;
  return s;
}

Result<LakeTable> Load(iceberg::Catalog* catalog, const IcebergDiscovery& d,
                       const TableIdentifier& id) {
  Result<iceberg::LoadedTable> loaded = catalog->LoadTable(id);
  if (!loaded.ok())
    return loaded.status().WithContext(fmt::format("Iceberg table {}", id.ToString()));
  const iceberg::TableMetadata& m = loaded->metadata;
  const iceberg::TableSchema* schema = m.CurrentSchema();
  if (schema == nullptr) {
    return CorruptionError("Iceberg table {}: its current schema {} is not in its metadata ({})",
                           id.ToString(), m.current_schema_id, loaded->metadata_location);
  }
  LakeTable t;
  t.name = IcebergViewName(id.name);
  t.table = t.name;
  for (std::string_view zone : {"raw", "clean", "rejected"}) {
    if (EndsWith(t.name, fmt::format("_{}", zone))) {
      t.table = t.name.substr(0, t.name.size() - zone.size() - 1);
      t.zone = zone;
    }
  }
  t.schema = schema->schema;
  t.location = m.location;
  IcebergSource s = SourceOf(d.catalog);
  s.namespace_levels = id.namespace_levels;
  s.table_name = id.name;
  s.table_location = m.location;
  s.metadata_location = loaded->metadata_location;
  if (const iceberg::Snapshot* snapshot = m.CurrentSnapshot())
    s.snapshot_id = snapshot->snapshot_id;
  if (d.list_files) {
    s.files_listed = true;
    if (const iceberg::Snapshot* snapshot = m.CurrentSnapshot()) {
      Result<std::vector<iceberg::ManifestEntry>> entries = iceberg::LiveEntries(*snapshot);
      if (!entries.ok()) {
        return entries.status().WithContext(fmt::format("the data files of {}", id.ToString()));
      }
      for (const iceberg::ManifestEntry& e : *entries) {
        if (e.data_file.content != 0) continue;
        s.data_files.push_back(e.data_file.file_path);
        t.bytes += static_cast<uint64_t>(e.data_file.file_size_in_bytes);
      }
      t.files = s.data_files.size();
    }
  }
  t.iceberg = std::move(s);
  return t;
}

}  // namespace

std::string IcebergViewName(const std::string& table_name) {
  for (std::string_view zone : {"_raw", "_clean", "_rejected"}) {
    if (EndsWith(table_name, zone)) return table_name;
  }
  for (std::string_view job : {"_analytics_", "_demographics_", "_timeseries_"}) {
    if (table_name.find(job) != std::string::npos) return table_name;
  }
  return table_name + "_raw";
}

Result<std::vector<LakeTable>> DiscoverIcebergTables(const IcebergDiscovery& d) {
  LP_ASSIGN_OR_RETURN(std::vector<TableIdentifier> ids, Identifiers(d));
  LP_ASSIGN_OR_RETURN(std::unique_ptr<iceberg::Catalog> catalog,
                      iceberg::CatalogRegistry::Default().Make(d.catalog));
  std::vector<LakeTable> out;
  std::map<std::string, std::string> names;  // view name → identifier
  for (const TableIdentifier& id : ids) {
    const std::string view = IcebergViewName(id.name);
    if (!d.only_table.empty() && view != d.only_table && view.rfind(d.only_table + "_", 0) != 0) {
      continue;
    }
    if (auto [it, fresh] = names.emplace(view, id.ToString()); !fresh) {
      return InvalidArgumentError(
          "Iceberg tables {} and {} would both be declared as {}: name one with --iceberg-table",
          it->second, id.ToString(), view);
    }
    LP_ASSIGN_OR_RETURN(LakeTable t, Load(catalog.get(), d, id));
    out.push_back(std::move(t));
  }
  if (out.empty()) {
    return NotFoundError("no Iceberg table{} in the {} catalog (warehouse '{}'{})",
                         d.only_table.empty() ? "" : " of " + d.only_table, d.catalog.type,
                         d.catalog.warehouse,
                         d.catalog.uri.empty() ? "" : ", uri '" + d.catalog.uri + "'");
  }
  std::sort(out.begin(), out.end(),
            [](const LakeTable& a, const LakeTable& b) { return a.name < b.name; });
  return out;
}

}  // namespace lakepipe::warehouse

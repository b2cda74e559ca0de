// Table identifiers, the catalog registry, and the commit requirements the
// file and sql catalogs check themselves.
#include "iceberg/catalog.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

Status Refused(std::string_view what) {
  return FailedPreconditionError("commit refused: {}; reload the table and retry", what);
}

// The integer `key` of a requirement, or an error naming it.
Result<int64_t> ReqInt(const json& req, std::string_view key) {
  auto it = req.find(key);
  if (it == req.end() || !it->is_number_integer()) {
    return InvalidArgumentError("commit requirement {} needs an integer '{}'", req.dump(), key);
  }
  return it->get<int64_t>();
}

std::optional<int64_t> RefSnapshot(const TableMetadata& m, const std::string& ref) {
  if (ref == "main") return m.current_snapshot_id;
  auto it = m.refs.find(ref);
  if (it == m.refs.end()) return std::nullopt;
  return it->second.snapshot_id;
}

Status CheckRefSnapshot(const TableMetadata& base, const json& req) {
  auto ref = req.find("ref");
  if (ref == req.end() || !ref->is_string()) {
    return InvalidArgumentError("commit requirement {} needs a string 'ref'", req.dump());
  }
  auto want = req.find("snapshot-id");
  std::optional<int64_t> have = RefSnapshot(base, ref->get<std::string>());
  if (want == req.end() || want->is_null()) {
    if (have)
      return Refused(
          fmt::format("ref '{}' was created (snapshot {})", ref->get<std::string>(), *have));
    return Status::OK();
  }
  if (!want->is_number_integer()) {
    return InvalidArgumentError("commit requirement {}: 'snapshot-id' is not an integer",
                                req.dump());
  }
  if (!have || *have != want->get<int64_t>()) {
    return Refused(fmt::format("ref '{}' is at snapshot {}, not {}", ref->get<std::string>(),
                               have ? std::to_string(*have) : "none", want->get<int64_t>()));
  }
  return Status::OK();
}

Status CheckIntEquals(const json& req, std::string_view key, int64_t have, std::string_view what) {
  LP_ASSIGN_OR_RETURN(int64_t want, ReqInt(req, key));
  if (want != have) return Refused(fmt::format("the {} is {}, not {}", what, have, want));
  return Status::OK();
}

Status CheckOne(const TableMetadata* base, const json& req) {
  if (!req.is_object() || !req.contains("type") || !req["type"].is_string()) {
    return InvalidArgumentError("commit requirement {} has no 'type'", req.dump());
  }
  const std::string type = req["type"];
  if (type == "assert-create") {
    return base ? Refused("the table already exists") : Status::OK();
  }
  if (base == nullptr) return Refused(fmt::format("{}: the table does not exist", type));
  if (type == "assert-table-uuid") {
    auto uuid = req.find("uuid");
    if (uuid == req.end() || !uuid->is_string()) {
      return InvalidArgumentError("commit requirement {} needs a string 'uuid'", req.dump());
    }
    if (*uuid != base->table_uuid) {
      return Refused(fmt::format("the table's uuid is {}, not {}: it was replaced",
                                 base->table_uuid, uuid->get<std::string>()));
    }
    return Status::OK();
  }
  if (type == "assert-ref-snapshot-id") return CheckRefSnapshot(*base, req);
  if (type == "assert-current-schema-id") {
    return CheckIntEquals(req, "current-schema-id", base->current_schema_id, "current schema id");
  }
  if (type == "assert-last-assigned-field-id") {
    return CheckIntEquals(req, "last-assigned-field-id", base->last_column_id,
                          "last assigned field id");
  }
  if (type == "assert-last-assigned-partition-id") {
    return CheckIntEquals(req, "last-assigned-partition-id", base->last_partition_id,
                          "last assigned partition id");
  }
  if (type == "assert-default-spec-id") {
    return CheckIntEquals(req, "default-spec-id", base->default_spec_id, "default spec id");
  }
  if (type == "assert-default-sort-order-id") {
    return CheckIntEquals(req, "default-sort-order-id", base->default_sort_order_id,
                          "default sort order id");
  }
  return InvalidArgumentError("unknown commit requirement '{}'", type);
}

}  // namespace

Result<TableIdentifier> TableIdentifier::Parse(std::string_view dotted) {
  TableIdentifier id;
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t dot = dotted.find('.', start);
    std::string_view part =
        dotted.substr(start, dot == std::string_view::npos ? dotted.npos : dot - start);
    if (part.empty()) {
      return InvalidArgumentError(
          "table '{}' is not <namespace>.<table> (e.g. db.events): a name part is empty", dotted);
    }
    parts.emplace_back(part);
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  id.name = std::move(parts.back());
  parts.pop_back();
  id.namespace_levels = std::move(parts);
  return id;
}

std::string TableIdentifier::ToString() const {
  if (namespace_levels.empty()) return name;
  return fmt::format("{}.{}", fmt::join(namespace_levels, "."), name);
}

CatalogRegistry& CatalogRegistry::Default() {
  static CatalogRegistry* registry = [] {
    auto* r = new CatalogRegistry();
    r->Register("file", MakeFileCatalog);
    r->Register("sql", MakeSqlCatalog);
    return r;
  }();
  return *registry;
}

void CatalogRegistry::Register(std::string type, CatalogFactory factory) {
  for (auto& [name, f] : factories_) {
    if (name == type) {
      f = std::move(factory);
      return;
    }
  }
  factories_.emplace_back(std::move(type), std::move(factory));
}

Result<std::unique_ptr<Catalog>> CatalogRegistry::Make(const CatalogOptions& options) const {
  for (const auto& [name, factory] : factories_) {
    if (name == options.type) return factory(options);
  }
  return InvalidArgumentError("catalog.type '{}' is not one of: {}", options.type,
                              fmt::join(Types(), ", "));
}

std::vector<std::string> CatalogRegistry::Types() const {
  std::vector<std::string> out;
  for (const auto& [name, factory] : factories_) out.push_back(name);
  return out;
}

Status CheckRequirements(const TableMetadata* base, const json& requirements) {
  if (requirements.is_null()) return Status::OK();
  if (!requirements.is_array()) {
    return InvalidArgumentError("commit requirements are not a list: {}", requirements.dump());
  }
  for (const json& req : requirements) LP_RETURN_IF_ERROR(CheckOne(base, req));
  return Status::OK();
}

Result<std::string> WarehouseLocation(std::string_view warehouse, const TableIdentifier& id) {
  while (warehouse.size() > 1 && warehouse.back() == '/') warehouse.remove_suffix(1);
  if (warehouse.empty()) {
    return InvalidArgumentError(
        "catalog.warehouse is not set: give the directory or s3:// prefix new tables go under");
  }
  std::string out(warehouse);
  for (const std::string& level : id.namespace_levels) out += "/" + level;
  return out + "/" + id.name;
}

}  // namespace lakepipe::iceberg

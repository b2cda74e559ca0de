#include "cli/catalog_flags.h"

#include <fmt/format.h>

namespace lakepipe::cli {
namespace {

constexpr std::string_view kSection = "catalog";

Status Bad(const config::Config& cfg, std::string_view key, std::string_view what) {
  return InvalidArgumentError("catalog.{} ({}): {}", key, cfg.SourceOf(kSection, key), what);
}

Status ReadProperties(const config::Config& cfg, iceberg::CatalogOptions* o) {
  LP_ASSIGN_OR_RETURN(std::vector<std::string> items, cfg.GetList(kSection, "properties"));
  for (const std::string& item : items) {
    const size_t eq = item.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Bad(cfg, "properties",
                 fmt::format("'{}' is not key=value (give each property as key=value)", item));
    }
    o->properties[item.substr(0, eq)] = item.substr(eq + 1);
  }
  return Status::OK();
}

Status ReadRestSettings(const config::Config& cfg, iceberg::CatalogOptions* o) {
  LP_ASSIGN_OR_RETURN(o->token, cfg.GetString(kSection, "token"));
  LP_ASSIGN_OR_RETURN(o->credential, cfg.GetString(kSection, "credential"));
  LP_ASSIGN_OR_RETURN(o->oauth2_server_uri, cfg.GetString(kSection, "oauth2_server_uri"));
  LP_ASSIGN_OR_RETURN(o->scope, cfg.GetString(kSection, "scope"));
  LP_ASSIGN_OR_RETURN(o->sigv4, cfg.GetBool(kSection, "sigv4"));
  LP_ASSIGN_OR_RETURN(o->signing_region, cfg.GetString(kSection, "signing_region"));
  LP_ASSIGN_OR_RETURN(o->signing_name, cfg.GetString(kSection, "signing_name"));
  LP_ASSIGN_OR_RETURN(o->prefix, cfg.GetString(kSection, "prefix"));
  if (o->type == "rest" && o->sigv4 && o->signing_region.empty()) {
    return Bad(cfg, "signing_region", "sigv4 signing needs the region to sign for, e.g. us-east-1");
  }
  return Status::OK();
}

}  // namespace

void AddCatalogFlags(CLI::App* app, CatalogFlags* flags) {
  app->add_option("--catalog-type", flags->type,
                  "Iceberg catalog: file (metadata files under the table), sql (a SQLite "
                  "catalog database) or rest (catalog.type, default file)")
      ->check(CLI::IsMember({"file", "sql", "rest"}));
  app->add_option("--catalog-uri", flags->uri,
                  "sql: the SQLite file; rest: the catalog's base URL (catalog.uri)");
  app->add_option(
      "--warehouse", flags->warehouse,
      "Where new Iceberg tables go, <warehouse>/<namespace>/<table> (catalog.warehouse; "
      "default the lake)");
}

Status ApplyCatalogFlags(const CLI::App& app, const CatalogFlags& flags, config::Config* cfg) {
  struct Given {
    const char* flag;
    const char* key;
    const std::string* value;
  };
  for (const Given& g :
       {Given{"--catalog-type", "type", &flags.type}, Given{"--catalog-uri", "uri", &flags.uri},
        Given{"--warehouse", "warehouse", &flags.warehouse}}) {
    if (app.count(g.flag) > 0) LP_RETURN_IF_ERROR(cfg->SetFlag(kSection, g.key, *g.value));
  }
  return Status::OK();
}

Result<iceberg::CatalogOptions> CatalogOptionsFromConfig(const config::Config& cfg,
                                                         std::string_view lake) {
  iceberg::CatalogOptions o;
  LP_ASSIGN_OR_RETURN(o.type, cfg.GetString(kSection, "type"));
  LP_ASSIGN_OR_RETURN(o.name, cfg.GetString(kSection, "name"));
  LP_ASSIGN_OR_RETURN(o.warehouse, cfg.GetString(kSection, "warehouse"));
  if (o.warehouse.empty()) o.warehouse = lake;
  if (o.warehouse.empty()) {
    LP_ASSIGN_OR_RETURN(o.warehouse, cfg.GetString("archive", "lake"));
  }
  while (o.warehouse.size() > 1 && o.warehouse.back() == '/') o.warehouse.pop_back();
  LP_ASSIGN_OR_RETURN(o.uri, cfg.GetString(kSection, "uri"));
  if (o.type != "file" && o.uri.empty()) {
    return Bad(cfg, "uri",
               o.type == "sql" ? "an sql catalog needs the path of its SQLite file: give "
                                 "--catalog-uri or catalog.uri"
                               : "a rest catalog needs the server's base URL: give "
                                 "--catalog-uri or catalog.uri");
  }
  LP_RETURN_IF_ERROR(ReadRestSettings(cfg, &o));
  LP_ASSIGN_OR_RETURN(o.timeout, cfg.GetDuration(kSection, "timeout"));
  LP_RETURN_IF_ERROR(ReadProperties(cfg, &o));
  return o;
}

Result<iceberg::CatalogOptions> BuildCatalogOptions(const CLI::App& app, const CatalogFlags& flags,
                                                    config::Config* cfg, std::string_view lake) {
  LP_RETURN_IF_ERROR(ApplyCatalogFlags(app, flags, cfg));
  return CatalogOptionsFromConfig(*cfg, lake);
}

}  // namespace lakepipe::cli

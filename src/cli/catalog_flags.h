// The Iceberg catalog settings shared by every command that reads or writes
// Iceberg tables: --catalog-type, --catalog-uri and --warehouse over the
// `catalog:` section of the configuration (config/sections.h).
#pragma once

#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "config/config.h"
#include "core/result.h"
#include "iceberg/catalog.h"

namespace lakepipe::cli {

struct CatalogFlags {
  std::string type, uri, warehouse;
};

// Adds --catalog-type, --catalog-uri and --warehouse to `app`.
void AddCatalogFlags(CLI::App* app, CatalogFlags* flags);

// Sets catalog.type, .uri and .warehouse from the flags that were given.
Status ApplyCatalogFlags(const CLI::App& app, const CatalogFlags& flags, config::Config* cfg);

// The catalog section of `cfg` as iceberg::CatalogOptions. An empty
// warehouse becomes `lake` (or, when that is empty too, archive.lake), so
// that a local lake needs no catalog setting. kInvalidArgument naming the
// key and where it was set: a property that is not key=value, an sql or
// rest catalog without a uri, sigv4 without a signing region.
[[nodiscard]] Result<iceberg::CatalogOptions> CatalogOptionsFromConfig(const config::Config& cfg,
                                                                       std::string_view lake = {});

// ApplyCatalogFlags, then CatalogOptionsFromConfig.
[[nodiscard]] Result<iceberg::CatalogOptions> BuildCatalogOptions(const CLI::App& app,
                                                                  const CatalogFlags& flags,
                                                                  config::Config* cfg,
                                                                  std::string_view lake = {});

}  // namespace lakepipe::cli

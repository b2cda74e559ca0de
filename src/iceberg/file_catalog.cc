// The "file" catalog (see file_catalog.h).
#include "iceberg/file_catalog.h"

#include <algorithm>
#include <charconv>
#include <chrono>

#include <fmt/format.h>

#include "storage/object_store.h"

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string VersionUri(std::string_view location, int64_t version) {
  return fmt::format("{}/metadata/v{}.metadata.json", location, version);
}

std::string HintUri(std::string_view location) {
  return fmt::format("{}/metadata/version-hint.text", location);
}

// N of "v<N>.metadata.json" (the last path element of `name`), or nullopt.
std::optional<int64_t> VersionOfName(std::string_view name) {
  name = name.substr(name.rfind('/') + 1);
  constexpr std::string_view kSuffix = ".metadata.json";
  if (name.size() <= 1 + kSuffix.size() || name[0] != 'v' || !name.ends_with(kSuffix)) {
    return std::nullopt;
  }
  std::string_view digits = name.substr(1, name.size() - 1 - kSuffix.size());
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || n < 1) return std::nullopt;
  return n;
}

// The whole file at `uri`, or nullopt when it does not exist.
Result<std::optional<std::string>> ReadIfExists(const std::string& uri) {
  LP_ASSIGN_OR_RETURN(StoreLocation loc, ObjectStoreRegistry::Default().Resolve(uri));
  auto in = loc.store->OpenInput(loc.path);
  if (!in.ok()) {
    if (in.status().code() == StatusCode::kNotFound) return std::optional<std::string>();
    return in.status();
  }
  LP_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(in->get()));
  return std::optional<std::string>(std::move(text));
}

// The highest v<N> listed under <location>/metadata, 0 when none is.
Result<int64_t> HighestListed(std::string_view location) {
  LP_ASSIGN_OR_RETURN(StoreLocation loc,
                      ObjectStoreRegistry::Default().Resolve(fmt::format("{}/metadata", location)));
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> objects, loc.store->List(loc.path));
  int64_t highest = 0;
  for (const ObjectInfo& o : objects) {
    highest = std::max(highest, VersionOfName(o.path).value_or(0));
  }
  return highest;
}

std::optional<int64_t> ParseHint(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  int64_t n = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || ptr != text.data() + text.size() || n < 1) return std::nullopt;
  return n;
}

// Rewrites the hint; a reader whose hint lags probes forward, so a failure
// only costs it a few reads.
void WriteHint(std::string_view location, int64_t version) {
  WriteWholeFile(HintUri(location), std::to_string(version)).IgnoreError();
}

class FileCatalog final : public Catalog {
 public:
  explicit FileCatalog(CatalogOptions options) : options_(std::move(options)) {}

  std::string_view type() const override { return "file"; }

  Result<LoadedTable> LoadTable(const TableIdentifier& id) override {
    LP_ASSIGN_OR_RETURN(std::string location, DefaultLocation(id));
    auto table = LoadTableAt(location);
    if (!table.ok() && table.status().code() == StatusCode::kNotFound) {
      return NotFoundError("table {} does not exist (no metadata/v<N>.metadata.json under {})",
                           id.ToString(), location);
    }
    return table;
  }

  Result<LoadedTable> CreateTable(const TableIdentifier& id,
                                  const TableMetadata& metadata) override {
    TableMetadata m = metadata;
    if (!options_.warehouse.empty()) {  // LoadTable finds tables only there
      LP_ASSIGN_OR_RETURN(std::string location, DefaultLocation(id));
      if (!m.location.empty() && m.location != location) {
        return InvalidArgumentError(
            "table {}: the file catalog keeps it at {}, not {}; leave its location to the catalog",
            id.ToString(), location, m.location);
      }
      m.location = std::move(location);
    }
    if (m.location.empty()) return InvalidArgumentError("table {} has no location", id.ToString());
    auto existing = LoadTableAt(m.location);
    if (existing.ok()) {
      return AlreadyExistsError("table {} already exists at {}", id.ToString(),
                                existing->metadata_location);
    }
    if (existing.status().code() != StatusCode::kNotFound) return existing.status();
    m.last_updated_ms = std::max(m.last_updated_ms, NowMs());
    std::string uri = VersionUri(m.location, 1);
    Status created = CreateWholeFile(uri, m.ToText());
    if (created.code() == StatusCode::kAlreadyExists) {
      return AlreadyExistsError("table {} was created at {} by another writer", id.ToString(), uri);
    }
    LP_RETURN_IF_ERROR(created);
    WriteHint(m.location, 1);
    return LoadedTable{std::move(m), std::move(uri)};
  }

  Result<LoadedTable> CommitTable(const TableIdentifier& id, const LoadedTable& base,
                                  const TableMetadata& updated,
                                  const TableCommit& commit) override {
    std::optional<int64_t> version = VersionOfName(base.metadata_location);
    size_t slash = base.metadata_location.rfind("/metadata/");
    if (!version || slash == std::string::npos) {
      return InvalidArgumentError(
          "table {}: '{}' is not a file catalog version (<location>/metadata/v<N>.metadata.json)",
          id.ToString(), base.metadata_location);
    }
    LP_RETURN_IF_ERROR(CheckRequirements(&base.metadata, commit.requirements));
    std::string location = base.metadata_location.substr(0, slash);
    TableMetadata next = updated;
    AddPreviousMetadataFile(&next, base.metadata.last_updated_ms, base.metadata_location);
    next.last_updated_ms = std::max(next.last_updated_ms, NowMs());
    std::string uri = VersionUri(location, *version + 1);
    Status created = CreateWholeFile(uri, next.ToText());
    if (created.code() == StatusCode::kAlreadyExists) {
      return FailedPreconditionError(
          "table {}: v{} was committed by another writer: reload the table and retry",
          id.ToString(), *version + 1);
    }
    LP_RETURN_IF_ERROR(created);
    WriteHint(location, *version + 1);
    return LoadedTable{std::move(next), std::move(uri)};
  }

  Result<std::string> DefaultLocation(const TableIdentifier& id) override {
    return WarehouseLocation(options_.warehouse, id);
  }

  json Describe() const override {
    return {{"type", "file"}, {"name", options_.name}, {"warehouse", options_.warehouse}};
  }

 private:
  CatalogOptions options_;
};

}  // namespace

Result<LoadedTable> LoadTableAt(std::string_view location) {
  while (location.size() > 1 && location.back() == '/') location.remove_suffix(1);
  LP_ASSIGN_OR_RETURN(std::optional<std::string> hint, ReadIfExists(HintUri(location)));
  int64_t version = 0;
  std::optional<std::string> text;
  if (std::optional<int64_t> hinted = hint ? ParseHint(*hint) : std::nullopt) {
    LP_ASSIGN_OR_RETURN(text, ReadIfExists(VersionUri(location, *hinted)));
    if (text) version = *hinted;
  }
  if (!text) {  // no hint, or one naming no file: list
    LP_ASSIGN_OR_RETURN(version, HighestListed(location));
    if (version == 0) {
      return NotFoundError("no Iceberg table at {} (no metadata/v<N>.metadata.json)", location);
    }
    LP_ASSIGN_OR_RETURN(text, ReadIfExists(VersionUri(location, version)));
    if (!text)
      return UnavailableError("{} vanished while being read", VersionUri(location, version));
  }
  for (;;) {  // the hint may lag behind the newest version
    LP_ASSIGN_OR_RETURN(std::optional<std::string> next,
                        ReadIfExists(VersionUri(location, version + 1)));
    if (!next) break;
    ++version;
    text = std::move(next);
  }
  std::string uri = VersionUri(location, version);
  auto metadata = TableMetadata::Parse(*text);
  if (!metadata.ok()) return metadata.status().WithContext(uri);
  return LoadedTable{std::move(*metadata), std::move(uri)};
}

Result<std::unique_ptr<Catalog>> MakeFileCatalog(const CatalogOptions& options) {
  return std::unique_ptr<Catalog>(std::make_unique<FileCatalog>(options));
}

}  // namespace lakepipe::iceberg

#include "cli/inspect_directory.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/flags.h"
#include "core/column_json.h"
#include "core/units.h"
#include "formats/open.h"

namespace lakepipe::cli {
namespace {

using Json = nlohmann::ordered_json;

// True when a component of `rel` starts with '.' or '_'.
bool Hidden(std::string_view rel) {
  for (size_t start = 0; start < rel.size();) {
    const size_t end = std::min(rel.find('/', start), rel.size());
    if (end > start && (rel[start] == '.' || rel[start] == '_')) return true;
    start = end + 1;
  }
  return false;
}

std::string WithoutTrailingSlashes(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// True when `uri` names a directory: a local one, or an s3:// prefix (ends
// in '/', is a bucket, or is no object).
Result<bool> NamesDirectory(const std::string& uri, ObjectStore& store, const std::string& path) {
  if (store.scheme() == "file") {
    std::error_code ec;
    return std::filesystem::is_directory(path, ec);
  }
  if (path.empty() || uri.back() == '/') return true;
  Result<std::unique_ptr<InputFile>> file = store.OpenInput(path);
  if (file.ok()) return false;
  if (file.status().code() == StatusCode::kNotFound) return true;
  return file.status();
}

struct FileFacts {
  std::string rel, format;
  uint64_t rows = 0, size = 0;
  Status status;
};

FileFacts Describe(const DirectoryListing& listing, const std::string& uri,
                   const std::string& format_name) {
  FileFacts facts;
  facts.rel = uri.substr(listing.uri.size() + 1);
  const FormatRegistry& registry = FormatRegistry::Default();
  auto format = format_name.empty() ? registry.ForPath(uri) : registry.Find(format_name);
  if (!format.ok()) {
    facts.status = format.status();
    return facts;
  }
  auto file = OpenInputFile(uri);
  if (!file.ok()) {
    facts.status = file.status();
    return facts;
  }
  facts.size = (*file)->size();
  facts.format = (*format)->name;  // listed files have a known format
  if (!(*format)->describe) return facts;
  auto described = (*format)->describe(file->get());
  if (!described.ok()) {
    facts.status = described.status();  // names the file
    return facts;
  }
  facts.rows = described->value("num_rows", uint64_t{0});
  return facts;
}

}  // namespace

Result<std::optional<DirectoryListing>> ListDirectory(const std::string& uri,
                                                      const std::string& format) {
  LP_ASSIGN_OR_RETURN(StoreLocation loc, ObjectStoreRegistry::Default().Resolve(uri));
  std::string root = loc.path;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  if (loc.store->scheme() != "file" && root == "/") root.clear();
  LP_ASSIGN_OR_RETURN(const bool directory, NamesDirectory(uri, *loc.store, root));
  if (!directory) return std::optional<DirectoryListing>();
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> objects, loc.store->List(root));
  DirectoryListing listing;
  listing.uri = WithoutTrailingSlashes(uri);
  const size_t base = root.empty() || root == "/" ? root.size() : root.size() + 1;
  const FormatRegistry& registry = FormatRegistry::Default();
  for (const ObjectInfo& o : objects) {
    if (o.path.size() <= base) continue;
    const std::string rel = o.path.substr(base);
    if (Hidden(rel)) continue;
    if (format.empty() && !registry.ForPath(rel).ok()) continue;
    listing.files.push_back(listing.uri + "/" + rel);
  }
  if (loc.store->scheme() != "file" && listing.files.empty() && objects.empty()) {
    return std::optional<DirectoryListing>();  // no object, no prefix: the file's error says so
  }
  std::sort(listing.files.begin(), listing.files.end());
  return std::optional<DirectoryListing>(std::move(listing));
}

Result<std::vector<std::string>> FirstRows(const std::string& uri, const FormatInfo& format,
                                           size_t rows) {
  ReadOptions options;
  options.batch_rows = std::max<size_t>(rows, 1);
  LP_ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> reader, OpenReader(uri, format, options));
  std::vector<std::string> out;
  if (rows == 0) return out;
  RecordBatch batch(reader->schema());
  LP_RETURN_IF_ERROR(reader->ReadBatch(&batch).status());
  // As `inspect FILE` prints them (DuckDB's to_json form, nested values included).
  for (size_t i = 0; i < batch.num_rows() && i < rows; ++i) out.push_back(RowJson(batch, i));
  return out;
}

Result<int> InspectDirectory(const DirectoryListing& listing, std::optional<size_t> rows,
                             bool as_json, const std::string& format) {
  const std::string cmd = "lakepipe inspect";
  std::vector<FileFacts> facts;
  uint64_t total_rows = 0, total_size = 0;
  bool failed = false;
  for (const std::string& uri : listing.files) {
    facts.push_back(Describe(listing, uri, format));
    total_rows += facts.back().rows;
    total_size += facts.back().size;
    failed = failed || !facts.back().status.ok();
  }
  std::vector<std::string> first;
  if (rows && !listing.files.empty()) {
    const FormatRegistry& registry = FormatRegistry::Default();
    auto info = format.empty() ? registry.ForPath(listing.files[0]) : registry.Find(format);
    Result<std::vector<std::string>> read = info.ok()
                                                ? FirstRows(listing.files[0], **info, *rows)
                                                : Result<std::vector<std::string>>(info.status());
    if (!read.ok()) return read.status().WithContext(listing.files[0]);
    first = std::move(*read);
  }
  if (as_json) {
    Json out;
    out["directory"] = listing.uri;
    out["num_files"] = listing.files.size();
    out["num_rows"] = total_rows;
    out["total_size"] = total_size;
    Json files = Json::array();
    for (const FileFacts& f : facts) {
      Json j{{"file", f.rel}, {"format", f.format}, {"num_rows", f.rows}, {"file_size", f.size}};
      if (!f.status.ok()) j["error"] = Scrub(f.status.ToString());
      files.push_back(std::move(j));
    }
    out["files"] = std::move(files);
    if (rows) {
      Json sample = Json::array();
      for (const std::string& line : first) sample.push_back(Json::parse(line, nullptr, false));
      out["rows_of"] = listing.files.empty() ? Json() : Json(listing.files[0]);
      out["rows"] = std::move(sample);
    }
    fmt::print("{}\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    fmt::print("directory    {}\nfiles        {} ({} rows, {})\n", listing.uri,
               FormatCount(listing.files.size()), FormatCount(total_rows), FormatBytes(total_size));
    if (!facts.empty())
      fmt::print("\n  {:>12} {:>11}  {:<8} {}\n", "rows", "size", "format", "file");
    for (const FileFacts& f : facts) {
      if (!f.status.ok()) {
        fmt::print("  {:>12} {:>11}  {:<8} {} (unreadable)\n", "?", FormatBytes(f.size), f.format,
                   f.rel);
        continue;
      }
      fmt::print("  {:>12} {:>11}  {:<8} {}\n", FormatCount(f.rows), FormatBytes(f.size), f.format,
                 f.rel);
    }
    if (rows && !listing.files.empty()) {
      fmt::print("\nfirst {} rows of {}:\n", first.size(), facts[0].rel);
      for (const std::string& line : first) fmt::print("  {}\n", line);
    }
  }
  if (failed) {
    for (const FileFacts& f : facts) {
      if (!f.status.ok()) ReportError(cmd, f.status);  // each names its file
    }
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace lakepipe::cli

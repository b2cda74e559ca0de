// lakepipe inspect on a directory or prefix: its data files with their row
// counts and sizes.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "formats/format.h"
#include "storage/object_store.h"

namespace lakepipe::cli {

// The data files under `uri` when it names a directory (a local one, or an
// s3:// prefix: one ending in '/', or one that is no object but has objects
// below it): files of a known format (by extension, or `format` when
// given), names starting with '.' or '_' below `uri` skipped (files being
// written, spills), sorted by path. nullopt when `uri` names a file, or
// nothing at all.
struct DirectoryListing {
  std::string uri;                 // the directory, no trailing '/'
  std::vector<std::string> files;  // URIs of its data files
};
Result<std::optional<DirectoryListing>> ListDirectory(const std::string& uri,
                                                      const std::string& format);

// The first `rows` rows of the file at `uri` as JSON lines.
Result<std::vector<std::string>> FirstRows(const std::string& uri, const FormatInfo& format,
                                           size_t rows);

// Prints the listing (text or JSON) with each file's format, rows and size;
// with `rows` (given), also the first rows of the first file. Returns the
// exit status: 1 when a file cannot be read (it is named, the others are
// listed).
Result<int> InspectDirectory(const DirectoryListing& listing, std::optional<size_t> rows,
                             bool as_json, const std::string& format);

}  // namespace lakepipe::cli

// The "file" catalog: a table is the directory (or S3 prefix) at its
// location, its versions are metadata/v<N>.metadata.json and
// metadata/version-hint.text holds the newest N, as Java's
// HadoopTableOperations lays them out and as readers that open a table by
// path (DuckDB's iceberg_scan, icebird) expect.
//
// Loading reads the hint, falls back to listing metadata/ when the hint is
// missing or names no file, then probes v<N+1>, v<N+2>, ... (the hint is
// rewritten after each commit, best effort, so it may lag). A commit creates
// v<N+1> exclusively (local: a create that fails when the file exists; S3: a
// PUT with If-None-Match: *), so of two writers of the same base exactly one
// wins; the other gets kFailedPrecondition and reloads. Tables are found at
// <warehouse>/<namespace...>/<name>; LoadTableAt opens one by location.
#pragma once

#include <string_view>

#include "core/result.h"
#include "iceberg/catalog.h"

namespace lakepipe::iceberg {

// The newest version of the table at `location` (a path, file:// or s3://
// URI, no trailing '/'); kNotFound when it holds no v<N>.metadata.json.
Result<LoadedTable> LoadTableAt(std::string_view location);

}  // namespace lakepipe::iceberg

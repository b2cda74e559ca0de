// What `lakepipe table` says about an Iceberg table: `show`, `history` and
// `verify`, each as a JSON document (the --json output, documented in
// README.md) and as text for a terminal.
//
//   show     the schema with field ids, the partition spec, the current
//            snapshot, how many snapshots there are, the current snapshot's
//            data files (path, format, records, size, partition values) and
//            the Kafka offsets committed per group, topic and partition
//            (where each group resumes, kafka_ranges.h).
//   history  every snapshot, newest first: id, parent, time, operation,
//            added files and records, totals, the Kafka group and ranges,
//            and whether it is an ancestor of the current snapshot.
//   verify   every data file of the current snapshot exists in its store
//            with the size the manifest gives and is listed once; the Kafka
//            ranges of the current branch have no gaps or overlaps
//            (CheckRanges). Each problem is named.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "iceberg/catalog.h"

namespace lakepipe::iceberg {

// The table `ref` names: a location (a path, file:// or s3:// URI; anything
// holding '/' or "://") opened as a file-catalog table, or "ns.name" in the
// catalog `options` choose. kInvalidArgument for a bare name without a
// namespace; kNotFound naming where the table was looked for.
Result<LoadedTable> OpenTableRef(std::string_view ref, const CatalogOptions& options);

// The documents; manifests are read through ObjectStoreRegistry::Default().
Result<nlohmann::ordered_json> ShowTable(const LoadedTable& table);
Result<nlohmann::ordered_json> TableHistory(const TableMetadata& table);
// {"clean": bool, "data_files": N, "problems": [{"kind", "message", ...}]};
// kinds: missing, size, duplicate (data files), gap, overlap (Kafka ranges).
Result<nlohmann::ordered_json> VerifyTable(const LoadedTable& table);

// The documents above as text.
std::string ShowText(const nlohmann::ordered_json& show);
std::string HistoryText(const nlohmann::ordered_json& history);
std::string VerifyText(const nlohmann::ordered_json& verify);

}  // namespace lakepipe::iceberg

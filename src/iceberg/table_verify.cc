// `lakepipe table verify` (see table_report.h): the current snapshot's data
// files against the store, and the Kafka ranges of the current branch.
#include <map>

#include <fmt/format.h>

#include "iceberg/kafka_ranges.h"
#include "iceberg/manifest.h"
#include "iceberg/table_report.h"
#include "storage/object_store.h"

namespace lakepipe::iceberg {
namespace {

using Json = nlohmann::ordered_json;

// Problems of one data file listed `count` times with `size` bytes.
Status CheckDataFile(const std::string& path, int64_t size, int count, Json* problems) {
  if (count > 1) {
    problems->push_back({{"kind", "duplicate"},
                         {"path", path},
                         {"count", count},
                         {"message", fmt::format("data file {} is listed {} times in the current "
                                                 "snapshot (its rows are read {} times)",
                                                 path, count, count)}});
  }
  auto file = OpenInputFile(path);
  if (!file.ok() && file.status().code() == StatusCode::kNotFound) {
    problems->push_back(
        {{"kind", "missing"},
         {"path", path},
         {"message", fmt::format("data file {} is listed in the current snapshot but does not "
                                 "exist",
                                 path)}});
    return Status::OK();
  }
  if (!file.ok()) return file.status().WithContext(fmt::format("data file {}", path));
  const auto actual = static_cast<int64_t>((*file)->size());
  if (actual != size) {
    problems->push_back({{"kind", "size"},
                         {"path", path},
                         {"expected", size},
                         {"actual", actual},
                         {"message", fmt::format("data file {} is {} bytes; the manifest lists "
                                                 "{} bytes",
                                                 path, actual, size)}});
  }
  return Status::OK();
}

Json RangeProblemJson(const RangeProblem& p) {
  const auto& [topic, partition] = p.partition;
  const std::string what =
      p.kind == "gap"
          ? fmt::format("offsets {}..{} are in no snapshot", p.previous.end, p.next.start - 1)
          : fmt::format("offsets {}..{} are in two snapshots", p.next.start,
                        std::min(p.previous.end, p.next.end) - 1);
  return {{"kind", p.kind},
          {"group", p.group},
          {"topic", topic},
          {"partition", partition},
          {"previous", {p.previous.start, p.previous.end}},
          {"next", {p.next.start, p.next.end}},
          {"snapshot_id", p.snapshot_id},
          {"message", fmt::format("group {}, {}/{}: {} between [{}, {}) and [{}, {}) of snapshot "
                                  "{}: {}",
                                  p.group, topic, partition, p.kind, p.previous.start,
                                  p.previous.end, p.next.start, p.next.end, p.snapshot_id, what)}};
}

}  // namespace

Result<nlohmann::ordered_json> VerifyTable(const LoadedTable& loaded) {
  const TableMetadata& table = loaded.metadata;
  Json problems = Json::array();
  size_t files = 0;
  if (const Snapshot* current = table.CurrentSnapshot()) {
    LP_ASSIGN_OR_RETURN(std::vector<ManifestEntry> entries, LiveEntries(*current));
    files = entries.size();
    // Each path once, in the order the manifests list them.
    std::vector<std::string> order;
    std::map<std::string, std::pair<int64_t, int>> listed;  // path → size, count
    for (const ManifestEntry& e : entries) {
      auto [it, first] =
          listed.try_emplace(e.data_file.file_path, e.data_file.file_size_in_bytes, 0);
      if (first) order.push_back(e.data_file.file_path);
      ++it->second.second;
    }
    for (const std::string& path : order) {
      LP_RETURN_IF_ERROR(CheckDataFile(path, listed[path].first, listed[path].second, &problems));
    }
  }
  LP_ASSIGN_OR_RETURN(std::vector<RangeProblem> ranges, CheckRanges(table));
  for (const RangeProblem& p : ranges) problems.push_back(RangeProblemJson(p));
  Json j;
  j["location"] = table.location;
  j["metadata_location"] = loaded.metadata_location;
  j["snapshot_id"] = table.current_snapshot_id ? Json(*table.current_snapshot_id) : Json(nullptr);
  j["data_files"] = files;
  j["clean"] = problems.empty();
  j["problems"] = std::move(problems);
  return j;
}

std::string VerifyText(const nlohmann::ordered_json& verify) {
  std::string out;
  for (const auto& p : verify["problems"]) {
    out += fmt::format("{}: {}\n", p["kind"].get<std::string>(), p["message"].get<std::string>());
  }
  out += fmt::format("{}: {} data files in snapshot {}, {}\n",
                     verify["location"].get<std::string>(), verify["data_files"].get<size_t>(),
                     verify["snapshot_id"].is_null() ? "(none)" : verify["snapshot_id"].dump(),
                     verify["clean"].get<bool>()
                         ? "no problems"
                         : fmt::format("{} problems", verify["problems"].size()));
  return out;
}

}  // namespace lakepipe::iceberg

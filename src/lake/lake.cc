#include "lake/lake.h"

#include <algorithm>

#include <fmt/format.h>

namespace lakepipe::lake {
namespace {

std::string Strip(std::string s) {
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// True when a path component below `base` starts with '.' or '_'.
bool Hidden(std::string_view rel) {
  size_t start = 0;
  while (start <= rel.size()) {
    const size_t end = rel.find('/', start);
    const std::string_view part =
        rel.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    if (!part.empty() && (part.front() == '.' || part.front() == '_')) return true;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return false;
}

}  // namespace

std::string Lake::TableDir(std::string_view table) { return std::string(table); }

std::string Lake::RawDir(std::string_view table) { return ZoneDir(table, "raw"); }

std::string Lake::RawDir(std::string_view table, std::string_view format) {
  return fmt::format("{}/{}", RawDir(table), format);
}

std::string Lake::ZoneDir(std::string_view table, std::string_view zone) {
  return fmt::format("{}/{}", TableDir(table), zone);
}

std::string Lake::ParquetDir(std::string_view table, std::string_view zone) {
  return fmt::format("{}/parquet", ZoneDir(table, zone));
}

std::string Lake::CleanDir(std::string_view table) { return ParquetDir(table, "clean"); }

std::string Lake::CleanPartitionDir(std::string_view table, std::string_view partition) {
  return fmt::format("{}/{}", CleanDir(table), partition);
}

std::string Lake::SpillDir(std::string_view dir) { return fmt::format("{}/_spill", dir); }

std::string Lake::RejectedDir(std::string_view table) { return ParquetDir(table, "rejected"); }

std::string Lake::MetricDir(std::string_view table, std::string_view job, std::string_view metric) {
  return fmt::format("{}/{}", ParquetDir(table, job), metric);
}

const std::vector<std::string>& Lake::JobZones() {
  static const std::vector<std::string> kZones = {"clean", "rejected", "analytics", "demographics",
                                                  "timeseries"};
  return kZones;
}

bool Lake::IsMetricZone(std::string_view zone) {
  return zone == "analytics" || zone == "demographics" || zone == "timeseries";
}

std::string Lake::DeadLetterDir() { return "_rejected"; }

std::string Lake::StagingDir(std::string_view table, std::string_view topic, int32_t partition) {
  return fmt::format("_lakepipe/staging/{}/{}+{}", table, topic, partition);
}

std::string Lake::BookmarkDir(std::string_view table) {
  return fmt::format("_lakepipe/bookmarks/{}", table);
}

std::string Lake::BookmarkPath(std::string_view table, std::string_view job) {
  return fmt::format("{}/{}.json", BookmarkDir(table), job);
}

std::string Lake::StateDir(std::string_view table) {
  return fmt::format("_lakepipe/state/{}", table);
}

std::string Lake::JobStateDir(std::string_view table, std::string_view job) {
  return fmt::format("{}/{}", StateDir(table), job);
}

std::string Lake::LockPath(std::string_view table) {
  return fmt::format("_lakepipe/locks/{}.transform", table);
}

std::string Lake::CheckProbePath(uint64_t id) { return fmt::format("_lakepipe/check/{:016x}", id); }

std::string Lake::PathUnder(std::string_view root, std::string_view rel) {
  return root.empty() ? std::string(rel) : fmt::format("{}/{}", root, rel);
}

Result<Lake> Lake::Open(const std::string& uri) {
  if (uri.empty()) return InvalidArgumentError("no lake given (--lake PATH|s3://bucket/prefix)");
  Lake lake;
  lake.uri_ = Strip(uri);
  LP_ASSIGN_OR_RETURN(StoreLocation loc, ObjectStoreRegistry::Default().Resolve(lake.uri_));
  lake.store_ = std::move(loc.store);
  lake.root_ = loc.path;
  while (!lake.root_.empty() && lake.root_.back() == '/') lake.root_.pop_back();
  return lake;
}

std::string Lake::Path(const std::string& rel) const { return PathUnder(root_, rel); }

std::string Lake::Relative(const std::string& path) const {
  if (root_.empty()) return path;
  return path.size() > root_.size() ? path.substr(root_.size() + 1) : std::string();
}

std::string Lake::Uri(const std::string& path) const { return uri_ + "/" + Relative(path); }

Result<std::vector<ObjectInfo>> Lake::ListData(const std::string& rel) const {
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> all, store_->List(Path(rel)));
  std::vector<ObjectInfo> out;
  const size_t base = Path(rel).size() + 1;
  for (ObjectInfo& o : all) {
    if (o.path.size() <= base || Hidden(std::string_view(o.path).substr(base))) continue;
    out.push_back(std::move(o));
  }
  std::sort(out.begin(), out.end(),
            [](const ObjectInfo& a, const ObjectInfo& b) { return a.path < b.path; });
  return out;
}

Status Lake::DeleteAll(const std::string& rel) const {
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> all, store_->List(Path(rel)));
  for (const ObjectInfo& o : all) LP_RETURN_IF_ERROR(store_->Delete(o.path));
  return Status::OK();
}

Status Lake::DeleteInterruptedWrites(const std::string& rel, bool spills) const {
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> all, store_->List(Path(rel) + "/"));
  for (const ObjectInfo& o : all) {
    const size_t slash = o.path.rfind('/');
    const std::string_view name =
        std::string_view(o.path).substr(slash == std::string::npos ? 0 : slash + 1);
    const bool spill = spills && o.path.find(SpillDir("") + "/") != std::string::npos;
    if (spill || (!name.empty() && name.front() == '.')) {
      LP_RETURN_IF_ERROR(store_->Delete(o.path));
    }
  }
  return Status::OK();
}

}  // namespace lakepipe::lake

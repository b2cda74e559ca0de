#include "warehouse/catalog.h"

#include <algorithm>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "formats/format.h"
#include "formats/open.h"

namespace lakepipe::warehouse {
namespace {

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = path.find('/', start);
    out.push_back(path.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

struct Found {
  LakeTable table;
  std::string first_file;  // store path
  std::vector<std::string> partition_names;
  std::map<std::string, std::set<std::string>> values;
};

}  // namespace

std::string IcebergSource::Identifier() const {
  return namespace_levels.empty()
             ? table_name
             : fmt::format("{}.{}", fmt::join(namespace_levels, "."), table_name);
}

std::string TableName(const std::string& table, const std::string& zone,
                      const std::string& metric) {
  return metric.empty() ? fmt::format("{}_{}", table, zone)
                        : fmt::format("{}_{}_{}", table, zone, metric);
}

Result<std::vector<LakeTable>> DiscoverTables(const lake::Lake& lake, const std::string& only_table,
                                              const std::map<std::string, SchemaPtr>& schemas) {
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> all, lake.store().List(lake.Path("")));
  std::map<std::string, Found> found;  // by location
  for (const ObjectInfo& f : all) {
    const std::string rel = lake.Relative(f.path);
    if (!lake::IsParquetFile(rel)) continue;
    const std::vector<std::string> parts = Split(rel);
    bool hidden = false;
    for (const std::string& p : parts) hidden = hidden || p.empty() || p[0] == '.' || p[0] == '_';
    if (hidden || parts.size() < 4 || parts[2] != "parquet") continue;
    if (!only_table.empty() && parts[0] != only_table) continue;
    const bool aggregate = lake::Lake::IsMetricZone(parts[1]);
    if (aggregate && parts.size() < 5) continue;
    const size_t first_partition = aggregate ? 4 : 3;
    const std::string location = aggregate ? lake::Lake::MetricDir(parts[0], parts[1], parts[3])
                                           : lake::Lake::ParquetDir(parts[0], parts[1]);
    std::vector<std::pair<std::string, std::string>> kv;
    bool hive = true;
    for (size_t i = first_partition; i + 1 < parts.size(); ++i) {
      const size_t eq = parts[i].find('=');
      if (eq == std::string::npos || eq == 0) {
        hive = false;
        break;
      }
      kv.emplace_back(parts[i].substr(0, eq), parts[i].substr(eq + 1));
    }
    if (!hive) continue;
    auto [it, added] = found.try_emplace(location);
    Found& t = it->second;
    if (added) {
      t.table.table = parts[0];
      t.table.zone = parts[1];
      t.table.metric = aggregate ? parts[3] : "";
      t.table.location = location;
      t.table.name = TableName(parts[0], parts[1], t.table.metric);
      t.first_file = f.path;
      for (const auto& [k, v] : kv) t.partition_names.push_back(k);
    } else {
      std::vector<std::string> names;
      for (const auto& [k, v] : kv) names.push_back(k);
      if (names != t.partition_names) {
        return FailedPreconditionError(
            "{}: its files are partitioned differently ({} and {}); the warehouse needs one layout",
            lake.Uri(lake.Path(location)), fmt::join(t.partition_names, "/"),
            fmt::join(names, "/"));
      }
    }
    for (const auto& [k, v] : kv) t.values[k].insert(v);
    ++t.table.files;
    t.table.bytes += f.size;
  }
  if (found.empty()) {
    return NotFoundError("{}: no Parquet tables{} (run archive and transform first)", lake.uri(),
                         only_table.empty() ? "" : fmt::format(" of table '{}'", only_table));
  }
  for (const auto& [name, schema] : schemas) {
    const bool known = std::any_of(found.begin(), found.end(),
                                   [&](const auto& f) { return f.second.table.name == name; });
    if (!known) {
      std::vector<std::string> names;
      for (const auto& [location, t] : found) names.push_back(t.table.name);
      return InvalidArgumentError("--schema {}=...: {} has no table '{}' (its tables: {})", name,
                                  lake.uri(), name, fmt::join(names, ", "));
    }
  }
  static const std::regex kDate(R"(\d{4}-\d\d-\d\d)");
  static const std::regex kInt(R"(-?\d{1,9})");
  const FormatInfo* parquet = *FormatRegistry::Default().Find("parquet");
  std::vector<LakeTable> out;
  for (auto& [location, t] : found) {
    if (auto given = schemas.find(t.table.name); given != schemas.end()) {
      t.table.schema = given->second;
    } else {
      Result<std::unique_ptr<RecordReader>> reader =
          OpenReader(lake.Uri(t.first_file), *parquet, ReadOptions());
      if (!reader.ok()) {
        return Status(reader.status().code(),
                      fmt::format("table {}: {} (give its columns as an Avro schema instead: "
                                  "--schema {}=FILE.avsc)",
                                  t.table.name, reader.status().message(), t.table.name));
      }
      t.table.schema = (*reader)->schema();
    }
    for (const std::string& name : t.partition_names) {
      PartitionColumn c;
      c.name = name;
      c.values.assign(t.values[name].begin(), t.values[name].end());
      const auto all_match = [&](const std::regex& re) {
        return std::all_of(c.values.begin(), c.values.end(),
                           [&](const std::string& v) { return std::regex_match(v, re); });
      };
      if (all_match(kDate)) {
        c.type = Type::kInt;
        c.logical = LogicalType::kDate;
      } else if (all_match(kInt)) {
        c.type = Type::kInt;
      }
      t.table.partitions.push_back(std::move(c));
    }
    out.push_back(std::move(t.table));
  }
  std::sort(out.begin(), out.end(),
            [](const LakeTable& a, const LakeTable& b) { return a.name < b.name; });
  return out;
}

}  // namespace lakepipe::warehouse

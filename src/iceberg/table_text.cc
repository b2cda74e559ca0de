// `lakepipe table show` and `history` as text (see table_report.h).
#include <fmt/format.h>

#include "core/units.h"
#include "iceberg/table_report.h"

namespace lakepipe::iceberg {
namespace {

using Json = nlohmann::ordered_json;

std::string Text(const Json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

// An Iceberg type from schema JSON, nested ones spelled out.
std::string TypeText(const Json& type) {
  if (type.is_string()) return type.get<std::string>();
  const std::string kind = type.value("type", "");
  if (kind == "list") return "list<" + TypeText(type["element"]) + ">";
  if (kind == "map") return "map<" + TypeText(type["key"]) + ", " + TypeText(type["value"]) + ">";
  std::string out = "struct<";
  for (const auto& f : type["fields"]) {
    if (out.size() > 7) out += ", ";
    out += fmt::format("{}: {}", f["name"].get<std::string>(), TypeText(f["type"]));
  }
  return out + ">";
}

void AppendSchema(const Json& schema, std::string* out) {
  *out += fmt::format("schema {}:\n", Text(schema.value("schema-id", Json(0))));
  for (const auto& f : schema["fields"]) {
    *out +=
        fmt::format("  {:>4}  {:<24} {}{}\n", f["id"].get<int64_t>(), f["name"].get<std::string>(),
                    TypeText(f["type"]), f.value("required", false) ? " (required)" : "");
  }
}

void AppendSpec(const Json& spec, std::string* out) {
  if (spec["fields"].empty()) {
    *out += fmt::format("partition spec {}: unpartitioned\n", spec["spec_id"].get<int>());
    return;
  }
  *out += fmt::format("partition spec {}:\n", spec["spec_id"].get<int>());
  for (const auto& f : spec["fields"]) {
    *out += fmt::format("  {:>4}  {} = {}({})\n", f["field_id"].get<int>(),
                        f["name"].get<std::string>(), f["transform"].get<std::string>(),
                        f["source"].get<std::string>());
  }
}

std::string RangesText(const Json& kafka) {
  if (kafka.is_null()) return "";
  std::string out = fmt::format("group {}:", kafka["group"].get<std::string>());
  for (const auto& r : kafka["ranges"]) {
    out += fmt::format(" {}/{} [{}, {})", r["topic"].get<std::string>(), r["partition"].get<int>(),
                       r["start"].get<int64_t>(), r["end"].get<int64_t>());
  }
  return out;
}

std::string SnapshotLine(const Json& s) {
  return fmt::format("{}  {}  {:<9} +{} files +{} records  total {} files {} records{}",
                     s["snapshot_id"].get<int64_t>(), s["time"].get<std::string>(),
                     s["operation"].get<std::string>(), Text(s["added_data_files"]),
                     Text(s["added_records"]), Text(s["total_data_files"]),
                     Text(s["total_records"]),
                     s["kafka"].is_null() ? "" : "  " + RangesText(s["kafka"]));
}

void AppendFiles(const Json& files, std::string* out) {
  int64_t records = 0, bytes = 0;
  for (const auto& f : files) {
    records += f["records"].get<int64_t>();
    bytes += f["size"].get<int64_t>();
  }
  *out += fmt::format("data files: {}, {} records, {}\n", files.size(),
                      FormatCount(static_cast<uint64_t>(records)),
                      FormatBytes(static_cast<uint64_t>(bytes)));
  for (const auto& f : files) {
    std::string partition;
    for (const auto& [name, value] : f["partition"].items()) {
      partition += fmt::format("{}{}={}", partition.empty() ? "  " : ", ", name, Text(value));
    }
    *out += fmt::format("  {}  {} records  {}{}\n", f["path"].get<std::string>(),
                        f["records"].get<int64_t>(),
                        FormatBytes(static_cast<uint64_t>(f["size"].get<int64_t>())), partition);
  }
}

void AppendOffsets(const Json& offsets, std::string* out) {
  if (offsets.empty()) {
    *out += "kafka offsets: none committed\n";
    return;
  }
  *out += "kafka offsets (where each group resumes):\n";
  *out += fmt::format("  {:<24} {:<24} {:>9} {:>15}\n", "GROUP", "TOPIC", "PARTITION", "OFFSET");
  for (const auto& o : offsets) {
    *out += fmt::format("  {:<24} {:<24} {:>9} {:>15}\n", o["group"].get<std::string>(),
                        o["topic"].get<std::string>(), o["partition"].get<int>(),
                        o["offset"].get<int64_t>());
  }
}

}  // namespace

std::string ShowText(const nlohmann::ordered_json& show) {
  std::string out;
  out +=
      fmt::format("table     {}\nmetadata  {}\nformat    v{}, uuid {}\n",
                  show["location"].get<std::string>(), show["metadata_location"].get<std::string>(),
                  show["format_version"].get<int>(), show["table_uuid"].get<std::string>());
  AppendSchema(show["schema"], &out);
  AppendSpec(show["partition_spec"], &out);
  out += fmt::format(
      "snapshots: {}; current: {}\n", show["snapshots"].get<size_t>(),
      show["current_snapshot"].is_null() ? "none" : SnapshotLine(show["current_snapshot"]));
  AppendFiles(show["data_files"], &out);
  AppendOffsets(show["kafka_offsets"], &out);
  return out;
}

std::string HistoryText(const nlohmann::ordered_json& history) {
  std::string out;
  for (const auto& s : history["snapshots"]) {
    out += fmt::format("{} {}  parent {}\n", s["current_ancestor"].get<bool>() ? "*" : " ",
                       SnapshotLine(s), Text(s["parent_snapshot_id"]));
  }
  out += fmt::format("{} snapshots; * marks the current snapshot and its ancestors\n",
                     history["snapshots"].size());
  return out;
}

}  // namespace lakepipe::iceberg

// lakepipe inspect FILE: schema, row count, layout and first rows of a file;
// of a directory or prefix, its files with their rows and sizes.
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/flags.h"
#include "cli/inspect_directory.h"
#include "core/column_json.h"
#include "core/units.h"
#include "formats/format.h"
#include "formats/open.h"

namespace lakepipe::cli {
namespace {

using Json = nlohmann::ordered_json;

// The width of the labels of a file's facts ("sync marker" and a space at least).
constexpr int kLabelWidth = 13;

std::string Text(const Json& j) {
  if (j.is_string()) return j.get<std::string>();
  if (j.is_null()) return "";
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Joined(const Json& list) {
  std::string out;
  if (!list.is_array()) return Text(list);
  for (const Json& e : list) out += (out.empty() ? "" : ", ") + Text(e);
  return out;
}

uint64_t Number(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>()
         : it != j.end() && it->is_number_integer()
             ? static_cast<uint64_t>(std::max<int64_t>(0, it->get<int64_t>()))
             : 0;
}

void PrintRowGroups(const Json& groups) {
  fmt::print("\nrow groups: {}\n", groups.size());
  size_t index = 0;
  for (const Json& g : groups) {
    fmt::print("  #{}  {} rows, {} uncompressed, {} compressed\n", index++,
               FormatCount(Number(g, "num_rows")), FormatBytes(Number(g, "total_byte_size")),
               FormatBytes(Number(g, "compressed_size")));
    auto cols = g.find("columns");
    if (cols == g.end() || !cols->is_array()) continue;
    fmt::print("    {:<20} {:<28} {:<6} {:<36} {:>7} {:>11} {:>12}  {}\n", "column", "type",
               "codec", "encodings", "nulls", "compressed", "uncompressed", "min .. max");
    for (const Json& c : *cols) {
      std::string type = Text(c.value("physical_type", Json()));
      if (c.contains("logical_type") && !c["logical_type"].is_null()) {
        type += " " + Text(c["logical_type"]);
      }
      std::string range;
      if (c.contains("min") || c.contains("max")) {
        range = Text(c.value("min", Json())) + " .. " + Text(c.value("max", Json()));
        if (range.size() > 60) range = range.substr(0, 57) + "...";
      }
      fmt::print("    {:<20} {:<28} {:<6} {:<36} {:>7} {:>11} {:>12}  {}\n",
                 Text(c.value("name", Json())), type, Text(c.value("codec", Json())),
                 Joined(c.value("encodings", Json::array())), FormatCount(Number(c, "null_count")),
                 FormatBytes(Number(c, "compressed_size")),
                 FormatBytes(Number(c, "uncompressed_size")), range);
    }
  }
}

std::string_view UnitText(TimeUnit unit) {
  return unit == TimeUnit::kMillis ? "millis" : unit == TimeUnit::kMicros ? "micros" : "nanos";
}

// A field of the complete type model as JSON: name, type (its kind),
// nullable, field_id, the kind's parameters and its children.
Json FieldJson(const Field& f) {
  Json j;
  j["name"] = f.name;
  const Kind kind = f.kind();
  j["type"] = std::string(KindName(kind));
  j["nullable"] = f.nullable || kind == Kind::kNull;
  j["field_id"] = f.field_id ? Json(*f.field_id) : Json();
  switch (kind) {
    case Kind::kDecimal:
      j["precision"] = f.precision;
      j["scale"] = f.scale;
      j["base"] = std::string(KindName(f.base));
      if (f.base == Kind::kFixed) j["size"] = f.fixed_size;
      break;
    case Kind::kTimestamp:
      j["unit"] =
          std::string(UnitText(f.full_kind                                  ? f.unit
                               : f.logical == LogicalType::kTimestampMillis ? TimeUnit::kMillis
                                                                            : TimeUnit::kMicros));
      j["utc"] = f.utc_adjusted;
      break;
    case Kind::kTimeMillis:
    case Kind::kTimeMicros:
      j["utc"] = f.utc_adjusted;
      break;
    case Kind::kFixed:
      j["size"] = f.fixed_size;
      break;
    case Kind::kUuid:
      j["base"] = std::string(KindName(f.base == Kind::kNull ? Kind::kString : f.base));
      break;
    case Kind::kEnum:
      j["symbols"] = f.symbols;
      break;
    default:
      break;
  }
  if (f.type_attributes.is_object() && !f.type_attributes.empty()) {
    j["attributes"] = Json::parse(f.type_attributes.dump());
    if (f.type_attributes.contains("logicalType")) j["logical"] = j["attributes"]["logicalType"];
  }
  if (IsNested(kind)) {
    Json children = Json::array();
    for (const Field& c : f.children) children.push_back(FieldJson(c));
    j["children"] = std::move(children);
  }
  return j;
}

Result<int> Inspect(const std::string& path, size_t rows, bool as_json,
                    const std::string& format_name) {
  const FormatRegistry& registry = FormatRegistry::Default();
  auto format = format_name.empty() ? registry.ForPath(path) : registry.Find(format_name);
  if (!format.ok()) return format.status();

  Json facts = Json::object();
  if ((*format)->describe) {
    auto file = OpenInputFile(path);
    if (!file.ok()) return file.status();
    auto described = (*format)->describe(file->get());
    if (!described.ok()) return described.status().WithContext(path);
    facts = Json::parse(described->dump());
  }
  ReadOptions options;
  options.batch_rows = std::max<size_t>(rows, 1);
  auto reader = OpenReader(path, **format, options);
  if (!reader.ok()) return reader.status();
  RecordBatch batch((*reader)->schema());
  std::vector<std::string> first;
  if (rows > 0) {
    auto more = (*reader)->ReadBatch(&batch);
    if (!more.ok()) return more.status();
    for (size_t i = 0; i < batch.num_rows() && i < rows; ++i) {
      // As DuckDB's to_json prints rows, nested values and logical types included.
      first.push_back(RowJson(batch, i));
    }
  }
  const Schema& schema = *(*reader)->schema();

  if (as_json) {
    Json out;
    out["file"] = path;
    out["format"] = (*format)->name;
    for (auto it = facts.begin(); it != facts.end(); ++it) out[it.key()] = it.value();
    out["schema"] = Json::parse(schema.ToAvroJson());
    Json fields = Json::array();
    for (const Field& f : schema.fields()) fields.push_back(FieldJson(f));
    out["fields"] = std::move(fields);
    out["rows"] = Json::array();
    std::string text = out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    // The rows go in as RowJson printed them: parsing them again would turn
    // decimals and 64-bit integers beyond a double's precision into doubles.
    std::string rows_text = "[";
    for (size_t i = 0; i < first.size(); ++i) {
      rows_text += (i == 0 ? "\n    " : ",\n    ") + first[i];
    }
    rows_text += first.empty() ? "]" : "\n  ]";
    const size_t at = text.rfind("\"rows\": []");
    if (at != std::string::npos) text.replace(at + 8, 2, rows_text);
    fmt::print("{}\n", text);
    return kExitOk;
  }

  fmt::print("{:<{}}{}\n", "file", kLabelWidth, path);
  fmt::print("{:<{}}{}\n", "format", kLabelWidth, (*format)->name);
  if (facts.contains("file_size")) {
    fmt::print("{:<{}}{} ({} bytes)\n", "size", kLabelWidth,
               FormatBytes(Number(facts, "file_size")), FormatCount(Number(facts, "file_size")));
  }
  if (facts.contains("num_rows"))
    fmt::print("{:<{}}{}\n", "rows", kLabelWidth, FormatCount(Number(facts, "num_rows")));
  for (auto it = facts.begin(); it != facts.end(); ++it) {
    const std::string& key = it.key();
    if (key == "format" || key == "file_size" || key == "num_rows" || key == "row_groups" ||
        key == "schema" || key == "metadata") {
      continue;
    }
    std::string label = key;
    std::replace(label.begin(), label.end(), '_', ' ');
    fmt::print("{:<{}}{}\n", label, kLabelWidth, Joined(it.value()));
  }
  if (facts.contains("metadata") && facts["metadata"].is_object() && !facts["metadata"].empty()) {
    fmt::print("\nmetadata:\n");
    for (auto it = facts["metadata"].begin(); it != facts["metadata"].end(); ++it) {
      // One line per key: runs of whitespace (pretty-printed JSON) become one space.
      std::string value;
      for (char c : Text(it.value())) {
        const bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
        if (space && (value.empty() || value.back() == ' ')) continue;
        value.push_back(space ? ' ' : c);
      }
      if (value.size() > 100) value = value.substr(0, 97) + "...";
      fmt::print("  {}: {}\n", it.key(), value);
    }
  }
  fmt::print("\nschema:\n");
  for (const Field& f : schema.fields()) fmt::print("  {:<24} {}\n", f.name, f.Describe());
  if (facts.contains("row_groups") && facts["row_groups"].is_array())
    PrintRowGroups(facts["row_groups"]);
  if (rows > 0) {
    fmt::print("\nfirst {} rows:\n", first.size());
    for (const std::string& line : first) fmt::print("  {}\n", line);
  }
  return kExitOk;
}

}  // namespace

Result<int> RunInspect(int argc, char** argv) {
  CLI::App app(
      "Show a file's schema, row count, layout (Parquet row groups, codecs, encodings, "
      "sizes, statistics; Avro codec and blocks) and its first rows. Given a directory or an "
      "s3:// prefix, list its data files (recursively; names starting with '.' or '_' "
      "skipped) with their formats, row counts and sizes; --rows N then also shows the first "
      "N rows of the first file. Parquet files with nested columns (struct, list, map) and logical "
      "types are read whole; VARIANT columns and Parquet modular encryption are not supported.",
      "lakepipe inspect");
  std::string path, format, config_path;
  size_t rows = 5;
  bool as_json = false;
  bool print_config = false;
  S3Flags s3;
  app.add_option("file", path,
                 "File or directory: a path, file:// or s3:// URI (an s3:// prefix lists its "
                 "files)")
      ->required();
  app.add_option("--rows", rows, "Rows to show")->capture_default_str();
  app.add_flag("--json", as_json, "Print everything as one JSON document");
  app.add_option("--format", format,
                 "Format when the extension does not tell: parquet, avro, jsonl, json, csv");
  app.add_option("--config", config_path,
                 "YAML config file shared by every command (its s3 section is used; the others are "
                 "validated)");
  AddPrintConfigFlag(&app, &print_config);
  AddS3Flags(&app, &s3);
  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  auto cfg = LoadConfigWithS3Flags(app, config_path, s3);
  if (!cfg.ok()) return cfg.status();
  if (print_config) return PrintConfig(*cfg);
  LP_RETURN_IF_ERROR(ConfigureS3(*cfg));
  if (!format.empty()) {
    if (auto known = FormatRegistry::Default().Find(format); !known.ok()) {
      return known.status();
    }
  }
  Result<std::optional<DirectoryListing>> listing = ListDirectory(path, format);
  if (!listing.ok()) return listing.status().WithContext(path);
  if (*listing) {
    const std::optional<size_t> first_rows =
        app.count("--rows") > 0 ? std::optional<size_t>(rows) : std::nullopt;
    return InspectDirectory(**listing, first_rows, as_json, format);
  }
  return Inspect(path, rows, as_json, format);
}

}  // namespace lakepipe::cli

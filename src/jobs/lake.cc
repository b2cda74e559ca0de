#include "jobs/lake.h"

#include <algorithm>
#include <regex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/time_util.h"
#include "formats/format.h"
#include "formats/open.h"

namespace lakepipe::jobs {

Result<std::vector<ObjectInfo>> ListRawFiles(const Lake& lake, const std::string& table,
                                             std::optional<int32_t> since) {
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> files, lake.ListData(Lake::RawDir(table)));
  const FormatRegistry& formats = FormatRegistry::Default();
  static const std::regex kArchiveName(R"(\+(\d+)\+(\d+)\.[A-Za-z]+$)");
  static const std::regex kEventDate(R"((^|/)event_date=(\d{4}-\d\d-\d\d)(/|$))");
  struct Keyed {
    ObjectInfo info;
    int64_t partition = -1, offset = -1;
  };
  std::vector<Keyed> keyed;
  for (ObjectInfo& f : files) {
    if (!formats.ForPath(f.path).ok()) continue;  // not a data file of a known format
    std::smatch m;
    if (since && std::regex_search(f.path, m, kEventDate)) {
      Result<int32_t> day = ParseDate(m[2].str());
      if (day.ok() && *day < *since) continue;
    }
    Keyed k{std::move(f)};
    if (std::regex_search(k.info.path, m, kArchiveName)) {
      k.partition = std::stoll(m[1].str());
      k.offset = std::stoll(m[2].str());
    }
    keyed.push_back(std::move(k));
  }
  std::stable_sort(keyed.begin(), keyed.end(), [](const Keyed& a, const Keyed& b) {
    if (a.partition != b.partition) return a.partition < b.partition;
    if (a.offset != b.offset) return a.offset < b.offset;
    return a.info.path < b.info.path;
  });
  std::vector<ObjectInfo> out;
  out.reserve(keyed.size());
  for (Keyed& k : keyed) out.push_back(std::move(k.info));
  return out;
}

Status RequireRawFiles(const Lake& lake, const std::string& table) {
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> raw, ListRawFiles(lake, table, std::nullopt));
  if (!raw.empty()) return Status::OK();
  return NotFoundError(
      "no raw files under {}: archive a topic into table '{}' first: lakepipe archive --topic "
      "TOPIC --table {} --lake {} (see lakepipe archive --help)",
      lake.Uri(lake.Path(Lake::RawDir(table))), table, table, lake.uri());
}

Status DeleteLeftovers(const Lake& lake, const std::string& table) {
  for (const std::string& zone : Lake::JobZones()) {
    LP_RETURN_IF_ERROR(lake.DeleteInterruptedWrites(Lake::ZoneDir(table, zone), /*spills=*/true));
  }
  for (const std::string& dir : {Lake::BookmarkDir(table), Lake::StateDir(table)}) {
    LP_RETURN_IF_ERROR(lake.DeleteInterruptedWrites(dir));
  }
  return Status::OK();
}

Field TableField(std::string name, Type type, LogicalType logical, bool nullable) {
  Field f;
  f.name = std::move(name);
  f.type = type;
  f.logical = logical;
  f.nullable = nullable;
  return f;
}

SchemaPtr ProjectColumns(const Schema& schema, const std::vector<std::string>& names) {
  std::vector<Field> fields;
  for (const std::string& n : names) {
    fields.push_back(schema.field(static_cast<size_t>(schema.FieldIndex(n))));
  }
  return std::make_shared<const Schema>("Projection", std::move(fields), "lakepipe.jobs");
}

std::string NameTag(std::string_view text) {
  uint64_t h = 1469598103934665603ull;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

WriteOptions TableWriteOptions() {
  WriteOptions w;
  w.parquet.compression = "zstd";
  // The fast level: about 2% larger files than level 3 for much less CPU
  // (the jobs rewrite whole partitions), as in the archive.
  w.parquet.compression_level = 1;
  return w;
}

Result<uint64_t> WriteTableFile(const Lake& lake, const std::string& path, const RecordBatch& batch,
                                const std::vector<uint8_t>* keep, bool scratch) {
  constexpr size_t kChunkRows = 65536;
  const FormatInfo* parquet = *FormatRegistry::Default().Find("parquet");
  WriteOptions wo = TableWriteOptions();
  if (scratch) {
    wo.parquet.compression = "none";
    wo.parquet.dictionary = false;
  }
  LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> out, lake.store().OpenOutput(path, wo.output));
  LP_ASSIGN_OR_RETURN(std::unique_ptr<FileWriter> writer,
                      parquet->new_writer(std::move(out), batch.schema(), wo));
  Status st;
  if (keep == nullptr) {
    st = writer->Write(batch);
  } else {
    RecordBatch chunk(batch.schema());
    for (size_t i = 0; i < batch.num_rows() && st.ok(); ++i) {
      if (!(*keep)[i]) continue;
      chunk.AppendRowFrom(batch, i);
      if (chunk.num_rows() == kChunkRows) {
        st = writer->Write(chunk);
        chunk.Clear();
      }
    }
    if (st.ok() && chunk.num_rows() > 0) st = writer->Write(chunk);
  }
  if (st.ok()) st = writer->Finish();
  if (!st.ok()) {
    writer->Abort();
    return st.WithContext(lake.Uri(path));
  }
  return writer->bytes_written();
}

Status ScanTable(const Lake& lake, const std::string& rel, const SchemaPtr& schema,
                 const std::function<Status(const RecordBatch&)>& fn) {
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> files, lake.ListData(rel));
  std::vector<std::string> paths;
  for (const ObjectInfo& f : files) {
    if (IsParquetFile(f.path)) {
      paths.push_back(f.path);
    }
  }
  return ScanFiles(lake, paths, schema, fn);
}

Status ScanFiles(const Lake& lake, const std::vector<std::string>& paths, const SchemaPtr& schema,
                 const std::function<Status(const RecordBatch&)>& fn) {
  const FormatInfo* parquet = *FormatRegistry::Default().Find("parquet");
  for (const std::string& path : paths) {
    ReadOptions ro;
    ro.schema = schema;
    LP_ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> reader,
                        OpenReader(lake.Uri(path), *parquet, ro));
    RecordBatch batch(reader->schema());
    for (bool more = true; more;) {
      LP_ASSIGN_OR_RETURN(more, reader->ReadBatch(&batch));
      if (batch.num_rows() > 0) LP_RETURN_IF_ERROR(fn(batch));
    }
  }
  return Status::OK();
}

Result<Bookmark> LoadBookmark(const Lake& lake, const std::string& table, const std::string& job) {
  const std::string path = lake.Path(Lake::BookmarkPath(table, job));
  Result<std::unique_ptr<InputFile>> in = lake.store().OpenInput(path);
  if (!in.ok() && in.status().code() == StatusCode::kNotFound) return Bookmark{};
  if (!in.ok()) return in.status();
  LP_ASSIGN_OR_RETURN(std::string text, ReadWholeFile(in->get()));
  Bookmark b;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    if (j.at("version").get<int>() != 1) {
      return CorruptionError("{}: unknown bookmark version {}", lake.Uri(path),
                             j.at("version").dump());
    }
    for (const auto& f : j.at("files")) {
      b.files.emplace_back(f.at("path").get<std::string>(), f.at("size").get<uint64_t>());
    }
    if (j.contains("as_of")) {
      LP_ASSIGN_OR_RETURN(b.as_of, ParseDate(j.at("as_of").get<std::string>()));
    }
    b.runs = j.value("runs", uint64_t{0});
    b.params = j.value("params", std::string());
    if (j.contains("iceberg_snapshot"))
      b.iceberg_snapshot = j.at("iceberg_snapshot").get<int64_t>();
  } catch (const nlohmann::json::exception& e) {
    return CorruptionError("{}: not a bookmark ({}); delete it or run with --full-refresh",
                           lake.Uri(path), e.what());
  }
  return b;
}

Status SaveBookmark(const Lake& lake, const std::string& table, const std::string& job,
                    const Bookmark& b) {
  nlohmann::ordered_json j;
  j["version"] = 1;
  j["table"] = table;
  j["job"] = job;
  if (b.as_of) j["as_of"] = FormatDate(*b.as_of);
  j["runs"] = b.runs;
  if (!b.params.empty()) j["params"] = b.params;
  if (b.iceberg_snapshot) j["iceberg_snapshot"] = *b.iceberg_snapshot;
  j["files"] = nlohmann::ordered_json::array();
  for (const auto& [p, s] : b.files) j["files"].push_back({{"path", p}, {"size", s}});
  const std::string path = lake.Path(Lake::BookmarkPath(table, job));
  LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> out,
                      lake.store().OpenOutput(path, OutputOptions()));
  LP_RETURN_IF_ERROR(out->Append(j.dump(1) + "\n"));
  return out->Commit();
}

}  // namespace lakepipe::jobs

#include "jobs/iceberg_tables.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>

#include <fmt/format.h>

#include "core/time_util.h"
#include "formats/format.h"
#include "formats/open.h"
#include "iceberg/data_schema.h"
#include "iceberg/manifest.h"
#include "iceberg/overwrite.h"

namespace lakepipe::jobs {
namespace {

using iceberg::Catalog;
using iceberg::DataFile;
using iceberg::Datum;
using iceberg::LoadedTable;
using iceberg::TableIdentifier;

enum class PartKind { kDate, kInt, kString };

// A Hive partition column of an output directory and its value in a file's
// path.
struct PartValue {
  std::string name;
  std::string text;
};

// One Hive file of an output directory and the Iceberg copy it maps to.
struct Output {
  ObjectInfo info;
  std::vector<PartValue> partition;
};

PartKind KindOf(const std::string& text) {
  static const std::regex kDate(R"(\d{4}-\d\d-\d\d)");
  static const std::regex kInt(R"(-?\d{1,9})");
  if (std::regex_match(text, kDate)) return PartKind::kDate;
  if (std::regex_match(text, kInt)) return PartKind::kInt;
  return PartKind::kString;
}

// The key=value directories of `rel` (a path below an output directory).
std::vector<PartValue> PartitionOf(const std::string& rel) {
  std::vector<PartValue> out;
  size_t start = 0;
  for (size_t slash; (slash = rel.find('/', start)) != std::string::npos; start = slash + 1) {
    const std::string segment = rel.substr(start, slash - start);
    const size_t eq = segment.find('=');
    if (eq != std::string::npos) out.push_back({segment.substr(0, eq), segment.substr(eq + 1)});
  }
  return out;
}

// The Parquet files of the output directory `dir`, spill files left out.
Result<std::vector<Output>> ListOutputs(const Lake& lake, const std::string& dir) {
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> files, lake.ListData(dir));
  const std::string base = lake.Path(dir) + "/";
  std::vector<Output> out;
  for (ObjectInfo& f : files) {
    if (!IsParquetFile(f.path) || f.path.rfind(base, 0) != 0) continue;
    const std::string rel = f.path.substr(base.size());
    if (rel.find("/_") != std::string::npos || rel[0] == '_') continue;
    out.push_back(Output{std::move(f), PartitionOf(rel)});
  }
  return out;
}

// The table schema of an output: the file's columns, then the partition
// columns the files do not hold.
// Text uuids become strings: Iceberg's uuid is 16 bytes in Parquet.
SchemaPtr OutputSchema(const Schema& file, const std::vector<PartValue>& partition) {
  std::vector<Field> fields = file.fields();
  for (Field& f : fields) {
    if (f.kind() == Kind::kUuid && StorageOf(f) == Storage::kBinary) {
      f = TableField(f.name, Type::kString, LogicalType::kNone, f.nullable);
    }
  }
  for (const PartValue& p : partition) {
    if (file.FieldIndex(p.name) >= 0) continue;
    switch (KindOf(p.text)) {
      case PartKind::kDate:
        fields.push_back(TableField(p.name, Type::kInt, LogicalType::kDate));
        break;
      case PartKind::kInt:
        fields.push_back(TableField(p.name, Type::kInt));
        break;
      case PartKind::kString:
        fields.push_back(TableField(p.name, Type::kString));
        break;
    }
  }
  return std::make_shared<const Schema>("Output", std::move(fields), "lakepipe.jobs");
}

Result<SchemaPtr> FileSchema(const Lake& lake, const std::string& path) {
  const FormatInfo* parquet = *FormatRegistry::Default().Find("parquet");
  LP_ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> reader,
                      OpenReader(lake.Uri(path), *parquet, ReadOptions()));
  return reader->schema();
}

// The same columns (names, types, nullability, in order), field ids aside.
Status CheckSameColumns(const Schema& table, const Schema& output, const std::string& name) {
  const auto differ = [&](size_t i) {
    const Field& a = table.field(i);
    const Field& b = output.field(i);
    return a.name != b.name || a.kind() != b.kind() || a.nullable != b.nullable;
  };
  const size_t n = std::min(table.num_fields(), output.num_fields());
  for (size_t i = 0; i < n; ++i) {
    if (differ(i)) {
      return UnimplementedError(
          "Iceberg table {} has column {} '{}' where the job writes '{}' (another type or "
          "nullability): schema evolution is not supported; drop the table and run with "
          "--full-refresh",
          name, i + 1, table.field(i).name, output.field(i).name);
    }
  }
  if (table.num_fields() != output.num_fields()) {
    return UnimplementedError(
        "Iceberg table {} has {} columns where the job writes {}: schema evolution is not "
        "supported; drop the table and run with --full-refresh",
        name, table.num_fields(), output.num_fields());
  }
  return Status::OK();
}

// The table `id`, created for `schema` partitioned by identity on
// `partition` when it does not exist.
Result<LoadedTable> LoadOrCreate(Catalog* catalog, const TableIdentifier& id, const Schema& schema,
                                 const std::vector<PartValue>& partition) {
  Result<LoadedTable> loaded = catalog->LoadTable(id);
  if (loaded.ok() || loaded.status().code() != StatusCode::kNotFound) return loaded;
  std::string spec_text;
  for (const PartValue& p : partition) spec_text += (spec_text.empty() ? "" : ", ") + p.name;
  LP_ASSIGN_OR_RETURN(iceberg::PartitionSpec spec, iceberg::ParsePartitionSpec(spec_text, schema));
  Result<std::string> location = catalog->DefaultLocation(id);
  LP_ASSIGN_OR_RETURN(iceberg::TableMetadata meta,
                      iceberg::TableMetadata::New(location.ok() ? *location : std::string(), schema,
                                                  std::move(spec)));
  Result<LoadedTable> created = catalog->CreateTable(id, meta);
  if (!created.ok() && created.status().code() == StatusCode::kAlreadyExists) {
    return catalog->LoadTable(id);
  }
  return created;
}

// A tag that changes whenever the file does: its path, size and footer.
Result<std::string> FileTag(const Lake& lake, const ObjectInfo& f) {
  LP_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> in, lake.store().OpenInput(f.path));
  const uint64_t size = in->size();
  if (size < 12) return CorruptionError("{} is too short to be Parquet", lake.Uri(f.path));
  std::string tail;
  LP_RETURN_IF_ERROR(in->ReadAt(size - 8, 8, &tail));
  const uint32_t length = static_cast<uint8_t>(tail[0]) | static_cast<uint8_t>(tail[1]) << 8 |
                          static_cast<uint8_t>(tail[2]) << 16 |
                          static_cast<uint32_t>(static_cast<uint8_t>(tail[3])) << 24;
  if (length + 8ull > size) return CorruptionError("{}: bad Parquet footer", lake.Uri(f.path));
  std::string footer;
  LP_RETURN_IF_ERROR(in->ReadAt(size - 8 - length, length, &footer));
  return NameTag(fmt::format("{}\n{}\n{}", lake.Relative(f.path), size, footer));
}

Result<Datum> PartitionDatum(const PartValue& p, const Field& field) {
  if (field.logical == LogicalType::kDate) {
    LP_ASSIGN_OR_RETURN(int32_t day, ParseDate(p.text));
    return Datum(day);
  }
  if (field.type == Type::kInt) return Datum(static_cast<int32_t>(std::stol(p.text)));
  return Datum(p.text);
}

// Iceberg's partition path of `values` (identity: dates and ints as text).
std::string PartitionPath(const std::vector<PartValue>& partition,
                          const std::vector<Datum>& values) {
  std::string out;
  for (size_t i = 0; i < partition.size(); ++i) {
    std::string text = partition[i].text;
    if (const auto* v = std::get_if<int32_t>(&values[i]); v && KindOf(text) == PartKind::kInt) {
      text = std::to_string(*v);
    }
    out += fmt::format("{}={}/", partition[i].name, text);
  }
  return out;
}

// Copies the Hive file `from` to `uri`: its columns in the table's types
// (iceberg/data_schema.h: millisecond timestamps become microseconds), the
// partition columns filled in, each with the field id of the table's column
// (CheckSameColumns made them match by position).
Result<DataFile> CopyFile(const Lake& lake, const Output& from, const iceberg::TableSchema& table,
                          const std::vector<Datum>& values, const std::string& uri) {
  const FormatInfo* parquet = *FormatRegistry::Default().Find("parquet");
  LP_ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> reader,
                      OpenReader(lake.Uri(from.info.path), *parquet, ReadOptions()));
  const Schema& file = *reader->schema();
  std::vector<Field> fields = OutputSchema(file, from.partition)->fields();
  if (fields.size() != table.schema->num_fields()) {
    return InvalidArgumentError("{}: {} columns where table at {} has {}", lake.Uri(from.info.path),
                                fields.size(), uri, table.schema->num_fields());
  }
  for (size_t i = 0; i < fields.size(); ++i) fields[i].field_id = table.schema->field(i).field_id;
  const SchemaPtr write_schema =
      std::make_shared<const Schema>("Output", std::move(fields), "lakepipe.jobs");
  const Schema& schema = *write_schema;
  WriteOptions wo = TableWriteOptions();
  LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> out, OpenOutputStream(uri, wo.output));
  LP_ASSIGN_OR_RETURN(std::unique_ptr<FileWriter> inner,
                      parquet->new_writer(std::move(out), table.schema, wo));
  std::unique_ptr<FileWriter> writer =
      iceberg::DataFileWriter(std::move(inner), write_schema, table.schema);
  RecordBatch batch(reader->schema());
  Status st;
  for (bool more = true; more && st.ok();) {
    Result<bool> read = reader->ReadBatch(&batch);
    if (!read.ok()) {
      st = read.status();
      break;
    }
    more = *read;
    if (batch.num_rows() == 0) continue;
    RecordBatch copy(write_schema);
    for (size_t i = 0; i < schema.num_fields(); ++i) {
      const int src = file.FieldIndex(schema.field(i).name);
      if (src >= 0) {
        copy.column(i).AppendColumn(batch.column(static_cast<size_t>(src)));
        continue;
      }
      for (size_t p = 0; p < from.partition.size(); ++p) {
        if (from.partition[p].name != schema.field(i).name) continue;
        for (size_t r = 0; r < batch.num_rows(); ++r) {
          if (const auto* v = std::get_if<int32_t>(&values[p])) {
            copy.column(i).AppendInt32(*v);
          } else {
            copy.column(i).AppendBytes(std::get<std::string>(values[p]));
          }
        }
      }
    }
    copy.SetNumRows(batch.num_rows());
    st = writer->Write(copy);
  }
  if (st.ok()) st = writer->Finish();
  if (!st.ok()) {
    writer->Abort();
    return st.WithContext(uri);
  }
  LP_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> written, OpenInputFile(uri));
  return iceberg::DataFileFromParquet(written.get(), uri, table, values);
}

// Publishes the output directory `dir` as the table `id` (see the header).
Result<IcebergCommit> Publish(const Lake& lake, Catalog* catalog, const TableIdentifier& id,
                              const std::string& dir) {
  IcebergCommit result;
  result.table = id.ToString();
  LP_ASSIGN_OR_RETURN(std::vector<Output> outputs, ListOutputs(lake, dir));
  if (outputs.empty()) {
    Result<LoadedTable> existing = catalog->LoadTable(id);
    if (!existing.ok() && existing.status().code() == StatusCode::kNotFound) return result;
    LP_RETURN_IF_ERROR(existing.status());
  }
  LoadedTable table;
  if (!outputs.empty()) {
    LP_ASSIGN_OR_RETURN(SchemaPtr file_schema, FileSchema(lake, outputs[0].info.path));
    const SchemaPtr schema = OutputSchema(*file_schema, outputs[0].partition);
    // The table holds the types the Iceberg spec maps to Parquet (e.g.
    // timestamps in microseconds); CopyFile converts the values.
    const Schema data = iceberg::DataFileSchema(*schema);
    LP_ASSIGN_OR_RETURN(table, LoadOrCreate(catalog, id, data, outputs[0].partition));
    const iceberg::TableSchema* current = table.metadata.CurrentSchema();
    if (current == nullptr) return CorruptionError("table {} has no schema", result.table);
    LP_RETURN_IF_ERROR(CheckSameColumns(*current->schema, data, result.table));
  } else {
    LP_ASSIGN_OR_RETURN(table, catalog->LoadTable(id));
  }
  result.location = table.metadata.location;
  const iceberg::TableSchema* schema = table.metadata.CurrentSchema();
  // Each file's copy: its URI, the file and its partition values.
  std::map<std::string, std::pair<const Output*, std::vector<Datum>>> wanted;
  for (const Output& o : outputs) {
    std::vector<Datum> values;
    for (const PartValue& p : o.partition) {
      const int index = schema->schema->FieldIndex(p.name);
      if (index < 0) {
        return InvalidArgumentError("{}: partition column '{}' is not a column of table {}",
                                    lake.Uri(o.info.path), p.name, result.table);
      }
      LP_ASSIGN_OR_RETURN(Datum v,
                          PartitionDatum(p, schema->schema->field(static_cast<size_t>(index))));
      values.push_back(std::move(v));
    }
    LP_ASSIGN_OR_RETURN(std::string tag, FileTag(lake, o.info));
    std::string stem = o.info.path.substr(o.info.path.rfind('/') + 1);
    stem = stem.substr(0, stem.rfind(".parquet"));
    const std::string uri = fmt::format("{}/data/{}{}-{}.parquet", table.metadata.location,
                                        PartitionPath(o.partition, values), stem, tag);
    wanted.emplace(uri, std::make_pair(&o, std::move(values)));
  }
  std::map<std::string, DataFile> copied;  // across attempts
  iceberg::OverwriteFiles overwrite(catalog, id);
  LP_ASSIGN_OR_RETURN(
      iceberg::AppendResult committed,
      overwrite.Commit(iceberg::NewUuid(),
                       [&](const LoadedTable& current) -> Result<iceberg::OverwritePlan> {
                         iceberg::OverwritePlan plan;
                         std::set<std::string> live;
                         if (const iceberg::Snapshot* s = current.metadata.CurrentSnapshot()) {
                           LP_ASSIGN_OR_RETURN(std::vector<iceberg::ManifestEntry> entries,
                                               iceberg::LiveEntries(*s));
                           for (const auto& e : entries) live.insert(e.data_file.file_path);
                         }
                         for (const std::string& path : live) {
                           if (!wanted.count(path)) plan.deleted.insert(path);
                         }
                         const iceberg::TableSchema* now = current.metadata.CurrentSchema();
                         for (const auto& [uri, file] : wanted) {
                           if (live.count(uri)) continue;
                           auto it = copied.find(uri);
                           if (it == copied.end()) {
                             LP_ASSIGN_OR_RETURN(
                                 DataFile f, CopyFile(lake, *file.first, *now, file.second, uri));
                             it = copied.emplace(uri, std::move(f)).first;
                           }
                           plan.added.push_back(it->second);
                         }
                         plan.skip = plan.added.empty() && plan.deleted.empty();
                         return plan;
                       }));
  if (committed.committed) {
    result.snapshot_id = committed.snapshot_id;
    const iceberg::Snapshot* s = committed.table.metadata.FindSnapshot(committed.snapshot_id);
    if (s != nullptr) {
      const auto count = [&](const char* key) -> uint64_t {
        auto it = s->summary.find(key);
        return it == s->summary.end() ? 0 : std::stoull(it->second);
      };
      result.added_files = count("added-data-files");
      result.deleted_files = count("deleted-data-files");
    }
  }
  return result;
}

// The output directories of `job` of `table`: (table name suffix, dir).
Result<std::vector<std::pair<std::string, std::string>>> OutputDirs(const Lake& lake,
                                                                    const std::string& table,
                                                                    const std::string& job) {
  std::vector<std::pair<std::string, std::string>> out;
  if (job == "clean") {
    out.emplace_back("clean", Lake::CleanDir(table));
    out.emplace_back("rejected", Lake::RejectedDir(table));
    return out;
  }
  const std::string dir = Lake::ParquetDir(table, job);
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> files, lake.ListData(dir));
  const std::string base = lake.Path(dir) + "/";
  std::set<std::string> metrics;
  for (const ObjectInfo& f : files) {
    if (f.path.rfind(base, 0) != 0) continue;
    const size_t slash = f.path.find('/', base.size());
    if (slash != std::string::npos) metrics.insert(f.path.substr(base.size(), slash - base.size()));
  }
  for (const std::string& m : metrics) {
    if (m.empty() || m[0] == '_' || m[0] == '.') continue;
    out.emplace_back(fmt::format("{}_{}", job, m), Lake::MetricDir(table, job, m));
  }
  return out;
}

// The ordering key of a raw data file: Kafka partition and first offset
// when the archiver's name says them.
std::pair<int64_t, int64_t> ArchiveKey(const std::string& path) {
  static const std::regex kName(R"(\+(\d+)\+(\d+)-[^/]*$)");
  std::smatch m;
  if (std::regex_search(path, m, kName)) return {std::stoll(m[1].str()), std::stoll(m[2].str())};
  return {-1, -1};
}

// The catalog of `tables`; a warehouse that is a local path becomes an
// absolute file:// URI, as the archiver makes it, so that table locations
// are readable from anywhere.
Result<std::unique_ptr<Catalog>> MakeCatalog(const IcebergTables& tables) {
  iceberg::CatalogOptions options = tables.catalog;
  if (!options.warehouse.empty() && options.warehouse.find("://") == std::string::npos) {
    std::string path = std::filesystem::absolute(options.warehouse).lexically_normal().string();
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    options.warehouse = "file://" + path;
  }
  return iceberg::CatalogRegistry::Default().Make(options);
}

Result<TableIdentifier> RawTableId(const IcebergTables& tables, const std::string& table) {
  if (tables.raw_table.empty()) return TableIdentifier{{tables.namespace_name}, table};
  return TableIdentifier::Parse(tables.raw_table);
}

}  // namespace

Result<std::vector<IcebergCommit>> PublishJobOutputs(const Lake& lake, const IcebergTables& tables,
                                                     const std::string& table,
                                                     const std::string& job) {
  LP_ASSIGN_OR_RETURN(std::unique_ptr<Catalog> catalog, MakeCatalog(tables));
  LP_ASSIGN_OR_RETURN(auto dirs, OutputDirs(lake, table, job));
  std::vector<IcebergCommit> out;
  for (const auto& [suffix, dir] : dirs) {
    const TableIdentifier id{{tables.namespace_name}, fmt::format("{}_{}", table, suffix)};
    LP_ASSIGN_OR_RETURN(IcebergCommit c, Publish(lake, catalog.get(), id, dir));
    if (!c.location.empty()) out.push_back(std::move(c));
  }
  return out;
}

Result<bool> HasIcebergRawTable(const IcebergTables& tables, const std::string& table) {
  LP_ASSIGN_OR_RETURN(std::unique_ptr<Catalog> catalog, MakeCatalog(tables));
  LP_ASSIGN_OR_RETURN(const TableIdentifier id, RawTableId(tables, table));
  Result<LoadedTable> loaded = catalog->LoadTable(id);
  if (!loaded.ok() && loaded.status().code() == StatusCode::kNotFound) return false;
  LP_RETURN_IF_ERROR(loaded.status());
  return true;
}

Result<std::optional<IcebergRawFiles>> IcebergRawFilesAfter(const IcebergTables& tables,
                                                            const std::string& table,
                                                            std::optional<int64_t> after) {
  LP_ASSIGN_OR_RETURN(std::unique_ptr<Catalog> catalog, MakeCatalog(tables));
  LP_ASSIGN_OR_RETURN(const TableIdentifier id, RawTableId(tables, table));
  Result<LoadedTable> loaded = catalog->LoadTable(id);
  if (!loaded.ok() && loaded.status().code() == StatusCode::kNotFound) {
    return std::optional<IcebergRawFiles>();
  }
  LP_RETURN_IF_ERROR(loaded.status());
  IcebergRawFiles out;
  out.table = id.ToString();
  const iceberg::Snapshot* current = loaded->metadata.CurrentSnapshot();
  if (current == nullptr) return std::optional<IcebergRawFiles>(std::move(out));
  out.snapshot_id = current->snapshot_id;
  std::set<int64_t> fresh;
  bool found = !after.has_value();
  for (const iceberg::Snapshot* s : loaded->metadata.Ancestry()) {
    if (after && s->snapshot_id == *after) {
      found = true;
      break;
    }
    fresh.insert(s->snapshot_id);
  }
  if (!found) {
    return FailedPreconditionError(
        "snapshot {} that the clean job processed last is not an ancestor of the current "
        "snapshot {} of {} (expired, or the table was replaced): run with --full-refresh",
        *after, current->snapshot_id, out.table);
  }
  LP_ASSIGN_OR_RETURN(std::vector<iceberg::ManifestEntry> entries, iceberg::LiveEntries(*current));
  out.live_files = entries.size();
  std::erase_if(entries, [&](const iceberg::ManifestEntry& e) {
    return !e.snapshot_id || !fresh.count(*e.snapshot_id) || e.data_file.content != 0;
  });
  std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    const auto ka = std::make_tuple(a.sequence_number.value_or(0),
                                    ArchiveKey(a.data_file.file_path), a.data_file.file_path);
    const auto kb = std::make_tuple(b.sequence_number.value_or(0),
                                    ArchiveKey(b.data_file.file_path), b.data_file.file_path);
    return ka < kb;
  });
  for (const auto& e : entries) {
    out.files.push_back(
        ObjectInfo{e.data_file.file_path, static_cast<uint64_t>(e.data_file.file_size_in_bytes)});
  }
  return std::optional<IcebergRawFiles>(std::move(out));
}

}  // namespace lakepipe::jobs

// Makes an Iceberg table for the interop tests of `lakepipe sql
// --table-format iceberg` (tests/interop/iceberg_sql.test.mjs): table
// default.users in a file or sql catalog, with columns id (long), name
// (string, null in every 7th row), amount (double, null in every 5th) and
// event_time (UTC timestamp), unpartitioned; `commits` appends of two
// Parquet data files of `rows` rows each, written with the table's field
// ids and committed through AppendFiles. Prints the catalog's metadata
// location of the table after the last commit. An s3:// warehouse is
// reached as lakepipe reaches S3 (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...).
//
//   iceberg_fixture_tool <warehouse> <file|sql> <sqlite file or -> <commits> <rows>
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "iceberg/append.h"
#include "iceberg/catalog.h"
#include "jobs/lake.h"
#include "s3/s3_store.h"
#include "storage/object_store.h"

namespace lakepipe {
namespace {

Field Column(std::string name, Kind kind, bool nullable) {
  Field f;
  f.name = std::move(name);
  f.full_kind = kind;
  f.nullable = nullable;
  SetFlatView(&f);
  return f;
}

// One data file of `rows` rows starting at id `first`, at `uri`; its DataFile.
Result<iceberg::DataFile> WriteData(const iceberg::LoadedTable& table, const std::string& uri,
                                    int64_t first, int rows) {
  RecordBatch b(table.metadata.CurrentSchema()->schema);
  for (int64_t id = first; id < first + rows; ++id) {
    b.column(0).AppendInt64(id);
    if (id % 7 == 0) {
      b.column(1).AppendNull();
    } else {
      b.column(1).AppendBytes(fmt::format("user {} ✓", id));
    }
    if (id % 5 == 0) {
      b.column(2).AppendNull();
    } else {
      b.column(2).AppendDouble(static_cast<double>(id) / 4 - 10);
    }
    b.column(3).AppendInt64(1733600000000000 + id * 1000003);
    b.CommitRow();
  }
  const size_t slash = uri.rfind('/');
  LP_ASSIGN_OR_RETURN(jobs::Lake lake, jobs::Lake::Open(uri.substr(0, slash)));
  LP_ASSIGN_OR_RETURN(uint64_t size,
                      jobs::WriteTableFile(lake, lake.Path(uri.substr(slash + 1)), b));
  iceberg::DataFile f;
  f.file_path = uri;
  f.record_count = rows;
  f.file_size_in_bytes = static_cast<int64_t>(size);
  return f;
}

Result<std::string> Run(const std::string& warehouse, const std::string& type,
                        const std::string& uri, int commits, int rows) {
  iceberg::CatalogOptions o;
  o.type = type;
  o.warehouse = warehouse;
  if (type == "sql") o.uri = uri;
  LP_ASSIGN_OR_RETURN(std::unique_ptr<iceberg::Catalog> catalog,
                      iceberg::CatalogRegistry::Default().Make(o));
  LP_ASSIGN_OR_RETURN(iceberg::TableIdentifier id,
                      iceberg::TableIdentifier::Parse("default.users"));
  LP_ASSIGN_OR_RETURN(std::string location, catalog->DefaultLocation(id));
  Schema schema("users", {Column("id", Kind::kInt64, false), Column("name", Kind::kString, true),
                          Column("amount", Kind::kDouble, true),
                          Column("event_time", Kind::kTimestamp, false)});
  LP_ASSIGN_OR_RETURN(iceberg::TableMetadata metadata,
                      iceberg::TableMetadata::New(location, schema, iceberg::PartitionSpec{}));
  LP_ASSIGN_OR_RETURN(iceberg::LoadedTable table, catalog->CreateTable(id, metadata));
  iceberg::AppendFiles append(catalog.get(), id);
  int64_t next = 1;
  for (int c = 0; c < commits; ++c) {
    std::vector<iceberg::DataFile> files;
    for (int k = 0; k < 2; ++k) {
      LP_ASSIGN_OR_RETURN(
          iceberg::DataFile f,
          WriteData(table, fmt::format("{}/data/c{}-f{}.parquet", location, c, k), next, rows));
      next += rows;
      files.push_back(std::move(f));
    }
    LP_ASSIGN_OR_RETURN(iceberg::AppendResult r,
                        append.Commit(iceberg::NewUuid(), [&](const iceberg::LoadedTable&) {
                          return Result<iceberg::AppendPlan>(iceberg::AppendPlan{files, {}, false});
                        }));
    table = r.table;
  }
  return table.metadata_location;
}

}  // namespace
}  // namespace lakepipe

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s <warehouse> <file|sql> <sqlite file or -> <commits> <rows>\n",
                 argv[0]);
    return 2;
  }
  // s3:// warehouses, with credentials, region and endpoint from the
  // environment, as lakepipe itself takes them.
  lakepipe::s3::S3Options s3;
  s3.region.clear();
  lakepipe::s3::RegisterS3Store(&lakepipe::ObjectStoreRegistry::Default(), s3);
  auto r = lakepipe::Run(argv[1], argv[2], argv[3], std::stoi(argv[4]), std::stoi(argv[5]));
  if (!r.ok()) {
    std::fprintf(stderr, "%s\n", r.status().ToString().c_str());
    return 1;
  }
  std::printf("%s\n", r->c_str());
  return 0;
}

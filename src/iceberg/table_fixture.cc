#include "iceberg/table_fixture.h"

#include <fmt/format.h>

#include "formats/copy.h"
#include "formats/open.h"
#include "iceberg/append.h"
#include "iceberg/file_catalog.h"
#include "iceberg/kafka_ranges.h"
#include "storage/object_store.h"

namespace lakepipe::iceberg {
namespace {

constexpr const char* kSchema = R"({"type": "record", "name": "events", "fields": [
  {"name": "id", "type": "long"},
  {"name": "region", "type": "string"},
  {"name": "payload", "type": ["null", "string"], "default": null}]})";

// One append: a data file per region with the records of `ranges` and the
// group's offsets after it.
struct Step {
  std::vector<std::pair<std::string, KafkaOffsetRange>> files;  // region, offsets (partition 0
                                                                // for eu, 1 for us)
};

int32_t PartitionOf(const std::string& region) { return region == "eu" ? 0 : 1; }

// Writes the Parquet file `uri` holding ids [range.start, range.end).
Status WriteDataFile(const std::string& uri, const std::string& region, KafkaOffsetRange range,
                     const SchemaPtr& schema, const std::string& scratch) {
  std::string jsonl;
  for (int64_t id = range.start; id < range.end; ++id) {
    jsonl += fmt::format(R"({{"id": {}, "region": "{}", "payload": "record {}"}})"
                         "\n",
                         id, region, id);
  }
  LP_RETURN_IF_ERROR(WriteWholeFile(scratch, jsonl));
  LP_ASSIGN_OR_RETURN(const FormatInfo* text, FormatRegistry::Default().Find("jsonl"));
  LP_ASSIGN_OR_RETURN(const FormatInfo* parquet, FormatRegistry::Default().Find("parquet"));
  ReadOptions read;
  read.schema = schema;
  LP_ASSIGN_OR_RETURN(auto reader, OpenReader(scratch, *text, read));
  LP_ASSIGN_OR_RETURN(auto out, OpenOutputStream(uri));
  LP_ASSIGN_OR_RETURN(auto writer, parquet->new_writer(std::move(out), schema, WriteOptions{}));
  LP_RETURN_IF_ERROR(CopyRecords(reader.get(), writer.get()).status());
  return writer->Finish();
}

class Builder {
 public:
  Builder(TableFixture* fixture, std::unique_ptr<Catalog> catalog, TableIdentifier id)
      : fixture_(fixture), catalog_(std::move(catalog)), id_(std::move(id)) {}

  Status Create() {
    LP_ASSIGN_OR_RETURN(Schema schema, Schema::FromAvroJson(kSchema));
    LP_ASSIGN_OR_RETURN(fixture_->location, catalog_->DefaultLocation(id_));
    LP_ASSIGN_OR_RETURN(PartitionSpec spec, ParsePartitionSpec("region", schema));
    LP_ASSIGN_OR_RETURN(TableMetadata metadata,
                        TableMetadata::New(fixture_->location, schema, std::move(spec)));
    LP_ASSIGN_OR_RETURN(LoadedTable created, catalog_->CreateTable(id_, metadata));
    table_schema_ = *created.metadata.CurrentSchema();
    return Status::OK();
  }

  Status Append(const Step& step) {
    KafkaCommit commit;
    commit.commit_id = NewUuid();
    commit.group = "archivers";
    std::vector<DataFile> files;
    for (const auto& [region, range] : step.files) {
      const KafkaPartition tp{"orders", PartitionOf(region)};
      LP_ASSIGN_OR_RETURN(DataFile file, Write(region, range));
      files.push_back(file);
      commit.ranges[tp] = range;
      offsets_[tp] = range.end;
    }
    commit.offsets = offsets_;
    AppendFiles append(catalog_.get(), id_);
    LP_ASSIGN_OR_RETURN(
        AppendResult result,
        append.Commit(commit.commit_id, [&](const LoadedTable&) -> Result<AppendPlan> {
          return AppendPlan{files, ToSummary(commit)};
        }));
    fixture_->snapshot_ids.push_back(result.snapshot_id);
    return Status::OK();
  }

  // Appends the `index`th data file again, without Kafka keys: a second
  // listing of the same path.
  Status AppendAgain(size_t index) {
    AppendFiles append(catalog_.get(), id_);
    const std::vector<DataFile> files = {written_[index]};
    LP_ASSIGN_OR_RETURN(AppendResult result,
                        append.Commit(NewUuid(), [&](const LoadedTable&) -> Result<AppendPlan> {
                          return AppendPlan{files, {}};
                        }));
    fixture_->snapshot_ids.push_back(result.snapshot_id);
    fixture_->duplicate_file = written_[index].file_path;
    fixture_->files.push_back(fixture_->files[index]);
    return Status::OK();
  }

 private:
  Result<DataFile> Write(const std::string& region, KafkaOffsetRange range) {
    const std::string uri = fmt::format("{}/data/region={}/{:05}-{}.parquet", fixture_->location,
                                        region, fixture_->files.size(), NewUuid());
    LP_RETURN_IF_ERROR(WriteDataFile(uri, region, range, table_schema_.schema,
                                     fixture_->warehouse + "/scratch.jsonl"));
    LP_ASSIGN_OR_RETURN(auto input, OpenInputFile(uri));
    LP_ASSIGN_OR_RETURN(DataFile file,
                        DataFileFromParquet(input.get(), uri, table_schema_, {Datum(region)}));
    fixture_->files.push_back(FixtureFile{uri, region, file.record_count, file.file_size_in_bytes});
    written_.push_back(file);
    return file;
  }

  TableFixture* fixture_;
  std::unique_ptr<Catalog> catalog_;
  TableIdentifier id_;
  TableSchema table_schema_;
  std::map<KafkaPartition, int64_t> offsets_;
  std::vector<DataFile> written_;
};

// Behind the table's back: one data file gone, another a byte longer.
Status Damage(TableFixture* fixture) {
  fixture->missing_file = fixture->files[1].path;
  fixture->resized_file = fixture->files[2].path;
  LP_ASSIGN_OR_RETURN(StoreLocation missing,
                      ObjectStoreRegistry::Default().Resolve(fixture->missing_file));
  LP_RETURN_IF_ERROR(missing.store->Delete(missing.path));
  LP_ASSIGN_OR_RETURN(auto input, OpenInputFile(fixture->resized_file));
  LP_ASSIGN_OR_RETURN(std::string bytes, ReadWholeFile(input.get()));
  return WriteWholeFile(fixture->resized_file, bytes + "x");
}

}  // namespace

Result<TableFixture> BuildTableFixture(const std::string& warehouse, bool broken,
                                       CatalogOptions options) {
  TableFixture fixture;
  fixture.warehouse = warehouse;
  options.warehouse = warehouse;
  LP_ASSIGN_OR_RETURN(std::unique_ptr<Catalog> catalog, CatalogRegistry::Default().Make(options));
  LP_ASSIGN_OR_RETURN(TableIdentifier id, TableIdentifier::Parse(fixture.id));
  Builder builder(&fixture, std::move(catalog), id);
  LP_RETURN_IF_ERROR(builder.Create());
  const std::vector<Step> steps = {
      {{{"eu", {0, 10}}, {"us", {0, 5}}}},
      {{{"eu", {10, 17}}}},
      {{{"us", {5, 9}}}},
  };
  for (const Step& step : steps) LP_RETURN_IF_ERROR(builder.Append(step));
  if (!broken) return fixture;
  LP_RETURN_IF_ERROR(builder.Append({{{"eu", {20, 23}}}}));  // gap 17..19
  LP_RETURN_IF_ERROR(builder.Append({{{"us", {7, 13}}}}));   // overlap 7..8
  LP_RETURN_IF_ERROR(builder.AppendAgain(0));
  LP_RETURN_IF_ERROR(Damage(&fixture));
  return fixture;
}

}  // namespace lakepipe::iceberg

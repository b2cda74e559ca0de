// The Iceberg side of the archiver's layout (--table-format iceberg): the
// partition spec a table is created with, the schema its data files are
// written with (the records' schema carrying the table's field ids), and
// each record's partition values and path.
//
// Data files are named
//   <table location>/data/<partition path>/<topic>+<partition>+<first offset>-<uuid>.parquet
// where the partition path is Iceberg's (PartitionPath below, e.g.
// "event_time_day=2026-12-07"); the uuid makes every write unique, so that
// a path is never added twice to a table.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "core/result.h"
#include "core/schema.h"
#include "iceberg/bounds.h"
#include "iceberg/catalog.h"
#include "iceberg/table_metadata.h"

namespace lakepipe::archive {

// The partition spec text of an archiver writing an Iceberg table:
// `partition_by` when it is a spec ("day(event_time), bucket[16](id)";
// "" or "none": unpartitioned); the Hive default template (the option left
// as it is): the day of `time_field` when the schema has it, else none. A
// Hive template (with '=' or '{') is refused, naming the spec it means.
Result<std::string> IcebergSpecText(std::string_view partition_by, std::string_view time_field,
                                    const Schema& schema);

// When the default partition spec of `table` (one that exists) differs
// from `wanted` (IcebergSpecText), a warning naming both: the table keeps
// its spec, as partition evolution is not supported. nullopt when they
// are the same.
std::optional<std::string> SpecMismatch(const iceberg::TableMetadata& table,
                                        const iceberg::TableIdentifier& id,
                                        std::string_view wanted);

// The records' schema with the field ids of `table` (matched by position
// and name at every depth), for the data files' footers. A table whose
// schema differs from the records' (names, types, nullability, order) is
// refused with kUnimplemented naming the first differing field: schema
// evolution is not supported.
Result<SchemaPtr> MatchTableSchema(const Schema& records, const iceberg::TableSchema& table);

// `records` with the field ids of `with_ids` (the same fields, maybe in
// other types: DataFileSchema), by position at every depth.
SchemaPtr WithIdsOf(const Schema& records, const Schema& with_ids);

// The text Iceberg writes for a partition value in paths (Java's
// Transform.toHumanString): dates "2026-12-07", hours "2026-12-07-05",
// months "2026-12", years "2026", null "null", other values as text.
std::string PartitionValueText(const iceberg::PartitionField& field, const Field& result,
                               const iceberg::Datum& value);

// Each record's partition tuple and path under a table's spec.
class IcebergPartitioner {
 public:
  // `schema`: the data files' schema (with field ids); the spec's source
  // fields must be top-level fields of it.
  static Result<IcebergPartitioner> Make(SchemaPtr schema, iceberg::PartitionSpec spec);

  // Sets `*values` and `*path` ("a=1/b_day=2026-12-07", "" when
  // unpartitioned) for row `row` of `batch`; false with `*reason` when a
  // transform refuses the row's value.
  bool PathFor(const RecordBatch& batch, size_t row, std::vector<iceberg::Datum>* values,
               std::string* path, std::string* reason) const;

  const iceberg::PartitionSpec& spec() const { return spec_; }

 private:
  struct Source {
    size_t column = 0;
    Field field;   // the source field
    Field result;  // the partition value's type
  };
  SchemaPtr schema_;
  iceberg::PartitionSpec spec_;
  std::vector<Source> sources_;  // one per spec field
};

}  // namespace lakepipe::archive

#include "formats/parquet/parquet_format.h"

#include "formats/parquet/parquet_reader.h"
#include "formats/parquet/parquet_writer.h"

namespace lakepipe {

FormatInfo ParquetFormat() {
  FormatInfo info;
  info.name = "parquet";
  info.description = "Apache Parquet (columnar; read by DuckDB, Spark, Athena, Snowflake)";
  info.extensions = {".parquet"};
  info.needs_schema = false;
  info.resolves_schema = false;
  info.open_reader = OpenParquetReader;
  info.new_writer = [](std::unique_ptr<OutputStream> out, SchemaPtr schema,
                       const WriteOptions& options) {
    return NewParquetWriter(std::move(out), std::move(schema), options.parquet);
  };
  info.check_write_options = [](const WriteOptions& options) {
    return CheckParquetWriteOptions(options.parquet);
  };
  info.describe = DescribeParquet;
  return info;
}

}  // namespace lakepipe

#include "formats/avro/avro_format.h"

#include "formats/avro/avro_container.h"

namespace lakepipe {

FormatInfo AvroFormat() {
  FormatInfo info;
  info.name = "avro";
  info.description =
      "Apache Avro object container files (codecs: null, deflate, snappy, zstandard, bzip2, xz)";
  info.extensions = {".avro"};
  info.needs_schema = false;
  info.resolves_schema = true;
  info.open_reader = [](std::unique_ptr<InputFile> file, const ReadOptions& options) {
    return avro::OpenContainerReader(std::move(file), options);
  };
  info.new_writer = [](std::unique_ptr<OutputStream> out, SchemaPtr schema,
                       const WriteOptions& options) {
    return avro::NewContainerWriter(std::move(out), std::move(schema), options.avro);
  };
  info.check_write_options = [](const WriteOptions& options) {
    return avro::ParseBlockCodec(options.avro.codec).status();
  };
  info.describe = [](InputFile* file) { return avro::DescribeContainer(file); };
  return info;
}

}  // namespace lakepipe

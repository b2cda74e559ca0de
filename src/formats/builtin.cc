#include "formats/avro/avro_format.h"
#include "formats/format.h"
#include "formats/parquet/parquet_format.h"
#include "formats/text/text_formats.h"

namespace lakepipe {

void RegisterBuiltinFormats(FormatRegistry* registry) {
  for (FormatInfo info :
       {ParquetFormat(), AvroFormat(), JsonLinesFormat(), JsonArrayFormat(), CsvFormat()}) {
    registry->Register(std::move(info)).IgnoreError();
  }
}

const FormatRegistry& FormatRegistry::Default() {
  static const FormatRegistry* registry = [] {
    auto* r = new FormatRegistry();
    RegisterBuiltinFormats(r);
    return r;
  }();
  return *registry;
}

}  // namespace lakepipe

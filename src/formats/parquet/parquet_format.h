// Parquet as a lakepipe format: reader, writer and `inspect` details.
#pragma once

#include "formats/format.h"

namespace lakepipe {

FormatInfo ParquetFormat();

}  // namespace lakepipe

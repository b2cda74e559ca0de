// Avro object container files as a lakepipe format.
#pragma once

#include "formats/format.h"

namespace lakepipe {

FormatInfo AvroFormat();

}  // namespace lakepipe

// Opening a file for reading with the right format and schema handling.
#pragma once

#include <memory>
#include <string_view>

#include "formats/format.h"
#include "formats/text/text_formats.h"

namespace lakepipe {

// Opens `uri` as `format`. When options.schema is null, text formats infer
// a schema (InferSchema with `infer`) and the others use the file's own.
// When it is set and the format cannot resolve schemas itself, batches are
// converted with a BatchProjector.
Result<std::unique_ptr<RecordReader>> OpenReader(std::string_view uri, const FormatInfo& format,
                                                 ReadOptions options,
                                                 const InferOptions& infer = InferOptions());

}  // namespace lakepipe

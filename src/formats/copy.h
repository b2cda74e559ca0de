// Moving every record from a reader to a writer.
#pragma once

#include <cstdint>

#include "formats/format.h"

namespace lakepipe {

struct CopyOptions {
  // Read the next batches on a second thread while the writer encodes:
  // reading and writing overlap, and at most `batches_in_flight` batches
  // are held in memory.
  bool overlap = true;
  size_t batches_in_flight = 3;
};

struct CopyStats {
  uint64_t rows = 0;
};

// Writes every batch of `reader` to `writer`. Does not finish or abort the
// writer: the caller decides. Stops at the first error of either side.
Result<CopyStats> CopyRecords(RecordReader* reader, FileWriter* writer,
                              const CopyOptions& options = {});

}  // namespace lakepipe

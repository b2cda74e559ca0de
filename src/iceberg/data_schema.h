// The types an Iceberg table's Parquet data files hold.
//
// The table spec (Appendix A, "Parquet") maps each Iceberg type to one
// Parquet type, and engines that check physical types (Java, Spark, Trino)
// refuse a column stored otherwise. Records are archived into a table
// declared from DataFileSchema(records), and their batches are written
// through DataFileWriter, so that the files hold exactly those types:
//  - timestamp-millis becomes timestamp-micros (Iceberg's timestamp and
//    timestamptz are int64 TIMESTAMP(MICROS)); the values are multiplied by
//    1000, exactly. Values beyond ±2^63 µs (about 292,000 years from 1970)
//    cannot be converted: RowConvertible tells, for a dead letter.
//  - time-millis (int32 TIME(MILLIS)) becomes time-micros (int64
//    TIME(MICROS)), ×1000.
//  - a uuid carried as Avro text becomes a string: the table declares
//    `string` and the files hold UTF8, the text unchanged. (Iceberg's uuid
//    is fixed_len_byte_array(16); turning text into those bytes would
//    change text that is not canonical — upper case, braces — and leave
//    malformed text nowhere to go.) A uuid on fixed(16) stays a uuid.
// Everything else is stored as it comes. Field ids are kept.
#pragma once

#include <memory>
#include <string>

#include "core/column.h"
#include "core/result.h"
#include "core/schema.h"
#include "formats/format.h"

namespace lakepipe::iceberg {

// The data files' schema for records of `records` (see above).
Schema DataFileSchema(const Schema& records);

// True when batches of `records` must go through ConvertBatch (some value
// changes unit); false when DataFileSchema only renames types.
bool NeedsConversion(const Schema& records);

// Row `row` of `batch` (of `records`' schema) in the data files' types:
// false with `*reason` naming the field when a value cannot be converted.
bool RowConvertible(const Schema& records, const RecordBatch& batch, size_t row,
                    std::string* reason);

// `batch` (of `records`' schema) with its values in the types of `data`
// (DataFileSchema(records), ids allowed) into `*out`, whose buffers are
// reused. Fails with kInvalidArgument naming the field when a value cannot
// be converted.
Status ConvertBatch(const Schema& records, const RecordBatch& batch, const SchemaPtr& data,
                    RecordBatch* out);

// A writer of `data` files taking batches of `records`: converts each batch
// (when NeedsConversion) and writes it to `inner`, which writes `data`.
std::unique_ptr<FileWriter> DataFileWriter(std::unique_ptr<FileWriter> inner, SchemaPtr records,
                                           SchemaPtr data);

}  // namespace lakepipe::iceberg

// The Avro binary encoding of one record ("datum") of a lakepipe Schema.
//
// Encoding (Avro specification, "Binary Encoding"): int and long are zigzag
// varints, float and double 4/8 bytes little-endian, boolean one byte,
// string and bytes a long length then the bytes, enum the symbol index as an
// int, a nullable field a long union branch index (["null", T]: null is 0;
// [T, "null"]: null is 1) then the value, and a null-typed field nothing.
// A record is its fields' encodings, concatenated in schema order. The
// complete type model (core/schema.h) is encoded from nested columns:
// records as their fields, arrays and maps as one block of every item then
// the empty block, fixed as its bytes, unions as the branch index kept in
// the schema then the value.
//
// Decoding applies Avro schema resolution from the writer schema (the one
// the bytes were written with) to a reader schema; see
// formats/projection.h for the rules. The per-field plan is made once by
// DatumDecoder::Make(); when either schema has a field the flat view cannot
// describe, the plan and decoding are those of avro_nested.h.
//
// Used for Avro object container files (avro_container.h) and for Kafka
// payloads in the Confluent wire format (a 5-byte prefix, then one datum).
//
// Thread-safety: the free functions are thread-safe; a DatumDecoder is
// immutable after Make() and may be shared between threads (each thread
// decoding into its own RecordBatch).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/column.h"
#include "core/result.h"
#include "core/schema.h"
#include "formats/schema_resolution.h"

namespace lakepipe::avro {

// Appends the zigzag varint encoding of `v` (Avro int and long).
void AppendLong(int64_t v, std::string* out);
// Appends `v` as a long length followed by the bytes (Avro string, bytes).
void AppendBytes(std::string_view v, std::string* out);

enum class VarintRead { kOk, kTruncated, kOverlong };
// Reads a zigzag varint long (at most 10 bytes) from the front of `*in` and
// advances `*in` past it; `*in` is unchanged unless the result is kOk.
VarintRead ReadLong(std::string_view* in, int64_t* v);

// Appends the encoding of row `row` of `batch`, written with the batch's
// schema. REQUIRES: row < batch.num_rows().
void AppendDatum(const RecordBatch& batch, size_t row, std::string* out);

// Appends rows [begin, end) of `batch`, one datum after another.
void AppendDatums(const RecordBatch& batch, size_t begin, size_t end, std::string* out);

// The schema an Avro writer declares for batches of `schema`. The Avro
// specification defines decimal on bytes and fixed only, and other readers
// take a decimal on int or long (as Parquet stores precisions up to 9 and
// 18) for a plain int or long, losing the scale. Such decimals, at any
// depth, are declared on bytes here (same precision and scale); every other
// field is unchanged. Returns `schema` itself when nothing changes, so that
// its original text is kept.
SchemaPtr AvroWriterSchema(const SchemaPtr& schema);

// AppendDatum() with the fields of `writer` (AvroWriterSchema() of the
// batch's schema): a decimal the batch stores on int or long that `writer`
// declares on bytes is written as the minimal big-endian two's-complement
// bytes of its unscaled value.
void AppendDatum(const Schema& writer, const RecordBatch& batch, size_t row, std::string* out);

// Smallest number of bytes a datum of `schema` can take (0 when every field
// has type null); bounds how many records a block of n bytes can hold.
size_t MinDatumBytes(const Schema& schema);
// Smallest number of bytes a value of `field` can take.
size_t MinValueBytes(const Field& field);

struct NestedPlan;

class DatumDecoder {
 public:
  // Plans decoding datums written with `writer` into batches of `reader`.
  // Fails with kInvalidArgument naming the first reader field that cannot be
  // resolved (see ResolveSchemas()).
  static Result<DatumDecoder> Make(SchemaPtr writer, SchemaPtr reader);

  const SchemaPtr& writer_schema() const { return writer_; }
  const SchemaPtr& reader_schema() const { return reader_; }

  // Decodes `datum`, which must hold exactly one datum, and appends it to
  // `*out` (schema reader_schema()) as one committed row. Fails with
  // kInvalidArgument (and leaves `*out` as it was) when the bytes are
  // malformed or truncated, when bytes follow the datum, or when a value
  // cannot be resolved into the reader schema (this includes a value read
  // into a reader string that is not valid UTF-8); the message names the
  // field.
  Status Decode(std::string_view datum, RecordBatch* out) const;

  // Decodes the datum at the start of `*in` and advances `*in` past it.
  // Returns true when a row was appended and committed to `*out`, false when
  // the datum is well-formed but a value cannot be resolved (the row is
  // rolled back and `*reason` names the field; a value read into a reader
  // string must be valid UTF-8). Fails with kInvalidArgument
  // when the bytes are malformed or truncated; `*in` is then unspecified.
  Result<bool> DecodeNext(std::string_view* in, RecordBatch* out, std::string* reason) const;

 private:
  // How the writer's bytes of one field are read.
  enum class Wire : uint8_t { kNull, kBoolean, kInt, kLong, kFloat, kDouble, kBinary, kEnum };
  struct Step {
    Wire wire = Wire::kNull;
    bool is_union = false;    // a branch index precedes the value
    uint8_t null_branch = 0;  // branch index of null in the union
    int target = -1;          // index in resolution_.fields, or -1: skip the value
    size_t writer_field = 0;
    int32_t num_symbols = 0;  // kEnum: writer symbol count
    bool utf8 = false;        // kept as a reader string: must be valid UTF-8
  };

  DatumDecoder() = default;
  // DecodeNext() without the commit: on true the row is appended but not
  // committed; on false or an error it has been rolled back.
  Result<bool> DecodeRow(std::string_view* in, RecordBatch* out, std::string* reason) const;
  Status Malformed(const Step& step, std::string_view what) const;

  SchemaPtr writer_;
  SchemaPtr reader_;
  SchemaResolution resolution_;
  std::vector<Step> steps_;        // writer field order
  std::vector<size_t> defaulted_;  // resolution_.fields entries that take defaults
  // Set when either schema has a field the flat view cannot describe: the
  // datums are then decoded by avro_nested.h.
  std::shared_ptr<const NestedPlan> nested_;
};

}  // namespace lakepipe::avro

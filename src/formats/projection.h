// Schema resolution between record batches, following the Avro
// specification's rules, so that data written with one schema can be read as
// another:
//   - fields are matched by name (or by a reader field's aliases);
//   - a reader field missing from the data takes its default (an error when
//     it has none);
//   - data fields the reader does not name are dropped;
//   - promotions: int → long, float, double; long → float, double;
//     float → double; string ↔ bytes;
//   - T → ["null", T] (nullable widening); ["null", T] → T works per record:
//     a null value makes that record bad;
//   - enums: a symbol missing from the reader's enum takes the reader enum's
//     default symbol, else the record is bad.
// Logical types (date, timestamp-millis, timestamp-micros, uuid) are
// annotations: the underlying types resolve by the rules above, then
//   - a reader without a logical type reads the underlying values (a uuid's
//     text, a date's days, a timestamp's count of ms or µs);
//   - a writer without one: the reader's logical type says what the values
//     are (e.g. a plain long read as timestamp-millis);
//   - timestamp-millis → timestamp-micros multiplies by 1000 (a value that
//     overflows makes its record bad); timestamp-micros → timestamp-millis
//     rounds down;
//   - any other two different logical types (e.g. date → timestamp-millis)
//     are refused, never reinterpreted.
// Bytes read as a string must be valid UTF-8: other values make their
// record bad.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "formats/format.h"

namespace lakepipe {

class BatchProjector {
 public:
  // Fails with kInvalidArgument naming the first field that cannot be resolved.
  static Result<BatchProjector> Make(SchemaPtr from, SchemaPtr to);

  const SchemaPtr& from() const { return from_; }
  const SchemaPtr& to() const { return to_; }
  // True when `to` equals `from` field for field (Project is then a copy).
  bool identity() const { return identity_; }

  // Clears `*out` (schema to()) and appends every row of `in` (schema
  // from()). A row that cannot be converted goes to `bad` (with `source`
  // and the reason) or, when `bad` is empty, fails the call with
  // kInvalidArgument.
  Status Project(const RecordBatch& in, RecordBatch* out, const BadRecordSink& bad,
                 const std::string& source) const;

  BatchProjector(BatchProjector&&) noexcept;
  BatchProjector& operator=(BatchProjector&&) noexcept;
  ~BatchProjector();

  // How one output field is produced (defined in projection.cc).
  struct FieldPlan;

 private:
  BatchProjector();
  SchemaPtr from_;
  SchemaPtr to_;
  bool identity_ = false;
  std::vector<std::unique_ptr<FieldPlan>> plans_;
};

}  // namespace lakepipe

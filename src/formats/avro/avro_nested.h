// Decoding Avro datums of the complete type model (records, arrays, maps,
// fixed, unions of any members, logical types; see core/schema.h) into
// nested columns, resolving the writer schema into the reader schema by the
// Avro specification's rules:
//  - records field by field, by name or reader alias; a reader field the
//    writer lacks takes its default; writer fields the reader lacks are
//    skipped;
//  - arrays by their items, maps by their values (a map and Iceberg's array
//    of {key, value} records read each other);
//  - a writer union branch is read into the first reader union member that
//    matches it (the same type first, then one it promotes to); a branch no
//    reader member takes, or null into a reader that cannot be null, rejects
//    the record;
//  - promotions int -> long -> float -> double, string <-> bytes, fixed of
//    equal size and name, enums by symbol (the reader enum's default for a
//    symbol it lacks, else the record is rejected), timestamps between units.
//
// Nesting is bounded (kMaxNestingDepth); a deeper schema is `unsupported:`.
//
// Thread-safety: a NestedPlan is immutable after PlanNestedDecoding().
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include "core/column.h"
#include "core/result.h"
#include "core/schema.h"

namespace lakepipe::avro {

inline constexpr int kMaxNestingDepth = 64;

struct NestedPlan;

// Refuses, with `unsupported:`, schema text whose JSON nests deeper than a
// schema of kMaxNestingDepth Avro levels can (4 JSON levels each), before
// it is parsed: a hostile schema must not exhaust the parser's stack.
Status CheckSchemaTextDepth(std::string_view schema_text);

// Plans decoding datums written with `writer` into batches of `reader`.
// Fails with kInvalidArgument naming the first reader field that cannot be
// resolved, or kUnimplemented when a schema nests deeper than
// kMaxNestingDepth.
Result<std::shared_ptr<const NestedPlan>> PlanNestedDecoding(const Schema& writer,
                                                             const Schema& reader);

// Decodes the datum at the start of `*in` into a new (uncommitted) row of
// `*out`, as DatumDecoder::DecodeNext() does, and advances `*in` past it.
// On false (a value the reader cannot take; `*reason` says which) or an
// error (malformed bytes) the row is rolled back.
Result<bool> DecodeNestedRow(const NestedPlan& plan, std::string_view* in, RecordBatch* out,
                             std::string* reason);

// Appends the Avro JSON default `value` of `field` to `col`.
Status AppendJsonDefault(const Field& field, const nlohmann::json& value, Column* col);

}  // namespace lakepipe::avro

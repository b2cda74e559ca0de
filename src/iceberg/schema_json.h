// Core Schema ↔ Iceberg schema JSON (the table spec's Appendix C).
//
// A schema is {"type": "struct", "schema-id": N, "fields": [...]}; each
// field has "id", "name", "required", "type" and an optional "doc". Nested
// types are {"type": "struct"}, {"type": "list", "element-id",
// "element-required", "element"} and {"type": "map", "key-id", "key",
// "value-id", "value-required", "value"}; primitives are the spec's
// strings ("int", "timestamptz", "fixed[16]", "decimal(9,2)", ...).
//
// Writing maps core kinds to Iceberg types: the small integers to int,
// uint32 to long, enums to string, time-millis to time, timestamps to
// timestamp/timestamptz (timestamp_ns/timestamptz_ns for nanoseconds).
// uint64 and Avro unions have no Iceberg type and are refused with
// `unsupported:` naming the field. Fields without ids get fresh ones first
// (AssignMissingFieldIds). A table whose Parquet data files lakepipe writes
// is declared from iceberg::DataFileSchema (data_schema.h), whose types
// are the ones the files hold (µs timestamps and times, uuid text as string).
//
// Reading gives the core kinds Iceberg's Parquet files hold: decimals on
// int32/int64/fixed by precision, uuid on fixed(16), timestamps in µs (ns
// for the _ns types), every field with its id.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "core/schema.h"

namespace lakepipe::iceberg {

// The fields of `schema` with an id on every field (existing ids kept).
std::vector<Field> WithFieldIds(const Schema& schema);

// The Iceberg schema JSON of `schema` with "schema-id" `schema_id`.
Result<nlohmann::json> SchemaToJson(const Schema& schema, int32_t schema_id = 0);

// Parses an Iceberg schema JSON object into a core Schema named `name`.
Result<Schema> SchemaFromJson(const nlohmann::json& json, std::string name = "table");

// The largest field id in `fields` at any depth (0 when there is none):
// the table metadata's last-column-id.
int32_t MaxFieldId(const std::vector<Field>& fields);

}  // namespace lakepipe::iceberg

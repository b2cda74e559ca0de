// Column types and names of the complete type model (core/schema.h) in each
// warehouse dialect:
//
//   kind            snowflake          athena          spark           duckdb
//   boolean         BOOLEAN            boolean         BOOLEAN         BOOLEAN
//   int8 / int16    TINYINT/SMALLINT   tinyint/smallint BYTE/SHORT     TINYINT/SMALLINT
//   int32 / int64   INTEGER/BIGINT     int/bigint      INT/BIGINT      INTEGER/BIGINT
//   uint8           SMALLINT           smallint        SHORT           UTINYINT
//   uint16          INTEGER            int             INT             USMALLINT
//   uint32          BIGINT             bigint          BIGINT          UINTEGER
//   uint64          NUMBER(20,0)       decimal(20,0)   DECIMAL(20,0)   UBIGINT
//   float / double  FLOAT/DOUBLE       float/double    FLOAT/DOUBLE    FLOAT/DOUBLE
//   string, enum    VARCHAR            string          STRING          VARCHAR
//   null            INTEGER            int             INT             INTEGER
//                   (always null; stored as Parquet INT32 + UNKNOWN)
//   bytes, fixed    BINARY             binary          BINARY          BLOB
//   uuid on text    VARCHAR            string          STRING          VARCHAR
//   uuid, fixed(16) BINARY             binary          BINARY          UUID
//   decimal(p,s)    NUMBER(p,s)        decimal(p,s)    DECIMAL(p,s)    DECIMAL(p,s)
//                   (precision above 38, which none of them holds: DOUBLE)
//   date            DATE               date            DATE            DATE
//   time            TIME               int/bigint      INT/BIGINT      TIME (TIMETZ
//                                      (no time type: the stored       when UTC-adjusted)
//                                      millis/micros)
//   timestamp UTC   TIMESTAMP_LTZ      timestamp       TIMESTAMP       TIMESTAMPTZ
//   timestamp local TIMESTAMP_NTZ      timestamp       TIMESTAMP_NTZ   TIMESTAMP
//                                                                      (TIMESTAMP_NS: nanos)
//   struct, union   OBJECT             struct<a:T,..>  STRUCT<`a`: T>  STRUCT("a" T, ...)
//   list            ARRAY              array<T>        ARRAY<T>        T[]
//   map             VARIANT            map<K,V>        MAP<K, V>       MAP(K, V)
//
// Snowflake: a UTC-adjusted timestamp is an instant, which TIMESTAMP_LTZ
// stores (UTC inside, shown in the session's time zone; Snowflake's Iceberg
// tables pair it with Parquet's isAdjustedToUTC = true); a local one is a
// wall-clock time, TIMESTAMP_NTZ. External tables take only the
// semi-structured OBJECT, ARRAY and VARIANT (not the structured types);
// their fields are reached with path expressions, VALUE:"a"."b"::T. A map
// is a VARIANT, whatever shape Parquet's key/value groups take in it.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"

namespace lakepipe::warehouse {

enum class Dialect { kSnowflake, kDuckDb, kAthena, kSpark };

// The dialect's type of `field`'s values, nested types spelled out to any
// depth.
std::string SqlType(Dialect d, const Field& field);

// `name` as a column name in the dialect: snowflake as is when it is a plain
// identifier, else "quoted"; athena and spark always `quoted`; duckdb
// always "quoted".
std::string ColumnName(Dialect d, std::string_view name);

// A leaf of a column reached through struct fields only (not through lists
// or maps): its path from the column and its field.
struct StructLeaf {
  std::vector<std::string> path;  // column first
  const Field* field = nullptr;
};
// The struct leaves of `field` (none when it is not a struct).
std::vector<StructLeaf> StructLeaves(const Field& field);

// The dialect's expression for the value at `path` of a table's columns:
// snowflake name:"b"."c", athena "name"."b"."c", spark `name`.`b`.`c`,
// duckdb "name"."b"."c".
std::string PathExpression(Dialect d, const std::vector<std::string>& path);

}  // namespace lakepipe::warehouse

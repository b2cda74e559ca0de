// The configuration sections lakepipe declares, in one place.
//
// Each function returns the declaration of one section; AllSections() lists
// them in the order of the file and of --print-config. A new section (say
// `archive`) is one more function here and one more line in AllSections().
//
// Thread-safety: free functions returning values.
#pragma once

#include <vector>

#include "config/config.h"

namespace lakepipe::config {

// `kafka`: librdkafka properties, passed through verbatim (any key).
SectionSpec KafkaSection();
// `schema_registry`: url, username, password (secret), timeout.
SectionSpec SchemaRegistrySection();
// `source`: name, seed, url, batch, timeout.
SectionSpec SourceSection();
// `produce`: topic, message_format (formerly format), key, count, duration, rate, schema.
SectionSpec ProduceSection();
// `archive`: topics, group, lake, table, file_format and message_format
// (formerly format and input_format), partitioning, rotation,
// memory bound, dead letters, idle exit, stats.
SectionSpec ArchiveSection();
// `run`: local copies.
SectionSpec RunSection();
// `s3`: endpoint, region, profile, credentials (secrets), addressing, TLS,
// part size, parallel parts, timeouts and retries.
SectionSpec S3Section();

// `catalog`: the Iceberg catalog of --table-format iceberg and of
// `lakepipe table`: type (file, sql, rest), name, warehouse, uri, REST
// authentication (token and credential are secrets), SigV4 signing, prefix,
// timeout and properties (key=value items).
SectionSpec CatalogSection();

// Every section above, in file order.
std::vector<SectionSpec> AllSections();

}  // namespace lakepipe::config

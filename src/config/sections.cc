#include "config/sections.h"

namespace lakepipe::config {

using Type = OptionSpec::Type;

SectionSpec KafkaSection() {
  return SectionSpec{
      .name = "kafka",
      .help =
          "librdkafka properties, passed on verbatim; librdkafka checks them when the "
          "client starts. Any property is accepted; the common ones are listed here.",
      .options =
          {
              {.key = "bootstrap.servers",
               .help = "Comma-separated host:port list of Kafka brokers to bootstrap from."},
              {.key = "client.id", .help = "Client identifier sent to the brokers."},
              {.key = "security.protocol", .help = "plaintext, ssl, sasl_plaintext or sasl_ssl."},
              {.key = "sasl.mechanism",
               .help = "SASL mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER, GSSAPI."},
              {.key = "sasl.username", .help = "SASL user name (PLAIN and SCRAM)."},
              {.key = "sasl.password",
               .help = "SASL password (PLAIN and SCRAM). Secret: never printed.",
               .secret = true},
              {.key = "ssl.ca.location",
               .help = "File or directory of CA certificates to verify the brokers with."},
          },
      .passthrough = true,
  };
}

SectionSpec SchemaRegistrySection() {
  return SectionSpec{
      .name = "schema_registry",
      .help =
          "Confluent-compatible schema registry, for Avro payloads in the Confluent wire "
          "format.",
      .options =
          {
              {.key = "url",
               .help = "Base URL of the registry, e.g. http://localhost:8081 (a path prefix is "
                       "kept). Empty: no registry."},
              {.key = "username", .help = "User name for HTTP basic authentication; empty: none."},
              {.key = "password",
               .help = "Password for HTTP basic authentication. Secret: never printed.",
               .secret = true},
              {.key = "timeout",
               .type = Type::kDuration,
               .default_value = "10s",
               .help = "Timeout of one request to the registry (failed requests are retried).",
               .min = 1},
          },
  };
}

SectionSpec SourceSection() {
  return SectionSpec{
      .name = "source",
      .help = "Where events come from.",
      .options =
          {
              {.key = "name",
               .type = Type::kEnum,
               .default_value = "users",
               .help = "The source: generated users or activity events, the randomuser.me API, "
                       "or file:PATH to replay a JSON Lines file.",
               .allowed = {"users", "activity", "randomuser", "file:<path>"}},
              {.key = "seed",
               .type = Type::kInt,
               .help = "Seed of the generated sources, for reproducible data; a seeded "
                       "generator's clock is fixed at 2026-01-01T00:00:00Z (activity events "
                       "start at 2025-12-31T00:00:00Z). Unset: a random seed, chosen at start, "
                       "and the current time."},
              {.key = "shape",
               .type = Type::kEnum,
               .default_value = "flat",
               .help = "Shape of the people of users and randomuser: flat (schemas/user.avsc, "
                       "one column per value) or api (schemas/user_api.avsc, the randomuser.me "
                       "API's nested objects, keyed by login.uuid).",
               .allowed = {"flat", "api"}},
              {.key = "url",
               .default_value = "https://randomuser.me/api/",
               .help = "API endpoint of the randomuser source."},
              {.key = "batch",
               .type = Type::kInt,
               .default_value = "100",
               .help = "Records per API request (randomuser) or per generated batch.",
               .min = 1},
              {.key = "timeout",
               .type = Type::kDuration,
               .default_value = "30s",
               .help = "Timeout of one request to the source's API (failed requests are "
                       "retried).",
               .min = 1},
          },
  };
}

SectionSpec ProduceSection() {
  return SectionSpec{
      .name = "produce",
      .help = "The produce command: writes source records to a Kafka topic.",
      .options =
          {
              {.key = "topic", .help = "Kafka topic to write to; required by produce."},
              {.key = "message_format",
               .type = Type::kEnum,
               .default_value = "json",
               .help = "Message payload format: json (one object per message), or avro (the Avro "
                       "binary datum; in the Confluent wire format when schema_registry.url is "
                       "set). Formerly `format`.",
               .allowed = {"json", "avro"}},
              {.key = "key",
               .help = "Field whose value is the message key. Empty: the source's default key "
                       "field."},
              {.key = "count",
               .type = Type::kInt,
               .default_value = "0",
               .help = "Stop after this many records; 0: no limit.",
               .min = 0},
              {.key = "duration",
               .type = Type::kDuration,
               .help = "Stop after this long, e.g. 10m. Unset: no limit."},
              {.key = "rate",
               .type = Type::kInt,
               .default_value = "0",
               .help = "Records per second; 0: as fast as possible.",
               .min = 0},
              {.key = "schema",
               .help = "Avro schema file (.avsc) of the records. Empty: the source's own schema."},
          },
      .renamed = {{"format", "message_format"}},
  };
}

SectionSpec ArchiveSection() {
  return SectionSpec{
      .name = "archive",
      .help =
          "The archive command: Kafka topics into Hive-partitioned files of a lake, exactly once.",
      .options =
          {
              {.key = "topics",
               .type = Type::kStringList,
               .help = "Kafka topics to archive; required by archive."},
              {.key = "group",
               .help = "Kafka consumer group; processes in one group split the partitions."},
              {.key = "instance_id",
               .help = "Static member id in the group (group.instance.id); a restart within the "
                       "session gets the partitions back at once. Empty: <table>-<host> (-2, -3... "
                       "for more archivers of the group on this host); none: dynamic membership."},
              {.key = "lake",
               .help = "Lake root: a path, file:///path or s3://bucket/prefix. transform and sql "
                       "read it too when --lake is not given."},
              {.key = "table",
               .help = "Table name under the lake. Empty: the topic name. transform runs over it "
                       "(else over the only topic) when --table is not given."},
              {.key = "file_format",
               .type = Type::kEnum,
               .default_value = "parquet",
               .help = "File format of the raw zone. Formerly `format`.",
               .allowed = {"parquet", "avro", "jsonl", "csv"}},
              {.key = "compression",
               .help = "Codec of the files: parquet none|snappy|gzip|zstd|brotli|lz4|lz4_raw|"
                       "lz4_hadoop (default zstd), avro null|deflate|snappy|zstandard|bzip2|xz "
                       "(default null). Empty: the format's default."},
              {.key = "message_format",
               .type = Type::kEnum,
               .default_value = "json",
               .help = "Message payload format: json, or avro (Confluent wire format when "
                       "schema_registry.url is set, else plain datums of `schema`). Unset with a "
                       "registry URL: avro. Formerly `input_format`.",
               .allowed = {"json", "avro"}},
              {.key = "schema",
               .help = "Avro schema (.avsc) of the table; required for json and plain avro."},
              {.key = "partition_by",
               .default_value = "event_date={event_time:%Y-%m-%d}/hour={event_time:%H}",
               .help = "Hive-style path template over event_time and record fields, e.g. "
                       "country={country}. With table_format iceberg: a partition spec of "
                       "transforms, e.g. day(event_time), bucket[16](id); none: unpartitioned; "
                       "left at the default: the day of time_field when set, else none."},
              {.key = "table_format",
               .type = Type::kEnum,
               .default_value = "hive",
               .help = "hive: Hive-partitioned files committed through Kafka offsets; iceberg: an "
                       "Apache Iceberg table (Parquet) in the catalog of the `catalog` section, "
                       "committed in snapshots that record the Kafka offsets.",
               .allowed = {"hive", "iceberg"}},
              {.key = "iceberg_table",
               .help = "table_format iceberg: the table's identifier, namespace.name. Empty: "
                       "default.<table>."},
              {.key = "commit_interval",
               .type = Type::kDuration,
               .default_value = "60s",
               .help = "table_format iceberg: commit a snapshot this often (open files are closed "
                       "for it).",
               .min = 1},
              {.key = "commit_bytes",
               .type = Type::kSize,
               .default_value = "512MiB",
               .help = "table_format iceberg: commit a snapshot sooner when the closed files "
                       "waiting for one reach this size.",
               .min = 1},
              {.key = "time_field",
               .help = "Record field holding the event time. Empty: the Kafka record timestamp."},
              {.key = "flush_records",
               .type = Type::kInt,
               .default_value = "100000",
               .help = "Close a file after this many records.",
               .min = 1},
              {.key = "flush_bytes",
               .type = Type::kSize,
               .default_value = "64MiB",
               .help = "Close a file once its encoded output reaches this size; at least 1MiB "
                       "(the size is checked after each MiB of input).",
               .min = 1 << 20},
              {.key = "rotate_interval",
               .type = Type::kDuration,
               .default_value = "60s",
               .help =
                   "Close a file this long after its first record, even if nothing more arrives."},
              {.key = "max_buffer_bytes",
               .type = Type::kSize,
               .default_value = "128MiB",
               .help = "Memory bound over all open files; the largest file closes first when "
                       "reached. At least 1MiB (less would close files after every record).",
               .min = 1 << 20},
              {.key = "max_open_files",
               .type = Type::kInt,
               .help = "Files open at once; at the bound the segment holding the least recently "
                       "used file closes. Unset: half the process's open-file limit (raised to its "
                       "hard limit at start).",
               .min = 1},
              {.key = "max_record_bytes",
               .type = Type::kSize,
               .default_value = "8MiB",
               .help = "Records larger than this are dead-lettered as oversize; at least 1 byte "
                       "(0 would dead-letter every record).",
               .min = 1},
              {.key = "dlq_topic", .help = "Dead-letter topic. Empty: <topic>.dlq."},
              {.key = "exit_when_idle",
               .type = Type::kDuration,
               .help = "Finish and exit after receiving nothing for this long (at least 1ms; "
                       "counted only while a broker is reachable). Unset: run until stopped.",
               .min = 1},
              {.key = "broker_timeout",
               .type = Type::kDuration,
               .default_value = "60s",
               .help = "Fail (exit status 1) when no Kafka broker is reachable for this long; "
                       "stopping while none is reachable fails too.",
               .min = 1},
              {.key = "stats_json", .help = "Write the final stats as JSON to this path at exit."},
              {.key = "strict",
               .type = Type::kBool,
               .default_value = "false",
               .help =
                   "Stop with an error when offsets were lost to retention, instead of going on."},
          },
      .renamed = {{"format", "file_format"}, {"input_format", "message_format"}},
  };
}

SectionSpec S3Section() {
  return SectionSpec{
      .name = "s3",
      .help =
          "S3 or an S3-compatible store (MinIO, Ceph, moto) for s3://bucket/prefix lakes and "
          "outputs. Unset options fall back to the AWS_* variables (environment, then "
          "./.env) and then to ~/.aws/credentials and ~/.aws/config.",
      .options =
          {
              {.key = "endpoint",
               .help = "Endpoint URL of an S3-compatible store, e.g. http://127.0.0.1:9000. "
                       "Empty: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's "
                       "endpoint_url, else AWS S3."},
              {.key = "region",
               .help = "Region to sign for. Empty: AWS_REGION, AWS_DEFAULT_REGION, the "
                       "profile's region, else us-east-1."},
              {.key = "profile",
               .help = "Profile of ~/.aws/credentials and ~/.aws/config. Empty: AWS_PROFILE, "
                       "else default."},
              {.key = "access_key_id",
               .help = "Access key ID. Empty: AWS_ACCESS_KEY_ID, else the profile's."},
              {.key = "secret_access_key",
               .help = "Secret access key, with access_key_id. Secret: never printed.",
               .secret = true},
              {.key = "session_token",
               .help = "Session token of temporary credentials. Secret: never printed.",
               .secret = true},
              {.key = "addressing",
               .type = Type::kEnum,
               .default_value = "auto",
               .help = "virtual (https://bucket.host/key), path (https://host/bucket/key), or "
                       "auto: path with a custom endpoint, virtual on AWS.",
               .allowed = {"auto", "virtual", "path"}},
              {.key = "ca_bundle",
               .help = "PEM file of CA certificates to verify HTTPS endpoints with. Empty: the "
                       "system's."},
              {.key = "insecure",
               .type = Type::kBool,
               .default_value = "false",
               .help = "Do not verify HTTPS certificates (self-signed test endpoints only; logs "
                       "a warning)."},
              {.key = "part_size",
               .type = Type::kSize,
               .default_value = "16MiB",
               .help = "Objects up to this size go in one PUT; larger ones in a multipart "
                       "upload of parts this size.",
               .min = 5 << 20,
               .max = 5ll << 30},
              {.key = "parallel_parts",
               .type = Type::kInt,
               .default_value = "4",
               .help = "Parts of one multipart upload sent at once.",
               .min = 1,
               .max = 64},
              {.key = "request_timeout",
               .type = Type::kDuration,
               .default_value = "120s",
               .help = "Timeout of one request; a timed-out request is retried.",
               .min = 1},
              {.key = "retry_deadline",
               .type = Type::kDuration,
               .default_value = "2m",
               .help = "Failed requests (5xx, SlowDown, timeouts, resets) are retried with "
                       "backoff until this long after the first attempt; then the command "
                       "fails without committing what the request carried.",
               .min = 0},
          },
  };
}

SectionSpec RunSection() {
  return SectionSpec{
      .name = "run",
      .help =
          "The run command: the whole pipeline in one process (it also reads the kafka, "
          "schema_registry, s3, source, produce and archive sections).",
      .options =
          {
              {.key = "local_copies",
               .type = Type::kStringList,
               .default_value = "json,csv,parquet",
               .help = "Local copies of the consumed records in the output directory: any of "
                       "json, csv, parquet, or none."},
          },
  };
}

SectionSpec CatalogSection() {
  return SectionSpec{
      .name = "catalog",
      .help =
          "The Iceberg catalog of tables written with --table-format iceberg and read by "
          "`lakepipe table`: where a table's current metadata is found and how a new "
          "version of it is committed.",
      .options =
          {
              {.key = "type",
               .type = Type::kEnum,
               .default_value = "file",
               .help = "file (metadata/v<N>.metadata.json and version-hint.text under the "
                       "table), sql (a SQLite database with the SQL catalog schema), or rest (an "
                       "Iceberg REST catalog).",
               .allowed = {"file", "sql", "rest"}},
              {.key = "name",
               .default_value = "lakepipe",
               .help = "Catalog name (sql: the catalog_name column; warehouse SQL names it)."},
              {.key = "warehouse",
               .help = "Where new tables are created, as <warehouse>/<namespace>/<table>: a path, "
                       "file:///path or s3://bucket/prefix. Empty: the lake (archive.lake). A "
                       "REST server chooses its own."},
              {.key = "uri",
               .help = "sql: path of the SQLite file; rest: base URL of the server, e.g. "
                       "https://glue.us-east-1.amazonaws.com/iceberg."},
              {.key = "token",
               .help = "rest: bearer token. Secret: never printed; prefer "
                       "LAKEPIPE_CATALOG_TOKEN.",
               .secret = true},
              {.key = "credential",
               .help = "rest: OAuth2 client credentials <client_id>:<client_secret>, exchanged "
                       "for a token. Secret: never printed; prefer LAKEPIPE_CATALOG_CREDENTIAL.",
               .secret = true},
              {.key = "oauth2_server_uri",
               .help = "rest: token endpoint of the client credentials. Empty: "
                       "<uri>/v1/oauth/tokens."},
              {.key = "scope",
               .default_value = "catalog",
               .help = "rest: OAuth2 scope asked for with the client credentials."},
              {.key = "sigv4",
               .type = Type::kBool,
               .default_value = "false",
               .help = "rest: sign requests with AWS SigV4 (AWS Glue, S3 Tables), with the "
                       "credentials of the environment."},
              {.key = "signing_region",
               .help = "rest with sigv4: region to sign for, e.g. us-east-1."},
              {.key = "signing_name",
               .default_value = "glue",
               .help = "rest with sigv4: service to sign for: glue or s3tables."},
              {.key = "prefix",
               .help = "rest: path prefix of the endpoints. Empty: the one the server's "
                       "/v1/config gives."},
              {.key = "timeout",
               .type = Type::kDuration,
               .default_value = "30s",
               .help = "Timeout of one request to the catalog; a timed-out commit is checked "
                       "against the table before it is retried.",
               .min = 1},
              {.key = "properties",
               .type = Type::kStringList,
               .help = "key=value properties passed to the catalog (rest: in the config request, "
                       "e.g. warehouse-specific settings)."},
          },
  };
}

std::vector<SectionSpec> AllSections() {
  return {KafkaSection(),   SchemaRegistrySection(), SourceSection(),
          ProduceSection(), ArchiveSection(),        RunSection(),
          S3Section(),      CatalogSection()};
}

}  // namespace lakepipe::config

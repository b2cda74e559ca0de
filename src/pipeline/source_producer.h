// A source and a Kafka producer put together: the one assembly of what
// `produce` and `run` send to Kafka.
//
// AssembleSourceProducer, in this order: opens the source, converts its
// batches to the schema messages are written with (when one is given),
// registers that schema with a schema registry (when one is given), makes
// the encoder and the message key, calls `before_producer`, and makes the
// producer. The first step that fails stops the assembly with its error.
//
// Thread-safety: a SourceProducer runs on one thread at a time.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "formats/projection.h"
#include "kafka/producer.h"
#include "pipeline/produce.h"
#include "pipeline/record_encoder.h"
#include "registry/schema_registry.h"
#include "sources/source.h"

namespace lakepipe {

struct SourceProducerOptions {
  std::string source = "users";  // a spec of OpenSource: users, activity, file:PATH...
  SourceOptions source_options;
  // The schema messages are written with, which source batches are
  // converted to: `schema`, else the Avro schema file `schema_file` (named
  // in its errors), else the source's own (no conversion).
  SchemaPtr schema;
  std::string schema_file;
  PayloadFormat format = PayloadFormat::kJson;
  // Set: the schema is registered under "<topic>-value" and Avro messages
  // carry its id (the Confluent wire format).
  std::optional<registry::RegistryOptions> registry;
  std::string topic;
  // The field whose value is the message key; "": the source's default key
  // field; no key when both are empty. `key_context` prefixes its errors.
  std::string key_field;
  std::string key_context;
  kafka::ProducerOptions producer;
  // Called once the records' side is assembled, before the producer is
  // made (a check that the brokers answer, say); its error stops there.
  std::function<Status()> before_producer;
};

struct SourceProducer {
  std::unique_ptr<Source> source;
  std::optional<BatchProjector> projector;  // set when the schema is not the source's
  SchemaPtr schema;                         // what messages are written as
  std::optional<int32_t> schema_id;         // from the registry
  std::optional<RecordEncoder> encoder;
  std::optional<KeyExtractor> key;
  std::unique_ptr<kafka::Producer> producer;

  // RunProduce (produce.h) with the parts above.
  Result<ProduceSummary> Run(const ProduceOptions& options, const std::atomic<bool>& stop);
};

Result<std::unique_ptr<SourceProducer>> AssembleSourceProducer(
    const SourceProducerOptions& options);

}  // namespace lakepipe

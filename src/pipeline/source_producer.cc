#include "pipeline/source_producer.h"

#include <utility>

#include "formats/avro/avro_datum.h"

namespace lakepipe {
namespace {

// The schema messages are written with, and the conversion to it.
Status ChooseSchema(const SourceProducerOptions& o, SourceProducer* sp) {
  sp->schema = sp->source->schema();
  SchemaPtr target = o.schema;
  if (!target && !o.schema_file.empty()) {
    LP_ASSIGN_OR_RETURN(
        Schema loaded, Schema::FromFile(o.schema_file, SchemaParseOptions{.complete_types = true}));
    target = std::make_shared<const Schema>(std::move(loaded));
  }
  // The source's own schema needs no conversion.
  if (!target || target == sp->schema || target->avro_json() == sp->schema->avro_json()) {
    return Status::OK();
  }
  Result<BatchProjector> made = BatchProjector::Make(sp->schema, target);
  if (!made.ok()) {
    return o.schema_file.empty() ? made.status() : made.status().WithContext(o.schema_file);
  }
  sp->projector.emplace(std::move(made).value());
  sp->schema = sp->projector->to();
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<SourceProducer>> AssembleSourceProducer(const SourceProducerOptions& o) {
  auto sp = std::make_unique<SourceProducer>();
  LP_ASSIGN_OR_RETURN(sp->source, OpenSource(o.source, o.source_options));
  LP_RETURN_IF_ERROR(ChooseSchema(o, sp.get()));
  if (o.registry) {
    // What cannot be encoded is not registered either.
    LP_RETURN_IF_ERROR(RecordEncoder::Make(o.format, *sp->schema, std::nullopt).status());
    registry::SchemaRegistryClient client(*o.registry);
    LP_ASSIGN_OR_RETURN(
        sp->schema_id,
        client.Register(o.topic + "-value", avro::AvroWriterSchema(sp->schema)->avro_json()));
  }
  LP_ASSIGN_OR_RETURN(sp->encoder, RecordEncoder::Make(o.format, *sp->schema, sp->schema_id));
  const std::string key = o.key_field.empty() ? sp->source->default_key_field() : o.key_field;
  if (!key.empty()) {
    Result<KeyExtractor> made = KeyExtractor::Make(*sp->schema, key);
    if (!made.ok()) {
      return o.key_context.empty() ? made.status() : made.status().WithContext(o.key_context);
    }
    sp->key.emplace(std::move(made).value());
  }
  if (o.before_producer) LP_RETURN_IF_ERROR(o.before_producer());
  LP_ASSIGN_OR_RETURN(sp->producer, kafka::Producer::Make(o.producer));
  return sp;
}

Result<ProduceSummary> SourceProducer::Run(const ProduceOptions& options,
                                           const std::atomic<bool>& stop) {
  return RunProduce(*source, projector ? &*projector : nullptr, *encoder, key, *producer, options,
                    stop);
}

}  // namespace lakepipe

#include "formats/open.h"

#include "formats/projection.h"

namespace lakepipe {
namespace {

// Converts the batches of a reader that reads a file in its own schema.
class ProjectingReader final : public RecordReader {
 public:
  ProjectingReader(std::unique_ptr<RecordReader> inner, BatchProjector projector, BadRecordSink bad,
                   std::string source)
      : inner_(std::move(inner)),
        projector_(std::move(projector)),
        bad_(std::move(bad)),
        source_(std::move(source)),
        scratch_(projector_.from()) {}

  const SchemaPtr& schema() const override { return projector_.to(); }

  Result<bool> ReadBatch(RecordBatch* batch) override {
    while (true) {
      LP_ASSIGN_OR_RETURN(bool more, inner_->ReadBatch(&scratch_));
      if (!more) {
        batch->Clear();
        return false;
      }
      uint64_t rejected_before = rejected_;
      BadRecordSink counting = [&](const BadRecord& r) -> Status {
        ++rejected_;
        return bad_(r);
      };
      LP_RETURN_IF_ERROR(
          projector_.Project(scratch_, batch, bad_ ? counting : BadRecordSink(), source_));
      // A batch whose every row was rejected would look like the end: read on.
      if (batch->num_rows() > 0 || rejected_ == rejected_before) return true;
    }
  }

  uint64_t rejected() const override { return inner_->rejected() + rejected_; }

 private:
  std::unique_ptr<RecordReader> inner_;
  BatchProjector projector_;
  BadRecordSink bad_;
  std::string source_;
  RecordBatch scratch_;
  uint64_t rejected_ = 0;
};

}  // namespace

Result<std::unique_ptr<RecordReader>> OpenReader(std::string_view uri, const FormatInfo& format,
                                                 ReadOptions options, const InferOptions& infer) {
  if (format.needs_schema && !options.schema) {
    LP_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> sample, OpenInputFile(uri));
    InferOptions inf = infer;
    inf.csv_header = options.csv_header;
    inf.csv_delimiter = options.csv_delimiter;
    LP_ASSIGN_OR_RETURN(Schema schema, InferSchema(sample.get(), format, inf));
    options.schema = std::make_shared<const Schema>(std::move(schema));
  }
  LP_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> file, OpenInputFile(uri));
  if (!options.schema || format.resolves_schema)
    return format.open_reader(std::move(file), options);

  SchemaPtr wanted = options.schema;
  options.schema = nullptr;
  options.columns.clear();
  for (const Field& f : wanted->fields()) options.columns.push_back(f.name);
  LP_ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> inner,
                      format.open_reader(std::move(file), options));
  LP_ASSIGN_OR_RETURN(BatchProjector projector, BatchProjector::Make(inner->schema(), wanted));
  if (projector.identity()) return inner;
  return std::unique_ptr<RecordReader>(std::make_unique<ProjectingReader>(
      std::move(inner), std::move(projector), options.bad_records, std::string(uri)));
}

}  // namespace lakepipe

// libFuzzer target: the input is an Avro object container file. Opening and
// reading it (and encoding what was read) must never crash, hang or allocate
// without bound; errors are expected and ignored.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "formats/avro/avro_datum.h"
#include "formats/avro/avro_format.h"
#include "storage/memory_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const lakepipe::FormatInfo* const format =
      new lakepipe::FormatInfo(lakepipe::AvroFormat());
  const std::string bytes(reinterpret_cast<const char*>(data), size);

  std::unique_ptr<lakepipe::InputFile> for_describe =
      lakepipe::NewMemoryInputFile("fuzz.avro", bytes);
  format->describe(for_describe.get()).status().IgnoreError();

  lakepipe::ReadOptions options;
  options.batch_rows = 64;
  options.bad_records = [](const lakepipe::BadRecord&) { return lakepipe::Status::OK(); };
  lakepipe::Result<std::unique_ptr<lakepipe::RecordReader>> reader =
      format->open_reader(lakepipe::NewMemoryInputFile("fuzz.avro", bytes), options);
  if (!reader.ok()) return 0;
  lakepipe::RecordBatch batch((*reader)->schema());
  while (true) {
    lakepipe::Result<bool> more = (*reader)->ReadBatch(&batch);
    if (!more.ok() || !*more) break;
    // What was read must encode again (nested columns included).
    std::string encoded;
    lakepipe::avro::AppendDatums(batch, 0, batch.num_rows(), &encoded);
  }
  return 0;
}

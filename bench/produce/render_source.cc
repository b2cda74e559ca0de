// Writes records of a lakepipe source as "key<TAB>json" lines, the input
// `kcat -P -K '\t'` produces from, so that a benchmark can give kcat exactly
// the records `lakepipe produce` generates.
//   render_source SOURCE COUNT SEED OUT
#include <cstdio>
#include <string>

#include <fmt/format.h>

#include "pipeline/record_encoder.h"
#include "sources/source.h"
#include "storage/object_store.h"

namespace lakepipe {
namespace {

Status Render(const std::string& spec, uint64_t count, uint64_t seed, const std::string& out_path) {
  SourceOptions options;
  options.seed = seed;
  LP_ASSIGN_OR_RETURN(std::unique_ptr<Source> source, OpenSource(spec, options));
  LP_ASSIGN_OR_RETURN(RecordEncoder encoder,
                      RecordEncoder::Make(PayloadFormat::kJson, *source->schema(), std::nullopt));
  LP_ASSIGN_OR_RETURN(KeyExtractor key,
                      KeyExtractor::Make(*source->schema(), source->default_key_field()));
  LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> out, OpenOutputStream(out_path));
  RecordBatch batch(source->schema());
  std::string line, k, v;
  uint64_t done = 0;
  while (done < count) {
    LP_ASSIGN_OR_RETURN(
        bool more,
        source->Next(&batch, static_cast<size_t>(std::min<uint64_t>(4096, count - done))));
    if (!more) break;
    line.clear();
    for (size_t row = 0; row < batch.num_rows(); ++row) {
      key.Extract(batch, row, &k);
      encoder.Encode(batch, row, &v);
      line.append(k).append("\t").append(v).append("\n");
    }
    LP_RETURN_IF_ERROR(out->Append(line));
    done += batch.num_rows();
  }
  return out->Commit();
}

}  // namespace
}  // namespace lakepipe

int main(int argc, char** argv) {
  if (argc != 5) {
    fmt::print(stderr, "usage: render_source SOURCE COUNT SEED OUT\n");
    return 2;
  }
  lakepipe::Status st =
      lakepipe::Render(argv[1], std::stoull(argv[2]), std::stoull(argv[3]), argv[4]);
  if (!st.ok()) {
    fmt::print(stderr, "render_source: {}\n", st.ToString());
    return 1;
  }
  return 0;
}

// Measures reading randomuser-shaped JSON Lines into record batches, and
// writing them back as JSON Lines and CSV.
//
//   text_benchmark [rows] [directory] [read|write|all|generate]
//
// Defaults: 200000 rows, the temp directory, all. Both wall time and the
// thread's CPU time are printed (the CPU time is steadier on a busy host).

#include <time.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include <fmt/format.h>

#include "formats/text/text_formats.h"
#include "formats/text/text_internal.h"
#include "storage/object_store.h"

namespace lakepipe::text {
namespace {

const char* kSchema = R"({"type": "record", "name": "user", "fields": [
  {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
  {"name": "first_name", "type": "string"},
  {"name": "last_name", "type": "string"},
  {"name": "gender", "type": "string"},
  {"name": "address", "type": "string"},
  {"name": "post_code", "type": ["null", "string"]},
  {"name": "email", "type": "string"},
  {"name": "username", "type": "string"},
  {"name": "dob", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "registered_date", "type": {"type": "long", "logicalType": "timestamp-millis"}},
  {"name": "phone", "type": "string"},
  {"name": "picture", "type": "string"},
  {"name": "country", "type": "string"},
  {"name": "state", "type": "string"}
]})";

std::string MakeLines(size_t rows) {
  const char* firsts[] = {"Ella", "Oliver", "Sofia", "Liam", "Noah", "Emma", "Mia", "Lucas"};
  const char* lasts[] = {"Kristensen", "Patel", "Garcia", "Smith", "M\xC3\xBCller", "Nguyen"};
  const char* streets[] = {"Church Road", "S\xC3\xB8ndergade", "Main Street", "Rue de la Paix"};
  const char* cities[] = {"Aarhus N", "London", "Lyon", "Berlin"};
  const char* countries[] = {"Denmark", "United Kingdom", "France"};
  const char* states[] = {"Midtjylland", "Hampshire", "Rh\xC3\xB4ne"};
  std::mt19937_64 rng(42);
  auto pick = [&](auto& list) { return list[rng() % std::size(list)]; };
  std::string out;
  out.reserve(rows * 470);
  for (size_t i = 0; i < rows; ++i) {
    const uint64_t a = rng();
    const uint64_t b = rng();
    const std::string first = pick(firsts);
    const std::string last = pick(lasts);
    std::string post_code =
        (rng() % 2) ? fmt::format("{}", 10000 + rng() % 90000) : std::string("\"QJ7 4DN\"");
    out += fmt::format(
        R"({{"id": "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", "first_name": "{}", "last_name": "{}", )"
        R"("gender": "{}", "address": "{} {}, {}", "post_code": {}, "email": "{}.{}@example.com", )"
        R"("username": "smallswan{}", "dob": "{}-02-14T09:27:41.512Z", "registered_date": "2011-10-03T17:02:55.078Z", )"
        R"("phone": "({:03}) {:03}-{:04}", "picture": "https://randomuser.me/api/portraits/women/{}.jpg", )"
        R"("country": "{}", "state": "{}"}})"
        "\n",
        a >> 32, (a >> 16) & 0xffff, a & 0xfff, b >> 48, b & 0xffffffffffffULL, first, last,
        (rng() % 2) ? "female" : "male", 1 + rng() % 9999, pick(streets), pick(cities), post_code,
        first, last, 100 + rng() % 900, 1940 + rng() % 60, rng() % 1000, rng() % 1000,
        rng() % 10000, rng() % 100, pick(countries), pick(states));
  }
  return out;
}

double CpuNow() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Wall and CPU seconds since construction.
struct Timer {
  std::chrono::steady_clock::time_point wall = std::chrono::steady_clock::now();
  double cpu = CpuNow();
  double WallSeconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - wall).count();
  }
  double CpuSeconds() const { return CpuNow() - cpu; }
};

int Run(size_t rows, const std::string& dir, const std::string& mode) {
  Result<Schema> parsed = Schema::FromAvroJson(kSchema);
  if (!parsed.ok()) return 1;
  auto schema = std::make_shared<const Schema>(*parsed);
  const std::string path = (std::filesystem::path(dir) / "text_benchmark_users.jsonl").string();
  {
    Result<std::unique_ptr<OutputStream>> out = OpenOutputStream(path);
    if (!out.ok() || !(*out)->Append(MakeLines(rows)).ok() || !(*out)->Commit().ok()) {
      std::fprintf(stderr, "cannot write %s\n", path.c_str());
      return 1;
    }
  }
  const double mb = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
  std::printf("input: %zu lines, %.1f MB in %s\n", rows, mb, path.c_str());

  RecordBatch batch(schema);
  std::vector<RecordBatch> kept;
  for (int rep = 0; rep < 5 && mode != "generate"; ++rep) {
    Result<std::unique_ptr<InputFile>> file = OpenInputFile(path);
    if (!file.ok()) return 1;
    ReadOptions options;
    options.schema = schema;
    Timer timer;
    Result<std::unique_ptr<RecordReader>> reader = NewJsonLinesReader(std::move(*file), options);
    if (!reader.ok()) return 1;
    size_t n = 0;
    while (true) {
      Result<bool> more = (*reader)->ReadBatch(&batch);
      if (!more.ok()) {
        std::fprintf(stderr, "%s\n", more.status().ToString().c_str());
        return 1;
      }
      if (!*more) break;
      n += batch.num_rows();
      if (rep == 0 && kept.size() < 8) kept.push_back(batch);
    }
    const double wall = timer.WallSeconds();
    const double cpu = timer.CpuSeconds();
    std::printf("read jsonl: %zu rows in %.3f s = %.0f MB/s (cpu %.3f s = %.0f MB/s)\n", n, wall,
                mb / wall, cpu, mb / cpu);
    if (mode == "write") break;
  }

  for (const char* format : {"jsonl", "csv"}) {
    if (mode == "read" || mode == "generate") break;
    std::string sink;
    WriteOptions options;
    Timer timer;
    size_t rows_written = 0;
    uint64_t bytes = 0;
    for (int rep = 0; rep < 10; ++rep) {
      const std::string out_path =
          (std::filesystem::path(dir) / fmt::format("text_benchmark_out.{}", format)).string();
      Result<std::unique_ptr<OutputStream>> out = OpenOutputStream(out_path);
      if (!out.ok()) return 1;
      Result<std::unique_ptr<FileWriter>> writer =
          std::string(format) == "csv" ? NewCsvWriter(std::move(*out), schema, options)
                                       : NewJsonLinesWriter(std::move(*out), schema, options);
      if (!writer.ok()) return 1;
      for (const RecordBatch& b : kept) {
        if (!(*writer)->Write(b).ok()) return 1;
      }
      bytes += (*writer)->bytes_written();
      rows_written += (*writer)->rows_written();
      if (!(*writer)->Finish().ok()) return 1;
      std::filesystem::remove(out_path);
    }
    const double wall = timer.WallSeconds();
    const double cpu = timer.CpuSeconds();
    const double out_mb = static_cast<double>(bytes) / 1e6;
    std::printf("write %s: %zu rows, %.1f MB in %.3f s = %.0f MB/s (cpu %.3f s = %.0f MB/s)\n",
                format, rows_written, out_mb, wall, out_mb / wall, cpu, out_mb / cpu);
  }
  std::filesystem::remove(path);
  return 0;
}

}  // namespace
}  // namespace lakepipe::text

int main(int argc, char** argv) {
  const size_t rows = argc > 1 ? std::stoul(argv[1]) : 200000;
  const std::string dir = argc > 2 ? argv[2] : std::filesystem::temp_directory_path().string();
  const std::string mode = argc > 3 ? argv[3] : "all";
  return lakepipe::text::Run(rows, dir, mode);
}

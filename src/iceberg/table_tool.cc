// Builds the test table of table_fixture.h under a warehouse directory and
// prints what it wrote as JSON, for tests/interop/iceberg_table.test.mjs.
//   iceberg_table_tool WAREHOUSE clean|broken [SQLITE_FILE]
// With SQLITE_FILE the table is in an sql catalog there, else in the file
// catalog.
#include <cstdio>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "iceberg/table_fixture.h"

int main(int argc, char** argv) {
  const std::string kind = argc == 3 || argc == 4 ? argv[2] : "";
  if (kind != "clean" && kind != "broken") {
    fmt::print(stderr, "usage: iceberg_table_tool WAREHOUSE clean|broken [SQLITE_FILE]\n");
    return 2;
  }
  lakepipe::iceberg::CatalogOptions options;
  if (argc == 4) {
    options.type = "sql";
    options.uri = argv[3];
  }
  auto fixture = lakepipe::iceberg::BuildTableFixture(argv[1], kind == "broken", options);
  if (!fixture.ok()) {
    fmt::print(stderr, "iceberg_table_tool: {}\n", fixture.status().ToString());
    return 1;
  }
  nlohmann::ordered_json out;
  out["warehouse"] = fixture->warehouse;
  out["id"] = fixture->id;
  out["location"] = fixture->location;
  out["files"] = nlohmann::ordered_json::array();
  for (const auto& f : fixture->files) {
    out["files"].push_back(
        {{"path", f.path}, {"region", f.region}, {"records", f.records}, {"size", f.size}});
  }
  out["snapshot_ids"] = fixture->snapshot_ids;
  out["missing_file"] = fixture->missing_file;
  out["resized_file"] = fixture->resized_file;
  out["duplicate_file"] = fixture->duplicate_file;
  fmt::print("{}\n", out.dump());
  return 0;
}

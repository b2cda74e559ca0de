// lakepipe table show|history|verify: an Iceberg table's schema, files,
// snapshots and committed Kafka offsets, and a check of them.
#include <string>
#include <string_view>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/catalog_flags.h"
#include "cli/commands.h"
#include "cli/flags.h"
#include "iceberg/table_report.h"

namespace lakepipe::cli {
namespace {

struct TableFlags {
  ConfigFlags config;
  S3Flags s3;
  CatalogFlags catalog;
  std::string lake;
  std::string table;
  bool json = false;
};

constexpr const char* kTableHelp =
    "The table: namespace.name in the configured catalog (catalog.type, default file under the "
    "warehouse, which defaults to the lake), or its location: a path, file:///path or "
    "s3://bucket/prefix";

bool PrintsConfig(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    if (std::string_view(argv[i]) == "--print-config") return true;
  }
  return false;
}

CLI::App* AddSubcommand(CLI::App* app, const char* name, const char* help, TableFlags* f, int argc,
                        char** argv) {
  CLI::App* sub = app->add_subcommand(name, help);
  // Not required with --print-config, which needs nothing else.
  sub->add_option("TABLE", f->table, kTableHelp)->required(!PrintsConfig(argc, argv));
  sub->add_flag("--json", f->json, "Print one JSON document");
  AddConfigFlags(sub, &f->config, "sections catalog, archive (lake) and s3 are used");
  AddS3Flags(sub, &f->s3);
  AddCatalogFlags(sub, &f->catalog);
  sub->add_option("--lake", f->lake, "Lake root, the catalog's default warehouse (archive.lake)");
  return sub;
}

Result<int> Table(const CLI::App& sub, const TableFlags& f) {
  LP_ASSIGN_OR_RETURN(config::Config cfg, LoadConfigWithS3Flags(sub, f.config.path, f.s3));
  if (sub.count("--lake") > 0) LP_RETURN_IF_ERROR(cfg.SetFlag("archive", "lake", f.lake));
  LP_RETURN_IF_ERROR(ApplyCatalogFlags(sub, f.catalog, &cfg));
  if (f.config.print) return PrintConfig(cfg);
  LP_RETURN_IF_ERROR(ConfigureS3(cfg));
  LP_ASSIGN_OR_RETURN(iceberg::CatalogOptions options, CatalogOptionsFromConfig(cfg));
  LP_ASSIGN_OR_RETURN(iceberg::LoadedTable table, iceberg::OpenTableRef(f.table, options));
  const std::string name = sub.get_name();
  nlohmann::ordered_json report;
  std::string text;
  if (name == "show") {
    LP_ASSIGN_OR_RETURN(report, iceberg::ShowTable(table));
    text = iceberg::ShowText(report);
  } else if (name == "history") {
    LP_ASSIGN_OR_RETURN(report, iceberg::TableHistory(table.metadata));
    text = iceberg::HistoryText(report);
  } else {
    LP_ASSIGN_OR_RETURN(report, iceberg::VerifyTable(table));
    text = iceberg::VerifyText(report);
  }
  fmt::print("{}", f.json ? report.dump(2) + "\n" : text);
  if (name == "verify" && !report["clean"].get<bool>()) return kExitFailure;
  return kExitOk;
}

}  // namespace

Result<int> RunTable(int argc, char** argv) {
  CLI::App app(
      "Show an Iceberg table, its history, or verify it. show: the schema with field ids, the "
      "partition spec, the current snapshot, the data files and the Kafka offsets committed per "
      "group, topic and partition. history: every snapshot, newest first, with what it added, "
      "the totals and its Kafka ranges. verify: every data file of the current snapshot exists "
      "with its listed size and is listed once, and each group's Kafka ranges follow each other "
      "without gaps or overlaps; exit status 1 naming each problem.",
      "lakepipe table");
  TableFlags f;
  CLI::App* show = AddSubcommand(&app, "show", "Schema, partition spec, files and Kafka offsets",
                                 &f, argc, argv);
  CLI::App* history =
      AddSubcommand(&app, "history", "Every snapshot, newest first", &f, argc, argv);
  CLI::App* verify = AddSubcommand(
      &app, "verify", "Check the data files and the Kafka offset ranges", &f, argc, argv);
  app.require_subcommand(1);
  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  for (const CLI::App* sub : {show, history, verify}) {
    if (sub->parsed()) return Table(*sub, f);
  }
  return kExitUsage;
}

}  // namespace lakepipe::cli

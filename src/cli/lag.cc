// lakepipe lag: a consumer group's offsets, lag and members.
#include <string>
#include <vector>

#include <fmt/format.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/flags.h"
#include "config/config.h"
#include "core/units.h"
#include "kafka/group_lag.h"

namespace lakepipe::cli {
namespace {

struct LagFlags {
  ConfigFlags config;
  KafkaFlags kafka;
  std::string group;
  std::vector<std::string> topics;
  bool json = false;
};

Result<int> Lag(const CLI::App& app, const LagFlags& f) {
  auto loaded = LoadConfig(f.config.path);
  if (!loaded.ok()) return loaded.status();
  LP_RETURN_IF_ERROR(ApplyKafkaFlags(app, f.kafka, &*loaded));
  if (f.config.print) return PrintConfig(*loaded);
  auto brokers = RequireBrokers(*loaded);
  if (!brokers.ok()) return brokers.status();
  auto lag = kafka::DescribeGroupLag(*brokers, f.group, f.topics, loaded->Passthrough("kafka"),
                                     std::chrono::seconds(10));
  if (!lag.ok()) return lag.status();
  auto member_of = [&](const std::string& id) -> const kafka::GroupMember* {
    for (const kafka::GroupMember& m : lag->members) {
      if (m.member_id == id) return &m;
    }
    return nullptr;
  };
  if (f.json) {
    nlohmann::ordered_json j;
    j["group"] = lag->group;
    j["state"] = lag->state;
    j["total_lag"] = lag->total_lag;
    j["partitions"] = nlohmann::ordered_json::array();
    for (const kafka::PartitionLag& p : lag->partitions) {
      j["partitions"].push_back({{"topic", p.tp.topic},
                                 {"partition", p.tp.partition},
                                 {"committed_offset", p.committed},
                                 {"log_start_offset", p.log_start},
                                 {"log_end_offset", p.log_end},
                                 {"lag", p.lag},
                                 {"member_id", p.member_id}});
    }
    j["members"] = nlohmann::ordered_json::array();
    for (const kafka::GroupMember& m : lag->members) {
      nlohmann::ordered_json a = nlohmann::ordered_json::array();
      for (const auto& tp : m.assignment)
        a.push_back({{"topic", tp.topic}, {"partition", tp.partition}});
      j["members"].push_back({{"member_id", m.member_id},
                              {"client_id", m.client_id},
                              {"host", m.host},
                              {"assignment", a}});
    }
    if (!lag->members_error.empty()) j["members_error"] = lag->members_error;
    fmt::print("{}\n", j.dump(2));
    return kExitOk;
  }
  fmt::print("{:<24} {:<24} {:>9} {:>15} {:>15} {:>10}  {:<40} {:<16} {}\n", "GROUP", "TOPIC",
             "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST",
             "CLIENT-ID");
  for (const kafka::PartitionLag& p : lag->partitions) {
    const kafka::GroupMember* m = member_of(p.member_id);
    fmt::print("{:<24} {:<24} {:>9} {:>15} {:>15} {:>10}  {:<40} {:<16} {}\n", lag->group,
               p.tp.topic, p.tp.partition, p.committed >= 0 ? std::to_string(p.committed) : "-",
               p.log_end, p.lag, m ? m->member_id : "-", m ? m->host : "-", m ? m->client_id : "-");
  }
  fmt::print("\ngroup '{}': {} partitions, total lag {}, {} members{}\n", lag->group,
             lag->partitions.size(),
             FormatCount(static_cast<uint64_t>(std::max<int64_t>(0, lag->total_lag))),
             lag->members.size(),
             !lag->members_error.empty() ? " (members unknown: " + lag->members_error + ")"
             : lag->state.empty()        ? ""
                                         : ", state " + lag->state);
  return kExitOk;
}

}  // namespace

Result<int> RunLag(int argc, char** argv) {
  CLI::App app(
      "Show a consumer group's committed offset, log end offset and lag for each partition, and "
      "its members with their assignments (like kafka-consumer-groups --describe). Lag counts "
      "from the log start when the committed offset is older (records removed by retention are "
      "not waiting any more).",
      "lakepipe lag");
  LagFlags f;
  AddConfigFlags(&app, &f.config, "section kafka is used; the others are validated");
  AddKafkaFlags(&app, &f.kafka);
  app.add_option("--group", f.group, "Consumer group")->required();
  app.add_option(
      "--topic", f.topics,
      "Topic (repeatable; default: the topics assigned to the group's members, else those it "
      "committed offsets for)");
  app.add_flag("--json", f.json, "Print JSON");
  if (int rc = ParseArgs(app, argc, argv); rc >= 0) return rc;
  return Lag(app, f);
}

}  // namespace lakepipe::cli

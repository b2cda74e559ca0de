// Producer throughput: N records of about 470 bytes (randomuser-shaped JSON,
// keyed by their id) onto a topic, idempotent with acks=all, then Flush.
//
//   kafka_benchmark [--records N] [--partitions P] [--brokers ADDR] [--file F.jsonl]
//                   [--poll-every N] [-X key=value]...
//
// Without --brokers it starts a DevBroker in this process (topic "bench" with
// P partitions, default 16); with --brokers the topic must exist. --file
// takes the values from a JSON Lines file (cycled), else they are generated.
// Prints wall time, records/s, MB/s and the process CPU time.

#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "kafka/dev_broker.h"
#include "kafka/producer.h"

namespace lakepipe::kafka {
namespace {

struct Args {
  uint64_t records = 1000000;
  int partitions = 16;
  std::string brokers;
  std::string file;
  uint64_t poll_every = 0;
  Settings settings;
};

double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

std::vector<std::string> GenerateValues(size_t n) {
  const char* firsts[] = {"Ella", "Oliver", "Sofia", "Liam", "Noah", "Emma", "Mia", "Lucas"};
  const char* lasts[] = {"Kristensen", "Patel", "Garcia", "Smith", "Nguyen", "Visser"};
  const char* cities[] = {"Aarhus N", "London", "Lyon", "Berlin", "Utrecht"};
  std::mt19937_64 rng(42);
  std::vector<std::string> out;
  for (size_t i = 0; i < n; ++i) {
    const std::string first = firsts[rng() % std::size(firsts)];
    const std::string last = lasts[rng() % std::size(lasts)];
    out.push_back(fmt::format(
        R"({{"id":"{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}","first_name":"{}","last_name":"{}",)"
        R"("gender":"female","address":"{} Church Road, {}, Zeeland, Netherlands",)"
        R"("post_code":"{} AB","email":"{}.{}{}@example.com","username":"silverbear{}",)"
        R"("dob":"1991-11-23T02:46:15.260Z","registered_date":"2014-05-04T05:46:02.180Z",)"
        R"("phone":"(0094)-{}","picture":"https://randomuser.me/api/portraits/women/{}.jpg",)"
        R"("city":"{}","state":"Zeeland","country":"Netherlands","nat":"NL"}})",
        rng() & 0xffffffff, rng() & 0xffff, rng() & 0xfff, rng() & 0xfff, rng() & 0xffffffffffff,
        first, last, rng() % 10000, cities[rng() % std::size(cities)], 1000 + rng() % 9000, first,
        last, rng() % 100, rng() % 1000, 100000 + rng() % 900000, rng() % 100,
        cities[rng() % std::size(cities)]));
  }
  return out;
}

std::string KeyOf(const std::string& value) {
  const std::string marker = "\"id\":\"";
  const size_t start = value.find(marker);
  if (start == std::string::npos) return "";
  const size_t from = start + marker.size();
  return value.substr(from, value.find('"', from) - from);
}

int Run(const Args& args) {
  std::vector<std::string> values;
  if (!args.file.empty()) {
    std::ifstream in(args.file);
    for (std::string line; values.size() < args.records && std::getline(in, line);) {
      if (!line.empty()) values.push_back(line);
    }
    if (values.empty()) {
      fmt::print(stderr, "kafka_benchmark: no records in {}\n", args.file);
      return 1;
    }
  } else {
    values = GenerateValues(std::min<uint64_t>(args.records, 100000));
  }
  std::vector<std::string> keys;
  uint64_t value_bytes = 0;
  for (const std::string& v : values) {
    keys.push_back(KeyOf(v));
    value_bytes += v.size();
  }

  std::unique_ptr<DevBroker> broker;
  std::string brokers = args.brokers;
  if (brokers.empty()) {
    auto started = DevBroker::Start({.partitions = args.partitions, .topics = {"bench"}});
    if (!started.ok()) {
      fmt::print(stderr, "kafka_benchmark: {}\n", started.status().ToString());
      return 1;
    }
    broker = std::move(started).value();
    brokers = broker->bootstrap();
  }
  auto made = Producer::Make({.brokers = brokers, .settings = args.settings});
  if (!made.ok()) {
    fmt::print(stderr, "kafka_benchmark: {}\n", made.status().ToString());
    return 1;
  }
  Producer& producer = **made;

  const double cpu_start = CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  uint64_t bytes = 0;
  for (uint64_t i = 0; i < args.records; ++i) {
    const size_t j = i % values.size();
    Status st = producer.Produce("bench", keys[j], values[j]);
    if (!st.ok()) {
      fmt::print(stderr, "kafka_benchmark: {}\n", st.ToString());
      return 1;
    }
    bytes += values[j].size();
    if (args.poll_every > 0 && i % args.poll_every == 0) producer.Poll();
  }
  const auto queued = std::chrono::steady_clock::now();
  Status flushed = producer.Flush(std::chrono::minutes(5));
  const auto end = std::chrono::steady_clock::now();
  const double seconds = std::chrono::duration<double>(end - start).count();
  const ProducerStats s = producer.stats();
  fmt::print(
      "{} records ({:.0f} B avg) in {:.2f} s (queued in {:.2f} s): {:.0f} records/s, {:.1f} MB/s; "
      "delivered {}, failed {}; process CPU {:.2f} s{}\n",
      args.records, static_cast<double>(value_bytes) / static_cast<double>(values.size()), seconds,
      std::chrono::duration<double>(queued - start).count(),
      static_cast<double>(args.records) / seconds, static_cast<double>(bytes) / 1e6 / seconds,
      s.delivered, s.failed, CpuSeconds() - cpu_start,
      flushed.ok() ? "" : "; " + flushed.ToString());
  return flushed.ok() ? 0 : 1;
}

}  // namespace
}  // namespace lakepipe::kafka

int main(int argc, char** argv) {
  lakepipe::kafka::Args args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    const bool has_value = i + 1 < argc;
    if (a == "--records" && has_value) {
      args.records = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--partitions" && has_value) {
      args.partitions = std::atoi(argv[++i]);
    } else if (a == "--brokers" && has_value) {
      args.brokers = argv[++i];
    } else if (a == "--file" && has_value) {
      args.file = argv[++i];
    } else if (a == "--poll-every" && has_value) {
      args.poll_every = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "-X" && has_value) {
      const std::string kv = argv[++i];
      const size_t eq = kv.find('=');
      if (eq == std::string::npos) {
        fmt::print(stderr, "kafka_benchmark: -X wants key=value, got '{}'\n", kv);
        return 2;
      }
      args.settings.emplace_back(kv.substr(0, eq), kv.substr(eq + 1));
    } else {
      fmt::print(stderr,
                 "usage: kafka_benchmark [--records N] [--partitions P] [--brokers ADDR] "
                 "[--file F.jsonl] [--poll-every N] [-X key=value]...\n");
      return 2;
    }
  }
  return lakepipe::kafka::Run(args);
}

// The registry's exposition text and JSON. (tests/interop/observe.test.mjs
// parses /metrics with a Prometheus parser we did not write.)
#include "observe/metrics.h"

#include <gtest/gtest.h>

namespace lakepipe::observe {
namespace {

TEST(RegistryTest, RendersCountersGaugesAndHistograms) {
  Registry r;
  r.Describe("t_records_total", MetricType::kCounter, "Records \\ seen\nby topic");
  r.Describe("t_lag", MetricType::kGauge, "Lag");
  r.Describe("t_seconds", MetricType::kHistogram, "Latency", {0.1, 1});
  r.Add("t_records_total", {{"topic", "a\"b"}}, 3);
  r.Add("t_records_total", {{"topic", "a\"b"}}, 2);
  r.Set("t_lag", {{"topic", "t"}, {"partition", "0"}}, 7);
  r.Observe("t_seconds", {}, 0.05);
  r.Observe("t_seconds", {}, 0.5);
  r.Observe("t_seconds", {}, 5);
  int calls = 0;
  const int id = r.AddCollector([&] {
    r.Set("t_lag", {{"topic", "t"}, {"partition", "1"}}, ++calls);
  });
  const std::string text = r.RenderPrometheus();
  EXPECT_NE(text.find("# HELP t_records_total Records \\\\ seen\\nby topic\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE t_records_total counter\nt_records_total{topic=\"a\\\"b\"} 5\n"),
            std::string::npos);
  EXPECT_NE(text.find("t_lag{topic=\"t\",partition=\"0\"} 7\n"), std::string::npos);
  EXPECT_NE(text.find("t_lag{topic=\"t\",partition=\"1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("t_seconds_bucket{le=\"0.1\"} 1\nt_seconds_bucket{le=\"1\"} 2\n"
                      "t_seconds_bucket{le=\"+Inf\"} 3\nt_seconds_sum 5.55\nt_seconds_count 3\n"),
            std::string::npos)
      << text;
  EXPECT_EQ(calls, 1);
  const nlohmann::json j = r.RenderJson();
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(j["t_records_total"]["series"][0]["value"], 5);
  EXPECT_EQ(j["t_seconds"]["series"][0]["count"], 3);
  EXPECT_GT(j["lakepipe_process_resident_memory_bytes"]["series"][0]["value"].get<double>(), 0);
  r.RemoveCollector(id);
  r.Clear("t_lag");
  EXPECT_EQ(r.RenderPrometheus().find("t_lag{"), std::string::npos);
  EXPECT_EQ(r.Value("t_records_total", {{"topic", "a\"b"}}), 5);
}

// A counter copied from a total kept elsewhere never goes down, whatever
// the total does: Prometheus would read a drop as a restart.
TEST(RegistryTest, CountersSetFromATotalNeverGoDown) {
  Registry r;
  r.Describe("t_in_total", MetricType::kCounter, "In");
  r.Describe("t_open", MetricType::kGauge, "Open");
  r.Set("t_in_total", {}, 18000);
  r.Set("t_in_total", {}, 15316);
  EXPECT_EQ(r.Value("t_in_total", {}), 18000);
  r.Set("t_in_total", {}, 18500);
  EXPECT_EQ(r.Value("t_in_total", {}), 18500);
  r.Set("t_open", {}, 5);
  r.Set("t_open", {}, 2);
  EXPECT_EQ(r.Value("t_open", {}), 2) << "gauges go both ways";
}

TEST(EventsTest, KeepsTheLastFifty) {
  Events e;
  for (int i = 0; i < 60; ++i) e.Add("warning", "w" + std::to_string(i));
  const nlohmann::json j = e.Json();
  ASSERT_EQ(j.size(), 50u);
  EXPECT_EQ(j[0]["text"], "w10");
  EXPECT_EQ(j[49]["level"], "warning");
  EXPECT_EQ(j[49]["time"].get<std::string>().size(), 20u);
}

}  // namespace
}  // namespace lakepipe::observe

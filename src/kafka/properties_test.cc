#include "kafka/properties.h"

#include <unistd.h>

#include <cstdio>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace lakepipe::kafka {
namespace {

TEST(PropertiesTest, ProducerSettingsStayOffConsumersAndTheOtherWayRound) {
  const Settings all = {{"bootstrap.servers", "b:9092"}, {"linger.ms", "20"},
                        {"compression.type", "lz4"},     {"acks", "all"},
                        {"group.instance.id", "a"},      {"session.timeout.ms", "10000"},
                        {"security.protocol", "ssl"},    {"no.such.property", "1"}};
  EXPECT_EQ(SettingsFor(ClientKind::kProducer, all), (Settings{{"bootstrap.servers", "b:9092"},
                                                               {"linger.ms", "20"},
                                                               {"compression.type", "lz4"},
                                                               {"acks", "all"},
                                                               {"security.protocol", "ssl"},
                                                               {"no.such.property", "1"}}));
  EXPECT_EQ(SettingsFor(ClientKind::kConsumer, all), (Settings{{"bootstrap.servers", "b:9092"},
                                                               {"group.instance.id", "a"},
                                                               {"session.timeout.ms", "10000"},
                                                               {"security.protocol", "ssl"},
                                                               {"no.such.property", "1"}}));
  EXPECT_EQ(SettingsFor(ClientKind::kMetadata, all), (Settings{{"bootstrap.servers", "b:9092"},
                                                               {"security.protocol", "ssl"},
                                                               {"no.such.property", "1"}}));
}

TEST(PropertiesTest, AliasesAndTopicPropertiesCount) {
  for (const char* p : {"queue.buffering.max.ms", "compression.codec", "request.required.acks",
                        "message.timeout.ms", "partitioner", "transactional.id"}) {
    EXPECT_TRUE(IsProducerOnlyProperty(p)) << p;
    EXPECT_FALSE(IsConsumerOnlyProperty(p)) << p;
  }
  for (const char* p : {"group.id", "auto.offset.reset", "fetch.wait.max.ms", "isolation.level",
                        "enable.auto.commit", "auto.commit.enable"}) {
    EXPECT_TRUE(IsConsumerOnlyProperty(p)) << p;
    EXPECT_FALSE(IsProducerOnlyProperty(p)) << p;
  }
  for (const char* p : {"bootstrap.servers", "client.id", "debug", "sasl.password", ""}) {
    EXPECT_FALSE(IsProducerOnlyProperty(p)) << p;
    EXPECT_FALSE(IsConsumerOnlyProperty(p)) << p;
  }
}

// The tables against the CONFIGURATION.md of the installed librdkafka, where
// its package ships it.
TEST(PropertiesTest, TablesMatchTheInstalledConfigurationDocument) {
  const char* doc = "/usr/share/doc/librdkafka-dev/CONFIGURATION.md.gz";
  if (access(doc, R_OK) != 0) GTEST_SKIP() << "librdkafka's CONFIGURATION.md is not installed";
  FILE* in = popen((std::string("gzip -dc ") + doc).c_str(), "r");
  ASSERT_NE(in, nullptr);
  std::string text;
  char buf[65536];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, in)) > 0;) text.append(buf, n);
  pclose(in);
  std::istringstream lines(text);
  std::set<std::string> producer, consumer;
  for (std::string line; std::getline(lines, line);) {
    // "name   |  P  | range | ...": the C/P column is the second.
    const size_t bar = line.find('|');
    if (bar == std::string::npos) continue;
    const size_t next = line.find('|', bar + 1);
    if (next == std::string::npos) continue;
    std::string name = line.substr(0, bar);
    name.erase(name.find_last_not_of(' ') + 1);
    std::string cp = line.substr(bar + 1, next - bar - 1);
    cp.erase(0, cp.find_first_not_of(' '));
    cp.erase(cp.find_last_not_of(' ') + 1);
    if (cp == "P") producer.insert(name);
    if (cp == "C") consumer.insert(name);
  }
  ASSERT_GT(producer.size(), 20u);
  for (const std::string& p : producer) EXPECT_TRUE(IsProducerOnlyProperty(p)) << p;
  for (const std::string& c : consumer) EXPECT_TRUE(IsConsumerOnlyProperty(c)) << c;
}

}  // namespace
}  // namespace lakepipe::kafka

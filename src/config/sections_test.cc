#include "config/sections.h"

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "config/config_test_util.h"
#include "core/testing.h"

namespace lakepipe::config {
namespace {

class SectionsTest : public ConfigEnvironmentTest {};

std::string ReadExample() {
  std::ifstream in(LAKEPIPE_EXAMPLE_CONFIG);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_F(SectionsTest, TheExampleFileLoadsAndCoversEveryKey) {
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load(LAKEPIPE_EXAMPLE_CONFIG, AllSections()));
  EXPECT_TRUE(config.warnings().empty()) << "the example uses no deprecated key";
  const std::string text = ReadExample();
  for (const SectionSpec& section : AllSections()) {
    EXPECT_TRUE(Contains(text, "\n" + section.name + ":\n"));
    for (const OptionSpec& option : section.options) {
      // Commented-out keys count: secrets and optional SASL settings.
      EXPECT_TRUE(Contains(text, "  " + option.key + ":") ||
                  Contains(text, "# " + option.key + ":"))
          << section.name << "." << option.key;
    }
  }
  // The file works unchanged with every command: archive reads the topic
  // produce writes.
  ASSERT_OK_AND_ASSIGN(std::string topic, config.GetString("produce", "topic"));
  EXPECT_EQ(topic, "users");
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> topics, config.GetList("archive", "topics"));
  EXPECT_EQ(topics, std::vector<std::string>{topic});
}

TEST_F(SectionsTest, EveryOptionHasHelpAndAppearsInTheReference) {
  const std::string reference = DescribeOptions(AllSections());
  for (const SectionSpec& section : AllSections()) {
    EXPECT_FALSE(section.help.empty()) << section.name;
    for (const OptionSpec& option : section.options) {
      EXPECT_FALSE(option.help.empty()) << section.name << "." << option.key;
      EXPECT_TRUE(Contains(reference, section.name + "." + option.key + " ("));
    }
  }
  EXPECT_TRUE(Contains(reference, "LAKEPIPE_SCHEMA_REGISTRY_TIMEOUT"));
  EXPECT_TRUE(Contains(reference, "LAKEPIPE_KAFKA_BOOTSTRAP_SERVERS"));
  EXPECT_TRUE(Contains(reference, "Allowed: users, activity, randomuser, file:<path>."));
}

// One file serves every command: each loads every section, so a section
// another command reads is accepted, and a typo anywhere is an error naming
// file:line, whichever command reads the file.
TEST_F(SectionsTest, OneFileForEveryCommand) {
  const std::string good = WriteFile("all.yaml", R"(kafka:
  bootstrap.servers: localhost:9092
produce:
  topic: users
archive:
  topics: [users]
  lake: ./lake
s3:
  region: eu-west-1
)");
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load(good, AllSections()));
  ASSERT_OK_AND_ASSIGN(std::string lake, config.GetString("archive", "lake"));
  EXPECT_EQ(lake, "./lake");

  const std::string typo_key = WriteFile("typo_key.yaml", R"(produce:
  topic: users
archive:
  topics: [users]
  lkae: ./lake
)");
  Result<Config> bad_key = Config::Load(typo_key, AllSections());
  ASSERT_FALSE(bad_key.ok());
  EXPECT_EQ(bad_key.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(bad_key.status().message(),
                       typo_key + ":5: unknown key 'lkae' in section 'archive' (keys: topics,"));

  const std::string typo_section = WriteFile("typo_section.yaml", R"(produce:
  topic: users
archvie:
  lake: ./lake
)");
  Result<Config> bad_section = Config::Load(typo_section, AllSections());
  ASSERT_FALSE(bad_section.ok());
  EXPECT_TRUE(Contains(bad_section.status().message(),
                       typo_section + ":3: unknown section 'archvie' (sections: kafka, "));
  for (const SectionSpec& section : AllSections()) {
    EXPECT_TRUE(Contains(bad_section.status().message(), section.name));
  }
}

TEST_F(SectionsTest, RegistryPasswordIsSecret) {
  SetEnv("LAKEPIPE_SCHEMA_REGISTRY_PASSWORD", "p4ssw0rd-value");
  SetEnv("LAKEPIPE_KAFKA_SASL_PASSWORD", "kafka-p4ssw0rd-value");
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load("", AllSections()));
  EXPECT_TRUE(Lacks(config.Dump(), "p4ssw0rd"));
}

}  // namespace
}  // namespace lakepipe::config

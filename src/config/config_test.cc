#include "config/config.h"

#include <gtest/gtest.h>

#include "config/config_test_util.h"
#include "config/sections.h"
#include "core/testing.h"

namespace lakepipe::config {
namespace {

using std::chrono::milliseconds;
using Type = OptionSpec::Type;

// A section with one option of every type.
SectionSpec KitchenSink() {
  return SectionSpec{
      .name = "sink",
      .help = "every type",
      .options =
          {
              {.key = "label", .default_value = "plain", .help = "a string"},
              {.key = "workers",
               .type = Type::kInt,
               .default_value = "4",
               .help = "an int",
               .min = 1,
               .max = 64},
              {.key = "verbose", .type = Type::kBool, .default_value = "false", .help = "a bool"},
              {.key = "buffer",
               .type = Type::kSize,
               .default_value = "64MiB",
               .help = "a size",
               .min = 1024},
              {.key = "interval",
               .type = Type::kDuration,
               .default_value = "10s",
               .help = "a duration"},
              {.key = "codec",
               .type = Type::kEnum,
               .default_value = "zstd",
               .help = "an enum",
               .allowed = {"none", "snappy", "zstd"}},
              {.key = "columns", .type = Type::kStringList, .help = "a list"},
              {.key = "pin", .type = Type::kInt, .help = "a secret int", .secret = true},
              {.key = "max.open-files",
               .type = Type::kInt,
               .default_value = "10",
               .help = "a key with a dot and a dash"},
          },
  };
}

std::vector<SectionSpec> TestSections() {
  std::vector<SectionSpec> sections = AllSections();
  sections.push_back(KitchenSink());
  return sections;
}

class ConfigTest : public ConfigEnvironmentTest {};

TEST_F(ConfigTest, DefaultsWithoutFileOrEnvironment) {
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load("", TestSections()));
  ASSERT_OK_AND_ASSIGN(milliseconds timeout, config.GetDuration("schema_registry", "timeout"));
  EXPECT_EQ(timeout, milliseconds(10000));
  ASSERT_OK_AND_ASSIGN(std::string name, config.GetString("source", "name"));
  EXPECT_EQ(name, "users");
  ASSERT_OK_AND_ASSIGN(std::string url, config.GetString("source", "url"));
  EXPECT_EQ(url, "https://randomuser.me/api/");
  ASSERT_OK_AND_ASSIGN(int64_t batch, config.GetInt("source", "batch"));
  EXPECT_EQ(batch, 100);
  ASSERT_OK_AND_ASSIGN(milliseconds source_timeout, config.GetDuration("source", "timeout"));
  EXPECT_EQ(source_timeout, milliseconds(30000));
  ASSERT_OK_AND_ASSIGN(std::string format, config.GetString("produce", "message_format"));
  EXPECT_EQ(format, "json");
  ASSERT_OK_AND_ASSIGN(int64_t count, config.GetInt("produce", "count"));
  EXPECT_EQ(count, 0);
  ASSERT_OK_AND_ASSIGN(std::string topic, config.GetString("produce", "topic"));
  EXPECT_EQ(topic, "");
  ASSERT_OK_AND_ASSIGN(uint64_t buffer, config.GetSize("sink", "buffer"));
  EXPECT_EQ(buffer, 64u << 20);
  ASSERT_OK_AND_ASSIGN(bool verbose, config.GetBool("sink", "verbose"));
  EXPECT_FALSE(verbose);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> columns, config.GetList("sink", "columns"));
  EXPECT_TRUE(columns.empty());

  // Optional options without a value.
  EXPECT_EQ(config.GetInt("source", "seed").status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(config.HasValue("source", "seed"));
  EXPECT_EQ(config.GetDuration("produce", "duration").status().code(), StatusCode::kNotFound);

  EXPECT_FALSE(config.IsSet("source", "batch"));
  EXPECT_EQ(config.OriginOf("source", "batch"), Origin::kDefault);
  EXPECT_EQ(config.SourceOf("source", "batch"), "default");
  EXPECT_TRUE(config.Passthrough("kafka").empty());
}

TEST_F(ConfigTest, ReadsTheFile) {
  const std::string path = WriteFile("lakepipe.yaml", R"(# test configuration
kafka:
  bootstrap.servers: localhost:9092
  acks: all
schema_registry:
  url: http://registry:8081/prefix/
  timeout: 1m30s
source:
  name: file:/data/users.jsonl
  seed: 42
produce:
  topic: users
  message_format: AVRO
  duration: ~
sink:
  verbose: yes
  buffer: 1 GiB
  columns: [id, " name ", ""]
  max.open-files: 20
)");
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load(path, TestSections()));
  ASSERT_OK_AND_ASSIGN(std::string url, config.GetString("schema_registry", "url"));
  EXPECT_EQ(url, "http://registry:8081/prefix/");
  ASSERT_OK_AND_ASSIGN(milliseconds timeout, config.GetDuration("schema_registry", "timeout"));
  EXPECT_EQ(timeout, milliseconds(90000));
  ASSERT_OK_AND_ASSIGN(std::string name, config.GetString("source", "name"));
  EXPECT_EQ(name, "file:/data/users.jsonl");
  ASSERT_OK_AND_ASSIGN(int64_t seed, config.GetInt("source", "seed"));
  EXPECT_EQ(seed, 42);
  ASSERT_OK_AND_ASSIGN(std::string format, config.GetString("produce", "message_format"));
  EXPECT_EQ(format, "avro") << "enum values take their declared spelling";
  EXPECT_EQ(config.GetDuration("produce", "duration").status().code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(bool verbose, config.GetBool("sink", "verbose"));
  EXPECT_TRUE(verbose);
  ASSERT_OK_AND_ASSIGN(uint64_t buffer, config.GetSize("sink", "buffer"));
  EXPECT_EQ(buffer, 1ull << 30);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> columns, config.GetList("sink", "columns"));
  EXPECT_EQ(columns, (std::vector<std::string>{"id", "name"}));
  ASSERT_OK_AND_ASSIGN(int64_t open_files, config.GetInt("sink", "max.open-files"));
  EXPECT_EQ(open_files, 20);

  EXPECT_TRUE(config.IsSet("source", "seed"));
  EXPECT_EQ(config.OriginOf("source", "seed"), Origin::kFile);
  EXPECT_EQ(config.SourceOf("source", "seed"), path + ":10");
  EXPECT_FALSE(config.IsSet("source", "batch"));
  EXPECT_EQ(config.Passthrough("kafka"),
            (std::vector<std::pair<std::string, std::string>>{
                {"bootstrap.servers", "localhost:9092"}, {"acks", "all"}}));
}

TEST_F(ConfigTest, EmptyFileAndNestedPassthroughMaps) {
  const std::string empty = WriteFile("empty.yaml", "# nothing yet\n");
  EXPECT_OK(Config::Load(empty, TestSections()));
  const std::string nested = WriteFile("nested.yaml", "kafka:\n  sasl:\n    username: u\n");
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load(nested, TestSections()));
  EXPECT_EQ(config.Passthrough("kafka"),
            (std::vector<std::pair<std::string, std::string>>{{"sasl.username", "u"}}));
}

TEST_F(ConfigTest, MissingFileNamedExplicitlyIsAnError) {
  Result<Config> config = Config::Load(dir_ + "/absent.yaml", TestSections());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(config.status().message(), "absent.yaml"));
}

TEST_F(ConfigTest, EnvironmentOverridesFile) {
  const std::string path = WriteFile("lakepipe.yaml", "produce:\n  topic: from-file\n  rate: 5\n");
  SetEnv("LAKEPIPE_PRODUCE_TOPIC", "from-env");
  SetEnv("LAKEPIPE_SCHEMA_REGISTRY_URL", "http://env:8081");
  SetEnv("LAKEPIPE_SINK_MAX_OPEN_FILES", "7");
  SetEnv("LAKEPIPE_SINK_COLUMNS", "a, b,,c");
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load(path, TestSections()));
  ASSERT_OK_AND_ASSIGN(std::string topic, config.GetString("produce", "topic"));
  EXPECT_EQ(topic, "from-env");
  EXPECT_EQ(config.OriginOf("produce", "topic"), Origin::kEnvironment);
  EXPECT_EQ(config.SourceOf("produce", "topic"), "environment variable LAKEPIPE_PRODUCE_TOPIC");
  ASSERT_OK_AND_ASSIGN(int64_t rate, config.GetInt("produce", "rate"));
  EXPECT_EQ(rate, 5);
  EXPECT_EQ(config.OriginOf("produce", "rate"), Origin::kFile);
  ASSERT_OK_AND_ASSIGN(std::string url, config.GetString("schema_registry", "url"));
  EXPECT_EQ(url, "http://env:8081");
  ASSERT_OK_AND_ASSIGN(int64_t open_files, config.GetInt("sink", "max.open-files"));
  EXPECT_EQ(open_files, 7);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> columns, config.GetList("sink", "columns"));
  EXPECT_EQ(columns, (std::vector<std::string>{"a", "b", "c"}));
}

TEST_F(ConfigTest, FlagsOverrideEnvironment) {
  const std::string path = WriteFile("lakepipe.yaml", "produce:\n  topic: from-file\n");
  SetEnv("LAKEPIPE_PRODUCE_TOPIC", "from-env");
  SetEnv("LAKEPIPE_PRODUCE_COUNT", "10");
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load(path, TestSections()));
  ASSERT_OK(config.SetFlag("produce", "topic", "from-flag"));
  ASSERT_OK_AND_ASSIGN(std::string topic, config.GetString("produce", "topic"));
  EXPECT_EQ(topic, "from-flag");
  EXPECT_EQ(config.OriginOf("produce", "topic"), Origin::kFlag);
  ASSERT_OK_AND_ASSIGN(int64_t count, config.GetInt("produce", "count"));
  EXPECT_EQ(count, 10);

  // Flags are validated like every other origin.
  Status bad = config.SetFlag("produce", "count", "many");
  EXPECT_EQ(bad.code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(bad.message(), "produce.count"));
  EXPECT_TRUE(Contains(bad.message(), "'many'"));
  Status unknown = config.SetFlag("produce", "topik", "x");
  EXPECT_TRUE(Contains(unknown.message(), "unknown key 'topik'"));
  EXPECT_TRUE(Contains(unknown.message(), "topic, message_format"));
  EXPECT_TRUE(Contains(config.SetFlag("produse", "topic", "x").message(), "unknown section"));
  ASSERT_OK_AND_ASSIGN(int64_t still, config.GetInt("produce", "count"));
  EXPECT_EQ(still, 10) << "a rejected flag changes nothing";
}

TEST_F(ConfigTest, DotEnvIsReadAndTheEnvironmentWins) {
  WriteFile(".env", R"(# local settings
export LAKEPIPE_PRODUCE_TOPIC="from-dotenv"
LAKEPIPE_SOURCE_BATCH = 7   # trailing comment
LAKEPIPE_SCHEMA_REGISTRY_USERNAME='alice'
OTHER_TOOL_SETTING=ignored
LAKEPIPE_SOURCE_SEED=1
)");
  SetEnv("LAKEPIPE_SOURCE_SEED", "99");
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load("", TestSections()));
  ASSERT_OK_AND_ASSIGN(std::string topic, config.GetString("produce", "topic"));
  EXPECT_EQ(topic, "from-dotenv");
  EXPECT_EQ(config.OriginOf("produce", "topic"), Origin::kEnvironment);
  EXPECT_EQ(config.SourceOf("produce", "topic"), ".env:2 (LAKEPIPE_PRODUCE_TOPIC)");
  ASSERT_OK_AND_ASSIGN(int64_t batch, config.GetInt("source", "batch"));
  EXPECT_EQ(batch, 7);
  ASSERT_OK_AND_ASSIGN(std::string user, config.GetString("schema_registry", "username"));
  EXPECT_EQ(user, "alice");
  ASSERT_OK_AND_ASSIGN(int64_t seed, config.GetInt("source", "seed"));
  EXPECT_EQ(seed, 99) << "an existing environment variable wins over .env";
  EXPECT_EQ(std::getenv("LAKEPIPE_PRODUCE_TOPIC"), nullptr)
      << ".env does not change the process environment";
}

TEST_F(ConfigTest, DotEnvErrorsNameTheLine) {
  WriteFile(".env", "LAKEPIPE_PRODUCE_TOPIC=x\nLAKEPIPE_PRODUCE_TOPIK=y\n");
  Result<Config> config = Config::Load("", TestSections());
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(Contains(config.status().message(), ".env:2 (LAKEPIPE_PRODUCE_TOPIK)"));

  WriteFile(".env", "LAKEPIPE_PRODUCE_TOPIC=\"unterminated\n");
  Result<Config> broken = Config::Load("", TestSections());
  ASSERT_FALSE(broken.ok());
  EXPECT_TRUE(Contains(broken.status().message(), ".env:1"));
}

TEST_F(ConfigTest, UnknownSectionNamesFileLineAndSections) {
  const std::string path =
      WriteFile("lakepipe.yaml", "produce:\n  topic: t\nwarehouse:\n  path: /tmp\n");
  Result<Config> config = Config::Load(path, TestSections());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(config.status().message(), path + ":3: unknown section 'warehouse'"));
  EXPECT_TRUE(Contains(config.status().message(),
                       "kafka, schema_registry, source, produce, archive, run, s3, catalog, sink"));
}

TEST_F(ConfigTest, UnknownKeyNamesFileLineKeyAndAllowedKeys) {
  const std::string path = WriteFile("lakepipe.yaml", "produce:\n  topic: t\n  tpoic: u\n");
  Result<Config> config = Config::Load(path, TestSections());
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument);
  const std::string& message = config.status().message();
  EXPECT_TRUE(Contains(message, path + ":3:"));
  EXPECT_TRUE(Contains(message, "unknown key 'tpoic' in section 'produce'"));
  EXPECT_TRUE(Contains(message, "keys: topic, message_format, key, count, duration, rate, schema"));
}

TEST_F(ConfigTest, BadEnumValueListsAllowedValues) {
  const std::string path = WriteFile("lakepipe.yaml", "produce:\n  message_format: xml\n");
  Result<Config> config = Config::Load(path, TestSections());
  ASSERT_FALSE(config.ok());
  EXPECT_TRUE(Contains(config.status().message(),
                       path + ":2: produce.message_format: 'xml' is not allowed (allowed: json, "
                              "avro)"));

  SetEnv("LAKEPIPE_SOURCE_NAME", "file:");
  Result<Config> from_env = Config::Load("", TestSections());
  ASSERT_FALSE(from_env.ok());
  EXPECT_TRUE(Contains(from_env.status().message(),
                       "environment variable LAKEPIPE_SOURCE_NAME: source.name: 'file:' is not "
                       "allowed (allowed: users, activity, randomuser, file:<path>)"));
}

// Renamed keys: the old names still work, from every origin, with a
// deprecation warning naming where they were used and the new name.
TEST_F(ConfigTest, OldNamesOfRenamedKeysStillWorkWithAWarning) {
  const std::string path = WriteFile("lakepipe.yaml", R"(produce:
  format: avro
archive:
  format: csv
  input_format: avro
)");
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load(path, TestSections()));
  ASSERT_OK_AND_ASSIGN(std::string produce_format, config.GetString("produce", "message_format"));
  EXPECT_EQ(produce_format, "avro");
  ASSERT_OK_AND_ASSIGN(std::string file_format, config.GetString("archive", "file_format"));
  EXPECT_EQ(file_format, "csv");
  ASSERT_OK_AND_ASSIGN(std::string input_format, config.GetString("archive", "message_format"));
  EXPECT_EQ(input_format, "avro");
  ASSERT_EQ(config.warnings().size(), 3u);
  EXPECT_EQ(config.warnings()[0],
            path + ":2: produce.format is deprecated: use produce.message_format");
  EXPECT_EQ(config.warnings()[1],
            path + ":4: archive.format is deprecated: use archive.file_format");
  EXPECT_EQ(config.warnings()[2],
            path + ":5: archive.input_format is deprecated: use archive.message_format");
  const std::string dump = config.Dump();
  EXPECT_TRUE(Contains(dump, "  message_format: avro  # " + path + ":2"));
  EXPECT_TRUE(Lacks(dump, "  format:"));
  EXPECT_TRUE(Lacks(dump, "input_format"));

  // A flag under the old name, as the deprecated command-line spelling sets it.
  EXPECT_OK(config.SetFlag("produce", "format", "json"));
  ASSERT_OK_AND_ASSIGN(produce_format, config.GetString("produce", "message_format"));
  EXPECT_EQ(produce_format, "json");
  EXPECT_EQ(config.warnings().back(),
            "flag: produce.format is deprecated: use produce.message_format");

  SetEnv("LAKEPIPE_ARCHIVE_INPUT_FORMAT", "avro");
  ASSERT_OK_AND_ASSIGN(Config from_env, Config::Load("", TestSections()));
  ASSERT_OK_AND_ASSIGN(input_format, from_env.GetString("archive", "message_format"));
  EXPECT_EQ(input_format, "avro");
  ASSERT_EQ(from_env.warnings().size(), 1u);
  EXPECT_EQ(from_env.warnings()[0],
            "environment variable LAKEPIPE_ARCHIVE_INPUT_FORMAT: archive.input_format is "
            "deprecated: use archive.message_format");

  // Both names at one level: which one was meant is not clear.
  const std::string both =
      WriteFile("both.yaml", "produce:\n  format: avro\n  message_format: json\n");
  unsetenv("LAKEPIPE_ARCHIVE_INPUT_FORMAT");
  Result<Config> twice = Config::Load(both, TestSections());
  ASSERT_FALSE(twice.ok());
  EXPECT_TRUE(Contains(twice.status().message(),
                       both + ":3: produce.message_format and produce.format (" + both +
                           ":2) are the same option: give message_format only"));
}

TEST_F(ConfigTest, SourceNameAcceptsTheFilePrefix) {
  for (const char* value : {"users", "activity", "randomuser", "Activity", "file:x.jsonl"}) {
    SetEnv("LAKEPIPE_SOURCE_NAME", value);
    EXPECT_OK(Config::Load("", TestSections()));
  }
  for (const char* value : {"file", "file:", "files:x", "user", ""}) {
    SetEnv("LAKEPIPE_SOURCE_NAME", value);
    EXPECT_FALSE(Config::Load("", TestSections()).ok()) << value;
  }
}

TEST_F(ConfigTest, BadValuesNameTheKeyAndTheText) {
  struct Case {
    std::string yaml;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"schema_registry:\n  timeout: 10 seconds\n",
       "schema_registry.timeout: '10 seconds' is not a duration (examples: 500ms"},
      {"schema_registry:\n  timeout: 10sec\n",
       "schema_registry.timeout: unknown unit 'sec' in duration '10sec'"},
      {"schema_registry:\n  timeout: soon\n", "'soon' is not a duration"},
      {"schema_registry:\n  timeout: 0\n", "below the minimum of 1 ms"},
      {"sink:\n  buffer: 64 parsecs\n", "sink.buffer: unknown size unit in '64 parsecs'"},
      {"sink:\n  buffer: 100\n", "sink.buffer: '100' is below the minimum of 1024 bytes"},
      {"source:\n  batch: ten\n", "source.batch: 'ten' is not a whole number"},
      {"source:\n  batch: 0\n", "source.batch: '0' is below the minimum of 1"},
      {"source:\n  batch: 99999999999999999999\n", "is not a whole number"},
      {"sink:\n  workers: 65\n", "sink.workers: '65' is above the maximum of 64"},
      {"sink:\n  verbose: maybe\n", "sink.verbose: 'maybe' is not a boolean"},
      {"source:\n  batch:\n", "source.batch: a value is required (int)"},
      {"source:\n  batch: [1, 2]\n", "source.batch: expected a single value, not a list"},
      {"kafka:\n  acks: [1]\n", "kafka.acks: expected a single value, not a list"},
      {"source: users\n", "section 'source' must be a map of keys"},
      {"- kafka\n", "expected a map of sections"},
      {"source:\n  batch: 1\n  batch: 2\n", ":3: duplicate key 'batch' (first at line 2)"},
      {"source:\n  batch: [1,\n", "lakepipe.yaml:3:1:"},
  };
  for (const Case& c : cases) {
    const std::string path = WriteFile("lakepipe.yaml", c.yaml);
    Result<Config> config = Config::Load(path, TestSections());
    ASSERT_FALSE(config.ok()) << c.yaml;
    EXPECT_EQ(config.status().code(), StatusCode::kInvalidArgument) << c.yaml;
    EXPECT_TRUE(Contains(config.status().message(), c.expected)) << c.yaml;
    EXPECT_TRUE(Contains(config.status().message(), path)) << c.yaml;
  }
}

TEST_F(ConfigTest, PassthroughKeepsPrecedenceOrderAndMapsEnvironmentToDots) {
  const std::string path = WriteFile("lakepipe.yaml", R"(kafka:
  security.protocol: sasl_ssl
  bootstrap.servers: file:9092
  linger.ms: "5"
  queue_buffering_weird_key: x
)");
  SetEnv("LAKEPIPE_KAFKA_BOOTSTRAP_SERVERS", "env:9092");
  SetEnv("LAKEPIPE_KAFKA_COMPRESSION_TYPE", "lz4");
  SetEnv("LAKEPIPE_KAFKA_QUEUE_BUFFERING_WEIRD_KEY", "y");
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load(path, TestSections()));
  ASSERT_OK(config.SetFlag("kafka", "acks", "all"));
  ASSERT_OK(config.SetFlag("kafka", "security.protocol", "ssl"));
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  EXPECT_EQ(config.Passthrough("kafka"), (Pairs{
                                             {"linger.ms", "5"},
                                             {"bootstrap.servers", "env:9092"},
                                             {"compression.type", "lz4"},
                                             {"queue_buffering_weird_key", "y"},
                                             {"acks", "all"},
                                             {"security.protocol", "ssl"},
                                         }));
  ASSERT_OK_AND_ASSIGN(std::string servers, config.GetString("kafka", "bootstrap.servers"));
  EXPECT_EQ(servers, "env:9092");
  ASSERT_OK_AND_ASSIGN(std::string compression, config.GetString("kafka", "compression.type"));
  EXPECT_EQ(compression, "lz4");
  EXPECT_EQ(config.GetString("kafka", "batch.size").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(config.OriginOf("kafka", "compression.type"), Origin::kEnvironment);
}

TEST_F(ConfigTest, MisspelledEnvironmentVariablesAreErrors) {
  SetEnv("LAKEPIPE_PRODUCE_TPOIC", "users");
  Result<Config> key_typo = Config::Load("", TestSections());
  ASSERT_FALSE(key_typo.ok());
  EXPECT_EQ(key_typo.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(key_typo.status().message(),
                       "environment variable LAKEPIPE_PRODUCE_TPOIC: section 'produce' has no "
                       "key 'TPOIC' (keys: topic, message_format"));
  unsetenv("LAKEPIPE_PRODUCE_TPOIC");

  SetEnv("LAKEPIPE_SCHEMA_REGISTY_URL", "http://x");
  Result<Config> section_typo = Config::Load("", TestSections());
  ASSERT_FALSE(section_typo.ok());
  EXPECT_TRUE(Contains(section_typo.status().message(),
                       "LAKEPIPE_SCHEMA_REGISTY_URL: no configuration section matches"));
  unsetenv("LAKEPIPE_SCHEMA_REGISTY_URL");

  SetEnv("LAKEPIPE_PRODUCE", "x");
  EXPECT_FALSE(Config::Load("", TestSections()).ok());
  unsetenv("LAKEPIPE_PRODUCE");

  // Variables of lakepipe's own scripts and tests are not configuration.
  SetEnv("LAKEPIPE_SOURCE_DIR", "/src");
  SetEnv("LAKEPIPE_BINARY", "/bin/lakepipe");
  EXPECT_OK(Config::Load("", TestSections()));
}

TEST_F(ConfigTest, SecretsNeverAppearInDumpsOrErrors) {
  const std::string path = WriteFile("lakepipe.yaml", R"(kafka:
  sasl.password: kafka-hunter2
  sasl.jaas.config: jaas-hunter2
  sasl.oauthbearer.client.secret: oauth-hunter2
  ssl.key.password: key-hunter2
  sasl.username: visible-user
schema_registry:
  username: registry-user
)");
  SetEnv("LAKEPIPE_SCHEMA_REGISTRY_PASSWORD", "registry-hunter2");
  SetEnv("LAKEPIPE_KAFKA_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL", "https://idp/token-hunter2");
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load(path, TestSections()));
  const std::string dump = config.Dump();
  EXPECT_TRUE(Lacks(dump, "hunter2")) << dump;
  EXPECT_TRUE(Contains(dump, "password: \"***\""));
  EXPECT_TRUE(Contains(dump, "visible-user"));
  EXPECT_TRUE(Contains(dump, "registry-user"));
  ASSERT_OK_AND_ASSIGN(std::string password, config.GetString("schema_registry", "password"));
  EXPECT_EQ(password, "registry-hunter2") << "getters return the real value";

  SetEnv("LAKEPIPE_SINK_PIN", "hunter2");
  Result<Config> bad = Config::Load(path, TestSections());
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(Contains(bad.status().message(), "sink.pin: the value is not a whole number"));
  EXPECT_TRUE(Lacks(bad.status().message(), "hunter2"));
}

TEST_F(ConfigTest, DumpMasksUrlCredentialsAndSecretLookingKeys) {
  const std::string path = WriteFile("lakepipe.yaml", R"(kafka:
  sasl.pasword: typo-hunter2
  client.id: visible-client
schema_registry:
  url: http://reguser:url-hunter2@registry:8081/prefix
sink:
  columns: [https://list-hunter2@host/x, plain]
)");
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load(path, TestSections()));
  const std::string dump = config.Dump();
  EXPECT_TRUE(Lacks(dump, "hunter2")) << dump;
  EXPECT_TRUE(Contains(dump, "http://reguser:***@registry:8081/prefix"));
  EXPECT_TRUE(Contains(dump, "https://***@host/x"));
  EXPECT_TRUE(Contains(dump, "sasl.pasword: \"***\""));
  EXPECT_TRUE(Contains(dump, "visible-client"));
  ASSERT_OK_AND_ASSIGN(std::string url, config.GetString("schema_registry", "url"));
  EXPECT_EQ(url, "http://reguser:url-hunter2@registry:8081/prefix") << "getters keep the URL";
}

TEST_F(ConfigTest, DumpIsYamlThatLoadsBack) {
  const std::string path = WriteFile("lakepipe.yaml", R"(kafka:
  bootstrap.servers: "a:9092,b:9092"
  client.id: "with \"quotes\" and # hash"
produce:
  topic: users
  duration: 1h30m
sink:
  columns: [a, "b c"]
  label: ""
)");
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load(path, TestSections()));
  const std::string dump = config.Dump();
  EXPECT_TRUE(Contains(dump, "topic: users  # " + path + ":5"));
  EXPECT_TRUE(Contains(dump, "batch: 100  # default"));
  const std::string copy = WriteFile("dump.yaml", dump);
  ASSERT_OK_AND_ASSIGN(Config reloaded, Config::Load(copy, TestSections()));
  EXPECT_EQ(reloaded.Passthrough("kafka"), config.Passthrough("kafka"));
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> columns, reloaded.GetList("sink", "columns"));
  EXPECT_EQ(columns, (std::vector<std::string>{"a", "b c"}));
  ASSERT_OK_AND_ASSIGN(milliseconds duration, reloaded.GetDuration("produce", "duration"));
  EXPECT_EQ(duration, milliseconds(5400000));
  ASSERT_OK_AND_ASSIGN(std::string label, reloaded.GetString("sink", "label"));
  EXPECT_EQ(label, "");
}

TEST_F(ConfigTest, GettersCheckDeclarations) {
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load("", TestSections()));
  EXPECT_EQ(config.GetInt("source", "name").status().code(), StatusCode::kInternal);
  EXPECT_EQ(config.GetInt("source", "nope").status().code(), StatusCode::kInternal);
  EXPECT_EQ(config.GetString("nope", "name").status().code(), StatusCode::kInternal);
  EXPECT_EQ(config.GetBool("kafka", "acks").status().code(), StatusCode::kInternal);
  ASSERT_OK_AND_ASSIGN(std::string batch_text, config.GetString("source", "batch"));
  EXPECT_EQ(batch_text, "100");
}

TEST_F(ConfigTest, MalformedDeclarationsAreInternalErrors) {
  auto load = [](OptionSpec option) {
    return Config::Load("", {SectionSpec{.name = "s", .help = "h", .options = {option}}});
  };
  EXPECT_EQ(load({.key = "n", .type = Type::kInt, .default_value = "x"}).status().code(),
            StatusCode::kInternal);
  EXPECT_EQ(load({.key = "e", .type = Type::kEnum, .default_value = "a"}).status().code(),
            StatusCode::kInternal);
  EXPECT_EQ(load({.key = "bad key"}).status().code(), StatusCode::kInternal);
  EXPECT_EQ(
      Config::Load("", {SectionSpec{.name = "s", .options = {{.key = "a.b"}, {.key = "a_b"}}}})
          .status()
          .code(),
      StatusCode::kInternal);
  EXPECT_EQ(Config::Load("", {SectionSpec{.name = "s"}, SectionSpec{.name = "s"}}).status().code(),
            StatusCode::kInternal);
  EXPECT_EQ(Config::Load("", {SectionSpec{.name = "Bad"}}).status().code(), StatusCode::kInternal);
}

TEST_F(ConfigTest, LongestSectionNameWinsInTheEnvironment) {
  std::vector<SectionSpec> sections = {
      SectionSpec{.name = "schema", .options = {{.key = "registry_url"}}},
      SectionSpec{.name = "schema_registry", .options = {{.key = "url"}}},
  };
  SetEnv("LAKEPIPE_SCHEMA_REGISTRY_URL", "long");
  ASSERT_OK_AND_ASSIGN(Config config, Config::Load("", sections));
  ASSERT_OK_AND_ASSIGN(std::string url, config.GetString("schema_registry", "url"));
  EXPECT_EQ(url, "long");
  EXPECT_FALSE(config.IsSet("schema", "registry_url"));
}

TEST(ParseDurationTest, ParsesUnitsAndCombinations) {
  struct Case {
    const char* text;
    int64_t ms;
  };
  for (const Case& c : {Case{"10s", 10000}, Case{"500ms", 500}, Case{"2m", 120000},
                        Case{"1h", 3600000}, Case{"1h30m", 5400000}, Case{"1d", 86400000},
                        Case{"0", 0}, Case{"0s", 0}, Case{"1m30s250ms", 90250}}) {
    ASSERT_OK_AND_ASSIGN(milliseconds d, ParseDuration(c.text));
    EXPECT_EQ(d.count(), c.ms) << c.text;
  }
  for (const char* bad : {"", "10", "s", "1.5s", "-1s", "10 s", "1w", "h1", "99999999999999999d"}) {
    Result<milliseconds> d = ParseDuration(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_TRUE(Contains(d.status().message(), std::string("'") + bad + "'")) << bad;
  }
}

TEST(ParseBoolTest, AcceptsTheUsualSpellings) {
  for (const char* yes : {"true", "TRUE", "yes", "1"}) EXPECT_TRUE(ParseBool(yes).ValueOr(false));
  for (const char* no : {"false", "No", "0"}) EXPECT_FALSE(ParseBool(no).ValueOr(true));
  EXPECT_FALSE(ParseBool("on").ok());
}

}  // namespace
}  // namespace lakepipe::config

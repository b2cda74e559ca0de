#include "archive/decoder.h"

#include "http/local_http_server.h"

#include <map>
#include <mutex>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/column_json.h"
#include "core/testing.h"
#include "formats/avro/avro_datum.h"
#include "formats/avro/avro_nested.h"
#include "formats/text/text_formats.h"

namespace lakepipe::archive {
namespace {

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << part << "' not found in: " << text;
}

SchemaPtr MustSchema(const std::string& json) {
  Result<Schema> schema = Schema::FromAvroJson(json);
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  return std::make_shared<const Schema>(schema.ok() ? *schema : Schema());
}

std::vector<std::string> Rows(const RecordBatch& batch) {
  std::vector<std::string> rows;
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    std::string row;
    AppendJsonRow(batch, r, &row);
    rows.push_back(std::move(row));
  }
  return rows;
}

// The Avro datum of the record `json` written with `schema`.
std::string Datum(const SchemaPtr& schema, const std::string& json) {
  RecordBatch batch(schema);
  JsonRecordParser parser(schema);
  std::string reason;
  EXPECT_TRUE(parser.Parse(json, &batch, &reason)) << reason;
  std::string out;
  if (batch.num_rows() == 1) avro::AppendDatum(batch, 0, &out);
  return out;
}

std::string Framed(int32_t id, const std::string& datum) {
  std::string out;
  registry::AppendConfluentHeader(id, &out);
  return out + datum;
}

const char* kTable = R"({"type": "record", "name": "event", "fields": [
  {"name": "id", "type": "long"},
  {"name": "name", "type": "string"},
  {"name": "email", "type": ["null", "string"], "default": null},
  {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE"]}},
  {"name": "at", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}], "default": null}
]})";

// An older writer: no email and no at, id an int (promoted to long).
const char* kWriterV1 = R"({"type": "record", "name": "event", "fields": [
  {"name": "id", "type": "int"},
  {"name": "name", "type": "string"},
  {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN"]}}
]})";

// A newer writer: an extra field the table drops, and a symbol the table lacks.
const char* kWriterV3 = R"({"type": "record", "name": "event", "fields": [
  {"name": "id", "type": "long"},
  {"name": "name", "type": "string"},
  {"name": "age", "type": "int"},
  {"name": "email", "type": ["null", "string"]},
  {"name": "color", "type": {"type": "enum", "name": "Color", "symbols": ["RED", "GREEN", "BLUE", "PURPLE"]}},
  {"name": "at", "type": ["null", {"type": "long", "logicalType": "timestamp-millis"}]}
]})";

// Cannot be read as the table: no "name" and no default for it.
const char* kWriterIncompatible = R"({"type": "record", "name": "event", "fields": [
  {"name": "id", "type": "long"}
]})";

TEST(RecordDecoderTest, MakeChecksOptions) {
  DecoderOptions json;
  Result<std::unique_ptr<RecordDecoder>> d = RecordDecoder::Make(json);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(d.status().message(), "--schema"));

  DecoderOptions avro;
  avro.input_format = "avro";
  d = RecordDecoder::Make(avro);
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(Contains(d.status().message(), "--schema"));

  avro.registry = registry::RegistryOptions{};
  d = RecordDecoder::Make(avro);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(d.status().message(), "subject"));

  DecoderOptions csv;
  csv.input_format = "csv";
  csv.schema = MustSchema(kTable);
  d = RecordDecoder::Make(csv);
  ASSERT_FALSE(d.ok());
  EXPECT_TRUE(Contains(d.status().message(), "unknown input format 'csv': use json or avro"));
}

TEST(RecordDecoderTest, JsonRowsAndEveryReason) {
  DecoderOptions options;
  options.schema = MustSchema(kTable);
  options.max_record_bytes = 200;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordDecoder> decoder, RecordDecoder::Make(options));
  EXPECT_EQ(decoder->schema(), options.schema);
  RecordBatch batch(decoder->schema());
  std::string reason;
  ASSERT_OK_AND_ASSIGN(
      bool ok, decoder->Decode(R"({"id": 1, "name": "a", "color": "RED", "at": 1700000000000})",
                               &batch, &reason));
  EXPECT_TRUE(ok) << reason;
  ASSERT_OK_AND_ASSIGN(
      ok, decoder->Decode(R"({"id": "2", "name": "b", "color": "BLUE", "email": "b@x"})", &batch,
                          &reason));
  EXPECT_TRUE(ok) << reason;
  EXPECT_EQ(Rows(batch),
            (std::vector<std::string>{
                R"({"id":1,"name":"a","email":null,"color":"RED","at":"2023-11-14T22:13:20Z"})",
                R"({"id":2,"name":"b","email":"b@x","color":"BLUE","at":null})"}));

  const std::string big = R"({"id": 1, "name": ")" + std::string(300, 'x') + "\"}";
  const std::pair<std::string, std::string> bad[] = {
      {"", "empty input: expected a JSON object"},
      {"not json", "expected a JSON object, got"},
      {"[1]", "expected a JSON object, got [1]"},
      {"{\"id\": 1,", "invalid JSON"},
      {R"({"name": "a", "color": "RED"})", "field 'id': missing, and the field is not nullable"},
      {R"({"id": "abc", "name": "a", "color": "RED"})", R"(field 'id': expected long, got "abc")"},
      {R"({"id": 1, "name": "a", "color": "PINK"})",
       R"(field 'color': expected one of the symbols RED, GREEN, BLUE, got "PINK")"},
      {big, "oversize: the value is " + std::to_string(big.size()) +
                " bytes, larger than the limit of 200 bytes"},
  };
  for (const auto& [value, want] : bad) {
    SCOPED_TRACE(value);
    reason.clear();
    ASSERT_OK_AND_ASSIGN(ok, decoder->Decode(value, &batch, &reason));
    EXPECT_FALSE(ok);
    EXPECT_TRUE(Contains(reason, want));
    EXPECT_EQ(batch.num_rows(), 2u);
    for (size_t c = 0; c < batch.num_columns(); ++c) EXPECT_EQ(batch.column(c).size(), 2u);
  }
}

TEST(RecordDecoderTest, PlainAvroWrittenWithTheTableSchema) {
  DecoderOptions options;
  options.input_format = "avro";
  options.schema = MustSchema(kTable);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordDecoder> decoder, RecordDecoder::Make(options));
  RecordBatch batch(decoder->schema());
  std::string reason;
  const std::string datum =
      Datum(options.schema, R"({"id": 7, "name": "n", "color": "GREEN", "email": "e"})");
  ASSERT_OK_AND_ASSIGN(bool ok, decoder->Decode(datum, &batch, &reason));
  EXPECT_TRUE(ok) << reason;
  EXPECT_EQ(
      Rows(batch),
      (std::vector<std::string>{R"({"id":7,"name":"n","email":"e","color":"GREEN","at":null})"}));

  // Truncated, trailing bytes, a symbol index out of range: bad records.
  for (const std::string& value :
       {datum.substr(0, 3), datum + "x", std::string("\x0e\x02n\x00\x0a\x00", 6)}) {
    reason.clear();
    ASSERT_OK_AND_ASSIGN(ok, decoder->Decode(value, &batch, &reason));
    EXPECT_FALSE(ok);
    EXPECT_FALSE(reason.empty());
  }
  EXPECT_EQ(batch.num_rows(), 1u);
}

// Avro carries any long in a timestamp; those no reader of the lake can
// read (outside years 0001 to 9999) are bad records.
TEST(RecordDecoderTest, AvroTimestampsOutsideWhatReadersAcceptAreBadRecords) {
  DecoderOptions options;
  options.input_format = "avro";
  options.schema = MustSchema(kTable);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordDecoder> decoder, RecordDecoder::Make(options));
  // The same binary encoding, written from a schema whose "at" is a plain long.
  std::string plain_json = kTable;
  const std::string logical = R"({"type": "long", "logicalType": "timestamp-millis"})";
  plain_json.replace(plain_json.find(logical), logical.size(), R"("long")");
  const SchemaPtr plain = MustSchema(plain_json);
  RecordBatch batch(decoder->schema());
  std::string reason;
  for (const char* at : {"-62135596800000", "253402300799999"}) {
    const std::string datum =
        Datum(plain, fmt::format(R"({{"id": 1, "name": "n", "color": "RED", "at": {}}})", at));
    ASSERT_OK_AND_ASSIGN(bool ok, decoder->Decode(datum, &batch, &reason));
    EXPECT_TRUE(ok) << at << ": " << reason;
  }
  for (const char* at :
       {"9223372036854775807", "-9223372036854775808", "253402300800000", "-62135596800001"}) {
    SCOPED_TRACE(at);
    const std::string datum =
        Datum(plain, fmt::format(R"({{"id": 1, "name": "n", "color": "RED", "at": {}}})", at));
    reason.clear();
    ASSERT_OK_AND_ASSIGN(bool ok, decoder->Decode(datum, &batch, &reason));
    EXPECT_FALSE(ok);
    EXPECT_EQ(reason, fmt::format("field 'at': {} is outside the timestamps the lake's readers "
                                  "accept (0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z)",
                                  at));
    EXPECT_EQ(batch.num_rows(), 2u);
    for (size_t c = 0; c < batch.num_columns(); ++c) EXPECT_EQ(batch.column(c).size(), 2u);
  }
}

// A stand-in for a Confluent schema registry, on loopback: it implements
//   GET  /schemas/ids/{id}                 -> {"schema": "..."} or 404
//   GET  /subjects/{subject}/versions/latest -> {"subject", "version", "id", "schema"} or 404
//   POST /subjects/{subject}/versions      {"schema": "..."} -> {"id": N}
// and counts the requests for ids.
class StandInRegistry {
 public:
  StandInRegistry() {
    http_.server().Get(
        R"(/schemas/ids/(-?\d+))", [this](const httplib::Request& req, httplib::Response& res) {
          std::lock_guard<std::mutex> lock(mu_);
          ++id_requests_;
          const int id = std::stoi(req.matches[1]);
          auto it = schemas_.find(id);
          if (it == schemas_.end()) {
            res.status = 404;
            res.set_content(R"({"error_code": 40403, "message": "Schema not found"})",
                            "application/json");
            return;
          }
          res.set_content(nlohmann::json{{"schema", it->second}}.dump(), "application/json");
        });
    http_.server().Get(R"(/subjects/([^/]+)/versions/latest)", [this](const httplib::Request& req,
                                                                      httplib::Response& res) {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = subjects_.find(req.matches[1]);
      if (it == subjects_.end()) {
        res.status = 404;
        res.set_content(R"({"error_code": 40401, "message": "Subject not found"})",
                        "application/json");
        return;
      }
      const int id = it->second.back();
      res.set_content(nlohmann::json{{"subject", it->first},
                                     {"version", it->second.size()},
                                     {"id", id},
                                     {"schema", schemas_[id]}}
                          .dump(),
                      "application/json");
    });
    http_.server().Post(R"(/subjects/([^/]+)/versions)", [this](const httplib::Request& req,
                                                                httplib::Response& res) {
      const nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
      const int id = Register(req.matches[1], body["schema"].get<std::string>());
      res.set_content(nlohmann::json{{"id", id}}.dump(), "application/json");
    });
    http_.Start();
  }

  int Register(const std::string& subject, const std::string& schema) {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [id, text] : schemas_) {
      if (text == schema) {
        subjects_[subject].push_back(id);
        return id;
      }
    }
    const int id = next_id_++;
    schemas_[id] = schema;
    subjects_[subject].push_back(id);
    return id;
  }

  int id_requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return id_requests_;
  }
  void Stop() { http_.Stop(); }

  registry::RegistryOptions Options() const {
    registry::RegistryOptions options;
    options.url = http_.Url();
    options.timeout = std::chrono::milliseconds(2000);
    options.retry.max_attempts = 2;
    options.retry.initial_backoff = std::chrono::milliseconds(1);
    options.retry.max_backoff = std::chrono::milliseconds(5);
    options.retry.deadline = std::chrono::milliseconds(3000);
    return options;
  }

 private:
  testing::LocalHttpServer http_;
  std::mutex mu_;
  std::map<int, std::string> schemas_;
  std::map<std::string, std::vector<int>> subjects_;
  int next_id_ = 21;
  int id_requests_ = 0;
};

TEST(RecordDecoderTest, RegistryAvroResolvesEveryWriterIntoTheTableSchema) {
  StandInRegistry registry;
  const int v1 = registry.Register("events-value", kWriterV1);
  const int v3 = registry.Register("events-value", kWriterV3);
  const int incompatible = registry.Register("other-value", kWriterIncompatible);
  DecoderOptions options;
  options.input_format = "avro";
  options.schema = MustSchema(kTable);
  options.registry = registry.Options();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordDecoder> decoder, RecordDecoder::Make(options));
  RecordBatch batch(decoder->schema());
  std::string reason;

  const std::string old_record =
      Framed(v1, Datum(MustSchema(kWriterV1), R"({"id": 1, "name": "old", "color": "GREEN"})"));
  const std::string new_record = Framed(
      v3,
      Datum(MustSchema(kWriterV3),
            R"({"id": 2, "name": "new", "age": 30, "email": "n@x", "color": "BLUE", "at": 5})"));
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK_AND_ASSIGN(bool ok, decoder->Decode(old_record, &batch, &reason));
    EXPECT_TRUE(ok) << reason;
    ASSERT_OK_AND_ASSIGN(ok, decoder->Decode(new_record, &batch, &reason));
    EXPECT_TRUE(ok) << reason;
  }
  ASSERT_EQ(batch.num_rows(), 6u);
  EXPECT_EQ(Rows(batch)[0], R"({"id":1,"name":"old","email":null,"color":"GREEN","at":null})");
  EXPECT_EQ(
      Rows(batch)[1],
      R"({"id":2,"name":"new","email":"n@x","color":"BLUE","at":"1970-01-01T00:00:00.005Z"})");
  // Each writer schema was fetched once.
  EXPECT_EQ(registry.id_requests(), 2);

  const std::string purple = Framed(
      v3,
      Datum(MustSchema(kWriterV3),
            R"({"id": 3, "name": "p", "age": 1, "email": null, "color": "PURPLE", "at": null})"));
  const std::pair<std::string, std::string> bad[] = {
      {R"({"id": 1})", "does not start with the Confluent magic byte 0x00 (found 0x7b)"},
      {std::string("\0\0", 2), "too short for the Confluent wire format"},
      {Framed(999, "x"), "unknown schema id 999"},
      {Framed(incompatible, Datum(MustSchema(kWriterIncompatible), R"({"id": 1})")),
       "cannot be read as the table schema"},
      {purple, "PURPLE"},
      {old_record.substr(0, old_record.size() - 2), "schema id " + std::to_string(v1)},
  };
  for (const auto& [value, want] : bad) {
    SCOPED_TRACE(want);
    reason.clear();
    ASSERT_OK_AND_ASSIGN(bool ok, decoder->Decode(value, &batch, &reason));
    EXPECT_FALSE(ok);
    EXPECT_TRUE(Contains(reason, want));
  }
  EXPECT_EQ(batch.num_rows(), 6u);
  // Unknown ids are remembered for a while: no new request for the same id.
  const int requests = registry.id_requests();
  ASSERT_OK_AND_ASSIGN(bool ok, decoder->Decode(Framed(999, "x"), &batch, &reason));
  EXPECT_FALSE(ok);
  EXPECT_EQ(registry.id_requests(), requests);
}

// The datum of a kTable record (or of a writer schema with the same first
// fields) whose name is `name`, whatever its bytes.
std::string DatumNamed(const SchemaPtr& schema, std::string_view name) {
  RecordBatch batch(schema);
  batch.column(0).AppendInt64(1);
  batch.column(1).AppendBytes(name);
  batch.column(2).AppendNull();
  batch.column(3).AppendInt32(0);
  batch.column(4).AppendNull();
  batch.CommitRow();
  std::string out;
  avro::AppendDatum(batch, 0, &out);
  return out;
}

TEST(RecordDecoderTest, AvroStringsThatAreNotUtf8AreBadRecords) {
  StandInRegistry registry;
  const int id = registry.Register("events-value", kTable);
  DecoderOptions plain;
  plain.input_format = "avro";
  plain.schema = MustSchema(kTable);
  DecoderOptions framed = plain;
  framed.registry = registry.Options();
  for (const DecoderOptions& options : {plain, framed}) {
    const bool is_framed = options.registry.has_value();
    SCOPED_TRACE(is_framed ? "Confluent-framed" : "plain");
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordDecoder> decoder, RecordDecoder::Make(options));
    auto value = [&](std::string_view name) {
      const std::string datum = DatumNamed(plain.schema, name);
      return is_framed ? Framed(id, datum) : datum;
    };
    RecordBatch batch(decoder->schema());
    std::string reason;
    ASSERT_OK_AND_ASSIGN(bool ok, decoder->Decode(value("caf\xc3\xa9"), &batch, &reason));
    EXPECT_TRUE(ok) << reason;
    for (std::string_view bad : {"caf\xe9", "\xc0\xaf", "\xed\xa0\x80", "trunc\xe2\x9c"}) {
      reason.clear();
      ASSERT_OK_AND_ASSIGN(ok, decoder->Decode(value(bad), &batch, &reason));
      EXPECT_FALSE(ok);
      EXPECT_TRUE(Contains(reason, "field 'name': string is not valid UTF-8"));
    }
    ASSERT_OK_AND_ASSIGN(ok, decoder->Decode(value("ok"), &batch, &reason));
    EXPECT_TRUE(ok) << reason;
    ASSERT_EQ(batch.num_rows(), 2u);
    for (size_t c = 0; c < batch.num_columns(); ++c) EXPECT_EQ(batch.column(c).size(), 2u);
    EXPECT_EQ(batch.column(1).GetBytes(0), "caf\xc3\xa9");
    EXPECT_EQ(batch.column(1).GetBytes(1), "ok");
  }
}

TEST(RecordDecoderTest, TableSchemaFromTheSubjectsLatestVersion) {
  StandInRegistry registry;
  const int v1 = registry.Register("events-value", kWriterV1);
  registry.Register("events-value", kTable);
  DecoderOptions options;
  options.input_format = "avro";
  options.registry = registry.Options();
  options.subject = "events-value";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordDecoder> decoder, RecordDecoder::Make(options));
  EXPECT_EQ(decoder->schema()->avro_json(), kTable);
  // Where the table schema came from, for the archive's log.
  EXPECT_EQ(decoder->schema_origin(),
            fmt::format("subject 'events-value' version 2 (id {}) from {}, latest at start", v1 + 1,
                        registry.Options().url));
  RecordBatch batch(decoder->schema());
  std::string reason;
  ASSERT_OK_AND_ASSIGN(
      bool ok, decoder->Decode(Framed(v1, Datum(MustSchema(kWriterV1),
                                                R"({"id": 4, "name": "x", "color": "RED"})")),
                               &batch, &reason));
  EXPECT_TRUE(ok) << reason;
  EXPECT_EQ(Rows(batch)[0], R"({"id":4,"name":"x","email":null,"color":"RED","at":null})");

  options.subject = "missing-value";
  Result<std::unique_ptr<RecordDecoder>> missing = RecordDecoder::Make(options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(Contains(missing.status().message(), "subject 'missing-value' not found"));
}

const char* kNestedWriter = R"({"type": "record", "name": "person", "fields": [
  {"name": "name", "type": {"type": "record", "name": "Name", "fields": [
    {"name": "first", "type": "string"}, {"name": "last", "type": ["null", "string"]}]}},
  {"name": "tags", "type": {"type": "array", "items": ["null", "string"]}},
  {"name": "coords", "type": {"type": "map", "values": "float"}},
  {"name": "pick", "type": ["null", "int", "string"]}
]})";

// The table: a field added inside the nested record, floats read as doubles.
const char* kNestedTable = R"({"type": "record", "name": "person", "fields": [
  {"name": "name", "type": {"type": "record", "name": "Name", "fields": [
    {"name": "first", "type": "string"}, {"name": "last", "type": ["null", "string"]},
    {"name": "title", "type": "string", "default": "-"}]}},
  {"name": "tags", "type": {"type": "array", "items": ["null", "string"]}},
  {"name": "coords", "type": {"type": "map", "values": "double"}},
  {"name": "pick", "type": ["null", "int", "string"]}
]})";

TEST(RecordDecoderTest, NestedRegistryAvroIsResolvedIntoTheNestedTable) {
  StandInRegistry registry;
  const int writer_id = registry.Register("people-value", kNestedWriter);
  registry.Register("people-value", kNestedTable);
  DecoderOptions options;
  options.input_format = "avro";
  options.registry = registry.Options();
  options.subject = "people-value";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordDecoder> decoder, RecordDecoder::Make(options));
  ASSERT_EQ(decoder->schema()->field(0).kind(), Kind::kStruct);

  Result<Schema> writer =
      Schema::FromAvroJson(kNestedWriter, SchemaParseOptions{.complete_types = true});
  ASSERT_TRUE(writer.ok()) << writer.status().ToString();
  auto writer_schema = std::make_shared<const Schema>(*writer);
  RecordBatch written(writer_schema);
  const auto row = nlohmann::json::parse(
      R"({"name": {"first": "Ada", "last": null}, "tags": ["a", null], "coords": {"x": 1.5}})");
  for (size_t i = 0; i < 3; ++i) {
    const Field& f = writer_schema->field(i);
    ASSERT_TRUE(avro::AppendJsonDefault(f, row[f.name], &written.column(i)).ok()) << f.name;
  }
  Column& pick = written.column(3);  // the string member of the union
  pick.AppendStruct();
  pick.child(0).AppendNull();
  pick.child(1).AppendBytes("s");
  written.CommitRow();
  std::string datum;
  avro::AppendDatum(written, 0, &datum);

  RecordBatch batch(decoder->schema());
  std::string reason;
  ASSERT_OK_AND_ASSIGN(bool ok, decoder->Decode(Framed(writer_id, datum), &batch, &reason));
  EXPECT_TRUE(ok) << reason;
  EXPECT_EQ(RowJson(batch, 0),
            R"({"name": {"first": "Ada", "last": null, "title": "-"}, "tags": ["a", null], )"
            R"("coords": {"x": 1.5}, "pick": {"member0": null, "member1": "s"}})");
}

TEST(RecordDecoderTest, RegistryDownIsAnErrorNotABadRecord) {
  StandInRegistry registry;
  const int v1 = registry.Register("events-value", kWriterV1);
  DecoderOptions options;
  options.input_format = "avro";
  options.schema = MustSchema(kTable);
  options.registry = registry.Options();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<RecordDecoder> decoder, RecordDecoder::Make(options));
  registry.Stop();
  RecordBatch batch(decoder->schema());
  std::string reason;
  Result<bool> decoded = decoder->Decode(
      Framed(v1, Datum(MustSchema(kWriterV1), R"({"id": 1, "name": "a", "color": "RED"})")), &batch,
      &reason);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kUnavailable) << decoded.status().ToString();
  EXPECT_TRUE(Contains(decoded.status().message(), "schema id " + std::to_string(v1)));
  EXPECT_EQ(batch.num_rows(), 0u);
  EXPECT_TRUE(reason.empty());

  options.schema = nullptr;
  options.subject = "events-value";
  Result<std::unique_ptr<RecordDecoder>> latest = RecordDecoder::Make(options);
  ASSERT_FALSE(latest.ok());
  EXPECT_EQ(latest.status().code(), StatusCode::kUnavailable) << latest.status().ToString();
}

}  // namespace
}  // namespace lakepipe::archive

// Tests of the randomuser source against a local HTTP server that stands in
// for randomuser.me, serving responses made from a real one
// (testdata/randomuser-sample.json).
#include "sources/randomuser_source.h"

#include "http/local_http_server.h"

#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/column_json.h"
#include "core/time_util.h"
#include "sources/test_util.h"

namespace lakepipe::sources {
namespace {

using Json = nlohmann::json;

std::string Sample() {
  return testing::ReadTextFile(testing::SourceDir() +
                               "/src/sources/testdata/randomuser-sample.json");
}

// A real HTTP server on loopback, in a thread, standing in for randomuser.me.
class FakeRandomUser {
 public:
  // Answers request n (from 1) of GET /api/.
  using Handler = std::function<void(int n, const httplib::Request&, httplib::Response&)>;

  explicit FakeRandomUser(Handler handler) : handler_(std::move(handler)) {
    http_.server().Get("/api/", [this](const httplib::Request& req, httplib::Response& res) {
      const int n = ++calls_;
      {
        std::lock_guard<std::mutex> lock(mu_);
        queries_.push_back(req.params);
      }
      handler_(n, req, res);
    });
    http_.Start();
  }
  std::string Url(const std::string& query = "") const { return http_.Url("/api/" + query); }
  int calls() const { return calls_; }
  std::vector<httplib::Params> queries() {
    std::lock_guard<std::mutex> lock(mu_);
    return queries_;
  }

 private:
  Handler handler_;
  std::atomic<int> calls_{0};
  std::mutex mu_;
  std::vector<httplib::Params> queries_;
  // Last, so the server stops before the state its handlers use is destroyed.
  lakepipe::testing::LocalHttpServer http_;
};

void Serve(httplib::Response& res, const std::string& body) {
  res.set_content(body, "application/json");
}

RetryPolicy FastPolicy() {
  RetryPolicy p;
  p.initial_backoff = std::chrono::milliseconds(5);
  p.max_backoff = std::chrono::milliseconds(20);
  p.max_attempts = 4;
  return p;
}

SourceOptions Options(const FakeRandomUser& server, size_t batch = 3) {
  SourceOptions o;
  o.url = server.Url();
  o.batch = batch;
  o.retry = FastPolicy();
  o.timeout = std::chrono::milliseconds(2000);
  return o;
}

std::unique_ptr<Source> Open(const SourceOptions& options) {
  Result<std::unique_ptr<Source>> source = OpenSource("randomuser", options);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  return source.ok() ? std::move(source).value() : nullptr;
}

std::string Field(const RecordBatch& batch, const char* name, size_t row) {
  const Column& c = batch.column(static_cast<size_t>(batch.schema()->FieldIndex(name)));
  return c.IsNull(row) ? "<null>" : std::string(c.GetBytes(row));
}
int64_t Millis(const RecordBatch& batch, const char* name, size_t row) {
  return batch.column(static_cast<size_t>(batch.schema()->FieldIndex(name))).GetInt64(row);
}
int64_t Iso(const char* text) {
  Result<int64_t> micros = ParseTimestampMicros(text);
  EXPECT_TRUE(micros.ok());
  return *micros / 1000;
}

TEST(RandomUserSourceTest, MapsEntriesToTheUserSchema) {
  const std::string sample = Sample();
  FakeRandomUser server(
      [&](int, const httplib::Request&, httplib::Response& res) { Serve(res, sample); });
  std::unique_ptr<Source> source = Open(Options(server));
  ASSERT_NE(source, nullptr);
  RecordBatch batch(source->schema());
  ASSERT_OK_AND_ASSIGN(bool more, source->Next(&batch, 10));
  EXPECT_TRUE(more);
  ASSERT_EQ(batch.num_rows(), 3u);
  EXPECT_EQ(Field(batch, "id", 0), "3f1c2a9e-6b1d-4a51-9c64-1f0e2d7b8a11");
  EXPECT_EQ(Field(batch, "first_name", 0), "Ella");
  EXPECT_EQ(Field(batch, "last_name", 0), "Kristensen");
  EXPECT_EQ(Field(batch, "gender", 0), "female");
  EXPECT_EQ(Field(batch, "address", 0), "4512 Søndergade, Aarhus N, Midtjylland, Denmark");
  EXPECT_EQ(Field(batch, "post_code", 0), "71452");  // a number in the response
  EXPECT_EQ(Field(batch, "email", 0), "ella.kristensen@example.com");
  EXPECT_EQ(Field(batch, "username", 0), "smallswan512");
  EXPECT_EQ(Millis(batch, "dob", 0), Iso("1986-02-14T09:27:41.512Z"));
  EXPECT_EQ(Millis(batch, "registered_date", 0), Iso("2011-10-03T17:02:55.078Z"));
  EXPECT_EQ(Field(batch, "phone", 0), "21873409");
  EXPECT_EQ(Field(batch, "picture", 0), "https://randomuser.me/api/portraits/women/21.jpg");
  EXPECT_EQ(Field(batch, "city", 0), "Aarhus N");
  EXPECT_EQ(Field(batch, "state", 0), "Midtjylland");
  EXPECT_EQ(Field(batch, "country", 0), "Denmark");
  EXPECT_EQ(Field(batch, "nat", 0), "DK");
  EXPECT_EQ(Field(batch, "post_code", 1), "QJ7 4DN");  // a string in the response
  EXPECT_EQ(Field(batch, "last_name", 2), "Ramírez");
  EXPECT_EQ(Field(batch, "nat", 2), "MX");
  EXPECT_EQ(source->rejected(), 0u);
  // The request asked for `batch` results.
  ASSERT_EQ(server.queries().size(), 1u);
  EXPECT_EQ(server.queries()[0].find("results")->second, "3");
}

// The API shape keeps each entry as the API sent it: printed back as JSON,
// a row is the entry, key order included, with the postcode as text.
TEST(RandomUserSourceTest, KeepsTheApiShape) {
  const std::string sample = Sample();
  FakeRandomUser server(
      [&](int, const httplib::Request&, httplib::Response& res) { Serve(res, sample); });
  SourceOptions options = Options(server);
  options.shape = UserShape::kApi;
  std::unique_ptr<Source> source = Open(options);
  ASSERT_NE(source, nullptr);
  EXPECT_EQ(source->schema(), UserApiSchemaPtr());
  EXPECT_EQ(source->default_key_field(), "login.uuid");
  RecordBatch batch(source->schema());
  ASSERT_OK_AND_ASSIGN(bool more, source->Next(&batch, 10));
  EXPECT_TRUE(more);
  ASSERT_EQ(batch.num_rows(), 3u);
  const nlohmann::ordered_json results = nlohmann::ordered_json::parse(sample)["results"];
  for (size_t r = 0; r < 3; ++r) {
    nlohmann::ordered_json expected = results[r];
    nlohmann::ordered_json& postcode = expected["location"]["postcode"];
    if (postcode.is_number()) postcode = postcode.dump();
    EXPECT_EQ(nlohmann::ordered_json::parse(lakepipe::RowJson(batch, r)).dump(), expected.dump());
  }
  EXPECT_EQ(source->rejected(), 0u);
}

TEST(RandomUserSourceTest, ApiShapeRejectsEntriesThatDoNotFitAndKeepsTheRest) {
  Json doc = Json::parse(Sample());
  doc["results"][0]["login"].erase("uuid");
  doc["results"][1]["dob"]["age"] = "forty";
  doc["results"][2]["id"]["value"] = nullptr;  // the API's null identifier
  const std::string body = doc.dump();
  FakeRandomUser server(
      [&](int, const httplib::Request&, httplib::Response& res) { Serve(res, body); });
  std::vector<BadRecord> bad;
  SourceOptions options = Options(server);
  options.shape = UserShape::kApi;
  options.bad_records = [&](const BadRecord& r) {
    bad.push_back(r);
    return Status::OK();
  };
  std::unique_ptr<Source> source = Open(options);
  RecordBatch batch(source->schema());
  ASSERT_OK(source->Next(&batch, 10));
  ASSERT_EQ(batch.num_rows(), 1u);
  const std::string row = lakepipe::RowJson(batch, 0);
  EXPECT_NE(row.find(R"("id": {"name": "NSS", "value": null})"), std::string::npos) << row;
  EXPECT_NE(row.find(R"("first": "Gabriela")"), std::string::npos) << row;
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_EQ(bad[0].reason, "results[0]: field login.uuid is missing");
  EXPECT_EQ(bad[1].reason, "results[1]: field dob.age is a string, expected an integer");
}

TEST(RandomUserSourceTest, ServesLargeResponsesInPiecesAndFetchesAgain) {
  const std::string sample = Sample();
  FakeRandomUser server(
      [&](int, const httplib::Request&, httplib::Response& res) { Serve(res, sample); });
  std::unique_ptr<Source> source = Open(Options(server));
  RecordBatch batch(source->schema());
  ASSERT_OK_AND_ASSIGN(bool more, source->Next(&batch, 2));
  EXPECT_TRUE(more);
  EXPECT_EQ(batch.num_rows(), 2u);
  ASSERT_OK_AND_ASSIGN(more, source->Next(&batch, 2));
  EXPECT_TRUE(more);
  EXPECT_EQ(batch.num_rows(), 1u);  // the rest of the first response
  EXPECT_EQ(Field(batch, "nat", 0), "MX");
  EXPECT_EQ(server.calls(), 1);
  ASSERT_OK_AND_ASSIGN(more, source->Next(&batch, 2));
  EXPECT_TRUE(more);
  EXPECT_EQ(batch.num_rows(), 2u);
  EXPECT_EQ(server.calls(), 2);
}

TEST(RandomUserSourceTest, KeepsQueryParametersAndSendsSeedAndPage) {
  EXPECT_EQ(RandomUserRequestUrl("https://randomuser.me/api/", 100, std::nullopt, 1),
            "https://randomuser.me/api/?results=100");
  EXPECT_EQ(RandomUserRequestUrl("https://randomuser.me/api/?nat=gb,fr&results=5&inc=name", 50,
                                 std::nullopt, 1),
            "https://randomuser.me/api/?results=50&nat=gb,fr&inc=name");
  EXPECT_EQ(RandomUserRequestUrl("https://x/api?seed=abc&page=9", 10, 42, 3),
            "https://x/api?results=10&seed=42&page=3");
  EXPECT_EQ(RandomUserRequestUrl("https://x/api?seed=abc#top", 10, std::nullopt, 3),
            "https://x/api?results=10&seed=abc#top");

  const std::string sample = Sample();
  FakeRandomUser server(
      [&](int, const httplib::Request&, httplib::Response& res) { Serve(res, sample); });
  SourceOptions options = Options(server, 3);
  options.url = server.Url("?nat=dk,gb,mx&results=999");
  options.seed = 77;
  std::unique_ptr<Source> source = Open(options);
  RecordBatch batch(source->schema());
  ASSERT_OK(source->Next(&batch, 3));
  ASSERT_OK(source->Next(&batch, 3));
  const std::vector<httplib::Params> queries = server.queries();
  ASSERT_EQ(queries.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(queries[i].find("results")->second, "3");
    EXPECT_EQ(queries[i].count("results"), 1u);
    EXPECT_EQ(queries[i].find("nat")->second, "dk,gb,mx");
    EXPECT_EQ(queries[i].find("seed")->second, "77");
    EXPECT_EQ(queries[i].find("page")->second, std::to_string(i + 1));
  }
}

TEST(RandomUserSourceTest, RetriesServerErrorsThenSucceeds) {
  const std::string sample = Sample();
  FakeRandomUser server([&](int n, const httplib::Request&, httplib::Response& res) {
    if (n == 1) {
      res.status = 500;
      return;
    }
    Serve(res, sample);
  });
  std::unique_ptr<Source> source = Open(Options(server));
  RecordBatch batch(source->schema());
  ASSERT_OK_AND_ASSIGN(bool more, source->Next(&batch, 10));
  EXPECT_TRUE(more);
  EXPECT_EQ(batch.num_rows(), 3u);
  EXPECT_EQ(server.calls(), 2);
}

TEST(RandomUserSourceTest, WaitsAsToldByRetryAfterOn429) {
  const std::string sample = Sample();
  FakeRandomUser server([&](int n, const httplib::Request&, httplib::Response& res) {
    if (n == 1) {
      res.status = 429;
      res.set_header("Retry-After", "1");
      return;
    }
    Serve(res, sample);
  });
  std::unique_ptr<Source> source = Open(Options(server));
  RecordBatch batch(source->schema());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK(source->Next(&batch, 10));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(950));
  EXPECT_EQ(batch.num_rows(), 3u);
  EXPECT_EQ(server.calls(), 2);
}

TEST(RandomUserSourceTest, RetriesBodiesThatAreNotTheApiResponse) {
  const std::string sample = Sample();
  const std::vector<std::string> bad_bodies = {
      R"({"results": [{"gender": "female", "name": )",  // cut short
      "<!DOCTYPE html><html><body>Service temporarily overloaded</body></html>",
      R"({"error": "Uh oh, something has gone wrong. Please tell us on GitHub."})",
      R"({"info": {"results": 0}})",
  };
  for (const std::string& bad : bad_bodies) {
    SCOPED_TRACE(bad);
    FakeRandomUser server([&](int n, const httplib::Request&, httplib::Response& res) {
      Serve(res, n == 1 ? bad : sample);
    });
    std::unique_ptr<Source> source = Open(Options(server));
    RecordBatch batch(source->schema());
    ASSERT_OK(source->Next(&batch, 10));
    EXPECT_EQ(batch.num_rows(), 3u);
    EXPECT_EQ(server.calls(), 2);
  }
}

TEST(RandomUserSourceTest, ReportsABodyThatStaysUnusable) {
  FakeRandomUser server([&](int, const httplib::Request&, httplib::Response& res) {
    res.set_content("<html>maintenance</html>", "text/html");
  });
  std::unique_ptr<Source> source = Open(Options(server));
  RecordBatch batch(source->schema());
  Result<bool> r = source->Next(&batch, 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("not JSON: '<html>maintenance</html>'"), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find(server.Url()), std::string::npos) << r.status().message();
  EXPECT_EQ(server.calls(), kBodyAttempts);
}

TEST(RandomUserSourceTest, BadEntriesGoToTheSinkAndTheRestIsUsed) {
  Json doc = Json::parse(Sample());
  doc["results"][0].erase("name");
  doc["results"][2]["location"]["postcode"] = Json::object();
  Json wrong_id = doc["results"][1];
  wrong_id["login"]["uuid"] = "not-a-uuid";
  doc["results"].push_back(wrong_id);
  doc["results"].push_back(7);
  Json no_nat = doc["results"][1];
  no_nat.erase("nat");
  no_nat["location"].erase("state");
  doc["results"].push_back(no_nat);
  const std::string body = doc.dump();
  FakeRandomUser server(
      [&](int, const httplib::Request&, httplib::Response& res) { Serve(res, body); });

  std::vector<BadRecord> bad;
  SourceOptions options = Options(server, 6);
  options.bad_records = [&](const BadRecord& r) {
    bad.push_back(r);
    return Status::OK();
  };
  std::unique_ptr<Source> source = Open(options);
  RecordBatch batch(source->schema());
  ASSERT_OK(source->Next(&batch, 10));
  ASSERT_EQ(batch.num_rows(), 2u);
  EXPECT_EQ(Field(batch, "first_name", 0), "Oliver");
  // Missing city, state or nat: null, and not in the address.
  EXPECT_EQ(Field(batch, "nat", 1), "<null>");
  EXPECT_EQ(Field(batch, "state", 1), "<null>");
  EXPECT_EQ(Field(batch, "address", 1), "89 Church Road, Worcester, United Kingdom");
  EXPECT_EQ(source->rejected(), 4u);
  ASSERT_EQ(bad.size(), 4u);
  EXPECT_EQ(bad[0].source, server.Url("?results=6"));
  EXPECT_EQ(bad[0].reason, "results[0]: field name.first is missing");
  EXPECT_NE(bad[0].raw.find("3f1c2a9e-6b1d-4a51-9c64-1f0e2d7b8a11"), std::string::npos);
  EXPECT_TRUE(Json::accept(bad[0].raw));
  EXPECT_EQ(bad[1].reason,
            "results[2]: field location.postcode is an object, expected an integer or a string");
  EXPECT_EQ(bad[2].reason, "results[3]: field login.uuid is not a UUID: 'not-a-uuid'");
  EXPECT_EQ(bad[3].reason, "results[4]: entry is a number, expected an object");
  EXPECT_EQ(bad[3].raw, "7");

  // Without a sink, the first bad entry stops the source.
  std::unique_ptr<Source> strict = Open(Options(server, 6));
  Result<bool> r = strict->Next(&batch, 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("field name.first is missing"), std::string::npos);
}

TEST(RandomUserSourceTest, RetriesAHungConnectionAfterTheTimeout) {
  const std::string sample = Sample();
  FakeRandomUser server([&](int n, const httplib::Request&, httplib::Response& res) {
    if (n == 1) std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    Serve(res, sample);
  });
  SourceOptions options = Options(server);
  options.timeout = std::chrono::milliseconds(300);
  std::unique_ptr<Source> source = Open(options);
  RecordBatch batch(source->schema());
  const auto start = std::chrono::steady_clock::now();
  ASSERT_OK(source->Next(&batch, 10));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1400));
  EXPECT_EQ(batch.num_rows(), 3u);
  EXPECT_EQ(server.calls(), 2);
}

TEST(RandomUserSourceTest, GivesUpClearlyWhenTheApiStaysDown) {
  FakeRandomUser server(
      [&](int, const httplib::Request&, httplib::Response& res) { res.status = 500; });
  std::unique_ptr<Source> source = Open(Options(server));
  RecordBatch batch(source->schema());
  Result<bool> r = source->Next(&batch, 10);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find(server.Url("?results=3")), std::string::npos)
      << r.status().message();
  EXPECT_NE(r.status().message().find("4 attempts"), std::string::npos) << r.status().message();
  EXPECT_NE(r.status().message().find("HTTP 500"), std::string::npos) << r.status().message();
  EXPECT_EQ(server.calls(), 4);

  // Nothing listening at all.
  SourceOptions nowhere = Options(server);
  nowhere.url = "http://127.0.0.1:1/api/";
  std::unique_ptr<Source> unreachable = Open(nowhere);
  Result<bool> u = unreachable->Next(&batch, 10);
  EXPECT_EQ(u.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(u.status().message().find("127.0.0.1:1"), std::string::npos) << u.status().message();
}

TEST(RandomUserSourceTest, ClientErrorsAndBadOptionsAreInvalidArguments) {
  FakeRandomUser server([&](int, const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content("no such page", "text/plain");
  });
  std::unique_ptr<Source> source = Open(Options(server));
  RecordBatch batch(source->schema());
  Result<bool> r = source->Next(&batch, 10);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("HTTP 404"), std::string::npos) << r.status().message();
  EXPECT_EQ(server.calls(), 1);

  SourceOptions options = Options(server);
  options.batch = 0;
  EXPECT_EQ(OpenSource("randomuser", options).status().code(), StatusCode::kInvalidArgument);
  options.batch = 5001;
  EXPECT_EQ(OpenSource("randomuser", options).status().code(), StatusCode::kInvalidArgument);
  options.batch = 10;
  options.url = "randomuser.me/api";
  EXPECT_EQ(OpenSource("randomuser", options).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace lakepipe::sources

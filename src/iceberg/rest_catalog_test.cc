// The REST catalog client against tests/interop/rest_catalog_standin.mjs, a
// stand-in (run with node) that implements the documented endpoints of the
// Iceberg REST catalog spec, with injected faults; it is not a real catalog.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/testing.h"
#include "http/http_client.h"
#include "iceberg/catalog.h"
#include "iceberg/schema_json.h"

namespace lakepipe::iceberg {
namespace {

using nlohmann::json;

// The stand-in, started as `node rest_catalog_standin.mjs '<options>'`.
class StandIn {
 public:
  ~StandIn() { Stop(); }

  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 100 && waitpid(pid_, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      if (i == 99) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &status, 0);
      }
    }
    pid_ = -1;
  }

  // Empty on success, else why it did not start.
  std::string Start(const json& options) {
    const std::string script =
        std::string(LAKEPIPE_SOURCE_DIR) + "/tests/interop/rest_catalog_standin.mjs";
    const std::string arg = options.dump();
    int fds[2];
    if (pipe(fds) != 0) return "pipe failed";
    pid_ = fork();
    if (pid_ == 0) {
#ifdef __linux__
      prctl(PR_SET_PDEATHSIG, SIGKILL);  // no stand-in outlives a crashed test
#endif
      dup2(fds[1], STDOUT_FILENO);
      close(fds[0]);
      close(fds[1]);
      execlp("node", "node", script.c_str(), arg.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    close(fds[1]);
    std::string line;
    char c = 0;
    pollfd p{fds[0], POLLIN, 0};
    while (line.find('\n') == std::string::npos && poll(&p, 1, 15000) > 0 &&
           read(fds[0], &c, 1) == 1) {
      line.push_back(c);
    }
    close(fds[0]);
    const json started = json::parse(line, nullptr, false);
    if (!started.is_object() || !started.contains("url")) return "the stand-in printed: " + line;
    url_ = started["url"].get<std::string>();
    return "";
  }

  const std::string& url() const { return url_; }

  json Control(const std::string& method, const std::string& path, const json& body = nullptr) {
    HttpClient client;
    HttpRequest request;
    request.method = method;
    request.url = url_ + "/control/" + path;
    if (!body.is_null()) request.body = body.dump();
    Result<HttpResponse> response = client.Send(request);
    if (!response.ok() || response->status != 200) return nullptr;
    return json::parse(response->body, nullptr, false);
  }
  void SetFaults(const json& faults) { Control("POST", "faults", faults); }
  json Requests() { return Control("GET", "requests"); }

 private:
  pid_t pid_ = -1;
  std::string url_;
};

bool NodeRuns() { return std::system("node --version >/dev/null 2>&1") == 0; }

class RestCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!NodeRuns()) {
      if (lakepipe::testing::UnderCi()) FAIL() << "node is needed under CI";
      GTEST_SKIP() << "node is not installed";
    }
    warehouse_ = lakepipe::testing::MakeTempDir("rest-catalog");
  }

  // Starts the stand-in with `options` (a warehouse added) and a client.
  void Start(json options, CatalogOptions client = {}) {
    options["warehouse"] = warehouse_;
    const std::string why = standin_.Start(options);
    ASSERT_EQ(why, "");
    client.type = "rest";
    client.uri = standin_.url();
    if (client.warehouse.empty()) client.warehouse = warehouse_;
    ASSERT_OK_AND_ASSIGN(catalog_, MakeRestCatalog(client));
  }

  static TableIdentifier Id(std::vector<std::string> ns, std::string name) {
    return TableIdentifier{std::move(ns), std::move(name)};
  }

  // `server_location`: create without a location, as for AWS Glue, where
  // the server decides.
  Result<LoadedTable> Create(Catalog& catalog, const TableIdentifier& id,
                             bool server_location = false) {
    const json schema = json::parse(R"({"type":"struct","schema-id":0,"fields":[
        {"id":1,"name":"id","required":true,"type":"long"},
        {"id":2,"name":"name","required":false,"type":"string"}]})");
    LP_ASSIGN_OR_RETURN(Schema s, SchemaFromJson(schema));
    LP_ASSIGN_OR_RETURN(std::string location, catalog.DefaultLocation(id));
    if (server_location) location = "s3://placeholder";
    LP_ASSIGN_OR_RETURN(TableMetadata metadata,
                        TableMetadata::New(location, s, PartitionSpec{}, {{"owner", "tests"}}));
    if (server_location) metadata.location.clear();
    return catalog.CreateTable(id, metadata);
  }

  // An append of snapshot `snapshot_id` over `base`.
  static TableCommit Append(const LoadedTable& base, int64_t snapshot_id) {
    TableCommit commit;
    const std::optional<int64_t> parent = base.metadata.current_snapshot_id;
    commit.requirements =
        json::array({{{"type", "assert-table-uuid"}, {"uuid", base.metadata.table_uuid}},
                     {{"type", "assert-ref-snapshot-id"},
                      {"ref", "main"},
                      {"snapshot-id", parent ? json(*parent) : json(nullptr)}}});
    json snapshot = {
        {"snapshot-id", snapshot_id},
        {"sequence-number", base.metadata.last_sequence_number + 1},
        {"timestamp-ms", 1796688000000},
        {"manifest-list", "file:///nowhere/snap-" + std::to_string(snapshot_id) + ".avro"},
        {"summary", {{"operation", "append"}, {"lakepipe.commit-id", "c1"}}},
        {"schema-id", 0}};
    if (parent) snapshot["parent-snapshot-id"] = *parent;
    commit.updates = json::array({{{"action", "add-snapshot"}, {"snapshot", snapshot}},
                                  {{"action", "set-snapshot-ref"},
                                   {"ref-name", "main"},
                                   {"type", "branch"},
                                   {"snapshot-id", snapshot_id}}});
    return commit;
  }

  Result<LoadedTable> Commit(const TableIdentifier& id, const LoadedTable& base, int64_t snapshot) {
    return catalog_->CommitTable(id, base, base.metadata, Append(base, snapshot));
  }

  // The requests the stand-in saw whose path is `path`.
  std::vector<json> Seen(const std::string& method, const std::string& path) {
    std::vector<json> out;
    for (const json& r : standin_.Requests()) {
      if (r["method"] == method && r["path"] == path) out.push_back(r);
    }
    return out;
  }

  std::string warehouse_;
  StandIn standin_;
  std::unique_ptr<Catalog> catalog_;
};

TEST_F(RestCatalogTest, ConfigPrefixNamespacesCreateAndLoad) {
  CatalogOptions options;
  options.properties["header.X-Iceberg-Access-Delegation"] = "vended-credentials";
  Start({{"prefix", "catalogs/123"}}, options);
  const TableIdentifier id = Id({"sales", "eu"}, "events");
  ASSERT_OK_AND_ASSIGN(LoadedTable created, Create(*catalog_, id));
  EXPECT_EQ(catalog_->Describe()["prefix"], "catalogs/123");
  EXPECT_EQ(created.metadata.location, warehouse_ + "/sales/eu/events");
  EXPECT_EQ(created.metadata.properties.at("owner"), "tests");
  EXPECT_TRUE(std::filesystem::exists(created.metadata_location)) << created.metadata_location;

  const std::vector<json> config = Seen("GET", "/v1/config");
  ASSERT_EQ(config.size(), 1u);
  EXPECT_EQ(config[0]["query"]["warehouse"], warehouse_);
  // Both levels were missing: created parents first.
  const std::vector<json> namespaces = Seen("POST", "/v1/catalogs/123/namespaces");
  ASSERT_EQ(namespaces.size(), 2u);
  EXPECT_EQ(json::parse(namespaces[0]["body"].get<std::string>())["namespace"], json({"sales"}));
  EXPECT_EQ(json::parse(namespaces[1]["body"].get<std::string>())["namespace"],
            json({"sales", "eu"}));
  const std::vector<json> creates = Seen("POST", "/v1/catalogs/123/namespaces/sales%1Feu/tables");
  ASSERT_EQ(creates.size(), 1u);
  const json body = json::parse(creates[0]["body"].get<std::string>());
  EXPECT_EQ(body["name"], "events");
  EXPECT_EQ(body["stage-create"], false);
  EXPECT_EQ(body["schema"]["fields"].size(), 2u);
  EXPECT_TRUE(body.contains("partition-spec"));
  EXPECT_TRUE(body.contains("write-order"));

  ASSERT_OK_AND_ASSIGN(LoadedTable loaded, catalog_->LoadTable(id));
  EXPECT_EQ(loaded.metadata_location, created.metadata_location);
  EXPECT_EQ(loaded.metadata.table_uuid, created.metadata.table_uuid);
  for (const json& r : standin_.Requests()) {
    EXPECT_EQ(r["headers"]["x-iceberg-access-delegation"], "vended-credentials") << r["path"];
  }

  // A second table in the same namespace creates no namespace.
  ASSERT_OK(Create(*catalog_, Id({"sales", "eu"}, "orders")));
  EXPECT_EQ(Seen("POST", "/v1/catalogs/123/namespaces").size(), 2u);
  EXPECT_EQ(Create(*catalog_, id).status().code(), StatusCode::kAlreadyExists);
  const Status missing = catalog_->LoadTable(Id({"sales"}, "nope")).status();
  EXPECT_EQ(missing.code(), StatusCode::kNotFound) << missing.ToString();
  EXPECT_NE(missing.message().find("NoSuchTableException"), std::string::npos)
      << missing.ToString();
}

TEST_F(RestCatalogTest, CommitAppliesAndRefusesAStaleBase) {
  Start({});
  const TableIdentifier id = Id({"db"}, "t");
  ASSERT_OK_AND_ASSIGN(LoadedTable base, Create(*catalog_, id));
  ASSERT_OK_AND_ASSIGN(LoadedTable one, Commit(id, base, 101));
  EXPECT_EQ(one.metadata.current_snapshot_id, 101);
  EXPECT_NE(one.metadata_location, base.metadata_location);
  EXPECT_TRUE(std::filesystem::exists(one.metadata_location));
  ASSERT_OK_AND_ASSIGN(LoadedTable loaded, catalog_->LoadTable(id));
  EXPECT_EQ(loaded.metadata.current_snapshot_id, 101);
  ASSERT_NE(loaded.metadata.CurrentSnapshot(), nullptr);
  EXPECT_EQ(loaded.metadata.CurrentSnapshot()->summary.at("lakepipe.commit-id"), "c1");
  const json commit =
      json::parse(Seen("POST", "/v1/namespaces/db/tables/t")[0]["body"].get<std::string>());
  EXPECT_EQ(commit["identifier"], json({{"namespace", {"db"}}, {"name", "t"}}));

  // The base has no snapshot; the table now has one: the server refuses.
  const Status stale = Commit(id, base, 102).status();
  EXPECT_EQ(stale.code(), StatusCode::kFailedPrecondition) << stale.ToString();
  EXPECT_NE(stale.message().find("assert-ref-snapshot-id"), std::string::npos) << stale.ToString();
  ASSERT_OK(Commit(id, one, 102));

  // An update the server does not know: 400, with its message.
  TableCommit bad;
  bad.updates = json::array({{{"action", "rewrite-everything"}}});
  const Status invalid = catalog_->CommitTable(id, loaded, loaded.metadata, bad).status();
  EXPECT_EQ(invalid.code(), StatusCode::kInvalidArgument) << invalid.ToString();
  EXPECT_NE(invalid.message().find("rewrite-everything"), std::string::npos) << invalid.ToString();
}

TEST_F(RestCatalogTest, InjectedConflictIsFailedPrecondition) {
  Start({{"faults", {{"conflicts", 1}}}});
  const TableIdentifier id = Id({"db"}, "t");
  ASSERT_OK_AND_ASSIGN(LoadedTable base, Create(*catalog_, id));
  const Status conflict = Commit(id, base, 7).status();
  EXPECT_EQ(conflict.code(), StatusCode::kFailedPrecondition) << conflict.ToString();
  EXPECT_NE(conflict.message().find("CommitFailedException"), std::string::npos);
  EXPECT_NE(conflict.message().find(standin_.url()), std::string::npos) << conflict.ToString();
  ASSERT_OK_AND_ASSIGN(LoadedTable reloaded, catalog_->LoadTable(id));
  EXPECT_FALSE(reloaded.metadata.current_snapshot_id.has_value());
  ASSERT_OK(Commit(id, reloaded, 7));
}

TEST_F(RestCatalogTest, ServiceUnavailableAfterApplyIsUnknownOutcome) {
  Start({{"faults", {{"unavailableAfterApply", 1}}}});
  const TableIdentifier id = Id({"db"}, "t");
  ASSERT_OK_AND_ASSIGN(LoadedTable base, Create(*catalog_, id));
  const Status unknown = Commit(id, base, 8).status();
  EXPECT_EQ(unknown.code(), StatusCode::kUnavailable) << unknown.ToString();
  EXPECT_NE(unknown.message().find("HTTP 503"), std::string::npos) << unknown.ToString();
  // Sent once: a retry of the same commit would have been refused.
  EXPECT_EQ(Seen("POST", "/v1/namespaces/db/tables/t").size(), 1u);
  ASSERT_OK_AND_ASSIGN(LoadedTable reloaded, catalog_->LoadTable(id));
  EXPECT_EQ(reloaded.metadata.current_snapshot_id, 8);
}

TEST_F(RestCatalogTest, TimeoutAfterApplyIsUnknownOutcome) {
  CatalogOptions options;
  options.timeout = std::chrono::milliseconds(800);
  Start({{"faults", {{"timeoutAfterApply", 1}, {"holdMs", 3000}}}}, options);
  const TableIdentifier id = Id({"db"}, "t");
  ASSERT_OK_AND_ASSIGN(LoadedTable base, Create(*catalog_, id));
  const auto start = std::chrono::steady_clock::now();
  const Status unknown = Commit(id, base, 9).status();
  EXPECT_EQ(unknown.code(), StatusCode::kUnavailable) << unknown.ToString();
  EXPECT_NE(unknown.message().find("outcome is unknown"), std::string::npos) << unknown.ToString();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2500));
  ASSERT_OK_AND_ASSIGN(LoadedTable reloaded, catalog_->LoadTable(id));
  EXPECT_EQ(reloaded.metadata.current_snapshot_id, 9);
}

TEST_F(RestCatalogTest, CommitToAStoppedServerWasNotSent) {
  Start({});
  const TableIdentifier id = Id({"db"}, "t");
  ASSERT_OK_AND_ASSIGN(LoadedTable base, Create(*catalog_, id));
  standin_.Stop();
  const Status refused = Commit(id, base, 10).status();
  EXPECT_EQ(refused.code(), StatusCode::kUnavailable) << refused.ToString();
  EXPECT_NE(refused.message().find("nothing was sent"), std::string::npos) << refused.ToString();
}

TEST_F(RestCatalogTest, BearerToken) {
  CatalogOptions options;
  options.token = "s3cret";
  Start({{"auth", {{"token", "s3cret"}}}}, options);
  ASSERT_OK(Create(*catalog_, Id({"db"}, "t")));
  for (const json& r : standin_.Requests()) {
    EXPECT_EQ(r["headers"]["authorization"], "Bearer s3cret") << r["path"];
  }
  CatalogOptions wrong;
  wrong.uri = standin_.url();
  wrong.token = "guess";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Catalog> other, MakeRestCatalog(wrong));
  const Status refused = other->LoadTable(Id({"db"}, "t")).status();
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
  EXPECT_NE(refused.message().find("catalog.token"), std::string::npos) << refused.ToString();
}

TEST_F(RestCatalogTest, OAuth2ClientCredentialsRefreshAfterExpiry) {
  CatalogOptions options;
  options.credential = "lakepipe:hunter2";
  Start({{"auth", {{"clientId", "lakepipe"}, {"clientSecret", "hunter2"}}}}, options);
  const TableIdentifier id = Id({"db"}, "t");
  ASSERT_OK(Create(*catalog_, id));
  std::vector<json> tokens = Seen("POST", "/v1/oauth/tokens");
  ASSERT_EQ(tokens.size(), 1u);
  const std::string form = tokens[0]["body"];
  EXPECT_NE(form.find("grant_type=client_credentials"), std::string::npos) << form;
  EXPECT_NE(form.find("client_id=lakepipe"), std::string::npos) << form;
  EXPECT_NE(form.find("client_secret=hunter2"), std::string::npos) << form;
  EXPECT_NE(form.find("scope=catalog"), std::string::npos) << form;

  // The server expires every token: the next request gets 419, the client
  // fetches a new token and sends it again.
  standin_.Control("POST", "expire-tokens", json::object());
  ASSERT_OK(catalog_->LoadTable(id));
  EXPECT_EQ(Seen("POST", "/v1/oauth/tokens").size(), 2u);
  const std::vector<json> loads = Seen("GET", "/v1/namespaces/db/tables/t");
  ASSERT_EQ(loads.size(), 2u);
  EXPECT_NE(loads[0]["headers"]["authorization"], loads[1]["headers"]["authorization"]);

  CatalogOptions wrong = options;
  wrong.uri = standin_.url();
  wrong.credential = "lakepipe:wrong";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Catalog> other, MakeRestCatalog(wrong));
  const Status refused = other->LoadTable(id).status();
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
  EXPECT_NE(refused.message().find("catalog.credential"), std::string::npos) << refused.ToString();
  EXPECT_NE(refused.message().find("invalid_client"), std::string::npos) << refused.ToString();
}

TEST_F(RestCatalogTest, OAuth2TokenRefreshedBeforeItExpires) {
  CatalogOptions options;
  options.credential = "lakepipe:hunter2";
  Start({{"auth", {{"clientId", "lakepipe"}, {"clientSecret", "hunter2"}, {"tokenTtlSeconds", 1}}}},
        options);
  const TableIdentifier id = Id({"db"}, "t");
  ASSERT_OK(Create(*catalog_, id));
  std::this_thread::sleep_for(std::chrono::milliseconds(900));
  ASSERT_OK(catalog_->LoadTable(id));
  EXPECT_EQ(Seen("POST", "/v1/oauth/tokens").size(), 2u);
  // Refreshed before use, so the load was not refused first.
  EXPECT_EQ(Seen("GET", "/v1/namespaces/db/tables/t").size(), 1u);
}

class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    setenv(name, value, 1);
  }
  ~ScopedEnv() {
    if (old_) {
      setenv(name_, old_->c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

TEST_F(RestCatalogTest, SigV4SignsEveryRequestForGlue) {
  ScopedEnv key("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
  ScopedEnv secret("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  ScopedEnv session("AWS_SESSION_TOKEN", "session-token");
  CatalogOptions options;
  options.sigv4 = true;
  options.signing_region = "eu-west-1";
  options.signing_name = "glue";
  options.warehouse = "123456789012:s3tablescatalog/bucket";
  // The stand-in checks each signature and refuses (403) a wrong one.
  Start({{"prefix", "catalogs/123456789012:s3tablescatalog"},
         {"auth",
          {{"sigv4",
            {{"accessKeyId", "AKIDEXAMPLE"},
             {"secretAccessKey", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"},
             {"sessionToken", "session-token"},
             {"region", "eu-west-1"},
             {"service", "glue"}}}}}},
        options);
  const TableIdentifier id = Id({"a b", "c"}, "events");
  ASSERT_OK_AND_ASSIGN(std::string location, catalog_->DefaultLocation(id));
  EXPECT_EQ(location, "");  // a named warehouse: the server decides
  ASSERT_OK_AND_ASSIGN(LoadedTable base, Create(*catalog_, id, /*server_location=*/true));
  EXPECT_EQ(base.metadata.location, warehouse_ + "/a b/c/events");
  ASSERT_OK(Commit(id, base, 5));
  ASSERT_OK(catalog_->LoadTable(id));
  const json requests = standin_.Requests();
  ASSERT_GE(requests.size(), 6u);
  for (const json& r : requests) {
    const std::string auth = r["headers"].value("authorization", "");
    EXPECT_EQ(auth.rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0), 0u) << auth;
    EXPECT_NE(auth.find("/eu-west-1/glue/aws4_request"), std::string::npos) << auth;
    EXPECT_EQ(r["headers"]["x-amz-security-token"], "session-token");
  }

  ScopedEnv wrong("AWS_SECRET_ACCESS_KEY", "not-the-secret");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Catalog> other, MakeRestCatalog([&] {
                         CatalogOptions o = options;
                         o.uri = standin_.url();
                         return o;
                       }()));
  const Status refused = other->LoadTable(id).status();
  EXPECT_EQ(refused.code(), StatusCode::kFailedPrecondition) << refused.ToString();
  EXPECT_NE(refused.message().find("signature mismatch"), std::string::npos) << refused.ToString();
}

TEST(RestCatalogOptions, RefusesIncompleteSettings) {
  CatalogOptions options;
  options.uri = "ftp://catalog";
  EXPECT_EQ(MakeRestCatalog(options).status().code(), StatusCode::kInvalidArgument);
  options.uri = "http://127.0.0.1:1";
  options.credential = "no-colon";
  const Status credential = MakeRestCatalog(options).status();
  EXPECT_NE(credential.message().find("catalog.credential"), std::string::npos);
  options.credential.clear();
  options.sigv4 = true;
  ScopedEnv region("AWS_REGION", "");
  ScopedEnv fallback("AWS_DEFAULT_REGION", "");
  const Status sigv4 = MakeRestCatalog(options).status();
  EXPECT_EQ(sigv4.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(sigv4.message().find("signing_region"), std::string::npos) << sigv4.ToString();
}

}  // namespace
}  // namespace lakepipe::iceberg

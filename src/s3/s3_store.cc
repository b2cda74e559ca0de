#include "s3/s3_store.h"

#include <cstdlib>
#include <deque>
#include <fstream>
#include <future>
#include <map>

#include <fmt/format.h>

#include "config/dotenv.h"

namespace lakepipe::s3 {
namespace {

std::string Key(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  return std::string(path);
}

class S3InputFile final : public InputFile {
 public:
  S3InputFile(std::shared_ptr<S3Client> client, std::string bucket, std::string key, uint64_t size)
      : client_(std::move(client)),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        uri_(fmt::format("s3://{}/{}", bucket_, key_)),
        size_(size) {}
  const std::string& path() const override { return uri_; }
  uint64_t size() const override { return size_; }
  Status ReadAt(uint64_t offset, size_t n, std::string* out) override {
    out->clear();
    if (offset >= size_ || n == 0) return Status::OK();
    n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
    LP_ASSIGN_OR_RETURN(*out, client_->GetObject(bucket_, key_, std::make_pair(offset, n)));
    if (out->size() != n) {
      return CorruptionError("{}: asked for {} bytes at {}, got {}", uri_, n, offset, out->size());
    }
    return Status::OK();
  }

 private:
  std::shared_ptr<S3Client> client_;
  std::string bucket_, key_, uri_;
  uint64_t size_;
};

class S3OutputStream final : public OutputStream {
 public:
  S3OutputStream(std::shared_ptr<S3Client> client, std::string bucket, std::string key,
                 bool overwrite)
      : client_(std::move(client)),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        uri_(fmt::format("s3://{}/{}", bucket_, key_)),
        overwrite_(overwrite) {}
  ~S3OutputStream() override { Abort(); }

  const std::string& path() const override { return uri_; }
  uint64_t position() const override { return position_; }

  Status Append(std::string_view data) override {
    if (done_) return FailedPreconditionError("{}: append after commit or abort", uri_);
    const uint64_t part_size = client_->options().part_size;
    while (!data.empty()) {
      const size_t n =
          static_cast<size_t>(std::min<uint64_t>(data.size(), part_size - buffer_.size()));
      buffer_.append(data.data(), n);
      data.remove_prefix(n);
      position_ += n;
      if (buffer_.size() == part_size) {
        if (Status st = SendPart(); !st.ok()) {
          Abort();
          return st;
        }
      }
    }
    return Status::OK();
  }

  Status Commit() override {
    if (done_) return FailedPreconditionError("{}: commit after commit or abort", uri_);
    if (upload_id_.empty()) {
      done_ = true;
      return client_->PutObject(bucket_, key_, buffer_, !overwrite_);
    }
    Status st = buffer_.empty() ? Status::OK() : SendPart();
    std::vector<std::string> etags;
    while (st.ok() && !in_flight_.empty()) st = Collect(&etags);
    for (auto& f : in_flight_) static_cast<void>(f.get());  // after a failure
    in_flight_.clear();
    if (st.ok()) {
      etags.insert(etags.begin(), done_etags_.begin(), done_etags_.end());
      st = client_->CompleteMultipartUpload(bucket_, key_, upload_id_, etags);
    }
    if (!st.ok()) {
      Abort();
      return st;
    }
    done_ = true;
    return Status::OK();
  }

  void Abort() override {
    if (done_) return;
    done_ = true;
    for (auto& f : in_flight_) static_cast<void>(f.get());
    in_flight_.clear();
    buffer_.clear();
    if (!upload_id_.empty()) {
      // Best effort; S3 lifecycle rules for incomplete uploads are the backstop.
      static_cast<void>(client_->AbortMultipartUpload(bucket_, key_, upload_id_));
    }
  }

 private:
  // Uploads buffer_ as the next part, waiting first when parallel_parts are
  // already on their way.
  Status SendPart() {
    if (upload_id_.empty()) {
      LP_ASSIGN_OR_RETURN(upload_id_, client_->CreateMultipartUpload(bucket_, key_));
    }
    while (static_cast<int>(in_flight_.size()) >= client_->options().parallel_parts) {
      LP_RETURN_IF_ERROR(Collect(&done_etags_));
    }
    const int number = ++parts_;
    auto body = std::make_shared<std::string>(std::move(buffer_));
    buffer_.clear();
    in_flight_.push_back(std::async(std::launch::async, [this, number, body] {
      return client_->UploadPart(bucket_, key_, upload_id_, number, *body);
    }));
    return Status::OK();
  }

  // Waits for the oldest part in flight and appends its ETag.
  Status Collect(std::vector<std::string>* etags) {
    Result<std::string> etag = in_flight_.front().get();
    in_flight_.pop_front();
    if (!etag.ok()) return etag.status();
    etags->push_back(std::move(etag).value());
    return Status::OK();
  }

  std::shared_ptr<S3Client> client_;
  std::string bucket_, key_, uri_;
  bool overwrite_;
  std::string buffer_;
  uint64_t position_ = 0;
  std::string upload_id_;
  int parts_ = 0;
  std::deque<std::future<Result<std::string>>> in_flight_;
  std::vector<std::string> done_etags_;  // of parts collected early, in order
  bool done_ = false;
};

class S3Store final : public ObjectStore {
 public:
  S3Store(std::shared_ptr<S3Client> client, std::string bucket)
      : client_(std::move(client)), bucket_(std::move(bucket)) {}
  std::string_view scheme() const override { return "s3"; }

  Result<std::unique_ptr<InputFile>> OpenInput(std::string_view path) override {
    const std::string key = Key(path);
    LP_ASSIGN_OR_RETURN(ObjectHead head, client_->HeadObject(bucket_, key));
    return std::unique_ptr<InputFile>(
        std::make_unique<S3InputFile>(client_, bucket_, key, head.size));
  }
  Result<std::unique_ptr<OutputStream>> OpenOutput(std::string_view path,
                                                   const OutputOptions& options) override {
    return std::unique_ptr<OutputStream>(
        std::make_unique<S3OutputStream>(client_, bucket_, Key(path), options.overwrite));
  }
  Result<std::vector<ObjectInfo>> List(std::string_view prefix) override {
    std::string key = Key(prefix);
    if (!key.empty() && key.back() != '/') key.push_back('/');
    LP_ASSIGN_OR_RETURN(std::vector<ListedObject> listed, client_->ListObjects(bucket_, key));
    std::vector<ObjectInfo> out;
    out.reserve(listed.size());
    for (ListedObject& o : listed) out.push_back(ObjectInfo{std::move(o.key), o.size});
    return out;
  }
  Status Delete(std::string_view path) override {
    return client_->DeleteObject(bucket_, Key(path));
  }

 private:
  std::shared_ptr<S3Client> client_;
  std::string bucket_;
};

// Values of one profile in an AWS ini file ("[default]" or "[profile x]" /
// "[x]"); empty when the file or profile is missing.
std::map<std::string, std::string> ReadProfile(const std::string& file, const std::string& profile,
                                               bool config_file) {
  std::map<std::string, std::string> values;
  std::ifstream in(file);
  if (!in) return values;
  const std::string want = config_file && profile != "default" ? "profile " + profile : profile;
  std::string line, section;
  const auto trim = [](std::string s) {
    const size_t a = s.find_first_not_of(" \t\r");
    const size_t b = s.find_last_not_of(" \t\r");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
  };
  while (std::getline(in, line)) {
    line = trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      section = trim(line.substr(1, line.size() - 2));
      continue;
    }
    if (section != want) continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    values.emplace(trim(line.substr(0, eq)), trim(line.substr(eq + 1)));
  }
  return values;
}

// AWS_* variables: the real environment first, then ./.env.
class AwsEnvironment {
 public:
  static Result<AwsEnvironment> Load() {
    AwsEnvironment env;
    LP_ASSIGN_OR_RETURN(std::vector<config::EnvAssignment> dotenv, config::ReadDotEnv(".env"));
    for (config::EnvAssignment& a : dotenv) {
      if (a.name.rfind("AWS_", 0) == 0) env.dotenv_[a.name] = std::move(a.value);
    }
    return env;
  }
  std::string Get(const char* name) const {
    if (const char* v = std::getenv(name); v != nullptr && *v != '\0') return v;
    auto it = dotenv_.find(name);
    return it == dotenv_.end() ? std::string() : it->second;
  }

 private:
  std::map<std::string, std::string> dotenv_;
};

void FillIfEmpty(std::string* field, const std::string& value) {
  if (field->empty()) *field = value;
}

}  // namespace

Result<std::unique_ptr<ObjectStore>> NewS3Store(std::shared_ptr<S3Client> client,
                                                std::string bucket) {
  return std::unique_ptr<ObjectStore>(
      std::make_unique<S3Store>(std::move(client), std::move(bucket)));
}

Result<S3Options> ResolveS3Options(S3Options o, bool need_credentials) {
  LP_ASSIGN_OR_RETURN(const AwsEnvironment env, AwsEnvironment::Load());
  Credentials& c = o.credentials;
  if (c.access_key_id.empty() && c.secret_access_key.empty()) {
    c.access_key_id = env.Get("AWS_ACCESS_KEY_ID");
    c.secret_access_key = env.Get("AWS_SECRET_ACCESS_KEY");
    c.session_token = env.Get("AWS_SESSION_TOKEN");
  }
  FillIfEmpty(&o.region, env.Get("AWS_REGION"));
  FillIfEmpty(&o.region, env.Get("AWS_DEFAULT_REGION"));
  FillIfEmpty(&o.endpoint, env.Get("AWS_ENDPOINT_URL_S3"));
  FillIfEmpty(&o.endpoint, env.Get("AWS_ENDPOINT_URL"));
  const std::string home = env.Get("HOME");
  FillIfEmpty(&o.profile, env.Get("AWS_PROFILE"));
  FillIfEmpty(&o.profile, "default");
  std::string credentials_file = env.Get("AWS_SHARED_CREDENTIALS_FILE");
  if (credentials_file.empty() && !home.empty()) credentials_file = home + "/.aws/credentials";
  std::string config_file = env.Get("AWS_CONFIG_FILE");
  if (config_file.empty() && !home.empty()) config_file = home + "/.aws/config";
  if (c.access_key_id.empty() && c.secret_access_key.empty()) {
    for (const auto& [file, is_config] :
         {std::make_pair(credentials_file, false), std::make_pair(config_file, true)}) {
      auto values = ReadProfile(file, o.profile, is_config);
      if (values.count("aws_access_key_id") && values.count("aws_secret_access_key")) {
        c.access_key_id = values["aws_access_key_id"];
        c.secret_access_key = values["aws_secret_access_key"];
        c.session_token = values["aws_session_token"];
        break;
      }
    }
  }
  auto config = ReadProfile(config_file, o.profile, true);
  FillIfEmpty(&o.region, config["region"]);
  FillIfEmpty(&o.endpoint, config["endpoint_url"]);
  if (o.region.empty()) o.region = "us-east-1";
  if (need_credentials && (c.access_key_id.empty() || c.secret_access_key.empty())) {
    return FailedPreconditionError(
        "no S3 credentials: set s3.access_key_id and s3.secret_access_key, or "
        "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (environment or ./.env), or add them to "
        "profile '{}' of {}",
        o.profile, credentials_file.empty() ? "~/.aws/credentials" : credentials_file);
  }
  return o;
}

void RegisterS3Store(ObjectStoreRegistry* registry, S3Options base) {
  registry->Register("s3", [base](std::string_view uri) -> Result<std::unique_ptr<ObjectStore>> {
    LP_ASSIGN_OR_RETURN(auto parts, ParseS3Uri(uri));
    LP_ASSIGN_OR_RETURN(S3Options options, ResolveS3Options(base));
    LP_ASSIGN_OR_RETURN(std::unique_ptr<S3Client> client, S3Client::Make(std::move(options)));
    return NewS3Store(std::shared_ptr<S3Client>(std::move(client)), parts.first);
  });
}

}  // namespace lakepipe::s3

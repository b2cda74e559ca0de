#include "sources/randomuser_source.h"

#include <initializer_list>
#include <random>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/redact.h"
#include "core/time_util.h"
#include "observe/log.h"
#include "sources/random.h"
#include "sources/users_source.h"

namespace lakepipe::sources {
namespace {

using Json = nlohmann::json;

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// Canonical UUID text, lower-cased into `out`; false when `text` is not one.
bool ParseUuid(std::string_view text, char* out) {
  if (text.size() != 36) return false;
  for (size_t i = 0; i < 36; ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? text[i] != '-' : !IsHex(text[i])) return false;
    out[i] = dash ? '-' : static_cast<char>(text[i] | 0x20);  // lower-case hex
  }
  return true;
}

// The first bytes of a body for messages, printable ASCII only.
std::string Excerpt(std::string_view body) {
  std::string out;
  for (char c : body.substr(0, 160)) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7F ? c : (c == '\n' || c == '\r' || c == '\t' ? ' ' : '?'));
  }
  if (body.size() > 160) out += "...";
  return out;
}

std::string DumpJson(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// The value at `path` below `root`, or null when a step is missing or not an
// object.
const Json* Find(const Json& root, std::initializer_list<const char*> path) {
  const Json* node = &root;
  for (const char* key : path) {
    if (!node->is_object()) return nullptr;
    auto it = node->find(key);
    if (it == node->end()) return nullptr;
    node = &*it;
  }
  return node;
}

std::string PathName(std::initializer_list<const char*> path) {
  std::string name;
  for (const char* key : path) {
    if (!name.empty()) name.push_back('.');
    name += key;
  }
  return name;
}

// One entry's values, checked, before anything is appended to the batch.
struct Person {
  char id[36];
  std::string_view first, last, gender, street, email, username, phone, picture;
  std::string street_number;
  std::string post_code;
  const std::string* city = nullptr;
  const std::string* state = nullptr;
  const std::string* country = nullptr;
  const std::string* nat = nullptr;
  int64_t dob = 0;
  int64_t registered = 0;
};

class EntryReader {
 public:
  explicit EntryReader(const Json& entry) : entry_(entry) {}
  const std::string& reason() const { return reason_; }

  // A required string.
  bool String(std::initializer_list<const char*> path, std::string_view* out) {
    const Json* v = Find(entry_, path);
    if (v == nullptr || v->is_null())
      return Fail(fmt::format("field {} is missing", PathName(path)));
    if (!v->is_string()) return WrongType(path, *v, "a string");
    *out = v->get_ref<const std::string&>();
    return true;
  }

  // An optional string: missing or null gives nullptr.
  bool OptionalString(std::initializer_list<const char*> path, const std::string** out) {
    const Json* v = Find(entry_, path);
    *out = nullptr;
    if (v == nullptr || v->is_null()) return true;
    if (!v->is_string()) return WrongType(path, *v, "a string");
    *out = &v->get_ref<const std::string&>();
    return true;
  }

  // A required integer or string (randomuser.me sends postcodes as either).
  bool IntegerOrString(std::initializer_list<const char*> path, std::string* out) {
    const Json* v = Find(entry_, path);
    if (v == nullptr || v->is_null())
      return Fail(fmt::format("field {} is missing", PathName(path)));
    if (v->is_string()) {
      *out = v->get_ref<const std::string&>();
    } else if (v->is_number_unsigned()) {
      *out = std::to_string(v->get<uint64_t>());
    } else if (v->is_number_integer()) {
      *out = std::to_string(v->get<int64_t>());
    } else {
      return WrongType(path, *v, "an integer or a string");
    }
    return true;
  }

  bool Timestamp(std::initializer_list<const char*> path, int64_t* millis) {
    std::string_view text;
    if (!String(path, &text)) return false;
    Result<int64_t> micros = ParseTimestampMicros(text);
    if (!micros.ok()) {
      return Fail(fmt::format("field {} is not an ISO-8601 timestamp: '{}'", PathName(path),
                              Excerpt(text)));
    }
    *millis = FloorDiv(*micros, 1000);
    return true;
  }

  bool Uuid(std::initializer_list<const char*> path, char* out) {
    std::string_view text;
    if (!String(path, &text)) return false;
    if (!ParseUuid(text, out)) {
      return Fail(fmt::format("field {} is not a UUID: '{}'", PathName(path), Excerpt(text)));
    }
    return true;
  }

 private:
  bool Fail(std::string reason) {
    reason_ = std::move(reason);
    return false;
  }
  bool WrongType(std::initializer_list<const char*> path, const Json& v, const char* expected) {
    return Fail(fmt::format("field {} is {} {}, expected {}", PathName(path),
                            v.is_array() || v.is_object() ? "an" : "a", v.type_name(), expected));
  }

  const Json& entry_;
  std::string reason_;
};

// Fills `p` from `entry`; returns the reason when the entry is unusable.
std::optional<std::string> ReadPerson(const Json& entry, Person* p) {
  if (!entry.is_object())
    return fmt::format("entry is a {}, expected an object", entry.type_name());
  EntryReader r(entry);
  const bool ok = r.Uuid({"login", "uuid"}, p->id) && r.String({"name", "first"}, &p->first) &&
                  r.String({"name", "last"}, &p->last) && r.String({"gender"}, &p->gender) &&
                  r.IntegerOrString({"location", "street", "number"}, &p->street_number) &&
                  r.String({"location", "street", "name"}, &p->street) &&
                  r.OptionalString({"location", "city"}, &p->city) &&
                  r.OptionalString({"location", "state"}, &p->state) &&
                  r.OptionalString({"location", "country"}, &p->country) &&
                  r.IntegerOrString({"location", "postcode"}, &p->post_code) &&
                  r.String({"email"}, &p->email) && r.String({"login", "username"}, &p->username) &&
                  r.Timestamp({"dob", "date"}, &p->dob) &&
                  r.Timestamp({"registered", "date"}, &p->registered) &&
                  r.String({"phone"}, &p->phone) && r.String({"picture", "large"}, &p->picture) &&
                  r.OptionalString({"nat"}, &p->nat);
  if (ok) return std::nullopt;
  return r.reason();
}

void AppendOptional(Column& column, const std::string* value) {
  if (value == nullptr) {
    column.AppendNull();
  } else {
    column.AppendBytes(*value);
  }
}

void AppendPerson(const Person& p, const UserColumns& c, RecordBatch* batch) {
  batch->column(c.id).AppendBytes(std::string_view(p.id, sizeof(p.id)));
  batch->column(c.first_name).AppendBytes(p.first);
  batch->column(c.last_name).AppendBytes(p.last);
  batch->column(c.gender).AppendBytes(p.gender);
  Column& address = batch->column(c.address);
  std::string* out = address.BeginBytes();
  out->append(p.street_number).append(" ").append(p.street);
  for (const std::string* part : {p.city, p.state, p.country}) {
    if (part != nullptr) out->append(", ").append(*part);
  }
  address.EndBytes();
  batch->column(c.post_code).AppendBytes(p.post_code);
  batch->column(c.email).AppendBytes(p.email);
  batch->column(c.username).AppendBytes(p.username);
  batch->column(c.dob).AppendInt64(p.dob);
  batch->column(c.registered).AppendInt64(p.registered);
  batch->column(c.phone).AppendBytes(p.phone);
  batch->column(c.picture).AppendBytes(p.picture);
  AppendOptional(batch->column(c.city), p.city);
  AppendOptional(batch->column(c.state), p.state);
  AppendOptional(batch->column(c.country), p.country);
  AppendOptional(batch->column(c.nat), p.nat);
  batch->CommitRow();
}

// The API shape: appends `v` (the value of `f` at `path`; null when
// missing) to `column` as the schema says, keeping the API's nesting.
// Returns false with `*reason` set when the value does not fit; the row is
// then rolled back by the caller.
bool AppendApiValue(const Field& f, const Json* v, const std::string& path, Column& column,
                    std::string* reason) {
  if (v == nullptr || v->is_null()) {
    if (!f.nullable) {
      *reason = fmt::format("field {} is missing", path);
      return false;
    }
    column.AppendNull();
    return true;
  }
  auto wrong = [&](const char* expected) {
    *reason = fmt::format("field {} is {} {}, expected {}", path,
                          v->is_array() || v->is_object() ? "an" : "a", v->type_name(), expected);
    return false;
  };
  switch (f.kind()) {
    case Kind::kStruct: {
      if (!v->is_object()) return wrong("an object");
      column.AppendStruct();
      for (size_t i = 0; i < f.children.size(); ++i) {
        const Field& child = f.children[i];
        auto it = v->find(child.name);
        if (!AppendApiValue(child, it == v->end() ? nullptr : &*it, path + "." + child.name,
                            column.child(i), reason)) {
          return false;
        }
      }
      return true;
    }
    case Kind::kString:
      // The API sends postcodes as numbers or strings: numbers as their digits.
      if (v->is_number_integer()) {
        column.AppendBytes(v->is_number_unsigned() ? std::to_string(v->get<uint64_t>())
                                                   : std::to_string(v->get<int64_t>()));
        return true;
      }
      if (!v->is_string()) return wrong("a string");
      column.AppendBytes(v->get_ref<const std::string&>());
      return true;
    case Kind::kUuid: {
      if (!v->is_string()) return wrong("a UUID string");
      const std::string& text = v->get_ref<const std::string&>();
      char id[36];
      if (!ParseUuid(text, id)) {
        *reason = fmt::format("field {} is not a UUID: '{}'", path, Excerpt(text));
        return false;
      }
      column.AppendBytes(std::string_view(id, sizeof(id)));
      return true;
    }
    case Kind::kInt32:
      if (!v->is_number_integer()) return wrong("an integer");
      if (v->is_number_unsigned()
              ? v->get<uint64_t>() > INT32_MAX
              : v->get<int64_t>() < INT32_MIN || v->get<int64_t>() > INT32_MAX) {
        *reason = fmt::format("field {} is out of range: {}", path, DumpJson(*v));
        return false;
      }
      column.AppendInt32(static_cast<int32_t>(v->get<int64_t>()));
      return true;
    case Kind::kTimestamp: {
      if (!v->is_string()) return wrong("an ISO-8601 timestamp string");
      const std::string& text = v->get_ref<const std::string&>();
      Result<int64_t> micros = ParseTimestampMicros(text);
      if (!micros.ok()) {
        *reason = fmt::format("field {} is not an ISO-8601 timestamp: '{}'", path, Excerpt(text));
        return false;
      }
      column.AppendInt64(f.unit == TimeUnit::kMillis ? FloorDiv(*micros, 1000) : *micros);
      return true;
    }
    default:
      *reason = fmt::format("field {} is {}, which the randomuser source does not fill", path,
                            f.Describe());
      return false;
  }
}

// Appends `entry` as a row of the API shape; the reason when it does not fit.
std::optional<std::string> AppendApiPerson(const Json& entry, RecordBatch* batch) {
  if (!entry.is_object()) {
    return fmt::format("entry is a {}, expected an object", entry.type_name());
  }
  const Schema& schema = *batch->schema();
  std::string reason;
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    const Field& f = schema.field(i);
    auto it = entry.find(f.name);
    if (!AppendApiValue(f, it == entry.end() ? nullptr : &*it, f.name, batch->column(i), &reason)) {
      batch->RollbackRow();
      return reason;
    }
  }
  batch->CommitRow();
  return std::nullopt;
}

// Why a 200 response cannot be used, or nullopt with `*results` set.
std::optional<std::string> ParseBody(const std::string& body, Json* results) {
  Json doc = Json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return fmt::format("a body that is not JSON: '{}'", Excerpt(body));
  if (!doc.is_object()) return fmt::format("a JSON {} instead of an object", doc.type_name());
  if (auto it = doc.find("error"); it != doc.end()) {
    return fmt::format("an error: {}", Excerpt(it->is_string() ? it->get_ref<const std::string&>()
                                                               : DumpJson(*it)));
  }
  auto it = doc.find("results");
  if (it == doc.end() || !it->is_array()) {
    return fmt::format("JSON without a \"results\" array: '{}'", Excerpt(body));
  }
  if (it->empty()) return std::string("an empty \"results\" array");
  *results = std::move(*it);
  return std::nullopt;
}

class RandomUserSource final : public Source {
 public:
  RandomUserSource(const SourceOptions& options, UserColumns columns)
      : options_(options), cols_(columns), jitter_(std::random_device{}()) {}

  const SchemaPtr& schema() const override { return UserSchemaPtr(options_.shape); }
  std::string default_key_field() const override {
    return options_.shape == UserShape::kApi ? "login.uuid" : "id";
  }
  uint64_t rejected() const override { return rejected_; }

  Result<bool> Next(RecordBatch* batch, size_t max_rows) override {
    if (max_rows == 0) return InvalidArgumentError("randomuser: max_rows must be positive");
    batch->Clear();
    try {
      int unusable_responses = 0;
      while (batch->num_rows() < max_rows) {
        if (cursor_ >= results_.size()) {
          if (batch->num_rows() > 0) break;  // serve what we have before the next request
          if (fetched_ > 0 && accepted_in_response_ == 0 && ++unusable_responses >= kBodyAttempts) {
            return InvalidArgumentError(
                "{}: {} responses in a row had no usable entry; see the rejected records",
                last_url_, unusable_responses);
          }
          LP_RETURN_IF_ERROR(Fetch());
          continue;
        }
        const size_t index = cursor_++;
        const Json& entry = results_[index];
        if (std::optional<std::string> reason = Append(entry, batch)) {
          LP_RETURN_IF_ERROR(Reject(index, *reason, entry));
          continue;
        }
        ++accepted_in_response_;
      }
    } catch (const nlohmann::json::exception& e) {
      return InternalError("{}: unexpected JSON error: {}", MaskUrlCredentials(last_url_),
                           e.what());
    }
    return true;
  }

 private:
  Status Reject(size_t index, const std::string& reason, const Json& entry) {
    const std::string where = fmt::format("results[{}]: {}", index, reason);
    if (!options_.bad_records) {
      return InvalidArgumentError("{}: {} (pass a bad-records sink to skip such entries)",
                                  last_url_, where);
    }
    ++rejected_;
    BadRecord bad;
    bad.source = last_url_;
    bad.reason = where;
    bad.raw = DumpJson(entry);
    return options_.bad_records(bad);
  }

  // Appends `entry` in the source's shape; the reason when it is unusable.
  std::optional<std::string> Append(const Json& entry, RecordBatch* batch) const {
    if (options_.shape == UserShape::kApi) return AppendApiPerson(entry, batch);
    Person person;
    if (std::optional<std::string> reason = ReadPerson(entry, &person)) return reason;
    AppendPerson(person, cols_, batch);
    return std::nullopt;
  }

  static void LogRetry(const RetryEvent& e) {
    observe::Log(observe::LogLevel::kWarning, "randomuser", RetryLine(e));
  }

  // Replaces results_ with the next response's entries.
  Status Fetch() {
    ++fetched_;
    HttpRequest request;
    request.url = RandomUserRequestUrl(options_.url, options_.batch, options_.seed, fetched_);
    request.timeout = options_.timeout;
    request.headers = {{"Accept", "application/json"}};
    last_url_ = request.url;
    const auto start = std::chrono::steady_clock::now();
    for (int attempt = 1;; ++attempt) {
      LP_ASSIGN_OR_RETURN(HttpResponse response,
                          SendWithRetry(client_, request, options_.retry, LogRetry));
      if (response.status < 200 || response.status > 299) {
        return InvalidArgumentError("GET {} returned HTTP {}: '{}'; check the URL",
                                    MaskUrlCredentials(request.url), response.status,
                                    Excerpt(response.body));
      }
      Json results;
      std::optional<std::string> problem = ParseBody(response.body, &results);
      if (!problem) {
        results_ = std::move(results);
        cursor_ = 0;
        accepted_in_response_ = 0;
        return Status::OK();
      }
      const std::chrono::milliseconds delay = BackoffDelay(options_.retry, attempt, jitter_);
      const auto elapsed = std::chrono::steady_clock::now() - start;
      if (attempt >= kBodyAttempts || elapsed + delay > options_.retry.deadline) {
        return UnavailableError("GET {} returned HTTP {} with {} ({} attempts)",
                                MaskUrlCredentials(request.url), response.status, *problem,
                                attempt);
      }
      LogRetry(RetryEvent{attempt, kBodyAttempts - 1, request.method, request.url,
                          fmt::format("HTTP {} with {}", response.status, *problem), delay});
      std::this_thread::sleep_for(delay);
    }
  }

  SourceOptions options_;
  UserColumns cols_;
  HttpClient client_;
  std::mt19937_64 jitter_;
  Json results_ = Json::array();
  size_t cursor_ = 0;
  uint64_t fetched_ = 0;
  uint64_t accepted_in_response_ = 0;
  uint64_t rejected_ = 0;
  std::string last_url_;
};

// True for the query parameter `param` ("results=5") named `name`.
bool IsParam(std::string_view param, std::string_view name) {
  return param.substr(0, param.find('=')) == name;
}

}  // namespace

std::string RandomUserRequestUrl(std::string_view url, size_t batch, std::optional<uint64_t> seed,
                                 uint64_t page) {
  std::string_view fragment;
  if (const size_t hash = url.find('#'); hash != std::string_view::npos) {
    fragment = url.substr(hash);
    url = url.substr(0, hash);
  }
  std::string_view query;
  if (const size_t q = url.find('?'); q != std::string_view::npos) {
    query = url.substr(q + 1);
    url = url.substr(0, q);
  }
  std::string out(url);
  out += "?results=" + std::to_string(batch);
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (param.empty() || IsParam(param, "results")) continue;
    if (seed && (IsParam(param, "seed") || IsParam(param, "page"))) continue;
    out.push_back('&');
    out.append(param);
  }
  if (seed) out += fmt::format("&seed={}&page={}", *seed, page);
  out.append(fragment);
  return out;
}

Result<std::unique_ptr<Source>> NewRandomUserSource(const SourceOptions& options) {
  if (options.batch < 1 || options.batch > kMaxRandomUserBatch) {
    return InvalidArgumentError(
        "randomuser: batch {} is out of range: the API returns 1 to {} results per request",
        options.batch, kMaxRandomUserBatch);
  }
  if (options.url.rfind("http://", 0) != 0 && options.url.rfind("https://", 0) != 0) {
    return InvalidArgumentError("randomuser: URL '{}' must start with http:// or https://",
                                options.url);
  }
  LP_ASSIGN_OR_RETURN(UserColumns columns, ResolveUserColumns(UserSchema()));
  return std::unique_ptr<Source>(std::make_unique<RandomUserSource>(options, columns));
}

}  // namespace lakepipe::sources

#include "jobs/clean_rules.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/time_util.h"
#include "jobs/lake.h"
#include "sources/builtin_schemas.h"

namespace lakepipe::jobs {
namespace {

constexpr int64_t kMillisPerDay = 86400000;

// ASCII only, without the locale lookups of <cctype>.
bool IsSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
char ToLower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
char ToUpper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToLower(c);
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ToUpper(c);
  return out;
}

// At most 60 characters of a value, for messages.
std::string Quote(std::string_view s) {
  return s.size() <= 60 ? fmt::format("'{}'", s) : fmt::format("'{}...'", s.substr(0, 60));
}

int32_t DayOf(int64_t millis) { return static_cast<int32_t>(FloorDiv(millis, kMillisPerDay)); }

class UsersRules final : public CleanRules {
 public:
  explicit UsersRules(int32_t as_of) : as_of_(as_of) {
    Result<Schema> raw = Schema::FromAvroJson(sources::UserAvsc());
    raw_ = std::make_shared<const Schema>(std::move(raw).value());  // compiled in: parses
    for (size_t i = 0; i < kRawFields.size(); ++i) raw_index_[i] = raw_->FieldIndex(kRawFields[i]);
    std::vector<Field> fields = {
        TableField("id", Type::kString, LogicalType::kUuid),
        TableField("first_name", Type::kString),
        TableField("last_name", Type::kString),
        TableField("gender", Type::kString),
        TableField("email", Type::kString),
        TableField("email_domain", Type::kString),
        TableField("username", Type::kString),
        TableField("phone", Type::kString),
        TableField("address", Type::kString),
        TableField("post_code", Type::kString),
        TableField("city", Type::kString, LogicalType::kNone, true),
        TableField("state", Type::kString, LogicalType::kNone, true),
        TableField("country", Type::kString, LogicalType::kNone, true),
        TableField("nat", Type::kString, LogicalType::kNone, true),
        TableField("picture", Type::kString),
        TableField("dob", Type::kLong, LogicalType::kTimestampMillis),
        TableField("dob_date", Type::kInt, LogicalType::kDate),
        TableField("age", Type::kInt),
        TableField("age_group", Type::kString),
        TableField("registered_date", Type::kLong, LogicalType::kTimestampMillis),
        TableField("registration_date", Type::kInt, LogicalType::kDate),
        TableField("tenure_days", Type::kInt),
    };
    clean_ = std::make_shared<const Schema>("CleanUser", std::move(fields), "lakepipe.users");
  }

  std::string_view table() const override { return "users"; }
  const SchemaPtr& raw_schema() const override { return raw_; }
  const SchemaPtr& clean_schema() const override { return clean_; }
  int key_column() const override { return 0; }

  bool Apply(const RecordBatch& raw, size_t row, const PartitionSink& sink,
             Rejection* rejection) const override {
    auto text = [&](RawField f) { return Trim(raw.column(raw_index_[f]).GetBytes(row)); };
    auto optional = [&](RawField f) -> std::optional<std::string_view> {
      const Column& c = raw.column(raw_index_[f]);
      if (c.IsNull(row)) return std::nullopt;
      std::string_view v = Trim(c.GetBytes(row));
      if (v.empty()) return std::nullopt;
      return v;
    };
    auto reject = [&](std::string rule, std::string reason) {
      *rejection = Rejection{std::move(rule), std::move(reason)};
      return false;
    };
    const std::string_view id = text(kId);
    if (!IsUuid(id)) return reject("id", fmt::format("id {} is not a UUID", Quote(id)));
    const std::string_view first = text(kFirstName), last = text(kLastName);
    if (first.empty()) return reject("first_name", "first_name is empty");
    if (last.empty()) return reject("last_name", "last_name is empty");
    const std::string email = Lower(text(kEmail));
    if (!IsEmailAddress(email)) {
      return reject("email", fmt::format("email {} is not an email address", Quote(email)));
    }
    const std::string gender = Lower(text(kGender));
    if (gender != "female" && gender != "male") {
      return reject("gender", fmt::format("gender {} is not female or male", Quote(gender)));
    }
    const int64_t dob = raw.column(raw_index_[kDob]).GetInt64(row);
    const int64_t registered = raw.column(raw_index_[kRegistered]).GetInt64(row);
    const int32_t dob_day = DayOf(dob), registered_day = DayOf(registered);
    if (dob_day < kEarliestBirth || dob_day > as_of_) {
      return reject("dob", fmt::format("dob {} is not a plausible date of birth (1900-01-01 to {})",
                                       FormatDate(dob_day), FormatDate(as_of_)));
    }
    if (registered_day < kEarliestRegistration || registered_day > as_of_) {
      return reject("registered_date", fmt::format("registered_date {} is outside 2000-01-01 to {}",
                                                   FormatDate(registered_day), FormatDate(as_of_)));
    }
    if (dob_day > registered_day) {
      return reject("dob", fmt::format("dob {} is after registered_date {}", FormatDate(dob_day),
                                       FormatDate(registered_day)));
    }
    std::string phone;
    for (char c : text(kPhone)) {
      if (c >= '0' && c <= '9') phone.push_back(c);
    }
    const int age = AgeInYears(dob_day, as_of_);
    const std::string_view domain = std::string_view(email).substr(email.rfind('@') + 1);

    char name[32];
    const auto end = fmt::format_to_n(name, sizeof(name), "registration_year={}",
                                      CivilFromDays(registered_day).year);
    RecordBatch* out = sink(std::string_view(name, end.out - name));
    auto col = [&](int i) -> Column& { return out->column(static_cast<size_t>(i)); };
    auto put_optional = [&](int i, std::optional<std::string_view> v, bool upper = false) {
      if (v) {
        col(i).AppendBytes(upper ? Upper(*v) : std::string(*v));
      } else {
        col(i).AppendNull();
      }
    };
    col(0).AppendBytes(Lower(id));
    col(1).AppendBytes(first);
    col(2).AppendBytes(last);
    col(3).AppendBytes(gender);
    col(4).AppendBytes(email);
    col(5).AppendBytes(domain);
    col(6).AppendBytes(text(kUsername));
    col(7).AppendBytes(phone);
    col(8).AppendBytes(text(kAddress));
    col(9).AppendBytes(text(kPostCode));
    put_optional(10, optional(kCity));
    put_optional(11, optional(kState));
    put_optional(12, optional(kCountry));
    put_optional(13, optional(kNat), true);
    col(14).AppendBytes(text(kPicture));
    col(15).AppendInt64(dob);
    col(16).AppendInt32(dob_day);
    col(17).AppendInt32(age);
    col(18).AppendBytes(AgeGroup(age));
    col(19).AppendInt64(registered);
    col(20).AppendInt32(registered_day);
    col(21).AppendInt32(as_of_ - registered_day);
    out->CommitRow();
    return true;
  }

 private:
  enum RawField {
    kId,
    kFirstName,
    kLastName,
    kGender,
    kAddress,
    kPostCode,
    kEmail,
    kUsername,
    kDob,
    kRegistered,
    kPhone,
    kPicture,
    kCity,
    kState,
    kCountry,
    kNat,
    kNumRawFields
  };
  static constexpr std::array<const char*, kNumRawFields> kRawFields = {
      "id",       "first_name", "last_name",       "gender", "address", "post_code", "email",
      "username", "dob",        "registered_date", "phone",  "picture", "city",      "state",
      "country",  "nat"};
  static inline const int32_t kEarliestBirth = static_cast<int32_t>(DaysFromCivil(1900, 1, 1));
  static inline const int32_t kEarliestRegistration =
      static_cast<int32_t>(DaysFromCivil(2000, 1, 1));

  int32_t as_of_;
  SchemaPtr raw_, clean_;
  std::array<int, kNumRawFields> raw_index_{};
};

class ActivityRules final : public CleanRules {
 public:
  explicit ActivityRules(int32_t as_of) : as_of_(as_of) {
    Result<Schema> raw = Schema::FromAvroJson(sources::UserActivityAvsc());
    raw_ = std::make_shared<const Schema>(std::move(raw).value());  // compiled in: parses
    for (size_t i = 0; i < kRawFields.size(); ++i) raw_index_[i] = raw_->FieldIndex(kRawFields[i]);
    const Field& type = raw_->field(static_cast<size_t>(raw_index_[kEventType]));
    symbols_ = type.symbols;
    std::vector<Field> fields = {
        TableField("event_id", Type::kString, LogicalType::kUuid),
        TableField("user_id", Type::kString),
        TableField("session_id", Type::kString),
        TableField("session_ordinal", Type::kInt),
        TableField("event_type", Type::kString),
        TableField("event_time", Type::kLong, LogicalType::kTimestampMillis),
        TableField("page_url", Type::kString),
        TableField("product_id", Type::kString, LogicalType::kNone, true),
        TableField("price", Type::kDouble, LogicalType::kNone, true),
        TableField("quantity", Type::kInt, LogicalType::kNone, true),
        TableField("revenue", Type::kDouble, LogicalType::kNone, true),
        TableField("device", Type::kString),
        TableField("country", Type::kString),
    };
    clean_ =
        std::make_shared<const Schema>("CleanUserActivity", std::move(fields), "lakepipe.activity");
  }

  std::string_view table() const override { return "user_activity"; }
  const SchemaPtr& raw_schema() const override { return raw_; }
  const SchemaPtr& clean_schema() const override { return clean_; }
  int key_column() const override { return 0; }

  bool Apply(const RecordBatch& raw, size_t row, const PartitionSink& sink,
             Rejection* rejection) const override {
    auto col = [&](RawField f) -> const Column& { return raw.column(raw_index_[f]); };
    auto text = [&](RawField f) { return Trim(col(f).GetBytes(row)); };
    auto reject = [&](std::string rule, std::string reason) {
      *rejection = Rejection{std::move(rule), std::move(reason)};
      return false;
    };
    const std::string_view event_id = text(kEventId);
    if (!IsUuid(event_id)) {
      return reject("event_id", fmt::format("event_id {} is not a UUID", Quote(event_id)));
    }
    const std::string_view user = text(kUserId), session = text(kSessionId);
    if (user.empty()) return reject("user_id", "user_id is empty");
    if (session.empty()) return reject("session_id", "session_id is empty");
    const int32_t symbol = col(kEventType).GetInt32(row);
    const std::string& type = symbols_[static_cast<size_t>(symbol)];
    const int64_t time = col(kEventTime).GetInt64(row);
    const int32_t day = DayOf(time);
    if (day < kEarliest || day > as_of_) {
      return reject("event_time", fmt::format("event_time {} is outside 2000-01-01 to {}",
                                              FormatDate(day), FormatDate(as_of_)));
    }
    const std::string device = Lower(text(kDevice));
    if (device != "mobile" && device != "desktop" && device != "tablet") {
      return reject("device",
                    fmt::format("device {} is not mobile, desktop or tablet", Quote(device)));
    }
    const std::string country = Upper(text(kCountry));
    if (country.size() != 2 || !std::isalpha(static_cast<unsigned char>(country[0])) ||
        !std::isalpha(static_cast<unsigned char>(country[1]))) {
      return reject("country", fmt::format("country {} is not a two-letter code", Quote(country)));
    }
    std::optional<std::string_view> product;
    if (!col(kProductId).IsNull(row) && !text(kProductId).empty()) product = text(kProductId);
    std::optional<double> price;
    if (!col(kPrice).IsNull(row)) price = col(kPrice).GetDouble(row);
    std::optional<int32_t> quantity;
    if (!col(kQuantity).IsNull(row)) quantity = col(kQuantity).GetInt32(row);
    if (price && !(*price >= 0)) {
      return reject("price", fmt::format("price {} is negative", *price));
    }
    if (quantity && *quantity < 1) {
      return reject("quantity", fmt::format("quantity {} is below 1", *quantity));
    }
    if (type != "page_view" && (!product || !price || !quantity)) {
      return reject("product_id",
                    fmt::format("a {} event needs product_id, price and quantity", type));
    }
    std::optional<double> revenue;
    if (type == "purchase") revenue = *price * *quantity;

    const int64_t hour = FloorDiv(FloorMod(time, kMillisPerDay), 3600000);
    const CivilDate date = CivilFromDays(day);
    char name[48];
    const auto end = fmt::format_to_n(name, sizeof(name), "event_date={:04}-{:02}-{:02}/hour={:02}",
                                      date.year, date.month, date.day, hour);
    RecordBatch* out = sink(std::string_view(name, end.out - name));
    auto out_col = [&](int i) -> Column& { return out->column(static_cast<size_t>(i)); };
    out_col(0).AppendBytes(Lower(event_id));
    out_col(1).AppendBytes(user);
    out_col(2).AppendBytes(session);
    out_col(3).AppendInt32(0);  // session ordinal: set by Sequence()
    out_col(4).AppendBytes(type);
    out_col(5).AppendInt64(time);
    out_col(6).AppendBytes(text(kPageUrl));
    product ? out_col(7).AppendBytes(*product) : out_col(7).AppendNull();
    price ? out_col(8).AppendDouble(*price) : out_col(8).AppendNull();
    quantity ? out_col(9).AppendInt32(*quantity) : out_col(9).AppendNull();
    revenue ? out_col(10).AppendDouble(*revenue) : out_col(10).AppendNull();
    out_col(11).AppendBytes(device);
    out_col(12).AppendBytes(country);
    out->CommitRow();
    return true;
  }

  std::string SequenceGroup(const std::string& partition) const override {
    return partition.substr(0, partition.find('/'));  // event_date=...
  }
  std::vector<std::string> SequenceColumns() const override { return {"session_id"}; }
  void Observe(const RecordBatch& rows, SequenceState* state) const override {
    for (size_t i = 0; i < rows.num_rows(); ++i)
      ++(*state)[std::string(rows.column(0).GetBytes(i))];
  }
  void Sequence(RecordBatch* rows, const std::vector<uint8_t>& keep,
                SequenceState* state) const override {
    // Kept rows in (session, event time, event id) order get consecutive ordinals.
    std::vector<size_t> order;
    for (size_t i = 0; i < rows->num_rows(); ++i) {
      if (keep[i]) order.push_back(i);
    }
    const Column& session = rows->column(2);
    const Column& time = rows->column(5);
    const Column& id = rows->column(0);
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      if (session.GetBytes(a) != session.GetBytes(b))
        return session.GetBytes(a) < session.GetBytes(b);
      if (time.GetInt64(a) != time.GetInt64(b)) return time.GetInt64(a) < time.GetInt64(b);
      return id.GetBytes(a) < id.GetBytes(b);
    });
    for (size_t i : order) {
      rows->column(3).SetInt32(i, ++(*state)[std::string(session.GetBytes(i))]);
    }
  }

 private:
  enum RawField {
    kEventId,
    kUserId,
    kSessionId,
    kEventType,
    kEventTime,
    kPageUrl,
    kProductId,
    kPrice,
    kQuantity,
    kDevice,
    kCountry,
    kNumRawFields
  };
  static constexpr std::array<const char*, kNumRawFields> kRawFields = {
      "event_id",   "user_id", "session_id", "event_type", "event_time", "page_url",
      "product_id", "price",   "quantity",   "device",     "country"};
  static inline const int32_t kEarliest = static_cast<int32_t>(DaysFromCivil(2000, 1, 1));

  int32_t as_of_;
  SchemaPtr raw_, clean_;
  std::array<int, kNumRawFields> raw_index_{};
  std::vector<std::string> symbols_;
};

}  // namespace

bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

bool IsEmailAddress(std::string_view s) {
  const size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (char c : s) {
    if (IsSpace(c) || c == ',' || c == ';' || c == '<' || c == '>') {
      return false;
    }
  }
  const std::string_view domain = s.substr(at + 1);
  const size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size()) return false;
  if (domain.front() == '.' || domain.find("..") != std::string_view::npos) return false;
  return true;
}

int AgeInYears(int32_t born, int32_t at) {
  const CivilDate b = CivilFromDays(born), a = CivilFromDays(at);
  int age = static_cast<int>(a.year - b.year);
  if (a.month < b.month || (a.month == b.month && a.day < b.day)) --age;
  return age;
}

std::string_view AgeGroup(int age) {
  if (age < 18) return "under 18";
  if (age < 25) return "18-24";
  if (age < 35) return "25-34";
  if (age < 45) return "35-44";
  if (age < 55) return "45-54";
  if (age < 65) return "55-64";
  return "65+";
}

std::unique_ptr<CleanRules> NewUsersRules(int32_t as_of) {
  return std::make_unique<UsersRules>(as_of);
}

std::unique_ptr<CleanRules> NewActivityRules(int32_t as_of) {
  return std::make_unique<ActivityRules>(as_of);
}

const std::vector<std::string>& TablesWithJobs() {
  static const std::vector<std::string> kTables = {"users", "user_activity"};
  return kTables;
}

Status CheckTableHasJobs(std::string_view table) {
  const std::vector<std::string>& tables = TablesWithJobs();
  if (std::find(tables.begin(), tables.end(), table) != tables.end()) return Status::OK();
  return InvalidArgumentError(
      "table '{}' has no jobs: the tables with jobs are {}; archive a topic under one of these "
      "names with lakepipe archive --topic TOPIC --table {} (or --table {})",
      table, fmt::join(tables, " and "), tables[0], tables[1]);
}

Result<std::unique_ptr<CleanRules>> NewCleanRules(std::string_view table, int32_t as_of) {
  LP_RETURN_IF_ERROR(CheckTableHasJobs(table));
  if (table == "users") return NewUsersRules(as_of);
  return NewActivityRules(as_of);
}

}  // namespace lakepipe::jobs

#include "sources/users_source.h"

#include <map>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/column_json.h"
#include "core/time_util.h"
#include "sources/nationalities.h"
#include "sources/test_util.h"
#include "sources/users_api.h"

namespace lakepipe::sources {
namespace {

using testing::Collect;
using testing::IsAscii;
using testing::IsUuid4;
using testing::IsValidUtf8;

std::unique_ptr<Source> OpenUsers(std::optional<uint64_t> seed,
                                  UserShape shape = UserShape::kFlat) {
  SourceOptions options;
  options.seed = seed;
  options.shape = shape;
  Result<std::unique_ptr<Source>> source = OpenSource("users", options);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  return source.ok() ? std::move(source).value() : nullptr;
}

RecordBatch Generate(Source& source, size_t rows) {
  RecordBatch batch(source.schema());
  Result<bool> more = source.Next(&batch, rows);
  EXPECT_TRUE(more.ok() && *more) << more.status().ToString();
  return batch;
}

struct Columns {
  explicit Columns(const Schema& s) {
    for (size_t i = 0; i < s.num_fields(); ++i) index[s.field(i).name] = i;
  }
  std::map<std::string, size_t> index;
};

TEST(UsersSourceTest, EveryRecordIsValidForTheSchema) {
  std::unique_ptr<Source> users = OpenUsers(42);
  ASSERT_NE(users, nullptr);
  const RecordBatch batch = Generate(*users, 10000);
  ASSERT_EQ(batch.num_rows(), 10000u);
  const Columns c(*batch.schema());
  auto str = [&](const char* field, size_t row) {
    return batch.column(c.index.at(field)).GetBytes(row);
  };

  // Display text and Latin spelling of every name → its e-mail form.
  std::map<std::string_view, std::string_view> email_form;
  std::map<std::string_view, const Nationality*> by_code;
  for (const Nationality& n : Nationalities()) {
    by_code[n.nat] = &n;
    for (const auto* list : {&n.male, &n.female, &n.last}) {
      for (const Name& name : *list) {
        email_form[name.text] = name.email;
        email_form[name.latin] = name.email;
        EXPECT_FALSE(name.email.empty()) << name.text;
        EXPECT_TRUE(IsAscii(name.email)) << name.text;
      }
    }
  }

  const int64_t now = kSeededNowMillis;
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    SCOPED_TRACE(testing::RowJson(batch, r));
    for (size_t col = 0; col < batch.num_columns(); ++col) {
      ASSERT_TRUE(batch.column(col).IsValid(r));  // generators leave nothing null
      if (batch.column(col).storage() == Storage::kBinary) {
        EXPECT_TRUE(IsValidUtf8(batch.column(col).GetBytes(r)));
        EXPECT_FALSE(batch.column(col).GetBytes(r).empty());
      }
    }
    EXPECT_TRUE(IsUuid4(str("id", r)));
    const std::string_view gender = str("gender", r);
    ASSERT_TRUE(gender == "male" || gender == "female");
    const std::string_view nat = str("nat", r);
    ASSERT_EQ(by_code.count(nat), 1u);
    const Nationality& n = *by_code[nat];
    EXPECT_EQ(str("country", r), n.country);

    // Names of that nationality and gender; the e-mail is made of them.
    const std::string_view first = str("first_name", r);
    const std::string_view last = str("last_name", r);
    ASSERT_TRUE(email_form.count(first) && email_form.count(last));
    const std::string_view email = str("email", r);
    EXPECT_TRUE(IsAscii(email));
    EXPECT_NE(email.find(email_form[first]), std::string_view::npos);
    EXPECT_NE(email.find(email_form[last]), std::string_view::npos);
    EXPECT_EQ(std::count(email.begin(), email.end(), '@'), 1);
    EXPECT_NE(email.find('.', email.find('@')), std::string_view::npos);

    // The address ends with its city, state and country.
    const std::string address(str("address", r));
    const std::string tail = ", " + std::string(str("city", r)) + ", " +
                             std::string(str("state", r)) + ", " + std::string(n.country);
    ASSERT_GT(address.size(), tail.size());
    EXPECT_EQ(address.substr(address.size() - tail.size()), tail);
    EXPECT_TRUE(address[0] >= '1' && address[0] <= '9');

    EXPECT_TRUE(IsAscii(str("post_code", r)));
    EXPECT_TRUE(IsAscii(str("username", r)));
    const std::string_view phone = str("phone", r);
    EXPECT_GE(
        std::count_if(phone.begin(), phone.end(), [](char ch) { return ch >= '0' && ch <= '9'; }),
        7);
    const std::string picture(str("picture", r));
    EXPECT_EQ(picture.rfind(gender == "male" ? "https://randomuser.me/api/portraits/men/"
                                             : "https://randomuser.me/api/portraits/women/",
                            0),
              0u);

    // Ages 18 to 80; registered in the last 20 years, at 18 or older.
    const int64_t dob = batch.column(c.index.at("dob")).GetInt64(r);
    const int64_t registered = batch.column(c.index.at("registered_date")).GetInt64(r);
    EXPECT_LE(dob, now - 18 * kMillisPerYear);
    EXPECT_GT(dob, now - 80 * kMillisPerYear);
    EXPECT_LE(registered, now);
    EXPECT_GE(registered, now - 20 * kMillisPerYear);
    EXPECT_GE(registered, dob + 18 * kMillisPerYear);
  }
}

TEST(UsersSourceTest, SameSeedSameRecordsWhateverTheBatchSizes) {
  std::unique_ptr<Source> a = OpenUsers(7);
  std::unique_ptr<Source> b = OpenUsers(7);
  std::unique_ptr<Source> c = OpenUsers(8);
  const std::vector<std::string> rows_a = Collect(*a, 3000, 1000);
  const std::vector<std::string> rows_b = Collect(*b, 3000, 77);
  const std::vector<std::string> rows_c = Collect(*c, 3000, 1000);
  ASSERT_EQ(rows_a.size(), 3000u);
  EXPECT_EQ(rows_a, rows_b);
  size_t same = 0;
  for (size_t i = 0; i < rows_a.size(); ++i) same += rows_a[i] == rows_c[i];
  EXPECT_EQ(same, 0u);
  // Unseeded sources differ from each other.
  std::unique_ptr<Source> r1 = OpenUsers(std::nullopt);
  std::unique_ptr<Source> r2 = OpenUsers(std::nullopt);
  EXPECT_NE(Collect(*r1, 10, 10), Collect(*r2, 10, 10));
}

// A fixed output for a fixed seed: catches changes that would make the same
// seed give other people on another build or machine.
TEST(UsersSourceTest, SeededOutputIsStable) {
  std::unique_ptr<Source> users = OpenUsers(42);
  const RecordBatch batch = Generate(*users, 1);
  const std::string row = testing::RowJson(batch, 0);
  const char* kExpected =
      R"({"id":"814dadc2-8b79-4462-8dbc-3778e0c6bb54","first_name":"Florence","last_name":"Hughes",)"
      R"("gender":"female","address":"2960 Mill Lane, Cardiff, Cardiff, United Kingdom",)"
      R"("post_code":"L7S 8WL","email":"florence.hughes@icloud.com","username":"crazymonkey708",)"
      R"("dob":"1974-07-01T23:32:16.518Z","registered_date":"2019-08-04T08:31:48.988Z",)"
      R"("phone":"027 5590 0505","picture":"https://randomuser.me/api/portraits/women/88.jpg",)"
      R"("city":"Cardiff","state":"Cardiff","country":"United Kingdom","nat":"GB"})";
  EXPECT_EQ(row, kExpected);
}

TEST(UsersSourceTest, CoversEveryNationalityAndScript) {
  std::unique_ptr<Source> users = OpenUsers(3);
  const RecordBatch batch = Generate(*users, 10000);
  const Columns c(*batch.schema());
  std::map<std::string, size_t> per_nat;
  size_t non_ascii = 0, cyrillic = 0, persian = 0, devanagari = 0, female = 0;
  std::set<std::string_view> emails, ids;
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    ++per_nat[std::string(batch.column(c.index.at("nat")).GetBytes(r))];
    const std::string name = std::string(batch.column(c.index.at("first_name")).GetBytes(r)) +
                             std::string(batch.column(c.index.at("last_name")).GetBytes(r));
    non_ascii += !IsAscii(name);
    const auto lead = [&](unsigned char byte) {
      return std::any_of(name.begin(), name.end(),
                         [&](char ch) { return static_cast<unsigned char>(ch) == byte; });
    };
    cyrillic += lead(0xD0) || lead(0xD1);  // U+0400..U+047F
    persian += lead(0xD8) || lead(0xD9) || lead(0xDA) || lead(0xDB);
    devanagari += name.find("\xE0\xA4") != std::string::npos;  // U+0900..U+093F
    female += batch.column(c.index.at("gender")).GetBytes(r) == "female";
    emails.insert(batch.column(c.index.at("email")).GetBytes(r));
    ids.insert(batch.column(c.index.at("id")).GetBytes(r));
  }
  EXPECT_EQ(per_nat.size(), 21u);
  for (const Nationality& n : Nationalities()) {
    EXPECT_GT(per_nat[std::string(n.nat)], 350u) << n.nat;  // ~476 each
  }
  EXPECT_GT(non_ascii, 3000u);
  EXPECT_GT(cyrillic, 350u);
  EXPECT_GT(persian, 350u);
  EXPECT_GT(devanagari, 100u);
  EXPECT_NEAR(static_cast<double>(female) / 10000, 0.5, 0.03);
  EXPECT_EQ(ids.size(), 10000u);
  EXPECT_GT(emails.size(), 9000u);
}

TEST(UsersSourceTest, IdentityOfUserIMatchesRecordI) {
  std::unique_ptr<Source> users = OpenUsers(11);
  const RecordBatch batch = Generate(*users, 500);
  const Columns c(*batch.schema());
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    const UserIdentity id = UserIdentityAt(11, r);
    EXPECT_EQ(std::string_view(id.id, 36), batch.column(c.index.at("id")).GetBytes(r));
    EXPECT_EQ(Nationalities()[id.nationality].nat, batch.column(c.index.at("nat")).GetBytes(r));
  }
}

TEST(UsersSourceTest, TimesCountBackFromNow) {
  SourceOptions options;
  options.seed = 5;
  options.now_millis = 1000 * kMillisPerYear;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Source> users, OpenSource("users", options));
  const RecordBatch batch = Generate(*users, 1000);
  const Columns c(*batch.schema());
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    EXPECT_LE(batch.column(c.index.at("registered_date")).GetInt64(r), *options.now_millis);
    EXPECT_GE(batch.column(c.index.at("registered_date")).GetInt64(r),
              *options.now_millis - 20 * kMillisPerYear);
  }
  // Unseeded: now is the current time.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Source> live, OpenSource("users", SourceOptions()));
  const RecordBatch recent = Generate(*live, 10000);
  const int64_t wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::system_clock::now().time_since_epoch())
                           .count();
  int64_t latest = 0;
  for (size_t r = 0; r < recent.num_rows(); ++r) {
    latest = std::max(latest, recent.column(c.index.at("registered_date")).GetInt64(r));
  }
  EXPECT_LE(latest, wall);
  EXPECT_GT(latest, wall - 60LL * kMillisPerDay);
}

using OrderedJson = nlohmann::ordered_json;

bool AllOf(std::string_view s, std::string_view chars) {
  return !s.empty() && s.find_first_not_of(chars) == std::string_view::npos;
}

// The keys of `j` and of every object below it, in order, with the JSON
// type of each leaf: "gender:string,name:{title:string,...},...".
std::string KeyShape(const OrderedJson& j) {
  std::string out;
  for (const auto& [key, value] : j.items()) {
    if (!out.empty()) out += ',';
    out += key + ':' + (value.is_object() ? '{' + KeyShape(value) + '}' : value.type_name());
  }
  return out;
}

// The API shape holds the flat shape's people, nested as the API nests
// them, with the keys of a real API answer in the API's order.
TEST(UsersSourceTest, ApiShapeIsTheFlatPeopleInTheApisShape) {
  std::unique_ptr<Source> flat = OpenUsers(42);
  std::unique_ptr<Source> api = OpenUsers(42, UserShape::kApi);
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->schema(), UserApiSchemaPtr());
  EXPECT_EQ(api->default_key_field(), "login.uuid");
  EXPECT_EQ(ApiShapeSignature(UserApiSchema().fields()), kUserApiSignature);
  const RecordBatch f = Generate(*flat, 3000);
  const RecordBatch a = Generate(*api, 3000);
  const Columns c(*f.schema());
  auto str = [&](const char* field, size_t row) {
    return std::string(f.column(c.index.at(field)).GetBytes(row));
  };

  OrderedJson sample = OrderedJson::parse(
      testing::ReadTextFile(testing::SourceDir() + "/src/sources/testdata/randomuser-sample.json"));
  // Our choice: postcodes are strings (the API sends some as numbers).
  sample["results"][1]["location"]["postcode"] = "QJ7 4DN";
  const std::string api_keys = KeyShape(sample["results"][1]);  // GB: id.value is a string
  const std::set<std::string_view> offsets = [] {
    std::set<std::string_view> s;
    for (const TimeZone& z : TimeZones()) s.insert(z.offset);
    return s;
  }();
  std::set<std::string> null_id_nats;
  for (size_t r = 0; r < a.num_rows(); ++r) {
    const OrderedJson p = OrderedJson::parse(lakepipe::RowJson(a, r));
    SCOPED_TRACE(p.dump());
    const std::string nat = p["nat"];
    if (p["id"]["value"].is_null()) {
      null_id_nats.insert(nat);
      EXPECT_EQ(p["id"]["name"], "");
      OrderedJson with_value = p;
      with_value["id"]["value"] = "x";
      EXPECT_EQ(KeyShape(with_value), api_keys);
    } else {
      EXPECT_EQ(KeyShape(p), api_keys);
      EXPECT_NE(p["id"]["name"], "");
    }
    // The flat record's values.
    EXPECT_EQ(p["login"]["uuid"], str("id", r));
    EXPECT_EQ(p["name"]["first"], str("first_name", r));
    EXPECT_EQ(p["name"]["last"], str("last_name", r));
    EXPECT_EQ(p["gender"], str("gender", r));
    const OrderedJson& loc = p["location"];
    EXPECT_EQ(std::to_string(loc["street"]["number"].get<int>()) + " " +
                  loc["street"]["name"].get<std::string>() + ", " + loc["city"].get<std::string>() +
                  ", " + loc["state"].get<std::string>() + ", " + loc["country"].get<std::string>(),
              str("address", r));
    EXPECT_EQ(loc["postcode"], str("post_code", r));
    EXPECT_EQ(p["email"], str("email", r));
    EXPECT_EQ(p["login"]["username"], str("username", r));
    EXPECT_EQ(p["dob"]["date"], FormatTimestampMillis(f.column(c.index.at("dob")).GetInt64(r)));
    EXPECT_EQ(p["registered"]["date"],
              FormatTimestampMillis(f.column(c.index.at("registered_date")).GetInt64(r)));
    EXPECT_EQ(p["phone"], str("phone", r));
    EXPECT_EQ(p["picture"]["large"], str("picture", r));
    EXPECT_EQ(p["nat"], str("nat", r));
    // What the API adds, in the API's formats.
    const std::string large = p["picture"]["large"];
    const std::string tail = large.substr(large.find("portraits/") + 10);
    EXPECT_EQ(p["picture"]["medium"], "https://randomuser.me/api/portraits/med/" + tail);
    EXPECT_EQ(p["picture"]["thumbnail"], "https://randomuser.me/api/portraits/thumb/" + tail);
    const std::string lat = loc["coordinates"]["latitude"];
    const std::string lon = loc["coordinates"]["longitude"];
    for (const std::string& deg : {lat, lon}) {
      ASSERT_GE(deg.size(), 6u);
      EXPECT_EQ(deg[deg.size() - 5], '.');
      EXPECT_TRUE(AllOf(deg.substr(deg[0] == '-' ? 1 : 0), "0123456789."));
    }
    EXPECT_LE(std::abs(std::stod(lat)), 90.0);
    EXPECT_LE(std::abs(std::stod(lon)), 180.0);
    EXPECT_EQ(offsets.count(loc["timezone"]["offset"].get<std::string>()), 1u);
    const OrderedJson& login = p["login"];
    EXPECT_EQ(login["salt"].get<std::string>().size(), 8u);
    EXPECT_TRUE(AllOf(login["md5"].get<std::string>(), "0123456789abcdef"));
    EXPECT_EQ(login["md5"].get<std::string>().size(), 32u);
    EXPECT_EQ(login["sha1"].get<std::string>().size(), 40u);
    EXPECT_EQ(login["sha256"].get<std::string>().size(), 64u);
    EXPECT_TRUE(AllOf(login["sha256"].get<std::string>(), "0123456789abcdef"));
    EXPECT_FALSE(login["password"].get<std::string>().empty());
    const std::string title = p["name"]["title"];
    if (p["gender"] == "male") {
      EXPECT_TRUE(title == "Mr" || title == "Monsieur") << title;
    } else {
      EXPECT_TRUE(title == "Ms" || title == "Mrs" || title == "Miss" || title == "Madame" ||
                  title == "Mademoiselle")
          << title;
    }
    EXPECT_EQ(p["dob"]["age"],
              WholeYears(f.column(c.index.at("dob")).GetInt64(r), kSeededNowMillis));
    EXPECT_GE(p["dob"]["age"].get<int>(), 18);
    EXPECT_LE(p["registered"]["age"].get<int>(), 20);
  }
  EXPECT_EQ(null_id_nats, (std::set<std::string>{"IR", "NZ", "TR", "UA"}));
}

TEST(UsersSourceTest, ApiShapeIsTheSameForASeedWhateverTheBatchSizes) {
  std::unique_ptr<Source> a = OpenUsers(7, UserShape::kApi);
  std::unique_ptr<Source> b = OpenUsers(7, UserShape::kApi);
  std::vector<std::string> rows_a, rows_b;
  for (auto [source, rows, step] :
       {std::tuple{a.get(), &rows_a, size_t{1000}}, std::tuple{b.get(), &rows_b, size_t{77}}}) {
    RecordBatch batch(source->schema());
    while (rows->size() < 2000) {
      ASSERT_OK(source->Next(&batch, std::min(step, 2000 - rows->size())));
      for (size_t r = 0; r < batch.num_rows(); ++r) rows->push_back(lakepipe::RowJson(batch, r));
    }
  }
  EXPECT_EQ(rows_a, rows_b);
  // A fixed person for a fixed seed, on every build and machine.
  const char* kExpected =
      R"({"gender": "female", "name": {"title": "Miss", "first": "Sabine", "last": "Koch"}, )"
      R"("location": {"street": {"number": 6432, "name": "Schulstraße"}, "city": "Kassel", )"
      R"("state": "Hessen", "country": "Germany", "postcode": "76610", )"
      R"("coordinates": {"latitude": "82.9068", "longitude": "-8.4462"}, )"
      R"("timezone": {"offset": "+4:00", "description": "Abu Dhabi, Muscat, Baku, Tbilisi"}}, )"
      R"("email": "sabine.koch@gmx.de", "login": {"uuid": "837b408f-c52a-4ec1-a86f-3fa4f85cbe12", )"
      R"("username": "organicelephant260", "password": "qwerty1", "salt": "pr1M7hWa", )"
      R"("md5": "7211982a74ffdd299498ea9f34eb1ed3", )"
      R"("sha1": "ede0664222fd532682775766e222d13adc118567", )"
      R"("sha256": "9d3ba06b08e64a68067f4af8ed24daaf19f13b4348a56251523b27f047ef966f"}, )"
      R"("dob": {"date": "2006-08-24T08:04:15.402Z", "age": 19}, )"
      R"("registered": {"date": "2025-03-02T03:26:04.858Z", "age": 0}, )"
      R"("phone": "0645-4107666", "cell": "0137-5953551", )"
      R"("id": {"name": "SVNR", "value": "40 738144 D 097"}, )"
      R"("picture": {"large": "https://randomuser.me/api/portraits/women/67.jpg", )"
      R"("medium": "https://randomuser.me/api/portraits/med/women/67.jpg", )"
      R"("thumbnail": "https://randomuser.me/api/portraits/thumb/women/67.jpg"}, "nat": "DE"})";
  EXPECT_EQ(rows_a[0], kExpected);
}

TEST(UsersSourceTest, WholeYearsCountsBirthdaysReached) {
  const int64_t now = 1767225600000;  // 2026-01-01T00:00:00Z
  EXPECT_EQ(WholeYears(now - 1, now), 0);
  EXPECT_EQ(WholeYears(1704067200000, now), 2);  // 2024-01-01T00:00:00Z
  EXPECT_EQ(WholeYears(1704067200001, now), 1);  // a millisecond short of 2 years
  EXPECT_EQ(WholeYears(now, now - 1), 0);
}

TEST(AsciiFoldTest, SpellsLatinLettersInAscii) {
  EXPECT_EQ(AsciiFold("Jørgen"), "jorgen");
  EXPECT_EQ(AsciiFold("Müller-Lüdenscheidt"), "mullerludenscheidt");
  EXPECT_EQ(AsciiFold("Weiß"), "weiss");
  EXPECT_EQ(AsciiFold("Đorđe Šćepanović"), "djordjescepanovic");
  EXPECT_EQ(AsciiFold("Çağla Yıldız"), "caglayildiz");
  EXPECT_EQ(AsciiFold("O'Connor"), "oconnor");
  EXPECT_EQ(AsciiFold("Олена"), "");
}

}  // namespace
}  // namespace lakepipe::sources

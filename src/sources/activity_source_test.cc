#include "sources/activity_source.h"

#include <map>
#include <set>

#include <gtest/gtest.h>

#include "sources/generator.h"
#include "sources/nationalities.h"
#include "sources/test_util.h"
#include "sources/users_source.h"

namespace lakepipe::sources {
namespace {

using testing::Collect;
using testing::IsUuid4;

constexpr int32_t kPageView = 0, kAddToCart = 1, kRemoveFromCart = 2, kPurchase = 3;

struct Event {
  std::string event_id, user_id, session_id;
  int32_t type;
  int64_t time;
  std::string page_url;
  std::optional<std::string> product_id;
  std::optional<double> price;
  std::optional<int32_t> quantity;
  std::string device, country;
};

std::vector<Event> Events(uint64_t seed, size_t count, size_t max_rows = 10000) {
  SourceOptions options;
  options.seed = seed;
  Result<std::unique_ptr<Source>> source = OpenSource("activity", options);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  if (!source.ok()) return {};
  const Schema& s = *(*source)->schema();
  auto col = [&](const char* name) { return static_cast<size_t>(s.FieldIndex(name)); };
  std::vector<Event> events;
  RecordBatch batch((*source)->schema());
  while (events.size() < count) {
    Result<bool> more = (*source)->Next(&batch, std::min(max_rows, count - events.size()));
    EXPECT_TRUE(more.ok() && *more);
    if (!more.ok()) break;
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      Event e;
      e.event_id = batch.column(col("event_id")).GetBytes(r);
      e.user_id = batch.column(col("user_id")).GetBytes(r);
      e.session_id = batch.column(col("session_id")).GetBytes(r);
      e.type = batch.column(col("event_type")).GetInt32(r);
      e.time = batch.column(col("event_time")).GetInt64(r);
      e.page_url = batch.column(col("page_url")).GetBytes(r);
      const Column& product = batch.column(col("product_id"));
      if (product.IsValid(r)) e.product_id = std::string(product.GetBytes(r));
      const Column& price = batch.column(col("price"));
      if (price.IsValid(r)) e.price = price.GetDouble(r);
      const Column& quantity = batch.column(col("quantity"));
      if (quantity.IsValid(r)) e.quantity = quantity.GetInt32(r);
      e.device = batch.column(col("device")).GetBytes(r);
      e.country = batch.column(col("country")).GetBytes(r);
      events.push_back(std::move(e));
    }
  }
  return events;
}

class ActivitySourceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { events_ = new std::vector<Event>(Events(99, 200000)); }
  static void TearDownTestSuite() {
    delete events_;
    events_ = nullptr;
  }
  static const std::vector<Event>& events() { return *events_; }

 private:
  static std::vector<Event>* events_;
};
std::vector<Event>* ActivitySourceTest::events_ = nullptr;

TEST_F(ActivitySourceTest, EveryEventIsValidForTheSchema) {
  ASSERT_EQ(events().size(), 200000u);
  std::set<std::string> user_ids;
  for (uint32_t i = 0; i < kActivityUsers; ++i)
    user_ids.insert(std::string(UserIdentityAt(99, i).id, 36));
  std::set<std::string_view> countries;
  for (const Nationality& n : Nationalities()) countries.insert(n.nat);
  const std::string_view shop = "https://shop.example.com/";
  const int64_t start = kSeededNowMillis - kActivityWindowMillis;
  std::map<std::string, double> price_of;
  std::set<std::string> event_ids;
  for (const Event& e : events()) {
    SCOPED_TRACE(e.event_id + " " + e.page_url);
    EXPECT_TRUE(IsUuid4(e.event_id));
    EXPECT_TRUE(IsUuid4(e.session_id));
    EXPECT_EQ(user_ids.count(e.user_id), 1u);  // the first users of `users` with the seed
    event_ids.insert(e.event_id);
    ASSERT_GE(e.type, kPageView);
    ASSERT_LE(e.type, kPurchase);
    EXPECT_GE(e.time, start);
    EXPECT_LT(e.time, kSeededNowMillis);  // 200k events span less than the simulated day
    EXPECT_EQ(e.page_url.rfind(shop, 0), 0u);
    EXPECT_TRUE(e.device == "mobile" || e.device == "desktop" || e.device == "tablet");
    EXPECT_EQ(countries.count(e.country), 1u);
    // Nulls only where the rules allow them.
    const bool product_page = e.page_url.find("/products/") != std::string::npos;
    if (e.type == kPageView) {
      EXPECT_FALSE(e.quantity.has_value());
      EXPECT_EQ(e.product_id.has_value(), product_page);
    } else {
      ASSERT_TRUE(e.product_id.has_value());
      ASSERT_TRUE(e.quantity.has_value());
      EXPECT_GE(*e.quantity, 1);
      EXPECT_LE(*e.quantity, 5);
    }
    EXPECT_EQ(e.price.has_value(), e.product_id.has_value());
    if (e.price) {
      EXPECT_GT(*e.price, 0);
      EXPECT_LT(*e.price, 2000);
      auto [it, inserted] = price_of.emplace(*e.product_id, *e.price);
      EXPECT_EQ(it->second, *e.price) << "a product has one price";
    }
    if (product_page) {
      EXPECT_NE(e.page_url.find(*e.product_id), std::string::npos);
    }
  }
  EXPECT_EQ(event_ids.size(), events().size());
  EXPECT_GT(price_of.size(), 1000u);
}

TEST_F(ActivitySourceTest, TimeNeverGoesBackAndIncreasesWithinASession) {
  std::map<std::string, int64_t> last_in_session;
  int64_t last = std::numeric_limits<int64_t>::min();
  for (const Event& e : events()) {
    EXPECT_GE(e.time, last);
    last = e.time;
    auto it = last_in_session.find(e.session_id);
    if (it != last_in_session.end()) {
      EXPECT_GT(e.time, it->second);
      it->second = e.time;
    } else {
      last_in_session.emplace(e.session_id, e.time);
    }
  }
  // About a million events per simulated day: 200k cover 3.5 to 7 hours.
  const double hours = static_cast<double>(events().back().time - events().front().time) / 3.6e6;
  EXPECT_GT(hours, 3.5);
  EXPECT_LT(hours, 7.0);
}

TEST_F(ActivitySourceTest, SessionsFollowTheFunnel) {
  struct SessionFacts {
    std::string user, device, country;
    std::map<std::string, int32_t> cart;  // product → quantity
    bool added = false, removed = false, purchased = false;
  };
  std::map<std::string, SessionFacts> sessions;
  size_t events_checked = 0;
  for (const Event& e : events()) {
    SessionFacts& s = sessions[e.session_id];
    if (s.user.empty()) {
      s.user = e.user_id;
      s.device = e.device;
      s.country = e.country;
    }
    // One user, device and country per session.
    EXPECT_EQ(s.user, e.user_id);
    EXPECT_EQ(s.device, e.device);
    EXPECT_EQ(s.country, e.country);
    switch (e.type) {
      case kAddToCart:
        s.added = true;
        s.cart[*e.product_id] = *e.quantity;
        break;
      case kRemoveFromCart:
        s.removed = true;
        ASSERT_EQ(s.cart.count(*e.product_id), 1u) << "removed what was not in the cart";
        EXPECT_EQ(s.cart[*e.product_id], *e.quantity);
        s.cart.erase(*e.product_id);
        break;
      case kPurchase:
        s.purchased = true;
        ASSERT_EQ(s.cart.count(*e.product_id), 1u) << "bought without add_to_cart";
        EXPECT_EQ(s.cart[*e.product_id], *e.quantity);
        EXPECT_EQ(e.page_url, "https://shop.example.com/checkout/confirmation");
        break;
    }
    ++events_checked;
  }
  size_t added = 0, removed = 0, purchased = 0;
  for (const auto& [id, s] : sessions) {
    added += s.added;
    removed += s.removed;
    purchased += s.purchased;
    if (s.purchased || s.removed) {
      EXPECT_TRUE(s.added);
    }
  }
  const double n = static_cast<double>(sessions.size());
  EXPECT_NEAR(added / n, kCartSessionsPerMille / 1000.0, 0.015);
  EXPECT_NEAR(purchased / n, kCartSessionsPerMille * kPurchaseOfCartPerMille / 1e6, 0.008);
  EXPECT_NEAR(removed / n, 0.05, 0.01);
  const double per_session = static_cast<double>(events_checked) / n;
  EXPECT_GT(per_session, 3.5);
  EXPECT_LT(per_session, 5.0);
}

TEST(ActivitySourceDeterminismTest, SameSeedSameEventsWhateverTheBatchSizes) {
  SourceOptions options;
  options.seed = 5;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Source> a, OpenSource("activity", options));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Source> b, OpenSource("activity", options));
  options.seed = 6;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Source> c, OpenSource("activity", options));
  const std::vector<std::string> rows_a = Collect(*a, 5000, 5000);
  EXPECT_EQ(rows_a, Collect(*b, 5000, 33));
  EXPECT_NE(rows_a, Collect(*c, 5000, 5000));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Source> r1, OpenSource("activity", SourceOptions()));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Source> r2, OpenSource("activity", SourceOptions()));
  EXPECT_NE(Collect(*r1, 10, 10), Collect(*r2, 10, 10));
}

TEST(ActivitySourceDeterminismTest, TheDayEndsAtNow) {
  SourceOptions options;
  options.seed = 5;
  options.now_millis = 1700000000000;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Source> source, OpenSource("activity", options));
  RecordBatch batch(source->schema());
  ASSERT_OK_AND_ASSIGN(bool more, source->Next(&batch, 100));
  EXPECT_TRUE(more);
  const Column& time = batch.column(static_cast<size_t>(batch.schema()->FieldIndex("event_time")));
  EXPECT_GE(time.GetInt64(0), *options.now_millis - kActivityWindowMillis);
  EXPECT_LT(time.GetInt64(99), *options.now_millis - kActivityWindowMillis + 3600000);
}

}  // namespace
}  // namespace lakepipe::sources

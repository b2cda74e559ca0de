#include "sources/activity_source.h"

#include <algorithm>
#include <array>
#include <string_view>
#include <vector>

#include "sources/generator.h"
#include "sources/nationalities.h"
#include "sources/random.h"
#include "sources/users_source.h"

namespace lakepipe::sources {
namespace {

constexpr std::string_view kShop = "https://shop.example.com";
constexpr std::string_view kCategories[] = {"electronics", "books",  "home-kitchen", "fashion",
                                            "toys",        "sports", "beauty",       "garden",
                                            "grocery",     "music",  "office",       "pets"};
constexpr std::string_view kSearchTerms[] = {
    "wireless+headphones", "running+shoes", "coffee+maker", "yoga+mat",
    "phone+case",          "desk+lamp",     "backpack",     "lego",
    "board+games",         "sunscreen",     "air+fryer",    "novel",
    "usb+c+cable",         "dog+bed",       "water+bottle", "winter+jacket"};
constexpr std::string_view kDevices[] = {"mobile", "desktop", "tablet"};

enum class EventType : uint8_t { kPageView, kAddToCart, kRemoveFromCart, kPurchase };
constexpr std::string_view kEventSymbols[] = {"page_view", "add_to_cart", "remove_from_cart",
                                              "purchase"};

enum class Page : uint8_t { kHome, kCategory, kSearch, kProduct, kCart, kCheckout, kConfirmation };

struct Product {
  char id[7];  // "P100000"
  int64_t price_cents = 0;
  uint16_t category = 0;
};

struct PlannedEvent {
  EventType type = EventType::kPageView;
  Page page = Page::kHome;
  bool immediate = false;  // follows the previous event within 50 ms (order lines)
  uint16_t term = 0;       // category or search term
  int32_t product = -1;
  int32_t quantity = 0;
};

struct Session {
  char id[36];
  uint32_t user = 0;
  uint8_t device = 0;
  uint8_t country = 0;
  std::vector<PlannedEvent> events;
  size_t next = 0;
};

// A session's next event in the time-ordered queue; (time, seq) is unique,
// so the order does not depend on the heap implementation.
struct Pending {
  int64_t time;
  uint64_t seq;
  uint32_t slot;
};
struct Later {
  bool operator()(const Pending& a, const Pending& b) const {
    return a.time != b.time ? a.time > b.time : a.seq > b.seq;
  }
};

struct ActivityColumns {
  size_t event_id, user_id, session_id, event_type, event_time, page_url, product_id, price,
      quantity, device, country;
  std::array<int32_t, 4> symbols;
};

Result<ActivityColumns> ResolveActivityColumns(const Schema& s) {
  ActivityColumns c{};
  const Storage kBin = Storage::kBinary;
  LP_ASSIGN_OR_RETURN(c.event_id, GeneratedField(s, "event_id", kBin, false));
  LP_ASSIGN_OR_RETURN(c.user_id, GeneratedField(s, "user_id", kBin, false));
  LP_ASSIGN_OR_RETURN(c.session_id, GeneratedField(s, "session_id", kBin, false));
  LP_ASSIGN_OR_RETURN(c.event_type, GeneratedField(s, "event_type", Storage::kInt32, false));
  LP_ASSIGN_OR_RETURN(c.event_time, GeneratedField(s, "event_time", Storage::kInt64, false));
  LP_ASSIGN_OR_RETURN(c.page_url, GeneratedField(s, "page_url", kBin, false));
  LP_ASSIGN_OR_RETURN(c.product_id, GeneratedField(s, "product_id", kBin, true));
  LP_ASSIGN_OR_RETURN(c.price, GeneratedField(s, "price", Storage::kDouble, true));
  LP_ASSIGN_OR_RETURN(c.quantity, GeneratedField(s, "quantity", Storage::kInt32, true));
  LP_ASSIGN_OR_RETURN(c.device, GeneratedField(s, "device", kBin, false));
  LP_ASSIGN_OR_RETURN(c.country, GeneratedField(s, "country", kBin, false));
  const Field& type = s.field(c.event_type);
  for (size_t i = 0; i < c.symbols.size(); ++i) {
    c.symbols[i] = type.SymbolIndex(kEventSymbols[i]);
    if (c.symbols[i] < 0) {
      return InternalError("enum {} of field event_type has no symbol '{}'", type.enum_name,
                           kEventSymbols[i]);
    }
  }
  return c;
}

class ActivitySource final : public Source {
 public:
  ActivitySource(GeneratorSetup setup, ActivityColumns columns)
      : cols_(columns), rng_(StreamSeed(setup.seed, ~uint64_t{0})) {
    users_.reserve(kActivityUsers);
    for (uint32_t i = 0; i < kActivityUsers; ++i) users_.push_back(UserIdentityAt(setup.seed, i));
    SplitMix64 products(StreamSeed(setup.seed, ~uint64_t{1}));
    products_.resize(kActivityProducts);
    for (uint32_t i = 0; i < kActivityProducts; ++i) {
      Product& p = products_[i];
      p.id[0] = 'P';
      uint32_t number = 100000 + i;
      for (int d = 6; d >= 1; --d, number /= 10) p.id[d] = static_cast<char>('0' + number % 10);
      p.category = static_cast<uint16_t>(products.Below(std::size(kCategories)));
      const uint32_t tier = products.Below(100);
      int64_t dollars = 0;
      if (tier < 45) {
        dollars = 3 + products.Below(27);
      } else if (tier < 80) {
        dollars = 30 + products.Below(70);
      } else if (tier < 95) {
        dollars = 100 + products.Below(400);
      } else {
        dollars = 500 + products.Below(1500);
      }
      p.price_cents = dollars * 100 + (products.PerMille(700) ? 99 : 49);
    }
    next_arrival_ = setup.now_millis - kActivityWindowMillis;
  }

  const SchemaPtr& schema() const override { return UserActivitySchemaPtr(); }
  std::string default_key_field() const override { return "user_id"; }

  Result<bool> Next(RecordBatch* batch, size_t max_rows) override {
    if (max_rows == 0) return InvalidArgumentError("activity: max_rows must be positive");
    batch->Clear();
    batch->Reserve(max_rows);
    size_t rows = 0;
    while (rows < max_rows) {
      if (queue_.empty() || next_arrival_ <= queue_.front().time) {
        StartSession(next_arrival_);
        next_arrival_ += 1 + static_cast<int64_t>(rng_.Below(2 * kMeanArrivalMillis - 1));
        continue;
      }
      std::pop_heap(queue_.begin(), queue_.end(), Later());
      const Pending pending = queue_.back();
      queue_.pop_back();
      Session& session = sessions_[pending.slot];
      Emit(session, session.events[session.next], pending.time, batch);
      batch->CommitRow();
      ++rows;
      if (++session.next < session.events.size()) {
        Push(pending.time + Gap(session.events[session.next]), pending.slot);
      } else {
        free_slots_.push_back(pending.slot);
      }
    }
    return true;
  }

 private:
  void Push(int64_t time, uint32_t slot) {
    queue_.push_back(Pending{time, seq_++, slot});
    std::push_heap(queue_.begin(), queue_.end(), Later());
  }

  // Time between the previous event of a session and `next`.
  int64_t Gap(const PlannedEvent& next) {
    if (next.immediate) return 1 + rng_.Below(50);
    const uint32_t r = rng_.Below(100);
    if (r < 70) return 1000 + rng_.Below(29000);
    if (r < 95) return 30000 + rng_.Below(90000);
    return 120000 + rng_.Below(480000);
  }

  uint32_t PickUser() {
    // A fifth of the sessions belong to the most active 2% of users.
    if (rng_.PerMille(200)) return rng_.Below(kActivityUsers / 50);
    return rng_.Below(kActivityUsers);
  }

  int32_t PickQuantity() {
    const uint32_t r = rng_.Below(100);
    if (r < 80) return 1;
    if (r < 95) return 2;
    return 3 + static_cast<int32_t>(rng_.Below(3));
  }

  PlannedEvent View(Page page) {
    PlannedEvent e;
    e.page = page;
    if (page == Page::kCategory) e.term = static_cast<uint16_t>(rng_.Below(std::size(kCategories)));
    if (page == Page::kSearch) e.term = static_cast<uint16_t>(rng_.Below(std::size(kSearchTerms)));
    if (page == Page::kProduct) e.product = static_cast<int32_t>(rng_.Below(kActivityProducts));
    return e;
  }

  Page BrowsePage(bool landing) {
    const uint32_t r = rng_.Below(100);
    if (landing)
      return r < 40   ? Page::kHome
             : r < 65 ? Page::kCategory
             : r < 80 ? Page::kSearch
                      : Page::kProduct;
    return r < 5 ? Page::kHome : r < 40 ? Page::kCategory : r < 55 ? Page::kSearch : Page::kProduct;
  }

  void Plan(Session& s) {
    std::vector<PlannedEvent>& ev = s.events;
    ev.clear();
    s.next = 0;
    uint32_t views = 1;
    while (views < 12 && rng_.PerMille(600)) ++views;
    for (uint32_t v = 0; v < views; ++v) ev.push_back(View(BrowsePage(v == 0)));
    if (!rng_.PerMille(kCartSessionsPerMille)) return;

    // Cart lines: product and quantity.
    std::array<PlannedEvent, 4> lines;
    uint32_t items = 1;
    while (items < lines.size() && rng_.PerMille(350)) ++items;
    for (uint32_t k = 0; k < items; ++k) {
      if (k > 0 && rng_.PerMille(500)) ev.push_back(View(BrowsePage(false)));
      PlannedEvent view = View(Page::kProduct);
      // A new product for each line.
      while (std::any_of(lines.begin(), lines.begin() + k,
                         [&](const PlannedEvent& l) { return l.product == view.product; })) {
        view.product = (view.product + 1) % static_cast<int32_t>(kActivityProducts);
      }
      ev.push_back(view);
      PlannedEvent add = view;
      add.type = EventType::kAddToCart;
      add.quantity = PickQuantity();
      ev.push_back(add);
      lines[k] = add;
    }
    const bool purchase = rng_.PerMille(kPurchaseOfCartPerMille);
    const bool remove = rng_.PerMille(kRemoveOfCartPerMille) && (!purchase || items > 1);
    uint32_t removed = items;
    if (remove) {
      removed = rng_.Below(items);
      ev.push_back(View(Page::kCart));
      PlannedEvent e = lines[removed];
      e.type = EventType::kRemoveFromCart;
      e.page = Page::kCart;
      ev.push_back(e);
    }
    if (!purchase) {
      if (rng_.PerMille(500)) ev.push_back(View(Page::kCart));
      return;
    }
    if (!remove) ev.push_back(View(Page::kCart));
    ev.push_back(View(Page::kCheckout));
    bool first_line = true;
    for (uint32_t k = 0; k < items; ++k) {
      if (k == removed) continue;
      PlannedEvent e = lines[k];
      e.type = EventType::kPurchase;
      e.page = Page::kConfirmation;
      e.immediate = !first_line;
      first_line = false;
      ev.push_back(e);
    }
  }

  void StartSession(int64_t time) {
    uint32_t slot = 0;
    if (free_slots_.empty()) {
      slot = static_cast<uint32_t>(sessions_.size());
      sessions_.emplace_back();
    } else {
      slot = free_slots_.back();
      free_slots_.pop_back();
    }
    Session& s = sessions_[slot];
    const uint64_t hi = rng_.Next();
    const uint64_t lo = rng_.Next();
    FormatUuid4(hi, lo, s.id);
    s.user = PickUser();
    const uint32_t device = rng_.Below(100);
    s.device = device < 58 ? 0 : device < 93 ? 1 : 2;
    const uint32_t num_nationalities = static_cast<uint32_t>(Nationalities().size());
    s.country = static_cast<uint8_t>(rng_.PerMille(50) ? rng_.Below(num_nationalities)
                                                       : users_[s.user].nationality);
    Plan(s);
    Push(time, slot);
  }

  void Emit(const Session& s, const PlannedEvent& e, int64_t time, RecordBatch* batch) {
    char event_id[36];
    const uint64_t hi = rng_.Next();
    const uint64_t lo = rng_.Next();
    FormatUuid4(hi, lo, event_id);
    batch->column(cols_.event_id).AppendBytes(std::string_view(event_id, sizeof(event_id)));
    batch->column(cols_.user_id).AppendBytes(std::string_view(users_[s.user].id, 36));
    batch->column(cols_.session_id).AppendBytes(std::string_view(s.id, sizeof(s.id)));
    batch->column(cols_.event_type).AppendInt32(cols_.symbols[static_cast<size_t>(e.type)]);
    batch->column(cols_.event_time).AppendInt64(time);

    Column& url = batch->column(cols_.page_url);
    std::string* out = url.BeginBytes();
    out->append(kShop);
    switch (e.page) {
      case Page::kHome:
        out->push_back('/');
        break;
      case Page::kCategory:
        out->append("/c/").append(kCategories[e.term]);
        break;
      case Page::kSearch:
        out->append("/search?q=").append(kSearchTerms[e.term]);
        break;
      case Page::kProduct:
        out->append("/products/").append(products_[e.product].id, sizeof(Product::id));
        break;
      case Page::kCart:
        out->append("/cart");
        break;
      case Page::kCheckout:
        out->append("/checkout");
        break;
      case Page::kConfirmation:
        out->append("/checkout/confirmation");
        break;
    }
    url.EndBytes();

    if (e.product >= 0) {
      const Product& p = products_[e.product];
      batch->column(cols_.product_id).AppendBytes(std::string_view(p.id, sizeof(p.id)));
      batch->column(cols_.price).AppendDouble(static_cast<double>(p.price_cents) / 100.0);
    } else {
      batch->column(cols_.product_id).AppendNull();
      batch->column(cols_.price).AppendNull();
    }
    if (e.type == EventType::kPageView) {
      batch->column(cols_.quantity).AppendNull();
    } else {
      batch->column(cols_.quantity).AppendInt32(e.quantity);
    }
    batch->column(cols_.device).AppendBytes(kDevices[s.device]);
    batch->column(cols_.country).AppendBytes(Nationalities()[s.country].nat);
  }

  ActivityColumns cols_;
  Xoshiro256 rng_;
  std::vector<UserIdentity> users_;
  std::vector<Product> products_;
  std::vector<Session> sessions_;
  std::vector<uint32_t> free_slots_;
  std::vector<Pending> queue_;
  uint64_t seq_ = 0;
  int64_t next_arrival_ = 0;
};

}  // namespace

Result<std::unique_ptr<Source>> NewActivitySource(const SourceOptions& options) {
  LP_ASSIGN_OR_RETURN(ActivityColumns columns, ResolveActivityColumns(UserActivitySchema()));
  return std::unique_ptr<Source>(
      std::make_unique<ActivitySource>(ResolveGeneratorSetup(options), columns));
}

}  // namespace lakepipe::sources

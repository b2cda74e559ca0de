#include "sources/users_source.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "sources/nationalities.h"
#include "sources/random.h"

namespace lakepipe::sources {
namespace {

// randomuser.me usernames: <adjective><animal><3 digits>.
constexpr std::string_view kAdjectives[] = {
    "small",  "big",    "blue",   "red",    "green",  "black",    "white",   "brown",
    "yellow", "purple", "orange", "silver", "golden", "happy",    "lazy",    "sad",
    "crazy",  "angry",  "heavy",  "tiny",   "brave",  "ticklish", "organic", "beautiful"};
constexpr std::string_view kAnimals[] = {
    "swan",    "bird",    "tiger",     "lion",  "fish",    "cat",     "dog",
    "bear",    "wolf",    "rabbit",    "goose", "duck",    "frog",    "koala",
    "monkey",  "panda",   "owl",       "zebra", "snake",   "leopard", "elephant",
    "gorilla", "peacock", "butterfly", "mouse", "ostrich", "ladybug", "meercat"};

constexpr std::string_view kCanadianLetters = "ABCEGHJKLMNPRSTVXY";
constexpr std::string_view kEircodeChars = "ACDEFHKNPRTVWXY0123456789";

// A postcode or phone pattern (see nationalities.h) as one choice per
// character: a literal is a choice among 1.
struct PatternSlot {
  const char* chars;
  uint32_t count;
};
using CompiledPattern = std::vector<PatternSlot>;

CompiledPattern CompilePattern(std::string_view pattern) {
  static constexpr std::string_view kDigits = "0123456789";
  static constexpr std::string_view kLetters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  CompiledPattern slots;
  for (size_t i = 0; i < pattern.size(); ++i) {
    std::string_view chars = pattern.substr(i, 1);
    switch (pattern[i]) {
      case '#':
        chars = kDigits;
        break;
      case 'N':
        chars = kDigits.substr(1);
        break;
      case 'A':
        chars = kLetters;
        break;
      case 'C':
        chars = kCanadianLetters;
        break;
      case 'X':
        chars = kEircodeChars;
        break;
      case '\\':
        if (i + 1 < pattern.size()) chars = pattern.substr(++i, 1);
        break;
      default:
        break;
    }
    slots.push_back(PatternSlot{chars.data(), static_cast<uint32_t>(chars.size())});
  }
  return slots;
}

// A string assembled on the stack, then appended to a column at once.
// Longer input is cut at the capacity (generated strings are far shorter).
class Text {
 public:
  void Add(std::string_view s) {
    const size_t n = std::min(s.size(), kCapacity - size_);
    Copy(data_ + size_, s.data(), n);
    size_ += n;
  }
  void Put(char c) {
    if (size_ < kCapacity) data_[size_++] = c;
  }
  void Decimal(uint32_t v) {
    char digits[10];
    char* d = digits + sizeof(digits);
    do {
      *--d = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0);
    Add(std::string_view(d, static_cast<size_t>(digits + sizeof(digits) - d)));
  }
  // Adds a code or phone number in the style of `pattern`.
  void Pattern(const CompiledPattern& pattern, WyRand& rng) {
    SmallChoices<WyRand> choose(rng);
    const size_t n = std::min(pattern.size(), kCapacity - size_);
    char* out = data_ + size_;
    for (size_t i = 0; i < n; ++i) out[i] = pattern[i].chars[choose.Below(pattern[i].count)];
    size_ += n;
  }
  std::string_view view() const { return std::string_view(data_, size_); }

 private:
  // memcpy for the short strings here, without a call: fixed-size moves
  // that read only [src, src + n).
  static void Copy(char* dst, const char* src, size_t n) {
    if (n >= 8) {
      size_t i = 0;
      for (; i + 8 <= n; i += 8) std::memcpy(dst + i, src + i, 8);
      if (i < n) std::memcpy(dst + n - 8, src + n - 8, 8);
    } else if (n >= 4) {
      std::memcpy(dst, src, 4);
      std::memcpy(dst + n - 4, src + n - 4, 4);
    } else if (n > 0) {
      dst[0] = src[0];
      dst[n / 2] = src[n / 2];
      dst[n - 1] = src[n - 1];
    }
  }

  static constexpr size_t kCapacity = 256;
  char data_[kCapacity];
  size_t size_ = 0;
};

template <typename T>
const T& Pick(const std::vector<T>& items, WyRand& rng) {
  return items[rng.Below(static_cast<uint32_t>(items.size()))];
}

template <typename T, size_t N>
const T& Pick(const T (&items)[N], WyRand& rng) {
  return items[rng.Below(N)];
}

// The first draws of a user's stream: shared with UserIdentityAt.
struct IdentityDraw {
  uint64_t hi;
  uint64_t lo;
  uint32_t nationality;
};

IdentityDraw DrawIdentity(WyRand& rng, uint32_t num_nationalities) {
  IdentityDraw d{};
  d.hi = rng.Next();
  d.lo = rng.Next();
  d.nationality = rng.Below(num_nationalities);
  return d;
}

class UsersSource final : public Source {
 public:
  UsersSource(GeneratorSetup setup, UserColumns columns)
      : setup_(setup), cols_(columns), nationalities_(Nationalities()) {
    // Pieces of strings that do not change, assembled once.
    for (const Nationality& n : nationalities_) {
      std::vector<CompiledPattern>& postcodes = postcodes_.emplace_back();
      for (std::string_view p : n.postcodes) postcodes.push_back(CompilePattern(p));
      std::vector<CompiledPattern>& phones = phones_.emplace_back();
      for (std::string_view p : n.phones) phones.push_back(CompilePattern(p));
      std::vector<std::string>& tails = address_tails_.emplace_back();
      for (const Place& p : n.places) {
        tails.push_back(", " + std::string(p.city) + ", " + std::string(p.state) + ", " +
                        std::string(n.country));
      }
    }
    for (std::string_view adjective : kAdjectives) {
      for (std::string_view animal : kAnimals) {
        username_stems_.push_back(std::string(adjective) + std::string(animal));
      }
    }
    for (int female = 0; female < 2; ++female) {
      for (int k = 0; k < 100; ++k) {
        pictures_[female].push_back(std::string("https://randomuser.me/api/portraits/") +
                                    (female ? "women/" : "men/") + std::to_string(k) + ".jpg");
      }
    }
  }

  const SchemaPtr& schema() const override { return UserSchemaPtr(); }
  std::string default_key_field() const override { return "id"; }

  Result<bool> Next(RecordBatch* batch, size_t max_rows) override {
    if (max_rows == 0) return InvalidArgumentError("users: max_rows must be positive");
    batch->Clear();
    batch->Reserve(max_rows);
    for (size_t row = 0; row < max_rows; ++row) {
      Generate(next_index_++, batch);
      batch->CommitRow();
    }
    return true;
  }

 private:
  void Generate(uint64_t index, RecordBatch* batch);

  GeneratorSetup setup_;
  UserColumns cols_;
  std::span<const Nationality> nationalities_;
  std::vector<std::vector<std::string>> address_tails_;  // per nationality and place
  std::vector<std::vector<CompiledPattern>> postcodes_;  // per nationality
  std::vector<std::vector<CompiledPattern>> phones_;     // per nationality
  std::vector<std::string> username_stems_;              // adjective + animal
  std::array<std::vector<std::string>, 2> pictures_;     // men, women
  uint64_t next_index_ = 0;
};

void UsersSource::Generate(uint64_t index, RecordBatch* batch) {
  WyRand rng(StreamSeed(setup_.seed, index));
  const IdentityDraw identity = DrawIdentity(rng, static_cast<uint32_t>(nationalities_.size()));
  const Nationality& nat = nationalities_[identity.nationality];
  const uint32_t female = rng.Below(2);
  const Name& first = Pick(female ? nat.female : nat.male, rng);
  const Name& last = Pick(nat.last, rng);
  const bool latin = nat.latin_per_mille > 0 && rng.PerMille(nat.latin_per_mille);
  const uint32_t place = rng.Below(static_cast<uint32_t>(nat.places.size()));

  char id[36];
  FormatUuid4(identity.hi, identity.lo, id);
  batch->column(cols_.id).AppendBytes(std::string_view(id, sizeof(id)));
  batch->column(cols_.first_name).AppendBytes(latin ? first.latin : first.text);
  batch->column(cols_.last_name).AppendBytes(latin ? last.latin : last.text);
  batch->column(cols_.gender).AppendBytes(female ? "female" : "male");

  Text address;
  address.Decimal(1 + rng.Below(9999));
  address.Put(' ');
  address.Add(Pick(nat.streets, rng));
  address.Add(address_tails_[identity.nationality][place]);
  batch->column(cols_.address).AppendBytes(address.view());

  Text post_code;
  post_code.Pattern(Pick(postcodes_[identity.nationality], rng), rng);
  batch->column(cols_.post_code).AppendBytes(post_code.view());

  Text email;
  const uint32_t style = rng.Below(100);
  const std::string_view f = first.email;
  const std::string_view l = last.email;
  if (style < 70) {  // first.last, first.last<1-99>
    email.Add(f);
    email.Put('.');
    email.Add(l);
    if (style >= 50) email.Decimal(1 + rng.Below(99));
  } else if (style < 90) {  // firstlast, first_last
    email.Add(f);
    if (style >= 80) email.Put('_');
    email.Add(l);
  } else {
    email.Add(l);
    email.Put('.');
    email.Add(f);
  }
  email.Put('@');
  if (nat.email_domains.empty() || rng.PerMille(600)) {
    const std::span<const std::string_view> global = GlobalEmailDomains();
    email.Add(global[rng.Below(static_cast<uint32_t>(global.size()))]);
  } else {
    email.Add(Pick(nat.email_domains, rng));
  }
  batch->column(cols_.email).AppendBytes(email.view());

  Text username;
  username.Add(Pick(username_stems_, rng));
  username.Decimal(100 + rng.Below(900));
  batch->column(cols_.username).AppendBytes(username.view());

  // Ages in [18, 80) years; registration in the last 20 years, not before 18.
  const int64_t age = 18 * kMillisPerYear + static_cast<int64_t>(rng.Below64(62 * kMillisPerYear));
  const int64_t registered_window = std::min(20 * kMillisPerYear, age - 18 * kMillisPerYear);
  const int64_t registered_ago =
      static_cast<int64_t>(rng.Below64(static_cast<uint64_t>(registered_window) + 1));
  batch->column(cols_.dob).AppendInt64(setup_.now_millis - age);
  batch->column(cols_.registered).AppendInt64(setup_.now_millis - registered_ago);

  Text phone;
  phone.Pattern(Pick(phones_[identity.nationality], rng), rng);
  batch->column(cols_.phone).AppendBytes(phone.view());

  batch->column(cols_.picture).AppendBytes(Pick(pictures_[female], rng));

  const Place& where = nat.places[place];
  batch->column(cols_.city).AppendBytes(where.city);
  batch->column(cols_.state).AppendBytes(where.state);
  batch->column(cols_.country).AppendBytes(nat.country);
  batch->column(cols_.nat).AppendBytes(nat.nat);
}

}  // namespace

Result<UserColumns> ResolveUserColumns(const Schema& s) {
  UserColumns c{};
  const Storage kBin = Storage::kBinary;
  LP_ASSIGN_OR_RETURN(c.id, GeneratedField(s, "id", kBin, false));
  LP_ASSIGN_OR_RETURN(c.first_name, GeneratedField(s, "first_name", kBin, false));
  LP_ASSIGN_OR_RETURN(c.last_name, GeneratedField(s, "last_name", kBin, false));
  LP_ASSIGN_OR_RETURN(c.gender, GeneratedField(s, "gender", kBin, false));
  LP_ASSIGN_OR_RETURN(c.address, GeneratedField(s, "address", kBin, false));
  LP_ASSIGN_OR_RETURN(c.post_code, GeneratedField(s, "post_code", kBin, false));
  LP_ASSIGN_OR_RETURN(c.email, GeneratedField(s, "email", kBin, false));
  LP_ASSIGN_OR_RETURN(c.username, GeneratedField(s, "username", kBin, false));
  LP_ASSIGN_OR_RETURN(c.dob, GeneratedField(s, "dob", Storage::kInt64, false));
  LP_ASSIGN_OR_RETURN(c.registered, GeneratedField(s, "registered_date", Storage::kInt64, false));
  LP_ASSIGN_OR_RETURN(c.phone, GeneratedField(s, "phone", kBin, false));
  LP_ASSIGN_OR_RETURN(c.picture, GeneratedField(s, "picture", kBin, false));
  LP_ASSIGN_OR_RETURN(c.city, GeneratedField(s, "city", kBin, true));
  LP_ASSIGN_OR_RETURN(c.state, GeneratedField(s, "state", kBin, true));
  LP_ASSIGN_OR_RETURN(c.country, GeneratedField(s, "country", kBin, true));
  LP_ASSIGN_OR_RETURN(c.nat, GeneratedField(s, "nat", kBin, true));
  return c;
}

UserIdentity UserIdentityAt(uint64_t seed, uint64_t index) {
  WyRand rng(StreamSeed(seed, index));
  const IdentityDraw draw = DrawIdentity(rng, static_cast<uint32_t>(Nationalities().size()));
  UserIdentity identity{};
  FormatUuid4(draw.hi, draw.lo, identity.id);
  identity.nationality = draw.nationality;
  return identity;
}

Result<std::unique_ptr<Source>> NewUsersSource(const SourceOptions& options) {
  LP_ASSIGN_OR_RETURN(UserColumns columns, ResolveUserColumns(UserSchema()));
  return std::unique_ptr<Source>(
      std::make_unique<UsersSource>(ResolveGeneratorSetup(options), columns));
}

}  // namespace lakepipe::sources

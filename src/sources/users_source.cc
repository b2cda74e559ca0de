#include "sources/users_source.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sources/nationalities.h"
#include "sources/random.h"
#include "sources/users_api.h"

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
  // Adds the first `digits` (at most 16) lower-case hex digits of `v`.
  void Hex(uint64_t v, int digits) {
    static constexpr auto kPairs = [] {
      std::array<char, 512> pairs{};
      constexpr char kHex[] = "0123456789abcdef";
      for (int b = 0; b < 256; ++b) {
        pairs[static_cast<size_t>(2 * b)] = kHex[b >> 4];
        pairs[static_cast<size_t>(2 * b + 1)] = kHex[b & 0xF];
      }
      return pairs;
    }();
    char text[16];
    for (int i = 0; i < 8; ++i) {
      std::memcpy(text + 2 * i, &kPairs[2 * ((v >> (56 - 8 * i)) & 0xFF)], 2);
    }
    Add(std::string_view(text, static_cast<size_t>(digits)));
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

template <typename T>
const T& Pick(std::span<const T> items, WyRand& rng) {
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

// One person's draws, in the order the flat shape has always made them (so
// that its records stay what they were); the API shape draws more after.
struct Drawn {
  IdentityDraw identity;
  char id[36];
  uint32_t female;
  const Name* first;
  const Name* last;
  bool latin;
  uint32_t place;
  uint32_t street_number;
  std::string_view street;
  Text post_code, email, username, phone;
  int64_t age, registered_ago;  // ms before now
  uint32_t picture;
};

// Field indices of schemas/user_api.avsc, in the order of kUserApiSignature.
enum ApiField : size_t {
  kGender,
  kName,
  kLocation,
  kEmail,
  kLogin,
  kDob,
  kRegistered,
  kPhone,
  kCell,
  kId,
  kPicture,
  kNat
};

// Appends `v` (ten-thousandths of a degree) as the API writes coordinates:
// "-40.7315".
void AppendDegrees(int32_t v, Text* out) {
  if (v < 0) out->Put('-');
  const auto magnitude = static_cast<uint32_t>(v < 0 ? -v : v);
  out->Decimal(magnitude / 10000);
  out->Put('.');
  const uint32_t fraction = magnitude % 10000;
  for (uint32_t unit = 1000; unit > 0; unit /= 10)
    out->Put(static_cast<char>('0' + fraction / unit % 10));
}

class UsersSource final : public Source {
 public:
  UsersSource(GeneratorSetup setup, UserColumns columns, UserShape shape)
      : setup_(setup),
        cols_(columns),
        shape_(shape),
        years_(setup.now_millis),
        nationalities_(Nationalities()) {
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
      national_ids_.push_back(NationalIdOf(n.nat));
      id_patterns_.push_back(CompilePattern(national_ids_.back().pattern));
    }
    for (std::string_view adjective : kAdjectives) {
      for (std::string_view animal : kAnimals) {
        username_stems_.push_back(std::string(adjective) + std::string(animal));
      }
    }
    static constexpr std::string_view kSizes[] = {"", "med/", "thumb/"};
    for (int female = 0; female < 2; ++female) {
      for (int size = 0; size < 3; ++size) {
        for (int k = 0; k < 100; ++k) {
          pictures_[size][female].push_back(
              std::string("https://randomuser.me/api/portraits/") + std::string(kSizes[size]) +
              (female ? "women/" : "men/") + std::to_string(k) + ".jpg");
        }
      }
    }
  }

  const SchemaPtr& schema() const override { return UserSchemaPtr(shape_); }
  std::string default_key_field() const override {
    return shape_ == UserShape::kApi ? "login.uuid" : "id";
  }

  Result<bool> Next(RecordBatch* batch, size_t max_rows) override {
    if (max_rows == 0) return InvalidArgumentError("users: max_rows must be positive");
    batch->Clear();
    batch->Reserve(max_rows);
    for (size_t row = 0; row < max_rows; ++row) {
      WyRand rng(StreamSeed(setup_.seed, next_index_++));
      Drawn d;
      Draw(rng, &d);
      if (shape_ == UserShape::kApi) {
        EmitApi(d, rng, batch);
      } else {
        EmitFlat(d, batch);
      }
      batch->CommitRow();
    }
    return true;
  }

 private:
  void Draw(WyRand& rng, Drawn* d) const;
  void EmitFlat(const Drawn& d, RecordBatch* batch) const;
  void EmitApi(const Drawn& d, WyRand& rng, RecordBatch* batch) const;
  void EmitLocation(const Drawn& d, WyRand& rng, Column& location) const;
  void EmitLogin(const Drawn& d, WyRand& rng, Column& login) const;

  GeneratorSetup setup_;
  UserColumns cols_;
  UserShape shape_;
  YearsUntil years_;
  std::span<const Nationality> nationalities_;
  std::vector<std::vector<std::string>> address_tails_;  // per nationality and place
  std::vector<std::vector<CompiledPattern>> postcodes_;  // per nationality
  std::vector<std::vector<CompiledPattern>> phones_;     // per nationality
  std::vector<NationalId> national_ids_;                 // per nationality
  std::vector<CompiledPattern> id_patterns_;             // per nationality
  std::vector<std::string> username_stems_;              // adjective + animal
  // [large, medium, thumbnail][men, women]
  std::array<std::array<std::vector<std::string>, 2>, 3> pictures_;
  uint64_t next_index_ = 0;
};

void UsersSource::Draw(WyRand& rng, Drawn* d) const {
  d->identity = DrawIdentity(rng, static_cast<uint32_t>(nationalities_.size()));
  const Nationality& nat = nationalities_[d->identity.nationality];
  FormatUuid4(d->identity.hi, d->identity.lo, d->id);
  d->female = rng.Below(2);
  d->first = &Pick(d->female ? nat.female : nat.male, rng);
  d->last = &Pick(nat.last, rng);
  d->latin = nat.latin_per_mille > 0 && rng.PerMille(nat.latin_per_mille);
  d->place = rng.Below(static_cast<uint32_t>(nat.places.size()));
  d->street_number = 1 + rng.Below(9999);
  d->street = Pick(nat.streets, rng);
  d->post_code.Pattern(Pick(postcodes_[d->identity.nationality], rng), rng);

  const uint32_t style = rng.Below(100);
  const std::string_view f = d->first->email;
  const std::string_view l = d->last->email;
  Text& email = d->email;
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

  d->username.Add(Pick(username_stems_, rng));
  d->username.Decimal(100 + rng.Below(900));

  // Ages in [18, 80) years; registration in the last 20 years, not before 18.
  d->age = 18 * kMillisPerYear + static_cast<int64_t>(rng.Below64(62 * kMillisPerYear));
  const int64_t registered_window = std::min(20 * kMillisPerYear, d->age - 18 * kMillisPerYear);
  d->registered_ago =
      static_cast<int64_t>(rng.Below64(static_cast<uint64_t>(registered_window) + 1));
  d->phone.Pattern(Pick(phones_[d->identity.nationality], rng), rng);
  d->picture = rng.Below(100);
}

void UsersSource::EmitFlat(const Drawn& d, RecordBatch* batch) const {
  const Nationality& nat = nationalities_[d.identity.nationality];
  batch->column(cols_.id).AppendBytes(std::string_view(d.id, sizeof(d.id)));
  batch->column(cols_.first_name).AppendBytes(d.latin ? d.first->latin : d.first->text);
  batch->column(cols_.last_name).AppendBytes(d.latin ? d.last->latin : d.last->text);
  batch->column(cols_.gender).AppendBytes(d.female ? "female" : "male");
  Text address;
  address.Decimal(d.street_number);
  address.Put(' ');
  address.Add(d.street);
  address.Add(address_tails_[d.identity.nationality][d.place]);
  batch->column(cols_.address).AppendBytes(address.view());
  batch->column(cols_.post_code).AppendBytes(d.post_code.view());
  batch->column(cols_.email).AppendBytes(d.email.view());
  batch->column(cols_.username).AppendBytes(d.username.view());
  batch->column(cols_.dob).AppendInt64(setup_.now_millis - d.age);
  batch->column(cols_.registered).AppendInt64(setup_.now_millis - d.registered_ago);
  batch->column(cols_.phone).AppendBytes(d.phone.view());
  batch->column(cols_.picture).AppendBytes(pictures_[0][d.female][d.picture]);
  const Place& where = nat.places[d.place];
  batch->column(cols_.city).AppendBytes(where.city);
  batch->column(cols_.state).AppendBytes(where.state);
  batch->column(cols_.country).AppendBytes(nat.country);
  batch->column(cols_.nat).AppendBytes(nat.nat);
}

// The API shape: the flat shape's values, nested, and what the API adds,
// drawn after them.
void UsersSource::EmitApi(const Drawn& d, WyRand& rng, RecordBatch* batch) const {
  const Nationality& nat = nationalities_[d.identity.nationality];
  batch->column(kGender).AppendBytes(d.female ? "female" : "male");
  Column& name = batch->column(kName);
  name.AppendStruct();
  name.child(0).AppendBytes(Pick<std::string_view>(TitlesOf(nat.nat, d.female != 0), rng));
  name.child(1).AppendBytes(d.latin ? d.first->latin : d.first->text);
  name.child(2).AppendBytes(d.latin ? d.last->latin : d.last->text);
  EmitLocation(d, rng, batch->column(kLocation));
  batch->column(kEmail).AppendBytes(d.email.view());
  EmitLogin(d, rng, batch->column(kLogin));
  const int64_t dob = setup_.now_millis - d.age;
  const int64_t registered = setup_.now_millis - d.registered_ago;
  for (auto [index, millis] : {std::pair{kDob, dob}, std::pair{kRegistered, registered}}) {
    Column& dated = batch->column(index);
    dated.AppendStruct();
    dated.child(0).AppendInt64(millis);
    dated.child(1).AppendInt32(years_.Since(millis));
  }
  batch->column(kPhone).AppendBytes(d.phone.view());
  Text cell;
  cell.Pattern(Pick(phones_[d.identity.nationality], rng), rng);
  batch->column(kCell).AppendBytes(cell.view());
  Column& id = batch->column(kId);
  id.AppendStruct();
  const NationalId& national = national_ids_[d.identity.nationality];
  id.child(0).AppendBytes(national.name);
  if (national.pattern.empty()) {
    id.child(1).AppendNull();
  } else {
    Text value;
    value.Pattern(id_patterns_[d.identity.nationality], rng);
    id.child(1).AppendBytes(value.view());
  }
  Column& picture = batch->column(kPicture);
  picture.AppendStruct();
  for (size_t size = 0; size < 3; ++size) {
    picture.child(size).AppendBytes(pictures_[size][d.female][d.picture]);
  }
  batch->column(kNat).AppendBytes(nat.nat);
}

void UsersSource::EmitLocation(const Drawn& d, WyRand& rng, Column& location) const {
  const Nationality& nat = nationalities_[d.identity.nationality];
  const Place& where = nat.places[d.place];
  location.AppendStruct();
  Column& street = location.child(0);
  street.AppendStruct();
  street.child(0).AppendInt32(static_cast<int32_t>(d.street_number));
  street.child(1).AppendBytes(d.street);
  location.child(1).AppendBytes(where.city);
  location.child(2).AppendBytes(where.state);
  location.child(3).AppendBytes(nat.country);
  location.child(4).AppendBytes(d.post_code.view());
  Column& coordinates = location.child(5);
  coordinates.AppendStruct();
  Text latitude, longitude;
  AppendDegrees(static_cast<int32_t>(rng.Below(1800001)) - 900000, &latitude);
  AppendDegrees(static_cast<int32_t>(rng.Below(3600001)) - 1800000, &longitude);
  coordinates.child(0).AppendBytes(latitude.view());
  coordinates.child(1).AppendBytes(longitude.view());
  const std::span<const TimeZone> zones = TimeZones();
  const TimeZone& zone = zones[rng.Below(static_cast<uint32_t>(zones.size()))];
  Column& timezone = location.child(6);
  timezone.AppendStruct();
  timezone.child(0).AppendBytes(zone.offset);
  timezone.child(1).AppendBytes(zone.description);
}

void UsersSource::EmitLogin(const Drawn& d, WyRand& rng, Column& login) const {
  static constexpr std::string_view kSaltChars =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  login.AppendStruct();
  login.child(0).AppendBytes(std::string_view(d.id, sizeof(d.id)));
  login.child(1).AppendBytes(d.username.view());
  const std::span<const std::string_view> passwords = Passwords();
  login.child(2).AppendBytes(passwords[rng.Below(static_cast<uint32_t>(passwords.size()))]);
  Text salt;
  for (int i = 0; i < 8; ++i)
    salt.Put(kSaltChars[rng.Below(static_cast<uint32_t>(kSaltChars.size()))]);
  login.child(3).AppendBytes(salt.view());
  // Digests as the API shows them: lower-case hex of 128, 160 and 256 bits.
  for (auto [child, digits] : {std::pair{4, 32}, std::pair{5, 40}, std::pair{6, 64}}) {
    Text hex;
    for (int i = 0; i < digits; i += 16) hex.Hex(rng.Next(), std::min(16, digits - i));
    login.child(static_cast<size_t>(child)).AppendBytes(hex.view());
  }
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
  if (const std::string signature = ApiShapeSignature(UserApiSchema().fields());
      signature != kUserApiSignature) {
    return InternalError("schema user_api.avsc is {}, which the generator does not produce",
                         signature);
  }
  return std::unique_ptr<Source>(
      std::make_unique<UsersSource>(ResolveGeneratorSetup(options), columns, options.shape));
}

}  // namespace lakepipe::sources

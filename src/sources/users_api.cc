#include "sources/users_api.h"

#include "core/time_util.h"

namespace lakepipe::sources {
namespace {

constexpr NationalId kNationalIds[] = {
    {"AU", "TFN", "#########"},
    {"BR", "CPF", "###.###.###-##"},
    {"CA", "SIN", "### ### ###"},
    {"CH", "AVS", "756.####.####.##"},
    {"DE", "SVNR", "## ###### A ###"},
    {"DK", "CPR", "######-####"},
    {"ES", "DNI", "########-A"},
    {"FI", "HETU", "######-###A"},
    {"FR", "INSEE", "N############ ##"},
    {"GB", "NINO", "AA ## ## ## A"},
    {"IE", "PPS", "#######A"},
    {"IN", "UIDAI", "############"},
    {"IR", "", ""},
    {"MX", "NSS", "## ## ## #### #"},
    {"NL", "BSN", "########"},
    {"NO", "FN", "###########"},
    {"NZ", "", ""},
    {"RS", "SID", "#########"},
    {"TR", "", ""},
    {"UA", "", ""},
    {"US", "SSN", "###-##-####"},
};

constexpr std::string_view kMaleTitles[] = {"Mr"};
constexpr std::string_view kFemaleTitles[] = {"Ms", "Mrs", "Miss"};
constexpr std::string_view kFrenchMaleTitles[] = {"Monsieur"};
constexpr std::string_view kFrenchFemaleTitles[] = {"Madame", "Mademoiselle"};

constexpr TimeZone kTimeZones[] = {
    {"-12:00", "Eniwetok, Kwajalein"},
    {"-11:00", "Midway Island, Samoa"},
    {"-10:00", "Hawaii"},
    {"-9:00", "Alaska"},
    {"-8:00", "Pacific Time (US & Canada)"},
    {"-7:00", "Mountain Time (US & Canada)"},
    {"-6:00", "Central Time (US & Canada), Mexico City"},
    {"-5:00", "Eastern Time (US & Canada), Bogota, Lima"},
    {"-4:00", "Atlantic Time (Canada), Caracas, La Paz"},
    {"-3:30", "Newfoundland"},
    {"-3:00", "Brazil, Buenos Aires, Georgetown"},
    {"-2:00", "Mid-Atlantic"},
    {"-1:00", "Azores, Cape Verde Islands"},
    {"0:00", "Western Europe Time, London, Lisbon, Casablanca"},
    {"+1:00", "Brussels, Copenhagen, Madrid, Paris"},
    {"+2:00", "Kaliningrad, South Africa"},
    {"+3:00", "Baghdad, Riyadh, Moscow, St. Petersburg"},
    {"+3:30", "Tehran"},
    {"+4:00", "Abu Dhabi, Muscat, Baku, Tbilisi"},
    {"+4:30", "Kabul"},
    {"+5:00", "Ekaterinburg, Islamabad, Karachi, Tashkent"},
    {"+5:30", "Bombay, Calcutta, Madras, New Delhi"},
    {"+5:45", "Kathmandu"},
    {"+6:00", "Almaty, Dhaka, Colombo"},
    {"+7:00", "Bangkok, Hanoi, Jakarta"},
    {"+8:00", "Beijing, Perth, Singapore, Hong Kong"},
    {"+9:00", "Tokyo, Seoul, Osaka, Sapporo, Yakutsk"},
    {"+9:30", "Adelaide, Darwin"},
    {"+10:00", "Eastern Australia, Guam, Vladivostok"},
    {"+11:00", "Magadan, Solomon Islands, New Caledonia"},
    {"+12:00", "Auckland, Wellington, Fiji, Kamchatka"},
};

constexpr std::string_view kPasswords[] = {
    "baxter",   "qwerty1",  "password", "123456",    "letmein", "monkey",   "dragon",   "sunshine",
    "princess", "football", "shadow",   "master",    "michael", "jennifer", "hunter",   "buster",
    "soccer",   "harley",   "batman",   "andrew",    "tigger",  "charlie",  "robert",   "thomas",
    "hockey",   "ranger",   "daniel",   "starwars",  "klaster", "112233",   "george",   "computer",
    "michelle", "jessica",  "pepper",   "1111",      "zxcvbn",  "555555",   "11111111", "131313",
    "freedom",  "777777",   "pass",     "maggie",    "159753",  "aaaaaa",   "ginger",   "joshua",
    "cheese",   "amanda",   "summer",   "love",      "ashley",  "nicole",   "chelsea",  "biteme",
    "matthew",  "access",   "yankees",  "987654321", "dallas",  "austin",   "thunder",  "taylor",
    "matrix",   "william",  "corvette", "hello",     "martin",
};

}  // namespace

NationalId NationalIdOf(std::string_view nat) {
  for (const NationalId& id : kNationalIds) {
    if (id.nat == nat) return id;
  }
  return NationalId{nat, "", ""};
}

std::span<const std::string_view> TitlesOf(std::string_view nat, bool female) {
  if (nat == "FR" || nat == "CH") {
    if (female) return kFrenchFemaleTitles;
    return kFrenchMaleTitles;
  }
  if (female) return kFemaleTitles;
  return kMaleTitles;
}

std::span<const TimeZone> TimeZones() { return kTimeZones; }

std::span<const std::string_view> Passwords() { return kPasswords; }

int32_t WholeYears(int64_t from_millis, int64_t to_millis) {
  return YearsUntil(to_millis).Since(from_millis);
}

YearsUntil::YearsUntil(int64_t now_millis) : now_millis_(now_millis) {
  constexpr int64_t kDay = 86400000;
  const CivilDate now = CivilFromDays(FloorDiv(now_millis, kDay));
  year_ = now.year;
  month_ = now.month;
  day_ = now.day;
  time_of_day_ = FloorMod(now_millis, kDay);
}

int32_t YearsUntil::Since(int64_t from_millis) const {
  if (now_millis_ <= from_millis) return 0;
  constexpr int64_t kDay = 86400000;
  const CivilDate from = CivilFromDays(FloorDiv(from_millis, kDay));
  int64_t years = year_ - from.year;
  const bool before_anniversary = month_ != from.month ? month_ < from.month
                                  : day_ != from.day   ? day_ < from.day
                                                       : time_of_day_ < FloorMod(from_millis, kDay);
  if (before_anniversary) --years;
  return static_cast<int32_t>(years);
}

std::string ApiShapeSignature(const std::vector<Field>& fields) {
  std::string out;
  for (const Field& f : fields) {
    if (!out.empty()) out += ',';
    out += f.name + ':';
    if (f.kind() == Kind::kStruct) {
      out += '{' + ApiShapeSignature(f.children) + '}';
    } else {
      out += KindName(f.kind());
      if (f.kind() == Kind::kTimestamp && f.unit == TimeUnit::kMillis) out += "-millis";
    }
    if (f.nullable) out += '?';
  }
  return out;
}

const std::string_view kUserApiSignature =
    "gender:string,name:{title:string,first:string,last:string},"
    "location:{street:{number:int32,name:string},city:string,state:string,country:string,"
    "postcode:string,coordinates:{latitude:string,longitude:string},"
    "timezone:{offset:string,description:string}},email:string,"
    "login:{uuid:uuid,username:string,password:string,salt:string,md5:string,sha1:string,"
    "sha256:string},dob:{date:timestamp-millis,age:int32},registered:{date:timestamp-millis,"
    "age:int32},"
    "phone:string,cell:string,id:{name:string,value:string?},"
    "picture:{large:string,medium:string,thumbnail:string},nat:string";

}  // namespace lakepipe::sources

// What the API shape of the `users` generator adds to a person, as
// randomuser.me makes it: titles, national identifiers, time zones and
// passwords.
//
// Thread-safety: constants.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/schema.h"

namespace lakepipe::sources {

// The national identifier of a nationality: its name and a pattern of its
// values (as nationalities.h's patterns). Where randomuser.me has none the
// name is "" and the value null (pattern "").
struct NationalId {
  std::string_view nat;
  std::string_view name;
  std::string_view pattern;
};
// The identifier of `nat` (a code of Nationalities()); {nat, "", ""} when
// the code is unknown.
NationalId NationalIdOf(std::string_view nat);

// Titles by gender: "Monsieur"/"Madame"/"Mademoiselle" for FR and CH, else
// "Mr" and "Ms"/"Mrs"/"Miss".
std::span<const std::string_view> TitlesOf(std::string_view nat, bool female);

// randomuser.me's time zones, not tied to the nationality (the API draws
// them at random): offset "+5:30" and the places in it.
struct TimeZone {
  std::string_view offset;
  std::string_view description;
};
std::span<const TimeZone> TimeZones();

// Common passwords, as the API hands them out.
std::span<const std::string_view> Passwords();

// Whole calendar years from `from` to `to` (ms since the epoch, UTC), as
// the API's ages count them: a birthday not yet reached this year does not
// count. 0 when `to` is before `from`.
int32_t WholeYears(int64_t from_millis, int64_t to_millis);

// WholeYears(from, now) for one `now`, whose calendar date is worked out once.
class YearsUntil {
 public:
  explicit YearsUntil(int64_t now_millis);
  int32_t Since(int64_t from_millis) const;

 private:
  int64_t now_millis_;
  int64_t year_;
  int month_, day_;
  int64_t time_of_day_;
};

// The layout the generator writes api-shaped people in: field names,
// kinds and nullability, nested, e.g. "gender:string,name:{title:string,...}".
// ApiShapeSignature(UserApiSchema()) must equal kUserApiSignature.
std::string ApiShapeSignature(const std::vector<Field>& fields);
extern const std::string_view kUserApiSignature;

}  // namespace lakepipe::sources

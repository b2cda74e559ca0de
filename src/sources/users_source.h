// The `users` generator: randomuser-shaped people (schemas/user.avsc).
//
// Record i of a seed is a pure function of (seed, i, now): each record
// draws from its own wyrand stream, so output does not depend on batch
// sizes, and other generators can name user i without generating the rest
// (activity's user_id values are the ids of users 0..9999 of the same seed).
//
// Per record: a nationality uniformly among the 21 of nationalities.h;
// gender male/female 50/50; names of that nationality and gender (IN: 35% in
// Devanagari); a city with its own state; street number 1-9999; postcode and
// phone in one of the country's styles; e-mail first.last (50%),
// first.last<1-99> (20%), firstlast, first_last, last.first (10% each) in
// ASCII at an international (60%) or national provider; username
// <adjective><animal><100-999> as randomuser.me makes them; age uniform in
// [18, 80) years before `now`; registration uniform in the last 20 years
// and not before the 18th birthday; a randomuser.me portrait of the gender.
//
// SourceOptions::shape kApi gives the same people (the same draws, in the
// same order) in the nested shape of the randomuser.me API,
// schemas/user_api.avsc, keyed by login.uuid, with what the API adds drawn
// after them: a title by gender (French ones for FR and CH); coordinates
// uniform over the globe as text with 4 decimals; one of the API's 31 time
// zones (the API does not tie them to the country either); a common
// password, an 8-character salt and md5/sha1/sha256 as random lower-case
// hex of their lengths (not digests of the password); a cell number in the
// country's phone styles; the country's national identifier (null where
// the API has none); the portrait in its large, medium and thumbnail URLs;
// ages in whole calendar years before `now`.
//
// Thread-safety: a source is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>

#include "sources/generator.h"
#include "sources/source.h"

namespace lakepipe::sources {

// Column indices of the fields of schemas/user.avsc, checked to have the
// storage the writers of user rows expect.
struct UserColumns {
  size_t id, first_name, last_name, gender, address, post_code, email, username, dob, registered,
      phone, picture, city, state, country, nat;
};
Result<UserColumns> ResolveUserColumns(const Schema& schema);

// What other generators need to know of user `index` of `seed`.
struct UserIdentity {
  char id[36];               // canonical UUID text
  uint32_t nationality = 0;  // index into Nationalities()
};
UserIdentity UserIdentityAt(uint64_t seed, uint64_t index);

Result<std::unique_ptr<Source>> NewUsersSource(const SourceOptions& options);

}  // namespace lakepipe::sources

// The `randomuser` source: people from the randomuser.me API, mapped to
// schemas/user.avsc, or kept in the API's shape (schemas/user_api.avsc).
//
// Each request is GET <url>?results=<batch>, keeping the URL's other query
// parameters (e.g. nat=gb,fr or inc=...). With SourceOptions::seed the
// request also carries seed=<seed>&page=<1, 2, ...>: the API then returns
// the same people in the same order on every run. Entries map as
//   id = login.uuid (checked to be a UUID, lower-cased), first_name/last_name
//   = name.first/last, gender, address = "number street, city, state,
//   country" from location.street.number/name and location.city/state/
//   country, post_code = location.postcode (a number or a string), email,
//   username = login.username, dob = dob.date, registered_date =
//   registered.date (ISO-8601), phone, picture = picture.large, city, state,
//   country, nat.
// With SourceOptions::shape kApi, entries keep the API's nesting as
// schemas/user_api.avsc (the key field is login.uuid): every field of the
// schema must be present with its type (id.value may be null), postcodes
// sent as numbers become their digits, fields the schema does not name are
// left out.
// Flat: city, state, country and nat may be missing or null (then null, and left
// out of the address); every other field must be present with its type.
// An entry that is not so goes to SourceOptions::bad_records (source = the
// request URL, reason naming the field, raw = the entry's JSON) and the rest
// of the response is used; without a sink it stops the source with
// kInvalidArgument.
//
// Failures: connection errors, timeouts, 429 (honouring Retry-After) and
// 5xx are retried by SendWithRetry with SourceOptions::retry; when they
// outlast it, Next returns kUnavailable naming the URL. A 200 whose body is
// not the expected JSON (an HTML error page, {"error": ...}, no results) is
// retried up to kBodyAttempts times with the policy's backoff, then
// reported as kUnavailable with the body's beginning. Other HTTP statuses
// (4xx) are kInvalidArgument: the URL is wrong.
//
// Thread-safety: a source is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sources/source.h"

namespace lakepipe::sources {

inline constexpr int kBodyAttempts = 3;
inline constexpr size_t kMaxRandomUserBatch = 5000;

// `url` with results=<batch>, and seed/page when `seed` is set, replacing
// those parameters if present and keeping the others (and a #fragment).
std::string RandomUserRequestUrl(std::string_view url, size_t batch, std::optional<uint64_t> seed,
                                 uint64_t page);

Result<std::unique_ptr<Source>> NewRandomUserSource(const SourceOptions& options);

}  // namespace lakepipe::sources

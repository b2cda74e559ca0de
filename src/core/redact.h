// Keeping secrets out of what lakepipe prints: URLs with credentials and
// values of secret-looking settings.
//
// Every line lakepipe prints that can hold a URL (--print-config, check,
// log lines, errors, summaries) goes through MaskUrlCredentials(): the
// userinfo of a URL, "http://user:PASSWORD@host", is printed as
// "http://user:***@host" (and "https://TOKEN@host" as "https://***@host").
//
// Thread-safety: the functions are pure.
#pragma once

#include <string>
#include <string_view>

namespace lakepipe {

// What stands for a hidden secret in printed text.
inline constexpr std::string_view kMaskedSecret = "***";

// `text` with the userinfo of every URL in it masked. A URL is found by its
// "scheme://"; its authority ends at the first '/', '?', '#', whitespace,
// quote, '<', '>' or ','; the userinfo is what precedes the authority's
// last '@'. "user:pass" keeps the user ("user:***"); a userinfo without
// ':' may be a token and is masked whole ("***"). Text without such a URL
// comes back unchanged.
std::string MaskUrlCredentials(std::string_view text);

// `text` with every occurrence of `value` replaced by `replacement`, left
// to right without overlaps; an empty `value` changes nothing. Callers
// decide which values are long enough to mask without garbling the text.
std::string MaskValue(std::string text, std::string_view value,
                      std::string_view replacement = kMaskedSecret);

// True when a setting named `key` may hold a secret, so its value is never
// shown in a message: the key (any case) contains "password", "passwd",
// "secret", "token", "credential", "jaas", "private" or "auth", has a
// component ("." "_" "-" separated) ending in "key" ("ssl.key.pem",
// "api_key"), or starts with "sasl.".
bool LooksSecretKey(std::string_view key);

}  // namespace lakepipe

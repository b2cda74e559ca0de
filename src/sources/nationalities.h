// The people data behind the `users` generator: the 21 nationalities that
// randomuser.me offers, each with its own first names (by gender), last
// names, cities with their states, streets, postcode and phone styles and
// e-mail providers. Names are in the script people write them in (Cyrillic
// for UA, Persian for IR, Devanagari for part of IN), each with the ASCII
// form used in e-mail addresses.
//
// Thread-safety: Nationalities() builds its tables once (thread-safe) and
// they are immutable afterwards.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lakepipe::sources {

struct Name {
  std::string_view text;   // as written: "Jørgen", "Олена"
  std::string_view latin;  // in Latin letters: "Jørgen", "Olena"
  std::string email;       // lower-case ASCII letters for e-mail addresses: "jorgen", "olena"
};

struct Place {
  std::string_view city;
  std::string_view state;
};

// Patterns of postcodes and phone numbers: '#' a digit, 'N' a digit 1-9,
// 'A' a letter A-Z, 'C' a letter of Canadian postcodes, 'X' a character of
// Irish Eircodes, '\' makes the next character literal; anything else is
// copied.
struct Nationality {
  std::string_view nat;      // "DE"
  std::string_view country;  // "Germany", as randomuser.me names it
  std::vector<Name> male;
  std::vector<Name> female;
  std::vector<Name> last;
  std::vector<Place> places;
  std::vector<std::string_view> streets;
  std::vector<std::string_view> postcodes;
  std::vector<std::string_view> phones;
  std::vector<std::string_view> email_domains;  // national providers
  // Where names have a non-Latin native script: the share of people (per
  // mille) whose names are shown in Latin letters (IN: 650; UA, IR: 0).
  // Unused where text and latin are the same.
  uint32_t latin_per_mille = 0;
};

// All nationalities, ordered by code (AU ... US).
std::span<const Nationality> Nationalities();

// E-mail providers used in every country.
std::span<const std::string_view> GlobalEmailDomains();

// Lower-case ASCII letters and digits of a Latin-script text: accents are
// dropped (é → e), some letters spelled out (ß → ss, æ → ae, đ → dj), other
// characters (spaces, apostrophes, other scripts) left out.
std::string AsciiFold(std::string_view text);

}  // namespace lakepipe::sources

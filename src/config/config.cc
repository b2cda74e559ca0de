#include "config/config.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>

#include "config/dotenv.h"
#include "config/yaml_file.h"
#include "core/redact.h"
#include "core/units.h"

namespace lakepipe::config {

struct Config::RawValue {
  bool is_list = false;
  std::string scalar;
  std::vector<std::string> items;
};

namespace {

constexpr std::string_view kPrefix = "LAKEPIPE_";
constexpr std::string_view kDurationExamples = "examples: 500ms, 10s, 2m, 1h30m";

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && Lower(a) == Lower(b);
}

// The spelling of `key` in an environment variable: upper case, '.' and '-'
// become '_'.
std::string EnvSpelling(std::string_view key) {
  std::string out = Upper(key);
  std::replace(out.begin(), out.end(), '.', '_');
  std::replace(out.begin(), out.end(), '-', '_');
  return out;
}

std::string Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out.append(separator);
    out.append(items[i]);
  }
  return out;
}

// Keys whose values are secrets whatever their declaration says.
bool LooksSecret(std::string_view key) {
  const std::string lower = Lower(key);
  for (std::string_view word :
       {"password", "secret", "token", "sasl.jaas", "ssl.key.pem", "sasl.oauthbearer.config"}) {
    if (lower.find(word) != std::string::npos) return true;
  }
  return false;
}

// An allowed enum entry like "file:<path>" accepts "file:" followed by text.
std::optional<std::string_view> PatternPrefix(std::string_view allowed) {
  const size_t open = allowed.find('<');
  if (open == std::string_view::npos || allowed.back() != '>') return std::nullopt;
  return allowed.substr(0, open);
}

// How a rejected value is shown: quoted, or not at all for secrets.
std::string Shown(bool secret, std::string_view text) {
  return secret ? std::string("the value") : fmt::format("'{}'", text);
}

Status CheckRange(const OptionSpec& spec, int64_t value, std::string_view text, bool secret,
                  std::string_view unit) {
  if (spec.min && value < *spec.min) {
    return InvalidArgumentError("{} is below the minimum of {}{}", Shown(secret, text), *spec.min,
                                unit);
  }
  if (spec.max && value > *spec.max) {
    return InvalidArgumentError("{} is above the maximum of {}{}", Shown(secret, text), *spec.max,
                                unit);
  }
  return Status::OK();
}

Result<int64_t> ParseInt(std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) {
    return InvalidArgumentError("'{}' is not a whole number", text);
  }
  return value;
}

struct Normalized {
  std::string text;
  std::vector<std::string> list;
};

bool IsOptional(const OptionSpec& spec) {
  return spec.default_value.empty() && spec.type != OptionSpec::Type::kString &&
         spec.type != OptionSpec::Type::kStringList;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string_view::npos) comma = text.size();
    std::string item = Trim(text.substr(start, comma - start));
    if (!item.empty()) items.push_back(std::move(item));
    start = comma + 1;
  }
  return items;
}

// Checks `raw` against `spec`; messages do not say where the value came from.
Result<Normalized> NormalizeValue(const OptionSpec& spec, bool secret, const std::string& scalar,
                                  const std::vector<std::string>* items) {
  using Type = OptionSpec::Type;
  Normalized out;
  if (spec.type == Type::kStringList) {
    if (items != nullptr) {
      for (const std::string& item : *items) {
        std::string trimmed = Trim(item);
        if (!trimmed.empty()) out.list.push_back(std::move(trimmed));
      }
    } else {
      out.list = SplitList(scalar);
    }
    out.text = Join(out.list, ",");
    return out;
  }
  if (items != nullptr) return InvalidArgumentError("expected a single value, not a list");
  out.text = scalar;
  if (scalar.empty()) {
    if (spec.type == Type::kString || IsOptional(spec)) return out;
    return InvalidArgumentError("a value is required ({})", TypeName(spec.type));
  }
  switch (spec.type) {
    case Type::kString:
    case Type::kStringList:
      return out;
    case Type::kInt: {
      Result<int64_t> value = ParseInt(scalar);
      if (!value.ok()) {
        return InvalidArgumentError("{} is not a whole number", Shown(secret, scalar));
      }
      LP_RETURN_IF_ERROR(CheckRange(spec, *value, scalar, secret, ""));
      return out;
    }
    case Type::kBool: {
      Result<bool> value = ParseBool(scalar);
      if (!value.ok()) {
        return InvalidArgumentError("{} is not a boolean (use true/false, yes/no or 1/0)",
                                    Shown(secret, scalar));
      }
      out.text = *value ? "true" : "false";
      return out;
    }
    case Type::kSize: {
      Result<uint64_t> value = ParseByteSize(scalar);
      if (!value.ok()) {
        if (secret) return InvalidArgumentError("the value is not a size");
        return value.status();
      }
      const int64_t clamped = *value > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                                  ? std::numeric_limits<int64_t>::max()
                                  : static_cast<int64_t>(*value);
      LP_RETURN_IF_ERROR(CheckRange(spec, clamped, scalar, secret, " bytes"));
      return out;
    }
    case Type::kDuration: {
      Result<std::chrono::milliseconds> value = ParseDuration(scalar);
      if (!value.ok()) {
        if (secret) return InvalidArgumentError("the value is not a duration");
        return value.status();
      }
      LP_RETURN_IF_ERROR(CheckRange(spec, value->count(), scalar, secret, " ms"));
      return out;
    }
    case Type::kEnum: {
      for (const std::string& allowed : spec.allowed) {
        if (std::optional<std::string_view> prefix = PatternPrefix(allowed)) {
          if (scalar.size() > prefix->size() &&
              EqualsIgnoreCase(std::string_view(scalar).substr(0, prefix->size()), *prefix)) {
            out.text = std::string(*prefix) + scalar.substr(prefix->size());
            return out;
          }
        } else if (EqualsIgnoreCase(scalar, allowed)) {
          out.text = allowed;
          return out;
        }
      }
      return InvalidArgumentError("{} is not allowed (allowed: {})", Shown(secret, scalar),
                                  Join(spec.allowed, ", "));
    }
  }
  return InternalError("unknown option type");
}

bool ValidName(std::string_view name, bool allow_dots) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           (allow_dots && ((c >= 'A' && c <= 'Z') || c == '.' || c == '-'));
  });
}

// Declarations are code: mistakes in them are lakepipe bugs (kInternal).
Status ValidateSpecs(const std::vector<SectionSpec>& sections) {
  std::set<std::string> names;
  for (const SectionSpec& section : sections) {
    if (!ValidName(section.name, false)) {
      return InternalError("config section name '{}' is not lower-case letters, digits and _",
                           section.name);
    }
    if (!names.insert(section.name).second) {
      return InternalError("config section '{}' is declared twice", section.name);
    }
    std::set<std::string> env_keys;
    for (const OptionSpec& option : section.options) {
      if (!ValidName(option.key, true)) {
        return InternalError("config key '{}.{}' is not letters, digits, '_', '.' and '-'",
                             section.name, option.key);
      }
      if (!env_keys.insert(EnvSpelling(option.key)).second) {
        return InternalError("config key '{}.{}' is declared twice (or differs only in '_'/'.')",
                             section.name, option.key);
      }
      if ((option.type == OptionSpec::Type::kEnum) == option.allowed.empty()) {
        return InternalError("config key '{}.{}': allowed values go with type enum, and only there",
                             section.name, option.key);
      }
      if (option.min && option.max && *option.min > *option.max) {
        return InternalError("config key '{}.{}': min is above max", section.name, option.key);
      }
      Result<Normalized> value = NormalizeValue(option, false, option.default_value, nullptr);
      if (!value.ok()) {
        return InternalError("config key '{}.{}': bad default: {}", section.name, option.key,
                             value.status().message());
      }
    }
    for (const auto& [old_key, new_key] : section.renamed) {
      const bool declared = std::any_of(section.options.begin(), section.options.end(),
                                        [&](const OptionSpec& o) { return o.key == new_key; });
      if (!declared || !ValidName(old_key, true) || !env_keys.insert(EnvSpelling(old_key)).second) {
        return InternalError(
            "config key '{}.{}' is renamed to an undeclared key, or its old name is taken",
            section.name, old_key);
      }
    }
  }
  return Status::OK();
}

// YAML for a key or a scalar: bare when that is unambiguous, else double-quoted.
std::string YamlScalar(std::string_view text) {
  const bool bare = !text.empty() && std::isalnum(static_cast<unsigned char>(text.front())) &&
                    std::all_of(text.begin(), text.end(), [](char c) {
                      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' ||
                             c == '-' || c == '/' || c == ':' || c == '@' || c == '+';
                    });
  if (bare) return std::string(text);
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace

std::string_view OriginName(Origin origin) {
  switch (origin) {
    case Origin::kDefault:
      return "default";
    case Origin::kFile:
      return "file";
    case Origin::kEnvironment:
      return "environment";
    case Origin::kFlag:
      return "flag";
  }
  return "unknown";
}

std::string_view TypeName(OptionSpec::Type type) {
  switch (type) {
    case OptionSpec::Type::kString:
      return "string";
    case OptionSpec::Type::kInt:
      return "int";
    case OptionSpec::Type::kBool:
      return "bool";
    case OptionSpec::Type::kSize:
      return "size";
    case OptionSpec::Type::kDuration:
      return "duration";
    case OptionSpec::Type::kEnum:
      return "enum";
    case OptionSpec::Type::kStringList:
      return "list";
  }
  return "unknown";
}

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  if (text == "0") return std::chrono::milliseconds(0);
  if (text.empty()) return InvalidArgumentError("'' is not a duration ({})", kDurationExamples);
  int64_t total = 0;
  size_t i = 0;
  while (i < text.size()) {
    const size_t digits_start = i;
    int64_t number = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (number > (std::numeric_limits<int64_t>::max() - 9) / 10) {
        return InvalidArgumentError("duration '{}' is too long", text);
      }
      number = number * 10 + (text[i] - '0');
      ++i;
    }
    const size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const std::string unit = Lower(text.substr(unit_start, i - unit_start));
    if (unit_start == digits_start || unit.empty()) {
      return InvalidArgumentError("'{}' is not a duration ({})", text, kDurationExamples);
    }
    int64_t ms_per_unit = 0;
    if (unit == "ms") {
      ms_per_unit = 1;
    } else if (unit == "s") {
      ms_per_unit = 1000;
    } else if (unit == "m") {
      ms_per_unit = 60 * 1000;
    } else if (unit == "h") {
      ms_per_unit = 3600 * 1000;
    } else if (unit == "d") {
      ms_per_unit = 24 * 3600 * 1000;
    } else {
      return InvalidArgumentError("unknown unit '{}' in duration '{}' (use ms, s, m, h or d)", unit,
                                  text);
    }
    if (number > (std::numeric_limits<int64_t>::max() - total) / ms_per_unit) {
      return InvalidArgumentError("duration '{}' is too long", text);
    }
    total += number * ms_per_unit;
  }
  return std::chrono::milliseconds(total);
}

Result<bool> ParseBool(std::string_view text) {
  const std::string lower = Lower(text);
  if (lower == "true" || lower == "yes" || lower == "1") return true;
  if (lower == "false" || lower == "no" || lower == "0") return false;
  return InvalidArgumentError("'{}' is not a boolean (use true/false, yes/no or 1/0)", text);
}

Result<Config> Config::Load(const std::string& path, std::vector<SectionSpec> sections) {
  LP_RETURN_IF_ERROR(ValidateSpecs(sections));
  Config config;
  for (SectionSpec& spec : sections) {
    Section section;
    section.spec = std::move(spec);
    for (size_t i = 0; i < section.spec.options.size(); ++i) {
      const OptionSpec& option = section.spec.options[i];
      Result<Normalized> value = NormalizeValue(option, false, option.default_value, nullptr);
      if (!value.ok()) return InternalError("bad default for {}", option.key);
      Entry entry;
      entry.key = option.key;
      entry.option = static_cast<int>(i);
      entry.text = std::move(value->text);
      entry.list = std::move(value->list);
      entry.sequence = config.next_sequence_++;
      section.entries.push_back(std::move(entry));
    }
    config.sections_.push_back(std::move(section));
  }
  if (!path.empty()) LP_RETURN_IF_ERROR(config.LoadFile(path));
  LP_RETURN_IF_ERROR(config.LoadEnvironment());
  return config;
}

const Config::Section* Config::FindSection(std::string_view name) const {
  for (const Section& section : sections_) {
    if (section.spec.name == name) return &section;
  }
  return nullptr;
}

Config::Section* Config::FindSection(std::string_view name) {
  for (Section& section : sections_) {
    if (section.spec.name == name) return &section;
  }
  return nullptr;
}

const Config::Entry* Config::FindEntry(std::string_view section, std::string_view key) const {
  const Section* s = FindSection(section);
  if (s == nullptr) return nullptr;
  for (const Entry& entry : s->entries) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

namespace {

std::vector<std::string> KeysOf(const SectionSpec& spec) {
  std::vector<std::string> keys;
  for (const OptionSpec& option : spec.options) keys.push_back(option.key);
  return keys;
}

}  // namespace

std::string Config::SectionNames() const {
  std::vector<std::string> names;
  for (const Section& section : sections_) names.push_back(section.spec.name);
  return Join(names, ", ");
}

Status Config::Set(Section& section, std::string_view given_key, const RawValue& value,
                   Origin origin, const std::string& where) {
  const SectionSpec& spec = section.spec;
  std::string_view key = given_key;
  for (const auto& [old_key, new_key] : spec.renamed) {
    if (given_key != old_key) continue;
    key = new_key;
    warnings_.push_back(fmt::format("{}: {}.{} is deprecated: use {}.{}", where, spec.name, old_key,
                                    spec.name, new_key));
  }
  Entry* entry = nullptr;
  for (Entry& candidate : section.entries) {
    if (candidate.key == key) entry = &candidate;
  }
  if (entry == nullptr && !spec.passthrough) {
    return InvalidArgumentError("{}: unknown key '{}' in section '{}' (keys: {})", where, key,
                                spec.name, Join(KeysOf(spec), ", "));
  }
  const OptionSpec* option =
      entry != nullptr && entry->option >= 0 ? &spec.options[entry->option] : nullptr;
  std::string text;
  std::vector<std::string> list;
  if (option != nullptr) {
    const bool secret = option->secret || LooksSecret(key);
    Result<Normalized> normalized =
        NormalizeValue(*option, secret, value.scalar, value.is_list ? &value.items : nullptr);
    if (!normalized.ok()) {
      return InvalidArgumentError("{}: {}.{}: {}", where, spec.name, key,
                                  normalized.status().message());
    }
    text = std::move(normalized->text);
    list = std::move(normalized->list);
  } else {
    if (value.is_list) {
      return InvalidArgumentError("{}: {}.{}: expected a single value, not a list", where,
                                  spec.name, key);
    }
    text = value.scalar;
  }
  if (entry == nullptr) {
    section.entries.push_back(Entry{});
    entry = &section.entries.back();
    entry->key = std::string(key);
  }
  if (origin == entry->origin && origin != Origin::kDefault && entry->spelling != given_key) {
    return InvalidArgumentError("{}: {}.{} and {}.{} ({}) are the same option: give {} only", where,
                                spec.name, given_key, spec.name, entry->spelling, entry->where,
                                key);
  }
  if (origin < entry->origin) return Status::OK();
  entry->text = std::move(text);
  entry->list = std::move(list);
  entry->origin = origin;
  entry->where = where;
  entry->sequence = next_sequence_++;
  entry->spelling = std::string(given_key);
  return Status::OK();
}

Status Config::LoadFile(const std::string& path) {
  LP_ASSIGN_OR_RETURN(std::vector<YamlSection> file, ReadYamlFile(path));
  for (const YamlSection& file_section : file) {
    Section* section = FindSection(file_section.name);
    if (section == nullptr) {
      return InvalidArgumentError("{}:{}: unknown section '{}' (sections: {})", path,
                                  file_section.line, file_section.name, SectionNames());
    }
    for (const YamlEntry& file_entry : file_section.entries) {
      RawValue raw;
      raw.is_list = file_entry.is_list;
      raw.scalar = file_entry.scalar;
      raw.items = file_entry.items;
      LP_RETURN_IF_ERROR(Set(*section, file_entry.key, raw, Origin::kFile,
                             fmt::format("{}:{}", path, file_entry.line)));
    }
  }
  return Status::OK();
}

Status Config::LoadEnvironment() {
  // name -> (value, where); std::map applies them in name order.
  std::map<std::string, std::pair<std::string, std::string>> variables;
  for (char** e = ::environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view assignment(*e);
    const size_t eq = assignment.find('=');
    if (eq == std::string_view::npos || assignment.substr(0, kPrefix.size()) != kPrefix) continue;
    const std::string name(assignment.substr(0, eq));
    variables[name] = {std::string(assignment.substr(eq + 1)), "environment variable " + name};
  }
  LP_ASSIGN_OR_RETURN(std::vector<EnvAssignment> dotenv, ReadDotEnv(".env"));
  for (EnvAssignment& a : dotenv) {
    if (a.name.substr(0, kPrefix.size()) != kPrefix) continue;
    if (std::getenv(a.name.c_str()) != nullptr) continue;  // the real environment wins
    variables[a.name] = {std::move(a.value), fmt::format(".env:{} ({})", a.line, a.name)};
  }

  // Longest section names first, so that SCHEMA_REGISTRY beats a section SCHEMA.
  std::vector<Section*> by_length;
  for (Section& s : sections_) by_length.push_back(&s);
  std::stable_sort(by_length.begin(), by_length.end(), [](const Section* a, const Section* b) {
    return a->spec.name.size() > b->spec.name.size();
  });
  for (auto& [name, value_and_where] : variables) {
    const auto& [value, where] = value_and_where;
    if (std::find(std::begin(kReservedEnvironment), std::end(kReservedEnvironment), name) !=
        std::end(kReservedEnvironment)) {
      continue;
    }
    const std::string rest = name.substr(kPrefix.size());
    const Section* first_match = nullptr;
    bool done = false;
    for (Section* section : by_length) {
      const std::string prefix = Upper(section->spec.name) + "_";
      if (rest.size() <= prefix.size() || rest.compare(0, prefix.size(), prefix) != 0) continue;
      if (first_match == nullptr) first_match = section;
      const std::string env_key = rest.substr(prefix.size());
      std::string key;
      for (const Entry& entry : section->entries) {
        if (EnvSpelling(entry.key) == env_key) {
          key = entry.key;
          break;
        }
      }
      for (const auto& [old_key, new_key] : section->spec.renamed) {
        if (key.empty() && EnvSpelling(old_key) == env_key) key = old_key;
      }
      if (key.empty() && section->spec.passthrough) {
        key = Lower(env_key);
        std::replace(key.begin(), key.end(), '_', '.');
      }
      if (key.empty()) continue;
      RawValue raw;
      raw.scalar = value;
      LP_RETURN_IF_ERROR(Set(*section, key, raw, Origin::kEnvironment, where));
      done = true;
      break;
    }
    if (done) continue;
    if (first_match != nullptr) {
      return InvalidArgumentError(
          "{}: section '{}' has no key '{}' (keys: {}; variables are "
          "LAKEPIPE_<SECTION>_<KEY>, with '_' for '.')",
          where, first_match->spec.name, rest.substr(first_match->spec.name.size() + 1),
          Join(KeysOf(first_match->spec), ", "));
    }
    return InvalidArgumentError(
        "{}: no configuration section matches (sections: {}; variables are "
        "LAKEPIPE_<SECTION>_<KEY>)",
        where, SectionNames());
  }
  return Status::OK();
}

Status Config::SetFlag(std::string_view section, std::string_view key, std::string_view value) {
  Section* s = FindSection(section);
  if (s == nullptr) {
    return InvalidArgumentError("flag: unknown section '{}' (sections: {})", section,
                                SectionNames());
  }
  RawValue raw;
  raw.scalar = std::string(value);
  return Set(*s, key, raw, Origin::kFlag, "flag");
}

Result<const Config::Entry*> Config::Lookup(std::string_view section, std::string_view key,
                                            OptionSpec::Type type) const {
  const Section* s = FindSection(section);
  if (s == nullptr) return InternalError("config section '{}' is not declared", section);
  const Entry* entry = FindEntry(section, key);
  if (entry == nullptr || entry->option < 0) {
    if (s->spec.passthrough && type == OptionSpec::Type::kString) {
      if (entry == nullptr) return NotFoundError("{}.{} is not set", section, key);
      return entry;
    }
    return InternalError("config key '{}.{}' is not declared", section, key);
  }
  const OptionSpec& option = s->spec.options[entry->option];
  const bool compatible = option.type == type || type == OptionSpec::Type::kString;
  if (!compatible) {
    return InternalError("config key '{}.{}' is declared as {}, read as {}", section, key,
                         TypeName(option.type), TypeName(type));
  }
  if (type != OptionSpec::Type::kString && IsOptional(option) && entry->text.empty()) {
    return NotFoundError("{}.{} is not set", section, key);
  }
  return entry;
}

Result<std::string> Config::GetString(std::string_view section, std::string_view key) const {
  LP_ASSIGN_OR_RETURN(const Entry* entry, Lookup(section, key, OptionSpec::Type::kString));
  return entry->text;
}

Result<int64_t> Config::GetInt(std::string_view section, std::string_view key) const {
  LP_ASSIGN_OR_RETURN(const Entry* entry, Lookup(section, key, OptionSpec::Type::kInt));
  return ParseInt(entry->text);
}

Result<bool> Config::GetBool(std::string_view section, std::string_view key) const {
  LP_ASSIGN_OR_RETURN(const Entry* entry, Lookup(section, key, OptionSpec::Type::kBool));
  return ParseBool(entry->text);
}

Result<uint64_t> Config::GetSize(std::string_view section, std::string_view key) const {
  LP_ASSIGN_OR_RETURN(const Entry* entry, Lookup(section, key, OptionSpec::Type::kSize));
  return ParseByteSize(entry->text);
}

Result<std::chrono::milliseconds> Config::GetDuration(std::string_view section,
                                                      std::string_view key) const {
  LP_ASSIGN_OR_RETURN(const Entry* entry, Lookup(section, key, OptionSpec::Type::kDuration));
  return ParseDuration(entry->text);
}

Result<std::vector<std::string>> Config::GetList(std::string_view section,
                                                 std::string_view key) const {
  LP_ASSIGN_OR_RETURN(const Entry* entry, Lookup(section, key, OptionSpec::Type::kStringList));
  return entry->list;
}

bool Config::IsSet(std::string_view section, std::string_view key) const {
  return OriginOf(section, key) != Origin::kDefault;
}

bool Config::HasValue(std::string_view section, std::string_view key) const {
  const Entry* entry = FindEntry(section, key);
  return entry != nullptr && !entry->text.empty();
}

Origin Config::OriginOf(std::string_view section, std::string_view key) const {
  const Entry* entry = FindEntry(section, key);
  return entry == nullptr ? Origin::kDefault : entry->origin;
}

std::string Config::SourceOf(std::string_view section, std::string_view key) const {
  const Entry* entry = FindEntry(section, key);
  return entry == nullptr ? "default" : entry->where;
}

std::vector<std::pair<std::string, std::string>> Config::Passthrough(
    std::string_view section) const {
  std::vector<std::pair<std::string, std::string>> out;
  const Section* s = FindSection(section);
  if (s == nullptr || !s->spec.passthrough) return out;
  std::vector<const Entry*> entries;
  for (const Entry& entry : s->entries) {
    if (entry.origin != Origin::kDefault || !entry.text.empty()) entries.push_back(&entry);
  }
  std::sort(entries.begin(), entries.end(), [](const Entry* a, const Entry* b) {
    if (a->origin != b->origin) return a->origin < b->origin;
    return a->sequence < b->sequence;
  });
  for (const Entry* entry : entries) out.emplace_back(entry->key, entry->text);
  return out;
}

std::string Config::Dump() const {
  std::string out = "# Effective lakepipe configuration (secrets masked).\n";
  for (const Section& section : sections_) {
    std::vector<const Entry*> entries;
    if (section.spec.passthrough) {
      for (const auto& [key, value] : Passthrough(section.spec.name)) {
        entries.push_back(FindEntry(section.spec.name, key));
      }
    } else {
      for (const Entry& entry : section.entries) entries.push_back(&entry);
    }
    out += section.spec.name + ":" + (entries.empty() ? " {}\n" : "\n");
    for (const Entry* entry : entries) {
      const OptionSpec* option =
          entry->option >= 0 ? &section.spec.options[entry->option] : nullptr;
      // A passthrough key nobody declared is judged by its name alone.
      const bool secret = (option != nullptr && option->secret) || LooksSecret(entry->key) ||
                          (option == nullptr && LooksSecretKey(entry->key));
      std::string value;
      if (secret && !entry->text.empty()) {
        value = "\"***\"";
      } else if (option != nullptr && option->type == OptionSpec::Type::kStringList) {
        std::vector<std::string> items;
        for (const std::string& item : entry->list) {
          items.push_back(YamlScalar(MaskUrlCredentials(item)));
        }
        value = "[" + Join(items, ", ") + "]";
      } else {
        value = YamlScalar(MaskUrlCredentials(entry->text));
      }
      out += fmt::format("  {}: {}  # {}\n", YamlScalar(entry->key), value, entry->where);
    }
  }
  return out;
}

std::string DescribeOptions(const std::vector<SectionSpec>& sections) {
  std::string out;
  for (const SectionSpec& section : sections) {
    out += fmt::format("{}: {}\n", section.name, section.help);
    if (section.passthrough) {
      out += fmt::format(
          "  Any key is accepted and passed on verbatim; environment: "
          "LAKEPIPE_{}_<KEY> with '_' for '.'.\n",
          Upper(section.name));
    }
    for (const OptionSpec& option : section.options) {
      std::string default_text = option.default_value;
      if (default_text.empty()) default_text = IsOptional(option) ? "unset" : "\"\"";
      const std::string_view unit = option.type == OptionSpec::Type::kDuration ? " ms"
                                    : option.type == OptionSpec::Type::kSize   ? " bytes"
                                                                               : "";
      std::string bounds;
      if (option.min) bounds += fmt::format(", min {}{}", *option.min, unit);
      if (option.max) bounds += fmt::format(", max {}{}", *option.max, unit);
      out += fmt::format("  {}.{} ({}, default {}{}; LAKEPIPE_{}_{})\n", section.name, option.key,
                         TypeName(option.type), default_text, bounds, Upper(section.name),
                         EnvSpelling(option.key));
      out += fmt::format("      {}\n", option.help);
      if (!option.allowed.empty()) {
        out += fmt::format("      Allowed: {}.\n", Join(option.allowed, ", "));
      }
    }
    for (const auto& [old_key, new_key] : section.renamed) {
      out += fmt::format("  {}.{}: deprecated old name of {}.{}.\n", section.name, old_key,
                         section.name, new_key);
    }
  }
  return out;
}

}  // namespace lakepipe::config

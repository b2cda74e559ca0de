#include "config/yaml_file.h"

#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace lakepipe::config {
namespace {

int LineOf(const YAML::Node& node) { return node.Mark().line + 1; }

// Appends the entries of `map` (a section, or a map nested in one) to `out`,
// keys prefixed with `prefix`.
Status Flatten(const YAML::Node& map, const std::string& prefix, const std::string& name,
               std::map<std::string, int>* seen, std::vector<YamlEntry>* out) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    // Copies: yaml-cpp's iterators hand out temporaries, references would dangle.
    const YAML::Node key_node = it->first;
    const YAML::Node value = it->second;
    const int line = LineOf(key_node);
    if (!key_node.IsScalar())
      return InvalidArgumentError("{}:{}: keys must be plain text", name, line);
    const std::string key = prefix + key_node.Scalar();
    if (value.IsMap()) {
      LP_RETURN_IF_ERROR(Flatten(value, key + ".", name, seen, out));
      continue;
    }
    auto [previous, inserted] = seen->emplace(key, line);
    if (!inserted) {
      return InvalidArgumentError("{}:{}: duplicate key '{}' (first at line {})", name, line, key,
                                  previous->second);
    }
    YamlEntry entry;
    entry.key = key;
    entry.line = line;
    if (value.IsSequence()) {
      entry.is_list = true;
      for (const YAML::Node& item : value) {
        if (!item.IsScalar()) {
          return InvalidArgumentError("{}:{}: '{}': list items must be plain values", name,
                                      LineOf(item), key);
        }
        entry.items.push_back(item.Scalar());
      }
    } else if (value.IsScalar()) {
      entry.scalar = value.Scalar();
    }
    out->push_back(std::move(entry));
  }
  return Status::OK();
}

Result<std::vector<YamlSection>> Convert(const YAML::Node& root, const std::string& name) {
  std::vector<YamlSection> sections;
  if (!root.IsDefined() || root.IsNull()) return sections;
  if (!root.IsMap()) {
    return InvalidArgumentError("{}:{}: expected a map of sections (kafka:, produce:, ...)", name,
                                LineOf(root));
  }
  std::map<std::string, int> seen_sections;
  for (auto it = root.begin(); it != root.end(); ++it) {
    const YAML::Node key_node = it->first;
    const YAML::Node value = it->second;
    YamlSection section;
    section.line = LineOf(key_node);
    if (!key_node.IsScalar()) {
      return InvalidArgumentError("{}:{}: section names must be plain text", name, section.line);
    }
    section.name = key_node.Scalar();
    auto [previous, inserted] = seen_sections.emplace(section.name, section.line);
    if (!inserted) {
      return InvalidArgumentError("{}:{}: duplicate section '{}' (first at line {})", name,
                                  section.line, section.name, previous->second);
    }
    if (value.IsMap()) {
      std::map<std::string, int> seen_keys;
      LP_RETURN_IF_ERROR(Flatten(value, "", name, &seen_keys, &section.entries));
    } else if (!value.IsNull()) {
      return InvalidArgumentError("{}:{}: section '{}' must be a map of keys", name, section.line,
                                  section.name);
    }
    sections.push_back(std::move(section));
  }
  return sections;
}

}  // namespace

Result<std::vector<YamlSection>> ParseYaml(const std::string& text, const std::string& name) {
  try {
    std::vector<YAML::Node> documents = YAML::LoadAll(text);
    if (documents.empty()) return std::vector<YamlSection>{};
    if (documents.size() > 1) {
      return InvalidArgumentError("{}:{}: only one YAML document is allowed", name,
                                  LineOf(documents[1]));
    }
    return Convert(documents[0], name);
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError("{}:{}:{}: {}", name, e.mark.line + 1, e.mark.column + 1, e.msg);
  } catch (const std::exception& e) {
    return InvalidArgumentError("{}: {}", name, e.what());
  }
}

Result<std::vector<YamlSection>> ReadYamlFile(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return NotFoundError("configuration file '{}' does not exist", path);
  }
  if (std::filesystem::is_directory(path, ec)) {
    return InvalidArgumentError("configuration file '{}' is a directory", path);
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoError(fmt::format("cannot open configuration file '{}'", path), errno);
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return ErrnoError(fmt::format("cannot read configuration file '{}'", path), errno);
  return ParseYaml(text.str(), path);
}

}  // namespace lakepipe::config

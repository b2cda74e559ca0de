// Reads a configuration file into sections of flat key/value entries.
//
// The file is a YAML map of sections, each a map of keys. Nested maps inside
// a section are flattened with dots (`sasl: {username: u}` is the key
// `sasl.username`). Values are scalars (null is "") or sequences of scalars.
// This is the only place that calls yaml-cpp; its exceptions become Status.
//
// Thread-safety: a free function without shared state.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"

namespace lakepipe::config {

struct YamlEntry {
  std::string key;
  int line = 0;  // 1-based line of the key
  bool is_list = false;
  std::string scalar;              // when !is_list
  std::vector<std::string> items;  // when is_list
};

struct YamlSection {
  std::string name;
  int line = 0;
  std::vector<YamlEntry> entries;  // file order
};

// Errors: kNotFound when `path` does not exist, kIoError when it cannot be
// read, kInvalidArgument "path:line:column: reason" for syntax errors, a
// document that is not a map of maps, non-scalar list items and duplicate
// keys.
[[nodiscard]] Result<std::vector<YamlSection>> ReadYamlFile(const std::string& path);

// The same for text already in memory; `name` is used in messages.
[[nodiscard]] Result<std::vector<YamlSection>> ParseYaml(const std::string& text,
                                                         const std::string& name);

}  // namespace lakepipe::config

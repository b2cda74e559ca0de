#include <algorithm>
#include <cctype>

#include "formats/format.h"

namespace lakepipe {

Status FormatRegistry::Register(FormatInfo info) {
  if (Find(info.name).ok()) return AlreadyExistsError("format '{}' is registered twice", info.name);
  formats_.push_back(std::move(info));
  return Status::OK();
}

Result<const FormatInfo*> FormatRegistry::Find(std::string_view name) const {
  for (const FormatInfo& f : formats_) {
    if (f.name == name) return &f;
  }
  std::string known;
  for (const FormatInfo& f : formats_) known += (known.empty() ? "" : ", ") + f.name;
  return InvalidArgumentError("unknown format '{}' (known: {})", name, known);
}

Result<const FormatInfo*> FormatRegistry::ForPath(std::string_view path) const {
  std::string lower(path);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const FormatInfo& f : formats_) {
    for (const std::string& ext : f.extensions) {
      if (lower.size() > ext.size() &&
          lower.compare(lower.size() - ext.size(), ext.size(), ext) == 0) {
        return &f;
      }
    }
  }
  std::string known;
  for (const FormatInfo& f : formats_) {
    for (const std::string& ext : f.extensions) known += (known.empty() ? "" : ", ") + ext;
  }
  return InvalidArgumentError("cannot tell the format of '{}' from its extension (known: {})", path,
                              known);
}

}  // namespace lakepipe

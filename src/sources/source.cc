#include "sources/source.h"

#include <fmt/format.h>

#include "sources/activity_source.h"
#include "sources/file_source.h"
#include "sources/randomuser_source.h"
#include "sources/users_source.h"

namespace lakepipe {
namespace {

std::string SpecOf(const SourceInfo& info) {
  return info.argument.empty() ? info.name : info.name + ":" + info.argument;
}

}  // namespace

Status SourceRegistry::Register(SourceInfo info) {
  for (const SourceInfo& s : sources_) {
    if (s.name == info.name)
      return AlreadyExistsError("source '{}' is already registered", info.name);
  }
  sources_.push_back(std::move(info));
  return Status::OK();
}

std::vector<std::string> SourceRegistry::Names() const {
  std::vector<std::string> names;
  names.reserve(sources_.size());
  for (const SourceInfo& s : sources_) names.push_back(SpecOf(s));
  return names;
}

Result<std::unique_ptr<Source>> SourceRegistry::Open(std::string_view spec,
                                                     const SourceOptions& options) const {
  const size_t colon = spec.find(':');
  const std::string_view name = spec.substr(0, colon);
  const bool has_argument = colon != std::string_view::npos;
  const std::string_view argument = has_argument ? spec.substr(colon + 1) : std::string_view();
  for (const SourceInfo& s : sources_) {
    if (s.name != name) continue;
    if (s.argument.empty() && has_argument) {
      return InvalidArgumentError("source '{}' takes no argument, got '{}': use '{}'", name, spec,
                                  name);
    }
    if (!s.argument.empty() && argument.empty()) {
      return InvalidArgumentError("source '{}' needs {}: use '{}'", name, s.argument, SpecOf(s));
    }
    return s.open(argument, options);
  }
  return InvalidArgumentError("unknown source '{}': valid sources are {}", spec,
                              fmt::join(Names(), ", "));
}

namespace {

// The sources whose records have one shape refuse another.
Status OnlyFlat(std::string_view source, const SourceOptions& options) {
  if (options.shape == UserShape::kFlat) return Status::OK();
  return InvalidArgumentError("source {} has no shape '{}': shapes apply to users and randomuser",
                              source, UserShapeName(options.shape));
}

}  // namespace

void RegisterBuiltinSources(SourceRegistry* registry) {
  std::vector<SourceInfo> builtins;
  builtins.push_back(SourceInfo{
      "users",
      "generated randomuser-shaped people of 21 nationalities (schemas/user.avsc; --shape api: "
      "schemas/user_api.avsc)",
      "", [](std::string_view, const SourceOptions& o) { return sources::NewUsersSource(o); }});
  builtins.push_back(SourceInfo{
      "activity",
      "generated e-commerce sessions: page views, cart changes, purchases "
      "(schemas/user_activity.avsc)",
      "", [](std::string_view, const SourceOptions& o) -> Result<std::unique_ptr<Source>> {
        LP_RETURN_IF_ERROR(OnlyFlat("activity", o));
        return sources::NewActivitySource(o);
      }});
  builtins.push_back(SourceInfo{
      "randomuser",
      "people from the randomuser.me API (--url), mapped to schemas/user.avsc (--shape api: kept "
      "as the API nests them, schemas/user_api.avsc)",
      "",
      [](std::string_view, const SourceOptions& o) { return sources::NewRandomUserSource(o); }});
  builtins.push_back(SourceInfo{
      "file", "replays a Parquet, Avro, JSON Lines, JSON or CSV file (format by extension)", "PATH",
      [](std::string_view path, const SourceOptions& o) -> Result<std::unique_ptr<Source>> {
        LP_RETURN_IF_ERROR(OnlyFlat("file", o));
        return sources::NewFileSource(path, o);
      }});
  for (SourceInfo& info : builtins) registry->Register(std::move(info)).IgnoreError();
}

const SourceRegistry& SourceRegistry::Default() {
  static const SourceRegistry* registry = [] {
    auto* r = new SourceRegistry();
    RegisterBuiltinSources(r);
    return r;
  }();
  return *registry;
}

Result<std::unique_ptr<Source>> OpenSource(std::string_view spec, const SourceOptions& options) {
  return SourceRegistry::Default().Open(spec, options);
}

std::vector<std::string> SourceNames() { return SourceRegistry::Default().Names(); }

}  // namespace lakepipe

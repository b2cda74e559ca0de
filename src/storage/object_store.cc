#include "storage/object_store.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <mutex>

#include "storage/local_store.h"

namespace lakepipe {

ObjectStoreRegistry& ObjectStoreRegistry::Default() {
  static ObjectStoreRegistry* registry = [] {
    auto* r = new ObjectStoreRegistry();
    RegisterBuiltinObjectStores(r);
    return r;
  }();
  return *registry;
}

void ObjectStoreRegistry::Register(std::string scheme, ObjectStoreFactory factory) {
  for (auto& [name, existing] : factories_) {
    if (name == scheme) {
      existing = std::move(factory);
      return;
    }
  }
  factories_.emplace_back(std::move(scheme), std::move(factory));
}

Result<size_t> ObjectStore::DeleteAbandoned(std::string_view prefix) {
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> objects, List(prefix));
  for (const ObjectInfo& o : objects) LP_RETURN_IF_ERROR(Delete(o.path));
  return objects.size();
}

void RemoveEmptyDirectories(const ObjectStore& store, const std::string& dir,
                            const std::string& keep) {
  if (store.scheme() != "file") return;
  auto normal = [](const std::string& p) {  // no trailing '/'
    std::filesystem::path n = std::filesystem::path(p).lexically_normal();
    return n.has_filename() ? n : n.parent_path();
  };
  const std::filesystem::path stop = normal(keep);
  std::filesystem::path d = normal(dir);
  while (!d.empty() && d != stop && d != d.parent_path()) {
    const auto [end, unused] = std::mismatch(stop.begin(), stop.end(), d.begin(), d.end());
    if (end != stop.end()) return;  // not below `keep`
    if (::rmdir(d.c_str()) != 0) return;
    d = d.parent_path();
  }
}

Result<StoreLocation> ObjectStoreRegistry::Resolve(std::string_view uri) const {
  std::string scheme = "file";
  std::string path(uri);
  if (auto pos = uri.find("://"); pos != std::string_view::npos) {
    scheme = std::string(uri.substr(0, pos));
    std::string_view rest = uri.substr(pos + 3);
    if (scheme == "file") {
      path = std::string(rest);
    } else {
      // scheme://authority/path: the store serves the authority (e.g. an S3
      // bucket), and paths inside it follow; "" is its root.
      const size_t slash = rest.find('/');
      path = slash == std::string_view::npos ? std::string() : std::string(rest.substr(slash + 1));
    }
  }
  if (path.empty() && scheme == "file") return InvalidArgumentError("empty path in '{}'", uri);
  for (const auto& [name, factory] : factories_) {
    if (name == scheme) {
      LP_ASSIGN_OR_RETURN(std::unique_ptr<ObjectStore> store, factory(uri));
      return StoreLocation{std::move(store), std::move(path)};
    }
  }
  std::string known;
  for (const auto& entry : factories_) known += (known.empty() ? "" : ", ") + entry.first + "://";
  return InvalidArgumentError("unsupported storage scheme '{}://' in '{}' (supported: {})", scheme,
                              uri, known);
}

void RegisterBuiltinObjectStores(ObjectStoreRegistry* registry) {
  registry->Register("file", [](std::string_view) -> Result<std::unique_ptr<ObjectStore>> {
    return NewLocalObjectStore();
  });
}

Result<std::unique_ptr<InputFile>> OpenInputFile(std::string_view uri) {
  LP_ASSIGN_OR_RETURN(StoreLocation loc, ObjectStoreRegistry::Default().Resolve(uri));
  return loc.store->OpenInput(loc.path);
}

Result<std::unique_ptr<OutputStream>> OpenOutputStream(std::string_view uri,
                                                       const OutputOptions& options) {
  LP_ASSIGN_OR_RETURN(StoreLocation loc, ObjectStoreRegistry::Default().Resolve(uri));
  return loc.store->OpenOutput(loc.path, options);
}

Status WriteWholeFile(std::string_view uri, std::string_view data) {
  LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> out, OpenOutputStream(uri));
  LP_RETURN_IF_ERROR(out->Append(data));
  return out->Commit();
}

Status CreateWholeFile(std::string_view uri, std::string_view data) {
  OutputOptions options;
  options.overwrite = false;
  LP_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> out, OpenOutputStream(uri, options));
  LP_RETURN_IF_ERROR(out->Append(data));
  return out->Commit();
}

Result<std::string> ReadWholeFile(InputFile* file) {
  std::string out;
  LP_RETURN_IF_ERROR(file->ReadAt(0, static_cast<size_t>(file->size()), &out));
  return out;
}

}  // namespace lakepipe

// ObjectStore: where files are read from and written to.
//
// A store is chosen by URI scheme from an explicit registry: "file://" (and
// plain paths) today; "s3://" plugs in behind the same interface. Paths given
// to a store are relative to the store's root (for file:// the absolute path).
//
// Writers follow one lifecycle: Append()... then exactly one of Commit() or
// Abort(). Nothing is visible at the destination before Commit(), which makes
// the whole object appear atomically; destroying an uncommitted stream aborts.
// Once an Append() failed the stream can only abort: its Commit() fails, so
// an object missing some of its bytes never appears. (Destinations that are
// not files, such as a local FIFO or device, are written in place: see
// local_store.h.)
//
// Thread-safety: stores may be shared between threads; a stream or input
// file is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace lakepipe {

class InputFile {
 public:
  virtual ~InputFile() = default;
  // The file's URI or path, for messages.
  virtual const std::string& path() const = 0;
  virtual uint64_t size() const = 0;
  // Replaces `*out` with up to `n` bytes starting at `offset`; fewer only
  // when the file ends first.
  virtual Status ReadAt(uint64_t offset, size_t n, std::string* out) = 0;
};

class OutputStream {
 public:
  virtual ~OutputStream() = default;
  virtual const std::string& path() const = 0;
  virtual Status Append(std::string_view data) = 0;
  // Bytes appended so far.
  virtual uint64_t position() const = 0;
  // Makes the object visible at path(). REQUIRES: not committed or aborted.
  virtual Status Commit() = 0;
  // Discards everything written; safe to call more than once.
  virtual void Abort() = 0;
};

struct OutputOptions {
  // When false, Commit() fails with kAlreadyExists if the object exists.
  bool overwrite = true;
  // Flush data to stable storage before the object becomes visible.
  bool sync = true;
  // Where the store may keep the object's bytes before Commit() (a
  // directory path inside the same store); empty: beside the object.
  // Lets a writer find and delete what a killed process left behind.
  // Stores that never expose unfinished objects (S3 multipart) ignore it.
  std::string staging_dir;
  // Local files: create missing parent directories of the object. When
  // false, a missing directory is an error naming it (kNotFound).
  bool create_parent_dirs = true;
};

struct ObjectInfo {
  std::string path;  // full path inside the store
  uint64_t size = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  virtual std::string_view scheme() const = 0;
  virtual Result<std::unique_ptr<InputFile>> OpenInput(std::string_view path) = 0;
  virtual Result<std::unique_ptr<OutputStream>> OpenOutput(std::string_view path,
                                                           const OutputOptions& options) = 0;
  // Every object whose path starts with `prefix` (a directory prefix for
  // local files), in no particular order; a missing prefix lists nothing.
  // Local files being written show up under hidden names
  // (".<name>.tmp-<random>", which readers of a lake skip, as Hive and Spark
  // do); S3 shows nothing before Commit().
  virtual Result<std::vector<ObjectInfo>> List(std::string_view prefix) = 0;
  // Deletes one object; deleting a missing object succeeds.
  virtual Status Delete(std::string_view path) = 0;
  // Deletes the objects under `prefix` that no open stream is writing, and
  // returns how many it deleted: what killed writers left in a staging
  // directory (OutputOptions::staging_dir). A local stream locks its
  // unfinished file until it commits or aborts, so the files of a writer
  // still running, in this process or another one on the machine, stay.
  // Stores that never expose unfinished objects (S3) delete every object
  // listed.
  virtual Result<size_t> DeleteAbandoned(std::string_view prefix);
};

// A URI split into the store that serves it and the path inside that store.
struct StoreLocation {
  std::unique_ptr<ObjectStore> store;
  std::string path;
};

using ObjectStoreFactory =
    std::function<Result<std::unique_ptr<ObjectStore>>(std::string_view uri)>;

class ObjectStoreRegistry {
 public:
  // The process-wide registry, with built-in stores registered.
  static ObjectStoreRegistry& Default();

  // Adds a store, or replaces the factory of a scheme already registered.
  void Register(std::string scheme, ObjectStoreFactory factory);
  // "file:///a/b", "/a/b", "a/b" → file store; "<scheme>://authority/p" →
  // that scheme's store for the authority (an S3 bucket), path "p".
  Result<StoreLocation> Resolve(std::string_view uri) const;

 private:
  std::vector<std::pair<std::string, ObjectStoreFactory>> factories_;
};

// Registers the stores built into lakepipe ("file").
void RegisterBuiltinObjectStores(ObjectStoreRegistry* registry);

// Shorthands over ObjectStoreRegistry::Default().
Result<std::unique_ptr<InputFile>> OpenInputFile(std::string_view uri);
Result<std::unique_ptr<OutputStream>> OpenOutputStream(std::string_view uri,
                                                       const OutputOptions& options = {});

// Removes the directory `dir` when it holds nothing, then each of its
// parents, up to and not including `keep` (an ancestor of `dir`), while
// they hold nothing: what a local store created for objects since deleted
// (staging directories, a probe's). Stores without directories (S3): does
// nothing. Best effort: a directory that holds anything, or is gone, stops
// it. A local writer whose staging directory is removed while it opens a
// file creates it again.
void RemoveEmptyDirectories(const ObjectStore& store, const std::string& dir,
                            const std::string& keep);

// Reads a whole (small) file into memory.
Result<std::string> ReadWholeFile(InputFile* file);
// Writes `data` as the whole file at `uri`, atomically (replacing it).
Status WriteWholeFile(std::string_view uri, std::string_view data);
// Writes `data` as a new file at `uri`, atomically; kAlreadyExists when
// one is there (a create-exclusive locally, a conditional PUT on S3).
Status CreateWholeFile(std::string_view uri, std::string_view data);

}  // namespace lakepipe

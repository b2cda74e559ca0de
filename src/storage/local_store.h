// The local file system as an ObjectStore ("file://" URIs and plain paths).
//
// Output is written to a hidden temporary file beside the destination
// (".<name>.tmp-<random>", ignored by readers that glob visible names) and
// renamed into place on Commit(); with overwrite=false the rename refuses to
// replace an existing file. Parent directories are created as needed.
#pragma once

#include <memory>

#include "storage/object_store.h"

namespace lakepipe {

std::unique_ptr<ObjectStore> NewLocalObjectStore();

}  // namespace lakepipe

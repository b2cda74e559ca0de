// The local file system as an ObjectStore ("file://" URIs and plain paths).
//
// Output to a regular file (or a new one) is written to a hidden temporary
// file beside the destination (".<name>.tmp-<random>", ignored by readers
// that glob visible names) and renamed into place on Commit(); with
// overwrite=false the rename refuses to replace an existing file. Nothing is
// ever renamed over what is not a regular file.
//
// Symbolic links are followed to their final target: the target is replaced
// (or created) atomically and the link stays. Character devices, FIFOs and
// the process's descriptors (/dev/stdout, /dev/stderr, /dev/fd/N) are
// written in place: a FIFO waits for its reader, and bytes already written
// there stay when the stream is aborted. Directories, sockets and block
// devices are refused (kInvalidArgument).
//
// Missing parent directories are created when OutputOptions.create_parent_dirs
// is set; otherwise the outermost missing one is named (kNotFound). Errors
// name the destination, never the temporary file.
#pragma once

#include <memory>

#include "storage/object_store.h"

namespace lakepipe {

std::unique_ptr<ObjectStore> NewLocalObjectStore();

}  // namespace lakepipe

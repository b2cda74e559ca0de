// An InputFile over bytes in memory: for tests and fuzz targets.
#pragma once

#include <memory>
#include <string>

#include "storage/object_store.h"

namespace lakepipe {

std::unique_ptr<InputFile> NewMemoryInputFile(std::string name, std::string data);

}  // namespace lakepipe

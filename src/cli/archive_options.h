// The archive's options from the effective configuration (flags applied),
// shared by archive and run.
#pragma once

#include <string>

#include "archive/archiver.h"
#include "config/config.h"

namespace lakepipe::cli {

// kInvalidArgument naming the missing or bad setting (brokers, topics,
// group, lake, schema...).
Status BuildArchiveOptions(const config::Config& cfg, archive::ArchiveOptions* options,
                           std::string* stats_json);

}  // namespace lakepipe::cli

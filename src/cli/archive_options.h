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

// The archive's settings as BuildArchiveOptions reads them, without
// requiring brokers, topics, a group or a lake: what the configuration
// leaves unset stays empty, for a caller that decides those itself (run:
// the dev broker, the topic it produces to, its own group and lake).
// kInvalidArgument naming a bad setting (table, compression, schema...).
Status ReadArchiveSettings(const config::Config& cfg, archive::ArchiveOptions* options,
                           std::string* stats_json);

}  // namespace lakepipe::cli

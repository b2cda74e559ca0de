// Log lines on stderr, as text ("lakepipe <source>: <message>") or JSON
// lines ({"time", "level", "source", "message"} plus "topic", "partition",
// "offset" and "offset_end" for lines about records). One setting for the
// process (--log-format, --log-level). Warnings and errors also go to the
// recent events of the status page. Credentials of URLs in a message are
// masked (core/redact.h).
//
// Thread-safety: Log may be called from any thread; Configure before.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace lakepipe::observe {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// `format` text|json, `level` debug|info|warning|error; kInvalidArgument
// naming the bad value.
Status ConfigureLog(std::string_view format, std::string_view level);
bool LogJson();

// What a line is about: a record or a range of them.
struct LogRecord {
  std::string_view topic;
  int32_t partition = -1;
  int64_t offset = -1;
  int64_t offset_end = -1;  // the last offset of a range
};

void Log(LogLevel level, std::string_view source, std::string_view message,
         const LogRecord& record = {});

}  // namespace lakepipe::observe

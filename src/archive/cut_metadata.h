// The intent a segment's start offset is committed with (the cut protocol,
// archiver.h): the cut and the layout of the segment's files, written and
// read back as commit metadata.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lakepipe::archive {

// The settings that decide which file of the lake a record goes to, as
// recorded in a segment's intent.
struct SegmentLayout {
  std::string table;
  std::string format;
  std::string partition_by;
  std::string time_field;
  bool operator==(const SegmentLayout&) const = default;
};

// The intent committed with a segment's start offset.
struct CutIntent {
  int64_t cut = 0;
  // nullopt: a "lakepipe:v1" intent, which records no layout.
  std::optional<SegmentLayout> layout;
};

// Kafka brokers keep at most this much commit metadata by default
// (offset.metadata.max.bytes); Make() refuses a layout that does not fit.
inline constexpr size_t kMaxCutMetadataBytes = 4096;

// The metadata committed with a segment's start offset, and its parse.
// Values are %-escaped (bytes up to ' ', '%' and 0x7F as %XX), so keys and
// values never hold a space. Parsing accepts v2 and v1 metadata and rejects
// anything else (nullopt).
std::string CutMetadata(int64_t cut, const SegmentLayout& layout);
std::optional<CutIntent> ParseCutMetadata(std::string_view metadata);

// The layout as the flags that set it, for messages.
std::string DescribeLayout(const SegmentLayout& l);

}  // namespace lakepipe::archive

#include "archive/progress_line.h"

#include <cmath>

#include <fmt/format.h>

#include "core/units.h"

namespace lakepipe::archive {
namespace {

std::string PerSecond(double rate) {
  return FormatCount(static_cast<uint64_t>(std::llround(std::max(0.0, rate)))) + "/s";
}

}  // namespace

std::string DescribeJoinWait(const JoinWait& wait) {
  return fmt::format(
      "joining group '{}' ({} s so far): waiting for the group's assignment; a previous member "
      "that did not leave holds its partitions until its session expires (up to {} s), then the "
      "group rebalances",
      wait.group, static_cast<int64_t>(wait.seconds),
      std::chrono::duration_cast<std::chrono::seconds>(wait.session_timeout).count());
}

std::string FormatProgressLine(const ProgressFigures& f) {
  std::string out;
  if (f.produced) {
    out = fmt::format("produced {}{} ({}), ", FormatCount(f.produced->records),
                      f.produced->target > 0 ? "/" + FormatCount(f.produced->target) : "",
                      PerSecond(f.produced->per_second));
  }
  if (f.joining) {
    out += DescribeJoinWait(*f.joining);
  } else {
    out += fmt::format(
        "consumed {} ({}), archived {}, dead letters {}, files {} ({}), open files {} ({} "
        "buffered), lag {}",
        FormatCount(f.consumed), PerSecond(f.consumed_per_second), FormatCount(f.archived),
        FormatCount(f.dead_lettered), FormatCount(f.files), FormatBytes(f.bytes),
        FormatCount(f.open_files), FormatBytes(f.buffered_bytes),
        f.lag < 0 ? std::string("?") : FormatCount(static_cast<uint64_t>(f.lag)));
    if (f.data_loss_records > 0) {
      out += fmt::format(", DATA LOSS {} records", FormatCount(f.data_loss_records));
    }
  }
  if (f.elapsed_seconds) {
    out += fmt::format(", {} elapsed", FormatSeconds(*f.elapsed_seconds));
    if (!f.left.empty()) out += fmt::format(", {} left", f.left);
  }
  return out;
}

}  // namespace lakepipe::archive

#include "archive/kafka_offset_commits.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "core/units.h"

namespace lakepipe::archive {
namespace {

constexpr auto kBrokerTimeout = std::chrono::seconds(15);

// Commit failures that mean "not now" or "not yours any more"
// (REBALANCE_IN_PROGRESS, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, a
// partition no longer assigned), as opposed to broken settings.
bool Refused(const Status& st) {
  return st.code() == StatusCode::kUnavailable || st.code() == StatusCode::kFailedPrecondition;
}

// The replayed cut is committed (or cannot be reproduced): the current
// settings apply from here on.
void EndReplay(PartitionState& s) {
  s.replay_cut.reset();
  s.replay_context.reset();
  s.context = s.topic_context;
}

}  // namespace

// Closes the segment [S, E) of `s`: intent, files, end (see archiver.h).
Status KafkaOffsetCommits::Cut(PartitionState& s) {
  if (s.next_offset < 0 || s.segment_start < 0 || s.next_offset <= s.segment_start) {
    s.segment_started.reset();
    return Status::OK();
  }
  const int64_t start = s.segment_start;
  const int64_t end = s.next_offset;
  if (!s.files.empty() && s.replay_cut != end) {
    Status intent = p_.consumer->Commit({{s.tp, start, CutMetadata(end, s.context->layout)}});
    if (!intent.ok()) {
      if (Refused(intent)) return Rewind(s, s.replay_cut, intent);
      return intent.WithContext(
          fmt::format("committing the cut of {}[{}]", s.tp.topic, s.tp.partition));
    }
  }
  return FinishAndCommit(s, end);
}

Status KafkaOffsetCommits::FinishAndCommit(PartitionState& s, int64_t end) {
  LP_ASSIGN_OR_RETURN(PartitionedWriter::Finished finished, p_.writer->Finish(s));
  LP_ASSIGN_OR_RETURN(DeadLetterSink::FlushResult dead, p_.dead_letters->Flush());
  Status done = p_.consumer->Commit({{s.tp, end, ""}});
  if (!done.ok() && Refused(done)) {
    // The files are durable and the intent says cut=E: whoever reads the
    // partition next (this process or the new owner) rewrites them alike.
    return Rewind(s, end, done);
  }
  if (!done.ok())
    return done.WithContext(
        fmt::format("committing offset {} of {}[{}]", end, s.tp.topic, s.tp.partition));
  p_.writer->Release(s, finished);
  s.segment_start = end;
  const uint64_t dead_records = s.segment_dead;
  s.segment_records = 0;
  s.segment_dead = 0;
  s.segment_started.reset();
  EndReplay(s);
  p_.stats->Update([&](ArchiveStats& stats) {
    stats.archived += finished.records;
    stats.files_written += finished.files;
    stats.bytes_written += finished.bytes;
    // The sink flushes the dead letters of every partition at once; they
    // count with the segment that holds their offsets.
    stats.dead_lettered += dead_records;
    stats.dead_letter_files += dead.to_files;
  });
  return Status::OK();
}

// The records of an aborted segment go back to the group uncommitted: they
// count as given back (consumed stays: it never goes down), so
// consumed - given_back = archived + dead-lettered.
void KafkaOffsetCommits::Abort(PartitionState& s) {
  p_.writer->Abort(s);
  const uint64_t records = s.segment_records;
  p_.stats->Update([records](ArchiveStats& stats) { stats.given_back += records; });
  s.segment_records = 0;
  s.segment_dead = 0;
  s.segment_started.reset();
}

// A commit refused for now (typically REBALANCE_IN_PROGRESS while the group
// rebalances): the group still holds offset S, so this segment is dropped
// and the partition is read again from S (cutting at `cut`, when the intent
// made it to the group). Nothing is lost or duplicated: the replay rebuilds
// the same files.
Status KafkaOffsetCommits::Rewind(PartitionState& s, std::optional<int64_t> cut,
                                  const Status& why) {
  const int64_t start = s.segment_start;
  p_.log(fmt::format("{}[{}]: commit refused for now ({}); re-reading from offset {}", s.tp.topic,
                     s.tp.partition, why.message(), start),
         observe::LogLevel::kWarning, {s.tp.topic, s.tp.partition, start});
  Abort(s);  // finished files stay; the replay rewrites them alike
  s.next_offset = -1;
  s.replay_cut = cut;
  s.await_offset = start;
  Status sought = p_.consumer->Seek(s.tp, start, kBrokerTimeout);
  if (!sought.ok()) {
    p_.log(
        fmt::format("{}[{}]: could not seek back to {} ({}); the partition's next owner replays it",
                    s.tp.topic, s.tp.partition, start, sought.message()),
        observe::LogLevel::kWarning, {s.tp.topic, s.tp.partition, start});
  }
  return Status::OK();
}

// Reports offsets lost between `expected` and the log start (none when the
// gap is not a loss, e.g. transaction markers).
Status KafkaOffsetCommits::CheckLoss(PartitionState& s, int64_t expected, int64_t seen) {
  auto marks = p_.consumer->Watermarks(s.tp, kBrokerTimeout);
  if (!marks.ok()) return marks.status();
  const int64_t low = marks->first;
  if (low <= expected) return Status::OK();
  const int64_t last_lost = std::min(low, seen) - 1;
  const uint64_t lost = static_cast<uint64_t>(last_lost - expected + 1);
  // A replayed cut cannot be reproduced once part of its records are gone.
  s.replay_cut.reset();
  p_.log(fmt::format(
             "DATA LOSS: {}[{}] offsets {}..{} ({} records) were removed by retention before they "
             "were archived; continuing from offset {}",
             s.tp.topic, s.tp.partition, expected, last_lost, FormatCount(lost), last_lost + 1),
         observe::LogLevel::kError, {s.tp.topic, s.tp.partition, expected, last_lost});
  p_.stats->Update([lost](ArchiveStats& stats) {
    stats.data_loss_records += lost;
    stats.data_loss_ranges += 1;
  });
  if (p_.strict) {
    return DataLossError("{}[{}] offsets {}..{} were lost to retention (--strict)", s.tp.topic,
                         s.tp.partition, expected, last_lost);
  }
  return Status::OK();
}

Status KafkaOffsetCommits::Resume(const std::vector<PartitionState*>& states) {
  if (states.empty()) return Status::OK();
  std::vector<kafka::TopicPartition> partitions;
  for (const PartitionState* s : states) partitions.push_back(s->tp);
  auto committed = p_.consumer->Committed(partitions, kBrokerTimeout);
  if (!committed.ok()) return committed.status().WithContext("reading committed offsets");
  for (PartitionState* s : states) {
    auto c = std::find_if(committed->begin(), committed->end(),
                          [s](const kafka::OffsetAndMetadata& o) { return o.tp == s->tp; });
    if (c == committed->end()) continue;
    LP_RETURN_IF_ERROR(ResumeAt(*s, *c));
  }
  return Status::OK();
}

Status KafkaOffsetCommits::ResumeAt(PartitionState& s, const kafka::OffsetAndMetadata& c) {
  s.segment_start = c.offset >= 0 ? c.offset : -1;
  const std::optional<CutIntent> intent = ParseCutMetadata(c.metadata);
  if (intent) s.replay_cut = intent->cut;
  if (c.offset >= 0) {
    // Offsets below the log start were removed before they were archived.
    LP_RETURN_IF_ERROR(CheckLoss(s, c.offset, INT64_MAX));
    auto marks = p_.consumer->Watermarks(c.tp, kBrokerTimeout);
    if (marks.ok() && marks->first > c.offset) {
      s.segment_start = marks->first;
      s.next_offset = marks->first;
      s.replay_cut.reset();
    }
  } else {
    // A group that never committed here starts at the log start: records
    // below it were removed before anyone archived them.
    LP_RETURN_IF_ERROR(CheckLoss(s, 0, INT64_MAX));
  }
  if (s.replay_cut && intent->layout && *intent->layout != s.topic_context->layout) {
    LP_RETURN_IF_ERROR(ReplayUnderRecordedLayout(s, *intent->layout));
  }
  return Status::OK();
}

// The context of `layout`, recorded in the intent of a segment of `topic`
// that is replayed; an error saying why when it cannot be rebuilt.
Result<std::unique_ptr<TopicContext>> KafkaOffsetCommits::ReplayContext(
    const SegmentLayout& layout, const TopicContext& topic) const {
  auto ctx = std::make_unique<TopicContext>();
  ctx->table = layout.table;
  ctx->layout = layout;
  ctx->decoder = topic.decoder;
  auto format = FormatRegistry::Default().Find(layout.format);
  if (!format.ok()) return format.status();
  ctx->format = *format;
  if (ctx->format->check_write_options) {
    LP_RETURN_IF_ERROR(ctx->format->check_write_options(p_.write));
  }
  if (layout.table.empty()) return InvalidArgumentError("the recorded table name is empty");
  LP_ASSIGN_OR_RETURN(
      Partitioner partitioner,
      Partitioner::Make(*topic.decoder->schema(), layout.partition_by, layout.time_field));
  ctx->partitioner.emplace(std::move(partitioner));
  return ctx;
}

// The segment of `s` interrupted at its intent was started under
// `recorded`, not the current settings: some of its files may be visible,
// so it is replayed under `recorded` up to its cut (see archiver.h).
Status KafkaOffsetCommits::ReplayUnderRecordedLayout(PartitionState& s,
                                                     const SegmentLayout& recorded) {
  auto replay = ReplayContext(recorded, *s.topic_context);
  if (!replay.ok()) {
    return FailedPreconditionError(
        "{}[{}]: the segment from offset {} to offset {} was being archived with {} when the "
        "previous run stopped, and some of its files may already be visible; it cannot be "
        "replayed with the current schema and settings ({}). Restart with those settings "
        "until offset {} is committed, then change them",
        s.tp.topic, s.tp.partition, s.segment_start, *s.replay_cut, DescribeLayout(recorded),
        replay.status().message(), *s.replay_cut);
  }
  p_.log(
      fmt::format("{}[{}]: offsets {}..{} were being archived with {} when the previous run "
                  "stopped; replaying them with those settings so that no record is written "
                  "twice; {} applies from offset {}",
                  s.tp.topic, s.tp.partition, s.segment_start, *s.replay_cut - 1,
                  DescribeLayout(recorded), DescribeLayout(s.topic_context->layout), *s.replay_cut),
      observe::LogLevel::kWarning, {s.tp.topic, s.tp.partition, s.segment_start});
  s.replay_context = std::move(replay).value();
  s.context = s.replay_context.get();
  return Status::OK();
}

}  // namespace lakepipe::archive

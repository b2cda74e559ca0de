#include "archive/iceberg_commits.h"

#include <algorithm>
#include <map>
#include <utility>

#include <fmt/format.h>

#include "iceberg/kafka_ranges.h"

namespace lakepipe::archive {
namespace {

constexpr auto kBrokerTimeout = std::chrono::seconds(15);

iceberg::KafkaPartition KeyOf(const kafka::TopicPartition& tp) { return {tp.topic, tp.partition}; }

KafkaOffsetCommits::Parts LossCheckParts(const IcebergCommits::Parts& p) {
  KafkaOffsetCommits::Parts parts;
  parts.consumer = p.consumer;
  parts.writer = p.writer;
  parts.dead_letters = p.dead_letters;
  parts.stats = p.stats;
  parts.strict = p.strict;
  parts.log = p.log;
  return parts;
}

}  // namespace

IcebergCommits::IcebergCommits(Parts parts) : p_(std::move(parts)), kafka_(LossCheckParts(p_)) {}

Status IcebergCommits::CheckLoss(PartitionState& s, int64_t expected, int64_t seen) {
  return kafka_.CheckLoss(s, expected, seen);
}

void IcebergCommits::Abort(PartitionState& s) {
  p_.writer->Abort(s);
  const uint64_t records = s.segment_records;
  p_.stats->Update([records](ArchiveStats& stats) { stats.given_back += records; });
  s.segment_records = 0;
  s.segment_dead = 0;
  s.segment_started.reset();
}

// Pending segments of a partition assigned again: their offsets are read
// again from the table's end, so their files go.
void IcebergCommits::DropPending(const kafka::TopicPartition& tp) {
  auto gone = std::stable_partition(pending_.begin(), pending_.end(),
                                    [&tp](const Pending& p) { return !(p.tp == tp); });
  for (auto it = gone; it != pending_.end(); ++it) {
    for (const std::string& path : it->paths) p_.store->Delete(path).IgnoreError();
    pending_bytes_ -= std::min(pending_bytes_, it->bytes);
    const uint64_t records = it->records + it->dead;
    p_.stats->Update([records](ArchiveStats& stats) { stats.given_back += records; });
  }
  pending_.erase(gone, pending_.end());
}

Status IcebergCommits::Resume(const std::vector<PartitionState*>& states) {
  if (states.empty()) return Status::OK();
  auto table = p_.catalog->LoadTable(p_.table);
  if (!table.ok()) {
    return table.status().WithContext(fmt::format("loading table {}", p_.table.ToString()));
  }
  LP_ASSIGN_OR_RETURN(auto in_table, iceberg::CommittedOffsets(table->metadata, p_.group));
  std::vector<kafka::TopicPartition> partitions;
  for (const PartitionState* s : states) partitions.push_back(s->tp);
  auto committed = p_.consumer->Committed(partitions, kBrokerTimeout);
  if (!committed.ok()) return committed.status().WithContext("reading committed offsets");
  std::vector<kafka::OffsetAndMetadata> behind;  // the group's offsets behind the table's
  for (PartitionState* s : states) {
    DropPending(s->tp);
    int64_t start = -1;
    auto it = in_table.find(KeyOf(s->tp));
    if (it != in_table.end()) {
      start = it->second;
      LP_RETURN_IF_ERROR(p_.consumer->Seek(s->tp, start, kBrokerTimeout)
                             .WithContext(fmt::format("starting {}[{}] at the table's offset {}",
                                                      s->tp.topic, s->tp.partition, start)));
      for (const kafka::OffsetAndMetadata& c : *committed) {
        if (c.tp == s->tp && c.offset < start) behind.push_back({s->tp, start, ""});
      }
    } else {
      for (const kafka::OffsetAndMetadata& c : *committed) {
        if (c.tp == s->tp && c.offset >= 0) start = c.offset;
      }
    }
    s->segment_start = start;
    if (start < 0) {
      // Never archived: from the log start (records below it were removed
      // before anyone archived them).
      LP_RETURN_IF_ERROR(CheckLoss(*s, 0, INT64_MAX));
      continue;
    }
    LP_RETURN_IF_ERROR(CheckLoss(*s, start, INT64_MAX));
    auto marks = p_.consumer->Watermarks(s->tp, kBrokerTimeout);
    if (marks.ok() && marks->first > start) {
      s->segment_start = marks->first;
      s->next_offset = marks->first;
    }
  }
  // A run killed between its snapshot and its group commit: the group
  // catches up at the next tick (not from inside the assignment), so that
  // `lakepipe lag` is right.
  catch_up_.insert(catch_up_.end(), behind.begin(), behind.end());
  return Status::OK();
}

void IcebergCommits::CatchUpGroup() {
  std::vector<kafka::OffsetAndMetadata> still_assigned;
  for (const kafka::OffsetAndMetadata& o : catch_up_) {
    if (p_.states->count(o.tp) > 0) still_assigned.push_back(o);
  }
  catch_up_.clear();
  if (still_assigned.empty()) return;
  if (Status st = p_.consumer->Commit(still_assigned); !st.ok()) {
    Log(fmt::format("could not move group '{}' to the table's offsets ({})", p_.group,
                    st.message()),
        observe::LogLevel::kWarning, {});
  }
}

Result<std::vector<iceberg::DataFile>> IcebergCommits::DataFilesOf(PartitionState& s) {
  std::vector<iceberg::DataFile> out;
  for (auto& [path, file] : s.files) {
    LP_ASSIGN_OR_RETURN(std::unique_ptr<InputFile> input, p_.store->OpenInput(file->path));
    auto data_file =
        iceberg::DataFileFromParquet(input.get(), file->uri, p_.schema, file->partition);
    if (!data_file.ok()) {
      return data_file.status().WithContext(fmt::format("reading back {}", file->path));
    }
    out.push_back(std::move(data_file).value());
  }
  return out;
}

// Finishes the segment's files and queues them with their range for the
// next snapshot.
Status IcebergCommits::Cut(PartitionState& s) {
  if (s.next_offset < 0 || s.segment_start < 0 || s.next_offset <= s.segment_start) {
    s.segment_started.reset();
    return Status::OK();
  }
  LP_ASSIGN_OR_RETURN(PartitionedWriter::Finished finished, p_.writer->Finish(s));
  Pending p;
  p.tp = s.tp;
  p.start = s.segment_start;
  p.end = s.next_offset;
  LP_ASSIGN_OR_RETURN(p.files, DataFilesOf(s));
  for (const auto& [path, file] : s.files) p.paths.push_back(file->path);
  p.records = finished.records;
  p.bytes = finished.bytes;
  p.dead = s.segment_dead;
  p_.writer->Release(s, finished);
  s.segment_start = p.end;
  s.segment_records = 0;
  s.segment_dead = 0;
  s.segment_started.reset();
  pending_bytes_ += p.bytes;
  pending_.push_back(std::move(p));
  return Status::OK();
}

Status IcebergCommits::CutAll() {
  for (auto& [tp, s] : *p_.states) LP_RETURN_IF_ERROR(FinishOrAbort(*s));
  return Status::OK();
}

Status IcebergCommits::Tick(std::chrono::steady_clock::time_point now) {
  if (!catch_up_.empty()) CatchUpGroup();
  if (!last_flush_) last_flush_ = now;
  const bool interval = now - *last_flush_ >= p_.commit_interval;
  if (!interval && pending_bytes_ < p_.commit_bytes) return Status::OK();
  if (interval) LP_RETURN_IF_ERROR(CutAll());
  last_flush_ = now;
  return Flush();
}

Status IcebergCommits::Flush() {
  if (pending_.empty()) return Status::OK();
  LP_ASSIGN_OR_RETURN(DeadLetterSink::FlushResult dead, p_.dead_letters->Flush());
  std::vector<Pending> batch = std::move(pending_);
  pending_.clear();
  pending_bytes_ = 0;
  std::vector<bool> kept(batch.size(), false);
  const std::string commit_id = iceberg::NewUuid();
  auto plan = [&](const iceberg::LoadedTable& current) -> Result<iceberg::AppendPlan> {
    LP_ASSIGN_OR_RETURN(auto offsets, iceberg::CommittedOffsets(current.metadata, p_.group));
    iceberg::KafkaCommit commit;
    commit.commit_id = commit_id;
    commit.group = p_.group;
    iceberg::AppendPlan out;
    for (size_t i = 0; i < batch.size(); ++i) {
      const Pending& e = batch[i];
      const iceberg::KafkaPartition key = KeyOf(e.tp);
      auto at = offsets.find(key);
      kept[i] = at == offsets.end() || at->second == e.start;
      if (!kept[i]) continue;
      offsets[key] = e.end;
      auto range = commit.ranges.find(key);
      if (range == commit.ranges.end()) {
        commit.ranges[key] = iceberg::KafkaOffsetRange{e.start, e.end};
      } else {
        range->second.end = e.end;
      }
      out.files.insert(out.files.end(), e.files.begin(), e.files.end());
    }
    commit.offsets = std::move(offsets);
    out.skip = commit.ranges.empty();
    out.summary = iceberg::ToSummary(commit);
    return out;
  };
  iceberg::AppendFiles append(p_.catalog, p_.table, p_.append);
  auto result = append.Commit(commit_id, plan);
  if (!result.ok()) {
    return result.status().WithContext(
        fmt::format("committing a snapshot to table {} (its files stay unlisted; the next start "
                    "archives their offsets again)",
                    p_.table.ToString()));
  }
  iceberg::TableMetadata table = result->table.metadata;
  if (!result->committed) {
    auto loaded = p_.catalog->LoadTable(p_.table);
    if (!loaded.ok()) return loaded.status().WithContext("reloading the table");
    table = loaded->metadata;
  } else {
    last_snapshot_ = result->snapshot_id;
    metadata_location_ = result->table.metadata_location;
  }
  p_.stats->Update([&dead](ArchiveStats& stats) { stats.dead_letter_files += dead.to_files; });
  Settle(batch, kept, table);
  return Status::OK();
}

void IcebergCommits::Settle(const std::vector<Pending>& batch, const std::vector<bool>& kept,
                            const iceberg::TableMetadata& table) {
  std::map<kafka::TopicPartition, int64_t> ends;
  std::map<kafka::TopicPartition, bool> dropped;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Pending& e = batch[i];
    if (kept[i]) {
      ends[e.tp] = e.end;
      p_.stats->Update([&e](ArchiveStats& stats) {
        stats.archived += e.records;
        stats.files_written += e.files.size();
        stats.bytes_written += e.bytes;
        stats.dead_lettered += e.dead;
      });
      continue;
    }
    dropped[e.tp] = true;
    for (const std::string& path : e.paths) p_.store->Delete(path).IgnoreError();
    const uint64_t records = e.records + e.dead;
    p_.stats->Update([records](ArchiveStats& stats) { stats.given_back += records; });
  }
  if (!dropped.empty()) {
    auto offsets = iceberg::CommittedOffsets(table, p_.group);
    for (const auto& [tp, yes] : dropped) {
      auto s = p_.states->find(tp);
      if (s == p_.states->end() || !offsets.ok()) continue;
      auto end = offsets->find(KeyOf(tp));
      if (end == offsets->end()) continue;
      Rewind(*s->second, end->second,
             fmt::format("offsets from {} are in the table already", end->second));
      ends.erase(tp);
    }
  }
  std::vector<kafka::OffsetAndMetadata> commits;
  for (const auto& [tp, end] : ends) {
    if (p_.states->count(tp) > 0) commits.push_back({tp, end, ""});
  }
  if (commits.empty()) return;
  if (Status st = p_.consumer->Commit(commits); !st.ok()) {
    Log(fmt::format("could not commit the table's offsets to group '{}' ({}); the table keeps "
                    "them and `lakepipe lag` catches up at the next commit",
                    p_.group, st.message()),
        observe::LogLevel::kWarning, {});
  }
}

// Another archiver of the group committed these offsets (a rebalance): the
// partition is read again from the table's end.
void IcebergCommits::Rewind(PartitionState& s, int64_t offset, const std::string& why) {
  Log(fmt::format("{}[{}]: {}; re-reading from offset {}", s.tp.topic, s.tp.partition, why, offset),
      observe::LogLevel::kWarning, {s.tp.topic, s.tp.partition, offset});
  Abort(s);
  s.next_offset = -1;
  s.segment_start = offset;
  s.await_offset = offset;
  Status sought = p_.consumer->Seek(s.tp, offset, kBrokerTimeout);
  if (!sought.ok()) {
    Log(fmt::format("{}[{}]: could not seek to {} ({}); the partition's next owner resumes there",
                    s.tp.topic, s.tp.partition, offset, sought.message()),
        observe::LogLevel::kWarning, {s.tp.topic, s.tp.partition, offset});
  }
}

}  // namespace lakepipe::archive

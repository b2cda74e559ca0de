#include "pipeline/run.h"

#include <algorithm>
#include <map>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "core/units.h"
#include "kafka/dev_broker.h"
#include "kafka/metadata.h"
#include "lake/lake.h"
#include "pipeline/source_producer.h"

namespace lakepipe::pipeline {
namespace {

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double Between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

// What the producing thread shares.
struct ProduceState {
  std::atomic<uint64_t> produced{0}, delivered{0};
  std::atomic<bool> done{false};
  Result<ProduceSummary> result = InternalError("not run");
  Clock::time_point start = Clock::now(), end;

  void Set(const ProduceProgress& p) {
    produced = p.produced;
    delivered = p.delivered;
  }
};

// What the archiving thread shares.
struct ArchiveState {
  std::atomic<bool> done{false};
  Result<archive::ArchiveStats> result = InternalError("not run");
  Clock::time_point start = Clock::now(), end;
};

// Deletes what an earlier dev-broker run left of `table` in `uri` (raw,
// curated and rejected zones, bookmarks, job state) when `allowed`;
// kFailedPrecondition ending with `hint` otherwise.
// `iceberg_dir`: the directory of the run's Iceberg table in the lake (the
// file catalog's default location), "" when the run writes none there.
Status ReplaceTable(const std::string& uri, const std::string& table,
                    const std::string& iceberg_dir, bool allowed, const std::string& hint,
                    const std::function<void(const std::string&)>& log) {
  LP_ASSIGN_OR_RETURN(lake::Lake lake, lake::Lake::Open(uri));
  LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> existing, lake.ListData(lake::Lake::TableDir(table)));
  if (!iceberg_dir.empty()) {
    LP_ASSIGN_OR_RETURN(std::vector<ObjectInfo> in_table, lake.ListData(iceberg_dir));
    existing.insert(existing.end(), in_table.begin(), in_table.end());
  }
  if (existing.empty()) return Status::OK();
  if (!allowed) {
    return FailedPreconditionError(
        "{}/{} already holds {} files from an earlier run; the dev broker's offsets start at 0 "
        "again, so its files would be overwritten: {}",
        lake.uri(), table, existing.size(), hint);
  }
  log(fmt::format("replacing {}/{} ({} files of an earlier run)", lake.uri(), table,
                  existing.size()));
  for (const std::string& rel :
       {lake::Lake::TableDir(table), lake::Lake::BookmarkDir(table), lake::Lake::StateDir(table)}) {
    LP_RETURN_IF_ERROR(lake.DeleteAll(rel));
  }
  if (!iceberg_dir.empty()) LP_RETURN_IF_ERROR(lake.DeleteAll(iceberg_dir));
  return Status::OK();
}

// A run that succeeded puts its copies in place of an earlier run's. One
// that failed leaves an earlier run's copies as they were, and puts its own
// in place only where there were none (they hold what was consumed while
// the lake was down, say). `*status` gets the error of kFailed.
CopiesFate SettleLocalCopies(LocalOutputs& outputs, bool succeeded, Status* status) {
  if (!status->ok()) return CopiesFate::kFailed;
  if (!succeeded && outputs.AnyExists()) {
    outputs.Abort();
    return CopiesFate::kPreviousKept;
  }
  *status = outputs.Replace();
  return status->ok() ? CopiesFate::kReplaced : CopiesFate::kFailed;
}

}  // namespace

std::string_view StepName(RunStep step) {
  switch (step) {
    case RunStep::kProduceArchive:
      return "produce+archive";
    case RunStep::kProduce:
      return "produce";
    case RunStep::kSettle:
      return "settle";
    case RunStep::kArchive:
      return "archive";
    case RunStep::kTransform:
      return "transform";
  }
  return "?";
}

SchemaPtr TableSchema(std::string_view table, UserShape shape) {
  return table == "user_activity" ? UserActivitySchemaPtr() : UserSchemaPtr(shape);
}

struct Pipeline::Impl {
  explicit Impl(RunOptions options) : o(std::move(options)), ao(o.archive) {
    if (!o.log) o.log = [](const std::string&) {};
  }

  Status StartBroker();
  Status AssembleProducer();
  Status OpenCopies();
  Status MakeArchiver();
  RunReport Run();

  void Produce();
  void Consume();
  bool CaughtUp();
  void Show(RunStep step, Clock::time_point start, bool last);
  void Watch(RunStep step, Clock::time_point start, const std::function<bool()>& finished);
  void RunTogether();
  void RunInTurn();
  RunReport Outcome();
  void RunJobs(RunReport* r);
  void SettleCopies(RunReport* r);

  RunOptions o;
  archive::ArchiveOptions& ao;
  std::unique_ptr<kafka::DevBroker> dev_broker;
  std::unique_ptr<SourceProducer> producer;
  std::unique_ptr<LocalOutputs> outputs;
  std::map<int32_t, int64_t> copied_until;  // partition -> next offset to copy
  std::unique_ptr<archive::Archiver> archiver;
  Status local_status;  // of finishing the local copies

  std::atomic<bool> stop_produce{false}, stop_archive{false};
  ProduceState ps;
  ArchiveState as;
  // The end offset of every partition once produced, which the archive
  // must reach; unknown when asking failed (counts alone decide then).
  std::optional<std::vector<int64_t>> ends;
  bool ends_failed = false;
};

// Kafka: the configured brokers, else the dev broker in this process.
Status Pipeline::Impl::StartBroker() {
  if (!ao.brokers.empty()) {
    o.log(fmt::format("Kafka at {}, topic '{}'", ao.brokers, o.topic));
    return Status::OK();
  }
  kafka::DevBrokerOptions bo;
  bo.partitions = o.partitions;
  bo.topics = {o.topic};
  LP_ASSIGN_OR_RETURN(dev_broker, kafka::DevBroker::Start(bo));
  ao.brokers = dev_broker->bootstrap();
  o.log(fmt::format("dev broker in this process at {} (topic '{}', {} partitions; {})", ao.brokers,
                    o.topic, o.partitions, kafka::kDevBrokerRetention));
  // A new dev broker starts its offsets at 0 again, so the archive would
  // write over the files of an earlier run: the table starts afresh.
  // An Iceberg table of the file catalog in the lake holds the old offsets
  // too: it goes with the rest.
  const bool iceberg_in_lake = ao.table_format == "iceberg" && ao.catalog.type == "file" &&
                               ao.iceberg_table.empty() &&
                               (ao.catalog.warehouse.empty() || ao.catalog.warehouse == ao.lake);
  Status st = ReplaceTable(ao.lake, ao.table, iceberg_in_lake ? "default/" + ao.table : "",
                           o.replace, o.replace_hint, o.log);
  if (st.code() == StatusCode::kFailedPrecondition) return st;
  // The lake may be down: go on, the local copies keep what is consumed.
  if (!st.ok()) o.log(fmt::format("warning: cannot look at the lake: {}", st.ToString()));
  return Status::OK();
}

// The source's records as the table's schema, onto the topic.
Status Pipeline::Impl::AssembleProducer() {
  SourceProducerOptions so;
  so.source = o.source;
  so.source_options = o.source_options;
  so.schema = TableSchema(ao.table, o.source_options.shape);
  so.format = o.format;
  if (ao.decoder.registry && o.format == PayloadFormat::kAvro) so.registry = *ao.decoder.registry;
  so.topic = o.topic;
  so.producer.brokers = ao.brokers;
  so.producer.settings = ao.kafka_settings;
  // Nothing starts unless a broker answers: a wrong address fails now, in
  // one line, instead of after the producer's and the archive's timeouts.
  if (!dev_broker) {
    so.before_producer = [this] {
      return kafka::WaitForBrokers(ao.brokers, ao.kafka_settings, kafka::kBrokerStartTimeout);
    };
  }
  LP_ASSIGN_OR_RETURN(producer, AssembleSourceProducer(so));
  return Status::OK();
}

// Local copies of every record the archive consumes, each offset once: a
// segment read again (a rewind, a rebalance) is not copied twice.
Status Pipeline::Impl::OpenCopies() {
  if (!ao.decoder.schema) {
    ao.decoder.schema = TableSchema(ao.table, o.source_options.shape);
    ao.decoder.schema_origin = fmt::format("built-in {} schema", ao.decoder.schema->name());
  }
  auto local =
      LocalOutputs::Open(o.output_dir, ao.table + "_data", ao.decoder.schema, o.local_copy_formats);
  if (!local.ok()) {
    return o.output_context.empty() ? local.status() : local.status().WithContext(o.output_context);
  }
  outputs = std::move(local).value();
  ao.on_record = [this](const RecordBatch& b, size_t row, const kafka::MessageView& m) {
    int64_t& next = copied_until.try_emplace(m.partition, -1).first->second;
    if (m.offset < next) return Status::OK();
    next = m.offset + 1;
    return outputs->Add(b, row);
  };
  ao.exit_when_idle = std::chrono::milliseconds(0);  // the run says when to stop
  return Status::OK();
}

Status Pipeline::Impl::MakeArchiver() {
  if (o.on_phase) o.on_phase(RunPhase::kArchive);
  LP_ASSIGN_OR_RETURN(archiver, archive::Archiver::Make(ao));
  return Status::OK();
}

void Pipeline::Impl::Produce() {
  ProduceOptions popt;
  popt.topic = o.topic;
  popt.count = o.count;
  popt.duration = o.duration;
  popt.rate = o.rate;
  popt.progress_interval = std::chrono::milliseconds(100);
  popt.on_progress = [this](const ProduceProgress& p) {
    if (o.on_produce_progress) o.on_produce_progress(p);
    ps.Set(p);
  };
  ps.result = producer->Run(popt, stop_produce);
  if (ps.result.ok()) {
    if (o.on_produce_progress) o.on_produce_progress(ps.result->progress);
    ps.Set(ps.result->progress);
  }
  ps.end = Clock::now();
  ps.done = true;
}

void Pipeline::Impl::Consume() {
  as.result = archiver->Run(stop_archive);
  if (o.on_archive_end) o.on_archive_end(as.result);
  as.end = Clock::now();
  as.done = true;
}

// Everything delivered was consumed (or lost to retention, which the
// archive reports), and the consumer knows of nothing left in its
// partitions (a new group on a topic with older records reads those too).
bool Pipeline::Impl::CaughtUp() {
  if (!ps.done) return false;
  const archive::ArchiveStats s = archiver->Snapshot();
  if (s.kept() + s.data_loss_records < ps.delivered) return false;
  if (!ends && !ends_failed) {
    auto got = kafka::EndOffsets(ao.brokers, o.topic, ao.kafka_settings, std::chrono::seconds(10));
    if (got.ok()) {
      ends = std::move(got).value();
    } else {
      ends_failed = true;  // counts alone, then
      o.log(fmt::format("warning: {}", got.status().ToString()));
    }
  }
  if (!ends) return true;
  const std::map<kafka::TopicPartition, int64_t> at = archiver->Positions();
  for (size_t p = 0; p < ends->size(); ++p) {
    if ((*ends)[p] <= 0) continue;
    auto it = at.find(kafka::TopicPartition{o.topic, static_cast<int32_t>(p)});
    if (it == at.end() || it->second < (*ends)[p]) return false;
  }
  return true;
}

void Pipeline::Impl::Show(RunStep step, Clock::time_point start, bool last) {
  if (!o.on_progress) return;
  RunProgress p;
  p.step = step;
  p.last = last;
  p.seconds = Since(start);
  p.produced = ps.produced;
  p.delivered = ps.delivered;
  if (step == RunStep::kProduceArchive || step == RunStep::kArchive) {
    p.archive = archiver->Snapshot();
    p.joining = archiver->Joining();
    // The broker's figure once partitions are assigned; what was delivered
    // and not consumed yet before that.
    const uint64_t kept = p.archive.kept();
    p.lag = std::max<uint64_t>(p.archive.lag > 0 ? static_cast<uint64_t>(p.archive.lag) : 0,
                               p.delivered > kept ? p.delivered - kept : 0);
  }
  o.on_progress(p);
}

// Watches the running step: progress, and the stop conditions.
void Pipeline::Impl::Watch(RunStep step, Clock::time_point start,
                           const std::function<bool()>& finished) {
  auto next = Clock::now();
  while (!finished()) {
    if (*o.stop) {
      stop_produce = true;
      stop_archive = true;
    }
    if (Clock::now() >= next) {
      Show(step, start, false);
      next = Clock::now() + o.progress_interval;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Show(step, start, true);
}

void Pipeline::Impl::RunTogether() {
  ps.start = as.start = Clock::now();
  std::thread consumer([this] { Consume(); });
  std::thread producer_thread([this] { Produce(); });
  Watch(RunStep::kProduceArchive, ps.start, [this] {
    if (as.done) stop_produce = true;  // the archive failed: stop producing
    if (!stop_archive && CaughtUp()) stop_archive = true;
    if (ps.done && !ps.result.ok()) stop_archive = true;
    return ps.done && as.done;
  });
  producer_thread.join();
  consumer.join();
}

// The batch flow: produce everything, wait `settle`, then consume it all.
void Pipeline::Impl::RunInTurn() {
  ps.start = Clock::now();
  std::thread producer_thread([this] { Produce(); });
  Watch(RunStep::kProduce, ps.start, [this] { return ps.done.load(); });
  producer_thread.join();
  const auto settle_start = Clock::now();
  Watch(RunStep::kSettle, settle_start,
        [&] { return o.stop->load() || Clock::now() - settle_start >= o.settle; });
  as.start = Clock::now();
  std::thread consumer([this] { Consume(); });
  Watch(RunStep::kArchive, as.start, [this] {
    if (!stop_archive && CaughtUp()) stop_archive = true;
    return as.done.load();
  });
  consumer.join();
}

// The report of producing and archiving, with what failed.
RunReport Pipeline::Impl::Outcome() {
  RunReport r;
  r.produce_seconds = Between(ps.start, ps.end);
  r.archive_seconds = Between(as.start, as.end);
  r.archive = as.result.ok() ? *as.result : archiver->Snapshot();
  // The local copies are complete under temporary names; they take the
  // place of an earlier run's at the end, when the run succeeded.
  local_status = outputs->Finish();
  if (!ps.result.ok()) r.failures.push_back("produce: " + ps.result.status().ToString());
  if (!as.result.ok()) r.failures.push_back("archive: " + as.result.status().ToString());
  if (!local_status.ok()) r.failures.push_back("local outputs: " + local_status.ToString());
  const ProduceProgress pp = ps.result.ok() ? ps.result->progress : ProduceProgress{};
  // What was produced, also when producing failed.
  r.produced = ps.result.ok() ? pp.produced : ps.produced.load();
  r.delivered = ps.result.ok() ? pp.delivered : ps.delivered.load();
  r.source_rejected = pp.rejected;
  if (ps.result.ok() && (pp.failed > 0 || pp.delivered < pp.produced)) {
    r.failures.push_back(
        fmt::format("produce: {} records not delivered", pp.produced - pp.delivered));
  }
  const archive::ArchiveStats& s = r.archive;
  if (as.result.ok() && s.archived + s.dead_lettered < s.kept()) {
    r.failures.push_back(
        fmt::format("archive: consumed {} records but archived {} and "
                    "dead-lettered {}",
                    FormatCount(s.kept()), FormatCount(s.archived), FormatCount(s.dead_lettered)));
  }
  if (as.result.ok() && s.data_loss_records > 0) {
    r.failures.push_back(fmt::format("archive: {} records lost to the broker's retention",
                                     FormatCount(s.data_loss_records)));
  }
  return r;
}

// Every job of the registry over the table, in order, until one fails.
void Pipeline::Impl::RunJobs(RunReport* r) {
  if (o.on_phase) o.on_phase(RunPhase::kJobs);
  jobs::JobOptions options = o.jobs;
  options.lake = ao.lake;
  options.table = ao.table;
  if (ao.table_format == "iceberg") {
    // The jobs read the run's Iceberg table and write theirs beside it.
    jobs::IcebergTables tables{ao.catalog, "default", ao.iceberg_table};
    if (tables.catalog.warehouse.empty()) tables.catalog.warehouse = ao.lake;
    options.iceberg = std::move(tables);
  }
  const auto start = Clock::now();
  for (const jobs::Job& job : jobs::Jobs()) {
    if (o.on_progress) {
      RunProgress p;
      p.step = RunStep::kTransform;
      p.seconds = Since(start);
      p.job = std::string(job.name);
      p.jobs_done = r->jobs.size();
      o.on_progress(p);
    }
    Result<jobs::JobStats> stats = job.run(options);
    if (!stats.ok()) {
      r->failures.push_back(fmt::format("transform {}: {}", job.name, stats.status().ToString()));
      break;
    }
    if (job.name == "clean") {
      r->clean_rows = stats->clean;
      r->rejected_rows = stats->rejected;
    }
    if (o.on_job) o.on_job(*stats);
    r->jobs.push_back(*std::move(stats));
  }
  r->transform_seconds = Since(start);
  if (o.on_progress) {
    RunProgress p;
    p.step = RunStep::kTransform;
    p.last = true;
    p.seconds = r->transform_seconds;
    p.jobs_done = r->jobs.size();
    o.on_progress(p);
  }
}

void Pipeline::Impl::SettleCopies(RunReport* r) {
  const bool copies_finished = local_status.ok();
  r->copies = SettleLocalCopies(*outputs, r->failures.empty() && !*o.stop, &local_status);
  if (r->copies == CopiesFate::kFailed && copies_finished) {
    r->failures.push_back("local outputs: " + local_status.ToString());
  }
}

RunReport Pipeline::Impl::Run() {
  if (o.sequential) {
    RunInTurn();
  } else {
    RunTogether();
  }
  RunReport r = Outcome();
  // Transform, when the lake got everything.
  if (r.failures.empty() && !*o.stop) {
    if (TableSchema(ao.table, o.source_options.shape) == UserApiSchemaPtr()) {
      // The jobs read the flat users columns (first_name, country, ...).
      o.log(
          fmt::format("transform: skipped: the jobs read the flat users table; table '{}' has "
                      "the API's nested shape (--shape api)",
                      ao.table));
    } else {
      RunJobs(&r);
    }
  }
  SettleCopies(&r);
  r.interrupted = *o.stop;
  return r;
}

Result<std::unique_ptr<Pipeline>> Pipeline::Make(RunOptions options) {
  if (options.stop == nullptr) return InvalidArgumentError("RunOptions::stop is required");
  auto impl = std::make_unique<Impl>(std::move(options));
  LP_RETURN_IF_ERROR(impl->StartBroker());
  LP_RETURN_IF_ERROR(impl->AssembleProducer());
  LP_RETURN_IF_ERROR(impl->OpenCopies());
  LP_RETURN_IF_ERROR(impl->MakeArchiver());
  return std::unique_ptr<Pipeline>(new Pipeline(std::move(impl)));
}

Pipeline::Pipeline(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Pipeline::~Pipeline() = default;

RunReport Pipeline::Run() { return impl_->Run(); }
const archive::Archiver& Pipeline::archiver() const { return *impl_->archiver; }
const archive::ArchiveOptions& Pipeline::archive_options() const { return impl_->ao; }
bool Pipeline::dev_broker() const { return impl_->dev_broker != nullptr; }
const LocalOutputs& Pipeline::local_copies() const { return *impl_->outputs; }

}  // namespace lakepipe::pipeline

// The whole pipeline in one process (what `lakepipe run` runs): records
// from a source onto Kafka (a dev broker in this process when no brokers
// are given) while an archiver writes them into the lake, with local
// copies of what it consumes; once the archive has caught up with
// everything produced, the transform jobs over the table.
//
//   auto pipeline = Pipeline::Make(options);   // broker, producer, archiver
//   ... attach to pipeline->archiver() (metrics, a status page) ...
//   RunReport report = (*pipeline)->Run();     // the threads, the phases
//
// Phases: produce and archive at once (or, `sequential`, produce, wait
// `settle`, then archive); the archive stops once it has reached the end
// offset of every partition of the topic after producing ended (records
// from before the run included). Then, when nothing failed and the run was
// not stopped, every job of jobs/registry.h in order. Last the local copies
// are settled: a run that succeeded puts its copies in place of an earlier
// run's; one that failed leaves an earlier run's copies as they were and
// puts its own in place only where there were none.
//
// Process-wide settings (signals, the allocator, the status page) are the
// caller's: `stop` is its stop flag, and `on_phase` tells it when the work
// changes. Thread-safety: Run() on one thread, once; the hooks are called
// on the threads their comments name.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archive/archiver.h"
#include "jobs/registry.h"
#include "pipeline/local_outputs.h"
#include "pipeline/produce.h"
#include "pipeline/record_encoder.h"
#include "sources/source.h"

namespace lakepipe::pipeline {

// When the work of the process changes, for process-wide tuning (the
// allocator: cli/allocator.h). Called on the thread of Make and Run before
// the work's threads start.
enum class RunPhase {
  kArchive,  // the archiver is about to be made: consuming and writing files follow
  kJobs,     // the archive is over: the transform jobs follow
};

// The steps progress is reported for, in the order they run.
enum class RunStep { kProduceArchive, kProduce, kSettle, kArchive, kTransform };

// "produce+archive", "produce", "settle", "archive", "transform".
std::string_view StepName(RunStep step);

// A step's state, for a progress display.
struct RunProgress {
  RunStep step = RunStep::kProduceArchive;
  bool last = false;   // the step's final state
  double seconds = 0;  // since the step started
  // Produced so far: handed to the producer, and acknowledged.
  uint64_t produced = 0;
  uint64_t delivered = 0;
  // The archive (kProduceArchive, kArchive): its figures, what it waits for
  // before joining its group, and the records still to consume (the
  // broker's lag, at least what was delivered and not consumed yet).
  archive::ArchiveStats archive;
  std::optional<archive::JoinWait> joining;
  uint64_t lag = 0;
  // kTransform: the job starting ("" in the last state), the jobs done.
  std::string job;
  size_t jobs_done = 0;
};

// What became of the local copies at the end of a run.
enum class CopiesFate {
  kReplaced,      // this run's copies are in place
  kPreviousKept,  // the run failed: an earlier run's copies stay as they were
  kFailed,        // this run's copies could not be written or put in place
};

struct RunOptions {
  // What is produced: records of `source` written as the built-in schema
  // of archive.table (users, user_activity; users in source_options.shape)
  // in `format` onto `topic`, keyed by the source's key field.
  std::string source = "users";  // users, activity or randomuser
  SourceOptions source_options;
  PayloadFormat format = PayloadFormat::kJson;
  std::string topic;
  uint64_t count = 0;                     // 0: unlimited (then give `duration`)
  std::chrono::milliseconds duration{0};  // 0: until `count`
  double rate = 0;                        // records/s; 0: as fast as possible
  // The archive: brokers, topics, table, lake, group and the rest are the
  // caller's. brokers "": a dev broker in this process with `partitions`
  // partitions of `topic`, its address set in. decoder.schema unset: the
  // table's built-in schema. decoder.registry set with Avro messages: the
  // schema is registered under "<topic>-value" and messages are framed
  // with its id. on_record and exit_when_idle are the pipeline's.
  archive::ArchiveOptions archive;
  int partitions = 16;
  // With the dev broker, whose offsets start at 0 again: the table's files
  // of an earlier run (raw, curated and rejected zones, bookmarks, job
  // state) are deleted when `replace`; otherwise they fail the run with
  // kFailedPrecondition, ending with `replace_hint` (what to do instead).
  bool replace = false;
  std::string replace_hint = "set replace to delete the table first, or use another lake";
  // The flow: produce, wait `settle`, then archive, instead of both at once.
  bool sequential = false;
  std::chrono::milliseconds settle{5000};
  // Local copies of every record consumed (each offset once):
  // <output_dir>/<table>_data.<format> for each of local_copy_formats.
  // `output_context` prefixes the errors of opening them.
  std::string output_dir = "out";
  std::vector<std::string> local_copy_formats = {"json", "csv", "parquet"};
  std::string output_context;
  // The jobs' options; lake and table are the archive's.
  jobs::JobOptions jobs;

  // Set from another thread (a signal handler's flag): the run stops, the
  // archive commits what it has, and no job runs. Required.
  const std::atomic<bool>* stop = nullptr;
  std::function<void(RunPhase)> on_phase;
  // The pipeline's own messages (the dev broker's address, warnings).
  std::function<void(const std::string& line)> log;
  // Every `progress_interval` while a step runs, and once at its end
  // (`last`); on the thread of Run.
  std::function<void(const RunProgress&)> on_progress;
  std::chrono::milliseconds progress_interval{2000};
  // The producer's progress, every 100 ms and at its end; on the producing
  // thread.
  std::function<void(const ProduceProgress&)> on_produce_progress;
  // The archive's outcome, as soon as it ends; on the archiving thread.
  std::function<void(const Result<archive::ArchiveStats>&)> on_archive_end;
  // Each job that finished; on the thread of Run.
  std::function<void(const jobs::JobStats&)> on_job;
};

struct RunReport {
  // Produced by this run (also when producing failed: as far as it got),
  // delivered, and the source records rejected before Kafka (0 when
  // producing failed).
  uint64_t produced = 0;
  uint64_t delivered = 0;
  uint64_t source_rejected = 0;
  archive::ArchiveStats archive;
  double produce_seconds = 0;
  double archive_seconds = 0;
  double transform_seconds = 0;
  std::vector<jobs::JobStats> jobs;  // the jobs that finished, in order
  uint64_t clean_rows = 0;           // of the clean job
  uint64_t rejected_rows = 0;
  CopiesFate copies = CopiesFate::kFailed;
  bool interrupted = false;  // `stop` was set
  // What failed ("produce: ...", "archive: ...", "local outputs: ...",
  // "transform <job>: ..."), in the order it was found; empty: success.
  std::vector<std::string> failures;
};

class Pipeline {
 public:
  // Starts the dev broker (when no brokers are given), assembles the
  // source and producer (pipeline/source_producer.h), opens the local
  // copies and makes the archiver; nothing is produced or consumed yet.
  static Result<std::unique_ptr<Pipeline>> Make(RunOptions options);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  // Runs the phases; once.
  RunReport Run();

  const archive::Archiver& archiver() const;
  // The archiver's options, with what the pipeline set in.
  const archive::ArchiveOptions& archive_options() const;
  bool dev_broker() const;
  const LocalOutputs& local_copies() const;

 private:
  struct Impl;
  explicit Pipeline(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The built-in schema of `table`: user_activity's, else users' in `shape`
// (with the API's shape the run archives the table and runs no transform
// job, since the jobs read the flat users columns)
// (schemas/user.avsc or, for the API's nested shape, user_api.avsc).
SchemaPtr TableSchema(std::string_view table, UserShape shape = UserShape::kFlat);

}  // namespace lakepipe::pipeline

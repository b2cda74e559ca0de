// CleanRules: how the clean job validates, cleanses and enriches the rows of
// one table, and how its clean table is keyed and partitioned.
//
// The clean job (clean_job.h) reads raw rows in the raw schema, hands each
// to Apply(), and either keeps the clean row it appended or records the
// rejection. Rules are pure: the same row and as-of date give the same
// result, so reruns rebuild identical tables.
//
// Thread-safety: rules are immutable after construction.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/column.h"
#include "core/result.h"
#include "core/schema.h"

namespace lakepipe::jobs {

// What Observe()/Sequence() carry from one partition of a group to the
// next: counts by a key (activity: events per session).
using SequenceState = std::unordered_map<std::string, int32_t>;

// Why a row was rejected: the rule (a field name, or "record" for rows that
// could not be read at all) and a sentence naming the bad value.
struct Rejection {
  std::string rule;
  std::string reason;
};

// Where clean rows go: the batch of a partition (by its Hive path).
using PartitionSink = std::function<RecordBatch*(std::string_view partition)>;

class CleanRules {
 public:
  virtual ~CleanRules() = default;
  // "users", "user_activity".
  virtual std::string_view table() const = 0;
  // Schema raw rows are read into (the archive's table schema).
  virtual const SchemaPtr& raw_schema() const = 0;
  // Schema of the clean table's files (without the partition column).
  virtual const SchemaPtr& clean_schema() const = 0;
  // Column of clean_schema() that identifies a record: duplicates keep the
  // latest row.
  virtual int key_column() const = 0;
  // Checks row `row` of `raw` (raw_schema()). On success appends one
  // committed row (clean_schema()) to the batch `out` returns for the Hive
  // path of the row's partition ("registration_year=2015") and returns
  // true; otherwise fills `*rejection`, appends nothing and returns false.
  virtual bool Apply(const RecordBatch& raw, size_t row, const PartitionSink& out,
                     Rejection* rejection) const = 0;

  // Partitions whose rows depend on earlier partitions of the same group
  // (activity: a session's ordinal counts its earlier events of the day,
  // in the hours before) name that group; "" for independent partitions.
  // Within a group the clean job rewrites partitions in path order, and a
  // rewritten partition makes it rewrite the later ones of its group too.
  virtual std::string SequenceGroup(const std::string& partition) const {
    (void)partition;
    return "";
  }
  // Columns Observe() needs from partitions that are not rewritten.
  virtual std::vector<std::string> SequenceColumns() const { return {}; }
  // Counts rows of an earlier partition of the group into `state` (`rows`
  // has SequenceColumns()).
  virtual void Observe(const RecordBatch& rows, SequenceState* state) const {
    (void)rows;
    (void)state;
  }
  // Fills the sequence-dependent columns of the kept rows of a rewritten
  // partition (clean_schema()) from `state`, and counts them into it.
  virtual void Sequence(RecordBatch* rows, const std::vector<uint8_t>& keep,
                        SequenceState* state) const {
    (void)rows;
    (void)keep;
    (void)state;
  }
};

// Rules of the users table (schemas/user.avsc). `as_of` (days since
// 1970-01-01) is the date ages and tenures are computed at.
//
// Rejected: id not a UUID; first or last name empty; email not
// local@domain.tld; gender not female or male (after trimming and
// lower-casing); date of birth before 1900 or after as_of; registration
// before 2000-01-01 or after as_of; born after registering.
// Cleansed: every string trimmed; email, gender and email domain
// lower-cased; nat upper-cased; phone reduced to its digits.
// Enriched: dob_date and registration_date (dates), age at as_of and
// age_group (under 18, 18-24, 25-34, 35-44, 45-54, 55-64, 65+),
// email_domain, registration_year (the partition column) and tenure_days
// (as_of minus the registration date).
std::unique_ptr<CleanRules> NewUsersRules(int32_t as_of);

// Rules of the user_activity table (schemas/user_activity.avsc), partitioned
// by event_date and hour. `as_of` bounds event times (up to the end of that
// day).
//
// Rejected: event_id not a UUID; user_id or session_id empty; an event time
// before 2000-01-01 or after as_of; device not mobile, desktop or tablet;
// country not two letters; a negative price; a quantity below 1; cart and
// purchase events without product_id, price and quantity.
// Cleansed: strings trimmed; device lower-cased, country upper-cased.
// Enriched: event_date (the partition), hour (the partition), the
// session_ordinal (1 for the first event of the session that day, by event
// time then event_id; a session that crosses midnight UTC starts again at
// 1), revenue (price times quantity for purchases, else null).
std::unique_ptr<CleanRules> NewActivityRules(int32_t as_of);

// The tables that have jobs (clean rules and aggregates): "users",
// "user_activity".
const std::vector<std::string>& TablesWithJobs();

// OK for a table of TablesWithJobs(); else kInvalidArgument naming those
// tables and how a topic is archived under one of their names.
Status CheckTableHasJobs(std::string_view table);

// The rules of `table` (one of TablesWithJobs()), or CheckTableHasJobs's
// error.
Result<std::unique_ptr<CleanRules>> NewCleanRules(std::string_view table, int32_t as_of);

// Shared checks, exposed for tests.
bool IsUuid(std::string_view text);
bool IsEmailAddress(std::string_view text);
// Whole years from `born` to `at` (days since 1970-01-01).
int AgeInYears(int32_t born, int32_t at);
std::string_view AgeGroup(int age);

}  // namespace lakepipe::jobs

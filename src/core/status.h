// Status: the one error model of lakepipe.
//
// Every fallible operation returns a Status or a Result<T> (see result.h).
// The code says what the caller should do next:
//   kInvalidArgument  the input is wrong (bad flag, bad record): fix the input,
//                     or send the record to a dead-letter place. Never retried.
//   kNotFound         a named thing does not exist.
//   kAlreadyExists    a create-only operation found its target in place.
//   kFailedPrecondition  the system is not in a state that allows the operation.
//   kOutOfRange       a read past the end of data.
//   kUnimplemented    a feature lakepipe does not support (named in the message).
//   kUnavailable      a transient failure (network, broker, 5xx): retry with backoff.
//   kDeadlineExceeded a retry budget or timeout ran out.
//   kCancelled        the operation was stopped on request (signal, shutdown).
//   kCorruption       stored data is damaged or truncated: do not retry, report the file.
//   kDataLoss         data was lost (e.g. Kafka retention): alert an operator.
//   kIoError          the local operating system refused an operation.
//   kInternal         a lakepipe bug.
//
// Thread-safety: a Status is a value; distinct objects may be used from
// distinct threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace lakepipe {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kFailedPrecondition,
  kOutOfRange,
  kUnimplemented,
  kUnavailable,
  kDeadlineExceeded,
  kCancelled,
  kCorruption,
  kDataLoss,
  kIoError,
  kInternal,
};

// Human-readable name of a code, e.g. "invalid argument".
std::string_view StatusCodeName(StatusCode code);

// True when retrying the same operation later may succeed.
bool IsRetriable(StatusCode code);

class [[nodiscard]] Status {
 public:
  // An OK status.
  Status() = default;
  Status(StatusCode code, std::string message);

  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&&) noexcept = default;
  Status& operator=(Status&&) noexcept = default;

  static Status OK() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  // The message without the code name; empty for OK.
  const std::string& message() const;
  // "<code name>: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>". OK stays OK.
  Status WithContext(std::string_view context) const;

  // Explicitly ignores a status where failure has no consequence (e.g. cleanup).
  void IgnoreError() const {}

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  std::unique_ptr<State> state_;  // null means OK: success costs nothing.
};

inline bool operator==(const Status& a, const Status& b) {
  return a.code() == b.code() && a.message() == b.message();
}

#define LP_DEFINE_STATUS_FACTORY(Name, Code)                                           \
  template <typename... Args>                                                          \
  Status Name(fmt::format_string<Args...> format, Args&&... args) {                    \
    return Status(StatusCode::Code, fmt::format(format, std::forward<Args>(args)...)); \
  }

LP_DEFINE_STATUS_FACTORY(InvalidArgumentError, kInvalidArgument)
LP_DEFINE_STATUS_FACTORY(NotFoundError, kNotFound)
LP_DEFINE_STATUS_FACTORY(AlreadyExistsError, kAlreadyExists)
LP_DEFINE_STATUS_FACTORY(FailedPreconditionError, kFailedPrecondition)
LP_DEFINE_STATUS_FACTORY(OutOfRangeError, kOutOfRange)
LP_DEFINE_STATUS_FACTORY(UnimplementedError, kUnimplemented)
LP_DEFINE_STATUS_FACTORY(UnavailableError, kUnavailable)
LP_DEFINE_STATUS_FACTORY(DeadlineExceededError, kDeadlineExceeded)
LP_DEFINE_STATUS_FACTORY(CancelledError, kCancelled)
LP_DEFINE_STATUS_FACTORY(CorruptionError, kCorruption)
LP_DEFINE_STATUS_FACTORY(DataLossError, kDataLoss)
LP_DEFINE_STATUS_FACTORY(IoError, kIoError)
LP_DEFINE_STATUS_FACTORY(InternalError, kInternal)

#undef LP_DEFINE_STATUS_FACTORY

// An IoError for a failed system call: "<what>: <strerror(errnum)>".
Status ErrnoError(std::string_view what, int errnum);

}  // namespace lakepipe

#define LP_STATUS_CONCAT_INNER(a, b) a##b
#define LP_STATUS_CONCAT(a, b) LP_STATUS_CONCAT_INNER(a, b)

// Returns from the current function when `expr` (a Status) is not OK.
#define LP_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::lakepipe::Status lp_status_ = (expr);  \
    if (!lp_status_.ok()) return lp_status_; \
  } while (false)

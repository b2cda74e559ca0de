// Result<T>: a value or a non-OK Status.
//
//   Result<int> Parse(std::string_view s);
//   LP_ASSIGN_OR_RETURN(int n, Parse(text));
//
// Constructing a Result from an OK Status is a programming error; it becomes
// an internal error so that the failure is visible rather than undefined.
#pragma once

#include <cassert>
#include <optional>
#include <utility>

#include "core/status.h"

namespace lakepipe {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {  // NOLINT: implicit by design
    if (status_.ok()) status_ = InternalError("Result constructed from an OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // REQUIRES: ok().
  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  T ValueOr(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  Status status_;
  std::optional<T> value_;
};

}  // namespace lakepipe

#define LP_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                             \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

// Evaluates `rexpr` (a Result<T>); on error returns its Status, otherwise
// assigns the value to `lhs` (which may be a declaration).
#define LP_ASSIGN_OR_RETURN(lhs, rexpr) \
  LP_ASSIGN_OR_RETURN_IMPL(LP_STATUS_CONCAT(lp_result_, __LINE__), lhs, rexpr)

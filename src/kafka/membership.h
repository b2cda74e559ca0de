// How a group consumer joins its group: static membership
// (group.instance.id) and the dev broker's short sessions.
//
// A consumer that dies without leaving its group (kill -9, a crash) keeps
// its partitions until its session times out (session.timeout.ms, 45 s by
// default): nobody reads them meanwhile. With static membership (KIP-345,
// Kafka 2.3+) a consumer that comes back with the same group.instance.id
// within the session takes its place, and its partitions, at once, without
// a rebalance. The price: a static member does not leave the group when it
// stops cleanly either, so when it does not come back (a scale-down) its
// partitions wait a full session before moving to the others.
//
// The dev broker (librdkafka's mock cluster) accepts group.instance.id but
// does not honour it: a returning member is a new member, and the old one
// holds its partitions until its session expires. Against the dev broker
// lakepipe uses short sessions instead (DevBrokerGroupSettings); the mock
// applies the session timeout of the latest member to the whole group, so
// a restarted consumer expires a dead one within seconds.
//
// Thread-safety: InstanceLease is not shared between threads; the functions
// may be called from any thread.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "kafka/handles.h"

namespace lakepipe::kafka {

// Kafka's rule for group.instance.id: 1 to 249 of [a-zA-Z0-9._-].
// kInvalidArgument naming the id and the offending character.
Status ValidateGroupInstanceId(std::string_view id);

// `text` with every character outside [a-zA-Z0-9._-] replaced by '-', cut
// to `max` characters: a valid piece of a group.instance.id.
std::string InstanceIdPiece(std::string_view text, size_t max = 120);

// This host's name as an InstanceIdPiece ("localhost" when unknown).
std::string HostIdPiece();

// Whether a cluster id (ClusterId in metadata.h) is the dev broker's.
bool IsDevBrokerClusterId(std::string_view cluster_id);

// The session settings of consumers of the dev broker: a 3 s session
// (shorter ones expire while the mock cluster makes a group wait for its
// first assignment) with a heartbeat every 300 ms.
Settings DevBrokerGroupSettings();

// A group.instance.id no other process of this user on this host holds for
// the same group: `base` for the first, then "<base>-2", "<base>-3"... Each
// is held by an advisory lock on a file under $XDG_RUNTIME_DIR/lakepipe
// (else /tmp/lakepipe-<uid>), which the system releases when the process
// ends, however it ends: a restarted process gets the id back, and two
// processes running at once get distinct ids.
class InstanceLease {
 public:
  // kUnavailable when no lock file can be made (the id is then unknown),
  // kFailedPrecondition when 64 ids are held.
  static Result<InstanceLease> Acquire(std::string_view group, std::string_view base);

  InstanceLease(InstanceLease&& other) noexcept;
  InstanceLease& operator=(InstanceLease&& other) noexcept;
  InstanceLease(const InstanceLease&) = delete;
  InstanceLease& operator=(const InstanceLease&) = delete;
  ~InstanceLease();

  const std::string& id() const { return id_; }

 private:
  InstanceLease(std::string id, int fd) : id_(std::move(id)), fd_(fd) {}
  std::string id_;
  int fd_ = -1;
};

}  // namespace lakepipe::kafka

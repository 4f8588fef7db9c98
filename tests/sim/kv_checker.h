#pragma once
// kv_checker: the history of a KV workload (kv_workload.h) and what it must
// satisfy. It knows nothing of the node or the protocol: the workload (or a
// self-test with a hand-made history, kv_selftest.cpp) records each client
// call with its invocation and response times in virtual time, every watcher
// delivery, every crash, and shows it the stream as it is on disk.
//
// A KV bucket is one stream; a key is a subject; a revision is a stream seq.
// Every observation (a PubAck, a get's reply, the last seq named by a 10071
// error, a watcher delivery) is of one revision: its key and, when known, its
// operation (PUT, DEL, PURGE) and value. Values are unique per write.
// Checked:
// - One revision is one thing: never observed with two keys or two contents,
//   and a value is written at one revision only (revisions strictly increase
//   and are never reused once observed, across restarts too).
// - Nothing observed is lost (after each restart and at the end): its revision
//   is at most the stream's last seq, and the disk holds it with that content,
//   unless the key's history explains its removal (a PURGE at a later
//   revision, or `history` later revisions of the key). A write that got no
//   reply before a crash may be there or not; if anyone saw it, it must stay.
// - Linearizability, with the writes in revision order (one stream orders them
//   all): there are points, each within its call's [invoke, response] (no
//   response: unbounded), increasing with the revision, such that each get
//   returns the key's latest write at a point within the get's call (or
//   nothing before the key's first write). A failed create or update is a
//   read of the revision its 10071 error names. Greedy earliest points decide
//   it exactly for a register whose write order is known.
// - A create succeeds only if no earlier revision of its key is known, an
//   update with expected revision r only if r is the key's previous revision;
//   a refused write never appears; every DEL/PURGE marker and value on disk
//   was sent by some call on that key.
// - Watchers (ordered push consumers, one or more incarnations each): each
//   delivery matches the filter, revisions strictly increase (no duplicate
//   after a resubscribe, no reordering), consumer seqs go 1, 2, 3 within an
//   incarnation, nothing the disk still holds is skipped unless a later
//   revision of the key replaced it (the initial last-per-subject phase) or
//   the key's history explains its removal (a later PURGE, or `history` later
//   revisions, known by the end: the node removes it before that removal is
//   durable); when num_pending first reaches 0 the watcher has every write
//   acknowledged before that incarnation was created; at the end each
//   watcher's last revision per key is the disk's.
// Server bugs this found, all fixed: a get (404/10037) or a 10071 error
// answered from writes not yet durable; a roll-up PURGE moving wider watchers
// past other keys' revisions; a watcher skipping a revision whose removal was
// not yet durable (and then lost in a crash).
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "tests/sim/sim_support.h"

namespace natrium::sim {

enum class kv_op : std::uint8_t { put, del, purge };
const char* kv_op_name(kv_op op) noexcept;

// One message of the bucket's stream.
struct kv_entry {
  std::string key;
  kv_op op = kv_op::put;
  std::string value;
  bool operator==(const kv_entry&) const = default;
};

// The stream as it is on disk (the workload wraps the simulated disk).
class kv_store_view {
 public:
  virtual ~kv_store_view() = default;
  virtual std::optional<kv_entry> load(std::uint64_t rev) const = 0;
  virtual std::uint64_t last_seq() const = 0;
};

enum class kv_call : std::uint8_t { put, create, update, del, purge, get };
const char* kv_call_name(kv_call c) noexcept;

struct kv_checker_stats {
  std::uint64_t calls = 0, writes_acked = 0, conditional_refused = 0, gets = 0, gets_missing = 0, unanswered = 0;
  std::uint64_t watch_deliveries = 0, watch_incarnations = 0, disk_checks = 0, linearized_writes = 0, reads_checked = 0;
};

class kv_checker {
 public:
  kv_checker(verdict& v, int history) : verdict_(v), history_(history) {}

  // A call: returns its id. value: the written value (put/create/update);
  // expected: update's expected revision (create: 0).
  int invoke(int client, kv_call call, const std::string& key, const std::string& value, std::uint64_t expected,
             std::int64_t now_ns);
  void write_acked(int id, std::uint64_t rev, std::int64_t now_ns);
  // A 10071 error: the key's last revision is `last` (0: none).
  void write_refused(int id, std::uint64_t last, std::int64_t now_ns);
  void get_found(int id, std::uint64_t rev, const kv_entry& e, std::int64_t now_ns);
  void get_missing(int id, std::int64_t now_ns);
  // The node lost power: calls still open never get a response.
  void crashed(std::int64_t now_ns);

  // A watcher (ordered consumer) incarnation: filter is a subject of the
  // stream ("$KV.<b>.>" or one key's), last_per_subject its initial phase.
  void watch_begin(int watcher, const std::string& filter, bool last_per_subject, std::int64_t now_ns);
  // Its first num_pending == 0 (or a create reply saying nothing is pending).
  void watch_initialized(int watcher, std::int64_t now_ns);
  void watch_delivery(int watcher, std::uint64_t rev, std::uint64_t cseq, std::uint64_t pending, const kv_entry& e,
                      const std::string& subject, const kv_store_view& disk, std::int64_t now_ns);
  std::uint64_t watch_last_rev(int watcher) const;
  // The watcher has every revision the disk holds for its filter.
  bool watch_caught_up(int watcher, const kv_store_view& disk) const;

  void check_disk(const kv_store_view& disk, const std::string& when);
  // Once everything settled: the disk, linearizability, every watcher caught up.
  void check_end(const kv_store_view& disk);
  void check_linearizable();

  std::size_t open_calls() const noexcept { return open_.size(); }
  const kv_checker_stats& stats() const noexcept { return stats_; }
  const std::string& bucket_prefix() const noexcept { return prefix_; }
  void set_bucket_prefix(std::string p) { prefix_ = std::move(p); }  // "$KV.<b>."

 private:
  struct call {
    int client = 0;
    kv_call kind = kv_call::get;
    std::string key, value;
    std::uint64_t expected = 0;
    std::int64_t invoke_ns = 0, response_ns = -1;  // -1: none (yet)
    bool acked = false, refused = false;
    std::uint64_t rev = 0;  // acked: the revision; refused: the last one named; get: what it returned (0: none)
  };
  struct observation {
    std::string key;
    std::optional<kv_entry> entry;  // nullopt: only the key is known (a 10071 error)
    std::string source;
  };
  struct watcher {
    std::string filter;
    bool last_per_subject = false, initializing = false;
    std::uint64_t last_rev = 0, last_cseq = 0;
    std::int64_t begun_ns = 0;
    int incarnations = 0;
    std::map<std::string, std::uint64_t> per_key;  // key -> last revision seen
    // Skipped while the disk still held them: the node had already removed
    // them (a later write over the key's history, not durable yet). Checked
    // at the end: (skipped rev, key, the rev delivered instead).
    std::vector<std::tuple<std::uint64_t, std::string, std::uint64_t>> skips;
  };
  struct disk_keys;

  void fail(const std::string& why) { verdict_.fail(why); }
  std::string who(int id) const;
  void observe(std::uint64_t rev, const std::string& key, const std::optional<kv_entry>& e, const std::string& source);
  void respond(int id, std::int64_t now_ns);
  bool matches(const std::string& filter, const std::string& key) const;
  void check_watch_init(int watcher_id, const watcher& w);
  void check_conditional(const call& c, std::uint64_t rev);
  std::string explain_missing(const disk_keys& dk, const std::string& key, std::uint64_t rev) const;
  void check_skips(const kv_store_view& disk);

  verdict& verdict_;
  int history_;
  std::string prefix_ = "$KV.b.";
  kv_checker_stats stats_;
  std::vector<call> calls_;
  std::set<int> open_;
  std::map<std::uint64_t, observation> obs_;         // revision -> what was observed
  std::map<std::string, std::uint64_t> value_rev_;   // value -> its revision
  std::map<std::string, int> value_call_;            // value -> the call that wrote it
  std::map<int, watcher> watchers_;
};

}  // namespace natrium::sim

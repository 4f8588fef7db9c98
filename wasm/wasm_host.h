#pragma once
// The WASM host: drives one core node for JavaScript. JS owns the clock and the
// event loop; this class turns its calls into node events and hands the node's
// actions back one at a time through a small cursor that JS reads.
//
// Output protocol (see natrium.mjs): JS calls next() until it returns
// action_type::none. For send_bytes JS copies data() out before its next call;
// that next call (or any other entry point) reports bytes_flushed for the whole
// view, because JS has taken the bytes. For close_conn the host reports
// conn_closed at once, as the native host does.
//
// A connection in manual-flush mode (set_manual_flush, used by listen()'s
// socket bridge) is different: JS reports its flushes itself with flushed()
// once the socket took the bytes, so the node's pending-bytes accounting, slow
// consumer detection and publisher stall work as with the native host; its
// set_reading actions come out as action_type::reading (flag: enabled 0/1).
//
// JetStream (cfg.jetstream): the host owns a store::memory_store, hands it to
// the node (attach_store) when it is created, applies every write_storage
// batch to it inside next() and reports storage_done right after, before
// taking the next action: storage completes at once (ARCHITECTURE.md).
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/server/config.h"
#include "core/server/node.h"
#include "core/store/memory_store.h"

namespace natrium::wasm {

enum class action_type : int { none = 0, send = 1, close = 2, log = 3, reading = 4 };

class host {
 public:
  // Creates the node at JS time (mono_ms, wall_ms); with cfg.jetstream it
  // attaches the memory store at once (a failure comes out as an error log
  // and JetStream stays off).
  host(server::config cfg, double mono_ms, double wall_ms);

  // Every entry point takes JS time in milliseconds: mono from performance.now()
  // (any origin, never decreasing), wall from Date.now().
  std::uint32_t open(double mono_ms, double wall_ms);
  // The `n` bytes JS wrote into input(n) arrived on connection `id`.
  void receive(std::uint32_t id, std::size_t n, double mono_ms, double wall_ms);
  // JS closed the connection (or its peer went away).
  void close(std::uint32_t id, double mono_ms, double wall_ms);
  void advance(double mono_ms, double wall_ms);
  // Manual-flush mode for a connection (see the top of this file).
  void set_manual_flush(std::uint32_t id, bool on);
  // JS wrote `n` bytes of connection `id`'s last send (manual-flush mode only).
  void flushed(std::uint32_t id, std::size_t n, double mono_ms, double wall_ms);

  // A buffer of at least n bytes in WASM memory for JS to fill before receive().
  char* input(std::size_t n);

  // The drain cursor.
  action_type next();
  std::uint32_t action_id() const noexcept { return action_id_; }
  const char* action_data() const noexcept { return action_data_.data(); }
  std::size_t action_size() const noexcept { return action_data_.size(); }
  int action_flag() const noexcept { return action_flag_; }  // close: flush (0/1); log: level; reading: 0/1

  // Next timer in monotonic milliseconds, or -1 if none.
  double next_deadline_ms() const;

  server::node& node() noexcept { return node_; }
  const store::memory_store& store() const noexcept { return store_; }

 private:
  void tick(double mono_ms, double wall_ms);
  void settle();  // reports the flush of a send JS has already copied
  void write(server::write_storage& w);
  bool wanted_by_js(const server::action& a) const;

  store::memory_store store_;  // before node_: the node reads it until it is gone
  server::node node_;
  std::string startup_error_;  // attach_store's failure, delivered as the first log action
  std::unordered_set<std::uint32_t> manual_flush_;  // looked up only, never iterated
  std::uint32_t next_id_ = 1;
  std::int64_t mono_ns_ = 0;
  std::vector<char> input_;
  action_type action_type_ = action_type::none;
  std::uint32_t action_id_ = 0;
  std::string_view action_data_;
  int action_flag_ = 0;
  std::string log_text_;
};

// Milliseconds (a JS double) to nanoseconds without losing the sub-millisecond
// part to the size of Date.now() values.
std::int64_t ms_to_ns(double ms) noexcept;

}  // namespace natrium::wasm

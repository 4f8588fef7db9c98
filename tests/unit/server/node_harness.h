#pragma once
// A minimal in-test host for server::node: no sockets, a manual clock, output
// collected per connection. By default every send_bytes is flushed at once;
// with hold_writes(id) the host stops flushing that connection (a stuck reader).
// With cfg.jetstream it attaches a memory_store, applies each write_storage
// batch to it and reports storage_done at once (or, after hold_storage(), only
// when release_storage() is called: a slow disk). A restart is a new harness
// built on a copy of the old one's store().
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/server/node.h"
#include "core/store/memory_store.h"

namespace natrium::testing {

class node_harness {
 public:
  explicit node_harness(server::config cfg = {}) : node_(with_seed(std::move(cfg))) { start(); }
  // A restart: a new node on `disk` (what a previous node left durable, e.g.
  // a copy of its store()), its monotonic clock at 0 again and its wall clock
  // `wall_offset_ns` after the default harness's start.
  node_harness(server::config cfg, store::memory_store disk, std::int64_t wall_offset_ns)
      : store_(std::move(disk)), node_(with_seed(std::move(cfg))), wall_offset_ns_(wall_offset_ns) {
    start();
  }

  base::conn_id open(std::string ip = "127.0.0.1") {
    base::conn_id id{next_++};
    node_.on_conn_opened({id, std::move(ip), 5000 + static_cast<int>(id.value)});
    drain();
    return id;
  }
  void send(base::conn_id id, std::string_view bytes) {
    node_.on_bytes_received({id, bytes});
    drain();
  }
  void peer_close(base::conn_id id) {
    node_.on_conn_closed({id});
    closed_.insert(id.value);
    drain();
  }
  void advance_ms(std::int64_t ms) {
    now_ += ms * 1'000'000;
    node_.advance_to({now_}, {wall_epoch_ns + wall_offset_ns_ + now_});
    drain();
  }
  std::int64_t now_ns() const { return now_; }
  std::int64_t wall_ns() const { return wall_epoch_ns + wall_offset_ns_ + now_; }
  void hold_writes(base::conn_id id) { held_.insert(id.value); }
  // Stop holding: the outstanding write completes now.
  void release_writes(base::conn_id id) {
    held_.erase(id.value);
    auto it = in_flight_.find(id.value);
    if (it == in_flight_.end()) return;
    const std::size_t n = it->second;
    in_flight_.erase(it);
    node_.on_bytes_flushed({id, n});
    drain();
  }
  // Storage: while held, batches queue up (unapplied, unreported) until
  // release_storage applies them in ticket order and reports each as `ok` or
  // with `error` (then nothing is applied).
  void hold_storage() { storage_held_ = true; }
  void release_storage(bool ok = true, std::string error = {}) {
    storage_held_ = false;
    auto held = std::move(held_batches_);
    held_batches_.clear();
    for (auto& w : held) complete(w, ok, error);
    drain();
  }
  std::size_t held_batches() const { return held_batches_.size(); }
  std::uint64_t storage_writes() const { return storage_writes_; }
  const store::memory_store& store() const { return store_; }
  store::memory_store& store() { return store_; }
  const std::string& attach_error() const { return attach_error_; }

  int stray_closes() const { return stray_closes_; }
  bool stopped() const { return stopped_; }
  bool reads_paused(base::conn_id id) const { return paused_.count(id.value) != 0; }

  // Everything written to `id` so far (and clears it).
  std::string take(base::conn_id id) {
    std::string s = std::move(out_[id.value]);
    out_[id.value].clear();
    return s;
  }
  bool is_closed(base::conn_id id) const { return closed_.count(id.value) != 0; }
  const std::vector<std::string>& logs() const { return logs_; }
  server::node& node() { return node_; }
  std::size_t held_bytes(base::conn_id id) const {
    auto it = in_flight_.find(id.value);
    return it == in_flight_.end() ? 0 : it->second;
  }

 private:
  static constexpr std::int64_t wall_epoch_ns = 1'700'000'000'000'000'000;
  void start() {
    if (node_.cfg().jetstream) {
      node_.advance_to({now_}, {wall_epoch_ns + wall_offset_ns_ + now_});
      auto attached = node_.attach_store(&store_);
      attach_error_ = attached.ok() ? std::string() : attached.err().text;
    }
    drain();
  }
  static server::config with_seed(server::config c) {
    if (c.seed == 1) c.seed = 42;
    return c;
  }
  void drain() {
    while (auto a = node_.next_action()) {
      if (auto* sb = std::get_if<server::send_bytes>(&*a)) {
        out_[sb->id.value].append(sb->data);
        if (held_.count(sb->id.value) != 0) {
          in_flight_[sb->id.value] = sb->data.size();
          continue;
        }
        node_.on_bytes_flushed({sb->id, sb->data.size()});
      } else if (auto* cc = std::get_if<server::close_conn>(&*a)) {
        if (closed_.count(cc->id.value) != 0) ++stray_closes_;  // the host already closed it
        closed_.insert(cc->id.value);
        node_.on_conn_closed({cc->id});
      } else if (auto* lg = std::get_if<server::emit_log>(&*a)) {
        logs_.push_back(lg->text);
      } else if (std::holds_alternative<server::stop_server>(*a)) {
        stopped_ = true;
      } else if (auto* sr = std::get_if<server::set_reading>(&*a)) {
        if (sr->enabled) paused_.erase(sr->id.value);
        else paused_.insert(sr->id.value);
      } else if (auto* ws = std::get_if<server::write_storage>(&*a)) {
        NATRIUM_ASSERT(ws->ticket > last_ticket_);  // tickets increase
        last_ticket_ = ws->ticket;
        ++storage_writes_;
        if (storage_held_) {
          held_batches_.push_back(std::move(*ws));
          continue;
        }
        complete(*ws, true, {});
      }
    }
  }
  // Applies the batch (unless failing it) and reports it.
  void complete(server::write_storage& w, bool ok, const std::string& error) {
    if (ok) {
      auto applied = store_.apply(w.batch);
      node_.on_storage_done({w.ticket, applied.ok(), applied.ok() ? std::string() : applied.err().text});
      return;
    }
    node_.on_storage_done({w.ticket, false, error.empty() ? std::string("storage failed (test)") : error});
  }

  store::memory_store store_;  // before node_: the node reads it until it is gone
  server::node node_;
  std::int64_t wall_offset_ns_ = 0;
  std::string attach_error_;
  bool storage_held_ = false;
  std::vector<server::write_storage> held_batches_;
  std::uint64_t last_ticket_ = 0, storage_writes_ = 0;
  std::uint64_t next_ = 1;
  std::int64_t now_ = 0;
  std::map<std::uint64_t, std::string> out_;
  std::map<std::uint64_t, std::size_t> in_flight_;
  std::set<std::uint64_t> closed_, held_, paused_;
  std::vector<std::string> logs_;
  int stray_closes_ = 0;
  bool stopped_ = false;
};

}  // namespace natrium::testing

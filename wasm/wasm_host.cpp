#include "wasm/wasm_host.h"

#include <cmath>
#include <type_traits>
#include <variant>

namespace natrium::wasm {

std::int64_t ms_to_ns(double ms) noexcept {
  if (!(ms > 0)) return 0;  // also catches NaN
  if (ms > 9.0e12) ms = 9.0e12;  // ~285 years after the epoch: keeps ns inside int64
  const double whole = std::floor(ms);
  return static_cast<std::int64_t>(whole) * 1'000'000 + static_cast<std::int64_t>((ms - whole) * 1e6);
}

host::host(server::config cfg, double mono_ms, double wall_ms) : node_(std::move(cfg)) {
  tick(mono_ms, wall_ms);
  if (!node_.cfg().jetstream) return;
  auto attached = node_.attach_store(&store_);
  if (!attached) startup_error_ = "Can't start JetStream: " + attached.err().text;
}

// The batch is applied at once; its storage_done follows before the node is
// asked for anything else (a failed batch fences JetStream in the node).
void host::write(server::write_storage& w) {
  auto applied = store_.apply(w.batch);
  node_.on_storage_done({w.ticket, applied.ok(), applied.ok() ? std::string() : applied.err().text});
}

void host::tick(double mono_ms, double wall_ms) {
  settle();
  // The node asserts that time never goes back; JS clocks are trusted but clamped.
  const std::int64_t mono = ms_to_ns(mono_ms);
  if (mono > mono_ns_) mono_ns_ = mono;
  node_.advance_to(base::mono_time{mono_ns_}, base::wall_time{ms_to_ns(wall_ms)});
}

void host::settle() {
  if (action_type_ == action_type::send) {
    const std::size_t n = action_data_.size();
    action_type_ = action_type::none;
    action_data_ = {};
    // A manual-flush connection's bytes are flushed when JS says so (flushed()).
    if (!manual_flush_.contains(action_id_)) node_.on_bytes_flushed({base::conn_id{action_id_}, n});
  }
}

void host::set_manual_flush(std::uint32_t id, bool on) {
  if (on) {
    manual_flush_.insert(id);
  } else {
    manual_flush_.erase(id);
  }
}

void host::flushed(std::uint32_t id, std::size_t n, double mono_ms, double wall_ms) {
  tick(mono_ms, wall_ms);
  if (!manual_flush_.contains(id)) return;  // closed meanwhile (or never manual): nothing outstanding
  node_.on_bytes_flushed({base::conn_id{id}, n});
}

std::uint32_t host::open(double mono_ms, double wall_ms) {
  tick(mono_ms, wall_ms);
  const std::uint32_t id = next_id_++;
  node_.on_conn_opened({base::conn_id{id}, "127.0.0.1", static_cast<int>(id)});
  return id;
}

void host::receive(std::uint32_t id, std::size_t n, double mono_ms, double wall_ms) {
  tick(mono_ms, wall_ms);
  if (n > input_.size()) n = input_.size();
  node_.on_bytes_received({base::conn_id{id}, std::string_view(input_.data(), n)});
}

void host::close(std::uint32_t id, double mono_ms, double wall_ms) {
  tick(mono_ms, wall_ms);
  manual_flush_.erase(id);
  node_.on_conn_closed({base::conn_id{id}});
}

void host::advance(double mono_ms, double wall_ms) { tick(mono_ms, wall_ms); }

char* host::input(std::size_t n) {
  if (input_.size() < n) input_.resize(n);
  return input_.data();
}

bool host::wanted_by_js(const server::action& a) const {
  if (const auto* r = std::get_if<server::set_reading>(&a)) {
    return manual_flush_.contains(static_cast<std::uint32_t>(r->id.value));
  }
  return !std::holds_alternative<server::stop_server>(a) && !std::holds_alternative<server::write_storage>(a);
}

action_type host::next() {
  settle();
  action_type_ = action_type::none;
  action_data_ = {};
  action_flag_ = 0;
  if (!startup_error_.empty()) {
    action_type_ = action_type::log;
    action_id_ = 0;
    action_flag_ = static_cast<int>(server::log_level::error);
    log_text_ = std::move(startup_error_);
    startup_error_.clear();
    action_data_ = log_text_;
    return action_type_;
  }
  auto a = node_.next_action();
  // Flow control (set_reading) only means something for a manual-flush
  // connection (a socket JS can pause); for a virtual connection JS pushes bytes
  // in and the node resumes a paused publisher by itself after its stall timeout.
  // stop_server only follows lame duck mode, which this host never enters.
  // Storage is the host's own business: JS never sees it.
  while (a && !wanted_by_js(*a)) {
    if (auto* w = std::get_if<server::write_storage>(&*a)) write(*w);
    a = node_.next_action();
  }
  if (!a) return action_type::none;
  std::visit(
      [this](auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, server::send_bytes>) {
          action_type_ = action_type::send;
          action_id_ = static_cast<std::uint32_t>(x.id.value);
          action_data_ = x.data;
        } else if constexpr (std::is_same_v<T, server::close_conn>) {
          action_type_ = action_type::close;
          action_id_ = static_cast<std::uint32_t>(x.id.value);
          action_flag_ = x.flush ? 1 : 0;
          // JS has been told; the connection is gone for the node too.
          manual_flush_.erase(action_id_);
          node_.on_conn_closed({x.id});
        } else if constexpr (std::is_same_v<T, server::set_reading>) {
          action_type_ = action_type::reading;
          action_id_ = static_cast<std::uint32_t>(x.id.value);
          action_flag_ = x.enabled ? 1 : 0;
        } else if constexpr (std::is_same_v<T, server::emit_log>) {
          action_type_ = action_type::log;
          action_id_ = 0;
          action_flag_ = static_cast<int>(x.level);
          log_text_ = std::move(x.text);
          action_data_ = log_text_;
        }
      },
      *a);
  return action_type_;
}

double host::next_deadline_ms() const {
  auto due = node_.next_deadline();
  if (!due) return -1;
  return static_cast<double>(due->ns) / 1e6;
}

}  // namespace natrium::wasm

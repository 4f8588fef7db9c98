// consumer: creation (selectStartingSeqNo, applyState), the public entry
// points, timers and inactivity (deleteNotActive) of nats-server 2.9.10
// consumer.go. See consumer_impl.h for the file layout.
#include <algorithm>
#include <charconv>
#include <utility>

#include "core/base/assert.h"
#include "core/jetstream/consumer_impl.h"

namespace natrium::jetstream {

using detail::ack_wait_delay_ns;

consumer::impl::impl(consumer& self_, consumer_host& host_, std::string name_, consumer_config cfg_,
                     base::wall_time created_)
    : self(self_), host(host_), name(std::move(name_)), cfg(std::move(cfg_)), created(created_) {}

consumer::consumer(consumer_host& host, std::string name, consumer_config cfg, base::wall_time created,
                   std::optional<store::consumer_state> restored)
    : impl_(std::make_unique<impl>(*this, host, std::move(name), std::move(cfg), created)) {
  impl& m = *impl_;
  NATRIUM_ASSERT(!m.name.empty());
  const base::mono_time now = m.now();
  m.maxdc = m.cfg.max_deliver > 0 ? static_cast<std::uint64_t>(m.cfg.max_deliver) : 0;
  m.maxp = m.cfg.max_ack_pending;
  std::string_view freq = m.cfg.sample_freq;
  if (!freq.empty() && freq.back() == '%') freq.remove_suffix(1);
  std::from_chars(freq.data(), freq.data() + freq.size(), m.sfreq);
  if (restored) {
    m.apply_state(*restored);
  } else {
    m.select_starting_seq();
  }
  m.update_inactive_threshold();
  m.waiting_last = now;
  if (m.cfg.flow_control) {
    m.pblimit = detail::flow_control_max_pending;  // setMaxPendingBytes
    m.maxpb = m.pblimit / 16;
  }
  if (m.is_push()) {
    m.active = host.has_interest(m.cfg.deliver_subject);
    if (!m.active && m.dthresh_ns > 0) m.delete_due = now + base::duration_ns{m.dthresh_ns};
  } else if (m.dthresh_ns > 0) {
    m.delete_due = now + base::duration_ns{m.dthresh_ns};
  }
  if (m.cfg.idle_heartbeat_ns > 0) m.hb_due = now + base::duration_ns{m.cfg.idle_heartbeat_ns};
  if (m.cfg.replay == replay_policy::original) {
    m.replay = true;
    m.replay_lseq = host.index().last_seq();
  }
  m.set_rate_limit();
  NATRIUM_ASSERT(m.dseq >= 1);
}

consumer::~consumer() = default;

const std::string& consumer::name() const noexcept { return impl_->name; }
const consumer_config& consumer::config() const noexcept { return impl_->cfg; }
base::wall_time consumer::created() const noexcept { return impl_->created; }

void consumer::update_config(const consumer_config& cfg) {
  impl_->enter();
  impl_->update_config(cfg);
  impl_->leave();
}

void consumer::on_ack(std::string_view subject, std::string_view payload, std::string_view reply) {
  impl_->enter();
  impl_->on_ack(subject, payload, reply);
  impl_->leave();
}

void consumer::on_next_request(std::string_view reply, std::string_view payload) {
  impl_->enter();
  impl_->on_next_request(reply, payload);
  impl_->leave();
}

void consumer::on_flow_control_reply(std::string_view subject) {
  impl_->enter();
  impl_->on_flow_control_reply(subject);
  impl_->leave();
}

void consumer::kick() {
  impl_->enter();
  impl_->leave();
}

void consumer::on_message_removed(std::uint64_t seq) {
  impl_->enter();
  impl_->on_message_removed(seq);
  impl_->leave();
}

void consumer::on_purged(std::uint64_t first_seq) {
  impl_->enter();
  impl_->on_purged(first_seq);
  impl_->leave();
}

void consumer::on_timer(base::mono_time now) {
  impl_->enter();
  impl_->on_timer(now);
  impl_->leave();
}

void consumer::on_delete() {
  impl& m = *impl_;
  if (m.deleted) return;
  m.enter();
  if (m.is_pull()) m.release_pending_requests();
  m.deleted = true;
  m.ack_due.reset();
  m.delete_due.reset();
  m.hb_due.reset();
  m.waiting_due.reset();
  m.replay_due.reset();
  m.rate_due.reset();
  m.continue_due.reset();
  m.interest_due.reset();
  m.leave();
  NATRIUM_ASSERT(m.waiting.empty());
}

bool consumer::needs(std::uint64_t seq, std::string_view subject) const { return impl_->needs(seq, subject); }
store::consumer_state consumer::state() const { return impl_->state(); }
std::string consumer::info_json(const consumer_info_opts& opts) const { return impl_->info_json(opts); }

// selectStartingSeqNo.
void consumer::impl::select_starting_seq() {
  const stream_index& ix = host.index();
  const std::uint64_t first = ix.first_seq();
  const std::uint64_t last = ix.last_seq();
  if (cfg.opt_start_seq != 0) {
    sseq = cfg.opt_start_seq;
  } else if (cfg.deliver == deliver_policy::all) {
    sseq = first;
  } else if (cfg.deliver == deliver_policy::last) {
    sseq = cfg.filter_subject.empty() ? last : ix.last_matching(cfg.filter_subject);
  } else if (cfg.deliver == deliver_policy::last_per_subject) {
    std::vector<std::uint64_t> seqs = ix.last_per_subject(cfg.filter_subject, 0);
    if (!seqs.empty()) {
      sseq = seqs.front();
      lss = skip_list{last, std::deque<std::uint64_t>(seqs.begin(), seqs.end())};
    } else {
      sseq = last;
    }
  } else if (cfg.opt_start_time) {
    sseq = seq_from_time(cfg.opt_start_time->unix_ns());
  } else {
    sseq = last + 1;  // deliver new
  }
  if (sseq < first) {
    sseq = first;
  } else if (sseq > last) {
    sseq = last + 1;
  }
  dseq = 1;
  adflr = dseq - 1;
  // selectStartingSeqNo sets asflr = sseq - 1, but the consumer store's
  // SetStarting records only Delivered.Stream, and setLeader's
  // readStoredState then applies the stored ack floor (0): a new consumer
  // reports ack_floor.stream_seq 0 whatever its start.
  asflr = 0;
  NATRIUM_ASSERT(sseq >= 1);
  if (lss) NATRIUM_ASSERT(!lss->seqs.empty());
}

// memstore GetSeqFromTime over the index: the first live message with a
// timestamp >= ts_ns.
std::uint64_t consumer::impl::seq_from_time(std::int64_t ts_ns) const {
  const stream_index& ix = host.index();
  const std::optional<msg_meta> first = ix.first();
  if (ix.msgs() == 0 || !first) return ix.last_seq() + 1;
  if (ts_ns <= first->timestamp_ns) return first->seq;
  const std::uint64_t last_live = ix.last_matching("");
  const std::optional<msg_meta> last = ix.get(last_live);
  NATRIUM_ASSERT(last.has_value());
  if (ts_ns == last->timestamp_ns) return ix.last_seq();
  if (ts_ns > last->timestamp_ns) return ix.last_seq() + 1;
  // Smallest seq in (first, last_live] whose next live message is at or after ts_ns.
  std::uint64_t lo = first->seq + 1, hi = last_live;
  while (lo < hi) {
    const std::uint64_t mid = lo + (hi - lo) / 2;
    const std::uint64_t live = ix.next_matching("", mid);
    const std::optional<msg_meta> meta = ix.get(live);
    NATRIUM_ASSERT(meta.has_value());
    if (meta->timestamp_ns >= ts_ns) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  const std::uint64_t found = ix.next_matching("", lo);
  NATRIUM_ASSERT(found != 0);
  return found;
}

// applyState (+ checkRedelivered against the stream's last seq).
void consumer::impl::apply_state(const store::consumer_state& st) {
  sseq = st.delivered_stream_seq + 1;
  dseq = st.delivered_consumer_seq + 1;
  adflr = st.ack_floor_consumer_seq;
  asflr = st.ack_floor_stream_seq;
  pending = st.pending;
  rdc = st.redelivered;
  const std::uint64_t last = host.index().last_seq();
  for (auto it = rdc.begin(); it != rdc.end();) {
    if (it->first < asflr || it->first > last) {
      it = rdc.erase(it);
      dirty = true;
    } else {
      ++it;
    }
  }
  if (!pending.empty()) {
    std::int64_t delay = detail::restored_check_ns;
    if (cfg.ack_wait_ns < delay) delay = cfg.ack_wait_ns + ack_wait_delay_ns;
    ack_due = now() + base::duration_ns{delay};
  }
  NATRIUM_ASSERT(sseq >= 1);
  NATRIUM_ASSERT(dseq >= 1);
}

// updateInactiveThreshold (jitter replaced by its fixed minimum).
void consumer::impl::update_inactive_threshold() {
  if (!cfg.is_durable() && cfg.inactive_threshold_ns <= 0) {
    dthresh_ns = default_inactive_threshold_ns + detail::pull_threshold_jitter_ns;
    cfg.inactive_threshold_ns = default_inactive_threshold_ns;
  } else if (cfg.inactive_threshold_ns > 0) {
    dthresh_ns = cfg.inactive_threshold_ns + (is_pull() ? detail::pull_threshold_jitter_ns : 0);
  } else {
    dthresh_ns = 0;
  }
  NATRIUM_ASSERT(dthresh_ns >= 0);
  if (!cfg.is_durable()) NATRIUM_ASSERT(dthresh_ns > 0);
}

// setRateLimit: a token bucket of rate_limit_bps / 8 bytes per second whose
// burst is the stream's max_msg_size (else the default max payload).
void consumer::impl::set_rate_limit() {
  rate_last.reset();
  rate_due.reset();
  rate_ready = false;
  if (cfg.rate_limit_bps == 0) {
    rate_bps = 0;
    return;
  }
  rate_bps = std::max(1.0, static_cast<double>(cfg.rate_limit_bps / 8));
  const std::int32_t max_msg = host.stream_cfg().max_msg_size;
  rate_burst = max_msg > 0 ? static_cast<double>(max_msg) : 1024.0 * 1024.0;
  rate_tokens = rate_burst;
  NATRIUM_ASSERT(rate_bps > 0);
}

void consumer::impl::enter() {
  NATRIUM_ASSERT(depth >= 0);
  ++depth;
}

// Ends a public call: deliver what is possible, ask for the next wake-up,
// then tell the host about released messages, state changes and expiry.
// host.released may re-enter (the stream removes the message and calls
// on_message_removed), which only queues work for this loop.
void consumer::impl::leave() {
  NATRIUM_ASSERT(depth >= 1);
  if (depth > 1) {
    --depth;
    return;
  }
  for (int round = 0; round < 4; ++round) {
    if (!deleted) pump();
    schedule();
    if (to_release.empty()) break;
    std::vector<std::uint64_t> seqs;
    seqs.swap(to_release);
    for (std::uint64_t seq : seqs) host.released(self, seq);
  }
  if (dirty) {
    dirty = false;
    host.state_changed(self);
  }
  if (expire_pending) {
    expire_pending = false;
    host.expire(self);
  }
  --depth;
  NATRIUM_ASSERT(depth == 0);
}

// Asks the host for the earliest of our deadlines.
void consumer::impl::schedule() {
  if (deleted) return;
  std::optional<base::mono_time> best;
  for (const auto* due : {&ack_due, &delete_due, &hb_due, &waiting_due, &replay_due, &rate_due, &continue_due,
                          &interest_due}) {
    if (*due && (!best || **due < *best)) best = **due;
  }
  if (!best) return;
  if (requested_wake && *requested_wake == *best) return;
  requested_wake = best;
  host.wake_at(self, *best);
  NATRIUM_ASSERT(requested_wake.has_value());
}

void consumer::impl::on_timer(base::mono_time t) {
  if (deleted) return;
  if (requested_wake && t >= *requested_wake) requested_wake.reset();
  const base::mono_time n = now();
  auto due = [n](std::optional<base::mono_time>& d) {
    if (!d || n < *d) return false;
    d.reset();
    return true;
  };
  if (due(continue_due)) { /* pump() runs in leave() */ }
  if (due(ack_due)) check_pending();
  if (due(interest_due)) refresh_interest();
  if (due(waiting_due)) process_waiting(true);
  if (hb_due && n >= *hb_due) check_heartbeat(n);
  if (due(replay_due)) replay_ready = true;
  if (due(rate_due)) rate_ready = true;
  if (due(delete_due)) delete_not_active();
}

// updateDeliveryInterest: push consumers only.
void consumer::impl::update_delivery_interest(bool interest) {
  NATRIUM_ASSERT(is_push());
  active = interest;
  const base::mono_time n = now();
  if (interest && dthresh_ns > 0) {
    if (!interest_due) interest_due = n + base::duration_ns{detail::interest_poll_ns};
  } else {
    interest_due.reset();
  }
  // A running delete timer keeps running while there is no interest.
  if (delete_due && dthresh_ns > 0 && !interest) return;
  delete_due.reset();
  if (!interest && dthresh_ns > 0) delete_due = n + base::duration_ns{dthresh_ns};
}

void consumer::impl::refresh_interest() {
  if (!is_push() || deleted) return;
  update_delivery_interest(host.has_interest(cfg.deliver_subject));
  if (active) NATRIUM_ASSERT(!delete_due || dthresh_ns == 0);
}

// deleteNotActive.
void consumer::impl::delete_not_active() {
  if (deleted || expire_requested) return;
  const base::mono_time n = now();
  if (is_push()) {
    refresh_interest();
    if (active) return;
  } else {
    const std::int64_t elapsed = (n - waiting_last).ns;
    if (elapsed <= cfg.inactive_threshold_ns) {
      delete_due = n + base::duration_ns{std::max<std::int64_t>(dthresh_ns - elapsed, 1)};
      return;
    }
    process_waiting(true);  // checkWaitingForInterest
    if (!waiting.empty()) {
      delete_due = n + base::duration_ns{dthresh_ns};
      return;
    }
  }
  expire_requested = true;
  expire_pending = true;
  delete_due.reset();
  interest_due.reset();
  NATRIUM_ASSERT(expire_requested);
}

// suppressDeletion: any ack activity when an inactive threshold is set.
void consumer::impl::suppress_deletion() {
  NATRIUM_ASSERT(cfg.inactive_threshold_ns > 0);
  if (deleted) return;
  if (is_push() && delete_due) {
    delete_due = now() + base::duration_ns{dthresh_ns};
  } else if (is_pull()) {
    waiting_last = now();
  }
}

// updateConfig (after check_consumer_update accepted it).
void consumer::impl::update_config(const consumer_config& ncfg) {
  if (deleted) return;
  NATRIUM_ASSERT(ncfg.is_pull() == cfg.is_pull());
  if (ncfg.deliver_subject != cfg.deliver_subject) update_deliver_subject(ncfg.deliver_subject);
  if (ncfg.max_ack_pending != cfg.max_ack_pending) maxp = ncfg.max_ack_pending;
  if (ncfg.ack_wait_ns != cfg.ack_wait_ns && ack_due) {
    ack_due = now() + base::duration_ns{100 * detail::ns_per_ms};
  }
  if (ncfg.max_deliver != cfg.max_deliver) {
    maxdc = ncfg.max_deliver > 0 ? static_cast<std::uint64_t>(ncfg.max_deliver) : 0;
  }
  if (ncfg.sample_freq != cfg.sample_freq) {
    std::string_view freq = ncfg.sample_freq;
    if (!freq.empty() && freq.back() == '%') freq.remove_suffix(1);
    sfreq = 0;
    std::from_chars(freq.data(), freq.data() + freq.size(), sfreq);
  }
  if (ncfg.idle_heartbeat_ns != cfg.idle_heartbeat_ns) {
    hb_due.reset();
    if (ncfg.idle_heartbeat_ns > 0) hb_due = now() + base::duration_ns{ncfg.idle_heartbeat_ns};
  }
  if (ncfg.filter_subject != cfg.filter_subject) npc_valid = false;  // allowed in 2.9.10
  const bool rate_changed = ncfg.rate_limit_bps != cfg.rate_limit_bps;
  const bool threshold_changed = ncfg.inactive_threshold_ns != cfg.inactive_threshold_ns;
  cfg = ncfg;
  if (rate_changed) set_rate_limit();
  if (threshold_changed) {
    update_inactive_threshold();
    delete_due.reset();
    if (dthresh_ns > 0) delete_due = now() + base::duration_ns{dthresh_ns};
  }
  NATRIUM_ASSERT(cfg.deliver_subject == ncfg.deliver_subject);
}

// updateDeliverSubjectLocked: everything pending is redelivered to the new
// subject.
void consumer::impl::update_deliver_subject(const std::string& subject) {
  if (is_pull() || cfg.deliver_subject == subject) return;
  if (!pending.empty()) force_expire_pending();
  cfg.deliver_subject = subject;
  active = host.has_interest(subject);
  NATRIUM_ASSERT(!cfg.deliver_subject.empty());
}

void consumer::impl::release(std::uint64_t seq) {
  NATRIUM_ASSERT(seq > 0);
  if (host.stream_cfg().retention == retention_policy::limits) return;
  to_release.push_back(seq);
  NATRIUM_ASSERT(to_release.size() <= host.index().last_seq());
}

}  // namespace natrium::jetstream

// consumer: acks (processAck, processAckMsg, processNak, processTerm,
// progressUpdate), ack-wait redelivery (checkPending), and message removals
// (decStreamPending, purge) of nats-server 2.9.10 consumer.go.
#include <algorithm>
#include <limits>
#include <utility>

#include "core/base/assert.h"
#include "core/jetstream/consumer_impl.h"
#include "core/jetstream/go_json.h"

namespace natrium::jetstream {

using detail::ack_info;

// processAck. `payload` is the message body without headers.
void consumer::impl::on_ack(std::string_view subject, std::string_view payload, std::string_view reply) {
  if (deleted) return;
  const ack_info a = detail::parse_ack_subject(subject);
  if (a.sseq == 0) NATRIUM_ASSERT(a.dseq == 0 || subject.substr(0, 8) == "$JS.ACK.");
  bool skip_ack_reply = a.sseq == 0;
  if (payload.empty() || payload == "+ACK" || payload == "+OK") {
    process_ack(a, true, true);
  } else if (payload.substr(0, 4) == "+NXT") {
    process_ack(a, true, true);
    on_next_request(reply, payload.substr(4));
    skip_ack_reply = true;
  } else if (payload.substr(0, 4) == "-NAK") {
    process_nak(a, payload);
  } else if (payload == "+WPI") {
    progress_update(a.sseq);
  } else if (payload == "+TERM") {
    process_term(a, true);
  }
  if (!reply.empty() && !skip_ack_reply) {
    out_msg m;
    m.subject = std::string(reply);
    host.publish_when_durable(std::move(m));
  }
  if (cfg.inactive_threshold_ns > 0) suppress_deletion();
}

// processAckMsg. `do_release` is false when the message already left the
// stream (decStreamPending): there is nothing to release then.
void consumer::impl::process_ack(const ack_info& a, bool sample, bool do_release) {
  switch (cfg.ack) {
    case ack_policy::explicit_:
      ack_explicit(a, sample, do_release);
      break;
    case ack_policy::all:
      ack_all(a.sseq, a.dseq, do_release);
      break;
    case ack_policy::none:
      NATRIUM_ASSERT(pending.empty());
      return;
  }
  NATRIUM_ASSERT(rdq.size() == rdqi.size());
}

void consumer::impl::ack_explicit(const ack_info& a, bool sample, bool do_release) {
  const std::uint64_t seq = a.sseq;
  std::uint64_t d = a.dseq;
  bool was_pending = false;
  if (auto it = pending.find(seq); it != pending.end()) {
    if (sample) sample_ack(seq, d, a.dc);
    d = it->second.consumer_seq;  // the first delivery's consumer seq
    pending.erase(it);
    was_pending = true;
  }
  if (pending.empty()) {
    adflr = dseq - 1;
    asflr = sseq - 1;
  } else if (d == adflr + 1) {
    adflr = d;
    asflr = seq;
    // The floor stops just below the oldest message still pending above.
    if (auto next = pending.upper_bound(seq); next != pending.end() && next->second.consumer_seq > 0) {
      adflr = next->second.consumer_seq - 1;
      asflr = next->first - 1;
    }
  }
  rdc.erase(seq);
  remove_from_redeliver(seq);
  lat = host.wall_now();
  dirty = true;
  if (was_pending && do_release) release(seq);
  NATRIUM_ASSERT(pending.find(seq) == pending.end());
}

void consumer::impl::ack_all(std::uint64_t seq, std::uint64_t d, bool do_release) {
  if (d <= adflr || seq <= asflr) return;
  const std::uint64_t old_floor = asflr;
  adflr = d;
  asflr = seq;
  pending.erase(pending.upper_bound(old_floor), pending.upper_bound(seq));
  rdc.erase(rdc.upper_bound(old_floor), rdc.upper_bound(seq));
  for (auto it = rdq.begin(); it != rdq.end();) {
    if (*it > old_floor && *it <= seq) {
      rdqi.erase(*it);
      it = rdq.erase(it);
    } else {
      ++it;
    }
  }
  lat = host.wall_now();
  dirty = true;
  if (do_release && host.stream_cfg().retention != retention_policy::limits) {
    // Everything of ours in (old floor, seq]: mset.ackMsg for each.
    const stream_index& ix = host.index();
    for (std::uint64_t s = ix.next_matching(cfg.filter_subject, old_floor + 1); s != 0 && s <= seq;
         s = ix.next_matching(cfg.filter_subject, s + 1)) {
      release(s);
    }
  }
  NATRIUM_ASSERT(asflr == seq);
}

// processNak.
void consumer::impl::process_nak(const ack_info& a, std::string_view payload) {
  if (a.dseq <= adflr || a.dseq > dseq) return;
  if (!pending.empty() && pending.find(a.sseq) == pending.end()) return;
  const std::uint64_t d = a.dseq;
  advisory_deliveries("MSG_NAKED", "io.nats.jetstream.advisory.v1.nak", a.sseq, &d, a.dc);
  if (nak_delay(a.sseq, payload)) return;
  if (rdqi.count(a.sseq) == 0) add_to_redeliver(a.sseq);
  NATRIUM_ASSERT(rdq.size() == rdqi.size());
}

// "-NAK <duration>" or "-NAK {"delay": ns}": redeliver after the delay.
// False when there is no valid delay (a plain NAK).
bool consumer::impl::nak_delay(std::uint64_t seq, std::string_view payload) {
  NATRIUM_ASSERT(payload.substr(0, 4) == "-NAK");
  std::string_view arg = payload.substr(4);
  while (!arg.empty() && (arg.front() == ' ' || arg.front() == '\t' || arg.front() == '\r' || arg.front() == '\n')) {
    arg.remove_prefix(1);
  }
  while (!arg.empty() && (arg.back() == ' ' || arg.back() == '\t' || arg.back() == '\r' || arg.back() == '\n')) {
    arg.remove_suffix(1);
  }
  if (arg.empty()) return false;
  std::int64_t delay = 0;
  if (arg.front() == '{') {
    const auto v = nlohmann::ordered_json::parse(arg.begin(), arg.end(), nullptr, false);
    if (v.is_discarded() || !v.is_object()) return false;
    if (!go_read_int(v, "delay", delay, std::numeric_limits<std::int64_t>::min(),
                     std::numeric_limits<std::int64_t>::max())) {
      return false;
    }
  } else if (!detail::go_parse_duration(arg, delay)) {
    return false;
  }
  remove_from_redeliver(seq);
  if (auto it = pending.find(seq); it != pending.end()) {
    // Expired at now - ack_wait, so the redelivery comes `delay` from now.
    it->second.timestamp_ns = host.wall_now().ns - cfg.ack_wait_ns + delay;
    dirty = true;
    if (ack_due) ack_due = now() + base::duration_ns{10 * detail::ns_per_ms};
  }
  return true;
}

// processTerm: an ack without sampling, then the terminated advisory.
void consumer::impl::process_term(const ack_info& a, bool do_release) {
  process_ack(a, false, do_release);
  const std::uint64_t d = a.dseq;
  advisory_deliveries("MSG_TERMINATED", "io.nats.jetstream.advisory.v1.terminated", a.sseq, &d, a.dc);
}

// progressUpdate (+WPI): the ack wait starts again.
void consumer::impl::progress_update(std::uint64_t seq) {
  auto it = pending.find(seq);
  if (it == pending.end()) return;
  it->second.timestamp_ns = host.wall_now().ns;
  dirty = true;
  NATRIUM_ASSERT(pending.count(seq) == 1);
}

// How long message `seq` may stay unacked (ack_wait or its backoff step);
// lowers `next` to the next backoff step when that is sooner.
std::int64_t consumer::impl::pending_deadline(std::uint64_t seq, std::int64_t& next) const {
  if (cfg.backoff_ns.empty()) return cfg.ack_wait_ns;
  const auto it = rdc.find(seq);
  std::size_t dc = it == rdc.end() ? 0 : static_cast<std::size_t>(it->second);
  std::size_t nbi = dc + 1;
  if (dc + 1 >= cfg.backoff_ns.size()) {
    dc = cfg.backoff_ns.size() - 1;
    nbi = dc;
  }
  next = std::min(next, cfg.backoff_ns[nbi]);
  NATRIUM_ASSERT(dc < cfg.backoff_ns.size());
  return cfg.backoff_ns[dc];
}

// checkPending: queues every message whose ack wait passed for redelivery.
void consumer::impl::check_pending() {
  const std::int64_t wall = host.wall_now().ns;
  std::int64_t next = cfg.ack_wait_ns + detail::ack_wait_delay_ns;
  if (!cfg.backoff_ns.empty()) next = cfg.backoff_ns.back();
  const std::uint64_t fseq = host.index().first_seq();
  std::vector<std::uint64_t> expired;
  for (auto it = pending.begin(); it != pending.end();) {
    const std::uint64_t seq = it->first;
    if (seq < fseq) {  // no longer in the stream
      rdc.erase(seq);
      remove_from_redeliver(seq);
      it = pending.erase(it);
      dirty = true;
      continue;
    }
    const std::int64_t elapsed = wall - it->second.timestamp_ns;
    const std::int64_t deadline = pending_deadline(seq, next);
    if (elapsed >= deadline) {
      if (rdqi.count(seq) == 0) expired.push_back(seq);
    } else if (deadline - elapsed < next) {
      next = deadline - elapsed;
    }
    ++it;
  }
  if (!expired.empty()) {
    // Ascending already (map order). Shift their timestamps by the same
    // offset to keep their order for later redeliveries.
    const std::int64_t off = wall - pending[expired.front()].timestamp_ns;
    for (std::uint64_t seq : expired) {
      add_to_redeliver(seq);
      pending[seq].timestamp_ns += off;
    }
  }
  if (pending.empty()) {
    ack_due.reset();
  } else {
    ack_due = now() + base::duration_ns{std::max<std::int64_t>(next, 0) + detail::ack_wait_delay_ns};
  }
  NATRIUM_ASSERT(rdq.size() == rdqi.size());
}

// forceExpirePending: everything pending goes to the redelivery queue.
void consumer::impl::force_expire_pending() {
  std::vector<std::uint64_t> expired;
  for (const auto& [seq, p] : pending) {
    if (rdqi.count(seq) == 0) expired.push_back(seq);
  }
  if (expired.empty()) return;
  const std::int64_t off = host.wall_now().ns - pending[expired.front()].timestamp_ns;
  for (std::uint64_t seq : expired) {
    add_to_redeliver(seq);
    pending[seq].timestamp_ns += off;
  }
  ack_due = now() + base::duration_ns{cfg.ack_wait_ns + detail::ack_wait_delay_ns};
  NATRIUM_ASSERT(rdq.size() == rdqi.size());
}

void consumer::impl::add_to_redeliver(std::uint64_t seq) {
  NATRIUM_ASSERT(rdqi.count(seq) == 0);
  rdq.push_back(seq);
  rdqi.insert(seq);
}

bool consumer::impl::remove_from_redeliver(std::uint64_t seq) {
  if (rdqi.erase(seq) == 0) return false;
  const auto it = std::find(rdq.begin(), rdq.end(), seq);
  NATRIUM_ASSERT(it != rdq.end());
  rdq.erase(it);
  return true;
}

// decStreamPending: a pending message that left the stream is treated like
// a +TERM (with its advisory).
void consumer::impl::on_message_removed(std::uint64_t seq) {
  if (deleted) return;
  if (seq >= sseq) npc_valid = false;
  const auto it = pending.find(seq);
  if (it == pending.end()) return;
  ack_info a;
  a.sseq = seq;
  a.dseq = it->second.consumer_seq;
  const auto r = rdc.find(seq);
  a.dc = r == rdc.end() ? 1 : r->second;
  process_term(a, false);
  dirty = true;
}

// purge: the stream's messages below `first_seq` are gone. As in the
// reference, every pending entry is dropped.
void consumer::impl::on_purged(std::uint64_t first_seq) {
  if (deleted) return;
  npc_valid = false;
  if (sseq < first_seq) sseq = first_seq;
  if (asflr < first_seq) {
    asflr = first_seq - 1;
    adflr = dseq - 1;
  }
  pending.clear();
  if (lss) {  // last_per_subject start: forget what the purge took
    while (!lss->seqs.empty() && lss->seqs.front() < first_seq) lss->seqs.pop_front();
    if (lss->seqs.empty()) {
      sseq = std::max(sseq, lss->resume);
      lss.reset();
    }
  }
  std::deque<std::uint64_t> keep;
  for (std::uint64_t seq : rdq) {
    if (seq >= sseq) keep.push_back(seq);
  }
  rdq.swap(keep);
  rdqi = std::set<std::uint64_t>(rdq.begin(), rdq.end());
  dirty = true;
  NATRIUM_ASSERT(rdq.size() == rdqi.size());
}

}  // namespace natrium::jetstream

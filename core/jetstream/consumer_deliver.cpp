// consumer: choosing and delivering messages (loopAndGatherMsgs, getNextMsg,
// deliverMsg), flow control, idle heartbeats, replay and rate pacing
// (nats-server 2.9.10 consumer.go).
#include <cmath>
#include <utility>

#include "core/base/assert.h"
#include "core/jetstream/consumer_impl.h"
#include "core/subject/subject.h"

namespace natrium::jetstream {

using detail::candidate;
using detail::next_status;

namespace {

// convertToHeadersOnly.
void convert_to_headers_only(store::stored_msg& msg) {
  std::string h;
  if (msg.headers.size() < 2) {
    h = "NATS/1.0\r\n";
  } else {
    h.assign(msg.headers, 0, msg.headers.size() - 2);
  }
  h += "Nats-Msg-Size: ";
  h += std::to_string(msg.payload.size());
  h += "\r\n\r\n";
  msg.headers = std::move(h);
  msg.payload.clear();
}

constexpr std::string_view base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

}  // namespace

// One iteration of loopAndGatherMsgs per message until nothing more can go
// out, then its waitForMsgs step.
void consumer::impl::pump() {
  NATRIUM_ASSERT(!deleted);
  if (is_push()) refresh_interest();
  bool eos = true;
  for (int i = 0;; ++i) {
    if (is_push()) {
      if (!active || (maxpb > 0 && pbytes > maxpb)) break;
    } else if (waiting.empty()) {
      break;
    }
    if (i == detail::deliver_budget) {
      // Carry the rest to the next wake-up, after the host has had a turn
      // (sent what is queued): a deadline of now would run again in this one.
      continue_due = now() + base::duration_ns{1};
      return;
    }
    candidate c;
    const next_status st = next_candidate(c);
    if (st == next_status::max_ack_pending) eos = false;
    if (st != next_status::found) break;
    if (!deliver_one(c)) {
      // Paced (replay or rate limit): no end-of-stream for no_wait requests.
      if (replay_due || rate_due) eos = false;
      break;
    }
  }
  wait_for_msgs(eos);
}

// getNextMsg's choice without side effects: redeliveries first, then the
// last_per_subject skip list, then the stream from sseq.
next_status consumer::impl::next_candidate(candidate& out) {
  if (next_status st = next_redelivery(out); st != next_status::none) return st;
  const stream_index& ix = host.index();
  if (maxp > 0 && pending.size() >= static_cast<std::uint64_t>(maxp)) return next_status::max_ack_pending;
  if (lss) {
    const next_status st = next_from_skip_list(out);
    if (st != next_status::none || lss) return st;  // found, failed, or its head is not durable yet
  }
  // Neither deliver past nor skip a message whose removal is in flight.
  const std::uint64_t removal = host.pending_removal_from(sseq);
  std::uint64_t last = host.deliverable_last_seq();
  if (removal != 0) last = std::min(last, removal - 1);
  std::uint64_t from = sseq;
  for (int tries = 0; tries < 64; ++tries) {
    const std::uint64_t seq = ix.next_matching(cfg.filter_subject, from);
    if (seq == 0) {
      // Nothing matches up to the end of the stream (ErrStoreEOF).
      std::uint64_t end = ix.last_seq() + 1;
      if (removal != 0) end = std::min(end, removal);
      if (end > sseq) sseq = end;
      return next_status::none;
    }
    if (seq > last) return next_status::none;  // not durable yet
    base::result<std::optional<store::stored_msg>> r = host.load(seq);
    if (!r.ok()) return next_status::store_failed;
    if (!r.value()) {
      // Gone from the store although still indexed: it can never be delivered.
      from = seq + 1;
      if (seq >= sseq) {
        sseq = seq + 1;
        npc_valid = false;
      }
      continue;
    }
    out.seq = seq;
    out.dc = 1;
    out.from = candidate::source::stream;
    out.msg = std::move(*r.value());
    NATRIUM_ASSERT(out.msg.seq == 0 || out.msg.seq == seq);
    return next_status::found;
  }
  return next_status::none;
}

// The last_per_subject skip list's head. An entry removed since the list was
// made (a newer revision replaced it under a per-subject limit, a purge) is
// dropped once its removal is durable: its subject's newer message, if any,
// comes after the list's resume point and is delivered from the stream. (nats-server 2.9.10 instead takes
// the next matching message from there, which can deliver a later entry twice.)
next_status consumer::impl::next_from_skip_list(candidate& out) {
  if (!lss) return next_status::none;
  const std::uint64_t last = host.deliverable_last_seq();
  while (!lss->seqs.empty()) {
    const std::uint64_t seq = lss->seqs.front();
    if (seq > last) return next_status::none;  // not durable yet
    if (!host.index().contains(seq) && host.pending_removal_from(seq) == seq) return next_status::none;
    std::optional<store::stored_msg> msg;
    if (host.index().contains(seq)) {
      base::result<std::optional<store::stored_msg>> r = host.load(seq);
      if (!r.ok()) return next_status::store_failed;
      msg = std::move(r.value());
    }
    if (!msg) {
      lss->seqs.pop_front();
      npc_valid = false;
      continue;
    }
    out.seq = seq;
    out.dc = 1;
    out.from = candidate::source::skip_list;
    out.msg = std::move(*msg);
    NATRIUM_ASSERT(out.msg.seq == 0 || out.msg.seq == seq);
    return next_status::found;
  }
  sseq = std::max(sseq, lss->resume);
  lss.reset();
  return next_status::none;
}

// The redelivery queue's head. Messages past max_deliver leave it here
// (with the max_deliver advisory, once) and stop being pending.
next_status consumer::impl::next_redelivery(candidate& out) {
  while (!rdq.empty()) {
    const std::uint64_t seq = rdq.front();
    const auto counted = rdc.find(seq);
    const std::uint64_t dc = (counted == rdc.end() ? 0 : counted->second) + 2;  // incDeliveryCount's result
    if (maxdc > 0 && dc > maxdc) {
      rdq.pop_front();
      rdqi.erase(seq);
      rdc[seq] += 1;
      if (dc == maxdc + 1) {
        advisory_deliveries("MAX_DELIVERIES", "io.nats.jetstream.advisory.v1.max_deliver", seq, nullptr, dc - 1);
      }
      if (pending.erase(seq) > 0) release(seq);
      dirty = true;
      continue;
    }
    base::result<std::optional<store::stored_msg>> r = host.load(seq);
    if (!r.ok()) return next_status::store_failed;
    if (!r.value()) {
      rdq.pop_front();  // removed from the stream meanwhile
      rdqi.erase(seq);
      continue;
    }
    out.seq = seq;
    out.dc = dc;
    out.from = candidate::source::redelivery;
    out.msg = std::move(*r.value());
    return next_status::found;
  }
  NATRIUM_ASSERT(rdqi.empty());
  return next_status::none;
}

// Delivers the candidate next_candidate just found if a destination takes it
// now (the pull waiting queue, pacing). False when it was not delivered; the
// candidate's side effects (commit) happen only on delivery.
bool consumer::impl::deliver_one(candidate& c) {
  NATRIUM_ASSERT(c.seq > 0);
  // Pending after this one (numPending with its cached count).
  const std::uint64_t before = cached_pending();
  const std::uint64_t count = c.dc == 1 && before > 0 ? before - 1 : before;
  std::string reply = ack_reply(c.seq, dseq, c.dc, c.msg.timestamp_ns, count);
  if (cfg.headers_only) convert_to_headers_only(c.msg);
  const std::size_t size = c.msg.subject.size() + reply.size() + c.msg.headers.size() + c.msg.payload.size();
  if (replay && lts > 0 && !replay_ready) {
    const std::int64_t delay = c.msg.timestamp_ns - lts;
    if (delay > detail::ns_per_ms) {
      if (!replay_due) replay_due = now() + base::duration_ns{delay};
      return false;
    }
  }
  if (!paced(size)) return false;
  std::string dsubj;
  if (is_push()) {
    dsubj = cfg.deliver_subject;
  } else {
    std::optional<std::string> to = next_waiting(size);
    if (!to) return false;
    dsubj = std::move(*to);
  }
  replay_ready = false;
  commit(c);
  if (c.dc == 1) npc = count;
  lts = c.msg.timestamp_ns;
  deliver_msg(dsubj, std::move(reply), c);
  if (cfg.idle_heartbeat_ns > 0) hb_due = now() + base::duration_ns{cfg.idle_heartbeat_ns};
  return true;
}

// numPending: the count from sseq, kept up to date incrementally (npc) so
// that each delivery costs O(log n): computed afresh when invalidated (a
// removal at or above sseq, a purge), then +1 per new matching message and
// -1 per first delivery. Exact except for last_per_subject, where (as in
// the reference) each new message counts even if its subject already did.
std::uint64_t consumer::impl::cached_pending() {
  const stream_index& ix = host.index();
  if (!npc_valid) {
    npc = num_pending_from(sseq);
    npc_upto = ix.last_seq();
    npc_valid = true;
    return npc;
  }
  if (ix.last_seq() > npc_upto) {
    npc += ix.count_matching(cfg.filter_subject, std::max(npc_upto + 1, sseq));
    npc_upto = ix.last_seq();
  }
  NATRIUM_ASSERT(npc_upto <= ix.last_seq());
  return npc;
}

// getNextMsg's side effects for a candidate that is being delivered.
void consumer::impl::commit(const candidate& c) {
  switch (c.from) {
    case candidate::source::redelivery:
      NATRIUM_ASSERT(!rdq.empty() && rdq.front() == c.seq);
      rdq.pop_front();
      rdqi.erase(c.seq);
      rdc[c.seq] += 1;
      return;
    case candidate::source::skip_list:
      NATRIUM_ASSERT(lss && !lss->seqs.empty());
      lss->seqs.pop_front();
      if (lss->seqs.empty()) {
        sseq = std::max(sseq, lss->resume);
        lss.reset();
      }
      break;
    case candidate::source::stream:
      break;
  }
  if (c.seq >= sseq) sseq = c.seq + 1;
  NATRIUM_ASSERT(sseq > c.seq || c.from == candidate::source::skip_list);
}

// The rate limiter (rlimit.ReserveN): true when `size` bytes may go now.
bool consumer::impl::paced(std::size_t size) {
  if (rate_bps <= 0) return true;
  if (rate_ready) {
    rate_ready = false;  // the reservation made when rate_due was set
    return true;
  }
  if (rate_due) return false;
  const base::mono_time n = now();
  if (rate_last) {
    const double elapsed_s = static_cast<double>((n - *rate_last).ns) / 1e9;
    rate_tokens = std::min(rate_burst, rate_tokens + elapsed_s * rate_bps);
  }
  rate_last = n;
  const double need = static_cast<double>(size);
  if (need > rate_burst) return true;  // the reference would stall forever
  rate_tokens -= need;
  if (rate_tokens >= 0) return true;
  const auto wait_ns = static_cast<std::int64_t>(std::ceil(-rate_tokens / rate_bps * 1e9));
  rate_due = n + base::duration_ns{std::max<std::int64_t>(wait_ns, 1)};
  NATRIUM_ASSERT(rate_tokens < 0);
  return false;
}

// deliverMsg.
void consumer::impl::deliver_msg(const std::string& dsubj, std::string reply, candidate& c) {
  NATRIUM_ASSERT(!dsubj.empty());
  const std::uint64_t d = dseq++;
  const std::uint64_t seq = c.seq;
  const std::int64_t psz = static_cast<std::int64_t>(dsubj.size() + reply.size() + c.msg.headers.size() +
                                                     c.msg.payload.size());
  if (maxpb > 0) pbytes += psz;
  out_msg m;
  m.subject = dsubj;
  m.reply = std::move(reply);
  m.headers = std::move(c.msg.headers);
  m.payload = std::move(c.msg.payload);
  m.original_subject = std::move(c.msg.subject);
  host.publish(std::move(m));
  if (cfg.ack == ack_policy::none) {
    adflr = d;
    asflr = seq;
  } else {
    track_pending(seq, d);
  }
  if (maxpb > 0 && need_flow_control(psz)) send_flow_control();
  if (is_pull() && dthresh_ns > 0) waiting_last = now();
  ldt = host.wall_now();
  dirty = true;
  if (cfg.ack == ack_policy::none) release(seq);
  NATRIUM_ASSERT(dseq == d + 1);
}

// trackPending.
void consumer::impl::track_pending(std::uint64_t seq, std::uint64_t d) {
  NATRIUM_ASSERT(cfg.ack != ack_policy::none);
  if (!ack_due) ack_due = now() + base::duration_ns{cfg.ack_wait_ns + detail::ack_wait_delay_ns};
  const std::int64_t ts = host.wall_now().ns;
  auto it = pending.find(seq);
  if (it != pending.end()) {
    it->second.timestamp_ns = ts;  // a redelivery keeps its first consumer seq
  } else {
    pending.emplace(seq, store::pending_entry{d, ts});
  }
  NATRIUM_ASSERT(ack_due.has_value());
}

// $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ts>.<pending>
std::string consumer::impl::ack_reply(std::uint64_t seq, std::uint64_t d, std::uint64_t dc, std::int64_t ts,
                                      std::uint64_t pending_count) const {
  NATRIUM_ASSERT(seq > 0);
  NATRIUM_ASSERT(d > 0);
  std::string s = "$JS.ACK.";
  s += host.stream_name();
  s += '.';
  s += name;
  for (std::uint64_t v : {dc, seq, d}) {
    s += '.';
    s += std::to_string(v);
  }
  s += '.';
  s += std::to_string(ts);
  s += '.';
  s += std::to_string(pending_count);
  return s;
}

// streamNumPending for a given sseq.
std::uint64_t consumer::impl::num_pending_from(std::uint64_t from) const {
  const stream_index& ix = host.index();
  if (cfg.deliver == deliver_policy::last_per_subject) {
    return ix.last_per_subject(cfg.filter_subject, from).size();
  }
  const std::uint64_t n = ix.count_matching(cfg.filter_subject, from);
  NATRIUM_ASSERT(n <= ix.msgs());
  return n;
}

// needFlowControl.
bool consumer::impl::need_flow_control(std::int64_t size) {
  NATRIUM_ASSERT(size >= 0);
  if (maxpb == 0) return false;
  NATRIUM_ASSERT(maxpb <= pblimit);
  if (fcid.empty() && pbytes > maxpb / 2) return true;
  if (!fcid.empty() && pbytes - fcsz >= maxpb) fcsz += size;
  return false;
}

// sendFlowControl: the reply subject ends with 4 base-62 characters that
// change with each request (the reference draws them at random).
void consumer::impl::send_flow_control() {
  if (!is_push()) return;
  std::string reply = "$JS.FC.";
  reply += host.stream_name();
  reply += '.';
  reply += name;
  reply += '.';
  std::uint64_t v = (++fc_count) * 0x9E3779B97F4A7C15ull + created.ns;
  for (int i = 0; i < 4; ++i) {
    reply += base62[v % 62];
    v /= 62;
  }
  fcsz = pbytes;
  fcid = reply;
  out_msg m;
  m.subject = cfg.deliver_subject;
  m.reply = std::move(reply);
  m.headers = "NATS/1.0 100 FlowControl Request\r\n\r\n";
  host.publish(std::move(m));
  NATRIUM_ASSERT(!fcid.empty());
}

// processFlowControl.
void consumer::impl::on_flow_control_reply(std::string_view subject) {
  if (deleted || fcid.empty() || subject != fcid) return;
  if (maxpb < pblimit) maxpb = std::min(maxpb * 2, pblimit);
  pbytes -= fcsz;
  if (pbytes < 0) pbytes = 0;
  fcid.clear();
  fcsz = 0;
  NATRIUM_ASSERT(maxpb > 0);
}

// sendIdleHeartbeat.
void consumer::impl::send_idle_heartbeat(const std::string& subject) {
  NATRIUM_ASSERT(dseq >= 1);
  std::string h = "NATS/1.0 100 Idle Heartbeat\r\nNats-Last-Consumer: ";
  h += std::to_string(dseq - 1);
  h += "\r\nNats-Last-Stream: ";
  h += std::to_string(sseq - 1);
  h += "\r\n";
  if (!fcid.empty()) {
    h += "Nats-Consumer-Stalled: ";
    h += fcid;
    h += "\r\n";
  }
  h += "\r\n";
  out_msg m;
  m.subject = subject;
  m.headers = std::move(h);
  host.publish(std::move(m));
}

// The push idle heartbeat timer (hbc in loopAndGatherMsgs).
void consumer::impl::check_heartbeat(base::mono_time t) {
  NATRIUM_ASSERT(hb_due && t >= *hb_due);
  refresh_interest();
  if (active) send_idle_heartbeat(cfg.deliver_subject);
  hb_due = t + base::duration_ns{cfg.idle_heartbeat_ns};
}

// waitForMsgs.
void consumer::impl::wait_for_msgs(bool eos) {
  NATRIUM_ASSERT(!deleted);
  if (replay && sseq > replay_lseq) replay = false;
  if (is_pull()) process_waiting(eos);
  if (is_push()) NATRIUM_ASSERT(waiting.empty());
}

// isFilteredMatch.
bool consumer::impl::filter_match(std::string_view subject) const {
  if (cfg.filter_subject.empty()) return true;
  return subject::matches(cfg.filter_subject, subject);
}

}  // namespace natrium::jetstream

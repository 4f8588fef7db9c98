// js_oracle: checks of the JetStream workload (see js_oracle.h).
#include "tests/sim/js_oracle.h"

#include <nlohmann/json.hpp>

#include "tests/sim/matcher.h"

namespace natrium::sim {

namespace {
std::string seq_name(std::uint64_t s) { return "stream seq " + std::to_string(s); }
}  // namespace

void js_oracle::on_published(const std::string& payload) {
  stats_.published++;
  if (!published_.insert(payload).second) fail("the workload published payload '" + escape(payload, 30) + "' twice");
}

void js_oracle::on_puback(const std::string& payload, const std::string& body, bool retry) {
  const auto j = nlohmann::json::parse(body, nullptr, false);
  const std::string what = "PubAck '" + escape(body, 120) + "' for '" + escape(payload, 30) + "'";
  if (j.is_discarded() || !j.is_object()) return fail("unparsable " + what);
  if (j.contains("error")) return fail("error " + what);
  if (!j.contains("seq") || !j["seq"].is_number_unsigned() || j["seq"].get<std::uint64_t>() == 0) {
    return fail("no seq in " + what);
  }
  if (j.value("stream", "") != "S") return fail("unexpected " + what);
  const std::uint64_t seq = j["seq"].get<std::uint64_t>();
  stats_.pubacks++;
  if (j.contains("duplicate")) {
    if (!retry || j["duplicate"] != true) return fail("unexpected duplicate " + what);
    stats_.duplicates++;
    // The first copy survived the crash: it must be what the stream holds at seq.
    auto got = disk_.load(stream_, seq);
    if (!got || !*got || (*got)->payload != payload) return fail(what + ": the stream does not hold it at seq " + std::to_string(seq));
  }
  auto [it, fresh] = acked_.emplace(seq, payload);
  if (!fresh) return fail(what + ": " + seq_name(seq) + " was already acknowledged for '" + escape(it->second, 30) + "'");
  if (!acked_seq_.emplace(payload, seq).second) return fail(what + ": acknowledged twice");
  if (auto d = delivered_.find(seq); d != delivered_.end() && d->second != payload) {
    fail(what + ": a consumer received '" + escape(d->second, 30) + "' as " + seq_name(seq));
  }
}

// Any consumer: a published payload, the acknowledged one for that seq, the
// same one as earlier deliveries of that seq.
void js_oracle::check_delivered(const char* who, std::uint64_t sseq, const std::string& payload) {
  const std::string what = std::string(who) + " received " + seq_name(sseq) + " '" + escape(payload, 30) + "'";
  if (published_.count(payload) == 0) return fail(what + ", which no client published");
  if (auto a = acked_.find(sseq); a != acked_.end() && a->second != payload) {
    return fail(what + ", acknowledged as '" + escape(a->second, 30) + "'");
  }
  auto [d, fresh] = delivered_.emplace(sseq, payload);
  if (!fresh && d->second != payload) fail(what + ", delivered before as '" + escape(d->second, 30) + "'");
}

void js_oracle::on_pull_delivery(std::uint64_t sseq, std::uint64_t dc, const std::string& payload) {
  stats_.pull_deliveries++;
  check_delivered("the pull consumer", sseq, payload);
  if (confirmed_.count(sseq) != 0) {
    return fail("the pull consumer received " + seq_name(sseq) + " again (delivery count " + std::to_string(dc) +
                ") after its ack was confirmed");
  }
  if (!pull_seen_.insert(sseq).second) stats_.pull_redeliveries++;
}

void js_oracle::on_ack_confirmed(std::uint64_t sseq) {
  stats_.acks_confirmed++;
  if (pull_seen_.count(sseq) == 0) fail("an AckAck for " + seq_name(sseq) + ", never delivered to the pull consumer");
  confirmed_.insert(sseq);
}

void js_oracle::ordered_begin(int inc, std::uint64_t start_seq, const std::string& filter) {
  stats_.incarnations++;
  ordered_[inc] = incarnation{start_seq - 1, 0, filter};
}

bool js_oracle::ordered_caught_up(int inc) const {
  auto it = ordered_.find(inc);
  if (it == ordered_.end()) return false;
  auto next = disk_.load_next(stream_, it->second.filter, it->second.last_sseq + 1);
  return next && !*next;
}

void js_oracle::on_ordered(int inc, std::uint64_t sseq, std::uint64_t cseq, const std::string& subject,
                           const std::string& payload) {
  stats_.ordered_msgs++;
  const std::string who = "ordered consumer #" + std::to_string(inc);
  check_delivered(who.c_str(), sseq, payload);
  auto it = ordered_.find(inc);
  if (it == ordered_.end()) return fail(who + " received a message before it began");
  incarnation& o = it->second;
  if (cseq != o.last_cseq + 1) {
    return fail(who + " received consumer seq " + std::to_string(cseq) + " after " + std::to_string(o.last_cseq) +
                " (" + seq_name(sseq) + ")");
  }
  if (!o.filter.empty() && !subject_matches(o.filter, subject)) {
    return fail(who + " (filter " + o.filter + ") received " + seq_name(sseq) + " on " + subject);
  }
  if (sseq <= o.last_sseq) {
    return fail(who + " received " + seq_name(sseq) + " after " + seq_name(o.last_sseq) + " (out of order)");
  }
  // Every skipped seq must be absent from the stream (everything below sseq is durable).
  for (std::uint64_t q = o.last_sseq + 1; q < sseq; ++q) {
    auto m = disk_.load(stream_, q);
    if (!m) return fail("the disk cannot load " + seq_name(q) + ": " + m.err().text);
    if (*m && (o.filter.empty() || subject_matches(o.filter, (*m)->subject))) {
      return fail(who + " skipped " + seq_name(q) + " on " + (*m)->subject + ", which the stream holds (got " +
                  seq_name(sseq) + ")");
    }
  }
  o.last_sseq = sseq;
  o.last_cseq = cseq;
}

void js_oracle::on_heartbeat(int inc, std::uint64_t last_consumer_seq) {
  stats_.heartbeats++;
  auto it = ordered_.find(inc);
  if (it == ordered_.end()) return;
  if (last_consumer_seq != it->second.last_cseq) {
    fail("ordered consumer #" + std::to_string(inc) + " got a heartbeat saying the last consumer seq is " +
         std::to_string(last_consumer_seq) + ", it received " + std::to_string(it->second.last_cseq));
  }
}

std::uint64_t js_oracle::ordered_last_sseq(int inc) const {
  auto it = ordered_.find(inc);
  return it == ordered_.end() ? 0 : it->second.last_sseq;
}

std::uint64_t js_oracle::stream_last_seq() const {
  auto st = disk_.state(stream_);
  return st ? st->last_seq : 0;
}

void js_oracle::check_store(const std::string& when) {
  stats_.store_checks++;
  const std::string at = " (" + when + ")";
  for (const auto* m : {&acked_, &delivered_}) {
    const char* kind = m == &acked_ ? "acknowledged" : "delivered";
    for (const auto& [seq, payload] : *m) {
      auto got = disk_.load(stream_, seq);
      if (!got) return fail("the disk cannot load " + seq_name(seq) + at + ": " + got.err().text);
      if (!*got) return fail("the " + std::string(kind) + " message " + seq_name(seq) + " '" + escape(payload, 30) + "' is lost" + at);
      if ((*got)->payload != payload) {
        return fail("the " + std::string(kind) + " " + seq_name(seq) + " holds '" + escape((*got)->payload, 30) +
                    "', not '" + escape(payload, 30) + "'" + at);
      }
    }
  }
  // Nothing invented, nothing stored twice.
  std::map<std::string, std::uint64_t> where;
  auto st = disk_.state(stream_);
  if (!st) return fail("the disk has no stream state" + at);
  for (std::uint64_t q = st->first_seq; q <= st->last_seq; ++q) {
    auto got = disk_.load(stream_, q);
    if (!got) return fail("the disk cannot load " + seq_name(q) + at + ": " + got.err().text);
    if (!*got) continue;
    const std::string& p = (*got)->payload;
    if (published_.count(p) == 0) return fail(seq_name(q) + " holds '" + escape(p, 30) + "', never published" + at);
    auto [w, fresh] = where.emplace(p, q);
    if (!fresh) return fail("'" + escape(p, 30) + "' is stored twice: " + seq_name(w->second) + " and " + seq_name(q) + at);
  }
  // Confirmed acks stay acked.
  auto cs = disk_.load_consumer(stream_, pull_name_);
  if (!cs) return fail("the disk cannot load consumer " + pull_name_ + at + ": " + cs.err().text);
  if (confirmed_.empty()) return;
  if (!*cs) return fail("consumer " + pull_name_ + " has no state on disk but " + std::to_string(confirmed_.size()) +
                        " confirmed acks" + at);
  const store::consumer_state& c = **cs;
  for (std::uint64_t s : confirmed_) {
    if (s <= c.ack_floor_stream_seq) continue;
    if (s <= c.delivered_stream_seq && c.pending.count(s) == 0) continue;
    return fail("the confirmed ack of " + seq_name(s) + " is lost: consumer " + pull_name_ + " on disk has ack floor " +
                std::to_string(c.ack_floor_stream_seq) + ", delivered " + std::to_string(c.delivered_stream_seq) +
                (c.pending.count(s) != 0 ? ", and it pending" : "") + at);
  }
}

bool js_oracle::pull_done() const {
  auto cs = disk_.load_consumer(stream_, pull_name_);
  const std::uint64_t last = stream_last_seq();
  if (!cs || !*cs) return last == 0;
  return (*cs)->pending.empty() && (*cs)->ack_floor_stream_seq == last;
}

void js_oracle::check_end(int ordered_incarnation) {
  check_store("at the end");
  if (verdict_.failed()) return;
  const std::uint64_t last = stream_last_seq();
  if (!ordered_caught_up(ordered_incarnation)) {
    return fail("ordered consumer #" + std::to_string(ordered_incarnation) + " ended at " +
                seq_name(ordered_last_sseq(ordered_incarnation)) + ", the stream at " + seq_name(last));
  }
  if (!pull_done()) return fail("the pull consumer did not ack everything up to " + seq_name(last));
  for (std::uint64_t q = 1; q <= last; ++q) {
    if (pull_seen_.count(q) == 0) return fail("the pull consumer never received " + seq_name(q));
  }
}

}  // namespace natrium::sim

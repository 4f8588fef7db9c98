// stream: one stream's writes (nats-server stream.go processJetStreamMsg and
// memstore.go storeRawMsg/enforce*), and its side of the consumer contract.
#include <algorithm>
#include <charconv>

#include "core/base/assert.h"
#include "core/jetstream/engine_impl.h"
#include "core/proto/headers.h"
#include "core/subject/subject.h"

namespace natrium::jetstream {

stream::stream(engine::impl& e, std::uint64_t id_, stream_config c, base::wall_time created_)
    : eng(e), id(id_), cfg(std::move(c)), created(created_) {}
stream::~stream() = default;

// --- consumer_host -----------------------------------------------------------

base::result<std::optional<store::stored_msg>> stream::load(std::uint64_t seq) const {
  if (!idx.contains(seq)) return std::optional<store::stored_msg>{};
  if (is_memory()) return eng.mem.load(sid(), seq);
  if (seq > durable_seq) {
    if (auto it = unsynced.find(seq); it != unsynced.end()) return std::optional<store::stored_msg>{it->second};
  }
  return eng.durable->load(sid(), seq);
}
void stream::publish(out_msg m) { eng.out.publish(std::move(m)); }
void stream::publish_when_durable(out_msg m) { eng.publish_when_durable(std::move(m)); }
bool stream::has_interest(std::string_view subject) {
  // A push consumer's deliver subject needs an exact subscription (in its
  // deliver group, if any); anything else (pull request inboxes) any match.
  for (auto& [n, c] : consumers) {
    const consumer_config& cc = c->config();
    if (!cc.deliver_subject.empty() && cc.deliver_subject == subject) {
      return eng.out.has_exact_interest(subject, cc.deliver_group);
    }
  }
  return eng.out.has_interest(subject);
}
void stream::state_changed(consumer& c) { dirty.insert(&c); }
void stream::released(consumer&, std::uint64_t seq) { release_if_unneeded(seq); }
void stream::advisory(std::string subject, std::string json) { eng.send_advisory(std::move(subject), std::move(json)); }
void stream::wake_at(consumer& c, base::mono_time due) { eng.set_consumer_timer(&c, due.ns); }
void stream::expire(consumer& c) {
  if (std::find(eng.to_expire.begin(), eng.to_expire.end(), &c) == eng.to_expire.end()) eng.to_expire.push_back(&c);
  // Deleted at the next timer pass: make it due now.
  eng.timers.emplace(eng.now.ns, engine::impl::timer_kind::dedup, 0, nullptr);
}
base::mono_time stream::mono_now() const { return eng.now; }
base::wall_time stream::wall_now() const { return eng.wall; }
const std::string& stream::server_name() const { return eng.cfg.server_name; }

// --- publishing --------------------------------------------------------------

namespace {

// nats-server parseInt64: digits only, else -1 (which the callers turn into
// a huge uint64 that never matches).
std::uint64_t header_seq(std::string_view v) {
  std::uint64_t n = 0;
  if (v.empty()) return ~std::uint64_t{0};
  for (char ch : v) {
    if (ch < '0' || ch > '9') return ~std::uint64_t{0};
    n = n * 10 + static_cast<std::uint64_t>(ch - '0');
  }
  return n;
}

std::string pub_ack(std::string_view stream_name, std::uint64_t seq, bool duplicate) {
  std::string r = "{\"stream\":" + go_json_quoted(stream_name) + ", \"seq\":" + std::to_string(seq);
  r += duplicate ? ",\"duplicate\": true}" : "}";
  return r;
}

std::string pub_error(std::string_view stream_name, const api_error& e) {
  return "{\"error\":" + api_error_json(e) + ",\"stream\":" + go_json_quoted(stream_name) + ",\"seq\":0}";
}

std::string lower(std::string_view s) {
  std::string r(s);
  for (char& ch : r) {
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  }
  return r;
}

}  // namespace

void stream::on_publish(const in_msg& m) {
  const bool can_respond = !cfg.no_ack && !m.reply.empty();
  // A refusal can name state that is not durable yet ("wrong last sequence:
  // N" of a write in flight): it waits for the writes before it, as a PubAck
  // does. Only a fenced JetStream, which writes nothing more, answers at once.
  auto fail = [&](const api_error& e) {
    if (!can_respond) return;
    if (eng.fenced) {
      eng.reply(m.reply, pub_error(cfg.name, e));
    } else {
      eng.reply_durable(m.reply, pub_error(cfg.name, e));
    }
  };
  if (eng.fenced) {
    fail(make_api_error(api_error_id::insufficient_resources_err));
    return;
  }
  if (cfg.sealed) {
    fail(make_api_error(api_error_id::stream_sealed_err));
    return;
  }
  std::string msg_id;
  bool rollup_sub = false, rollup_all = false;
  if (!m.headers.empty()) {
    const std::string_view h = m.headers;
    if (auto v = proto::find_header(h, "Nats-Expected-Stream"); v && !v->empty() && *v != cfg.name) {
      fail(make_api_error(api_error_id::stream_not_match_err));
      return;
    }
    if (auto v = proto::find_header(h, "Nats-Msg-Id"); v && !v->empty()) {
      msg_id.assign(*v);
      auto it = dedup.find(msg_id);
      if (it != dedup.end() && eng.wall.ns - it->second.second < cfg.duplicate_window_ns) {
        if (can_respond) eng.reply_durable(m.reply, pub_ack(cfg.name, it->second.first, true));
        return;
      }
    }
    if (auto v = proto::find_header(h, "Nats-Expected-Last-Subject-Sequence"); v && !v->empty()) {
      const std::uint64_t want = header_seq(*v);
      const std::uint64_t have = idx.subject_last_seq(m.subject);
      if (want != have) {
        fail(make_api_error(api_error_id::stream_wrong_last_sequence_err_f, {{"{seq}", std::to_string(have)}}));
        return;
      }
    }
    if (auto v = proto::find_header(h, "Nats-Expected-Last-Sequence"); v && !v->empty()) {
      if (header_seq(*v) != idx.last_seq()) {
        fail(make_api_error(api_error_id::stream_wrong_last_sequence_err_f,
                            {{"{seq}", std::to_string(idx.last_seq())}}));
        return;
      }
    }
    if (auto v = proto::find_header(h, "Nats-Expected-Last-Msg-Id"); v && !v->empty()) {
      if (*v != last_msg_id) {
        fail(make_api_error(api_error_id::stream_wrong_last_msg_id_err_f, {{"{id}", last_msg_id}}));
        return;
      }
    }
    if (auto v = proto::find_header(h, "Nats-Rollup"); v && !v->empty()) {
      if (!cfg.allow_rollup_hdrs || cfg.deny_purge) {
        fail(make_api_error_err(api_error_id::stream_rollup_failed_f, "rollup not permitted"));
        return;
      }
      const std::string r = lower(*v);
      if (r == "sub") rollup_sub = true;
      else if (r == "all") rollup_all = true;
      else return;  // the reference drops it without a reply
    }
  }
  const std::size_t size = m.headers.size() + m.payload.size();
  if (cfg.max_msg_size >= 0 && size > static_cast<std::size_t>(cfg.max_msg_size) && cfg.max_msg_size != 0) {
    fail(make_api_error(api_error_id::stream_message_exceeds_maximum_err));
    return;
  }
  if (m.headers.size() > 65535) {
    fail(make_api_error(api_error_id::stream_header_exceeds_maximum_err));
    return;
  }
  // Account limits (jetStream.limitsExceeded).
  {
    std::uint64_t used = 0;
    for (auto& [n, s] : eng.streams) {
      if (s->is_memory() == is_memory()) used += s->idx.bytes();
    }
    const std::int64_t limit = is_memory() ? eng.cfg.max_memory : eng.cfg.max_store;
    if (limit >= 0 && used + size > static_cast<std::uint64_t>(limit)) {
      fail(make_api_error(api_error_id::insufficient_resources_err));
      return;
    }
  }

  // Interest retention without a consumer that wants it: the sequence is used
  // but nothing is stored.
  const std::string_view subj = m.subject;
  const std::uint64_t seq = idx.last_seq() + 1;
  if (cfg.retention == retention_policy::interest) {
    bool interested = false;
    for (auto& [n, c] : consumers) {
      const auto& f = c->config().filter_subject;
      if (f.empty() || subject_is_subset_match(subj, f)) {
        interested = true;
        break;
      }
    }
    if (!interested) {
      skip_msg(seq, subj);
      remember_msg_id(msg_id, seq);
      if (can_respond) eng.reply_durable(m.reply, pub_ack(cfg.name, seq, false));
      return;
    }
  }

  const std::uint64_t msize = record_size(subj.size(), m.headers.size(), m.payload.size());
  // Discard new (memstore storeRawMsg).
  const std::uint64_t per_subject = idx.subject_msgs(subj);
  const bool at_subject_limit = cfg.max_msgs_per_subject > 0 &&
                                per_subject >= static_cast<std::uint64_t>(cfg.max_msgs_per_subject);
  if (cfg.discard == discard_policy::new_msgs) {
    if (at_subject_limit && cfg.discard_new_per_subject) {
      fail(make_api_error_err(api_error_id::stream_store_failed_f, "maximum messages per subject exceeded"));
      return;
    }
    if (cfg.max_msgs > 0 && idx.msgs() >= static_cast<std::uint64_t>(cfg.max_msgs) && !at_subject_limit) {
      fail(make_api_error_err(api_error_id::stream_store_failed_f, "maximum messages exceeded"));
      return;
    }
    if (cfg.max_bytes > 0 && idx.bytes() + size >= static_cast<std::uint64_t>(cfg.max_bytes)) {
      bool room = false;
      if (at_subject_limit) {
        const auto first = idx.get(idx.subject_first_seq(subj));
        room = first && first->size >= size;
      }
      if (!room) {
        fail(make_api_error_err(api_error_id::stream_store_failed_f, "maximum bytes exceeded"));
        return;
      }
    }
  }

  // Store it.
  const std::uint64_t last_for_subject = cfg.republish_ ? idx.subject_last_seq(subj) : 0;
  store::stored_msg sm;
  sm.seq = seq;
  sm.timestamp_ns = eng.wall.ns;
  sm.subject.assign(subj);
  sm.headers.assign(m.headers);
  sm.payload.assign(m.payload);
  idx.append(seq, subj, sm.timestamp_ns, msize);
  eng.write_msg(*this, store::op_append{sid(), std::move(sm)});
  remember_msg_id(msg_id, seq);
  enforce_limits();
  if (rollup_sub) purge(subj, 0, 1);
  else if (rollup_all) purge("", 0, 1);
  if (cfg.max_age_ns > 0) arm_age_timer();

  if (cfg.republish_) republish(subj, m.headers, m.payload, seq, last_for_subject);
  if (can_respond) eng.reply_durable(m.reply, pub_ack(cfg.name, seq, false));
  eng.mark_durable(*this, seq);
  eng.feed_downstream(*this, seq, subj, m.headers, m.payload, eng.wall.ns);
}

// SkipMsg: `seq` is used up without storing anything.
void stream::skip_msg(std::uint64_t seq, std::string_view subj) {
  NATRIUM_ASSERT(seq == idx.last_seq() + 1);
  if (idx.msgs() == 0) {
    // The stream moves on, empty, to seq + 1.
    idx.clear(seq + 1);
    eng.write_msg(*this, store::op_compact{sid(), seq + 1});
  } else {
    // The store has no skip: append an empty record and delete it, so the
    // store's last sequence moves on with the index's.
    idx.append(seq, subj, eng.wall.ns, 0);
    idx.remove(seq);
    store::stored_msg skip;
    skip.seq = seq;
    skip.timestamp_ns = eng.wall.ns;
    skip.subject.assign(subj);
    eng.write_msg(*this, store::op_append{sid(), std::move(skip)});
    eng.write_msg(*this, store::op_delete{sid(), seq, false});
  }
  NATRIUM_ASSERT(idx.last_seq() == seq);
}

// The last Nats-Msg-Id, and the dedup window entry for a non-empty one.
void stream::remember_msg_id(const std::string& msg_id, std::uint64_t seq) {
  last_msg_id = msg_id;
  if (msg_id.empty()) return;
  dedup[msg_id] = {seq, eng.wall.ns};
  dedup_order.emplace_back(msg_id, eng.wall.ns);
  if (dedup_order.size() == 1) {
    eng.timers.emplace(eng.now.ns + cfg.duplicate_window_ns, engine::impl::timer_kind::dedup, id, nullptr);
  }
}

// Republish (stream.go processJetStreamMsg): the stored message goes out again
// on the transformed subject with the stream's headers added.
void stream::republish(std::string_view subj, std::string_view headers, std::string_view payload, std::uint64_t seq,
                       std::uint64_t last_for_subject) {
  auto dest = transform_subject(cfg.republish_->src, cfg.republish_->dest, subj);
  if (!dest) return;
  std::string hdr;
  const std::string fields = "Nats-Stream: " + cfg.name + "\r\nNats-Subject: " + std::string(subj) +
                             "\r\nNats-Sequence: " + std::to_string(seq) +
                             "\r\nNats-Last-Sequence: " + std::to_string(last_for_subject) + "\r\n" +
                             (cfg.republish_->headers_only ? "Nats-Msg-Size: " + std::to_string(payload.size()) + "\r\n"
                                                           : std::string());
  if (headers.empty()) {
    hdr = "NATS/1.0\r\n" + fields + "\r\n";
  } else {
    hdr.assign(headers);
    hdr.insert(hdr.size() - 2, fields);
  }
  std::string body = cfg.republish_->headers_only ? std::string() : std::string(payload);
  eng.out.publish(out_msg{std::move(*dest), {}, std::move(hdr), std::move(body)});
}

// --- limits and removal -------------------------------------------------------

std::uint64_t stream::remove_seqs(const std::vector<std::uint64_t>& seqs, bool erase) {
  std::uint64_t n = 0;
  for (std::uint64_t q : seqs) {
    if (!idx.remove(q)) continue;
    ++n;
    eng.write_msg(*this, store::op_delete{sid(), q, erase});
    if (!is_memory()) eng.mark_removal(*this, q);
    for (auto& [cn, c] : consumers) c->on_message_removed(q);
  }
  return n;
}

void stream::enforce_limits() {
  std::vector<std::uint64_t> drop;
  // Per subject (the newest message's subject is the only one that can be over).
  if (cfg.max_msgs_per_subject > 0) {
    const auto last = idx.get(idx.last_seq());
    if (last) {
      const std::string subj(last->subject);
      while (idx.subject_msgs(subj) > static_cast<std::uint64_t>(cfg.max_msgs_per_subject)) {
        const std::uint64_t q = idx.subject_first_seq(subj);
        if (q == 0) break;
        remove_seqs({q}, false);
      }
    }
  }
  if (cfg.max_msgs > 0) {
    while (idx.msgs() > static_cast<std::uint64_t>(cfg.max_msgs)) {
      const std::uint64_t q = idx.first_seq();
      if (remove_seqs({q}, false) == 0) break;
    }
  }
  if (cfg.max_bytes > 0) {
    while (idx.bytes() > static_cast<std::uint64_t>(cfg.max_bytes) && idx.msgs() > 0) {
      const std::uint64_t q = idx.first_seq();
      if (remove_seqs({q}, false) == 0) break;
    }
  }
}

void stream::arm_age_timer() {
  if (age_timer_armed || cfg.max_age_ns <= 0) return;
  const auto first = idx.first();
  if (!first) return;
  const std::int64_t expires_wall = first->timestamp_ns + cfg.max_age_ns;
  const std::int64_t due = eng.now.ns + std::max<std::int64_t>(0, expires_wall - eng.wall.ns);
  eng.timers.emplace(due, engine::impl::timer_kind::max_age, id, nullptr);
  age_timer_armed = true;
}

void stream::expire_aged() {
  if (cfg.max_age_ns <= 0) return;
  const std::int64_t cutoff = eng.wall.ns - cfg.max_age_ns;
  while (true) {
    const auto first = idx.first();
    if (!first || first->timestamp_ns > cutoff) break;
    remove_seqs({first->seq}, false);
  }
  arm_age_timer();
}

void stream::expire_dedup() {
  const std::int64_t cutoff = eng.wall.ns - cfg.duplicate_window_ns;
  while (!dedup_order.empty() && dedup_order.front().second <= cutoff) {
    auto it = dedup.find(dedup_order.front().first);
    if (it != dedup.end() && it->second.second == dedup_order.front().second) dedup.erase(it);
    dedup_order.pop_front();
  }
  if (!dedup_order.empty()) {
    const std::int64_t wait = std::max<std::int64_t>(50'000'000, dedup_order.front().second +
                                                                     cfg.duplicate_window_ns - eng.wall.ns);
    eng.timers.emplace(eng.now.ns + wait, engine::impl::timer_kind::dedup, id, nullptr);
  }
}

// stream.go purge: the store purge, then each consumer whose filter the purge
// covers moves past what is gone (consumer.purge). Purging everything or up to
// a sequence tells consumers only that; a filtered purge also removes each
// message from consumers, as the reference's store callback does.
std::uint64_t stream::purge(std::string_view filter, std::uint64_t seq, std::uint64_t keep) {
  const bool whole = (filter.empty() || filter == ">") && keep == 0;
  std::uint64_t purged = 0;
  if (whole) {
    if (seq <= 1 || seq > idx.last_seq()) {
      // Everything, and the stream carries on at seq (or at last + 1).
      const std::uint64_t next = seq > 1 ? seq : idx.last_seq() + 1;
      purged = idx.msgs();
      idx.clear(next);
      eng.write_msg(*this, store::op_compact{sid(), next});
    } else {
      const std::vector<std::uint64_t> seqs = idx.select_purge(">", seq, 0);
      for (std::uint64_t q : seqs) purged += idx.remove(q) ? 1 : 0;
      eng.write_msg(*this, store::op_compact{sid(), seq});
    }
    for (auto& [cn, c] : consumers) c->on_purged(idx.first_seq());
    return purged;
  }
  const std::string_view f = filter.empty() ? std::string_view(">") : filter;
  purged = remove_seqs(idx.select_purge(f, seq, keep), false);
  std::uint64_t first = idx.next_matching(f, idx.first_seq());
  if (first == 0) first = idx.last_seq() + 1;
  // Only a consumer whose whole filter the purge covers moves to the first
  // message left under it. A wider one (a KV watcher on `$KV.b.>` when one key
  // is purged) stays where it is: remove_seqs already took the purged messages
  // out of its pending set, and moving it would skip other subjects' messages.
  // nats-server 2.9.10 moves wider consumers too; later versions do not.
  for (auto& [cn, c] : consumers) {
    const std::string& cf = c->config().filter_subject;
    if (cf.empty() ? f == ">" : subject_is_subset_match(cf, f)) c->on_purged(first);
  }
  return purged;
}

void stream::release_if_unneeded(std::uint64_t seq) {
  if (cfg.retention == retention_policy::limits) return;
  const auto meta = idx.get(seq);
  if (!meta) return;
  if (cfg.retention == retention_policy::interest) {
    for (auto& [cn, c] : consumers) {
      if (c->needs(seq, meta->subject)) return;
    }
  } else {
    // Work queue: one consumer takes each message; released means done.
    for (auto& [cn, c] : consumers) {
      if (c->needs(seq, meta->subject)) return;
    }
  }
  remove_seqs({seq}, false);
}

void stream::on_durable(std::uint64_t seq) {
  if (seq <= durable_seq) return;
  durable_seq = seq;
  unsynced.erase(unsynced.begin(), unsynced.upper_bound(seq));
  kick_consumers();
}

void stream::on_removal_durable(std::uint64_t seq) {
  if (removing.erase(seq) > 0) kick_consumers();
}

void stream::kick_consumers() {
  std::vector<consumer*> cs;
  for (auto& [n, c] : consumers) cs.push_back(c.get());
  for (consumer* c : cs) c->kick();
}

}  // namespace natrium::jetstream

// engine: routing of JetStream's internal subscriptions, the storage tickets
// that gate acknowledgements, and timers.
#include "core/jetstream/engine.h"

#include <algorithm>

#include "core/base/assert.h"
#include "core/base/go_text.h"
#include "core/jetstream/engine_impl.h"
#include "core/subject/subject.h"

namespace natrium::jetstream {

namespace {

std::string hex16(std::uint64_t v) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) out[static_cast<std::size_t>(i)] = digits[v & 15];
  return out;
}

}  // namespace

std::string stream_catalog_key(std::uint64_t stream_id) { return "s:" + hex16(stream_id); }

std::string consumer_catalog_key(std::uint64_t stream_id, std::string_view consumer) {
  std::string k = "c:" + hex16(stream_id) + "/";
  k.append(consumer);
  return k;
}

std::string go_time_json(std::int64_t unix_ns) {
  if (unix_ns == 0) return "\"0001-01-01T00:00:00Z\"";
  go_time t;
  t.unix_s = unix_ns / 1'000'000'000;
  t.nanos = static_cast<std::int32_t>(unix_ns % 1'000'000'000);
  if (t.nanos < 0) {
    t.nanos += 1'000'000'000;
    t.unix_s -= 1;
  }
  return "\"" + go_format_time(t) + "\"";
}

engine::impl::impl(engine_config c, port& p) : cfg(std::move(c)), out(p) {}

engine::engine(engine_config cfg, port& p) : impl_(std::make_unique<impl>(std::move(cfg), p)) {}
engine::~engine() = default;

base::result<bool> engine::start(const store::store_reader* durable, base::mono_time now, base::wall_time wall) {
  auto& m = *impl_;
  NATRIUM_ASSERT(!m.started && durable != nullptr);
  m.durable = durable;
  m.now = now;
  m.wall = wall;
  auto r = m.recover();
  if (!r) return r;
  m.subscribe_api();
  m.out.subscribe(token_ack, "$JS.ACK.>");
  m.out.subscribe(token_fc, "$JS.FC.>");
  m.started = true;
  return true;
}

void engine::advance(base::mono_time now, base::wall_time wall) {
  auto& m = *impl_;
  m.now = now;
  if (wall > m.wall) m.wall = wall;
  while (!m.timers.empty() && std::get<0>(*m.timers.begin()) <= now.ns) {
    auto [due, kind, sid, c] = *m.timers.begin();
    m.timers.erase(m.timers.begin());
    if (kind == impl::timer_kind::consumer) {
      m.consumer_due.erase(c);
      c->on_timer(now);
    } else if (stream* s = m.stream_by_id(sid)) {
      if (kind == impl::timer_kind::max_age) {
        s->age_timer_armed = false;
        s->expire_aged();
      } else {
        s->expire_dedup();
      }
    }
    // Ephemeral consumers whose inactivity threshold passed.
    while (!m.to_expire.empty()) {
      consumer* gone = m.to_expire.back();
      m.to_expire.pop_back();
      for (auto& [name, s] : m.streams) {
        auto it = s->consumers.find(gone->name());
        if (it != s->consumers.end() && it->second.get() == gone) {
          m.delete_consumer(*s, *gone, true);
          break;
        }
      }
    }
  }
}

std::optional<base::mono_time> engine::next_deadline() const {
  if (impl_->timers.empty()) return std::nullopt;
  return base::mono_time{std::get<0>(*impl_->timers.begin())};
}

void engine::impl::set_consumer_timer(consumer* c, std::int64_t due) {
  clear_consumer_timer(c);
  consumer_due[c] = due;
  timers.emplace(due, timer_kind::consumer, 0, c);
}

void engine::impl::clear_consumer_timer(consumer* c) {
  auto it = consumer_due.find(c);
  if (it == consumer_due.end()) return;
  timers.erase({it->second, timer_kind::consumer, 0, c});
  consumer_due.erase(it);
}

void engine::on_message(std::uint64_t token, const in_msg& msg) {
  auto& m = *impl_;
  switch (token) {
    case token_ack: m.on_ack(msg); break;
    case token_fc: m.on_fc(msg); break;
    default: {
      auto it = m.by_token.find(token);
      if (it != m.by_token.end()) it->second->on_publish(msg);
      else if (m.api_tokens.count(token) != 0 || m.next_tokens.count(token) != 0 ||
               m.direct_tokens.count(token) != 0) {
        m.on_api(msg);
      }
      break;
    }
  }
}

void engine::on_client_subscribed(std::string_view subject) {
  auto& m = *impl_;
  for (auto& [sname, s] : m.streams) {
    for (auto& [cname, c] : s->consumers) {
      const auto& ds = c->config().deliver_subject;
      if (ds.empty()) continue;
      if (ds == subject) c->kick();  // interest is an exact subscription
    }
  }
}

// --- storage ---------------------------------------------------------------

void engine::impl::write(store::store_op op) { open_batch.ops.push_back(std::move(op)); }

void engine::impl::write_msg(stream& s, store::store_op op) {
  if (!s.is_memory()) {
    if (const auto* a = std::get_if<store::op_append>(&op)) s.unsynced.emplace(a->msg.seq, a->msg);
    write(std::move(op));
    return;
  }
  store::store_batch b;
  b.ops.push_back(std::move(op));
  auto r = mem.apply(b);
  if (!r) fence("memory store: " + r.err().text);
}

// Always parked on the open ticket: the write it reports may not be in the
// open batch yet (consumer state is added at take_batch), so only take_batch
// knows whether it can go out with an earlier ticket or at once.
void engine::impl::publish_when_durable(out_msg msg) { open.parked.push_back(std::move(msg)); }

void engine::impl::mark_durable(stream& s, std::uint64_t seq) {
  if (s.is_memory()) {
    s.on_durable(seq);
    return;
  }
  open.durable_marks.push_back({&s, seq, false});
}

void engine::impl::mark_removal(stream& s, std::uint64_t seq) {
  NATRIUM_ASSERT(!s.is_memory());
  s.removing.insert(seq);
  open.durable_marks.push_back({&s, seq, true});
}

void engine::impl::durable_mark::apply() const {
  if (removal) {
    s->on_removal_durable(seq);
  } else {
    s->on_durable(seq);
  }
}

void engine::impl::flush_consumer_states() {
  for (auto& [name, s] : streams) {
    if (s->dirty.empty()) continue;
    if (!s->is_memory()) {
      for (consumer* c : s->dirty) {
        write(store::op_save_consumer{s->sid(), c->name(), c->state()});
      }
    }
    s->dirty.clear();
  }
}

std::optional<std::pair<std::uint64_t, store::store_batch>> engine::take_batch() {
  auto& m = *impl_;
  m.flush_consumer_states();
  if (m.open_batch.ops.empty()) {
    // Nothing to write: what was parked waits for the batches in flight.
    if (!m.open.parked.empty() || !m.open.durable_marks.empty()) {
      if (!m.inflight.empty()) {
        auto& last = m.inflight.back();
        for (auto& p : m.open.parked) last.parked.push_back(std::move(p));
        for (auto& d : m.open.durable_marks) last.durable_marks.push_back(d);
      } else {
        for (auto& d : m.open.durable_marks) d.apply();
        for (auto& p : m.open.parked) m.out.publish(std::move(p));
      }
      m.open = {};
    }
    return std::nullopt;
  }
  if (m.fenced) {
    m.open_batch = {};
    m.open = {};
    return std::nullopt;
  }
  const std::uint64_t ticket = m.next_ticket++;
  m.open.ticket = ticket;
  m.inflight.push_back(std::move(m.open));
  m.open = {};
  store::store_batch b = std::move(m.open_batch);
  m.open_batch = {};
  return std::make_pair(ticket, std::move(b));
}

void engine::on_storage_done(std::uint64_t ticket, bool ok, std::string_view error) {
  auto& m = *impl_;
  if (m.inflight.empty() || m.inflight.front().ticket != ticket) {
    m.fence("storage reported ticket " + std::to_string(ticket) + " out of order");
    return;
  }
  impl::ticket_state t = std::move(m.inflight.front());
  m.inflight.pop_front();
  if (!ok) {
    m.fence("storage write failed: " + std::string(error));
    return;
  }
  for (auto& d : t.durable_marks) {
    bool live = false;
    for (auto& [name, st] : m.streams) live = live || st.get() == d.s;
    if (live) d.apply();
  }
  for (auto& p : t.parked) m.out.publish(std::move(p));
}

void engine::impl::fence(std::string why) {
  if (fenced) return;
  fenced = true;
  fence_reason = why;
  out.log(port::level::error, "JetStream storage failure, refusing writes: " + why);
  inflight.clear();
  open = {};
  open_batch = {};
}

// --- streams ---------------------------------------------------------------

stream* engine::impl::find_stream(std::string_view name) {
  auto it = streams.find(name);
  return it == streams.end() ? nullptr : it->second.get();
}

stream* engine::impl::stream_by_id(std::uint64_t id) {
  for (auto& [name, s] : streams) {
    if (s->id == id) return s.get();
  }
  return nullptr;
}

// The API services, each on its own subject as the reference registers them.
// Pull requests and direct gets subscribe per consumer / per stream. Besides
// those, a catch-all on `$JS.API.>` whose token nothing handles: the
// reference imports `$JS.API.>` into every JetStream account, so a request on
// any API subject without a service behind it (an unknown API, MSG.NEXT for
// a consumer that does not exist, DIRECT.GET on a stream without
// allow_direct) finds a responder that never answers, and no 503 is sent.
// Clients rely on that: the v3 ordered consumer notices a deleted consumer
// through missed heartbeats and a consumer info, not through no-responders.
void engine::impl::subscribe_api() {
  out.subscribe(next_token++, "$JS.API.>");
  static constexpr const char* subjects[] = {
      "$JS.API.INFO",
      "$JS.API.STREAM.CREATE.*",
      "$JS.API.STREAM.UPDATE.*",
      "$JS.API.STREAM.NAMES",
      "$JS.API.STREAM.LIST",
      "$JS.API.STREAM.INFO.*",
      "$JS.API.STREAM.DELETE.*",
      "$JS.API.STREAM.PURGE.*",
      "$JS.API.STREAM.MSG.GET.*",
      "$JS.API.STREAM.MSG.DELETE.*",
      "$JS.API.STREAM.LEADER.STEPDOWN.*",
      "$JS.API.CONSUMER.CREATE.*",
      "$JS.API.CONSUMER.CREATE.*.>",
      "$JS.API.CONSUMER.DURABLE.CREATE.*.*",
      "$JS.API.CONSUMER.NAMES.*",
      "$JS.API.CONSUMER.LIST.*",
      "$JS.API.CONSUMER.INFO.*.*",
      "$JS.API.CONSUMER.DELETE.*.*",
      "$JS.API.CONSUMER.LEADER.STEPDOWN.*.*",
  };
  for (const char* subj : subjects) {
    const std::uint64_t t = next_token++;
    out.subscribe(t, subj);
    api_tokens.insert(t);
  }
}

void engine::impl::subscribe_stream(stream& s) {
  for (const std::string& subj : s.cfg.subjects) {
    const std::uint64_t t = next_token++;
    out.subscribe(t, subj);
    by_token[t] = &s;
    s.tokens.push_back(t);
  }
  if (s.cfg.allow_direct) {
    for (std::string subj : {"$JS.API.DIRECT.GET." + s.cfg.name, "$JS.API.DIRECT.GET." + s.cfg.name + ".>"}) {
      const std::uint64_t t = next_token++;
      out.subscribe(t, subj);
      direct_tokens.insert(t);
      s.api_tokens.push_back(t);
    }
  }
}

void engine::impl::unsubscribe_stream(stream& s) {
  for (std::uint64_t t : s.tokens) {
    out.unsubscribe(t);
    by_token.erase(t);
  }
  s.tokens.clear();
  for (std::uint64_t t : s.api_tokens) {
    out.unsubscribe(t);
    direct_tokens.erase(t);
    next_tokens.erase(t);
  }
  s.api_tokens.clear();
}

void engine::impl::unsubscribe_next(stream& s, std::string_view consumer_name) {
  for (auto it = s.api_tokens.begin(); it != s.api_tokens.end();) {
    auto nt = next_tokens.find(*it);
    if (nt != next_tokens.end() && nt->second.second == consumer_name) {
      out.unsubscribe(*it);
      next_tokens.erase(nt);
      it = s.api_tokens.erase(it);
    } else {
      ++it;
    }
  }
}

std::map<std::string, stream_config, std::less<>> engine::impl::configs() const {
  std::map<std::string, stream_config, std::less<>> all;
  for (auto& [name, s] : streams) all.emplace(name, s->cfg);
  return all;
}

void engine::impl::save_stream(const stream& s) {
  std::string v = "{\"name\":" + go_json_quoted(s.cfg.name) + ",\"created\":" + std::to_string(s.created.ns) +
                  ",\"config\":" + stream_config_json(s.cfg) + "}";
  write(store::op_put_catalog{stream_catalog_key(s.id), std::move(v)});
}

void engine::impl::save_consumer_def(const stream& s, const consumer& c) {
  std::string v = "{\"name\":" + go_json_quoted(c.name()) + ",\"created\":" + std::to_string(c.created().ns) +
                  ",\"config\":" + consumer_config_json(c.config()) + "}";
  write(store::op_put_catalog{consumer_catalog_key(s.id, c.name()), std::move(v)});
}

void engine::impl::delete_consumer(stream& s, consumer& c, bool advisory) {
  const std::string name = c.name();
  c.on_delete();
  clear_consumer_timer(&c);
  s.dirty.erase(&c);
  std::erase(to_expire, &c);
  write(store::op_delete_catalog{consumer_catalog_key(s.id, name)});
  if (!s.is_memory()) write(store::op_delete_consumer{s.sid(), name});
  unsubscribe_next(s, name);
  auto it = s.consumers.find(name);
  NATRIUM_ASSERT(it != s.consumers.end());
  std::unique_ptr<consumer> gone = std::move(it->second);
  s.consumers.erase(it);
  if (advisory) {
    send_advisory("$JS.EVENT.ADVISORY.CONSUMER.DELETED." + s.cfg.name + "." + name,
                  "{\"type\":\"io.nats.jetstream.advisory.v1.consumer_action\",\"id\":" +
                      go_json_quoted(advisory_id()) + ",\"timestamp\":" + go_time_json(wall.ns) +
                      ",\"stream\":" + go_json_quoted(s.cfg.name) + ",\"consumer\":" + go_json_quoted(name) +
                      ",\"action\":\"delete\"}");
  }
  // Interest retention: messages only this consumer held may go now.
  if (s.cfg.retention != retention_policy::limits) {
    std::vector<std::uint64_t> seqs;
    for (std::uint64_t q = s.idx.next_matching(">", s.idx.first_seq()); q != 0;
         q = s.idx.next_matching(">", q + 1)) {
      seqs.push_back(q);
    }
    for (std::uint64_t q : seqs) s.release_if_unneeded(q);
  }
}

void engine::impl::delete_stream(stream& s) {
  unsubscribe_stream(s);
  std::vector<consumer*> cs;
  for (auto& [n, c] : s.consumers) cs.push_back(c.get());
  for (consumer* c : cs) {
    c->on_delete();
    clear_consumer_timer(c);
    std::erase(to_expire, c);
    write(store::op_delete_catalog{consumer_catalog_key(s.id, c->name())});
  }
  s.consumers.clear();
  s.dirty.clear();
  for (auto it = timers.begin(); it != timers.end();) {
    if (std::get<1>(*it) != timer_kind::consumer && std::get<2>(*it) == s.id) it = timers.erase(it);
    else ++it;
  }
  write(store::op_delete_catalog{stream_catalog_key(s.id)});
  if (s.is_memory()) {
    store::store_batch b;
    b.ops.push_back(store::op_delete_stream{s.sid()});
    (void)mem.apply(b);
  } else {
    write(store::op_delete_stream{s.sid()});
  }
  // Drop references from batches in flight.
  for (auto& t : inflight) std::erase_if(t.durable_marks, [&](auto& d) { return d.s == &s; });
  std::erase_if(open.durable_marks, [&](auto& d) { return d.s == &s; });
  streams.erase(s.cfg.name);
}

// --- replies, advisories -----------------------------------------------------

void engine::impl::reply(std::string_view to, std::string body) {
  if (to.empty()) return;
  out.publish(out_msg{std::string(to), {}, {}, std::move(body)});
}

void engine::impl::reply_durable(std::string_view to, std::string body) {
  if (to.empty()) return;
  publish_when_durable(out_msg{std::string(to), {}, {}, std::move(body)});
}

// Every API reply waits for the writes in flight, reads included: a reply
// never shows state (a consumer's ack floor, a message count) that a crash
// could still take back. Idle, nothing is in flight and it goes out at once.
void engine::impl::api_respond(const in_msg& m, std::string body, bool) {
  api_total++;
  audit(m.subject, m.payload, body);
  reply_durable(m.reply, std::move(body));
}

namespace {

// The fields Go adds to an error response because they are not omitempty
// (ApiPaged, JSApiStreamPurgeResponse.Purged, the initialized name lists).
std::string_view error_trailer(api_response_type t) {
  switch (t) {
    case api_response_type::stream_info: return ",\"total\":0,\"offset\":0,\"limit\":0";
    case api_response_type::stream_names: return ",\"total\":0,\"offset\":0,\"limit\":0,\"streams\":null";
    case api_response_type::stream_list: return ",\"total\":0,\"offset\":0,\"limit\":0,\"streams\":[]";
    case api_response_type::consumer_names:
    case api_response_type::consumer_list: return ",\"total\":0,\"offset\":0,\"limit\":0,\"consumers\":[]";
    case api_response_type::stream_purge: return ",\"purged\":0";
    default: return {};
  }
}

}  // namespace

void engine::impl::api_error_reply(const in_msg& m, api_response_type t, const api_error& e) {
  api_total++;
  api_errors++;
  std::string body = api_error_response(t, e);
  const std::string_view trailer = error_trailer(t);
  if (!trailer.empty()) {
    NATRIUM_ASSERT(body.back() == '}');
    body.insert(body.size() - 1, trailer);
  }
  audit(m.subject, m.payload, body);
  reply_durable(m.reply, std::move(body));
}

std::string engine::impl::advisory_id() {
  // 22 characters like a NUID, unique per server run and restart: the first
  // 12 of the server id and a 10-digit counter.
  std::string id = cfg.server_id.substr(0, std::min<std::size_t>(cfg.server_id.size(), 12));
  id.resize(12, '0');
  std::string n = std::to_string(next_advisory_id++ % 10'000'000'000ull);
  id.append(10 - n.size(), '0');
  id += n;
  NATRIUM_ASSERT(id.size() == 22);
  return id;
}

void engine::impl::send_advisory(std::string subject, std::string json) {
  if (!out.has_interest(subject)) return;
  out.publish(out_msg{std::move(subject), {}, {}, std::move(json)});
}

void engine::impl::audit(std::string_view subject, std::string_view request, std::string_view response) {
  static constexpr std::string_view audit_subject = "$JS.EVENT.ADVISORY.API";
  if (!out.has_interest(audit_subject)) return;
  std::string j = "{\"type\":\"io.nats.jetstream.advisory.v1.api_audit\",\"id\":" + go_json_quoted(advisory_id()) +
                  ",\"timestamp\":" + go_time_json(wall.ns) + ",\"server\":" + go_json_quoted(cfg.server_name) +
                  ",\"client\":{\"acc\":\"$G\"},\"subject\":" + go_json_quoted(subject);
  if (!request.empty()) j += ",\"request\":" + go_json_quoted(request);
  j += ",\"response\":" + go_json_quoted(response) + "}";
  out.publish(out_msg{std::string(audit_subject), {}, {}, std::move(j)});
}

// --- stats -----------------------------------------------------------------

engine_stats engine::stats() const {
  const auto& m = *impl_;
  engine_stats st;
  st.streams = m.streams.size();
  for (auto& [name, s] : m.streams) {
    st.consumers += s->consumers.size();
    st.messages += s->idx.msgs();
    st.bytes += s->idx.bytes();
    if (s->is_memory()) st.memory += s->idx.bytes();
    else st.store += s->idx.bytes();
  }
  st.api_total = m.api_total;
  st.api_errors = m.api_errors;
  st.fenced = m.fenced;
  return st;
}

std::string engine::streams_detail_json(bool config, bool consumers) const {
  const auto& m = *impl_;
  std::string j = "[";
  bool first = true;
  for (const auto& [name, s] : m.streams) {
    if (!first) j += ',';
    first = false;
    j += "{\"name\":" + go_json_quoted(name) + ",\"created\":" + go_time_json(s->created.ns) +
         ",\"cluster\":{\"leader\":" + go_json_quoted(m.cfg.server_name) + "}";
    if (config) j += ",\"config\":" + stream_config_json(s->cfg);
    j += ",\"state\":" + s->state_json("", false);
    if (consumers && !s->consumers.empty()) {
      j += ",\"consumer_detail\":[";
      bool cfirst = true;
      for (const auto& [cname, c] : s->consumers) {
        if (!cfirst) j += ',';
        cfirst = false;
        j += c->info_json();
      }
      j += ']';
    }
    j += '}';
  }
  return j + "]";
}

std::string engine::account_info_json() const { return account_info(*impl_); }

std::string account_info(const engine::impl& m) {
  engine_stats st;
  st.streams = m.streams.size();
  for (auto& [name, s] : m.streams) {
    st.consumers += s->consumers.size();
    if (s->is_memory()) st.memory += s->idx.bytes();
    else st.store += s->idx.bytes();
  }
  st.api_total = m.api_total;
  st.api_errors = m.api_errors;
  std::string j = "{\"memory\":" + std::to_string(st.memory) + ",\"storage\":" + std::to_string(st.store) +
                  ",\"streams\":" + std::to_string(st.streams) + ",\"consumers\":" + std::to_string(st.consumers) +
                  // No account limits are configured (-1: dynamic, bounded by the server's).
                  ",\"limits\":{\"max_memory\":-1,\"max_storage\":-1,\"max_streams\":-1,\"max_consumers\":-1,\"max_ack_pending\":-1,"
                  "\"memory_max_stream_bytes\":-1,\"storage_max_stream_bytes\":-1,\"max_bytes_required\":false}"
                  ",\"api\":{\"total\":" + std::to_string(st.api_total) + ",\"errors\":" +
                  std::to_string(st.api_errors) + "}}";
  return j;
}

}  // namespace natrium::jetstream

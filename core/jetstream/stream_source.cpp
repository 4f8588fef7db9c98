// Mirrors and sources between streams of this server (nats-server stream.go
// processInboundMirrorMsg / processInboundSourceMsg). A message stored in an
// origin stream is copied at once, in the same storage batch, to every stream
// that mirrors or sources it: a mirror keeps the origin's sequence and
// timestamp, a source appends with its own sequence and a
// "Nats-Stream-Source: <origin> <seq>" header. A new mirror or source first
// copies what the origin already holds from its start sequence or time.
#include <algorithm>

#include "core/jetstream/engine_impl.h"
#include "core/subject/subject.h"

namespace natrium::jetstream {

namespace {

bool filter_ok(const std::string& filter, std::string_view subject) {
  return filter.empty() || filter == ">" || subject::matches(subject, filter);
}

std::string with_header(std::string_view headers, std::string_view key, std::string_view value) {
  const std::string line = std::string(key) + ": " + std::string(value) + "\r\n";
  if (headers.empty()) return "NATS/1.0\r\n" + line + "\r\n";
  std::string h(headers);
  h.insert(h.size() - 2, line);
  return h;
}

}  // namespace

// The store only appends at last + 1: an empty message removed again in the
// same batch moves its last sequence on.
void stream::skip_seq(std::uint64_t seq, std::string_view subj) {
  idx.append(seq, subj, eng.wall.ns, 0);
  idx.remove(seq);
  store::stored_msg sm;
  sm.seq = seq;
  sm.timestamp_ns = eng.wall.ns;
  sm.subject.assign(subj);
  eng.write_msg(*this, store::op_append{sid(), std::move(sm)});
  eng.write_msg(*this, store::op_delete{sid(), seq, false});
}

// Stores a copied message in `d` (limits apply as to a publish).
void stream::ingest(std::uint64_t want_seq, std::string_view subj, std::string_view headers, std::string_view payload,
                    std::int64_t ts) {
  std::uint64_t seq = idx.last_seq() + 1;
  if (want_seq > 0) {
    if (want_seq < seq) return;  // already have it
    if (want_seq > seq) {
      if (idx.msgs() == 0) {
        idx.clear(want_seq);
        eng.write_msg(*this, store::op_compact{sid(), want_seq});
      } else {
        for (std::uint64_t q = seq; q < want_seq; ++q) skip_seq(q, subj);
      }
      seq = want_seq;
    }
  }
  store::stored_msg sm;
  sm.seq = seq;
  sm.timestamp_ns = ts;
  sm.subject.assign(subj);
  sm.headers.assign(headers);
  sm.payload.assign(payload);
  idx.append(seq, subj, ts, store::stored_size(subj.size(), headers.size(), payload.size()));
  eng.write_msg(*this, store::op_append{sid(), std::move(sm)});
  enforce_limits();
  if (cfg.max_age_ns > 0) arm_age_timer();
  eng.mark_durable(*this, seq);
  eng.feed_downstream(*this, seq, subj, headers, payload, ts);
}

void engine::impl::feed_downstream(stream& origin, std::uint64_t seq, std::string_view subj, std::string_view headers,
                                   std::string_view payload, std::int64_t ts) {
  for (auto& [name, d] : streams) {
    if (d.get() == &origin) continue;
    if (d->cfg.mirror && d->cfg.mirror->name == origin.cfg.name) {
      const auto& mc = *d->cfg.mirror;
      if (seq >= mc.opt_start_seq && filter_ok(mc.filter_subject, subj)) d->ingest(seq, subj, headers, payload, ts);
      d->source_seq[origin.cfg.name] = seq;
      d->source_active[origin.cfg.name] = now.ns;
    }
    for (const stream_source& src : d->cfg.sources) {
      if (src.name != origin.cfg.name) continue;
      if (seq >= src.opt_start_seq && filter_ok(src.filter_subject, subj)) {
        const std::string h = with_header(headers, "Nats-Stream-Source", origin.cfg.name + " " + std::to_string(seq));
        d->ingest(0, subj, h, payload, wall.ns);
      }
      d->source_seq[origin.cfg.name] = seq;
      d->source_active[origin.cfg.name] = now.ns;
    }
  }
}

// A new mirror or source copies what its origins already hold.
void engine::impl::backfill(stream& d) {
  auto copy_from = [&](const stream_source& src, bool mirror) {
    stream* o = find_stream(src.name);
    if (o == nullptr) return;
    std::uint64_t from = std::max<std::uint64_t>(src.opt_start_seq, o->idx.first_seq());
    if (src.opt_start_time) {
      const std::int64_t t = src.opt_start_time->unix_ns();
      std::uint64_t q = o->idx.next_matching(">", from);
      while (q != 0) {
        auto meta = o->idx.get(q);
        if (meta && meta->timestamp_ns >= t) break;
        q = o->idx.next_matching(">", q + 1);
      }
      from = q == 0 ? o->idx.last_seq() + 1 : q;
    }
    const std::string filter = src.filter_subject.empty() ? ">" : src.filter_subject;
    for (std::uint64_t q = o->idx.next_matching(filter, from); q != 0; q = o->idx.next_matching(filter, q + 1)) {
      auto loaded = o->load(q);
      if (!loaded) {
        fence("read failed: " + loaded.err().text);
        return;
      }
      if (!*loaded) continue;
      const store::stored_msg& m = **loaded;
      if (mirror) {
        d.ingest(m.seq, m.subject, m.headers, m.payload, m.timestamp_ns);
      } else {
        d.ingest(0, m.subject, with_header(m.headers, "Nats-Stream-Source", src.name + " " + std::to_string(m.seq)),
                 m.payload, wall.ns);
      }
    }
    d.source_seq[src.name] = o->idx.last_seq();
    d.source_active[src.name] = now.ns;
  };
  if (d.cfg.mirror) copy_from(*d.cfg.mirror, true);
  for (const stream_source& src : d.cfg.sources) copy_from(src, false);
}

// StreamSourceInfo: name, lag, active (ns since the last copy, -1 never).
std::string stream::source_info_json(const std::string& origin) const {
  std::uint64_t lag = 0;
  if (const stream* o = const_cast<engine::impl&>(eng).find_stream(origin)) {
    auto it = source_seq.find(origin);
    const std::uint64_t done = it == source_seq.end() ? 0 : it->second;
    lag = o->idx.last_seq() > done ? o->idx.last_seq() - done : 0;
  }
  auto a = source_active.find(origin);
  const std::int64_t active = a == source_active.end() ? -1 : eng.now.ns - a->second;
  return "{\"name\":" + go_json_quoted(origin) + ",\"lag\":" + std::to_string(lag) +
         ",\"active\":" + std::to_string(active) + "}";
}

std::string stream::sources_info_json() const {
  std::string j;
  if (cfg.mirror) j += ",\"mirror\":" + source_info_json(cfg.mirror->name);
  if (!cfg.sources.empty()) {
    j += ",\"sources\":[";
    for (std::size_t i = 0; i < cfg.sources.size(); ++i) {
      if (i > 0) j += ',';
      j += source_info_json(cfg.sources[i].name);
    }
    j += ']';
  }
  return j;
}

}  // namespace natrium::jetstream

// engine: recovery at startup from the durable store: stream and consumer
// definitions from the catalog, each file stream's index from a metadata
// scan (no payloads), the dedup window from the newest messages, consumer
// state from the store. Memory streams come back empty, as the reference's.
#include <charconv>

#include "core/jetstream/api_request.h"
#include "core/jetstream/engine_impl.h"
#include "core/proto/headers.h"

namespace natrium::jetstream {

namespace {

bool parse_id(std::string_view hex, std::uint64_t& id) {
  auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), id, 16);
  return ec == std::errc() && p == hex.data() + hex.size();
}

struct definition {
  std::string name;
  std::int64_t created = 0;
  const nlohmann::ordered_json* config = nullptr;
};

bool read_definition(const nlohmann::ordered_json& j, definition& d) {
  if (!j.is_object() || !go_read_string(j, "name", d.name) ||
      !go_read_int(j, "created", d.created, INT64_MIN, INT64_MAX)) {
    return false;
  }
  auto it = j.find("config");
  if (it == j.end()) return false;
  d.config = &*it;
  return true;
}

}  // namespace

base::result<bool> engine::impl::recover() {
  auto defs = durable->catalog(stream_catalog_prefix);
  if (!defs) return defs.err();
  for (const auto& [key, value] : *defs) {
    std::uint64_t id = 0;
    if (!parse_id(std::string_view(key).substr(stream_catalog_prefix.size()), id)) {
      return base::error{"catalog: bad stream key " + key};
    }
    auto j = parse_request(value);
    definition d;
    if (!j || !read_definition(*j, d)) return base::error{"catalog: bad stream definition " + key};
    auto parsed = parse_stream_config_value(*d.config);
    if (!parsed.ok()) return base::error{"catalog: bad stream config for " + d.name};
    auto s = std::make_unique<stream>(*this, id, *parsed.config, base::wall_time{d.created});
    stream& st = *s;
    next_stream_id = std::max(next_stream_id, id + 1);
    if (!st.is_memory()) {
      auto state = durable->state(st.sid());
      if (!state) return state.err();
      if (state->first_seq > 1) st.idx.clear(state->first_seq);
      auto scanned = durable->scan(st.sid(), state->first_seq, [&](const store::msg_meta_view& mv) {
        // mv.size is the store's stored_size (subject + headers + payload + 16);
        // the index counts sizes as the reference does (record_size).
        if (mv.corrupt) {
          // Reported (stream info "lost", the log), never served.
          st.lost.push_back(mv.seq);
          out.log(port::level::error, "JetStream stream '$G > " + st.cfg.name + "': message " +
                                          std::to_string(mv.seq) + " is corrupt (checksum mismatch); it is lost");
          return true;
        }
        NATRIUM_ASSERT(mv.size >= mv.subject.size() + 16);
        const std::uint64_t payload_len = mv.size - 16 - mv.subject.size() - mv.headers_len;
        st.idx.append(mv.seq, mv.subject, mv.timestamp_ns,
                      st.record_size(mv.subject.size(), mv.headers_len, payload_len));
        return true;
      });
      if (!scanned) return scanned.err();
      if (state->last_seq > st.idx.last_seq()) {
        if (st.idx.msgs() == 0) {
          st.idx.clear(state->last_seq + 1);
        } else {
          // The newest messages were removed: keep the sequence where it was.
          st.idx.append(state->last_seq, "_", state->last_ts_ns, 0);
          st.idx.remove(state->last_seq);
        }
      }
      st.durable_seq = st.idx.last_seq();
      // Dedup window and last msg id from the newest messages.
      const std::int64_t cutoff = wall.ns - st.cfg.duplicate_window_ns;
      std::vector<std::pair<std::string, std::pair<std::uint64_t, std::int64_t>>> ids;
      bool first_seen = true;
      for (std::uint64_t q = st.idx.last_seq(); q >= st.idx.first_seq() && q > 0; --q) {
        auto meta = st.idx.get(q);
        if (!meta) continue;
        if (meta->timestamp_ns < cutoff && !first_seen) break;
        auto msg = durable->load(st.sid(), q);
        if (!msg) {
          out.log(port::level::error, "JetStream stream '$G > " + st.cfg.name + "': message " + std::to_string(q) +
                                          " unreadable: " + msg.err().text);
          continue;
        }
        std::string id_value;
        if (*msg && !(*msg)->headers.empty()) {
          if (auto v = proto::find_header((*msg)->headers, "Nats-Msg-Id")) id_value.assign(*v);
        }
        if (first_seen) st.last_msg_id = id_value;
        first_seen = false;
        if (meta->timestamp_ns < cutoff) break;
        if (!id_value.empty()) ids.push_back({id_value, {q, meta->timestamp_ns}});
      }
      for (auto it = ids.rbegin(); it != ids.rend(); ++it) {
        st.dedup.emplace(it->first, it->second);
        st.dedup_order.emplace_back(it->first, it->second.second);
      }
      if (!st.dedup_order.empty()) st.expire_dedup();
    }
    streams.emplace(st.cfg.name, std::move(s));
  }
  for (auto& [name, sp] : streams) {
    stream& st = *sp;
    auto cdefs = durable->catalog(consumer_catalog_key(st.id, ""));
    if (!cdefs) return cdefs.err();
    for (const auto& [key, value] : *cdefs) {
      auto j = parse_request(value);
      definition d;
      if (!j || !read_definition(*j, d)) return base::error{"catalog: bad consumer definition " + key};
      auto parsed = parse_consumer_config_value(*d.config);
      if (!parsed.ok()) return base::error{"catalog: bad consumer config for " + d.name};
      std::optional<store::consumer_state> state;
      if (!st.is_memory()) {
        auto loaded = durable->load_consumer(st.sid(), d.name);
        if (!loaded) return loaded.err();
        state = std::move(*loaded);
      }
      auto c = std::make_unique<consumer>(st, d.name, *parsed.config, base::wall_time{d.created}, std::move(state));
      consumer& cr = *c;
      st.consumers.emplace(d.name, std::move(c));
      subscribe_next(st, cr);
    }
    subscribe_stream(st);
    if (st.cfg.max_age_ns > 0) st.expire_aged();
  }
  for (auto& [name, sp] : streams) sp->kick_consumers();
  return true;
}

}  // namespace natrium::jetstream

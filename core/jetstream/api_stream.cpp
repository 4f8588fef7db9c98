// engine: the $JS.API dispatcher and the stream API (nats-server
// jetstream_api.go jsStream*Request): create, update, info, names, list,
// delete, purge.
#include <algorithm>

#include "core/base/assert.h"
#include "core/jetstream/api_request.h"
#include "core/jetstream/engine_impl.h"
#include "core/jetstream/names.h"
#include "core/subject/subject.h"

namespace natrium::jetstream {

namespace {

constexpr std::size_t names_limit = 1024;  // JSApiNamesLimit
constexpr std::size_t list_limit = 256;    // JSApiListLimit

std::string response_head(api_response_type t) {
  return "{\"type\":\"" + std::string(response_type_string(t)) + "\"";
}

}  // namespace

void engine::impl::on_api(const in_msg& m) {
  // A request without a reply subject is still executed (the reference does).
  const auto tok = subject::tokens(m.subject);
  // tok[0] = "$JS", tok[1] = "API"
  if (tok.size() < 3) return;
  auto at = [&](std::size_t i) -> std::string_view { return i < tok.size() ? tok[i] : std::string_view{}; };
  const std::string_view a = at(2), b = at(3);
  if (a == "INFO" && tok.size() == 3) return api_account_info(m);
  if (a == "STREAM") {
    if (b == "CREATE" && tok.size() == 5) return api_stream_create(m, at(4));
    if (b == "UPDATE" && tok.size() == 5) return api_stream_update(m, at(4));
    if (b == "INFO" && tok.size() == 5) return api_stream_info(m, at(4));
    if (b == "NAMES" && tok.size() == 4) return api_stream_names(m, false);
    if (b == "LIST" && tok.size() == 4) return api_stream_names(m, true);
    if (b == "DELETE" && tok.size() == 5) return api_stream_delete(m, at(4));
    if (b == "PURGE" && tok.size() == 5) return api_stream_purge(m, at(4));
    if (b == "MSG" && at(4) == "GET" && tok.size() == 6) return api_msg_get(m, at(5));
    if (b == "MSG" && at(4) == "DELETE" && tok.size() == 6) return api_msg_delete(m, at(5));
    if (b == "LEADER" && at(4) == "STEPDOWN" && tok.size() == 6)
      return api_leader_stepdown(m, api_response_type::stream_leader_stepdown, true, at(5), {});
    return;
  }
  if (a == "DIRECT" && b == "GET" && tok.size() >= 5) {
    // (direct gets are not API calls in the reference's stats)
    std::string_view last;
    if (tok.size() > 5) {
      const std::size_t prefix = std::string_view("$JS.API.DIRECT.GET.").size() + tok[4].size() + 1;
      last = m.subject.substr(prefix);
    }
    return api_direct_get(m, at(4), last);
  }
  if (a == "CONSUMER") {
    if (b == "CREATE" || (b == "DURABLE" && at(4) == "CREATE")) return api_consumer_create(m);
    if (b == "INFO" && tok.size() == 6) return api_consumer_info(m, at(4), at(5));
    if (b == "NAMES" && tok.size() == 5) return api_consumer_names(m, at(4), false);
    if (b == "LIST" && tok.size() == 5) return api_consumer_names(m, at(4), true);
    if (b == "DELETE" && tok.size() == 6) return api_consumer_delete(m, at(4), at(5));
    if (b == "MSG" && at(4) == "NEXT" && tok.size() == 7) return api_consumer_next(m, at(5), at(6));
    if (b == "LEADER" && at(4) == "STEPDOWN" && tok.size() == 7)
      return api_leader_stepdown(m, api_response_type::consumer_leader_stepdown, true, at(5), at(6));
  }
}

void engine::impl::api_account_info(const in_msg& m) {
  if (!is_empty_request(m.payload)) {
    // The reference ignores the body of INFO.
  }
  std::string body = account_info(*this);
  // {"memory":...} -> {"type":"...",...}
  body.erase(0, 1);
  api_respond(m, response_head(api_response_type::account_info) + "," + body);
}

void engine::impl::api_stream_create(const in_msg& m, std::string_view name) {
  const auto type = api_response_type::stream_create;
  auto parsed = parse_stream_config(m.payload);
  if (!parsed.ok()) return api_error_reply(m, type, *parsed.error);
  if (auto e = check_stream_create_request(name, *parsed.config)) return api_error_reply(m, type, *e);
  if (fenced) return api_error_reply(m, type, make_api_error(api_error_id::insufficient_resources_err));
  const auto all = configs();
  stream_check_context ctx;
  ctx.streams = &all;
  auto checked = check_stream_config(*parsed.config, ctx);
  if (!checked.ok()) return api_error_reply(m, type, *checked.error);
  stream_config cfg = *checked.config;
  if (auto e = check_stream_add(cfg, false, all)) return api_error_reply(m, type, *e);
  if (stream* existing = find_stream(cfg.name)) {
    // Identical config: idempotent create.
    api_respond(m, response_head(type) + "," + existing->info_json("", false) + ",\"did_create\":true}");
    return;
  }
  // Account storage limits (jsNonClusteredStreamLimitsCheck, simplified).
  const std::int64_t limit = cfg.storage == storage_type::memory ? this->cfg.max_memory : this->cfg.max_store;
  if (limit >= 0 && cfg.max_bytes > limit) {
    return api_error_reply(m, type, make_api_error(api_error_id::insufficient_resources_err));
  }
  const std::uint64_t sid = next_stream_id++;
  auto s = std::make_unique<stream>(*this, sid, cfg, wall);
  stream& st = *s;
  streams.emplace(cfg.name, std::move(s));
  // A reused id must start clean (the store may hold an old stream's data).
  if (st.is_memory()) {
    store::store_batch b;
    b.ops.push_back(store::op_delete_stream{st.sid()});
    (void)mem.apply(b);
  }
  save_stream(st);
  subscribe_stream(st);
  backfill(st);
  send_advisory("$JS.EVENT.ADVISORY.STREAM.CREATED." + cfg.name,
                "{\"type\":\"io.nats.jetstream.advisory.v1.stream_action\",\"id\":" + go_json_quoted(advisory_id()) +
                    ",\"timestamp\":" + go_time_json(wall.ns) + ",\"stream\":" + go_json_quoted(cfg.name) +
                    ",\"action\":\"create\"}");
  const std::string body = response_head(type) + "," + st.info_json("", false) + ",\"did_create\":true}";
  api_respond(m, body, true);
}

void engine::impl::api_stream_update(const in_msg& m, std::string_view name) {
  const auto type = api_response_type::stream_update;
  auto parsed = parse_stream_config(m.payload);
  if (!parsed.ok()) return api_error_reply(m, type, *parsed.error);
  if (auto e = check_stream_update_request(name, *parsed.config)) return api_error_reply(m, type, *e);
  stream* s = find_stream(name);
  if (s == nullptr) return api_error_reply(m, type, make_api_error(api_error_id::stream_not_found_err));
  if (fenced) return api_error_reply(m, type, make_api_error(api_error_id::insufficient_resources_err));
  auto all = configs();
  stream_check_context ctx;
  ctx.streams = &all;
  auto checked = check_stream_update(s->cfg, *parsed.config, ctx);
  if (!checked.ok()) return api_error_reply(m, type, *checked.error);
  stream_config cfg = *checked.config;
  if (auto e = check_subjects_overlap_streams(cfg, all)) return api_error_reply(m, type, *e);
  const bool subjects_changed = cfg.subjects != s->cfg.subjects;
  s->cfg = cfg;
  if (subjects_changed) {
    unsubscribe_stream(*s);
    subscribe_stream(*s);
  }
  s->enforce_limits();
  if (s->cfg.max_age_ns > 0) s->expire_aged();
  save_stream(*s);
  send_advisory("$JS.EVENT.ADVISORY.STREAM.UPDATED." + cfg.name,
                "{\"type\":\"io.nats.jetstream.advisory.v1.stream_action\",\"id\":" + go_json_quoted(advisory_id()) +
                    ",\"timestamp\":" + go_time_json(wall.ns) + ",\"stream\":" + go_json_quoted(cfg.name) +
                    ",\"action\":\"modify\"}");
  const std::string body = response_head(type) + "," + s->info_json("", false) + "}";
  api_respond(m, body, true);
}

void engine::impl::api_stream_info(const in_msg& m, std::string_view name) {
  const auto type = api_response_type::stream_info;
  std::string filter;
  bool deleted_details = false;
  std::int64_t offset = 0;
  if (!is_empty_request(m.payload)) {
    auto j = parse_request(m.payload);
    if (!j || !j->is_object() || !go_read_string(*j, "subjects_filter", filter) ||
        !go_read_bool(*j, "deleted_details", deleted_details) ||
        !go_read_int(*j, "offset", offset, INT32_MIN, INT32_MAX)) {
      return api_error_reply(m, type, make_api_error(api_error_id::invalid_json_err));
    }
  }
  stream* s = find_stream(name);
  if (s == nullptr) return api_error_reply(m, type, make_api_error(api_error_id::stream_not_found_err));
  std::string paged;
  if (!filter.empty()) {
    const std::size_t total = s->idx.subjects_filter(filter).size();
    paged = ",\"total\":" + std::to_string(total) + ",\"offset\":" + std::to_string(offset) +
            ",\"limit\":100000";
  } else {
    paged = ",\"total\":0,\"offset\":0,\"limit\":0";
  }
  api_respond(m, response_head(type) + paged + "," + s->info_json(filter, deleted_details) + "}");
}

void engine::impl::api_stream_names(const in_msg& m, bool list) {
  const auto type = list ? api_response_type::stream_list : api_response_type::stream_names;
  std::string filter;
  std::int64_t offset = 0;
  if (!is_empty_request(m.payload)) {
    auto j = parse_request(m.payload);
    if (!j || !j->is_object() || !go_read_string(*j, "subject", filter) ||
        !go_read_int(*j, "offset", offset, INT32_MIN, INT32_MAX)) {
      return api_error_reply(m, type, make_api_error(api_error_id::invalid_json_err));
    }
  }
  std::vector<stream*> matched;
  for (auto& [name, s] : streams) {
    if (!filter.empty()) {  // filteredStreams: any stream subject colliding with the filter
      bool hit = false;
      for (const auto& subj : s->cfg.subjects) hit = hit || subjects_collide(filter, subj);
      if (!hit) continue;
    }
    matched.push_back(s.get());
  }
  const std::size_t limit = list ? list_limit : names_limit;
  const std::size_t start = std::min<std::size_t>(static_cast<std::size_t>(std::max<std::int64_t>(0, offset)),
                                                  matched.size());
  const std::size_t end = std::min(matched.size(), start + limit);
  std::string body = response_head(type) + ",\"total\":" + std::to_string(matched.size()) +
                     ",\"offset\":" + std::to_string(start) + ",\"limit\":" + std::to_string(limit) +
                     ",\"streams\":";
  if (!list && start == end) {
    body += "null}";  // JSApiStreamNamesResponse.Streams is a nil slice until appended to
  } else {
    body += '[';
    for (std::size_t i = start; i < end; ++i) {
      if (i > start) body += ',';
      if (list) body += "{" + matched[i]->info_json("", false) + "}";
      else body += go_json_quoted(matched[i]->cfg.name);
    }
    body += "]}";
  }
  api_respond(m, std::move(body));
}

void engine::impl::api_stream_delete(const in_msg& m, std::string_view name) {
  const auto type = api_response_type::stream_delete;
  if (!is_empty_request(m.payload)) {
    return api_error_reply(m, type, make_api_error(api_error_id::not_empty_request_err));
  }
  stream* s = find_stream(name);
  if (s == nullptr) return api_error_reply(m, type, make_api_error(api_error_id::stream_not_found_err));
  if (fenced) return api_error_reply(m, type, make_api_error(api_error_id::insufficient_resources_err));
  const std::string sname = s->cfg.name;
  delete_stream(*s);
  send_advisory("$JS.EVENT.ADVISORY.STREAM.DELETED." + sname,
                "{\"type\":\"io.nats.jetstream.advisory.v1.stream_action\",\"id\":" + go_json_quoted(advisory_id()) +
                    ",\"timestamp\":" + go_time_json(wall.ns) + ",\"stream\":" + go_json_quoted(sname) +
                    ",\"action\":\"delete\"}");
  const std::string body = response_head(type) + ",\"success\":true}";
  api_respond(m, body, true);
}

void engine::impl::api_stream_purge(const in_msg& m, std::string_view name) {
  const auto type = api_response_type::stream_purge;
  std::string filter;
  std::uint64_t seq = 0, keep = 0;
  if (!is_empty_request(m.payload)) {
    auto j = parse_request(m.payload);
    if (!j || !j->is_object() || !go_read_string(*j, "filter", filter) || !go_read_uint(*j, "seq", seq) ||
        !go_read_uint(*j, "keep", keep)) {
      return api_error_reply(m, type, make_api_error(api_error_id::invalid_json_err));
    }
  }
  stream* s = find_stream(name);
  if (s == nullptr) return api_error_reply(m, type, make_api_error(api_error_id::stream_not_found_err));
  if (s->cfg.sealed) return api_error_reply(m, type, make_api_error(api_error_id::stream_sealed_err));
  if (s->cfg.deny_purge) {
    return api_error_reply(m, type,
                           make_api_error_err(api_error_id::stream_purge_failed_f, "stream purge not permitted"));
  }
  if (seq > 0 && keep > 0) return api_error_reply(m, type, make_api_error(api_error_id::bad_request_err));
  if (fenced) return api_error_reply(m, type, make_api_error(api_error_id::insufficient_resources_err));
  const std::uint64_t purged = s->purge(filter, seq, keep);
  const std::string body = response_head(type) + ",\"success\":true,\"purged\":" + std::to_string(purged) + "}";
  api_respond(m, body, true);
}

void engine::impl::api_leader_stepdown(const in_msg& m, api_response_type type, bool, std::string_view stream_name,
                                       std::string_view consumer_name) {
  stream* s = find_stream(stream_name);
  if (s == nullptr) return api_error_reply(m, type, make_api_error(api_error_id::stream_not_found_err));
  if (!consumer_name.empty() && s->consumers.find(consumer_name) == s->consumers.end()) {
    return api_error_reply(m, type, make_api_error(api_error_id::consumer_not_found_err));
  }
  // A single server is always the leader: accepted, nothing changes.
  api_respond(m, response_head(type) + ",\"success\":true}");
}

}  // namespace natrium::jetstream

// engine: the consumer API (jetstream_api.go jsConsumer*Request, consumer.go
// addConsumerWithAssignment), pull requests, and the ack / flow control
// subjects routed to consumers.
#include <algorithm>

#include "core/jetstream/api_request.h"
#include "core/jetstream/engine_impl.h"
#include "core/jetstream/names.h"
#include "core/subject/subject.h"

namespace natrium::jetstream {

namespace {

std::string with_type(api_response_type t, const std::string& info) {
  // info is a JSON object "{...}": insert the type first.
  return "{\"type\":\"" + std::string(response_type_string(t)) + "\"," + info.substr(1);
}

}  // namespace

std::string engine::impl::next_consumer_name() {
  // createConsumerName: 8 characters; deterministic from the server id and a counter.
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::uint64_t x = 0xcbf29ce484222325ull;
  for (char ch : cfg.server_id) x = (x ^ static_cast<unsigned char>(ch)) * 0x100000001b3ull;
  x ^= ++ephemeral_counter * 0x9e3779b97f4a7c15ull;
  std::string name;
  for (int i = 0; i < 8; ++i) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 29;
    name += alphabet[x % 62];
  }
  return name;
}

void engine::impl::api_consumer_create(const in_msg& m) {
  const auto type = api_response_type::consumer_create;
  api_error perr;
  auto req = parse_consumer_create_request(m.payload, &perr);
  if (!req) return api_error_reply(m, type, perr);
  if (auto e = check_consumer_create_subject(m.subject, *req)) return api_error_reply(m, type, *e);
  if (auto e = check_consumer_single_server(req->config)) return api_error_reply(m, type, *e);
  stream* s = find_stream(req->stream_name);
  if (s == nullptr) return api_error_reply(m, type, make_api_error(api_error_id::stream_not_found_err));
  if (fenced) return api_error_reply(m, type, make_api_error(api_error_id::insufficient_resources_err));
  consumer_check_context ctx;
  ctx.stream = &s->cfg;
  std::string generated;
  if (req->config.durable_name.empty() && req->config.name.empty()) generated = next_consumer_name();
  auto checked = check_new_consumer(req->config, ctx, generated);
  if (!checked.ok()) return api_error_reply(m, type, *checked.error);
  consumer_config cfg = *checked.config;
  const std::string cname = cfg.is_durable() ? cfg.durable_name : (cfg.name.empty() ? generated : cfg.name);
  // (cfg.name stays empty for legacy durables and generated names: the
  // reference echoes no "name" in their config.)

  if (auto it = s->consumers.find(cname); it != s->consumers.end()) {
    consumer& eo = *it->second;
    if (eo.config() == cfg) {
      api_respond(m, with_type(type, eo.info_json()));
      return;
    }
    const bool interest = !eo.config().deliver_subject.empty() &&
                          out.has_exact_interest(eo.config().deliver_subject, eo.config().deliver_group);
    if (auto e = check_consumer_update(eo.config(), cfg, interest)) return api_error_reply(m, type, *e);
    const bool was_pull = eo.config().is_pull();
    eo.update_config(cfg);
    if (was_pull != cfg.is_pull()) {
      // (check_consumer_update refuses push <-> pull changes.)
    }
    save_consumer_def(*s, eo);
    const std::string body = with_type(type, eo.info_json());
    api_respond(m, body, true);
    eo.kick();
    return;
  }
  if (s->cfg.retention == retention_policy::workqueue) {
    std::vector<const consumer_config*> existing;
    for (auto& [n, c] : s->consumers) existing.push_back(&c->config());
    if (auto e = check_workqueue_consumer(cfg, s->cfg, existing)) return api_error_reply(m, type, *e);
  }
  if (auto e = check_consumer_count(s->cfg, -1, s->consumers.size())) return api_error_reply(m, type, *e);

  auto owned = std::make_unique<consumer>(*s, cname, cfg, wall, std::nullopt);
  consumer& c = *owned;
  s->consumers.emplace(cname, std::move(owned));
  save_consumer_def(*s, c);
  s->dirty.insert(&c);
  subscribe_next(*s, c);  // push consumers too: they answer 409 (processNextMsgReq)
  send_advisory("$JS.EVENT.ADVISORY.CONSUMER.CREATED." + s->cfg.name + "." + cname,
                "{\"type\":\"io.nats.jetstream.advisory.v1.consumer_action\",\"id\":" + go_json_quoted(advisory_id()) +
                    ",\"timestamp\":" + go_time_json(wall.ns) + ",\"stream\":" + go_json_quoted(s->cfg.name) +
                    ",\"consumer\":" + go_json_quoted(cname) + ",\"action\":\"create\"}");
  const std::string body = with_type(type, c.info_json());
  api_respond(m, body, true);
  c.kick();
}

void engine::impl::subscribe_next(stream& s, consumer& c) {
  const std::uint64_t t = next_token++;
  out.subscribe(t, "$JS.API.CONSUMER.MSG.NEXT." + s.cfg.name + "." + c.name());
  next_tokens[t] = {&s, c.name()};
  s.api_tokens.push_back(t);
}

// The consumer `name` of stream `stream_name` (and its stream in `s`), or
// null after replying 10059 / 10014 as the reference does.
consumer* engine::impl::find_consumer_or_reply(const in_msg& m, api_response_type type, std::string_view stream_name,
                                               std::string_view name, stream*& s) {
  s = find_stream(stream_name);
  if (s == nullptr) {
    api_error_reply(m, type, make_api_error(api_error_id::stream_not_found_err));
    return nullptr;
  }
  auto it = s->consumers.find(name);
  if (it == s->consumers.end()) {
    api_error_reply(m, type, make_api_error(api_error_id::consumer_not_found_err));
    return nullptr;
  }
  return it->second.get();
}

void engine::impl::api_consumer_info(const in_msg& m, std::string_view stream_name, std::string_view name) {
  const auto type = api_response_type::consumer_info;
  if (!is_empty_request(m.payload)) {
    return api_error_reply(m, type, make_api_error(api_error_id::not_empty_request_err));
  }
  stream* s = nullptr;
  consumer* c = find_consumer_or_reply(m, type, stream_name, name, s);
  if (c == nullptr) return;
  api_respond(m, with_type(type, c->info_json()));
}

void engine::impl::api_consumer_names(const in_msg& m, std::string_view stream_name, bool list) {
  const auto type = list ? api_response_type::consumer_list : api_response_type::consumer_names;
  std::int64_t offset = 0;
  if (!is_empty_request(m.payload)) {
    auto j = parse_request(m.payload);
    if (!j || !j->is_object() || !go_read_int(*j, "offset", offset, INT32_MIN, INT32_MAX)) {
      return api_error_reply(m, type, make_api_error(api_error_id::invalid_json_err));
    }
  }
  stream* s = find_stream(stream_name);
  if (s == nullptr) return api_error_reply(m, type, make_api_error(api_error_id::stream_not_found_err));
  const std::size_t limit = list ? 256 : 1024;
  const std::size_t total = s->consumers.size();
  const std::size_t start = std::min<std::size_t>(static_cast<std::size_t>(std::max<std::int64_t>(0, offset)), total);
  std::string body = "{\"type\":\"" + std::string(response_type_string(type)) + "\",\"total\":" +
                     std::to_string(total) + ",\"offset\":" + std::to_string(offset) + ",\"limit\":" +
                     std::to_string(limit) + ",\"consumers\":[";
  std::size_t i = 0, n = 0;
  for (auto& [cname, c] : s->consumers) {
    if (i++ < start) continue;
    if (n == limit) break;
    if (n++ > 0) body += ',';
    body += list ? c->info_json() : go_json_quoted(cname);
  }
  body += "]}";
  api_respond(m, std::move(body));
}

void engine::impl::api_consumer_delete(const in_msg& m, std::string_view stream_name, std::string_view name) {
  const auto type = api_response_type::consumer_delete;
  if (!is_empty_request(m.payload)) {
    return api_error_reply(m, type, make_api_error(api_error_id::not_empty_request_err));
  }
  stream* s = nullptr;
  consumer* c = find_consumer_or_reply(m, type, stream_name, name, s);
  if (c == nullptr) return;
  if (fenced) return api_error_reply(m, type, make_api_error(api_error_id::insufficient_resources_err));
  delete_consumer(*s, *c, true);
  const std::string body = "{\"type\":\"" + std::string(response_type_string(type)) + "\",\"success\":true}";
  api_respond(m, body, true);
}

void engine::impl::api_consumer_next(const in_msg& m, std::string_view stream_name, std::string_view name) {
  stream* s = find_stream(stream_name);
  if (s == nullptr) return;
  auto it = s->consumers.find(name);
  if (it == s->consumers.end()) return;
  it->second->on_next_request(m.reply, m.payload);
}

void engine::impl::on_ack(const in_msg& m) {
  // $JS.ACK.<stream>.<consumer>.<...>
  const auto tok = subject::tokens(m.subject);
  if (tok.size() < 4) return;
  stream* s = find_stream(tok[2]);
  if (s == nullptr) return;
  auto it = s->consumers.find(tok[3]);
  if (it == s->consumers.end()) return;
  it->second->on_ack(m.subject, m.payload, m.reply);
}

void engine::impl::on_fc(const in_msg& m) {
  // $JS.FC.<stream>.<consumer>.<...>
  const auto tok = subject::tokens(m.subject);
  if (tok.size() < 4) return;
  stream* s = find_stream(tok[2]);
  if (s == nullptr) return;
  auto it = s->consumers.find(tok[3]);
  if (it == s->consumers.end()) return;
  it->second->on_flow_control_reply(m.subject);
}

}  // namespace natrium::jetstream

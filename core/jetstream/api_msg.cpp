// engine: the message API (jetstream_api.go jsMsgGetRequest, jsMsgDeleteRequest)
// and direct gets (stream.go processDirectGetRequest, getDirectRequest).
#include "core/jetstream/api_request.h"
#include "core/jetstream/engine_impl.h"

namespace natrium::jetstream {

namespace {

struct get_request {
  std::uint64_t seq = 0;
  std::string last_by_subj;
  std::string next_by_subj;
};

bool read_get_request(const nlohmann::ordered_json& j, get_request& r) {
  return j.is_object() && go_read_uint(j, "seq", r.seq) && go_read_string(j, "last_by_subj", r.last_by_subj) &&
         go_read_string(j, "next_by_subj", r.next_by_subj);
}

// The seq a get request names in `s`, or 0 if there is no such message.
std::uint64_t resolve(const stream& s, const get_request& r) {
  if (r.seq > 0 && r.next_by_subj.empty()) return s.idx.contains(r.seq) ? r.seq : 0;
  if (!r.next_by_subj.empty()) return s.idx.next_matching(r.next_by_subj, std::max<std::uint64_t>(r.seq, 1));
  return s.idx.last_matching(r.last_by_subj);
}

void append_header(std::string& hdr, std::string_view key, std::string_view value) {
  // genHeader: before the blank line that ends the block.
  std::string line = std::string(key) + ": " + std::string(value) + "\r\n";
  if (hdr.size() >= 2 && hdr.compare(hdr.size() - 2, 2, "\r\n") == 0) hdr.insert(hdr.size() - 2, line);
  else hdr += line;
}

std::string rfc3339_nano(std::int64_t ns) {
  std::string q = go_time_json(ns);
  return q.substr(1, q.size() - 2);
}

}  // namespace

void engine::impl::api_msg_get(const in_msg& m, std::string_view name) {
  const auto type = api_response_type::msg_get;
  if (is_empty_request(m.payload)) return api_error_reply(m, type, make_api_error(api_error_id::bad_request_err));
  get_request r;
  auto j = parse_request(m.payload);
  if (!j || !read_get_request(*j, r)) {
    return api_error_reply(m, type, make_api_error(api_error_id::invalid_json_err));
  }
  if ((r.seq > 0 && !r.last_by_subj.empty()) ||
      (r.seq == 0 && r.last_by_subj.empty() && r.next_by_subj.empty()) ||
      (!r.last_by_subj.empty() && !r.next_by_subj.empty())) {
    return api_error_reply(m, type, make_api_error(api_error_id::bad_request_err));
  }
  stream* s = find_stream(name);
  if (s == nullptr) return api_error_reply(m, type, make_api_error(api_error_id::stream_not_found_err));
  const std::uint64_t seq = resolve(*s, r);
  auto loaded = seq == 0 ? base::result<std::optional<store::stored_msg>>(std::optional<store::stored_msg>{})
                         : s->load(seq);
  if (!loaded) {
    fence("read failed: " + loaded.err().text);
    return api_error_reply(m, type, make_api_error(api_error_id::no_message_found_err));
  }
  if (!*loaded) return api_error_reply(m, type, make_api_error(api_error_id::no_message_found_err));
  const store::stored_msg& sm = **loaded;
  std::string body = "{\"type\":\"" + std::string(response_type_string(type)) + "\",\"message\":{\"subject\":" +
                     go_json_quoted(sm.subject) + ",\"seq\":" + std::to_string(sm.seq);
  if (!sm.headers.empty()) body += ",\"hdrs\":\"" + base64_encode(sm.headers) + "\"";
  if (!sm.payload.empty()) body += ",\"data\":\"" + base64_encode(sm.payload) + "\"";
  body += ",\"time\":" + go_time_json(sm.timestamp_ns) + "}}";
  api_respond(m, std::move(body));
}

void engine::impl::api_msg_delete(const in_msg& m, std::string_view name) {
  const auto type = api_response_type::msg_delete;
  if (is_empty_request(m.payload)) return api_error_reply(m, type, make_api_error(api_error_id::bad_request_err));
  std::uint64_t seq = 0;
  bool no_erase = false;
  auto j = parse_request(m.payload);
  if (!j || !j->is_object() || !go_read_uint(*j, "seq", seq) || !go_read_bool(*j, "no_erase", no_erase)) {
    return api_error_reply(m, type, make_api_error(api_error_id::invalid_json_err));
  }
  stream* s = find_stream(name);
  if (s == nullptr) return api_error_reply(m, type, make_api_error(api_error_id::stream_not_found_err));
  if (s->cfg.sealed) return api_error_reply(m, type, make_api_error(api_error_id::stream_sealed_err));
  if (s->cfg.deny_delete) {
    return api_error_reply(m, type,
                           make_api_error_err(api_error_id::stream_msg_delete_failed_f, "message delete not permitted"));
  }
  if (fenced) return api_error_reply(m, type, make_api_error(api_error_id::insufficient_resources_err));
  if (!s->is_memory() && (seq == 0 || seq > s->idx.last_seq())) {
    // fileStore.removeMsg: no block holds it (the memory store just says no).
    return api_error_reply(m, type,
                           make_api_error_err(api_error_id::stream_msg_delete_failed_f,
                                              seq == 0 ? "no message found" : "stream store EOF"));
  }
  if (s->remove_seqs({seq}, !no_erase) == 0) {
    return api_error_reply(m, type,
                           make_api_error(api_error_id::sequence_not_found_err_f, {{"{seq}", std::to_string(seq)}}));
  }
  const std::string body = "{\"type\":\"" + std::string(response_type_string(type)) + "\",\"success\":true}";
  api_respond(m, body, true);
}

void engine::impl::api_direct_get(const in_msg& m, std::string_view name, std::string_view last_subject) {
  stream* s = find_stream(name);
  if (s == nullptr || !s->cfg.allow_direct) return;  // no such service: the request finds nobody
  auto status = [&](std::string_view hdr) { out.publish(out_msg{std::string(m.reply), {}, std::string(hdr), {}}); };
  // What the stream holds (a message, or none) may include writes not durable
  // yet: that answer waits for them, as their PubAcks do (a reader must never
  // see a write that a crash could still undo).
  auto state_status = [&](std::string_view hdr) {
    publish_when_durable(out_msg{std::string(m.reply), {}, std::string(hdr), {}});
  };
  get_request r;
  if (!last_subject.empty()) {
    if (!m.payload.empty()) return status("NATS/1.0 408 Bad Request\r\n\r\n");
    r.last_by_subj.assign(last_subject);
  } else {
    if (m.payload.empty()) return status("NATS/1.0 408 Empty Request\r\n\r\n");
    auto j = parse_request(m.payload);
    if (!j || !read_get_request(*j, r)) return status("NATS/1.0 408 Malformed Request\r\n\r\n");
    if (r.seq == 0 && r.last_by_subj.empty() && r.next_by_subj.empty())
      return status("NATS/1.0 408 Empty Request\r\n\r\n");
    if (r.seq > 0 && !r.last_by_subj.empty()) return status("NATS/1.0 408 Bad Request\r\n\r\n");
    if (!r.last_by_subj.empty() && !r.next_by_subj.empty()) return status("NATS/1.0 408 Bad Request\r\n\r\n");
  }
  const std::uint64_t seq = resolve(*s, r);
  auto loaded = seq == 0 ? base::result<std::optional<store::stored_msg>>(std::optional<store::stored_msg>{})
                         : s->load(seq);
  if (!loaded) fence("read failed: " + loaded.err().text);
  if (!loaded || !*loaded) return state_status("NATS/1.0 404 Message Not Found\r\n\r\n");
  store::stored_msg& sm = **loaded;
  std::string hdr;
  if (sm.headers.empty()) {
    hdr = "NATS/1.0\r\nNats-Stream: " + s->cfg.name + "\r\nNats-Subject: " + sm.subject +
          "\r\nNats-Sequence: " + std::to_string(sm.seq) + "\r\nNats-Time-Stamp: " + rfc3339_nano(sm.timestamp_ns) +
          "\r\n\r\n";
  } else {
    hdr = std::move(sm.headers);
    append_header(hdr, "Nats-Stream", s->cfg.name);
    append_header(hdr, "Nats-Subject", sm.subject);
    append_header(hdr, "Nats-Sequence", std::to_string(sm.seq));
    append_header(hdr, "Nats-Time-Stamp", rfc3339_nano(sm.timestamp_ns));
  }
  publish_when_durable(out_msg{std::string(m.reply), {}, std::move(hdr), std::move(sm.payload)});
}

}  // namespace natrium::jetstream

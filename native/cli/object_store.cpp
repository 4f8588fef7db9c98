#include "native/cli/object_store.h"

#include <nats/nats.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <map>

#include "native/cli/cli_context.h"
#include "native/cli/kv_common.h"
#include "native/cli/object_transfer.h"

namespace natrium::cli {

namespace {

int64_t timeout_ms(const context& ctx) { return static_cast<int64_t>(std::ceil(ctx.opts.timeout_s * 1000)); }

// The reply's status header ("404"), or empty for a normal message.
std::string status_of(natsMsg* m) {
  const char* v = nullptr;
  if (natsMsgHeader_Get(m, "Status", &v) == NATS_OK && v != nullptr) return v;
  return {};
}

std::string header_of(natsMsg* m, const char* name) {
  const char* v = nullptr;
  if (natsMsgHeader_Get(m, name, &v) == NATS_OK && v != nullptr) return v;
  return {};
}

}  // namespace

void object_store::validate_bucket(const std::string& bucket) {
  bool ok = !bucket.empty();
  for (const char c : bucket)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) ok = false;
  if (!ok) throw cli_error(fmt::format("invalid bucket name \"{}\": letters, digits, - and _ only", bucket), 2);
}

object_store::object_store(context& ctx, std::string bucket)
    : ctx_(ctx), bucket_(std::move(bucket)), stream_(stream_name(bucket_)) {
  validate_bucket(bucket_);
  try {
    info_ = ctx_.js_api("STREAM.INFO." + stream_);
  } catch (const js_api_error& e) {
    if (e.code() == 404) throw cli_error(fmt::format("object store {} not found", bucket_));
    throw;
  }
  direct_ = info_.value("/config/allow_direct"_json_pointer, false);
}

nlohmann::json object_store::create(context& ctx, const std::string& bucket, const object_store_config& cfg) {
  validate_bucket(bucket);
  nlohmann::json sc = {{"name", stream_name(bucket)},
                       {"subjects", {fmt::format("$O.{}.C.>", bucket), fmt::format("$O.{}.M.>", bucket)}},
                       {"retention", "limits"},
                       {"max_consumers", -1},
                       {"max_msgs", -1},
                       {"max_bytes", cfg.max_bytes},
                       {"max_age", cfg.ttl_ns},
                       {"max_msgs_per_subject", -1},
                       {"max_msg_size", -1},
                       {"discard", "new"},
                       {"storage", cfg.memory ? "memory" : "file"},
                       {"num_replicas", cfg.replicas},
                       {"allow_rollup_hdrs", true},
                       {"allow_direct", true},
                       {"deny_delete", false},
                       {"deny_purge", false}};
  if (!cfg.description.empty()) sc["description"] = cfg.description;
  return ctx.js_api("STREAM.CREATE." + stream_name(bucket), sc);
}

std::string object_store::chunk_subject(const std::string& nuid) const {
  return fmt::format("$O.{}.C.{}", bucket_, nuid);
}

std::string object_store::meta_subject(const std::string& name) const {
  return fmt::format("$O.{}.M.{}", bucket_, base64url_encode(name));
}

std::optional<object_store::stored_msg> object_store::get_msg(const nlohmann::json& request) {
  return direct_ ? direct_get(request) : msg_get(request);
}

std::optional<object_store::stored_msg> object_store::direct_get(const nlohmann::json& request) {
  msg_ptr reply = ctx_.request("$JS.API.DIRECT.GET." + stream_, request.dump());
  const std::string status = status_of(reply.get());
  if (status == "404") return std::nullopt;
  if (!status.empty()) {
    throw cli_error(fmt::format("direct get from {}: {} {}", stream_, status, header_of(reply.get(), "Description")));
  }
  stored_msg m;
  m.subject = header_of(reply.get(), "Nats-Subject");
  m.seq = std::strtoull(header_of(reply.get(), "Nats-Sequence").c_str(), nullptr, 10);
  m.data.assign(natsMsg_GetData(reply.get()), static_cast<std::size_t>(natsMsg_GetDataLength(reply.get())));
  if (m.seq == 0) throw cli_error(fmt::format("direct get from {}: no Nats-Sequence in the reply", stream_));
  return m;
}

std::optional<object_store::stored_msg> object_store::msg_get(const nlohmann::json& request) {
  nlohmann::json reply;
  try {
    reply = ctx_.js_api("STREAM.MSG.GET." + stream_, request);
  } catch (const js_api_error& e) {
    if (e.code() == 404) return std::nullopt;
    throw;
  }
  const auto& msg = reply.at("message");
  stored_msg m;
  m.subject = msg.value("subject", std::string());
  m.seq = msg.value("seq", 0ull);
  const auto data = base64_decode_lenient(msg.value("data", std::string()));
  if (!data) throw cli_error(fmt::format("message {} of {}: data is not base64", m.seq, stream_));
  m.data = *data;
  return m;
}

std::optional<nlohmann::json> object_store::info(const std::string& name) {
  if (name.empty()) throw cli_error("object name cannot be empty", 2);
  const auto m = get_msg({{"last_by_subj", meta_subject(name)}});
  if (!m) return std::nullopt;
  nlohmann::json meta = nlohmann::json::parse(m->data, nullptr, false);
  if (!meta.is_object()) throw cli_error(fmt::format("object {} in {}: its metadata is not JSON", name, bucket_));
  meta["revision"] = m->seq;
  return meta;
}

std::vector<nlohmann::json> object_store::list() {
  std::map<std::string, nlohmann::json> by_subject;  // the latest metadata per subject
  const std::string all = fmt::format("$O.{}.M.>", bucket_);
  std::uint64_t seq = 1;
  for (;;) {
    const auto m = get_msg({{"seq", seq}, {"next_by_subj", all}});
    if (!m) break;
    nlohmann::json meta = nlohmann::json::parse(m->data, nullptr, false);
    if (meta.is_object()) {
      meta["revision"] = m->seq;
      by_subject[m->subject] = std::move(meta);
    }
    seq = m->seq + 1;
  }
  std::map<std::string, nlohmann::json> by_name;
  for (auto& [subject, meta] : by_subject) {
    const std::string name = meta.value("name", subject);
    by_name[name] = std::move(meta);
  }
  std::vector<nlohmann::json> out;
  for (auto& [name, meta] : by_name) out.push_back(std::move(meta));
  return out;
}

std::uint64_t object_store::purge_subject(const std::string& subject) {
  const nlohmann::json r = ctx_.js_api("STREAM.PURGE." + stream_, {{"filter", subject}});
  return r.value("purged", 0ull);
}

std::uint64_t object_store::publish_meta(const nlohmann::json& meta) {
  nlohmann::json body = meta;
  body.erase("revision");
  const std::string payload = body.dump();
  const std::string subject = meta_subject(meta.at("name").get<std::string>());
  natsMsg* raw = nullptr;
  check(natsMsg_Create(&raw, subject.c_str(), nullptr, payload.data(), static_cast<int>(payload.size())), "message");
  msg_ptr m(raw);
  check(natsMsgHeader_Set(m.get(), "Nats-Rollup", "sub"), "header");
  natsMsg* reply_raw = nullptr;
  const natsStatus s = natsConnection_RequestMsg(&reply_raw, ctx_.conn(), m.get(), timeout_ms(ctx_));
  if (s == NATS_TIMEOUT) throw cli_error(fmt::format("no acknowledgement for {} within {}s", subject, ctx_.opts.timeout_s));
  if (s == NATS_NO_RESPONDERS) throw cli_error(fmt::format("no stream takes {}", subject));
  check(s, subject);
  msg_ptr reply(reply_raw);
  return parse_pub_ack(reply.get(), subject);
}

nlohmann::json object_store::put(const std::string& name, std::FILE* in, const std::string& description) {
  if (name.empty()) throw cli_error("object name cannot be empty", 2);
  const std::optional<nlohmann::json> old = info(name);
  const std::int64_t max_payload = natsConnection_GetMaxPayload(ctx_.conn());
  const std::size_t chunk_size = static_cast<std::size_t>(std::min<std::int64_t>(128 * 1024, max_payload));
  const std::string nuid = new_nuid();
  const std::string chunks_subject = chunk_subject(nuid);
  chunk_result sent;
  try {
    chunk_publisher pub(ctx_, chunks_subject);
    sent = pub.publish_all(in, chunk_size);
  } catch (const cli_error&) {
    try {
      purge_subject(chunks_subject);
    } catch (const cli_error&) {
    }
    throw;
  }
  nlohmann::json meta = {{"name", name},
                         {"description", description},
                         {"options", {{"max_chunk_size", chunk_size}}},
                         {"bucket", bucket_},
                         {"nuid", nuid},
                         {"size", sent.size},
                         {"chunks", sent.chunks},
                         {"mtime", object_mtime_now()},
                         {"digest", "SHA-256=" + base64url_encode(sent.sha256)},
                         {"deleted", false}};
  meta["revision"] = publish_meta(meta);
  if (old && old->value("nuid", std::string()) != nuid && !old->value("nuid", std::string()).empty()) {
    try {
      purge_subject(chunk_subject(old->value("nuid", std::string())));
    } catch (const cli_error&) {
      // the new object is in; failing to clean up the old chunks is not the put's failure
    }
  }
  return meta;
}

void object_store::get(const nlohmann::json& meta, std::FILE* out) {
  const std::string name = meta.value("name", std::string());
  const std::uint64_t size = meta.value("size", 0ull);
  const std::uint64_t chunks = meta.value("chunks", 0ull);
  const std::string expected = parse_digest(meta.value("digest", std::string()), name);
  sha256 sha;
  std::uint64_t got_size = 0, got_chunks = 0, seq = 1;
  const std::string subject = chunk_subject(meta.value("nuid", std::string()));
  while (got_chunks < chunks) {
    const auto m = get_msg({{"seq", seq}, {"next_by_subj", subject}});
    if (!m) break;
    sha.update(m->data);
    if (!m->data.empty() && std::fwrite(m->data.data(), 1, m->data.size(), out) != m->data.size())
      throw cli_error(fmt::format("writing {}: {}", name, std::strerror(errno)));
    got_size += m->data.size();
    ++got_chunks;
    seq = m->seq + 1;
  }
  if (got_chunks != chunks || got_size != size) {
    throw cli_error(fmt::format("object {} is incomplete: {} of {} chunks, {} of {} bytes", name, got_chunks, chunks,
                                got_size, size));
  }
  if (sha.finish() != expected) throw cli_error(fmt::format("object {} is corrupt: its SHA-256 digest does not match", name));
}

std::uint64_t object_store::remove(const nlohmann::json& meta) {
  nlohmann::json dead = meta;
  dead["deleted"] = true;
  dead["size"] = 0;
  dead["chunks"] = 0;
  dead["digest"] = "";
  publish_meta(dead);
  return purge_subject(chunk_subject(meta.value("nuid", std::string())));
}

}  // namespace natrium::cli

#include "native/cli/cli_context.h"

#include <cmath>
#include <cstdlib>
#include <fmt/format.h>

namespace natrium::cli {

std::string last_error_text(natsStatus s) {
  const char* last = nats_GetLastError(nullptr);
  std::string text = last != nullptr && *last != '\0' ? last : natsStatus_GetText(s);
  // libnats prefixes the source location: "(js.c:535): wrong last sequence".
  if (text.size() > 1 && text.front() == '(') {
    if (const std::size_t end = text.find("): "); end != std::string::npos) text.erase(0, end + 3);
  }
  return text;
}

void check(natsStatus s, std::string_view what) {
  if (s == NATS_OK) return;
  throw cli_error(fmt::format("{}: {}", what, last_error_text(s)));
}

context::~context() { close(); }

void context::close() {
  if (js_ != nullptr) {
    jsCtx_Destroy(js_);
    js_ = nullptr;
  }
  if (nc_ != nullptr) {
    natsConnection_FlushTimeout(nc_, static_cast<int64_t>(opts.timeout_s * 1000));
    natsConnection_Destroy(nc_);
    nc_ = nullptr;
  }
}

std::string context::server_urls() const {
  if (!opts.servers.empty()) return opts.servers;
  if (const char* env = std::getenv("NATS_URL"); env != nullptr && *env != '\0') return env;
  return "nats://127.0.0.1:4222";
}

natsConnection* context::conn() {
  if (nc_ != nullptr) return nc_;
  if (!opts.creds.empty()) throw cli_error("--creds: credentials files are not supported yet (the server has no auth)", 2);
  natsOptions* o = nullptr;
  check(natsOptions_Create(&o), "options");
  std::unique_ptr<natsOptions, void (*)(natsOptions*)> guard(o, natsOptions_Destroy);
  const std::string urls = server_urls();
  check(natsOptions_SetURL(o, urls.c_str()), "server URL");
  if (!opts.user.empty()) check(natsOptions_SetUserInfo(o, opts.user.c_str(), opts.password.c_str()), "user");
  check(natsOptions_SetTimeout(o, static_cast<int64_t>(std::ceil(opts.timeout_s * 1000))), "timeout");
  check(natsOptions_SetName(o, "natrium cli"), "name");
  check(natsOptions_SetMaxReconnect(o, 0), "reconnect");
  if (natsConnection_Connect(&nc_, o) != NATS_OK) {
    nc_ = nullptr;
    throw cli_error(fmt::format("could not connect to {}: {}", urls, last_error_text(NATS_NO_SERVER)));
  }
  return nc_;
}

jsCtx* context::js() {
  if (js_ != nullptr) return js_;
  jsOptions jo;
  check(jsOptions_Init(&jo), "JetStream options");
  jo.Wait = static_cast<int64_t>(std::ceil(opts.timeout_s * 1000));
  check(natsConnection_JetStream(&js_, conn(), &jo), "JetStream context");
  return js_;
}

msg_ptr context::request(const std::string& subject, std::string_view body, double timeout_s) {
  if (timeout_s < 0) timeout_s = opts.timeout_s;
  natsMsg* reply = nullptr;
  const natsStatus s = natsConnection_Request(&reply, conn(), subject.c_str(), body.data(), static_cast<int>(body.size()),
                                              static_cast<int64_t>(std::ceil(timeout_s * 1000)));
  if (s == NATS_TIMEOUT) throw cli_error(fmt::format("no reply from {} within {}s", subject, timeout_s));
  if (s == NATS_NO_RESPONDERS) throw cli_error(fmt::format("no responders on {}", subject));
  check(s, fmt::format("request to {}", subject));
  return msg_ptr(reply);
}

nlohmann::json context::js_api(const std::string& api, const nlohmann::json& body) {
  const std::string subject = "$JS.API." + api;
  const std::string payload = body.is_null() ? std::string() : body.dump();
  natsMsg* raw = nullptr;
  const int64_t ms = static_cast<int64_t>(std::ceil(opts.timeout_s * 1000));
  const natsStatus s =
      natsConnection_Request(&raw, conn(), subject.c_str(), payload.data(), static_cast<int>(payload.size()), ms);
  if (s == NATS_NO_RESPONDERS) throw cli_error("JetStream is not enabled on " + server_urls());
  if (s == NATS_TIMEOUT) throw cli_error(fmt::format("no JetStream reply to {} within {}s", subject, opts.timeout_s));
  check(s, subject);
  msg_ptr reply(raw);
  const char* data = natsMsg_GetData(reply.get());
  const int len = natsMsg_GetDataLength(reply.get());
  nlohmann::json j = nlohmann::json::parse(data, data + len, nullptr, false);
  if (j.is_discarded()) throw cli_error(fmt::format("{}: the reply is not JSON", subject));
  if (j.contains("error")) {
    const auto& e = j["error"];
    throw js_api_error(e.value("description", std::string("JetStream error")), e.value("code", 0), e.value("err_code", 0));
  }
  return j;
}

}  // namespace natrium::cli

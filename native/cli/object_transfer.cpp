#include "native/cli/object_transfer.h"

#include <openssl/evp.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <vector>

#include "native/cli/cli_context.h"
#include "native/cli/kv_common.h"

namespace natrium::cli {

struct sha256::impl {
  EVP_MD_CTX* md = nullptr;
};

sha256::sha256() : impl_(std::make_unique<impl>()) {
  impl_->md = EVP_MD_CTX_new();
  if (impl_->md == nullptr || EVP_DigestInit_ex(impl_->md, EVP_sha256(), nullptr) != 1)
    throw cli_error("SHA-256: OpenSSL could not start a digest");
}

sha256::~sha256() { EVP_MD_CTX_free(impl_->md); }

void sha256::update(const std::string& bytes) {
  if (bytes.empty()) return;
  if (EVP_DigestUpdate(impl_->md, bytes.data(), bytes.size()) != 1) throw cli_error("SHA-256: digest update failed");
}

std::string sha256::finish() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(impl_->md, out, &len) != 1) throw cli_error("SHA-256: digest failed");
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string new_nuid() {
  // libnats makes inboxes "_INBOX.<nuid>" from its NUID generator, which it
  // does not export on its own.
  natsInbox* inbox = nullptr;
  check(natsInbox_Create(&inbox), "NUID");
  std::string s(inbox);
  natsInbox_Destroy(inbox);
  constexpr std::string_view prefix = "_INBOX.";
  if (s.rfind(prefix, 0) != 0 || s.size() <= prefix.size()) throw cli_error("NUID: unexpected inbox " + s);
  return s.substr(prefix.size());
}

std::string parse_digest(const std::string& digest, const std::string& object) {
  constexpr std::string_view prefix = "SHA-256=";
  if (digest.rfind(prefix, 0) != 0)
    throw cli_error(fmt::format("object {}: unknown digest type \"{}\"", object, digest));
  const std::string text = digest.substr(prefix.size());
  if (text.size() == 64 && text.find_first_not_of("0123456789abcdefABCDEF") == std::string::npos) {
    std::string out;
    for (std::size_t i = 0; i < 64; i += 2) out += static_cast<char>(std::stoi(text.substr(i, 2), nullptr, 16));
    return out;
  }
  const auto bytes = base64_decode_lenient(text);
  if (!bytes || bytes->size() != 32) throw cli_error(fmt::format("object {}: malformed digest \"{}\"", object, digest));
  return *bytes;
}

std::uint64_t parse_pub_ack(natsMsg* reply, const std::string& subject) {
  const char* status = nullptr;
  if (natsMsgHeader_Get(reply, "Status", &status) == NATS_OK && status != nullptr) {
    if (std::strcmp(status, "503") == 0) throw cli_error(fmt::format("no stream takes {}", subject));
    throw cli_error(fmt::format("publish to {}: status {}", subject, status));
  }
  const char* data = natsMsg_GetData(reply);
  const int len = natsMsg_GetDataLength(reply);
  const nlohmann::json ack = nlohmann::json::parse(data, data + len, nullptr, false);
  if (!ack.is_object()) throw cli_error(fmt::format("publish to {}: the acknowledgement is not JSON", subject));
  if (ack.contains("error")) {
    const auto& e = ack["error"];
    throw js_api_error(fmt::format("publish to {}: {}", subject, e.value("description", std::string("error"))),
                       e.value("code", 0), e.value("err_code", 0));
  }
  const std::uint64_t seq = ack.value("seq", 0ull);
  if (seq == 0) throw cli_error(fmt::format("publish to {}: the acknowledgement has no sequence", subject));
  return seq;
}

chunk_publisher::chunk_publisher(context& ctx, std::string subject, int window)
    : ctx_(ctx), subject_(std::move(subject)), window_(window) {
  natsInbox* inbox = nullptr;
  check(natsInbox_Create(&inbox), "inbox");
  inbox_ = inbox;
  natsInbox_Destroy(inbox);
  check(natsConnection_SubscribeSync(&sub_, ctx_.conn(), (inbox_ + ".*").c_str()), "subscribe for acknowledgements");
}

chunk_publisher::~chunk_publisher() { natsSubscription_Destroy(sub_); }

void chunk_publisher::await_ack() {
  natsMsg* raw = nullptr;
  const auto ms = static_cast<int64_t>(std::ceil(ctx_.opts.timeout_s * 1000));
  const natsStatus s = natsSubscription_NextMsg(&raw, sub_, ms);
  if (s == NATS_TIMEOUT)
    throw cli_error(fmt::format("no acknowledgement for a chunk on {} within {}s", subject_, ctx_.opts.timeout_s));
  check(s, "acknowledgement");
  msg_ptr reply(raw);
  parse_pub_ack(reply.get(), subject_);
  --in_flight_;
}

chunk_result chunk_publisher::publish_all(std::FILE* in, std::size_t chunk_size) {
  chunk_result r;
  sha256 sha;
  std::string chunk(chunk_size, '\0');
  for (;;) {
    const std::size_t n = std::fread(chunk.data(), 1, chunk_size, in);
    if (n == 0) {
      if (std::ferror(in)) throw cli_error(fmt::format("reading the object: {}", std::strerror(errno)));
      break;
    }
    const std::string piece = chunk.substr(0, n);
    sha.update(piece);
    if (in_flight_ >= window_) await_ack();
    const std::string reply = fmt::format("{}.{}", inbox_, r.chunks);
    check(natsConnection_PublishRequest(ctx_.conn(), subject_.c_str(), reply.c_str(), piece.data(), static_cast<int>(n)),
          fmt::format("publish to {}", subject_));
    ++in_flight_;
    ++r.chunks;
    r.size += n;
    if (n < chunk_size) break;
  }
  if (std::ferror(in)) throw cli_error(fmt::format("reading the object: {}", std::strerror(errno)));
  while (in_flight_ > 0) await_ack();
  r.sha256 = sha.finish();
  return r;
}

}  // namespace natrium::cli

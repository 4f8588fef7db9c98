#pragma once
// What every `natrium` command shares: the global options, one lazily opened
// connection (libnats), requests with the --timeout, JetStream API requests,
// and errors that carry the process exit code.
//
// Exit codes: 0 success; 1 the operation failed (server error, not found,
// timeout, no responders, a `server check` that is CRITICAL); 2 the command
// line was wrong (CLI11 parse errors, bad values). `server check` uses the
// Nagios codes (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) instead.
#include <nats/nats.h>

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace natrium::cli {

// A failure to report on stderr ("natrium: <what>"; nothing if `what` is
// empty: the command printed its own verdict) and exit with `exit_code`.
class cli_error : public std::runtime_error {
 public:
  explicit cli_error(const std::string& what, int exit_code = 1) : std::runtime_error(what), exit_code_(exit_code) {}
  int exit_code() const noexcept { return exit_code_; }

 private:
  int exit_code_;
};

// A JetStream API error reply ({"error":{"code":404,"err_code":10059,...}}).
class js_api_error : public cli_error {
 public:
  js_api_error(const std::string& what, int code, int err_code) : cli_error(what), code_(code), err_code_(err_code) {}
  int code() const noexcept { return code_; }          // HTTP-ish: 400, 404, 500, 503
  int err_code() const noexcept { return err_code_; }  // JetStream's: 10059 stream not found, ...

 private:
  int code_, err_code_;
};

struct global_options {
  std::string servers;   // -s/--server: URLs, comma separated; empty: $NATS_URL, else nats://127.0.0.1:4222
  std::string user, password;
  std::string creds;     // --creds: accepted for scripts' sake; refused until the server has auth
  double timeout_s = 5;  // --timeout: every request and connect
  bool json = false;     // --json: read commands print the server's JSON
  bool no_color = false; // --no-color (colour is only ever used on a terminal)
};

struct msg_deleter {
  void operator()(natsMsg* m) const noexcept { natsMsg_Destroy(m); }
};
using msg_ptr = std::unique_ptr<natsMsg, msg_deleter>;

// libnats' last error without its source location, or the status text.
std::string last_error_text(natsStatus s);
// Throws cli_error "<what>: <libnats' last error>" unless s is NATS_OK.
void check(natsStatus s, std::string_view what);

class context {
 public:
  global_options opts;

  context() = default;
  ~context();
  context(const context&) = delete;
  context& operator=(const context&) = delete;

  // The server URLs the options select (for messages and `server info`).
  std::string server_urls() const;
  // The connection, opened on first use with the global options.
  natsConnection* conn();
  // libnats' JetStream context on conn() (KV and other libnats JetStream calls).
  jsCtx* js();
  // A request with `timeout_s` (< 0: the global --timeout). Throws cli_error on
  // timeout ("no reply from <subject> within 5s") or when nothing listens.
  msg_ptr request(const std::string& subject, std::string_view body, double timeout_s = -1);
  // `$JS.API.<api>` with a JSON body (null: empty body). Returns the reply's
  // JSON; throws js_api_error for an error reply and cli_error when JetStream
  // does not answer ("JetStream not enabled" for no responders).
  nlohmann::json js_api(const std::string& api, const nlohmann::json& body = nullptr);
  // Closes the connection (flushing what was published).
  void close();

 private:
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
};

}  // namespace natrium::cli

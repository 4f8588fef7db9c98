// The WebSocket listener: accepts TCP connections, reads the HTTP/1.1 upgrade
// request (bounded in size and time), refuses it as nats-server's wsUpgrade
// does (websocket_handshake.h decides), and hands accepted ones to
// websocket_session.cpp.
#include "native/websocket_listener.h"

#include <chrono>
#include <ctime>
#include <optional>
#include <unordered_map>

#include "native/tcp_listen.h"
#include "native/websocket_session.h"

namespace natrium::native {

using namespace ws_detail;

namespace {

// RFC 7231 IMF-fixdate, as Go's net/http sends in Date.
std::string http_date() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[64];
  const std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

std::string join_host_port(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string_view sv(beast::string_view s) { return {s.data(), s.size()}; }

std::vector<std::string_view> values_of(const http::fields& f, http::field name) {
  std::vector<std::string_view> out;
  for (auto range = f.equal_range(name); range.first != range.second; ++range.first) out.push_back(sv(range.first->value()));
  return out;
}

template <typename Name>
std::string_view value_of(const http::fields& f, Name name) {
  auto it = f.find(name);
  return it == f.end() ? std::string_view() : sv(it->value());
}

}  // namespace

struct websocket_listener::impl : std::enable_shared_from_this<websocket_listener::impl> {
  impl(asio::io_context& i, logger& l, const websocket_options& o, websocket_events ev, websocket_limits lim)
      : io(i), log(l), opts(o), events(std::make_shared<const websocket_events>(std::move(ev))), limits(lim),
        acceptor(i) {
    std::vector<std::string> errors;
    origins = origin_policy(o.same_origin, o.allowed_origins, &errors);
    for (const auto& e : errors) log.error(e);
    handshake_timeout_ns = o.handshake_timeout_ns > 0 ? o.handshake_timeout_ns : lim.handshake_timeout_default_ns;
  }

  struct handshake;

  asio::io_context& io;
  logger& log;
  websocket_options opts;
  std::shared_ptr<const websocket_events> events;
  websocket_limits limits;
  tcp::acceptor acceptor;
  origin_policy origins;
  std::int64_t handshake_timeout_ns = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<handshake>> handshakes;
  std::uint64_t next_id = 1;
  bool stopped = false;

  void accept_next();
  void on_accept(tcp::socket sock);
};

// One connection until its upgrade: read the request, answer a refusal, or
// pass the stream on to a session.
struct websocket_listener::impl::handshake : std::enable_shared_from_this<handshake> {
  handshake(std::shared_ptr<impl> o, tcp::socket s, std::uint64_t i)
      : owner(std::move(o)), stream(std::move(s)), buffer(owner->limits.header_bytes_max + 1024), id(i) {
    beast::error_code ec;
    const auto ep = stream.socket().remote_endpoint(ec);
    remote = ec ? std::string("?") : join_host_port(ep.address().to_string(), ep.port());
  }
  ~handshake() { owner->handshakes.erase(id); }

  std::shared_ptr<impl> owner;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::optional<http::request_parser<http::empty_body>> parser;
  http::response<http::string_body> res;
  std::uint64_t id;
  std::string remote;  // "ip:port", as Go's Request.RemoteAddr

  void start() {
    // The whole upgrade (request in, answer out) within handshake_timeout,
    // as the reference's http.Server ReadTimeout.
    stream.expires_after(std::chrono::nanoseconds(owner->handshake_timeout_ns));
    parser.emplace();
    parser->header_limit(static_cast<std::uint32_t>(owner->limits.header_bytes_max));
    http::async_read(stream, buffer, *parser,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (owner->stopped) return close();
    if (ec == http::error::header_limit) return respond(431, "");
    if (ec == beast::error::timeout || ec == http::error::end_of_stream || ec == asio::error::eof ||
        ec == asio::error::connection_reset || ec == asio::error::operation_aborted) {
      return close();
    }
    if (ec) return respond(400, "");  // not HTTP/1.x
    const auto& req = parser->get();
    upgrade_request u;
    const std::string method(sv(req.method_string()));
    u.method = method;
    u.target = sv(req.target());
    u.host = value_of(req, http::field::host);
    u.upgrade = values_of(req, http::field::upgrade);
    u.connection = values_of(req, http::field::connection);
    u.key = value_of(req, http::field::sec_websocket_key);
    u.version = values_of(req, http::field::sec_websocket_version);
    u.origin = value_of(req, http::field::origin);
    if (u.origin.empty()) u.origin = value_of(req, "Sec-WebSocket-Origin");
    u.extensions = values_of(req, http::field::sec_websocket_extensions);
    upgrade_decision d = check_upgrade(u, owner->origins, owner->opts.compression);
    if (!d.refusal && buffer.size() > 0) d.refusal = upgrade_refusal{400, "client sent data before handshake is complete"};
    if (d.refusal) {
      owner->log.error(remote + " - websocket handshake error: " + d.refusal->reason);
      return respond(d.refusal->status, "13");
    }
    session_settings settings;
    settings.kind = d.kind;
    settings.compress = d.compress;
    settings.read_chunk_bytes = owner->limits.read_chunk_bytes;
    settings.close_timeout_ns = owner->limits.close_timeout_ns;
    start_session(std::move(stream), parser->release(), settings, owner->events, owner->log);
  }

  // http.Error(w, http.StatusText(status), status), then close (the reference
  // keeps the HTTP connection; a client that was refused has no use for it).
  void respond(int status, std::string_view ws_version) {
    res = {};
    res.version(11);
    res.result(static_cast<http::status>(status));
    res.set(http::field::content_type, "text/plain; charset=utf-8");
    if (!ws_version.empty()) res.set(http::field::sec_websocket_version, std::string(ws_version));
    res.set("X-Content-Type-Options", "nosniff");
    res.set(http::field::date, http_date());
    res.keep_alive(false);
    res.body() = std::string(sv(http::obsolete_reason(res.result()))) + "\n";
    if (status == 431) res.body() = "431 Request Header Fields Too Large";
    if (status == 400 && ws_version.empty()) res.body() = "400 Bad Request";
    res.prepare_payload();
    http::async_write(stream, res, [self = shared_from_this()](beast::error_code, std::size_t) { self->close(); });
  }

  void close() {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
  }
};

void websocket_listener::impl::accept_next() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket sock) {
    if (self->stopped || ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
    if (!ec) self->on_accept(std::move(sock));
    self->accept_next();
  });
}

void websocket_listener::impl::on_accept(tcp::socket sock) {
  beast::error_code ignored;
  if (handshakes.size() >= limits.handshakes_max) {
    sock.close(ignored);  // over the bound: refuse without reading
    return;
  }
  sock.set_option(tcp::no_delay(true), ignored);
  auto h = std::make_shared<handshake>(shared_from_this(), std::move(sock), next_id++);
  handshakes.emplace(h->id, h);
  h->start();
}

websocket_listener::websocket_listener(asio::io_context& io, logger& log, const websocket_options& opts,
                                       websocket_events events, websocket_limits limits)
    : impl_(std::make_shared<impl>(io, log, opts, std::move(events), limits)) {}

websocket_listener::~websocket_listener() { stop(); }

bool websocket_listener::listen() {
  auto& m = *impl_;
  beast::error_code ec;
  const int bind_port = m.opts.port < 0 ? 0 : m.opts.port;
  open_listener(m.acceptor, m.opts.host, bind_port, ec);
  if (ec) {
    m.log.error("Unable to listen for websocket connections: listen tcp " + join_host_port(m.opts.host, bind_port) +
                ": " + ec.message());
    return false;
  }
  m.log.info("Listening for websocket clients on ws://" + m.opts.host + ":" + std::to_string(port()));
  m.log.warn("Websocket not configured with TLS. DO NOT USE IN PRODUCTION!");
  m.accept_next();
  return true;
}

int websocket_listener::port() const { return bound_port(impl_->acceptor); }

void websocket_listener::stop() {
  auto& m = *impl_;
  if (m.stopped) return;
  m.stopped = true;
  beast::error_code ignored;
  m.acceptor.close(ignored);
  close_all(m.handshakes);
}

}  // namespace natrium::native

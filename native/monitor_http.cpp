#include "native/monitor_http.h"

#include <ctime>
#include <optional>
#include <unordered_map>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "native/playground_assets.h"
#include "native/tcp_listen.h"

namespace natrium::native {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

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

// net.JoinHostPort: IPv6 literals in brackets.
std::string join_host_port(const std::string& host, int port) {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

struct monitor_http::impl : std::enable_shared_from_this<monitor_http::impl> {
  impl(asio::io_context& i, logger& l, handler h, monitor_http_limits lim)
      : io(i), log(l), on_request(std::move(h)), limits(lim), acceptor(i) {}

  struct session;

  asio::io_context& io;
  logger& log;
  handler on_request;
  monitor_http_limits limits;
  tcp::acceptor acceptor;
  std::unordered_map<std::uint64_t, std::weak_ptr<session>> sessions;
  std::uint64_t next_id = 1;
  bool stopped = false;

  void accept_next();
  void on_accept(tcp::socket sock);
};

// One HTTP connection: read a request (bounded, with a deadline), answer it,
// and keep the connection for the next one if the client wants that.
struct monitor_http::impl::session : std::enable_shared_from_this<session> {
  session(std::shared_ptr<impl> o, tcp::socket s, std::uint64_t i)
      : owner(std::move(o)), stream(std::move(s)), buffer(owner->limits.header_bytes_max + owner->limits.body_bytes_max),
        id(i) {}
  ~session() { owner->sessions.erase(id); }

  std::shared_ptr<impl> owner;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  std::optional<http::request_parser<http::string_body>> parser;
  http::response<http::string_body> res;
  std::uint64_t id;

  void read() {
    parser.emplace();
    parser->header_limit(static_cast<std::uint32_t>(owner->limits.header_bytes_max));
    parser->body_limit(owner->limits.body_bytes_max);
    stream.expires_after(std::chrono::seconds(owner->limits.read_timeout_s));
    http::async_read(stream, buffer, *parser,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    if (ec || owner->stopped) return close();  // end of stream, timeout, limit exceeded, stop
    const auto& req = parser->get();
    const auto target = req.target();
    const monitor::request mreq = monitor::parse_target(std::string_view(target.data(), target.size()));
    res = {};
    monitor::response out;
    if (auto pg = playground_answer(mreq.path)) {  // the embedded playground (web/dist)
      out = {pg->status, std::string(pg->content_type), std::string(pg->body)};
      if (!pg->location.empty()) res.set(http::field::location, std::string(pg->location));
      res.set(http::field::cache_control, "no-cache");
    } else {
      out = owner->on_request(mreq);
    }
    res.version(req.version());
    res.result(static_cast<http::status>(out.status));
    res.set(http::field::content_type, out.content_type);
    res.set(http::field::date, http_date());
    if (out.status == 404) res.set("X-Content-Type-Options", "nosniff");
    res.keep_alive(req.keep_alive());
    const std::size_t length = out.body.size();
    if (req.method() != http::verb::head) res.body() = std::move(out.body);
    res.content_length(length);
    write();
  }

  void write() {
    stream.expires_after(std::chrono::seconds(owner->limits.write_timeout_s));
    http::async_write(stream, res, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec || !self->res.keep_alive() || self->owner->stopped) return self->close();
      self->read();
    });
  }

  void close() {
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream.socket().close(ignored);
  }
};

void monitor_http::impl::accept_next() {
  acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket sock) {
    if (self->stopped || ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
    if (!ec) self->on_accept(std::move(sock));
    self->accept_next();
  });
}

void monitor_http::impl::on_accept(tcp::socket sock) {
  if (sessions.size() >= limits.connections_max) {
    beast::error_code ignored;
    sock.close(ignored);  // over the bound: refuse without reading
    return;
  }
  beast::error_code ignored;
  sock.set_option(tcp::no_delay(true), ignored);
  auto s = std::make_shared<session>(shared_from_this(), std::move(sock), next_id++);
  sessions.emplace(s->id, s);
  s->read();
}

monitor_http::monitor_http(asio::io_context& io, logger& log, handler h, monitor_http_limits limits)
    : impl_(std::make_shared<impl>(io, log, std::move(h), limits)) {}

monitor_http::~monitor_http() { stop(); }

bool monitor_http::listen(const std::string& host, int port) {
  auto& m = *impl_;
  beast::error_code ec;
  const int bind_port = port < 0 ? 0 : port;
  open_listener(m.acceptor, host, bind_port, ec);
  if (ec) {
    m.log.error("Can't start monitoring: can't listen to the monitor port: listen tcp " +
                join_host_port(host, bind_port) + ": " + ec.message());
    return false;
  }
  m.log.info("Starting http monitor on " + join_host_port(host, this->port()));
  m.accept_next();
  return true;
}

int monitor_http::port() const { return bound_port(impl_->acceptor); }

void monitor_http::stop() {
  auto& m = *impl_;
  if (m.stopped) return;
  m.stopped = true;
  beast::error_code ignored;
  m.acceptor.close(ignored);
  close_all(m.sessions);
}

}  // namespace natrium::native

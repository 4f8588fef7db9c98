// One upgraded WebSocket connection: Beast's websocket::stream over a
// tcp_stream. Beast does the framing, unmasking, permessage-deflate, ping/pong
// and the close handshake; this file turns the stream into the host's byte
// pipe (websocket_conn) with the node's flow control and write accounting.
#include "native/websocket_session.h"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/base/assert.h"

namespace natrium::native::ws_detail {

namespace websocket = beast::websocket;

namespace {

// wsCreateCloseMessage: a close payload fits in 125 bytes; a longer reason is
// cut and ends in "...".
std::string close_reason_text(std::string_view reason) {
  constexpr std::size_t body_max = 125 - 2;
  if (reason.size() <= body_max) return std::string(reason);
  return std::string(reason.substr(0, body_max - 3)) + "...";
}

class session final : public websocket_conn, public std::enable_shared_from_this<session> {
 public:
  session(beast::tcp_stream stream, upgrade_request_type req, const session_settings& settings,
          std::shared_ptr<const websocket_events> events, logger& log)
      : ws_(std::move(stream)),
        req_(std::move(req)),
        settings_(settings),
        events_(std::move(events)),
        log_(log),
        close_timer_(ws_.get_executor()),
        read_buf_(settings.read_chunk_bytes) {}

  void start() {
    ws_.read_message_max(0);    // a message is a stream of protocol bytes: the node enforces its limits
    ws_.auto_fragment(false);   // one frame per write, as the reference's (non-browser) framing
    ws_.binary(true);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, "natrium-server"); }));
    if (settings_.compress) {
      websocket::permessage_deflate pmd;
      pmd.server_enable = true;
      // What the reference always answers: no context takeover either way.
      pmd.server_no_context_takeover = true;
      pmd.client_no_context_takeover = true;
      pmd.compLevel = 1;  // flate.BestSpeed
      ws_.set_option(pmd);
    }
    ws_.async_accept(req_, [self = shared_from_this()](beast::error_code ec) { self->on_accept(ec); });
  }

  void write(std::string_view data) override {
    NATRIUM_ASSERT(!writing_);
    NATRIUM_ASSERT(state_ == state::open);
    writing_ = true;
    write_size_ = data.size();
    ws_.async_write(asio::buffer(data.data(), data.size()),
                    [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  bool writing() const override { return writing_; }

  void set_reading(bool enabled) override {
    read_paused_ = !enabled;
    if (enabled) do_read();
  }

  void close(int status, std::string_view reason) override {
    host_knows_ = true;  // the host reported the close to the node itself
    if (state_ != state::open) return;
    state_ = state::closing;
    pending_close_ = websocket::close_reason(static_cast<websocket::close_code>(status), close_reason_text(reason));
    arm_close_timer();
    if (!writing_) do_close();  // else after the write in progress
  }

  void abort() override {
    host_knows_ = true;
    finish();
  }

  void close_now(int status, std::string_view reason) override {
    host_knows_ = true;
    if (state_ == state::done) return;
    if (state_ == state::open && !writing_) {
      // Control frames are never compressed, and a server does not mask.
      const std::string body = close_reason_text(reason);
      std::string frame;
      frame.push_back(static_cast<char>(0x88));
      frame.push_back(static_cast<char>(2 + body.size()));
      frame.push_back(static_cast<char>((status >> 8) & 0xff));
      frame.push_back(static_cast<char>(status & 0xff));
      frame += body;
      auto& sock = beast::get_lowest_layer(ws_).socket();
      beast::error_code ec;
      sock.non_blocking(true, ec);
      if (!ec) sock.write_some(asio::buffer(frame), ec);
    }
    finish();
  }

 private:
  enum class state { accepting, open, closing, done };

  websocket::stream<beast::tcp_stream> ws_;
  upgrade_request_type req_;
  session_settings settings_;
  std::shared_ptr<const websocket_events> events_;
  logger& log_;
  asio::steady_timer close_timer_;
  std::vector<char> read_buf_;
  std::optional<websocket::close_reason> pending_close_;
  base::conn_id id_{};
  state state_ = state::accepting;
  bool host_knows_ = false;  // the host closed it, or was told: no more events
  bool reading_ = false;
  bool read_paused_ = false;
  bool writing_ = false;
  std::size_t write_size_ = 0;

  void on_accept(beast::error_code ec) {
    if (ec || state_ != state::accepting) return finish();  // timeout, or the peer went away
    // The handshake timeout bounded the upgrade; from now on the node's pings watch the client.
    beast::get_lowest_layer(ws_).expires_never();
    if (settings_.kind != upgrade_kind::client) {
      log_.error(settings_.kind == upgrade_kind::leafnode ? "Not configured to accept leaf node connections"
                                                          : "Not configured to accept MQTT connections");
      return finish();
    }
    beast::error_code ep_ec;
    const auto ep = beast::get_lowest_layer(ws_).socket().remote_endpoint(ep_ec);
    state_ = state::open;
    id_ = events_->opened(shared_from_this(), ep_ec ? std::string() : ep.address().to_string(),
                          ep_ec ? 0 : ep.port());
    do_read();
  }

  void do_read() {
    if (reading_ || read_paused_ || state_ != state::open) return;
    reading_ = true;
    ws_.async_read_some(asio::buffer(read_buf_.data(), read_buf_.size()),
                        [self = shared_from_this()](beast::error_code ec, std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(beast::error_code ec, std::size_t n) {
    reading_ = false;
    if (state_ != state::open) return;  // closing (the close handshake ends it) or done
    if (ec) return peer_gone();         // a close frame (Beast answered it), a protocol error, EOF
    if (n > 0) events_->received(id_, std::string_view(read_buf_.data(), n));
    do_read();  // unless the host paused or closed it meanwhile
  }

  void on_write(beast::error_code ec) {
    writing_ = false;
    if (state_ == state::done) return;  // abandoned
    if (ec) {
      if (state_ == state::open) return peer_gone();
      return finish();
    }
    if (state_ == state::open) {
      events_->flushed(id_, write_size_);
    } else if (state_ == state::closing && pending_close_) {
      do_close();
    }
  }

  void do_close() {
    NATRIUM_ASSERT(pending_close_.has_value());
    const websocket::close_reason cr = *pending_close_;
    pending_close_.reset();
    ws_.async_close(cr, [self = shared_from_this()](beast::error_code) { self->finish(); });
  }

  void arm_close_timer() {
    close_timer_.expires_after(std::chrono::nanoseconds(settings_.close_timeout_ns));
    close_timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec) self->finish();  // the peer never answered the close frame
    });
  }

  // The connection ended without the host asking: tell it once.
  void peer_gone() {
    finish();
    if (host_knows_) return;
    host_knows_ = true;
    events_->closed(id_);
  }

  void finish() {
    if (state_ == state::done) return;
    state_ = state::done;
    beast::error_code ignored;
    close_timer_.cancel();
    auto& sock = beast::get_lowest_layer(ws_).socket();
    sock.shutdown(tcp::socket::shutdown_both, ignored);
    sock.close(ignored);
  }
};

}  // namespace

void start_session(beast::tcp_stream stream, upgrade_request_type req, const session_settings& settings,
                   std::shared_ptr<const websocket_events> events, logger& log) {
  auto s = std::make_shared<session>(std::move(stream), std::move(req), settings, std::move(events), log);
  s->start();
}

}  // namespace natrium::native::ws_detail

#include "native/host.h"

#include <array>
#include <boost/asio.hpp>
#include <chrono>
#include <unordered_map>
#include <vector>

#include "core/monitor/monitor.h"
#include "core/server/node.h"
#include "native/jetstream_limits.h"
#include "native/lmdb_store.h"
#include "native/monitor_http.h"
#include "native/process_stats.h"
#include "native/storage_thread.h"
#include "native/tcp_listen.h"
#include "native/websocket_handshake.h"
#include "native/websocket_listener.h"

namespace natrium::native {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

base::mono_time mono_now() {
  return {std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
              .count()};
}
base::wall_time wall_now() {
  return {std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
              .count()};
}

// Per-connection socket state. Reads use one shared buffer (wait for
// readability, then read non-blocking), so an idle connection costs no buffer.
struct session {
  explicit session(tcp::socket s, base::conn_id cid) : sock(std::move(s)), id(cid) {}
  tcp::socket sock;
  base::conn_id id;
  bool closed = false;
  bool writing = false;
  bool read_paused = false;   // the node asked us to stop reading (flow control)
  bool read_waiting = false;  // an async_wait for readability is outstanding
  std::string_view pending_write;  // the node's send_bytes view still to be written
  std::size_t write_total = 0;
};

}  // namespace

struct host::impl {
  impl(const options& o, logger& l)
      : opts(o), log(l), acceptor(io), timer(io), signals(io, SIGINT, SIGTERM) {
    signals.add(SIGHUP);
    signals.add(SIGUSR1);
    signals.add(SIGUSR2);
  }

  options opts;  // the current options (a reload replaces them)
  host::reload_fn reload;
  logger& log;
  asio::io_context io;
  tcp::acceptor acceptor;
  asio::steady_timer timer;
  asio::signal_set signals;
  // JetStream's durable store (opened by start_jetstream): declared before the
  // node, which reads it, so it is closed after the node is gone.
  std::unique_ptr<lmdb_store> store;
  std::unique_ptr<storage_thread> writer;  // commits write_storage batches (group commit)
  std::vector<std::pair<std::uint64_t, store::store_batch>> turn_writes;  // this turn's, for the writer
  bool handoff_posted = false;
  std::unique_ptr<server::node> node_ptr;  // created once the listener is bound (INFO has the port)
  server::node* nodep = nullptr;
  std::unordered_map<std::uint64_t, std::shared_ptr<session>> sessions;
  std::uint64_t next_id = 1;
  std::vector<char> read_buf = std::vector<char>(256 * 1024);
  // Monitoring (-m): declared after io, so it goes first on destruction.
  std::unique_ptr<monitor_http> http_monitor;
  // WebSocket clients: node connections like the TCP sessions, written through Beast.
  std::unique_ptr<websocket_listener> ws_listener;
  std::unordered_map<std::uint64_t, std::shared_ptr<websocket_conn>> ws_conns;
  monitor::websocket_settings monitor_websocket;
  monitor::request_stats monitor_requests;
  monitor::jetstream_settings monitor_jetstream;  // computed once, as the reference does at start
  cpu_meter cpu;
  monitor::host_stats monitor_host_stats();
  bool stopping = false;
  bool timer_armed = false;
  std::int64_t armed_for = 0;

  void tick() { nodep->advance_to(mono_now(), wall_now()); }

  void wait_signal() {
    signals.async_wait([this](boost::system::error_code ec, int sig) {
      if (ec || stopping) return;
      switch (sig) {
        case SIGINT:
        case SIGTERM:
          log.info(std::string("Trapped \"") + (sig == SIGINT ? "interrupt" : "terminated") + "\" signal");
          begin_shutdown();
          return;
        case SIGHUP: do_reload(); break;
        case SIGUSR1:
          log.reopen();
          log.info("Reopened log file");
          break;
        case SIGUSR2: enter_lame_duck(); break;
        default: break;
      }
      wait_signal();
    });
  }

  // SIGHUP: read the options anew; a bad config is refused and the old one kept.
  void do_reload() {
    log.info("Trapped \"hangup\" signal");
    if (!reload) return log.warn("config reload: no reload source");
    std::string error;
    std::optional<options> next = reload(error);
    if (!next) return log.error("Failed to reload server configuration: " + error);
    if (auto refused = jetstream_reload_refusal(opts, *next)) {
      return log.error("Failed to reload server configuration: " + *refused);
    }
    if (next->websocket != opts.websocket) {
      return log.error("Failed to reload server configuration: config reload not supported for Websocket");
    }
    next->node.jetstream = nodep->cfg().jetstream;  // JetStream keeps its startup settings
    next->node.js_max_memory = nodep->cfg().js_max_memory;
    next->node.js_max_store = nodep->cfg().js_max_store;
    tick();
    auto applied = nodep->reconfigure(next->node);
    if (!applied.ok()) return log.error("Failed to reload server configuration: " + applied.err().text);
    log.configure(next->node.debug, next->node.trace, next->log_time);
    log.set_size_limit(next->log_size_limit);
    if (next->log_file != opts.log_file && !next->log_file.empty() && !log.open_file(next->log_file)) {
      log.error("config reload: cannot open log file " + next->log_file);
    }
    const int port = opts.node.port;
    opts = *next;
    opts.node.port = port;
    drain();
    log.info("Reloaded server configuration");
  }

  void enter_lame_duck() {
    log.info("Trapped \"user defined signal 2\" signal");
    if (nodep->lame_duck()) return;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    if (ws_listener) ws_listener->stop();
    tick();
    nodep->enter_lame_duck(opts.lame_duck_duration_ns, opts.lame_duck_grace_ns);
    drain();
  }

  // Stop accepting and reading, let outstanding writes finish (at most 2 s), exit.
  void begin_shutdown() {
    log.info("Initiating Shutdown...");
    stopping = true;
    boost::system::error_code ignored;
    acceptor.close(ignored);
    for (auto& [id, s] : sessions) s->read_paused = true;
    if (ws_listener) ws_listener->stop();
    for (auto& [id, c] : ws_conns) c->set_reading(false);
    timer.expires_after(std::chrono::seconds(2));
    timer.async_wait([this](boost::system::error_code ec) {
      if (!ec) finish_shutdown();
    });
    maybe_finish_shutdown();
  }

  void maybe_finish_shutdown() {
    if (!stopping) return;
    for (auto& [id, s] : sessions) {
      if (s->writing) return;
    }
    for (auto& [id, c] : ws_conns) {
      if (c->writing()) return;
    }
    finish_shutdown();
  }

  void finish_shutdown() {
    boost::system::error_code ignored;
    for (auto& [id, s] : sessions) {
      s->closed = true;
      s->sock.close(ignored);
    }
    sessions.clear();
    for (auto& [id, c] : ws_conns) c->close_now(1001, "Server Shutdown");
    ws_conns.clear();
    if (writer) {
      // Writes nobody will be told about any more are still made durable.
      log.info("Initiating JetStream Shutdown...");
      for (auto& [ticket, batch] : turn_writes) writer->queue(ticket, std::move(batch));
      turn_writes.clear();
      for (const auto& d : writer->stop()) {
        if (!d.ok) log.error("JetStream storage write failed: " + d.error);
      }
      log.info("JetStream Shutdown");
    }
    log.info("Server Exiting..");
    io.stop();
  }

  void accept_next() {
    acceptor.async_accept([this](boost::system::error_code ec, tcp::socket sock) {
      if (stopping || ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (!ec) on_accept(std::move(sock));
      accept_next();
    });
  }

  void on_accept(tcp::socket sock) {
    boost::system::error_code ec;
    sock.set_option(tcp::no_delay(true), ec);
    sock.non_blocking(true, ec);
    auto ep = sock.remote_endpoint(ec);
    auto s = std::make_shared<session>(std::move(sock), base::conn_id{next_id++});
    sessions.emplace(s->id.value, s);
    tick();
    nodep->on_conn_opened({s->id, ec ? std::string() : ep.address().to_string(), ec ? 0 : ep.port()});
    drain();
    wait_readable(s);
  }

  void wait_readable(const std::shared_ptr<session>& s) {
    if (s->read_waiting || s->read_paused || s->closed) return;
    s->read_waiting = true;
    s->sock.async_wait(tcp::socket::wait_read, [this, s](boost::system::error_code ec) {
      s->read_waiting = false;
      if (s->closed) return;
      if (ec) return close_session(*s, true);
      on_readable(s);
    });
  }

  void on_readable(const std::shared_ptr<session>& s) {
    // Read what is there, up to a bound per turn so one busy client cannot starve others.
    for (int round = 0; round < 4 && !s->closed && !s->read_paused; ++round) {
      boost::system::error_code ec;
      const std::size_t n = s->sock.read_some(asio::buffer(read_buf), ec);
      if (ec == asio::error::would_block) break;
      if (ec || n == 0) {
        close_session(*s, true);
        drain();
        return;
      }
      tick();
      nodep->on_bytes_received({s->id, std::string_view(read_buf.data(), n)});
      drain();
      if (n < read_buf.size()) break;
    }
    wait_readable(s);
  }

  // Write as much as the socket takes now; the rest asynchronously.
  void start_write(session& s, std::string_view data) {
    s.writing = true;
    s.pending_write = data;
    s.write_total = data.size();
    boost::system::error_code ec;
    const std::size_t n = s.sock.write_some(asio::buffer(data.data(), data.size()), ec);
    if (ec && ec != asio::error::would_block) return close_session(s, true);
    if (!ec) s.pending_write.remove_prefix(n);
    if (s.pending_write.empty()) return finish_write(s);
    continue_write(sessions.at(s.id.value));
  }

  void continue_write(const std::shared_ptr<session>& s) {
    asio::async_write(s->sock, asio::buffer(s->pending_write.data(), s->pending_write.size()),
                      [this, s](boost::system::error_code ec, std::size_t) {
                        if (s->closed) return;
                        if (ec) {
                          close_session(*s, true);
                          drain();
                          return;
                        }
                        s->pending_write = {};
                        finish_write(*s);
                        drain();
                      });
  }

  void finish_write(session& s) {
    s.writing = false;
    tick();
    nodep->on_bytes_flushed({s.id, s.write_total});
    maybe_finish_shutdown();
  }

  // Closes the socket and tells the node (once). `report`: the node did not ask
  // for it (peer closed, socket error).
  void close_session(session& s, bool report) {
    (void)report;
    if (s.closed) return;
    s.closed = true;
    boost::system::error_code ec;
    s.sock.shutdown(tcp::socket::shutdown_both, ec);
    s.sock.close(ec);
    const base::conn_id id = s.id;
    sessions.erase(id.value);  // handlers still hold the session by shared_ptr
    tick();
    nodep->on_conn_closed({id});
  }

  void drain() {
    while (auto a = nodep->next_action()) {
      if (auto* sb = std::get_if<server::send_bytes>(&*a)) {
        auto it = sessions.find(sb->id.value);
        if (it != sessions.end()) {
          start_write(*it->second, sb->data);
        } else if (auto w = ws_conns.find(sb->id.value); w != ws_conns.end()) {
          w->second->write(sb->data);
        }
      } else if (auto* cc = std::get_if<server::close_conn>(&*a)) {
        auto it = sessions.find(cc->id.value);
        if (it != sessions.end()) {
          close_session(*it->second, false);
        } else {
          close_websocket(*cc);
        }
      } else if (auto* lg = std::get_if<server::emit_log>(&*a)) {
        log.write(lg->level, lg->text);
      } else if (std::holds_alternative<server::stop_server>(*a)) {
        log.info("Lame duck mode: all clients closed");
        begin_shutdown();
        return;
      } else if (auto* sr = std::get_if<server::set_reading>(&*a)) {
        if (auto w = ws_conns.find(sr->id.value); w != ws_conns.end()) w->second->set_reading(sr->enabled);
        auto it = sessions.find(sr->id.value);
        if (it == sessions.end()) continue;
        it->second->read_paused = !sr->enabled;
        if (sr->enabled) wait_readable(it->second);
      } else if (auto* ws = std::get_if<server::write_storage>(&*a)) {
        queue_write(ws->ticket, std::move(ws->batch));
      }
    }
    arm_timer();
  }

  // The node closes a WebSocket client: with a close frame whose status says
  // why (the reason the node recorded), or at once if a write must be abandoned.
  void close_websocket(const server::close_conn& cc) {
    auto w = ws_conns.find(cc.id.value);
    if (w == ws_conns.end()) return;
    const std::shared_ptr<websocket_conn> conn = std::move(w->second);
    ws_conns.erase(w);
    const bool abandon = conn->writing();
    if (abandon) conn->abort();  // before the node frees the buffer being written
    tick();
    nodep->on_conn_closed({cc.id});
    if (abandon) return;
    std::string reason = "Client Closed";
    const auto& closed = nodep->closed_connections().list();
    if (!closed.empty() && closed.back().cid == cc.id.value) reason = closed.back().reason;
    conn->close(close_status_for(reason), reason);
  }

  websocket_events websocket_callbacks() {
    websocket_events ev;
    ev.opened = [this](std::shared_ptr<websocket_conn> conn, const std::string& ip, int port) {
      const base::conn_id id{next_id++};
      ws_conns.emplace(id.value, std::move(conn));
      tick();
      nodep->on_conn_opened({id, ip, port});
      drain();
      return id;
    };
    ev.received = [this](base::conn_id id, std::string_view data) {
      tick();
      nodep->on_bytes_received({id, data});
      drain();
    };
    ev.flushed = [this](base::conn_id id, std::size_t n) {
      tick();
      nodep->on_bytes_flushed({id, n});
      maybe_finish_shutdown();
      if (!stopping) drain();
    };
    ev.closed = [this](base::conn_id id) {
      ws_conns.erase(id.value);
      tick();
      nodep->on_conn_closed({id});
      drain();
    };
    return ev;
  }

  // Group commit: the batches of one turn of the loop reach the writer thread
  // together (a posted handler runs after the I/O already completed), and
  // everything handed over while it is busy goes into its next transaction.
  void queue_write(std::uint64_t ticket, store::store_batch batch) {
    NATRIUM_ASSERT(writer != nullptr);  // the node writes only once attach_store gave it a store
    turn_writes.emplace_back(ticket, std::move(batch));
    if (handoff_posted) return;
    handoff_posted = true;
    asio::post(io, [this] {
      handoff_posted = false;
      for (auto& [ticket, batch] : turn_writes) writer->queue(ticket, std::move(batch));
      turn_writes.clear();
    });
  }

  // On the io thread: the writer thread's results, in ticket order.
  void storage_results(const std::vector<server::storage_done>& done) {
    bool logged = false;  // the first failure says why; the later ones follow from it
    for (const server::storage_done& d : done) {
      if (!d.ok && !logged) log.error("JetStream storage write failed: " + d.error);
      logged = logged || !d.ok;
      tick();
      nodep->on_storage_done(d);
    }
    drain();
  }

  // One timer follows the node's next deadline; re-armed only when it changes
  // (a timerfd_settime per event would cost a syscall on the hot path).
  void arm_timer() {
    if (stopping) return;  // the timer now bounds the shutdown
    auto due = nodep->next_deadline();
    if (!due || (timer_armed && due->ns == armed_for)) return;
    timer_armed = true;
    armed_for = due->ns;
    const auto now = mono_now();
    const auto wait = std::chrono::nanoseconds(std::max<std::int64_t>(0, due->ns - now.ns));
    timer.expires_after(wait);
    timer.async_wait([this](boost::system::error_code ec) {
      if (ec || stopping) return;  // cancelled by a re-arm: that one's handler takes over
      timer_armed = false;
      tick();
      drain();
    });
  }
};

host::host(const options& opts, logger& log, reload_fn reload) : impl_(std::make_unique<impl>(opts, log)) {
  impl_->reload = std::move(reload);
}
host::~host() = default;

int host::bound_port() const { return impl_->acceptor.local_endpoint().port(); }

bool host::listen() {
  auto& m = *impl_;
  boost::system::error_code ec;
  asio::ip::make_address(m.opts.node.host, ec);  // checked first for its own error text
  if (ec) {
    m.log.error("invalid listen address: " + m.opts.node.host);
    return false;
  }
  const int port = m.opts.port_requested < 0 ? 0 : (m.opts.port_requested == 0 ? 4222 : m.opts.port_requested);
  open_listener(m.acceptor, m.opts.node.host, port, ec);
  if (ec) {
    m.log.error("Error listening on port: " + m.opts.node.host + ":" + std::to_string(port) + ", \"" +
                ec.message() + "\"");
    return false;
  }
  server::config cfg = m.opts.node;
  cfg.port = m.acceptor.local_endpoint().port();
  // Resolved once, as the reference does at start: the log, the node and the
  // monitoring endpoints all see the same directory and limits.
  m.monitor_jetstream = jetstream_settings_for(m.opts);
  cfg.jetstream = m.monitor_jetstream.enabled;
  if (cfg.jetstream) {
    cfg.js_max_memory = m.monitor_jetstream.max_memory;
    cfg.js_max_store = m.monitor_jetstream.max_storage;
  }
  m.node_ptr = std::make_unique<server::node>(cfg);
  m.nodep = m.node_ptr.get();
  return true;
}

const std::string& host::server_id() const { return impl_->nodep->server_id(); }

int host::run() {
  auto& m = *impl_;
  m.wait_signal();
  m.accept_next();
  m.tick();
  m.arm_timer();
  m.io.run();
  return 0;
}

// --- monitoring -------------------------------------------------------------

monitor::host_stats host::impl::monitor_host_stats() {
  monitor::host_stats hs;
  hs.now = wall_now();
  const process_sample p = read_process_sample();
  hs.mem_bytes = p.rss_bytes;
  hs.cpu_seconds = p.cpu_seconds;
  hs.cpu_percent = cpu.percent(p.cpu_seconds, mono_now().ns);
  hs.cores = available_cores();
  hs.max_procs = 1;  // one io_context thread runs the server
  hs.http_host = opts.http_host.empty() ? opts.node.host : opts.http_host;
  hs.http_port = opts.http_port;  // as configured (the reference shows -1 for a random port)
  hs.ready = acceptor.is_open() && !stopping;
  hs.jetstream = monitor_jetstream;
  hs.websocket = monitor_websocket;
  return hs;
}

bool host::start_monitor() {
  auto& m = *impl_;
  if (m.opts.http_port == 0) return true;
  // Requests run on the io_context thread, between node events: reads only.
  auto on_request = [&m](const monitor::request& req) {
    return monitor::handle(*m.nodep, req, m.monitor_host_stats(), m.monitor_requests);
  };
  m.http_monitor = std::make_unique<monitor_http>(m.io, m.log, on_request);
  const std::string host = m.opts.http_host.empty() ? m.opts.node.host : m.opts.http_host;
  return m.http_monitor->listen(host, m.opts.http_port);
}

int host::monitor_port() const { return impl_->http_monitor ? impl_->http_monitor->port() : 0; }

// --- WebSocket ----------------------------------------------------------------

bool host::start_websocket() {
  auto& m = *impl_;
  const websocket_options& wo = m.opts.websocket;
  if (wo.port == 0) return true;
  NATRIUM_ASSERT(m.nodep != nullptr);  // after listen()
  m.ws_listener = std::make_unique<websocket_listener>(m.io, m.log, wo, m.websocket_callbacks());
  if (!m.ws_listener->listen()) return false;
  monitor::websocket_settings& ws = m.monitor_websocket;
  ws.host = wo.host;
  ws.port = m.ws_listener->port();
  ws.advertise = wo.advertise;
  ws.handshake_timeout_ns = wo.handshake_timeout_ns;
  ws.no_tls = wo.no_tls;
  ws.same_origin = wo.same_origin;
  ws.allowed_origins = wo.allowed_origins;
  ws.compression = wo.compression;
  return true;
}

int host::websocket_port() const { return impl_->ws_listener ? impl_->ws_listener->port() : 0; }

// --- JetStream ---------------------------------------------------------------

namespace {

void log_jetstream_banner(logger& log, const monitor::jetstream_settings& js) {
  static const char* const banner[] = {
      "    _ ___ _____ ___ _____ ___ ___   _   __  __",
      " _ | | __|_   _/ __|_   _| _ \\ __| /_\\ |  \\/  |",
      "| || | _|  | | \\__ \\ | | |   / _| / _ \\| |\\/| |",
      " \\__/|___| |_| |___/ |_| |_|_\\___/_/ \\_\\_|  |_|",
      "",
      "         https://docs.nats.io/jetstream",
      "",
      "---------------- JETSTREAM ----------------",
  };
  for (const char* line : banner) log.info(line);
  log.info("  Max Memory:      " + friendly_bytes(js.max_memory));
  log.info("  Max Storage:     " + friendly_bytes(js.max_storage));
  log.info("  Store Directory: \"" + js.store_dir + "\"");
  if (!js.domain.empty()) log.info("  Domain:          " + js.domain);
  log.info("-------------------------------------------");
}

}  // namespace

bool host::start_jetstream() {
  auto& m = *impl_;
  const monitor::jetstream_settings& js = m.monitor_jetstream;
  if (!js.enabled) return true;
  NATRIUM_ASSERT(m.nodep != nullptr);  // after listen()
  NATRIUM_ASSERT(m.store == nullptr);
  m.log.info("Starting JetStream");
  const auto& jo = m.opts.jetstream;
  if (!(jo.max_memory_store.value_or(0) > 0 && jo.max_file_store.value_or(0) > 0)) {
    m.log.write(server::log_level::debug, "JetStream creating dynamic configuration - " +
                                              friendly_bytes(js.max_memory) + " memory, " +
                                              friendly_bytes(js.max_storage) + " disk");
  }
  // As the reference, a JetStream that cannot start stops the server.
  auto fail = [&m](const std::string& why) {
    m.log.error("Can't start JetStream: " + why);
    return false;
  };
  if (auto dir = prepare_store_dir(js.store_dir); !dir) return fail(dir.err().text);
  log_jetstream_banner(m.log, js);
  // Natrium's own files live in one LMDB environment inside the directory.
  const std::string env_dir = js.store_dir + "/natrium";
  if (auto dir = prepare_store_dir(env_dir); !dir) return fail(dir.err().text);
  lmdb_store_options so;
  so.directory = env_dir;
  // The whole map at once (address space only): the writer thread must never
  // remap it under a read on the io thread.
  so.map_size_bytes = so.map_size_max_bytes;
  so.defer_meta_sync = true;  // the writer thread holds results until durable
  auto opened = lmdb_store::open(so);
  if (!opened) return fail("could not open the store in \"" + env_dir + "\": " + opened.err().text);
  m.store = std::move(opened.value());
  m.writer = std::make_unique<storage_thread>(*m.store, [&m](std::vector<server::storage_done> done) {
    asio::post(m.io, [&m, done = std::move(done)] { m.storage_results(done); });
  }, m.store.get());
  m.tick();
  auto attached = m.nodep->attach_store(m.store.get());
  if (!attached) return fail(attached.err().text);
  m.drain();
  return true;
}

}  // namespace natrium::native

// The C ABI that natrium.mjs calls (every symbol is exported with its leading
// underscore, e.g. Module._nat_create). Handles are plain pointers into WASM
// memory; JS never dereferences them.
#include <emscripten/emscripten.h>

#include <cstdint>
#include <string>

#include "wasm/wasm_host.h"

using natrium::server::config;
using natrium::wasm::host;

namespace {

// Config keys for nat_config_set_num / nat_config_set_str. Keep in step with
// CONFIG_KEYS in natrium.mjs.
enum config_key : int {
  key_seed_lo = 1,
  key_seed_hi = 2,
  key_jetstream = 3,
  key_debug = 4,
  key_trace = 5,
  key_max_payload = 6,
  key_max_control_line = 7,
  key_max_connections = 8,
  key_max_subscriptions = 9,
  key_max_pending = 10,
  key_ping_interval_ms = 11,
  key_ping_max = 12,
  key_write_deadline_ms = 13,
  key_port = 14,
  key_server_name = 100,
  key_host = 101,
};

enum stat_key : int {
  stat_in_msgs = 1,
  stat_out_msgs = 2,
  stat_in_bytes = 3,
  stat_out_bytes = 4,
  stat_total_connections = 5,
  stat_slow_consumers = 6,
  stat_connections = 7,
  stat_subscriptions = 8,
};

std::string scratch;  // nat_config_set_str input

}  // namespace

extern "C" {

EMSCRIPTEN_KEEPALIVE config* nat_config_new() { return new config(); }

EMSCRIPTEN_KEEPALIVE void nat_config_free(config* c) { delete c; }

// Returns 0 on success, -1 for an unknown key.
EMSCRIPTEN_KEEPALIVE int nat_config_set_num(config* c, int key, double v) {
  const auto i64 = static_cast<std::int64_t>(v);
  switch (key) {
    case key_seed_lo: c->seed = (c->seed & 0xffffffff00000000ull) | (static_cast<std::uint64_t>(v) & 0xffffffffull); break;
    case key_seed_hi: c->seed = (c->seed & 0xffffffffull) | (static_cast<std::uint64_t>(v) << 32); break;
    case key_jetstream: c->jetstream = v != 0; break;
    case key_debug: c->debug = v != 0; break;
    case key_trace: c->trace = v != 0; break;
    case key_max_payload: c->max_payload = i64; break;
    case key_max_control_line: c->max_control_line = static_cast<std::size_t>(i64); break;
    case key_max_connections: c->max_connections = static_cast<int>(i64); break;
    case key_max_subscriptions: c->max_subscriptions = static_cast<int>(i64); break;
    case key_max_pending: c->max_pending = i64; break;
    case key_ping_interval_ms: c->ping_interval_ns = natrium::wasm::ms_to_ns(v); break;
    case key_ping_max: c->ping_max = static_cast<int>(i64); break;
    case key_write_deadline_ms: c->write_deadline_ns = natrium::wasm::ms_to_ns(v); break;
    case key_port: c->port = static_cast<int>(i64); break;
    default: return -1;
  }
  return 0;
}

// A buffer for a string argument: JS writes UTF-8 there, then calls set_str.
EMSCRIPTEN_KEEPALIVE char* nat_scratch(std::uint32_t n) {
  scratch.resize(n);
  return scratch.data();
}

EMSCRIPTEN_KEEPALIVE int nat_config_set_str(config* c, int key) {
  switch (key) {
    case key_server_name: c->server_name = scratch; break;
    case key_host: c->host = scratch; break;
    default: return -1;
  }
  return 0;
}

// Takes the config (and frees it). The node starts at this JS time.
EMSCRIPTEN_KEEPALIVE host* nat_create(config* c, double mono_ms, double wall_ms) {
  host* h = new host(std::move(*c), mono_ms, wall_ms);
  delete c;
  return h;
}

EMSCRIPTEN_KEEPALIVE void nat_destroy(host* h) { delete h; }

EMSCRIPTEN_KEEPALIVE std::uint32_t nat_open(host* h, double mono_ms, double wall_ms) {
  return h->open(mono_ms, wall_ms);
}

EMSCRIPTEN_KEEPALIVE char* nat_input(host* h, std::uint32_t n) { return h->input(n); }

EMSCRIPTEN_KEEPALIVE void nat_receive(host* h, std::uint32_t id, std::uint32_t n, double mono_ms, double wall_ms) {
  h->receive(id, n, mono_ms, wall_ms);
}

EMSCRIPTEN_KEEPALIVE void nat_close(host* h, std::uint32_t id, double mono_ms, double wall_ms) {
  h->close(id, mono_ms, wall_ms);
}

// Manual-flush mode (listen()'s socket bridge): JS reports flushes with nat_flushed.
EMSCRIPTEN_KEEPALIVE void nat_set_manual_flush(host* h, std::uint32_t id, int on) { h->set_manual_flush(id, on != 0); }

EMSCRIPTEN_KEEPALIVE void nat_flushed(host* h, std::uint32_t id, std::uint32_t n, double mono_ms, double wall_ms) {
  h->flushed(id, n, mono_ms, wall_ms);
}

EMSCRIPTEN_KEEPALIVE void nat_advance(host* h, double mono_ms, double wall_ms) { h->advance(mono_ms, wall_ms); }

EMSCRIPTEN_KEEPALIVE int nat_next(host* h) { return static_cast<int>(h->next()); }
EMSCRIPTEN_KEEPALIVE std::uint32_t nat_action_id(host* h) { return h->action_id(); }
EMSCRIPTEN_KEEPALIVE const char* nat_action_data(host* h) { return h->action_data(); }
EMSCRIPTEN_KEEPALIVE std::uint32_t nat_action_size(host* h) { return static_cast<std::uint32_t>(h->action_size()); }
EMSCRIPTEN_KEEPALIVE int nat_action_flag(host* h) { return h->action_flag(); }

EMSCRIPTEN_KEEPALIVE double nat_next_deadline(host* h) { return h->next_deadline_ms(); }

EMSCRIPTEN_KEEPALIVE const char* nat_server_id(host* h) { return h->node().server_id().c_str(); }
EMSCRIPTEN_KEEPALIVE std::uint32_t nat_server_id_size(host* h) {
  return static_cast<std::uint32_t>(h->node().server_id().size());
}

EMSCRIPTEN_KEEPALIVE double nat_stat(host* h, int key) {
  const auto s = h->node().stats();
  switch (key) {
    case stat_in_msgs: return static_cast<double>(s.in_msgs);
    case stat_out_msgs: return static_cast<double>(s.out_msgs);
    case stat_in_bytes: return static_cast<double>(s.in_bytes);
    case stat_out_bytes: return static_cast<double>(s.out_bytes);
    case stat_total_connections: return static_cast<double>(s.total_connections);
    case stat_slow_consumers: return static_cast<double>(s.slow_consumers);
    case stat_connections: return static_cast<double>(s.connections);
    case stat_subscriptions: return static_cast<double>(s.subscriptions);
    default: return -1;
  }
}

}  // extern "C"

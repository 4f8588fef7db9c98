// node: JetStream's place in the node (docs/decisions/0001). Internal
// subscriptions feed the engine; what it publishes is routed after the
// current handler returns; its writes leave as write_storage actions and come
// back as storage_done events.
#include "core/base/assert.h"
#include "core/proto/headers.h"
#include "core/server/node_impl.h"

namespace natrium::server {

struct node::impl::js_port final : jetstream::port {
  explicit js_port(node::impl& n) : m(n) {}
  node::impl& m;

  void publish(jetstream::out_msg msg) override { m.js_out.push_back(std::move(msg)); }

  bool has_interest(std::string_view subject) override {
    const auto r = m.subs.match(subject);
    for (const subject::subscription* s : r->plain) {
      if (s->owner != 0) return true;
    }
    for (const subject::queue_group& g : r->queues) {
      for (const subject::subscription* s : g.members) {
        if (s->owner != 0) return true;
      }
    }
    return false;
  }

  bool has_exact_interest(std::string_view subject, std::string_view queue) override {
    const auto r = m.subs.match(subject);
    if (queue.empty()) {
      for (const subject::subscription* s : r->plain) {
        if (s->owner != 0 && s->subject == subject) return true;
      }
      return false;
    }
    for (const subject::queue_group& g : r->queues) {
      if (g.name != queue) continue;
      for (const subject::subscription* s : g.members) {
        if (s->owner != 0 && s->subject == subject) return true;
      }
    }
    return false;
  }

  void subscribe(std::uint64_t token, std::string_view subject) override {
    NATRIUM_ASSERT(m.internal_subs.find(token) == m.internal_subs.end());
    auto sub = std::make_unique<subject::subscription>();
    sub->subject.assign(subject);
    sub->sid = "js" + std::to_string(token);
    sub->owner = internal_owner;
    const bool inserted = m.subs.insert(sub.get());
    NATRIUM_ASSERT(inserted);
    m.internal_tokens.emplace(sub.get(), token);
    m.internal_subs.emplace(token, std::move(sub));
  }

  void unsubscribe(std::uint64_t token) override {
    auto it = m.internal_subs.find(token);
    if (it == m.internal_subs.end()) return;
    m.subs.remove(it->second.get());
    it->second->owner = 0;
    m.internal_tokens.erase(it->second.get());
    m.graveyard.push_back(std::move(it->second));
    m.internal_subs.erase(it);
  }

  void log(level lvl, std::string text) override {
    log_level l = log_level::info;
    switch (lvl) {
      case level::error: l = log_level::error; break;
      case level::warn: l = log_level::warn; break;
      case level::info: l = log_level::info; break;
      case level::debug:
        if (!m.cfg.debug) return;
        l = log_level::debug;
        break;
    }
    m.log(l, std::move(text));
  }
};

base::result<bool> node::attach_store(const store::store_reader* durable) {
  auto& m = *impl_;
  NATRIUM_ASSERT(!m.js);
  if (!m.cfg.jetstream || durable == nullptr) return true;
  jetstream::engine_config ec;
  ec.server_id = m.server_id;
  ec.server_name = m.cfg.server_name.empty() ? m.server_id : m.cfg.server_name;
  ec.max_memory = m.cfg.js_max_memory;
  ec.max_store = m.cfg.js_max_store;
  ec.max_payload = m.cfg.max_payload;
  m.jsp = std::make_unique<impl::js_port>(m);
  auto e = std::make_unique<jetstream::engine>(std::move(ec), *m.jsp);
  m.js = std::move(e);
  auto started = m.js->start(durable, m.now, m.wall);
  if (!started) {
    for (auto& [token, sub] : m.internal_subs) m.subs.remove(sub.get());
    m.internal_subs.clear();
    m.internal_tokens.clear();
    m.js.reset();
    m.js_out.clear();
    return started;
  }
  m.end_event();
  return true;
}

const jetstream::engine* node::jetstream() const noexcept { return impl_->js.get(); }

void node::on_storage_done(const storage_done& e) {
  auto& m = *impl_;
  if (m.js) m.js->on_storage_done(e.ticket, e.ok, e.error);
  m.end_event();
}

void node::impl::deliver_internal(subject::subscription& sub, const proto::op& op) {
  auto it = internal_tokens.find(&sub);
  if (it == internal_tokens.end() || !js) return;
  jetstream::in_msg msg;
  msg.subject = op.subject;
  msg.reply = op.reply;
  if (op.kind == proto::op_kind::hpub) {
    msg.headers = op.payload.substr(0, op.header_size);
    msg.payload = op.payload.substr(op.header_size);
  } else {
    msg.payload = op.payload;
  }
  js->on_message(it->second, msg);
}

// Routes what the engine published, in order; deliveries to internal
// subscriptions may publish more, which joins the queue.
void node::impl::route_jetstream_out() {
  std::string buffer;
  while (!js_out.empty()) {
    jetstream::out_msg msg = std::move(js_out.front());
    js_out.pop_front();
    proto::op op;
    std::string_view match;
    op.subject = msg.subject;
    if (!msg.original_subject.empty()) {
      op.subject = msg.original_subject;
      match = msg.subject;
    }
    op.reply = msg.reply;
    if (msg.headers.empty()) {
      op.kind = proto::op_kind::pub;
      op.payload = msg.payload;
    } else {
      buffer.clear();
      buffer.append(msg.headers);
      buffer.append(msg.payload);
      op.kind = proto::op_kind::hpub;
      op.header_size = msg.headers.size();
      op.payload = buffer;
    }
    route(nullptr, op, match);
  }
}

// End of an event: route the engine's messages, then hand out its storage
// batch. Taking the batch may release replies that waited for nothing (or
// route them through an internal subscription that writes again), so repeat
// until both are settled.
void node::impl::drain_jetstream() {
  if (!js) return;
  do {
    route_jetstream_out();
    if (auto batch = js->take_batch()) {
      actions.push_back(write_storage{batch->first, std::move(batch->second)});
    }
  } while (!js_out.empty());
}

}  // namespace natrium::server

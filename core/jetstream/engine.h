#pragma once
// engine: JetStream inside a node (docs/decisions/0001). It owns the streams
// and their consumers, answers the $JS.API, stores what clients publish on
// stream subjects, and talks to the node only through `port` (internal
// subscriptions, publishing) and to storage only through batches it hands out
// (take_batch) and whose durability the node reports back (on_storage_done).
//
// Durability: every reply that acknowledges a write (PubAck, API success, ack
// reply) is parked on the ticket of the batch that holds the write, and is
// published only when storage_done(ticket, ok) arrives. The in-memory state
// (stream indexes, consumers) changes at once, but consumers never deliver a
// message before it is durable.
//
// Memory streams keep their messages in an engine-owned memory_store; stream
// and consumer definitions of every stream live in the durable store's catalog.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "core/base/result.h"
#include "core/base/time.h"
#include "core/jetstream/js_msg.h"
#include "core/store/store.h"
#include "core/store/store_batch.h"

namespace natrium::jetstream {

// What the engine needs from the node.
class port {
 public:
  virtual ~port() = default;
  // Route `m` like a client's publish, after the current handler returns.
  virtual void publish(out_msg m) = 0;
  // Does any live subscription (client or internal) match literal `subject`?
  virtual bool has_interest(std::string_view subject) = 0;
  // Push consumer interest (the reference's sublist notifications): a live
  // client subscription on exactly `subject` (no wildcard), a plain one when
  // `queue` is empty, else one in queue group `queue`.
  virtual bool has_exact_interest(std::string_view subject, std::string_view queue) {
    (void)queue;
    return has_interest(subject);
  }
  // Internal subscriptions: messages on `subject` come back through
  // engine::on_message(token, ...). Tokens are chosen by the engine.
  virtual void subscribe(std::uint64_t token, std::string_view subject) = 0;
  virtual void unsubscribe(std::uint64_t token) = 0;
  enum class level : std::uint8_t { error, warn, info, debug };
  virtual void log(level lvl, std::string text) = 0;
};

struct engine_config {
  std::string server_id;
  std::string server_name;
  std::int64_t max_memory = -1;  // account limits (-1: unlimited)
  std::int64_t max_store = -1;
  std::int64_t max_payload = 1024 * 1024;
};

// Numbers for $JS.API.INFO, /jsz and /varz.
struct engine_stats {
  std::uint64_t streams = 0, consumers = 0, messages = 0, bytes = 0;
  std::uint64_t memory = 0, store = 0;  // bytes used per storage type
  std::uint64_t api_total = 0, api_errors = 0;
  bool fenced = false;                  // a storage error stopped writes
};

class engine {
 public:
  engine(engine_config cfg, port& p);
  ~engine();
  engine(const engine&) = delete;
  engine& operator=(const engine&) = delete;

  // Loads every stream and consumer from `durable` (catalog, then an index
  // scan per file stream; memory streams come back empty, as the reference's).
  // Subscribes the API, ack and stream subjects.
  [[nodiscard]] base::result<bool> start(const store::store_reader* durable, base::mono_time now,
                                         base::wall_time wall);

  void advance(base::mono_time now, base::wall_time wall);  // fires due timers
  std::optional<base::mono_time> next_deadline() const;

  // A message on an internal subscription of this engine.
  void on_message(std::uint64_t token, const in_msg& m);
  // A client subscribed to `subject` (push consumers waiting for interest).
  void on_client_subscribed(std::string_view subject);

  // The writes gathered since the last call, with the ticket that will
  // release the replies parked on them; empty when nothing was written.
  std::optional<std::pair<std::uint64_t, store::store_batch>> take_batch();
  void on_storage_done(std::uint64_t ticket, bool ok, std::string_view error);

  engine_stats stats() const;
  // /jsz stream_detail: a JSON array of StreamDetail (name, created, cluster,
  // config when `config`, state, consumer_detail when `consumers`).
  std::string streams_detail_json(bool config, bool consumers) const;
  // $JS.API.INFO's body (account info), also used by /jsz.
  std::string account_info_json() const;

  struct impl;

 private:
  std::unique_ptr<impl> impl_;
};

}  // namespace natrium::jetstream

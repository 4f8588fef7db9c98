#pragma once
// consumer: one JetStream consumer's state machine (nats-server 2.9.10
// consumer.go), push or pull, durable or ephemeral. Pure: it reads the stream
// through consumer_host, publishes through it, and asks it for timers. Every
// change of its persistent state (delivered, ack floor, pending, redelivered)
// is reported with state_changed(); the stream saves state() in the next store
// batch, and ack replies (AckAck) go out only once that batch is durable.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/base/result.h"
#include "core/base/time.h"
#include "core/jetstream/consumer_config.h"
#include "core/jetstream/js_msg.h"
#include "core/jetstream/stream_index.h"
#include "core/store/store.h"

namespace natrium::jetstream {

class consumer;

// What a consumer needs from its stream and the node around it.
class consumer_host {
 public:
  virtual ~consumer_host() = default;
  virtual const std::string& stream_name() const = 0;
  virtual const stream_config& stream_cfg() const = 0;
  virtual const stream_index& index() const = 0;
  // Messages with seq <= this are durable and may be delivered; later ones
  // are in the index but not yet on disk.
  virtual std::uint64_t deliverable_last_seq() const = 0;
  // The first message at or after `from` that left the index but whose removal
  // is not durable yet (0: none). A crash would bring it back, so a consumer
  // neither delivers past it nor skips it until the removal is durable.
  virtual std::uint64_t pending_removal_from(std::uint64_t from) const { (void)from; return 0; }
  // The stored message (payload included). Empty if it is not in the stream;
  // an error means the store failed (the consumer stops delivering).
  virtual base::result<std::optional<store::stored_msg>> load(std::uint64_t seq) const = 0;
  // Publish now (deliveries, status messages, heartbeats).
  virtual void publish(out_msg m) = 0;
  // Publish once everything written so far is durable (ack replies).
  virtual void publish_when_durable(out_msg m) = 0;
  // Is there a subscription for `subject` (push consumers deliver only then)?
  virtual bool has_interest(std::string_view subject) = 0;
  // The consumer's persistent state changed: save it in the next batch.
  virtual void state_changed(consumer& c) = 0;
  // The consumer no longer needs message `seq` (acked, terminated, past
  // max_deliver, or delivered with ack_policy none): interest and work-queue
  // streams may now remove it. Only called for those retentions; the host
  // may remove the message (and call on_message_removed) from inside.
  virtual void released(consumer& c, std::uint64_t seq) = 0;
  // Advisory on $JS.EVENT.ADVISORY.CONSUMER.<kind>.<stream>.<consumer>; the
  // JSON body is built by the consumer in the reference's shape.
  virtual void advisory(std::string subject, std::string json) = 0;
  // Call consumer::on_timer at or after `due` (one pending wake-up per consumer;
  // a new call replaces the old one; mono_time{0}... never cancels: the consumer
  // ignores early or stale wake-ups).
  virtual void wake_at(consumer& c, base::mono_time due) = 0;
  // An ephemeral consumer whose inactive_threshold passed: delete it (after
  // the current call returns).
  virtual void expire(consumer& c) = 0;
  virtual base::mono_time mono_now() const = 0;
  virtual base::wall_time wall_now() const = 0;
  virtual const std::string& server_name() const = 0;  // for advisories and info "cluster"
};

// CONSUMER.INFO's body (ConsumerInfo), without the envelope's "type".
struct consumer_info_opts {
  bool include_type = false;  // add "type":"io.nats.jetstream.api.v1.consumer_info_response"
  // Overrides the "type" value when not empty (e.g. ...consumer_create_response).
  std::string_view type;
  // The "cluster" object's raw JSON. A standalone nats-server 2.9.10 sends no
  // "cluster" in consumer info (no raft group), so empty omits it.
  std::string cluster_json;
};

class consumer {
 public:
  // `restored`: the saved state after a restart (durable consumers), else empty.
  // The constructor only reads from the host (it publishes nothing and asks
  // for no timer): call kick() once the consumer is registered, which
  // delivers what is already in the stream and starts its timers.
  consumer(consumer_host& host, std::string name, consumer_config cfg, base::wall_time created,
           std::optional<store::consumer_state> restored);
  ~consumer();
  consumer(const consumer&) = delete;
  consumer& operator=(const consumer&) = delete;

  const std::string& name() const noexcept;
  const consumer_config& config() const noexcept;
  base::wall_time created() const noexcept;
  // An update already checked with check_consumer_update.
  void update_config(const consumer_config& cfg);

  // A message on $JS.ACK.<stream>.<consumer>.<...>: `subject` is the full ack
  // subject, `payload` the ack kind (+ACK, -NAK [{"delay":..}], +WPI, +NXT
  // [json], +TERM; empty means +ACK), `reply` the AckAck inbox or empty.
  void on_ack(std::string_view subject, std::string_view payload, std::string_view reply);
  // A pull request ($JS.API.CONSUMER.MSG.NEXT.<stream>.<consumer>): payload is
  // empty, a batch size, or JSON {batch, expires, no_wait, max_bytes,
  // idle_heartbeat}. Replies with messages or 404/408/409 status messages.
  void on_next_request(std::string_view reply, std::string_view payload);
  // A reply to a flow control request (push consumers with flow_control).
  void on_flow_control_reply(std::string_view subject);
  // Something changed: new durable messages (seq <= deliverable_last_seq), or
  // a subscription appeared on the deliver subject. Deliver what is possible.
  void kick();
  // Message `seq` left the stream (limits, delete, purge): forget it.
  void on_message_removed(std::uint64_t seq);
  // The stream was purged: messages below `first_seq` are gone. As in the
  // reference every pending entry is dropped. (stream.purge calls this only
  // for consumers whose filter matches a filtered purge's subject, with the
  // first seq left on that subject; each removed message is also reported
  // through on_message_removed, as memstore's removal callback does.)
  void on_purged(std::uint64_t first_seq);
  // A wake-up requested with consumer_host::wake_at.
  void on_timer(base::mono_time now);
  // The consumer is being deleted: pull requests get 409 Consumer Deleted.
  void on_delete();

  // Interest/work-queue retention: does this consumer still need `seq`
  // (subject `subject`)? (nats-server consumer.needAck)
  bool needs(std::uint64_t seq, std::string_view subject) const;

  // Persistent state (saved by the stream in store batches).
  store::consumer_state state() const;
  // ConsumerInfo JSON (stream_name, name, created, config, delivered,
  // ack_floor, num_ack_pending, num_redelivered, num_waiting, num_pending,
  // cluster, push_bound), in the reference's field order.
  std::string info_json(const consumer_info_opts& opts = {}) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace natrium::jetstream

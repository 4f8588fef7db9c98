#pragma once
// Private state of jetstream::engine, shared by engine*.cpp, stream*.cpp and
// api_*.cpp. Not part of the API.
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/jetstream/api_error.h"
#include "core/jetstream/consumer.h"
#include "core/jetstream/consumer_config.h"
#include "core/jetstream/engine.h"
#include "core/jetstream/stream_config.h"
#include "core/jetstream/stream_index.h"
#include "core/store/memory_store.h"

namespace natrium::jetstream {

class stream;

// Internal subscription tokens: fixed ones for the services, then one per
// stream subject (token_stream_base + n).
inline constexpr std::uint64_t token_ack = 2;
inline constexpr std::uint64_t token_fc = 3;
inline constexpr std::uint64_t token_stream_base = 16;

// Catalog keys (store::op_put_catalog): one per stream and per consumer.
std::string stream_catalog_key(std::uint64_t stream_id);
std::string consumer_catalog_key(std::uint64_t stream_id, std::string_view consumer);
inline constexpr std::string_view stream_catalog_prefix = "s:";
inline constexpr std::string_view consumer_catalog_prefix = "c:";

// One stream: config, index, dedup window, consumers.
class stream final : public consumer_host {
 public:
  stream(engine::impl& e, std::uint64_t id, stream_config cfg, base::wall_time created);
  ~stream() override;

  engine::impl& eng;
  const std::uint64_t id;
  stream_config cfg;
  base::wall_time created;
  stream_index idx;
  std::uint64_t durable_seq = 0;  // deliverable: messages up to here are durable
  // File streams: messages appended but not durable yet, which the store
  // cannot read; load() serves them to reads whose replies wait for them.
  std::map<std::uint64_t, store::stored_msg> unsynced;
  std::set<std::uint64_t> removing;  // file streams: removed, the delete not durable yet
  std::vector<std::uint64_t> tokens;      // internal subscriptions for cfg.subjects
  std::vector<std::uint64_t> api_tokens;  // direct get and pull request subscriptions
  std::map<std::string, std::unique_ptr<consumer>, std::less<>> consumers;
  std::set<consumer*> dirty;  // consumer state to save in the next batch
  // Dedup window: msg id -> (seq, ts), and the arrival order for expiry.
  std::unordered_map<std::string, std::pair<std::uint64_t, std::int64_t>> dedup;
  std::deque<std::pair<std::string, std::int64_t>> dedup_order;
  std::string last_msg_id;
  std::vector<std::uint64_t> lost;  // seqs found corrupt at startup (StreamState.Lost)
  bool age_timer_armed = false;

  bool is_memory() const noexcept { return cfg.storage == storage_type::memory; }
  // Accounted bytes of one message, as the reference's store of this type
  // counts them (memStoreMsgSize / fileStoreMsgSize).
  std::uint64_t record_size(std::size_t subject_len, std::size_t headers_len, std::size_t payload_len) const noexcept {
    const std::uint64_t raw = static_cast<std::uint64_t>(subject_len + headers_len + payload_len);
    if (is_memory()) return raw + 16;
    return raw + 22 + 8 + (headers_len > 0 ? 4 : 0);
  }
  store::stream_id sid() const noexcept { return store::stream_id{id}; }

  // --- consumer_host
  const std::string& stream_name() const override { return cfg.name; }
  const stream_config& stream_cfg() const override { return cfg; }
  const stream_index& index() const override { return idx; }
  std::uint64_t deliverable_last_seq() const override { return durable_seq; }
  std::uint64_t pending_removal_from(std::uint64_t from) const override {
    auto it = removing.lower_bound(from);
    return it == removing.end() ? 0 : *it;
  }
  base::result<std::optional<store::stored_msg>> load(std::uint64_t seq) const override;
  void publish(out_msg m) override;
  void publish_when_durable(out_msg m) override;
  bool has_interest(std::string_view subject) override;
  void state_changed(consumer& c) override;
  void released(consumer& c, std::uint64_t seq) override;
  void advisory(std::string subject, std::string json) override;
  void wake_at(consumer& c, base::mono_time due) override;
  void expire(consumer& c) override;
  base::mono_time mono_now() const override;
  base::wall_time wall_now() const override;
  const std::string& server_name() const override;

  // --- writes (stream_write.cpp)
  // A message published on one of the stream's subjects.
  void on_publish(const in_msg& m);
  // Uses up `seq` without keeping a message (the reference's SkipMsg).
  void skip_seq(std::uint64_t seq, std::string_view subj);
  // Mirrors and sources (stream_source.cpp): a copied message; want_seq > 0
  // keeps the origin's sequence (mirror).
  void ingest(std::uint64_t want_seq, std::string_view subj, std::string_view headers, std::string_view payload,
              std::int64_t ts);
  std::map<std::string, std::uint64_t, std::less<>> source_seq;    // origin -> last origin seq seen
  std::map<std::string, std::int64_t, std::less<>> source_active;  // origin -> mono ns of the last copy
  std::string source_info_json(const std::string& origin) const;
  std::string sources_info_json() const;  // ",\"mirror\":{..}" / ",\"sources\":[..]" or ""
  void skip_msg(std::uint64_t seq, std::string_view subj);           // SkipMsg
  void remember_msg_id(const std::string& msg_id, std::uint64_t seq);  // last id + dedup window
  void republish(std::string_view subj, std::string_view headers, std::string_view payload, std::uint64_t seq,
                 std::uint64_t last_for_subject);
  // Removes messages (limits, purge, delete, retention), tells consumers, and
  // writes the removal. Returns how many were live.
  std::uint64_t remove_seqs(const std::vector<std::uint64_t>& seqs, bool erase);
  std::uint64_t purge(std::string_view filter, std::uint64_t seq, std::uint64_t keep);
  void enforce_limits();
  void expire_aged();  // max_age: removes what is too old, re-arms the timer
  void arm_age_timer();
  void expire_dedup();
  void release_if_unneeded(std::uint64_t seq);  // interest / work queue retention
  void on_durable(std::uint64_t seq);           // messages up to seq are on disk
  void on_removal_durable(std::uint64_t seq);   // the delete of seq is on disk
  void kick_consumers();

  // --- info (stream_info.cpp)
  std::string state_json(std::string_view subjects_filter, bool deleted_details) const;
  std::string info_json(std::string_view subjects_filter, bool deleted_details) const;  // StreamInfo fields
};

struct engine::impl {
  impl(engine_config c, port& p);

  engine_config cfg;
  port& out;
  const store::store_reader* durable = nullptr;
  store::memory_store mem;
  base::mono_time now{};
  base::wall_time wall{};
  bool started = false;
  bool fenced = false;
  std::string fence_reason;

  std::map<std::string, std::unique_ptr<stream>, std::less<>> streams;  // by name
  std::unordered_map<std::uint64_t, stream*> by_token;
  std::uint64_t next_stream_id = 1;
  std::uint64_t next_token = token_stream_base;
  std::uint64_t api_total = 0, api_errors = 0;
  std::uint64_t next_advisory_id = 1;
  std::uint64_t ephemeral_counter = 0;
  // Pull request subscriptions: token -> (stream, consumer name).
  std::unordered_map<std::uint64_t, std::pair<stream*, std::string>> next_tokens;
  std::unordered_set<std::uint64_t> direct_tokens;  // direct get subscriptions
  std::unordered_set<std::uint64_t> api_tokens;     // the API services
  std::string next_consumer_name();
  void subscribe_next(stream& s, consumer& c);
  void unsubscribe_next(stream& s, std::string_view consumer_name);
  void subscribe_api();

  // --- storage: the open batch and the tickets in flight
  struct durable_mark {
    stream* s = nullptr;
    std::uint64_t seq = 0;
    bool removal = false;  // false: messages up to seq; true: the removal of seq
    void apply() const;
  };
  struct ticket_state {
    std::uint64_t ticket = 0;
    std::vector<out_msg> parked;
    std::vector<durable_mark> durable_marks;  // what of the streams this ticket makes durable
  };
  store::store_batch open_batch;
  ticket_state open;
  std::deque<ticket_state> inflight;
  std::uint64_t next_ticket = 1;
  void write(store::store_op op);                  // to the durable store
  void write_msg(stream& s, store::store_op op);   // message ops: durable or memory
  void publish_when_durable(out_msg m);
  void mark_durable(stream& s, std::uint64_t seq);
  void mark_removal(stream& s, std::uint64_t seq);  // file streams: seq left the index
  void fence(std::string why);

  // --- timers: (due, kind, stream id, consumer)
  enum class timer_kind : std::uint8_t { max_age, dedup, consumer };
  std::set<std::tuple<std::int64_t, timer_kind, std::uint64_t, consumer*>> timers;
  std::unordered_map<consumer*, std::int64_t> consumer_due;
  void set_consumer_timer(consumer* c, std::int64_t due);
  void clear_consumer_timer(consumer* c);
  std::vector<consumer*> to_expire;

  // --- streams
  stream* find_stream(std::string_view name);
  stream* stream_by_id(std::uint64_t id);
  void subscribe_stream(stream& s);
  void unsubscribe_stream(stream& s);
  std::map<std::string, stream_config, std::less<>> configs() const;
  void save_stream(const stream& s);
  void save_consumer_def(const stream& s, const consumer& c);
  void delete_stream(stream& s);
  void delete_consumer(stream& s, consumer& c, bool advisory);
  void flush_consumer_states();

  // --- mirrors and sources (stream_source.cpp)
  void feed_downstream(stream& origin, std::uint64_t seq, std::string_view subj, std::string_view headers,
                       std::string_view payload, std::int64_t ts);
  void backfill(stream& d);

  // --- messages
  void on_api(const in_msg& m);
  void on_ack(const in_msg& m);
  void on_fc(const in_msg& m);
  void reply(std::string_view to, std::string body);            // now
  void reply_durable(std::string_view to, std::string body);    // after the open batch
  // API responses (sendAPIResponse / sendAPIErrResponse): counted, audited on
  // $JS.EVENT.ADVISORY.API, sent now or once the open batch is durable.
  void api_respond(const in_msg& m, std::string body, bool durable = false);
  void api_error_reply(const in_msg& m, api_response_type t, const api_error& e);
  void send_advisory(std::string subject, std::string json);
  std::string advisory_id();
  void audit(std::string_view subject, std::string_view request, std::string_view response);

  // --- API handlers (api_stream.cpp, api_msg.cpp, api_consumer.cpp)
  void api_account_info(const in_msg& m);
  void api_stream_create(const in_msg& m, std::string_view name);
  void api_stream_update(const in_msg& m, std::string_view name);
  void api_stream_info(const in_msg& m, std::string_view name);
  void api_stream_names(const in_msg& m, bool list);
  void api_stream_delete(const in_msg& m, std::string_view name);
  void api_stream_purge(const in_msg& m, std::string_view name);
  void api_msg_get(const in_msg& m, std::string_view name);
  void api_msg_delete(const in_msg& m, std::string_view name);
  void api_direct_get(const in_msg& m, std::string_view name, std::string_view last_subject);
  void api_consumer_create(const in_msg& m);
  consumer* find_consumer_or_reply(const in_msg& m, api_response_type type, std::string_view stream_name,
                                   std::string_view name, stream*& s);
  void api_consumer_info(const in_msg& m, std::string_view stream_name, std::string_view name);
  void api_consumer_names(const in_msg& m, std::string_view stream_name, bool list);
  void api_consumer_delete(const in_msg& m, std::string_view stream_name, std::string_view name);
  void api_consumer_next(const in_msg& m, std::string_view stream_name, std::string_view name);
  void api_leader_stepdown(const in_msg& m, api_response_type t, bool stream_exists_check,
                           std::string_view stream_name, std::string_view consumer_name);

  // --- recovery (engine_recover.cpp)
  base::result<bool> recover();
};

// $JS.API.INFO's body without "type" (JetStreamAccountStats).
std::string account_info(const engine::impl& m);

// Go's time.Time JSON for a wall time in ns (UTC, RFC 3339 nano); the zero
// time prints as "0001-01-01T00:00:00Z".
std::string go_time_json(std::int64_t unix_ns);

}  // namespace natrium::jetstream

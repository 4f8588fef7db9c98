#pragma once
// consumer's private state, shared by consumer*.cpp (not part of the API).
// Names in comments are the fields of nats-server 2.9.10's consumer struct.
//
// Files: consumer.cpp (creation, timers, inactivity, public entry points),
// consumer_deliver.cpp (choosing and delivering messages, flow control,
// heartbeats, replay and rate pacing), consumer_pull.cpp (pull requests and
// the waiting queue), consumer_request.cpp (parsing pull request bodies with
// Go's JSON errors, Go durations), consumer_ack.cpp (acks, naks, terms,
// ack-wait redelivery, removals, purges), consumer_info.cpp (info JSON,
// state, needs, advisories).
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/jetstream/consumer.h"

namespace natrium::jetstream::detail {

inline constexpr std::int64_t ns_per_ms = 1'000'000;
// ackWaitDelay: the pending timer fires this long after the deadline.
inline constexpr std::int64_t ack_wait_delay_ns = ns_per_ms;
// JsFlowControlMaxPending.
inline constexpr std::int64_t flow_control_max_pending = 32 * 1024 * 1024;
// Messages delivered per call before the rest is carried to a wake-up.
inline constexpr int deliver_budget = 256;
// How often a push consumer with an inactive threshold polls its interest.
inline constexpr std::int64_t interest_poll_ns = 1'000'000'000;
// The reference adds 100ms..1s of random jitter to pull inactive thresholds;
// we add its fixed minimum.
inline constexpr std::int64_t pull_threshold_jitter_ns = 100 * ns_per_ms;
// A restored consumer checks its pending messages this soon (the reference
// picks 500ms..1.5s at random).
inline constexpr std::int64_t restored_check_ns = 1'000'000'000;

// A parsed pull request body (nextReqFromMsg).
struct next_request {
  std::int64_t batch = 1;
  std::int64_t max_bytes = 0;
  bool no_wait = false;
  std::int64_t expires_ns = 0;
  std::int64_t heartbeat_ns = 0;
  std::string error;  // non-empty: "400 Bad Request - <error>"
};
next_request parse_next_request(std::string_view payload);
// Go's json syntax check (encoding/json checkValid) error text, or empty.
std::string go_json_syntax_error(std::string_view json);
// time.ParseDuration; false on error.
bool go_parse_duration(std::string_view s, std::int64_t& out_ns);

// A pull request on the wait queue (waitingRequest).
struct waiting_request {
  std::string reply;
  std::int64_t n = 0;  // messages still wanted
  std::int64_t d = 0;  // messages delivered
  std::int64_t b = 0;  // max_bytes left; 0: no limit
  std::optional<base::mono_time> expires;
  base::mono_time received;
  std::int64_t hb_ns = 0;
  std::optional<base::mono_time> hbt;  // next heartbeat
  bool no_wait = false;
};

// The next message to deliver, not yet taken (getNextMsg without its side
// effects, which commit() applies once a destination took it).
struct candidate {
  enum class source : std::uint8_t { redelivery, skip_list, stream };
  std::uint64_t seq = 0;
  std::uint64_t dc = 1;
  source from = source::stream;
  store::stored_msg msg;
};
enum class next_status : std::uint8_t { found, none, max_ack_pending, store_failed };

// The ack subject's numbers (ackReplyInfo); all 0 when it is malformed.
struct ack_info {
  std::uint64_t sseq = 0, dseq = 0, dc = 0;
};
ack_info parse_ack_subject(std::string_view subject);

}  // namespace natrium::jetstream::detail

namespace natrium::jetstream {

struct consumer::impl {
  impl(consumer& self, consumer_host& host, std::string name, consumer_config cfg, base::wall_time created);

  consumer& self;
  consumer_host& host;
  std::string name;
  consumer_config cfg;
  base::wall_time created;

  // Sequences.
  std::uint64_t sseq = 1;   // next stream seq to look at (sseq)
  std::uint64_t dseq = 1;   // next consumer seq (dseq)
  std::uint64_t adflr = 0;  // ack floor, consumer seq (adflr)
  std::uint64_t asflr = 0;  // ack floor, stream seq (asflr)
  std::map<std::uint64_t, store::pending_entry> pending;  // stream seq -> (dseq, wall ns) (pending)
  std::map<std::uint64_t, std::uint64_t> rdc;              // redelivery counts (rdc)
  std::deque<std::uint64_t> rdq;                           // redelivery queue (rdq)
  std::set<std::uint64_t> rdqi;                            // its members (rdqi)
  struct skip_list {
    std::uint64_t resume = 0;
    std::deque<std::uint64_t> seqs;
  };
  std::optional<skip_list> lss;  // deliver last_per_subject start (lss)
  std::optional<base::wall_time> ldt, lat;  // last delivery, last ack
  std::uint64_t npc = 0;       // cached num pending from sseq (npc)
  std::uint64_t npc_upto = 0;  // the stream's last seq when npc was last brought up to date
  bool npc_valid = false;

  // Push.
  bool active = false;  // the deliver subject has interest (active)
  std::int64_t pblimit = 0, maxpb = 0, pbytes = 0, fcsz = 0;
  std::string fcid;
  std::uint64_t fc_count = 0;

  // Pull.
  std::deque<detail::waiting_request> waiting;
  base::mono_time waiting_last;  // waiting.last

  // Timers (the host gives one wake-up; we ask for the earliest of these).
  std::optional<base::mono_time> ack_due;       // ptmr
  std::optional<base::mono_time> delete_due;    // dtmr
  std::optional<base::mono_time> hb_due;        // push idle heartbeat
  std::optional<base::mono_time> waiting_due;   // pull expiry / heartbeat
  std::optional<base::mono_time> replay_due;    // replay_policy original
  std::optional<base::mono_time> rate_due;      // rate_limit_bps
  std::optional<base::mono_time> continue_due;  // delivery budget used up
  std::optional<base::mono_time> interest_due;  // interest poll
  std::optional<base::mono_time> requested_wake;
  std::int64_t dthresh_ns = 0;

  // Replay original.
  bool replay = false;
  std::uint64_t replay_lseq = 0;
  std::int64_t lts = 0;
  bool replay_ready = false;
  // Rate limit (token bucket in bytes).
  double rate_bps = 0, rate_burst = 0, rate_tokens = 0;
  std::optional<base::mono_time> rate_last;
  bool rate_ready = false;

  std::int64_t maxp = 0;     // max ack pending (maxp)
  std::uint64_t maxdc = 0;   // max deliver (maxdc)
  std::int32_t sfreq = 0;    // ack sampling percentage
  std::uint64_t sample_count = 0;
  std::uint64_t event_count = 0;
  bool deleted = false;
  bool expire_requested = false;
  bool expire_pending = false;
  bool dirty = false;        // state changed since the last state_changed
  std::vector<std::uint64_t> to_release;
  int depth = 0;             // nesting of public calls (released may re-enter)

  // consumer.cpp
  bool is_push() const noexcept { return !cfg.deliver_subject.empty(); }
  bool is_pull() const noexcept { return cfg.deliver_subject.empty(); }
  base::mono_time now() const { return host.mono_now(); }
  void select_starting_seq();
  std::uint64_t seq_from_time(std::int64_t ts_ns) const;
  void apply_state(const store::consumer_state& st);
  void update_inactive_threshold();
  void set_rate_limit();
  void enter();
  void leave();
  void schedule();
  void on_timer(base::mono_time t);
  void update_delivery_interest(bool interest);
  void refresh_interest();
  void delete_not_active();
  void suppress_deletion();
  void update_config(const consumer_config& ncfg);
  void update_deliver_subject(const std::string& subject);
  void release(std::uint64_t seq);

  // consumer_deliver.cpp
  void pump();
  bool deliver_one(detail::candidate& c);
  detail::next_status next_candidate(detail::candidate& out);
  detail::next_status next_redelivery(detail::candidate& out);
  detail::next_status next_from_skip_list(detail::candidate& out);
  std::uint64_t cached_pending();
  void commit(const detail::candidate& c);
  bool paced(std::size_t size);
  void deliver_msg(const std::string& dsubj, std::string ack_reply, detail::candidate& c);
  void track_pending(std::uint64_t seq, std::uint64_t d);
  std::string ack_reply(std::uint64_t seq, std::uint64_t d, std::uint64_t dc, std::int64_t ts,
                        std::uint64_t pending_count) const;
  std::uint64_t num_pending() const { return num_pending_from(sseq); }
  std::uint64_t num_pending_from(std::uint64_t from) const;
  bool need_flow_control(std::int64_t size);
  void send_flow_control();
  void on_flow_control_reply(std::string_view subject);
  void send_idle_heartbeat(const std::string& subject);
  void check_heartbeat(base::mono_time t);
  void wait_for_msgs(bool eos);
  bool filter_match(std::string_view subject) const;

  // consumer_pull.cpp
  void on_next_request(std::string_view reply, std::string_view payload);
  void send_status(const std::string& reply, std::string_view status);
  void send_pending_status(const std::string& reply, std::string_view status, std::int64_t n, std::int64_t b);
  std::optional<std::string> next_waiting(std::size_t size);
  struct waiting_scan {
    std::int64_t batch_pending = 0;
    std::optional<base::mono_time> next_due;
  };
  waiting_scan process_waiting(bool eos);
  std::size_t count_waiting() const;
  void release_pending_requests();

  // consumer_ack.cpp
  void on_ack(std::string_view subject, std::string_view payload, std::string_view reply);
  void process_ack(const detail::ack_info& a, bool sample, bool do_release);
  void ack_explicit(const detail::ack_info& a, bool sample, bool do_release);
  void ack_all(std::uint64_t sseq, std::uint64_t d, bool do_release);
  void process_nak(const detail::ack_info& a, std::string_view payload);
  bool nak_delay(std::uint64_t sseq, std::string_view payload);
  void process_term(const detail::ack_info& a, bool do_release);
  void progress_update(std::uint64_t sseq);
  void check_pending();
  std::int64_t pending_deadline(std::uint64_t seq, std::int64_t& next) const;
  void force_expire_pending();
  void add_to_redeliver(std::uint64_t seq);
  bool remove_from_redeliver(std::uint64_t seq);
  void on_message_removed(std::uint64_t seq);
  void on_purged(std::uint64_t first_seq);

  // consumer_info.cpp
  std::string info_json(const consumer_info_opts& opts) const;
  store::consumer_state state() const;
  bool needs(std::uint64_t seq, std::string_view subject) const;
  bool is_filtered() const;
  std::string event_id();
  std::string timestamp_now() const;
  void advisory_deliveries(std::string_view kind, std::string_view type, std::uint64_t sseq,
                           const std::uint64_t* dseq_or_null, std::uint64_t dc);
  void sample_ack(std::uint64_t sseq, std::uint64_t d, std::uint64_t dc);
};

}  // namespace natrium::jetstream

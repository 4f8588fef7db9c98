#pragma once
// js_oracle: what the JetStream workload's clients were promised, checked
// against what they receive and against the simulated disk (the world's
// memory_store) after every crash and restart and at the end.
//
// Checked:
// - A PubAck names a sequence that no other payload was acknowledged with, and
//   every PubAck'd (seq, payload) is in the stream at that seq on disk after
//   each restart and at the end: no acknowledged message is lost.
// - Every message delivered to any consumer is one that some client published,
//   with the payload it was acknowledged with, and stays on disk (consumers
//   deliver only what is durable); no payload is stored twice (a publish sent
//   again with its Nats-Msg-Id after a crash is deduplicated if the first
//   survived; the dedup window is recovered from the disk).
// - Pull consumer (explicit acks): a stream seq whose ack was confirmed by an
//   AckAck is never delivered again, and the consumer state on disk counts it
//   as acked (below the ack floor, or delivered and not pending).
// - Ordered consumer (ack none, flow control, heartbeats), per incarnation:
//   consumer seqs 1, 2, 3, ...; stream seqs strictly increasing, and every seq
//   skipped is absent from the stream or outside its filter subject; each
//   message matches the filter; heartbeats report the last consumer seq
//   the client saw.
#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "core/store/memory_store.h"
#include "tests/sim/sim_support.h"

namespace natrium::sim {

struct js_oracle_stats {
  std::uint64_t published = 0, pubacks = 0, duplicates = 0, pull_deliveries = 0, pull_redeliveries = 0, acks_confirmed = 0;
  std::uint64_t ordered_msgs = 0, incarnations = 0, heartbeats = 0, store_checks = 0;
};

class js_oracle {
 public:
  js_oracle(verdict& v, const store::memory_store& disk, store::stream_id stream, std::string pull_name)
      : verdict_(v), disk_(disk), stream_(stream), pull_name_(std::move(pull_name)) {}

  void on_published(const std::string& payload);
  // `retry`: the payload was sent again with its Nats-Msg-Id after a crash
  // (a PubAck marked duplicate is then allowed: the first one survived).
  void on_puback(const std::string& payload, const std::string& body, bool retry);
  void on_pull_delivery(std::uint64_t sseq, std::uint64_t dc, const std::string& payload);
  void on_ack_confirmed(std::uint64_t sseq);
  // A new ordered consumer incarnation that starts at stream seq start_seq
  // (filter: its filter_subject, or empty).
  void ordered_begin(int incarnation, std::uint64_t start_seq, const std::string& filter);
  void on_ordered(int incarnation, std::uint64_t sseq, std::uint64_t cseq, const std::string& subject,
                  const std::string& payload);
  // No message on disk after the last one it received matches its filter.
  bool ordered_caught_up(int incarnation) const;
  void on_heartbeat(int incarnation, std::uint64_t last_consumer_seq);
  std::uint64_t ordered_last_sseq(int incarnation) const;

  // The disk after a restart, or at the end.
  void check_store(const std::string& when);
  // The end, once everything settled: the ordered consumer reached the end of
  // the stream and the pull consumer acked everything.
  void check_end(int ordered_incarnation);
  // The pull consumer's state on disk: everything acked (ack floor at the last seq).
  bool pull_done() const;
  std::uint64_t stream_last_seq() const;
  const js_oracle_stats& stats() const noexcept { return stats_; }

 private:
  void fail(const std::string& why) { verdict_.fail(why); }
  void check_delivered(const char* who, std::uint64_t sseq, const std::string& payload);

  struct incarnation {
    std::uint64_t last_sseq = 0, last_cseq = 0;
    std::string filter;
  };

  verdict& verdict_;
  const store::memory_store& disk_;
  store::stream_id stream_;
  std::string pull_name_;
  js_oracle_stats stats_;
  std::set<std::string> published_;                  // every payload a client published
  std::map<std::uint64_t, std::string> acked_;       // PubAck'd: seq -> payload
  std::map<std::string, std::uint64_t> acked_seq_;   // payload -> seq
  std::map<std::uint64_t, std::string> delivered_;   // seen by any consumer: seq -> payload
  std::set<std::uint64_t> pull_seen_, confirmed_;    // pull consumer: delivered, ack confirmed
  std::map<int, incarnation> ordered_;
};

}  // namespace natrium::sim

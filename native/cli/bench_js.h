#pragma once
// natrium bench: what the JetStream (--js) and KV (--kv) modes share: stream
// set-up and clean-up, and publishing with PubAcks checked (bench_jspub.cpp).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "native/cli/bench.h"

namespace natrium::cli::bench {

// Deletes the stream when it goes out of scope, unless disarmed (--keep).
class stream_cleanup {
 public:
  stream_cleanup(natsConnection* nc, std::string stream, double timeout_s, bool armed)
      : nc_(nc), stream_(std::move(stream)), timeout_s_(timeout_s), armed_(armed) {}
  ~stream_cleanup();
  stream_cleanup(const stream_cleanup&) = delete;
  stream_cleanup& operator=(const stream_cleanup&) = delete;

 private:
  natsConnection* nc_;
  std::string stream_;
  double timeout_s_;
  bool armed_;
};

// Creates `config` (its "name") unless the stream exists. An existing stream
// is purged first with --purge; if !reuse_existing and not purged, an
// existing stream is an error. Returns the stream's last sequence (the
// PubAcks continue from it).
std::uint64_t prepare_stream(natsConnection* nc, const bench_options& o, const nlohmann::json& config, bool reuse_existing);
// STREAM.INFO's state.
nlohmann::json stream_state(natsConnection* nc, const std::string& stream, double timeout_s);

// Publishing `total` messages with PubAcks: --pub publishers, message k
// (0 <= k < total, a contiguous share per publisher) goes to subject(k) with
// payload expected_value(k, size). --sync awaits each PubAck, else up to
// --inflight messages wait for theirs. Each PubAck must name `stream`, and
// together they must cover base+1 .. base+total once, increasing per
// publisher; seq_of[k] is message k's stream sequence.
struct js_publish_spec {
  std::string stream;
  std::function<std::string(std::uint64_t k)> subject;
  std::int64_t total = 0;
  std::uint64_t base_seq = 0;
  std::string role;   // "pub", "put"
  std::string label;  // progress label
};
struct js_publish_outcome {
  std::vector<role_row> rows;  // per publisher (+ all, when more than one)
  role_row all;
  std::vector<std::uint64_t> seq_of;
};
js_publish_outcome js_publish(const bench_options& o, const std::string& url, const js_publish_spec& spec);

// Parses a PubAck; throws cli_error for an error reply or a malformed one.
std::uint64_t parse_puback(const char* data, int len, const std::string& stream, std::string_view who);

}  // namespace natrium::cli::bench

// consumer: ConsumerInfo JSON, persistent state, needAck, and the advisories
// and ack metrics of nats-server 2.9.10 consumer.go.
#include <string>

#include "core/base/assert.h"
#include "core/jetstream/consumer_impl.h"
#include "core/jetstream/go_json.h"

namespace natrium::jetstream {
namespace {

go_time to_go_time(base::wall_time t) {
  go_time g;
  g.unix_s = t.ns / 1'000'000'000;
  std::int64_t nanos = t.ns % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    g.unix_s -= 1;
  }
  g.nanos = static_cast<std::int32_t>(nanos);
  return g;
}

// SequenceInfo: consumer_seq, stream_seq, last_active (omitempty).
void sequence_info(std::string& out, bool& first, std::string_view key, std::uint64_t consumer_seq,
                   std::uint64_t stream_seq, const std::optional<base::wall_time>& last) {
  go_json_key(out, first, key);
  bool inner = true;
  out += '{';
  go_json_uint(out, inner, "consumer_seq", consumer_seq);
  go_json_uint(out, inner, "stream_seq", stream_seq);
  if (last) go_json_str(out, inner, "last_active", go_format_time(to_go_time(*last)));
  out += '}';
}

std::uint64_t fnv1a(std::string_view s, std::uint64_t h = 0xcbf29ce484222325ull) {
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ull;
  }
  return h;
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

}  // namespace

// ConsumerInfo in its Go field order.
std::string consumer::impl::info_json(const consumer_info_opts& opts) const {
  std::string out = "{";
  bool first = true;
  if (!opts.type.empty()) {
    go_json_str(out, first, "type", opts.type);
  } else if (opts.include_type) {
    go_json_str(out, first, "type", "io.nats.jetstream.api.v1.consumer_info_response");
  }
  go_json_str(out, first, "stream_name", host.stream_name());
  go_json_str(out, first, "name", name);
  go_json_str(out, first, "created", go_format_time(to_go_time(created)));
  go_json_key(out, first, "config");
  out += consumer_config_json(cfg);
  sequence_info(out, first, "delivered", dseq - 1, sseq - 1, ldt);
  sequence_info(out, first, "ack_floor", adflr, asflr, lat);
  go_json_uint(out, first, "num_ack_pending", pending.size());
  go_json_uint(out, first, "num_redelivered", rdc.size());
  go_json_uint(out, first, "num_waiting", is_pull() ? count_waiting() : 0);
  go_json_uint(out, first, "num_pending", num_pending());
  if (!opts.cluster_json.empty()) {
    go_json_key(out, first, "cluster");
    out += opts.cluster_json;
  }
  if (is_push() && !deleted && host.has_interest(cfg.deliver_subject)) go_json_bool(out, first, "push_bound", true);
  out += '}';
  NATRIUM_ASSERT(!first);
  return out;
}

// writeStoreStateUnlocked's ConsumerState.
store::consumer_state consumer::impl::state() const {
  NATRIUM_ASSERT(dseq >= 1);
  NATRIUM_ASSERT(sseq >= 1);
  store::consumer_state st;
  st.delivered_consumer_seq = dseq - 1;
  st.delivered_stream_seq = sseq - 1;
  st.ack_floor_consumer_seq = adflr;
  st.ack_floor_stream_seq = asflr;
  st.pending = pending;
  st.redelivered = rdc;
  return st;
}

// isFiltered: a filter that is not just the stream's only subject.
bool consumer::impl::is_filtered() const {
  if (cfg.filter_subject.empty()) return false;
  const std::vector<std::string>& subjects = host.stream_cfg().subjects;
  if (subjects.size() == 1) return cfg.filter_subject != subjects.front();
  return true;
}

// needAck.
bool consumer::impl::needs(std::uint64_t seq, std::string_view subject) const {
  if (is_filtered()) {
    std::optional<msg_meta> meta;
    if (subject.empty()) {
      meta = host.index().get(seq);
      if (!meta) return false;
      subject = meta->subject;
    }
    if (!filter_match(subject)) return false;
  }
  if (seq <= asflr) return false;
  if (cfg.ack != ack_policy::explicit_) return true;
  return seq >= sseq || pending.count(seq) > 0;
}

// A unique-looking 22-character id (nuid.Next in the reference), derived
// from the stream, the consumer, its creation time and a counter.
std::string consumer::impl::event_id() {
  static constexpr std::string_view base62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const std::uint64_t seed = fnv1a(name, fnv1a(host.stream_name())) ^ static_cast<std::uint64_t>(created.ns);
  ++event_count;
  std::uint64_t parts[2] = {splitmix64(seed + event_count), splitmix64(seed ^ (event_count << 1))};
  std::string id;
  for (std::uint64_t v : parts) {
    for (int i = 0; i < 11; ++i) {
      id += base62[v % 62];
      v /= 62;
    }
  }
  NATRIUM_ASSERT(id.size() == 22);
  return id;
}

std::string consumer::impl::timestamp_now() const { return go_format_time(to_go_time(host.wall_now())); }

// JSConsumerDeliveryExceededAdvisory (no consumer_seq), ...NakAdvisory and
// ...TerminatedAdvisory on $JS.EVENT.ADVISORY.CONSUMER.<kind>.<stream>.<consumer>.
void consumer::impl::advisory_deliveries(std::string_view kind, std::string_view type, std::uint64_t seq,
                                         const std::uint64_t* dseq_or_null, std::uint64_t dc) {
  NATRIUM_ASSERT(!kind.empty());
  NATRIUM_ASSERT(!type.empty());
  std::string j = "{";
  bool first = true;
  go_json_str(j, first, "type", type);
  go_json_str(j, first, "id", event_id());
  go_json_str(j, first, "timestamp", timestamp_now());
  go_json_str(j, first, "stream", host.stream_name());
  go_json_str(j, first, "consumer", name);
  if (dseq_or_null != nullptr) go_json_uint(j, first, "consumer_seq", *dseq_or_null);
  go_json_uint(j, first, "stream_seq", seq);
  go_json_uint(j, first, "deliveries", dc);
  j += '}';
  std::string subject = "$JS.EVENT.ADVISORY.CONSUMER.";
  subject += kind;
  subject += '.';
  subject += host.stream_name();
  subject += '.';
  subject += name;
  host.advisory(std::move(subject), std::move(j));
}

// sampleAck: JSConsumerAckMetric on $JS.EVENT.METRIC.CONSUMER.ACK.<stream>.<consumer>
// for sample_freq percent of the acks (chosen deterministically).
void consumer::impl::sample_ack(std::uint64_t seq, std::uint64_t d, std::uint64_t dc) {
  if (sfreq <= 0) return;
  if (sfreq < 100) {
    const std::uint64_t draw = splitmix64(fnv1a(name) + (++sample_count)) % 100;
    if (draw > static_cast<std::uint64_t>(sfreq)) return;
  }
  const auto it = pending.find(seq);
  NATRIUM_ASSERT(it != pending.end());
  const base::wall_time wall = host.wall_now();
  std::string j = "{";
  bool first = true;
  go_json_str(j, first, "type", "io.nats.jetstream.metric.v1.consumer_ack");
  go_json_str(j, first, "id", event_id());
  go_json_str(j, first, "timestamp", go_format_time(to_go_time(wall)));
  go_json_str(j, first, "stream", host.stream_name());
  go_json_str(j, first, "consumer", name);
  go_json_uint(j, first, "consumer_seq", d);
  go_json_uint(j, first, "stream_seq", seq);
  go_json_int(j, first, "ack_time", wall.ns - it->second.timestamp_ns);
  go_json_uint(j, first, "deliveries", dc);
  j += '}';
  host.advisory("$JS.EVENT.METRIC.CONSUMER.ACK." + host.stream_name() + "." + name, std::move(j));
}

}  // namespace natrium::jetstream

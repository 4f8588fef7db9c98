#pragma once
// The fake stream host of the consumer tests (consumer_test.cpp,
// consumer_pull_test.cpp): a real stream_index plus stored messages, recorded
// publishes, virtual time and wake-ups.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/jetstream/consumer.h"
#include "core/jetstream/consumer_impl.h"
#include "core/subject/subject.h"
#include "tests/unit/jetstream/consumer_test_util.h"


namespace natrium::jetstream::test {

constexpr std::int64_t ms = 1'000'000;
constexpr std::int64_t sec = 1'000'000'000;
constexpr std::int64_t wall0 = 1'700'000'000'000'000'000;  // 2023-11-14T22:13:20Z

struct fake_host final : consumer_host {
  std::string name = "S";
  stream_config scfg = make_stream(R"({"name":"S","subjects":["foo.>"]})");
  stream_index ix;
  std::map<std::uint64_t, store::stored_msg> msgs;
  std::optional<std::uint64_t> durable_last;  // empty: everything is durable
  bool fail_loads = false;
  std::vector<out_msg> out, durable_out;
  std::vector<std::pair<std::string, std::string>> adv;
  std::vector<std::uint64_t> released_seqs;
  int state_changes = 0;
  std::set<std::string, std::less<>> interest;
  std::optional<base::mono_time> wake;
  int expire_calls = 0;
  base::mono_time mono{5 * sec};
  base::wall_time wall{wall0};
  std::string server = "srv";
  consumer* cons = nullptr;

  const std::string& stream_name() const override { return name; }
  const stream_config& stream_cfg() const override { return scfg; }
  const stream_index& index() const override { return ix; }
  std::uint64_t deliverable_last_seq() const override { return durable_last ? *durable_last : ix.last_seq(); }
  base::result<std::optional<store::stored_msg>> load(std::uint64_t seq) const override {
    if (fail_loads) return base::error{"boom"};
    auto it = msgs.find(seq);
    if (it == msgs.end()) return std::optional<store::stored_msg>{};
    return std::optional<store::stored_msg>{it->second};
  }
  void publish(out_msg m) override { out.push_back(std::move(m)); }
  void publish_when_durable(out_msg m) override { durable_out.push_back(std::move(m)); }
  bool has_interest(std::string_view subject) override {
    for (const auto& f : interest) {
      if (subject::matches(f, subject)) return true;
    }
    return false;
  }
  void state_changed(consumer&) override { ++state_changes; }
  void released(consumer&, std::uint64_t seq) override { released_seqs.push_back(seq); }
  void advisory(std::string subject, std::string json) override { adv.emplace_back(std::move(subject), std::move(json)); }
  void wake_at(consumer&, base::mono_time due) override { wake = due; }
  void expire(consumer&) override { ++expire_calls; }
  base::mono_time mono_now() const override { return mono; }
  base::wall_time wall_now() const override { return wall; }
  const std::string& server_name() const override { return server; }

  std::uint64_t add(const std::string& subject, const std::string& payload = "x", const std::string& headers = "") {
    const std::uint64_t seq = ix.last_seq() + 1;
    ix.append(seq, subject, wall.ns, store::stored_size(subject.size(), headers.size(), payload.size()));
    msgs[seq] = store::stored_msg{seq, wall.ns, subject, headers, payload};
    return seq;
  }
  void remove(std::uint64_t seq) {
    ix.remove(seq);
    msgs.erase(seq);
  }
  void set_time(std::int64_t mono_ns) {
    wall.ns += mono_ns - mono.ns;
    mono.ns = mono_ns;
  }
  // Moves time forward by `d`, firing the consumer's wake-ups on the way.
  void advance(std::int64_t d) {
    const std::int64_t target = mono.ns + d;
    while (wake && wake->ns <= target) {
      const base::mono_time w = *wake;
      wake.reset();
      set_time(std::max(w.ns, mono.ns));
      if (cons != nullptr) cons->on_timer(w);
    }
    set_time(target);
  }
  std::vector<out_msg> take() {
    std::vector<out_msg> r;
    r.swap(out);
    return r;
  }
};

std::unique_ptr<consumer> make(fake_host& h, std::string_view config_json, std::string name = "C",
                               std::optional<store::consumer_state> restored = std::nullopt) {
  consumer_config cfg = make_consumer(config_json, h.scfg);
  auto c = std::make_unique<consumer>(h, std::move(name), cfg, h.wall, std::move(restored));
  h.cons = c.get();
  c->kick();
  return c;
}

// Token `i` of a '.'-separated subject.
std::string token(const std::string& s, std::size_t i) {
  std::vector<std::string_view> t = subject::tokens(s);
  REQUIRE(i < t.size());
  return std::string(t[i]);
}
std::uint64_t num(const std::string& s) { return std::stoull(s); }
// Stream seqs of deliveries (messages whose reply is an ack subject).
std::vector<std::uint64_t> seqs(const std::vector<out_msg>& v) {
  std::vector<std::uint64_t> r;
  for (const auto& m : v) {
    if (m.reply.rfind("$JS.ACK.", 0) == 0) r.push_back(num(token(m.reply, 5)));
  }
  return r;
}
using seq_list = std::vector<std::uint64_t>;

nlohmann::json info(const consumer& c) {
  auto j = nlohmann::json::parse(c.info_json(), nullptr, false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

std::string status(std::string_view line) { return "NATS/1.0 " + std::string(line) + "\r\n\r\n"; }
std::string pending_status(std::string_view line, int n, int b) {
  return "NATS/1.0 " + std::string(line) + "\r\nNats-Pending-Messages: " + std::to_string(n) +
         "\r\nNats-Pending-Bytes: " + std::to_string(b) + "\r\n\r\n";
}

}  // namespace natrium::jetstream::test

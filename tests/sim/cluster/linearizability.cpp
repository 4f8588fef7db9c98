#include "tests/sim/cluster/linearizability.h"

#include <algorithm>
#include <limits>
#include <map>
#include <set>
#include <utility>

namespace natrium::sim::cluster {
namespace {

using reg = std::optional<std::string>;  // the register's value (nullopt: absent)

// One step of the sequential model. Returns false if `op` cannot happen in
// state `s` with the result it observed.
bool apply(const kv_op& op, reg& s) {
  const bool known = op.returned_ns.has_value();
  switch (op.kind) {
    case op_kind::put:
      s = op.value;
      return true;
    case op_kind::get:
      return !known || op.read == s;
    case op_kind::cas: {
      const bool match = s == op.expected;
      if (known && match != op.swapped) return false;
      if (match) s = op.value;
      return true;
    }
  }
  return false;
}

// The call/return event list of one key, as a doubly linked list with a
// sentinel head (index 0), in time order.
struct event {
  bool is_call = false;
  std::size_t op = 0;       // index into the key's ops
  std::size_t match = 0;    // call: its return event; return: its call
  std::size_t prev = 0, next = 0;
};

struct bitset {
  std::vector<std::uint64_t> w;
  explicit bitset(std::size_t n) : w((n + 63) / 64, 0) {}
  void set(std::size_t i) { w[i / 64] |= 1ULL << (i % 64); }
  void clear(std::size_t i) { w[i / 64] &= ~(1ULL << (i % 64)); }
  auto operator<=>(const bitset&) const = default;
};

struct key_check {
  bool ok = true;
  bool exhausted = false;
  std::uint64_t states = 0;
};

key_check check_key(const std::vector<const kv_op*>& ops, std::uint64_t budget) {
  key_check kc;
  const std::size_t n = ops.size();
  // Events: calls at invocation, returns at response (unknown: +inf). At equal
  // times calls come first: a response and an invocation at the same instant
  // are treated as concurrent.
  struct stamp { std::int64_t t; int kind; std::size_t op; };  // kind 0 = call, 1 = return
  std::vector<stamp> order;
  for (std::size_t i = 0; i < n; ++i) {
    order.push_back({ops[i]->invoked_ns, 0, i});
    order.push_back({ops[i]->returned_ns.value_or(std::numeric_limits<std::int64_t>::max()), 1, i});
  }
  std::sort(order.begin(), order.end(), [](const stamp& a, const stamp& b) {
    return std::tie(a.t, a.kind, a.op) < std::tie(b.t, b.kind, b.op);
  });
  std::vector<event> ev(order.size() + 1);
  std::vector<std::size_t> call_of(n), ret_of(n);
  for (std::size_t i = 0; i < order.size(); ++i) {
    event& e = ev[i + 1];
    e.is_call = order[i].kind == 0;
    e.op = order[i].op;
    (e.is_call ? call_of : ret_of)[e.op] = i + 1;
    e.prev = i;
    e.next = i + 2 <= order.size() ? i + 2 : 0;
  }
  ev[0].next = order.empty() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    ev[call_of[i]].match = ret_of[i];
    ev[ret_of[i]].match = call_of[i];
  }
  const auto lift = [&](std::size_t c) {
    for (std::size_t x : {c, ev[c].match}) {
      ev[ev[x].prev].next = ev[x].next;
      if (ev[x].next != 0) ev[ev[x].next].prev = ev[x].prev;
    }
  };
  const auto unlift = [&](std::size_t c) {
    for (std::size_t x : {ev[c].match, c}) {
      ev[ev[x].prev].next = x;
      if (ev[x].next != 0) ev[ev[x].next].prev = x;
    }
  };

  std::set<std::pair<bitset, reg>> cache;
  std::vector<std::pair<std::size_t, reg>> calls;  // linearized calls and the state before each
  bitset linearized(n);
  reg state;
  std::size_t cur = ev[0].next;
  while (ev[0].next != 0) {
    if (++kc.states > budget) {
      kc.exhausted = true;
      return kc;
    }
    if (cur == 0) {  // ran off the end without a return to backtrack from: cannot happen with sentinels
      kc.ok = false;
      return kc;
    }
    if (ev[cur].is_call) {
      reg next = state;
      if (apply(*ops[ev[cur].op], next)) {
        bitset lin = linearized;
        lin.set(ev[cur].op);
        if (cache.emplace(lin, next).second) {
          calls.emplace_back(cur, state);
          state = std::move(next);
          linearized = std::move(lin);
          lift(cur);
          cur = ev[0].next;
          continue;
        }
      }
      cur = ev[cur].next;
    } else {
      // A return whose call was not linearized yet: undo the last choice.
      if (calls.empty()) {
        kc.ok = false;
        return kc;
      }
      auto [c, before] = calls.back();
      calls.pop_back();
      state = std::move(before);
      linearized.clear(ev[c].op);
      unlift(c);
      cur = ev[c].next;
    }
  }
  return kc;
}

}  // namespace

std::string describe(const kv_op& op) {
  std::string s = "client " + std::to_string(op.client) + " ";
  const auto show = [](const reg& r) { return r ? "\"" + *r + "\"" : std::string("absent"); };
  switch (op.kind) {
    case op_kind::put: s += "put(" + op.key + ", \"" + op.value + "\")"; break;
    case op_kind::get: s += "get(" + op.key + ")"; break;
    case op_kind::cas: s += "cas(" + op.key + ", " + show(op.expected) + " -> \"" + op.value + "\")"; break;
  }
  s += " [" + std::to_string(op.invoked_ns / 1000) + "us, ";
  if (!op.returned_ns) return s + "no answer]";
  s += std::to_string(*op.returned_ns / 1000) + "us]";
  if (op.kind == op_kind::get) s += " -> " + show(op.read);
  if (op.kind == op_kind::cas) s += op.swapped ? " -> swapped" : " -> not swapped";
  return s;
}

lin_result check_linearizable(const std::vector<kv_op>& history, std::uint64_t budget) {
  lin_result r;
  std::map<std::string, std::vector<const kv_op*>> by_key;
  for (const kv_op& op : history) {
    // A read with no answer constrains nothing.
    if (op.kind == op_kind::get && !op.returned_ns) continue;
    by_key[op.key].push_back(&op);
  }
  for (const auto& [key, ops] : by_key) {
    r.ops_checked += ops.size();
    const key_check kc = check_key(ops, budget);
    r.states_explored += kc.states;
    if (kc.exhausted) {
      r.explanation += "key " + key + ": not checked (search budget exhausted); ";
      continue;
    }
    if (!kc.ok) {
      r.ok = false;
      r.key = key;
      r.explanation = "history of key " + key + " is not linearizable:";
      for (const kv_op* op : ops) r.explanation += "\n    " + describe(*op);
      return r;
    }
  }
  return r;
}

}  // namespace natrium::sim::cluster

// /subsz (Subsz, SublistStats, SubDetail) and /routez (Routez: no routes yet).
#include <algorithm>

#include "core/monitor/builders.h"
#include "core/subject/subject.h"

namespace natrium::monitor {

json sublist_stats_json(const server::sublist_info& s) {
  json j;
  j["num_subscriptions"] = s.subscriptions;
  j["num_cache"] = s.cache_entries;
  j["num_inserts"] = s.inserts;
  j["num_removes"] = s.removes;
  j["num_matches"] = s.matches;
  j["cache_hit_rate"] = go_float(s.matches > 0 ? static_cast<double>(s.cache_hits) / static_cast<double>(s.matches) : 0);
  j["max_fanout"] = s.fanout_max;
  j["avg_fanout"] = go_float(s.fanout_total > 0 && s.cache_entries > 0
                                 ? static_cast<double>(s.fanout_total) / static_cast<double>(s.cache_entries)
                                 : 0);
  return j;
}

json build_sublist_stats(const server::node& n) { return sublist_stats_json(n.sublist_stats()); }

base::result<json> build_subsz(const server::node& n, const subsz_options& in, const host_stats& host) {
  subsz_options o = in;
  if (o.offset < 0) o.offset = 0;
  if (o.limit <= 0) o.limit = default_list_size;
  if (!o.test.empty() && !subject::is_valid_publish_subject(o.test)) {
    return base::error{"invalid test subject, must be valid publish subject: " + o.test};
  }
  const bool account_ok = o.account.empty() || o.account == global_account;
  json z;
  z["server_id"] = n.server_id();
  z["now"] = rfc3339(host.now);
  const json stats = sublist_stats_json(account_ok ? n.sublist_stats() : server::sublist_info{});
  for (const auto& [k, v] : stats.items()) z[k] = v;

  json list = json::array();
  if (o.subs && account_ok) {
    std::vector<server::sub_info> subs = n.subscriptions();
    if (!o.test.empty()) {
      std::erase_if(subs, [&](const server::sub_info& s) { return !subject::matches(s.subject, o.test); });
    }
    const std::size_t first = std::min<std::size_t>(static_cast<std::size_t>(o.offset), subs.size());
    const std::size_t last = std::min<std::size_t>(first + static_cast<std::size_t>(o.limit), subs.size());
    for (std::size_t i = first; i < last; ++i) {
      const server::sub_info& s = subs[i];
      json d;
      d["account"] = global_account;
      d["subject"] = s.subject;
      if (!s.queue.empty()) d["qgroup"] = s.queue;
      d["sid"] = s.sid;
      d["msgs"] = s.msgs;
      if (s.max != 0) d["max"] = s.max;
      d["cid"] = s.cid;
      list.push_back(std::move(d));
    }
  }
  z["total"] = list.size();  // as the reference: the size of the returned page
  z["offset"] = o.offset;
  z["limit"] = o.limit;
  if (!list.empty()) z["subscriptions_list"] = std::move(list);
  return z;
}

json build_routez(const server::node& n, const host_stats& host) {
  json r;
  r["server_id"] = n.server_id();
  r["now"] = rfc3339(host.now);
  r["num_routes"] = 0;
  r["routes"] = json::array();
  return r;
}

}  // namespace natrium::monitor

#pragma once
// The naive sublist oracle shared by the sublist unit tests and fuzz target:
// every live subscription checked with subject::matches, in insertion order,
// queue groups sorted by name (the order sublist::match promises).
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/subject/subject.h"
#include "core/subject/sublist.h"

namespace natrium::testing {

inline subject::subscription make_sub(std::string subj, std::string queue = {}) {
  subject::subscription s;
  s.subject = std::move(subj);
  s.queue = std::move(queue);
  return s;
}

inline subject::match_result naive_match(const std::vector<subject::subscription*>& live,
                                         std::string_view literal) {
  subject::match_result r;
  std::map<std::string_view, std::vector<subject::subscription*>> groups;
  for (subject::subscription* s : live) {
    if (!subject::matches(s->subject, literal)) continue;
    if (s->queue.empty()) {
      r.plain.push_back(s);
    } else {
      groups[s->queue].push_back(s);
    }
  }
  for (auto& [name, members] : groups) r.queues.push_back(subject::queue_group{name, std::move(members)});
  return r;
}

}  // namespace natrium::testing

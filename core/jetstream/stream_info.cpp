// stream: StreamInfo and StreamState JSON (nats-server stream.go), in the
// reference's field order with Go's omitempty rules.
#include "core/jetstream/engine_impl.h"

namespace natrium::jetstream {

std::string stream::state_json(std::string_view subjects_filter, bool deleted_details) const {
  // A stream that never held a message reports first_seq 0 (the stores start
  // at zero); after a purge or skip it is last_seq + 1.
  const std::uint64_t reported_first = idx.msgs() == 0 && idx.last_seq() == 0 ? 0 : idx.first_seq();
  std::string j = "{\"messages\":" + std::to_string(idx.msgs()) + ",\"bytes\":" + std::to_string(idx.bytes()) +
                  ",\"first_seq\":" + std::to_string(reported_first) + ",\"first_ts\":" +
                  go_time_json(idx.msgs() > 0 ? idx.first_ts() : 0) + ",\"last_seq\":" +
                  std::to_string(idx.last_seq()) + ",\"last_ts\":" + go_time_json(idx.last_seq() > 0 ? idx.last_ts() : 0);
  if (idx.num_subjects() > 0) j += ",\"num_subjects\":" + std::to_string(idx.num_subjects());
  if (!subjects_filter.empty() && idx.msgs() > 0) {
    const auto counts = idx.subjects_filter(subjects_filter);
    if (!counts.empty()) {
      j += ",\"subjects\":{";
      bool first = true;
      for (const auto& [subj, n] : counts) {
        if (!first) j += ',';
        first = false;
        j += go_json_quoted(subj) + ":" + std::to_string(n);
      }
      j += '}';
    }
  }
  if (idx.num_deleted() > 0) {
    j += ",\"num_deleted\":" + std::to_string(idx.num_deleted());
    if (deleted_details) {
      j += ",\"deleted\":[";
      bool first = true;
      for (std::uint64_t q : idx.deleted()) {
        if (!first) j += ',';
        first = false;
        j += std::to_string(q);
      }
      j += ']';
    }
  }
  if (!lost.empty()) {
    // LostStreamData: messages found corrupt at startup.
    j += ",\"lost\":{\"msgs\":[";
    for (std::size_t i = 0; i < lost.size(); ++i) j += (i > 0 ? "," : "") + std::to_string(lost[i]);
    j += "],\"bytes\":0}";
  }
  j += ",\"consumer_count\":" + std::to_string(consumers.size()) + "}";
  return j;
}

std::string stream::info_json(std::string_view subjects_filter, bool deleted_details) const {
  return "\"config\":" + stream_config_json(cfg) + ",\"created\":" + go_time_json(created.ns) +
         ",\"state\":" + state_json(subjects_filter, deleted_details) + sources_info_json();
}

}  // namespace natrium::jetstream

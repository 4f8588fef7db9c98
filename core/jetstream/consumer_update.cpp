// jsConsumerCreateRequest's subject checks and checkNewConsumerConfig
// (nats-server 2.9.10 jetstream_api.go, consumer.go).
#include <vector>

#include "core/base/assert.h"
#include "core/jetstream/consumer_config.h"
#include "core/jetstream/names.h"
#include "core/subject/subject.h"

namespace natrium::jetstream {
namespace {

api_error create_err(std::string_view text) {
  return make_api_error_err(api_error_id::consumer_create_err_f, text);
}

}  // namespace

std::optional<api_error> check_consumer_create_subject(std::string_view subject, consumer_create_request& req) {
  const std::vector<std::string_view> toks = subject::tokens(subject);
  NATRIUM_ASSERT(toks.size() >= 5);  // the API only routes $JS.API.CONSUMER.CREATE.<stream>[...]
  enum class kind { legacy_ephemeral, legacy_durable, new_style } k = kind::new_style;
  std::string_view stream_name, consumer_name, filter;
  if (toks.size() == 5) {
    k = kind::legacy_ephemeral;
    stream_name = toks[4];
  } else if (toks[3] == "DURABLE") {
    k = kind::legacy_durable;
    if (toks.size() != 7) return make_api_error(api_error_id::consumer_durable_name_not_in_subject_err);
    stream_name = toks[5];
    consumer_name = toks[6];
  } else {
    stream_name = toks[4];
    consumer_name = toks[5];
    if (toks.size() > 7) {
      const std::size_t start = static_cast<std::size_t>(toks[6].data() - subject.data());
      filter = subject.substr(start);
    }
  }
  if (stream_name != req.stream_name) return make_api_error(api_error_id::stream_mismatch_err);
  if (!consumer_name.empty() && has_path_separators(consumer_name)) {
    return make_api_error(api_error_id::consumer_name_contains_path_separators_err);
  }
  consumer_config& c = req.config;
  if (k == kind::legacy_durable) {
    if (c.durable_name.empty()) return make_api_error(api_error_id::consumer_durable_name_not_set_err);
    if (consumer_name != c.durable_name) {
      return make_api_error(api_error_id::consumer_durable_name_not_match_subject_err);
    }
  }
  if (k == kind::new_style) {
    if (!c.durable_name.empty() && consumer_name != c.durable_name) {
      return make_api_error(api_error_id::consumer_durable_name_not_match_subject_err);
    }
    c.name = std::string(consumer_name);
    NATRIUM_ASSERT(!c.name.empty() || toks[5].empty());
  }
  if (k == kind::legacy_ephemeral && !c.durable_name.empty()) {
    return make_api_error(api_error_id::consumer_ephemeral_with_durable_name_err);
  }
  if (!filter.empty() && c.filter_subject != filter) {
    return make_api_error(api_error_id::consumer_create_filter_subject_mismatch_err);
  }
  return std::nullopt;
}

std::optional<api_error> check_consumer_update(const consumer_config& old, const consumer_config& n,
                                               bool deliver_subject_has_interest) {
  if (old == n) return std::nullopt;
  if (old.deliver != n.deliver) return create_err("deliver policy can not be updated");
  if (old.opt_start_seq != n.opt_start_seq) return create_err("start sequence can not be updated");
  // The reference compares *time.Time pointers: two set times always differ.
  if (old.opt_start_time || n.opt_start_time) return create_err("start time can not be updated");
  if (old.ack != n.ack) return create_err("ack policy can not be updated");
  if (old.replay != n.replay) return create_err("replay policy can not be updated");
  if (old.idle_heartbeat_ns != n.idle_heartbeat_ns) return create_err("heart beats can not be updated");
  if (old.flow_control != n.flow_control) return create_err("flow control can not be updated");
  if (old.max_waiting != n.max_waiting) return create_err("max waiting can not be updated");
  if (old.deliver_subject != n.deliver_subject) {
    if (old.deliver_subject.empty()) return create_err("can not update pull consumer to push based");
    if (n.deliver_subject.empty()) return create_err("can not update push consumer to pull based");
    if (deliver_subject_has_interest) return make_api_error(api_error_id::consumer_name_exist_err);
  }
  const auto backoffs = static_cast<std::int64_t>(n.backoff_ns.size());
  if (backoffs > 0 && n.max_deliver <= backoffs) return make_api_error(api_error_id::consumer_max_deliver_backoff_err);
  return std::nullopt;
}

std::optional<api_error> check_consumer_single_server(const consumer_config& c) {
  if (c.num_replicas > 1) return make_api_error(api_error_id::stream_replicas_not_supported_err);
  return std::nullopt;
}

std::optional<api_error> check_consumer_count(const stream_config& s, std::int64_t account_max_consumers,
                                              std::size_t public_consumers) {
  NATRIUM_ASSERT(s.max_consumers != 0);  // defaults applied
  std::int64_t max = s.max_consumers;
  if (max <= 0 || (account_max_consumers > 0 && account_max_consumers < max)) max = account_max_consumers;
  if (max > 0 && static_cast<std::int64_t>(public_consumers) >= max) {
    return make_api_error(api_error_id::maximum_consumers_limit_err);
  }
  return std::nullopt;
}

}  // namespace natrium::jetstream

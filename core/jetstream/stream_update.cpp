// configUpdateCheck of nats-server 2.9.10 (stream.go): which stream config
// fields an update may change, and the adjustments for sealing.
#include "core/base/assert.h"
#include "core/jetstream/stream_config.h"

namespace natrium::jetstream {
namespace {

api_error invalid_config(std::string_view err) {
  return make_api_error_err(api_error_id::stream_invalid_config_f, err);
}

std::optional<api_error> check_immutable(const stream_config& old, const stream_config& c) {
  if (c.name != old.name) return invalid_config("stream configuration name must match original");
  if (c.max_consumers != old.max_consumers) {
    return invalid_config("stream configuration update can not change MaxConsumers");
  }
  if (c.storage != old.storage) return invalid_config("stream configuration update can not change storage type");
  if (c.retention != old.retention) {
    return invalid_config("stream configuration update can not change retention policy");
  }
  if (!old.template_owner.empty()) {
    return invalid_config("stream configuration update not allowed on template owned stream");
  }
  if (!c.template_owner.empty()) {
    return invalid_config("stream configuration update can not be owned by a template");
  }
  if (!c.sealed && old.sealed) return invalid_config("stream configuration update can not unseal a sealed stream");
  if (!c.deny_delete && old.deny_delete) {
    return invalid_config("stream configuration update can not cancel deny message deletes");
  }
  if (!c.deny_purge && old.deny_purge) return invalid_config("stream configuration update can not cancel deny purge");
  if (c.mirror != old.mirror) return make_api_error(api_error_id::stream_mirror_not_updatable_err);
  if (c.republish_ != old.republish_) return invalid_config("stream configuration update can not change RePublish");
  return std::nullopt;
}

}  // namespace

stream_config_result check_stream_update(const stream_config& old, const stream_config& update,
                                         const stream_check_context& ctx) {
  NATRIUM_ASSERT(old.storage != storage_type::unset);
  stream_config_result checked = check_stream_config(update, ctx);
  if (!checked.ok()) return checked;
  stream_config c = std::move(*checked.config);
  if (auto e = check_immutable(old, c)) return {std::nullopt, *e};
  if (c.discard_new_per_subject) {
    if (c.discard != discard_policy::new_msgs) {
      return {std::nullopt, invalid_config("discard new per subject requires discard new policy to be set")};
    }
    if (c.max_msgs_per_subject <= 0) {
      return {std::nullopt, invalid_config("discard new per subject requires max msgs per subject > 0")};
    }
  }
  if (c.sealed) {
    c.max_age_ns = 0;
    c.discard = discard_policy::new_msgs;
    c.deny_delete = true;
    c.deny_purge = true;
    c.allow_rollup_hdrs = false;
  }
  NATRIUM_ASSERT(c.name == old.name);
  return {std::move(c), std::nullopt};
}

std::optional<api_error> check_subjects_overlap_streams(
    const stream_config& cfg, const std::map<std::string, stream_config, std::less<>>& streams) {
  for (const auto& [name, other] : streams) {
    if (name == cfg.name) continue;
    for (const auto& subj : other.subjects) {
      for (const auto& mine : cfg.subjects) {
        if (subjects_collide(mine, subj)) return make_api_error(api_error_id::stream_subject_overlap_err);
      }
    }
  }
  return std::nullopt;
}

std::optional<api_error> check_stream_add(const stream_config& checked, bool clustered,
                                          const std::map<std::string, stream_config, std::less<>>& streams) {
  NATRIUM_ASSERT(checked.storage != storage_type::unset);
  NATRIUM_ASSERT(checked.num_replicas >= 1);
  if (!clustered && checked.num_replicas > 1) return make_api_error(api_error_id::stream_replicas_not_supported_err);
  const auto it = streams.find(checked.name);
  if (it != streams.end()) {
    if (it->second == checked) return std::nullopt;
    return make_api_error(api_error_id::stream_name_exist_err);
  }
  return check_subjects_overlap_streams(checked, streams);
}

}  // namespace natrium::jetstream

// checkStreamCfg, the create/update request checks and configUpdateCheck of
// nats-server 2.9.10 (stream.go, jetstream_api.go), on stream_config.
#include "core/jetstream/stream_config.h"

#include <set>

#include "core/base/assert.h"
#include "core/jetstream/names.h"
#include "core/subject/subject.h"

namespace natrium::jetstream {
namespace {

using opt_error = std::optional<api_error>;

api_error invalid_config(std::string_view err) {
  return make_api_error_err(api_error_id::stream_invalid_config_f, err);
}

stream_config_result fail(api_error e) { return {std::nullopt, std::move(e)}; }

opt_error check_name(const stream_config& c) {
  if (!is_valid_name(c.name)) {
    return invalid_config("stream name is required and can not contain '.', '*', '>'");
  }
  if (c.name.size() > max_name_len) {
    return invalid_config("stream name is too long, maximum allowed is " + std::to_string(max_name_len));
  }
  if (c.description.size() > max_description_len) {
    return invalid_config("stream description is too long, maximum allowed is " +
                          std::to_string(max_description_len));
  }
  return std::nullopt;
}

void default_duplicate_window(stream_config& c, const stream_check_context& ctx) {
  if (c.duplicate_window_ns != 0 || c.mirror) return;
  std::int64_t max_window = default_duplicate_window_ns;
  if (ctx.server_duplicates_limit_ns > 0 && max_window > ctx.server_duplicates_limit_ns) {
    max_window = ctx.server_duplicates_limit_ns;
  }
  if (c.max_age_ns != 0 && c.max_age_ns < max_window) {
    c.duplicate_window_ns = c.max_age_ns;
  } else {
    c.duplicate_window_ns = max_window;
  }
}

// Defaults and the limit checks, in the reference's order.
opt_error apply_defaults(stream_config& c, const stream_check_context& ctx) {
  if (c.storage == storage_type::unset) c.storage = storage_type::file;
  if (c.num_replicas == 0) c.num_replicas = 1;
  if (c.num_replicas > stream_max_replicas) {
    return invalid_config("maximum replicas is " + std::to_string(stream_max_replicas));
  }
  if (c.num_replicas < 0) return make_api_error(api_error_id::replicas_count_cannot_be_negative);
  if (c.max_msgs == 0) c.max_msgs = -1;
  if (c.max_msgs_per_subject == 0) c.max_msgs_per_subject = -1;
  if (c.max_bytes == 0) c.max_bytes = -1;
  if (c.max_msg_size == 0) c.max_msg_size = -1;
  if (c.max_consumers == 0) c.max_consumers = -1;
  default_duplicate_window(c, ctx);
  if (c.max_age_ns > 0 && c.max_age_ns < 100 * ns_per_ms) return invalid_config("max age needs to be >= 100ms");
  if (c.duplicate_window_ns < 0) return invalid_config("duplicates window can not be negative");
  if (c.max_age_ns != 0 && c.duplicate_window_ns > c.max_age_ns) {
    return invalid_config("duplicates window can not be larger then max age");
  }
  if (ctx.server_duplicates_limit_ns > 0 && c.duplicate_window_ns > ctx.server_duplicates_limit_ns) {
    return invalid_config("duplicates window can not be larger then server limit of " +
                          go_duration_string(ctx.server_duplicates_limit_ns));
  }
  if (c.duplicate_window_ns > 0 && c.duplicate_window_ns < 100 * ns_per_ms) {
    return invalid_config("duplicates window needs to be >= 100ms");
  }
  if (c.deny_purge && c.allow_rollup_hdrs) return invalid_config("roll-ups require the purge permission");
  NATRIUM_ASSERT(c.max_msgs != 0 && c.max_bytes != 0 && c.max_consumers != 0);
  NATRIUM_ASSERT(c.storage != storage_type::unset);
  return std::nullopt;
}

opt_error check_discard_new_per(const stream_config& c) {
  if (!c.discard_new_per_subject) return std::nullopt;
  if (c.discard != discard_policy::new_msgs) {
    return invalid_config("discard new per subject requires discard new policy to be set");
  }
  if (c.max_msgs_per_subject <= 0) {
    return invalid_config("discard new per subject requires max msgs per subject > 0");
  }
  return std::nullopt;
}

const stream_config* find_stream(const stream_check_context& ctx, std::string_view name) {
  if (ctx.streams == nullptr) return nullptr;
  const auto it = ctx.streams->find(name);
  return it == ctx.streams->end() ? nullptr : &it->second;
}

bool filter_overlaps(std::string_view filter, const std::vector<std::string>& subs) {
  if (filter.empty() || subs.empty()) return true;
  for (const auto& s : subs) {
    if (subjects_collide(s, filter)) return true;
  }
  return false;
}

struct origin_info {
  std::vector<std::string> stream_subjects;
  std::vector<std::string> deliver_prefixes;
  std::vector<std::string> api_prefixes;
};

void add_external(origin_info& info, const stream_source& s) {
  if (!s.external) return;
  if (!s.external->deliver.empty()) info.deliver_prefixes.push_back(s.external->deliver);
  if (!s.external->api.empty()) info.api_prefixes.push_back(s.external->api);
}

opt_error check_mirror(stream_config& c, const stream_check_context& ctx, origin_info& info) {
  NATRIUM_ASSERT(c.mirror.has_value());
  if (!c.subjects.empty()) return make_api_error(api_error_id::mirror_with_subjects_err);
  if (!c.sources.empty()) return make_api_error(api_error_id::mirror_with_sources_err);
  const stream_config* origin = find_stream(ctx, c.mirror->name);
  if (origin != nullptr) {
    info.stream_subjects.insert(info.stream_subjects.end(), origin->subjects.begin(), origin->subjects.end());
    if (c.max_msg_size > 0 && origin->max_msg_size > 0 && c.max_msg_size < origin->max_msg_size) {
      return make_api_error(api_error_id::mirror_max_message_size_too_big_err);
    }
    if (!ctx.is_recovering && !filter_overlaps(c.mirror->filter_subject, origin->subjects)) {
      return invalid_config("mirror '" + c.mirror->name + "' filter subject '" + c.mirror->filter_subject +
                            "' does not overlap with any origin stream subject");
    }
    c.mirror_direct = origin->allow_direct;
  }
  add_external(info, *c.mirror);
  return std::nullopt;
}

opt_error check_sources(const stream_config& c, const stream_check_context& ctx, origin_info& info) {
  for (const auto& src : c.sources) {
    const stream_config* origin = find_stream(ctx, src.name);
    if (origin != nullptr) {
      info.stream_subjects.insert(info.stream_subjects.end(), origin->subjects.begin(), origin->subjects.end());
      if (c.max_msg_size > 0 && origin->max_msg_size > 0 && c.max_msg_size < origin->max_msg_size) {
        return make_api_error(api_error_id::source_max_message_size_too_big_err);
      }
      // The reference checks against all origin subjects gathered so far.
      if (!ctx.is_recovering && !filter_overlaps(src.filter_subject, info.stream_subjects)) {
        return invalid_config("source '" + src.name + "' filter subject '" + src.filter_subject +
                              "' does not overlap with any origin stream subject");
      }
    }
    add_external(info, src);
  }
  return std::nullopt;
}

opt_error check_prefixes(const origin_info& info) {
  for (const auto& pfx : info.deliver_prefixes) {
    if (!subject::is_valid_publish_subject(pfx)) {
      return make_api_error(api_error_id::stream_invalid_external_delivery_subj_err_f, {{"{prefix}", pfx}});
    }
    for (const auto& sub : info.stream_subjects) {
      if (subjects_collide(sub, pfx + "." + sub)) {
        return make_api_error(api_error_id::stream_external_del_prefix_overlaps_err_f,
                              {{"{prefix}", pfx}, {"{subject}", sub}});
      }
    }
  }
  for (const auto& pfx : info.api_prefixes) {
    if (!subject::is_valid_publish_subject(pfx)) {
      return invalid_config("stream external api prefix " + go_quote(pfx) +
                            " must be a valid subject without wildcards");
    }
    if (subjects_collide(pfx, "$JS.API")) {
      return make_api_error(api_error_id::stream_external_api_overlap_err_f,
                            {{"{prefix}", pfx}, {"{subject}", "$JS.API"}});
    }
  }
  return std::nullopt;
}

// Breadth-first over sources and (non-external) mirrors of known streams.
opt_error check_cycles(const stream_config& c, const stream_check_context& ctx) {
  std::vector<const stream_config*> to_visit = {&c};
  std::set<std::string, std::less<>> visited;
  for (std::size_t i = 0; i < to_visit.size(); ++i) {
    const stream_config* cur = to_visit[i];
    visited.insert(cur->name);
    for (const auto& src : cur->sources) {
      if (src.external) continue;
      if (visited.count(src.name) != 0) return invalid_config("detected cycle");
      if (const stream_config* s = find_stream(ctx, src.name)) to_visit.push_back(s);
    }
    if (cur->mirror && !cur->mirror->external) {
      if (visited.count(cur->mirror->name) != 0) return invalid_config("detected cycle");
      if (const stream_config* s = find_stream(ctx, cur->mirror->name)) to_visit.push_back(s);
    }
    NATRIUM_ASSERT(to_visit.size() < 1'000'000);
  }
  return std::nullopt;
}

opt_error check_subjects(stream_config& c) {
  if (c.subjects.empty()) {
    if (!c.mirror && c.sources.empty()) c.subjects.push_back(c.name);
    if (!c.mirror && c.sources.empty()) NATRIUM_ASSERT(c.subjects.size() == 1);
    return std::nullopt;
  }
  if (c.mirror) return make_api_error(api_error_id::mirror_with_subjects_err);
  std::set<std::string_view> seen;
  for (const auto& subj : c.subjects) {
    if (seen.count(subj) != 0) return invalid_config("duplicate subjects detected");
    if (subject_is_subset_match(subj, "$JS.API.>")) return invalid_config("subjects overlap with jetstream api");
    if (!subject::is_valid_subject(subj)) return invalid_config("invalid subject");
    seen.insert(subj);
  }
  return std::nullopt;
}

opt_error check_subject_overlap(const stream_config& c) {
  if (c.subjects.size() <= 1) return std::nullopt;
  for (const auto& subj : c.subjects) {
    for (const auto& other : c.subjects) {
      if (other != subj && subjects_collide(other, subj)) {
        return invalid_config("subject " + go_quote(subj) + " overlaps with " + go_quote(other));
      }
    }
  }
  return std::nullopt;
}

opt_error check_republish(stream_config& c) {
  if (!c.republish_) return std::nullopt;
  NATRIUM_ASSERT(!c.subjects.empty() || c.mirror || !c.sources.empty());
  republish& rp = *c.republish_;
  if (rp.src.empty()) rp.src = ">";
  bool src_valid = false;
  for (const auto& subj : c.subjects) src_valid = src_valid || subjects_collide(rp.src, subj);
  if (!src_valid) {
    return invalid_config("stream configuration for republish source is not valid subset of subjects");
  }
  for (const auto& subj : c.subjects) {
    if (subjects_collide(rp.dest, subj)) {
      return invalid_config("stream configuration for republish destination forms a cycle");
    }
  }
  if (!is_valid_transform(rp.src, rp.dest)) return invalid_config("stream configuration for republish not valid");
  return std::nullopt;
}

opt_error check_origins(stream_config& c, const stream_check_context& ctx) {
  origin_info info;
  if (c.mirror) {
    if (auto e = check_mirror(c, ctx, info)) return e;
  }
  if (auto e = check_sources(c, ctx, info)) return e;
  if (auto e = check_prefixes(info)) return e;
  return check_cycles(c, ctx);
}

}  // namespace

stream_config_result check_stream_config(const stream_config& config, const stream_check_context& ctx) {
  if (auto e = check_name(config)) return fail(*e);
  stream_config c = config;
  if (auto e = apply_defaults(c, ctx)) return fail(*e);
  if (auto e = check_discard_new_per(c)) return fail(*e);
  if (auto e = check_origins(c, ctx)) return fail(*e);
  if (auto e = check_subjects(c)) return fail(*e);
  if (c.subjects.empty() && c.sources.empty() && !c.mirror) {
    return fail(invalid_config("stream needs at least one configured subject or be a source/mirror"));
  }
  if (ctx.max_bytes_required && c.max_bytes <= 0) return fail(make_api_error(api_error_id::stream_max_bytes_required));
  if (ctx.max_bytes_limit > 0 && c.max_bytes > ctx.max_bytes_limit) {
    return fail(make_api_error(api_error_id::stream_max_stream_bytes_exceeded));
  }
  if (auto e = check_subject_overlap(c)) return fail(*e);
  if (auto e = check_republish(c)) return fail(*e);
  NATRIUM_ASSERT(c.storage != storage_type::unset);
  NATRIUM_ASSERT(c.num_replicas >= 1 && c.num_replicas <= stream_max_replicas);
  return {std::move(c), std::nullopt};
}

std::optional<api_error> check_stream_create_request(std::string_view subject_stream_name,
                                                     const stream_config& cfg) {
  if (subject_stream_name != cfg.name) return make_api_error(api_error_id::stream_mismatch_err);
  if (has_path_separators(subject_stream_name)) {
    return make_api_error(api_error_id::stream_name_contains_path_separators_err);
  }
  if (cfg.sealed) return invalid_config("stream configuration for create can not be sealed");
  if (cfg.mirror_direct && !cfg.mirror) return invalid_config("stream has no mirror but does have mirror direct");
  return std::nullopt;
}

std::optional<api_error> check_stream_update_request(std::string_view subject_stream_name,
                                                     const stream_config& cfg) {
  if (subject_stream_name != cfg.name) return make_api_error(api_error_id::stream_mismatch_err);
  return std::nullopt;
}

}  // namespace natrium::jetstream

// stream_config <-> JSON (declared in stream_config.h).
#include <limits>

#include "core/base/assert.h"
#include "core/jetstream/stream_config.h"

namespace natrium::jetstream {
namespace {

constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();

stream_config_result invalid_json() {
  return {std::nullopt, make_api_error(api_error_id::invalid_json_err)};
}

const std::pair<std::string_view, retention_policy> retention_names[] = {
    {"limits", retention_policy::limits},
    {"interest", retention_policy::interest},
    {"workqueue", retention_policy::workqueue}};
const std::pair<std::string_view, discard_policy> discard_names[] = {
    {"old", discard_policy::old_msgs}, {"new", discard_policy::new_msgs}};
const std::pair<std::string_view, storage_type> storage_names[] = {
    {"file", storage_type::file}, {"memory", storage_type::memory}, {"any", storage_type::any}};

// A pointer-to-struct field: absent/null -> nullptr, non-object -> error.
bool object_field(const nlohmann::ordered_json& obj, std::string_view key, const nlohmann::ordered_json*& out) {
  out = go_json_field(obj, key);
  return out == nullptr || out->is_object();
}

bool parse_source(const nlohmann::ordered_json& o, stream_source& s) {
  NATRIUM_ASSERT(o.is_object());
  if (!go_read_string(o, "name", s.name) || !go_read_uint(o, "opt_start_seq", s.opt_start_seq) ||
      !go_read_string(o, "filter_subject", s.filter_subject)) {
    return false;
  }
  if (const nlohmann::ordered_json* t = go_json_field(o, "opt_start_time"); t != nullptr) {
    go_time parsed;
    if (!t->is_string() || !go_parse_time(t->get_ref<const std::string&>(), parsed)) return false;
    s.opt_start_time = parsed;
  }
  const nlohmann::ordered_json* ext = nullptr;
  if (!object_field(o, "external", ext)) return false;
  if (ext != nullptr) {
    external_stream e;
    if (!go_read_string(*ext, "api", e.api) || !go_read_string(*ext, "deliver", e.deliver)) {
      return false;
    }
    s.external = e;
  }
  return true;
}

bool parse_nested(const nlohmann::ordered_json& o, stream_config& c) {
  const nlohmann::ordered_json* p = nullptr;
  if (!object_field(o, "placement", p)) return false;
  if (p != nullptr) {
    placement pl;
    if (!go_read_string(*p, "cluster", pl.cluster) || !go_read_strings(*p, "tags", pl.tags)) return false;
    c.placement_ = pl;
  }
  const nlohmann::ordered_json* m = nullptr;
  if (!object_field(o, "mirror", m)) return false;
  if (m != nullptr) {
    stream_source s;
    if (!parse_source(*m, s)) return false;
    c.mirror = s;
  }
  if (const nlohmann::ordered_json* srcs = go_json_field(o, "sources"); srcs != nullptr) {
    if (!srcs->is_array()) return false;
    c.sources.clear();
    for (const auto& e : *srcs) {
      stream_source s;
      if (!e.is_object() || !parse_source(e, s)) return false;  // null entries too
      c.sources.push_back(std::move(s));
    }
  }
  const nlohmann::ordered_json* r = nullptr;
  if (!object_field(o, "republish", r)) return false;
  if (r != nullptr) {
    republish rp;
    if (!go_read_string(*r, "src", rp.src) || !go_read_string(*r, "dest", rp.dest) ||
        !go_read_bool(*r, "headers_only", rp.headers_only)) {
      return false;
    }
    c.republish_ = rp;
  }
  return true;
}

bool parse_scalars(const nlohmann::ordered_json& o, stream_config& c) {
  std::int64_t max_msg_size = c.max_msg_size;
  const bool ok =
      go_read_string(o, "name", c.name) && go_read_string(o, "description", c.description) &&
      go_read_strings(o, "subjects", c.subjects) && go_read_enum(o, "retention", c.retention, retention_names) &&
      go_read_int(o, "max_consumers", c.max_consumers, i64_min, i64_max) &&
      go_read_int(o, "max_msgs", c.max_msgs, i64_min, i64_max) &&
      go_read_int(o, "max_bytes", c.max_bytes, i64_min, i64_max) &&
      go_read_int(o, "max_age", c.max_age_ns, i64_min, i64_max) &&
      go_read_int(o, "max_msgs_per_subject", c.max_msgs_per_subject, i64_min, i64_max) &&
      go_read_int(o, "max_msg_size", max_msg_size, std::numeric_limits<std::int32_t>::min(),
                  std::numeric_limits<std::int32_t>::max()) &&
      go_read_enum(o, "discard", c.discard, discard_names) && go_read_enum(o, "storage", c.storage, storage_names) &&
      go_read_int(o, "num_replicas", c.num_replicas, i64_min, i64_max) && go_read_bool(o, "no_ack", c.no_ack) &&
      go_read_string(o, "template_owner", c.template_owner) &&
      go_read_int(o, "duplicate_window", c.duplicate_window_ns, i64_min, i64_max) &&
      go_read_bool(o, "allow_direct", c.allow_direct) && go_read_bool(o, "mirror_direct", c.mirror_direct) &&
      go_read_bool(o, "discard_new_per_subject", c.discard_new_per_subject) &&
      go_read_bool(o, "sealed", c.sealed) && go_read_bool(o, "deny_delete", c.deny_delete) &&
      go_read_bool(o, "deny_purge", c.deny_purge) && go_read_bool(o, "allow_rollup_hdrs", c.allow_rollup_hdrs);
  c.max_msg_size = static_cast<std::int32_t>(max_msg_size);
  return ok;
}

void source_json(std::string& out, const stream_source& s) {
  bool first = true;
  out += '{';
  go_json_str(out, first, "name", s.name);
  if (s.opt_start_seq != 0) go_json_uint(out, first, "opt_start_seq", s.opt_start_seq);
  if (s.opt_start_time) go_json_str(out, first, "opt_start_time", go_format_time(*s.opt_start_time));
  if (!s.filter_subject.empty()) go_json_str(out, first, "filter_subject", s.filter_subject);
  if (s.external) {
    go_json_key(out, first, "external");
    bool f2 = true;
    out += '{';
    go_json_str(out, f2, "api", s.external->api);
    go_json_str(out, f2, "deliver", s.external->deliver);
    out += '}';
  }
  out += '}';
}

void nested_json(std::string& out, bool& first, const stream_config& c) {
  if (c.placement_) {
    go_json_key(out, first, "placement");
    bool f2 = true;
    out += '{';
    if (!c.placement_->cluster.empty()) go_json_str(out, f2, "cluster", c.placement_->cluster);
    if (!c.placement_->tags.empty()) go_json_strs(out, f2, "tags", c.placement_->tags);
    out += '}';
  }
  if (c.mirror) {
    go_json_key(out, first, "mirror");
    source_json(out, *c.mirror);
  }
  if (!c.sources.empty()) {
    go_json_key(out, first, "sources");
    out += '[';
    for (std::size_t i = 0; i < c.sources.size(); ++i) {
      if (i != 0) out += ',';
      source_json(out, c.sources[i]);
    }
    out += ']';
  }
  if (c.republish_) {
    go_json_key(out, first, "republish");
    bool f2 = true;
    out += '{';
    if (!c.republish_->src.empty()) go_json_str(out, f2, "src", c.republish_->src);
    go_json_str(out, f2, "dest", c.republish_->dest);
    if (c.republish_->headers_only) go_json_bool(out, f2, "headers_only", true);
    out += '}';
  }
}

}  // namespace

stream_config_result parse_stream_config_value(const nlohmann::ordered_json& value) {
  stream_config c;
  if (value.is_null()) return {c, std::nullopt};  // Go: null leaves the zero value
  if (!value.is_object()) return invalid_json();
  if (!parse_scalars(value, c) || !parse_nested(value, c)) return invalid_json();
  if (c.mirror) NATRIUM_ASSERT(go_json_field(value, "mirror") != nullptr);
  return {std::move(c), std::nullopt};
}

stream_config_result parse_stream_config(std::string_view json) {
  const nlohmann::ordered_json value = nlohmann::ordered_json::parse(json.begin(), json.end(), nullptr, false);
  if (value.is_discarded()) return invalid_json();
  return parse_stream_config_value(value);
}

std::string_view retention_string(retention_policy r) noexcept {
  switch (r) {
    case retention_policy::limits: return "limits";
    case retention_policy::interest: return "interest";
    case retention_policy::workqueue: return "workqueue";
  }
  NATRIUM_ASSERT(false);
  return {};
}

std::string_view discard_string(discard_policy d) noexcept {
  return d == discard_policy::new_msgs ? "new" : "old";
}

std::string_view storage_string(storage_type s) noexcept {
  switch (s) {
    case storage_type::file: return "file";
    case storage_type::memory: return "memory";
    case storage_type::any: return "any";
    case storage_type::unset: break;
  }
  NATRIUM_ASSERT(false && "storage type must be defaulted before serialising");
  return {};
}

std::string stream_config_json(const stream_config& c) {
  std::string out = "{";
  bool first = true;
  go_json_str(out, first, "name", c.name);
  if (!c.description.empty()) go_json_str(out, first, "description", c.description);
  if (!c.subjects.empty()) go_json_strs(out, first, "subjects", c.subjects);
  go_json_str(out, first, "retention", retention_string(c.retention));
  go_json_int(out, first, "max_consumers", c.max_consumers);
  go_json_int(out, first, "max_msgs", c.max_msgs);
  go_json_int(out, first, "max_bytes", c.max_bytes);
  go_json_int(out, first, "max_age", c.max_age_ns);
  go_json_int(out, first, "max_msgs_per_subject", c.max_msgs_per_subject);
  if (c.max_msg_size != 0) go_json_int(out, first, "max_msg_size", c.max_msg_size);
  go_json_str(out, first, "discard", discard_string(c.discard));
  go_json_str(out, first, "storage", storage_string(c.storage));
  go_json_int(out, first, "num_replicas", c.num_replicas);
  if (c.no_ack) go_json_bool(out, first, "no_ack", true);
  if (!c.template_owner.empty()) go_json_str(out, first, "template_owner", c.template_owner);
  if (c.duplicate_window_ns != 0) go_json_int(out, first, "duplicate_window", c.duplicate_window_ns);
  nested_json(out, first, c);
  go_json_bool(out, first, "allow_direct", c.allow_direct);
  go_json_bool(out, first, "mirror_direct", c.mirror_direct);
  if (c.discard_new_per_subject) go_json_bool(out, first, "discard_new_per_subject", true);
  go_json_bool(out, first, "sealed", c.sealed);
  go_json_bool(out, first, "deny_delete", c.deny_delete);
  go_json_bool(out, first, "deny_purge", c.deny_purge);
  go_json_bool(out, first, "allow_rollup_hdrs", c.allow_rollup_hdrs);
  out += '}';
  NATRIUM_ASSERT(!first);
  return out;
}

}  // namespace natrium::jetstream

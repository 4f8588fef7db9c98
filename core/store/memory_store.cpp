#include "core/store/memory_store.h"

#include <algorithm>

#include "core/store/record_codec.h"
#include "core/subject/subject.h"

namespace natrium::store {

bool filter_is_all(std::string_view filter) noexcept { return filter.empty() || filter == ">"; }
bool filter_is_literal(std::string_view filter) noexcept {
  const bool literal = !filter_is_all(filter) && subject::is_literal(filter);
  if (literal) NATRIUM_ASSERT(!filter.empty());
  if (literal) NATRIUM_ASSERT(filter != ">");
  return literal;
}
bool filter_matches(std::string_view filter, std::string_view subj) noexcept {
  NATRIUM_ASSERT(!subj.empty());
  NATRIUM_ASSERT(subj.find('\0') == std::string_view::npos);
  if (filter_is_all(filter)) return true;
  if (filter_is_literal(filter)) return filter == subj;
  return subject::matches(filter, subj);
}

memory_store::memory_store(store_limits limits) noexcept : limits_(limits) {
  NATRIUM_ASSERT(limits_.record_len_max > message_fixed_len);
  NATRIUM_ASSERT(limits_.subject_len_max > 0);
}

const memory_store::stream_data* memory_store::find(stream_id stream) const noexcept {
  NATRIUM_ASSERT(journal_.empty());  // reads never observe a half-applied batch
  const auto it = streams_.find(stream);
  if (it == streams_.end()) return nullptr;
  NATRIUM_ASSERT(it->second.st.msgs == it->second.msgs.size());
  return &it->second;
}

namespace {
base::result<std::optional<stored_msg>> decode_opt(const std::string& record) noexcept {
  NATRIUM_ASSERT(!record.empty());
  auto m = decode_message(record);
  if (!m) return m.err();
  NATRIUM_ASSERT(m.value().seq > 0);
  return std::optional<stored_msg>(std::move(m.value()));
}
}  // namespace

base::result<std::optional<stored_msg>> memory_store::load(stream_id stream, std::uint64_t seq) const noexcept {
  const stream_data* sd = find(stream);
  if (sd == nullptr) return std::optional<stored_msg>();
  const auto it = sd->msgs.find(seq);
  if (it == sd->msgs.end()) return std::optional<stored_msg>();
  NATRIUM_ASSERT(seq >= sd->st.first_seq && seq <= sd->st.last_seq);
  auto r = decode_opt(it->second);
  if (r.ok()) NATRIUM_ASSERT(r.value()->seq == seq);
  return r;
}

base::result<std::optional<stored_msg>> memory_store::load_last(stream_id stream,
                                                                std::string_view filter) const noexcept {
  const stream_data* sd = find(stream);
  if (sd == nullptr || sd->msgs.empty()) return std::optional<stored_msg>();
  if (filter_is_all(filter)) return decode_opt(sd->msgs.rbegin()->second);
  std::uint64_t best = 0;
  if (filter_is_literal(filter)) {
    const auto it = sd->subjects.find(filter);
    if (it != sd->subjects.end()) best = *it->second.rbegin();
  } else {
    for (const auto& [subj, seqs] : sd->subjects)
      if (subject::matches(filter, subj)) best = std::max(best, *seqs.rbegin());
  }
  if (best == 0) return std::optional<stored_msg>();
  NATRIUM_ASSERT(sd->msgs.count(best) == 1);
  NATRIUM_ASSERT(best >= sd->st.first_seq && best <= sd->st.last_seq);
  return decode_opt(sd->msgs.at(best));
}

base::result<std::optional<stored_msg>> memory_store::load_next(stream_id stream, std::string_view filter,
                                                                std::uint64_t start_seq) const noexcept {
  const stream_data* sd = find(stream);
  if (sd == nullptr) return std::optional<stored_msg>();
  if (filter_is_literal(filter)) {
    const auto it = sd->subjects.find(filter);
    if (it == sd->subjects.end()) return std::optional<stored_msg>();
    const auto s = it->second.lower_bound(start_seq);
    if (s == it->second.end()) return std::optional<stored_msg>();
    NATRIUM_ASSERT(*s >= start_seq);
    NATRIUM_ASSERT(*s <= sd->st.last_seq);
    return decode_opt(sd->msgs.at(*s));
  }
  for (auto it = sd->msgs.lower_bound(start_seq); it != sd->msgs.end(); ++it) {
    const auto subj = peek_subject(it->second);
    if (!subj) return base::error{"store: message record truncated"};
    if (filter_matches(filter, *subj)) return decode_opt(it->second);
  }
  return std::optional<stored_msg>();
}

base::result<stream_state> memory_store::state(stream_id stream) const noexcept {
  const stream_data* sd = find(stream);
  if (sd == nullptr) return stream_state{};
  stream_state st = sd->st;
  st.num_subjects = sd->subjects.size();
  st.num_deleted = deleted_count(st);
  NATRIUM_ASSERT(st.msgs == sd->msgs.size());
  if (st.msgs > 0) NATRIUM_ASSERT(sd->msgs.begin()->first == st.first_seq);
  return st;
}

base::result<subject_counts> memory_store::subjects_filter(stream_id stream,
                                                           std::string_view filter) const noexcept {
  subject_counts out;
  const stream_data* sd = find(stream);
  if (sd == nullptr) return out;
  for (const auto& [subj, seqs] : sd->subjects) {
    NATRIUM_ASSERT(!seqs.empty());
    if (filter_matches(filter, subj)) out.emplace(subj, seqs.size());
  }
  NATRIUM_ASSERT(out.size() <= sd->subjects.size());
  return out;
}

base::result<std::uint64_t> memory_store::last_seq_for_subject(stream_id stream,
                                                               std::string_view subj) const noexcept {
  const stream_data* sd = find(stream);
  if (sd == nullptr) return std::uint64_t{0};
  const auto it = sd->subjects.find(subj);
  if (it == sd->subjects.end()) return std::uint64_t{0};
  NATRIUM_ASSERT(!it->second.empty());
  NATRIUM_ASSERT(*it->second.rbegin() <= sd->st.last_seq);
  return *it->second.rbegin();
}

base::result<std::optional<consumer_state>> memory_store::load_consumer(stream_id stream,
                                                                        std::string_view name) const noexcept {
  const stream_data* sd = find(stream);
  if (sd == nullptr) return std::optional<consumer_state>();
  const auto it = sd->consumers.find(name);
  if (it == sd->consumers.end()) return std::optional<consumer_state>();
  NATRIUM_ASSERT(!name.empty());
  NATRIUM_ASSERT(it->second.size() >= record_header_len);
  auto c = decode_consumer(it->second);
  if (!c) return c.err();
  return std::optional<consumer_state>(std::move(c.value()));
}

base::result<std::vector<stream_id>> memory_store::streams() const noexcept {
  NATRIUM_ASSERT(journal_.empty());
  std::vector<stream_id> out;
  out.reserve(streams_.size());
  for (const auto& [id, sd] : streams_) out.push_back(id);
  NATRIUM_ASSERT(std::is_sorted(out.begin(), out.end()));
  return out;
}

base::result<catalog_entries> memory_store::catalog(std::string_view prefix) const noexcept {
  NATRIUM_ASSERT(journal_.empty());
  catalog_entries out;
  for (auto it = catalog_.lower_bound(prefix); it != catalog_.end(); ++it) {
    if (std::string_view(it->first).substr(0, prefix.size()) != prefix) break;
    auto v = decode_catalog(it->second, it->first);
    if (!v) return v.err();
    out.emplace_back(it->first, std::move(v.value()));
  }
  NATRIUM_ASSERT(out.size() <= catalog_.size());
  NATRIUM_ASSERT_SLOW(std::is_sorted(out.begin(), out.end()));
  return out;
}

namespace {
// Counts a scan in progress for as long as it runs (see scans_active_).
class scan_guard {
 public:
  explicit scan_guard(std::uint32_t& n) noexcept : n_(n) { ++n_; }
  ~scan_guard() { NATRIUM_ASSERT(n_ > 0); --n_; }
  scan_guard(const scan_guard&) = delete;
  scan_guard& operator=(const scan_guard&) = delete;

 private:
  std::uint32_t& n_;
};
}  // namespace

base::result<bool> memory_store::scan(stream_id stream, std::uint64_t from_seq,
                                      const std::function<bool(const msg_meta_view&)>& fn) const noexcept {
  NATRIUM_ASSERT(fn);
  const stream_data* sd = find(stream);
  if (sd == nullptr) return true;
  const scan_guard guard(scans_active_);
  std::uint64_t prev = 0;
  for (auto it = sd->msgs.lower_bound(from_seq); it != sd->msgs.end(); ++it) {
    const std::string& rec = it->second;
    auto m = decode_message_meta(rec, rec.size() <= scan_verify_len_max);
    if (!m || m.value().seq != it->first) {
      msg_meta_view bad;
      bad.seq = it->first;
      bad.corrupt = true;
      prev = it->first;
      if (!fn(bad)) return false;
      continue;
    }
    NATRIUM_ASSERT(it->first > prev);
    prev = it->first;
    const message_meta& mm = m.value();
    const msg_meta_view v{mm.seq, mm.timestamp_ns, stored_size(mm.subject.size(), mm.headers_len, mm.payload_len),
                          mm.subject, mm.headers_len};
    if (!fn(v)) return false;
  }
  return true;
}

bool memory_store::corrupt_catalog_for_test(std::string_view key) noexcept {
  NATRIUM_ASSERT(journal_.empty());
  const auto it = catalog_.find(key);
  if (it == catalog_.end()) return false;
  NATRIUM_ASSERT(!it->second.empty());
  it->second.back() = static_cast<char>(it->second.back() ^ 0x5A);
  return true;
}

bool memory_store::corrupt_for_test(stream_id stream, std::uint64_t seq) noexcept {
  NATRIUM_ASSERT(journal_.empty());
  const auto it = streams_.find(stream);
  if (it == streams_.end()) return false;
  const auto m = it->second.msgs.find(seq);
  if (m == it->second.msgs.end()) return false;
  NATRIUM_ASSERT(!m->second.empty());
  m->second.back() = static_cast<char>(m->second.back() ^ 0x5A);
  return true;
}

}  // namespace natrium::store

// memory_store writes: batch application with an undo journal.
#include <algorithm>

#include "core/store/memory_store.h"
#include "core/store/record_codec.h"
#include "core/subject/subject.h"

namespace natrium::store {

base::result<batch_result> memory_store::apply(const store_batch& batch) noexcept {
  NATRIUM_ASSERT(journal_.empty());
  NATRIUM_ASSERT(scans_active_ == 0);  // a scan callback must not write
  batch_total_bytes_ = total_bytes_;
  batch_result out;
  out.removed.reserve(batch.ops.size());
  for (const store_op& op : batch.ops) {
    auto r = apply_op(op);
    if (!r) {
      rollback();
      NATRIUM_ASSERT(total_bytes_ == batch_total_bytes_);
      return r.err();
    }
    out.removed.push_back(r.value());
  }
  commit();
  NATRIUM_ASSERT(out.removed.size() == batch.ops.size());
  return out;
}

base::result<std::uint64_t> memory_store::apply_op(const store_op& op) {
  NATRIUM_ASSERT(!op.valueless_by_exception());
  if (const auto* a = std::get_if<op_append>(&op)) return do_append(*a);
  if (const auto* d = std::get_if<op_delete>(&op)) return do_delete(*d);
  if (const auto* p = std::get_if<op_purge>(&op)) return do_purge(*p);
  if (const auto* c = std::get_if<op_compact>(&op)) return do_compact(c->stream, c->seq);
  if (const auto* s = std::get_if<op_save_consumer>(&op)) return do_save_consumer(*s);
  if (const auto* dc = std::get_if<op_delete_consumer>(&op)) return do_delete_consumer(*dc);
  if (const auto* ds = std::get_if<op_delete_stream>(&op)) return do_delete_stream(*ds);
  if (const auto* pc = std::get_if<op_put_catalog>(&op)) return do_put_catalog(*pc);
  const auto* dcat = std::get_if<op_delete_catalog>(&op);
  NATRIUM_ASSERT(dcat != nullptr);
  return do_delete_catalog(*dcat);
}

memory_store::stream_data& memory_store::touch(stream_id stream) {
  auto it = streams_.find(stream);
  if (it == streams_.end()) {
    journal_.push_back(j_created{stream});
    it = streams_.emplace(stream, stream_data{}).first;
  }
  journal_.push_back(j_state{stream, it->second.st});
  NATRIUM_ASSERT(it->second.st.first_seq <= it->second.st.last_seq + 1);
  NATRIUM_ASSERT(it->second.st.msgs == it->second.msgs.size());
  return it->second;
}

base::result<std::uint64_t> memory_store::do_append(const op_append& op) {
  const stored_msg& m = op.msg;
  if (m.subject.empty() || m.subject.size() > limits_.subject_len_max) return base::error{"store: bad subject length"};
  if (m.subject.find('\0') != std::string::npos) return base::error{"store: subject contains NUL"};
  const auto it = streams_.find(op.stream);
  const std::uint64_t last = it == streams_.end() ? 0 : it->second.st.last_seq;
  if (m.seq != last + 1) return base::error{"store: append out of sequence"};
  std::string record = encode_message(m);
  if (record.size() > limits_.record_len_max) return base::error{"store: record too large"};
  const std::uint64_t size = stored_size(m.subject.size(), m.headers.size(), m.payload.size());
  if (limits_.bytes_max - total_bytes_ < size) return base::error{"store: bytes limit reached"};
  stream_data& sd = touch(op.stream);
  NATRIUM_ASSERT(sd.msgs.count(m.seq) == 0);
  sd.msgs.emplace(m.seq, std::move(record));
  sd.subjects[m.subject].insert(m.seq);
  journal_.push_back(j_appended{op.stream, m.seq});
  if (sd.st.msgs == 0) {
    sd.st.first_seq = m.seq;
    sd.st.first_ts_ns = m.timestamp_ns;
  }
  sd.st.msgs += 1;
  sd.st.bytes += size;
  sd.st.last_seq = m.seq;
  sd.st.last_ts_ns = m.timestamp_ns;
  total_bytes_ += size;
  NATRIUM_ASSERT(sd.st.msgs == sd.msgs.size());
  return std::uint64_t{0};
}

void memory_store::remove_msg(stream_id stream, stream_data& sd, std::uint64_t seq, bool erase) {
  auto it = sd.msgs.find(seq);
  NATRIUM_ASSERT(it != sd.msgs.end());
  const auto subj = peek_subject(it->second);
  NATRIUM_ASSERT(subj.has_value());
  auto s = sd.subjects.find(*subj);
  NATRIUM_ASSERT(s != sd.subjects.end());
  NATRIUM_ASSERT(s->second.erase(seq) == 1);
  if (s->second.empty()) sd.subjects.erase(s);
  const std::uint64_t size = stored_size(subj->size(), 0, 0) +
                             (it->second.size() - message_fixed_len - subj->size());
  NATRIUM_ASSERT(sd.st.bytes >= size && total_bytes_ >= size);
  sd.st.bytes -= size;
  sd.st.msgs -= 1;
  total_bytes_ -= size;
  journal_.push_back(j_removed{stream, seq, std::move(it->second), erase});
  sd.msgs.erase(it);
}

void memory_store::fix_first(stream_data& sd) {
  NATRIUM_ASSERT(sd.st.msgs == sd.msgs.size());
  if (sd.msgs.empty()) {
    sd.st.first_seq = sd.st.last_seq + 1;
    sd.st.first_ts_ns = 0;
    return;
  }
  sd.st.first_seq = sd.msgs.begin()->first;
  const auto ts = peek_timestamp(sd.msgs.begin()->second);
  NATRIUM_ASSERT(ts.has_value());
  sd.st.first_ts_ns = *ts;
}

std::uint64_t memory_store::do_delete(const op_delete& op) {
  NATRIUM_ASSERT(journal_.size() < SIZE_MAX);
  auto it = streams_.find(op.stream);
  if (it == streams_.end() || it->second.msgs.count(op.seq) == 0) return 0;
  stream_data& sd = touch(op.stream);
  remove_msg(op.stream, sd, op.seq, op.erase);
  fix_first(sd);
  NATRIUM_ASSERT(sd.msgs.count(op.seq) == 0);
  return 1;
}

std::uint64_t memory_store::matching_count(const stream_data& sd, std::string_view filter) const {
  NATRIUM_ASSERT(sd.st.msgs == sd.msgs.size());
  if (filter_is_all(filter)) return sd.msgs.size();
  std::uint64_t n = 0;
  for (const auto& [subj, seqs] : sd.subjects)
    if (filter_matches(filter, subj)) n += seqs.size();
  NATRIUM_ASSERT(n <= sd.msgs.size());
  return n;
}

std::vector<std::uint64_t> memory_store::matching(const stream_data& sd, std::string_view filter,
                                                  std::uint64_t below_seq, std::uint64_t max_count) const {
  std::vector<std::uint64_t> out;
  if (filter_is_literal(filter)) {
    const auto it = sd.subjects.find(filter);
    if (it == sd.subjects.end()) return out;
    for (const std::uint64_t s : it->second) {
      if (s >= below_seq || out.size() >= max_count) break;
      out.push_back(s);
    }
    return out;
  }
  for (const auto& [s, rec] : sd.msgs) {
    if (s >= below_seq || out.size() >= max_count) break;
    const auto subj = peek_subject(rec);
    NATRIUM_ASSERT(subj.has_value());
    if (filter_matches(filter, *subj)) out.push_back(s);
  }
  NATRIUM_ASSERT(out.size() <= max_count);
  return out;
}

std::uint64_t memory_store::purge_all(stream_id stream) {
  auto it = streams_.find(stream);
  if (it == streams_.end()) return 0;
  stream_data& sd = touch(stream);
  const std::uint64_t n = sd.msgs.size();
  while (!sd.msgs.empty()) remove_msg(stream, sd, sd.msgs.begin()->first, false);
  fix_first(sd);
  NATRIUM_ASSERT(sd.subjects.empty());
  NATRIUM_ASSERT(sd.st.bytes == 0);
  return n;
}

base::result<std::uint64_t> memory_store::do_purge(const op_purge& op) {
  if (op.seq > 1 && op.keep > 0) return base::error{"store: purge seq and keep are exclusive"};
  const bool all = filter_is_all(op.filter);
  if (all && op.keep == 0 && op.seq <= 1) return purge_all(op.stream);
  if (all && op.seq > 1) return do_compact(op.stream, op.seq);
  auto it = streams_.find(op.stream);
  if (it == streams_.end()) return std::uint64_t{0};
  const std::uint64_t count = matching_count(it->second, op.filter);
  if (count == 0 || (op.keep > 0 && op.keep >= count)) return std::uint64_t{0};
  const std::uint64_t max_count = op.keep > 0 ? count - op.keep : count;
  const std::uint64_t below = op.seq > 1 ? op.seq : UINT64_MAX;
  const auto seqs = matching(it->second, op.filter, below, max_count);
  if (seqs.empty()) return std::uint64_t{0};
  stream_data& sd = touch(op.stream);
  for (const std::uint64_t s : seqs) remove_msg(op.stream, sd, s, false);
  fix_first(sd);
  NATRIUM_ASSERT(seqs.size() <= count);
  NATRIUM_ASSERT(op.keep == 0 || matching_count(sd, op.filter) == op.keep);
  return static_cast<std::uint64_t>(seqs.size());
}

std::uint64_t memory_store::do_compact(stream_id stream, std::uint64_t seq) {
  if (seq == 0) return purge_all(stream);
  stream_data& sd = touch(stream);
  std::uint64_t n = 0;
  while (!sd.msgs.empty() && sd.msgs.begin()->first < seq) {
    remove_msg(stream, sd, sd.msgs.begin()->first, false);
    ++n;
  }
  if (seq > sd.st.last_seq + 1) sd.st.last_seq = seq - 1;
  fix_first(sd);
  NATRIUM_ASSERT(sd.st.first_seq >= seq);
  NATRIUM_ASSERT(sd.msgs.empty() || sd.msgs.begin()->first >= seq);
  return n;
}

base::result<std::uint64_t> memory_store::do_save_consumer(const op_save_consumer& op) {
  if (op.name.empty() || op.name.size() > limits_.consumer_name_len_max)
    return base::error{"store: bad consumer name length"};
  stream_data& sd = touch(op.stream);
  auto it = sd.consumers.find(op.name);
  std::optional<std::string> prev;
  if (it != sd.consumers.end()) prev = std::move(it->second);
  journal_.push_back(j_consumer{op.stream, op.name, std::move(prev)});
  sd.consumers[op.name] = encode_consumer(op.state);
  NATRIUM_ASSERT(sd.consumers.count(op.name) == 1);
  NATRIUM_ASSERT(!journal_.empty());
  return std::uint64_t{0};
}

std::uint64_t memory_store::do_delete_consumer(const op_delete_consumer& op) {
  auto s = streams_.find(op.stream);
  if (s == streams_.end()) return 0;
  auto it = s->second.consumers.find(op.name);
  if (it == s->second.consumers.end()) return 0;
  journal_.push_back(j_consumer{op.stream, op.name, std::move(it->second)});
  s->second.consumers.erase(it);
  NATRIUM_ASSERT(s->second.consumers.count(op.name) == 0);
  NATRIUM_ASSERT(std::holds_alternative<j_consumer>(journal_.back()));
  return 0;
}

std::uint64_t memory_store::do_delete_stream(const op_delete_stream& op) {
  auto it = streams_.find(op.stream);
  if (it == streams_.end()) return 0;
  const std::uint64_t n = it->second.msgs.size();
  NATRIUM_ASSERT(total_bytes_ >= it->second.st.bytes);
  total_bytes_ -= it->second.st.bytes;
  journal_.push_back(j_dropped{op.stream, std::move(it->second)});
  streams_.erase(it);
  NATRIUM_ASSERT(streams_.count(op.stream) == 0);
  return n;
}

base::result<std::uint64_t> memory_store::do_put_catalog(const op_put_catalog& op) {
  if (op.key.empty() || op.key.size() > limits_.catalog_key_len_max)
    return base::error{"store: bad catalog key length"};
  std::string record = encode_catalog(op.key, op.value);
  if (record.size() > limits_.record_len_max) return base::error{"store: record too large"};
  auto it = catalog_.find(op.key);
  std::optional<std::string> prev;
  if (it != catalog_.end()) prev = std::move(it->second);
  journal_.push_back(j_catalog{op.key, std::move(prev)});
  catalog_[op.key] = std::move(record);
  NATRIUM_ASSERT(catalog_.count(op.key) == 1);
  NATRIUM_ASSERT(std::holds_alternative<j_catalog>(journal_.back()));
  return std::uint64_t{0};
}

std::uint64_t memory_store::do_delete_catalog(const op_delete_catalog& op) {
  auto it = catalog_.find(op.key);
  if (it == catalog_.end()) return 0;
  journal_.push_back(j_catalog{op.key, std::move(it->second)});
  catalog_.erase(it);
  NATRIUM_ASSERT(catalog_.count(op.key) == 0);
  NATRIUM_ASSERT(std::holds_alternative<j_catalog>(journal_.back()));
  return 1;
}

void memory_store::rollback() {
  for (auto it = journal_.rbegin(); it != journal_.rend(); ++it) {
    if (auto* a = std::get_if<j_appended>(&*it)) {
      stream_data& sd = streams_.at(a->stream);
      const auto subj = peek_subject(sd.msgs.at(a->seq));
      NATRIUM_ASSERT(subj.has_value());
      auto s = sd.subjects.find(*subj);
      s->second.erase(a->seq);
      if (s->second.empty()) sd.subjects.erase(s);
      sd.msgs.erase(a->seq);
    } else if (auto* r = std::get_if<j_removed>(&*it)) {
      stream_data& sd = streams_.at(r->stream);
      const auto subj = peek_subject(r->record);
      NATRIUM_ASSERT(subj.has_value());
      sd.subjects[std::string(*subj)].insert(r->seq);
      sd.msgs.emplace(r->seq, std::move(r->record));
    } else if (auto* st = std::get_if<j_state>(&*it)) {
      streams_.at(st->stream).st = st->st;
    } else if (auto* c = std::get_if<j_consumer>(&*it)) {
      auto& cons = streams_.at(c->stream).consumers;
      if (c->prev) cons[c->name] = std::move(*c->prev); else cons.erase(c->name);
    } else if (auto* cr = std::get_if<j_created>(&*it)) {
      NATRIUM_ASSERT(streams_.erase(cr->stream) == 1);
    } else if (auto* cat = std::get_if<j_catalog>(&*it)) {
      if (cat->prev) catalog_[cat->key] = std::move(*cat->prev); else catalog_.erase(cat->key);
    } else {
      auto& d = std::get<j_dropped>(*it);
      NATRIUM_ASSERT(streams_.count(d.stream) == 0);
      streams_.emplace(d.stream, std::move(d.data));
    }
  }
  journal_.clear();
  total_bytes_ = batch_total_bytes_;
}

void memory_store::commit() {
  NATRIUM_ASSERT(total_bytes_ <= limits_.bytes_max);
  for (auto& e : journal_) {
    if (auto* r = std::get_if<j_removed>(&e); r != nullptr && r->erase)
      std::fill(r->record.begin(), r->record.end(), '\0');  // erase: overwrite before release
  }
  journal_.clear();
  NATRIUM_ASSERT(journal_.empty());
}

}  // namespace natrium::store

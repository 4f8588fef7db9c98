// consumer: pull requests and the waiting queue (processNextMsgRequest,
// waitQueue, nextWaiting, processWaiting, releaseAnyPendingRequests) of
// nats-server 2.9.10 consumer.go.
#include <utility>

#include "core/base/assert.h"
#include "core/jetstream/consumer_impl.h"
#include "core/jetstream/go_json.h"

namespace natrium::jetstream {

using detail::waiting_request;

// "NATS/1.0 <status>\r\n\r\n" to `reply`, empty payload.
void consumer::impl::send_status(const std::string& reply, std::string_view status) {
  NATRIUM_ASSERT(!status.empty());
  out_msg m;
  m.subject = reply;
  m.headers = "NATS/1.0 ";
  m.headers += status;
  m.headers += "\r\n\r\n";
  host.publish(std::move(m));
}

// A status with Nats-Pending-Messages / Nats-Pending-Bytes headers.
void consumer::impl::send_pending_status(const std::string& reply, std::string_view status, std::int64_t n,
                                         std::int64_t b) {
  NATRIUM_ASSERT(!status.empty());
  out_msg m;
  m.subject = reply;
  m.headers = "NATS/1.0 ";
  m.headers += status;
  m.headers += "\r\nNats-Pending-Messages: ";
  m.headers += std::to_string(n);
  m.headers += "\r\nNats-Pending-Bytes: ";
  m.headers += std::to_string(b);
  m.headers += "\r\n\r\n";
  host.publish(std::move(m));
}

// processNextMsgRequest.
void consumer::impl::on_next_request(std::string_view reply_view, std::string_view payload) {
  if (deleted || reply_view.empty()) return;
  const std::string reply(reply_view);
  if (is_push()) {
    send_status(reply, "409 Consumer is push based");
    return;
  }
  const detail::next_request req = detail::parse_next_request(payload);
  if (!req.error.empty()) {
    send_status(reply, "400 Bad Request - " + req.error);
    return;
  }
  if (cfg.max_batch > 0 && req.batch > cfg.max_batch) {
    send_status(reply, "409 Exceeded MaxRequestBatch of " + std::to_string(cfg.max_batch));
    return;
  }
  if (req.expires_ns != 0 && cfg.max_expires_ns > 0 && req.expires_ns > cfg.max_expires_ns) {
    send_status(reply, "409 Exceeded MaxRequestExpires of " + go_duration_string(cfg.max_expires_ns));
    return;
  }
  if (req.max_bytes > 0 && cfg.max_bytes > 0 && req.max_bytes > cfg.max_bytes) {
    send_status(reply, "409 Exceeded MaxRequestMaxBytes of " + std::to_string(cfg.max_bytes));
    return;
  }
  const auto max_waiting = static_cast<std::size_t>(cfg.max_waiting > 0 ? cfg.max_waiting : 0);
  if (waiting.size() >= max_waiting) process_waiting(false);  // try to expire some
  const base::mono_time n = now();
  if (req.no_wait) {
    const std::uint64_t msgs_pending = cached_pending() + rdq.size();
    if (msgs_pending == 0 && req.expires_ns == 0) {
      waiting_last = n;
      send_status(reply, "404 No Messages");
      return;
    }
    if (msgs_pending > 0 && msgs_pending < static_cast<std::uint64_t>(process_waiting(false).batch_pending)) {
      waiting_last = n;
      send_status(reply, "408 Requests Pending");
      return;
    }
  }
  if (waiting.size() >= max_waiting) {
    send_status(reply, "409 Exceeded MaxWaiting");
    return;
  }
  waiting_request wr;
  wr.reply = reply;
  wr.n = req.batch;
  wr.b = req.max_bytes;
  wr.no_wait = req.no_wait;
  if (req.expires_ns != 0) wr.expires = n + base::duration_ns{req.expires_ns};
  wr.hb_ns = req.heartbeat_ns;
  if (req.heartbeat_ns > 0) wr.hbt = n + base::duration_ns{req.heartbeat_ns};
  wr.received = n;
  waiting.push_back(std::move(wr));
  waiting_last = n;
  NATRIUM_ASSERT(waiting.size() <= max_waiting);
}

// nextWaiting + waitQueue.pop: the reply subject of the request that takes a
// message of `size` bytes, or empty. Requests that cannot take it because of
// max_bytes get 409; expired or uninterested ones leave silently.
std::optional<std::string> consumer::impl::next_waiting(std::size_t size) {
  NATRIUM_ASSERT(is_pull());
  const auto sz = static_cast<std::int64_t>(size);
  const base::mono_time n = now();
  while (!waiting.empty()) {
    waiting_request& wr = waiting.front();
    if (wr.b > 0) {
      if (sz <= wr.b) {
        wr.b -= sz;
        if (wr.b == 0) wr.n = 1;  // deliver this one, then stop
      } else {
        send_pending_status(wr.reply, "409 Message Size Exceeds MaxBytes", wr.n, wr.b);
        waiting.pop_front();
        continue;
      }
    }
    if ((!wr.expires || n < *wr.expires) && host.has_interest(wr.reply)) {
      wr.d += 1;
      wr.n -= 1;
      std::string reply = wr.reply;
      waiting_request taken = std::move(wr);
      waiting.pop_front();
      if (taken.n > 0) {
        if (taken.hb_ns > 0) taken.hbt = n + base::duration_ns{taken.hb_ns};
        waiting.push_back(std::move(taken));  // served round-robin
      }
      return reply;
    }
    waiting.pop_front();
  }
  NATRIUM_ASSERT(waiting.empty());
  return std::nullopt;
}

// processWaiting: expires requests (and, at the end of the stream, no_wait
// requests that got something), drops those without interest, sends pull
// heartbeats; sets waiting_due to the next expiry or heartbeat.
consumer::impl::waiting_scan consumer::impl::process_waiting(bool eos) {
  waiting_scan scan;
  waiting_due.reset();
  if (waiting.empty()) return scan;
  const base::mono_time n = now();
  std::deque<waiting_request> keep;
  for (waiting_request& wr : waiting) {
    if ((eos && wr.no_wait && wr.d > 0) || (wr.expires && n >= *wr.expires)) {
      send_pending_status(wr.reply, "408 Request Timeout", wr.n, wr.b);
      continue;
    }
    if (!host.has_interest(wr.reply)) continue;
    scan.batch_pending += wr.n;
    if (wr.hbt) {
      if (n >= *wr.hbt) {
        send_idle_heartbeat(wr.reply);
        wr.hbt = n + base::duration_ns{wr.hb_ns};
      }
      if (!scan.next_due || *wr.hbt < *scan.next_due) scan.next_due = *wr.hbt;
    }
    if (wr.expires && (!scan.next_due || *wr.expires < *scan.next_due)) scan.next_due = *wr.expires;
    keep.push_back(std::move(wr));
  }
  waiting.swap(keep);
  waiting_due = scan.next_due;
  NATRIUM_ASSERT(waiting.size() <= keep.size());
  return scan;
}

// num_waiting as info reports it (processWaiting(false) without its effects).
std::size_t consumer::impl::count_waiting() const {
  const base::mono_time n = now();
  std::size_t count = 0;
  for (const waiting_request& wr : waiting) {
    if (wr.expires && n >= *wr.expires) continue;
    if (!host.has_interest(wr.reply)) continue;
    ++count;
  }
  NATRIUM_ASSERT(count <= waiting.size());
  return count;
}

// releaseAnyPendingRequests.
void consumer::impl::release_pending_requests() {
  NATRIUM_ASSERT(is_pull());
  for (const waiting_request& wr : waiting) send_status(wr.reply, "409 Consumer Deleted");
  waiting.clear();
  waiting_due.reset();
}

}  // namespace natrium::jetstream

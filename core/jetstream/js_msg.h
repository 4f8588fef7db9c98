#pragma once
// Messages in and out of JetStream inside the node: what a client published to
// a subject JetStream listens on, and what JetStream publishes (API replies,
// PubAcks, pushed and pulled messages, status messages, advisories).
#include <string>
#include <string_view>

namespace natrium::jetstream {

// A message delivered to one of JetStream's internal subscriptions. Views are
// valid only during the call. `headers` is the raw block ("NATS/1.0\r\n...
// \r\n\r\n") or empty.
struct in_msg {
  std::string_view subject;
  std::string_view reply;
  std::string_view headers;
  std::string_view payload;
};

// A message JetStream publishes. The node routes it like a client's publish
// (sublist, queue groups) once the current handler has returned.
struct out_msg {
  std::string subject;
  std::string reply;
  std::string headers;  // raw block or empty
  std::string payload;
  // Consumer deliveries: routed by `subject` (the deliver subject or the pull
  // request's reply) while subscribers see the stored message's subject,
  // given here (nats-server's pa.deliver). Empty: subscribers see `subject`.
  std::string original_subject = {};
};

}  // namespace natrium::jetstream

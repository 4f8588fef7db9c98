#pragma once
// What the world needs from a virtual client, whatever it does: its outgoing
// byte stream, what the node consumed of it, and what the server wrote back.
// sim_client (core pub/sub, checked by the oracle) and js_client (JetStream
// workloads, checked by js_oracle) both are one.
#include <cstddef>
#include <string_view>
#include <vector>

#include "tests/sim/sim_ops.h"

namespace natrium::sim {

class sim_peer {
 public:
  virtual ~sim_peer() = default;
  // INFO seen and CONNECT written; not silent, not closed.
  virtual bool ready() const noexcept = 0;
  // Outgoing stream: what the node has not consumed yet.
  virtual std::string_view unsent() const noexcept = 0;
  // The node consumed n more bytes: the ops whose last byte they hold are
  // processed (in order). Every PUB or HPUB must be reported (the world checks
  // the node's count of them).
  virtual void consumed(std::size_t n, std::vector<client_op>& done) = 0;
  // Incoming stream from the server, in any split; then its end.
  virtual void on_received(std::string_view bytes) = 0;
  virtual void on_eof() = 0;
  // The connection is gone from the client's side (it went away, or the node
  // it talked to crashed).
  virtual void on_gone() noexcept = 0;
  // The node closed it as a slow consumer: an EOF without -ERR is expected.
  virtual void on_dropped() noexcept = 0;
};

}  // namespace natrium::sim

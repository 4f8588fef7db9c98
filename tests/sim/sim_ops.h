#pragma once
// What virtual clients send and receive, as the oracle sees it.
#include <cstdint>
#include <string>

namespace natrium::sim {

// A client's CONNECT options plus its own behaviour in the workload.
struct client_profile {
  bool verbose = false;
  bool pedantic = false;
  bool echo = true;
  bool headers = false;
  bool no_responders = false;
  bool responder = false;  // answers requests it receives
  bool inbox = false;      // subscribes _INBOX.<id>.* at start
};

enum class op_type : std::uint8_t { connect, sub, unsub, pub, ping, pong };

// One protocol op a client wrote, in its stream order. The world hands it to
// the oracle when the node has consumed its last byte (then the node has
// processed it: a bytes_received call runs every complete op it carries).
struct client_op {
  op_type type = op_type::ping;
  std::string sid;       // sub, unsub
  std::string subject;   // sub, pub
  std::string queue;     // sub
  std::string reply;     // pub
  std::string header;    // pub: the header block when sent as HPUB
  std::string payload;   // pub: the payload (without headers)
  bool hpub = false;
  std::int64_t max = 0;  // unsub
  std::uint64_t seq = 0; // pub: the publisher's sequence number
  client_profile profile;  // connect
};

// A MSG or HMSG as a client received it.
struct delivery {
  std::string sid, subject, reply, header, payload;
  bool hmsg = false;
};

// A deliberate mistake in what clients observe, to prove that the oracle
// catches each kind (ctest sim_catches_*). Off in normal runs.
enum class fault_kind : std::uint8_t { none, drop, dup, reorder, misroute };

struct fault_injector {
  fault_kind kind = fault_kind::none;
  int countdown = 40;  // hits the 40th message of the run
  bool fired = false;
};

}  // namespace natrium::sim

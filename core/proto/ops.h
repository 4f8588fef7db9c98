#pragma once
// Operations of the NATS client protocol, as the parser yields them. Every
// string_view points either into the caller's input or into the parser's own
// carry-over buffer; it stays valid until the next call to parser::next().
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace natrium::proto {

enum class op_kind : std::uint8_t {
  info,     // INFO {json}                       (server -> client)
  connect,  // CONNECT {json}                    (client -> server)
  pub,      // PUB subject [reply] size\r\npayload
  hpub,     // HPUB subject [reply] hdr_size total_size\r\nheaders+payload
  sub,      // SUB subject [queue] sid
  unsub,    // UNSUB sid [max]
  ping,
  pong,
  msg,      // MSG subject sid [reply] size\r\npayload       (server -> client)
  hmsg,     // HMSG subject sid [reply] hdr_size total_size  (server -> client)
  ok,       // +OK
  err,      // -ERR 'text'
};

struct op {
  op_kind kind = op_kind::ping;
  std::string_view subject;  // PUB/HPUB/SUB/MSG/HMSG
  std::string_view reply;    // PUB/HPUB/MSG/HMSG, empty when absent
  std::string_view queue;    // SUB, empty when absent
  std::string_view sid;      // SUB/UNSUB/MSG/HMSG
  std::string_view json;     // INFO/CONNECT argument; -ERR text without quotes
  std::string_view payload;  // PUB/HPUB/MSG/HMSG: the whole body, headers included
  std::size_t header_size = 0;  // HPUB/HMSG: bytes of `payload` that are the header block
  std::int64_t max_msgs = 0;    // UNSUB: 0 when absent
};

}  // namespace natrium::proto

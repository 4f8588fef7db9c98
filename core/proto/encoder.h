#pragma once
// Encoders for protocol lines. They append to a caller-owned std::string so the
// server can build output straight into a connection's outbox.
#include <cstdint>
#include <string>
#include <string_view>

namespace natrium::proto {

// "MSG <subject> <sid> [reply] <size>\r\n<payload>\r\n"
void append_msg(std::string& out, std::string_view subject, std::string_view sid, std::string_view reply,
                std::string_view payload);
// "HMSG <subject> <sid> [reply] <hdr_size> <total_size>\r\n<headers+payload>\r\n"
void append_hmsg(std::string& out, std::string_view subject, std::string_view sid, std::string_view reply,
                 std::size_t header_size, std::string_view headers_and_payload);
// Client-side ops (tests, tools, simulator)
void append_pub(std::string& out, std::string_view subject, std::string_view reply, std::string_view payload);
void append_hpub(std::string& out, std::string_view subject, std::string_view reply, std::size_t header_size,
                 std::string_view headers_and_payload);
void append_sub(std::string& out, std::string_view subject, std::string_view queue, std::string_view sid);
void append_unsub(std::string& out, std::string_view sid, std::int64_t max_msgs /*0: none*/);
// "-ERR '<text>'\r\n"
void append_err(std::string& out, std::string_view text);
void append_uint(std::string& out, std::uint64_t v);

inline constexpr std::string_view ping_line = "PING\r\n";
inline constexpr std::string_view pong_line = "PONG\r\n";
inline constexpr std::string_view ok_line = "+OK\r\n";

}  // namespace natrium::proto

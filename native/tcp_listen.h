#pragma once
// What every natrium listener (clients, monitoring, websocket) does the same
// way: open a listening socket, and close its live connections on stop().
// Only for .cpp files that already use Asio (this header includes it).
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

namespace natrium::native {

// Opens, binds (SO_REUSEADDR) and listens `acceptor` on host:port; port 0 (or
// below) takes a free one. The error, if any, is in `ec`.
inline void open_listener(boost::asio::ip::tcp::acceptor& acceptor, const std::string& host, int port,
                          boost::system::error_code& ec) {
  namespace asio = boost::asio;
  using tcp = asio::ip::tcp;
  const auto addr = asio::ip::make_address(host, ec);
  if (ec) return;
  const tcp::endpoint ep(addr, static_cast<unsigned short>(port < 0 ? 0 : port));
  acceptor.open(ep.protocol(), ec);
  if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor.bind(ep, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
}

// The port `acceptor` is bound to, or 0.
inline int bound_port(const boost::asio::ip::tcp::acceptor& acceptor) {
  boost::system::error_code ec;
  const auto ep = acceptor.local_endpoint(ec);
  return ec ? 0 : ep.port();
}

// Calls close() on every connection still alive in `live` (id -> weak_ptr).
// The strong references are taken first: close() may erase from `live`.
template <typename Map>
void close_all(const Map& live) {
  std::vector<std::shared_ptr<typename Map::mapped_type::element_type>> alive;
  for (const auto& [id, weak] : live) {
    if (auto s = weak.lock()) alive.push_back(std::move(s));
  }
  for (auto& s : alive) s->close();
}

}  // namespace natrium::native

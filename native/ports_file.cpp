#include "native/ports_file.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "native/config_text.h"

namespace natrium::native {

namespace {

struct if_address {
  unsigned index;  // interface index: the reference lists interfaces in this order
  int family;      // AF_INET before AF_INET6 within an interface
  std::string text;
};

// Every address of every interface, in the reference's order.
std::vector<if_address> interface_addresses() {
  std::vector<if_address> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (ifaddrs* a = list; a != nullptr; a = a->ifa_next) {
    if (a->ifa_addr == nullptr) continue;
    const int family = a->ifa_addr->sa_family;
    char buf[INET6_ADDRSTRLEN] = {};
    if (family == AF_INET) {
      ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, buf, sizeof buf);
    } else if (family == AF_INET6) {
      ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(a->ifa_addr)->sin6_addr, buf, sizeof buf);
    } else {
      continue;
    }
    out.push_back({::if_nametoindex(a->ifa_name), family, buf});
  }
  ::freeifaddrs(list);
  std::stable_sort(out.begin(), out.end(), [](const if_address& x, const if_address& y) {
    return x.index != y.index ? x.index < y.index : (x.family == AF_INET && y.family == AF_INET6);
  });
  return out;
}

std::string host_port(const std::string& ip, int port) {
  const bool v6 = ip.find(':') != std::string::npos;
  return (v6 ? "[" + ip + "]" : ip) + ":" + std::to_string(port);
}

std::string json_array(const std::vector<std::string>& items) {
  std::string out = "[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out + "]";
}

}  // namespace

std::vector<std::string> listen_urls(const std::string& scheme, const std::string& host, int port) {
  std::vector<std::string> urls;
  if (host.empty() || host == "0.0.0.0" || host == "::" || host == "[::]") {
    for (const auto& a : interface_addresses()) urls.push_back(scheme + "://" + host_port(a.text, port));
  } else {
    std::string ip = host;
    if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
    urls.push_back(scheme + "://" + host_port(ip, port));
  }
  return urls;
}

std::string ports_json(const std::string& host, int client_port, const std::string& http_host, int http_port,
                       const std::string& ws_host, int ws_port) {
  std::string json = "{\"nats\":" + json_array(listen_urls("nats", host, client_port));
  if (http_port > 0) {
    json += ",\"monitoring\":" + json_array(listen_urls("http", http_host.empty() ? host : http_host, http_port));
  }
  if (ws_port > 0) json += ",\"websocket\":" + json_array(listen_urls("ws", ws_host, ws_port));
  return json + "}";
}

std::string ports_file_path(const std::string& dir, const std::string& program, long pid) {
  return conf::join_path(dir, program + "_" + std::to_string(pid) + ".ports");
}

base::result<bool> write_ports_file(const std::string& path, const std::string& json) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return base::error{"Error writing ports file (" + path + "): open " + path + ": " + std::strerror(errno)};
  }
  const bool ok = std::fwrite(json.data(), 1, json.size(), f) == json.size();
  const int err = errno;
  if (std::fclose(f) != 0 || !ok) {
    return base::error{"Error writing ports file (" + path + "): " + std::strerror(ok ? errno : err)};
  }
  return true;
}

}  // namespace natrium::native

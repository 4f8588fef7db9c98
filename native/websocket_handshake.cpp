#include "native/websocket_handshake.h"

#include <cctype>

namespace natrium::native {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Calls f on each `sep`-separated part of s (strings.Split: empty parts too).
template <typename F>
bool any_part(std::string_view s, char sep, F&& f) {
  while (true) {
    const auto at = s.find(sep);
    if (f(s.substr(0, at))) return true;
    if (at == std::string_view::npos) return false;
    s.remove_prefix(at + 1);
  }
}

struct parsed_url {
  std::string scheme;  // lower case
  std::string host;    // host[:port] as written
};

// url.ParseRequestURI, as far as an Origin needs it: "scheme://authority[/...]".
// Errors read as Go's: parse "x": invalid URI for request.
bool parse_origin_url(std::string_view text, parsed_url& out, std::string& error) {
  error = "parse \"" + std::string(text) + "\": invalid URI for request";
  std::size_t i = 0;
  while (i < text.size() && (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '+' ||
                             text[i] == '-' || text[i] == '.')) {
    if (i == 0 && !std::isalpha(static_cast<unsigned char>(text[i]))) break;
    ++i;
  }
  if (i == 0 || i >= text.size() || text[i] != ':') {
    if (!text.empty() && text.front() == '/') {  // a bare path: no host
      out = {};
      return true;
    }
    if (i == 0 && !text.empty() && text[0] == ':') error = "parse \"" + std::string(text) + "\": missing protocol scheme";
    return false;
  }
  out.scheme = lower(text.substr(0, i));
  std::string_view rest = text.substr(i + 1);
  if (!rest.starts_with("//")) return rest.starts_with("/") ? (out.host.clear(), true) : false;
  rest.remove_prefix(2);
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) authority.remove_prefix(at + 1);
  out.host = std::string(authority);
  error.clear();
  return true;
}

// wsGetHostAndPort: net.SplitHostPort, with the scheme's port when missing.
bool host_and_port(bool tls, std::string_view hostport, std::string& host, std::string& port, std::string& error) {
  std::string_view h;
  std::string_view p;
  bool missing_port = false;
  if (!hostport.empty() && hostport.front() == '[') {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) {
      error = "address " + std::string(hostport) + ": missing ']' in address";
      return false;
    }
    h = hostport.substr(1, close - 1);
    std::string_view after = hostport.substr(close + 1);
    if (after.empty()) {
      missing_port = true;
    } else if (after.front() != ':') {
      error = "address " + std::string(hostport) + ": missing port in address";
      return false;
    } else {
      p = after.substr(1);
    }
  } else {
    const auto colon = hostport.rfind(':');
    if (colon == std::string_view::npos) {
      missing_port = true;
      h = hostport;
    } else if (hostport.find(':') != colon) {
      error = "address " + std::string(hostport) + ": too many colons in address";
      return false;
    } else {
      h = hostport.substr(0, colon);
      p = hostport.substr(colon + 1);
    }
  }
  host = lower(missing_port ? (hostport.front() == '[' ? h : hostport) : h);
  port = missing_port ? (tls ? "443" : "80") : std::string(p);
  return true;
}

}  // namespace

origin_policy::origin_policy(bool same_origin, const std::vector<std::string>& allowed, std::vector<std::string>* errors)
    : same_origin_(same_origin) {
  for (const auto& text : allowed) {
    parsed_url u;
    std::string error;
    allowed_origin ao;
    if (!parse_origin_url(text, u, error) ||
        !host_and_port(u.scheme == "https", u.host, ao.host, ao.port, error)) {
      if (errors != nullptr) errors->push_back("error parsing allowed origin: " + error);
      continue;
    }
    ao.scheme = u.scheme;
    std::erase_if(allowed_, [&ao](const allowed_origin& a) { return a.host == ao.host; });
    allowed_.push_back(std::move(ao));
  }
}

std::optional<std::string> origin_policy::check(std::string_view origin, std::string_view request_host) const {
  if (!same_origin_ && allowed_.empty()) return std::nullopt;
  if (origin.empty()) return std::nullopt;  // a dedicated client, not a web page: RFC 6455 1.6
  parsed_url u;
  std::string error;
  if (!parse_origin_url(origin, u, error)) return error;
  std::string oh;
  std::string op;
  if (!host_and_port(u.scheme == "https", u.host, oh, op, error)) return error;
  if (same_origin_) {
    std::string rh;
    std::string rp;
    if (!host_and_port(false, request_host, rh, rp, error)) return error;  // no TLS on this listener
    if (oh != rh || op != rp) return std::string("not same origin");
  }
  if (!allowed_.empty()) {
    for (const auto& a : allowed_) {
      if (a.host == oh) {
        if (u.scheme != a.scheme || op != a.port) break;
        return std::nullopt;
      }
    }
    return std::string("not in the allowed list");
  }
  return std::nullopt;
}

bool header_contains(const std::vector<std::string_view>& values, std::string_view token) {
  for (auto v : values) {
    if (any_part(v, ',', [token](std::string_view t) { return iequals(trim(t), token); })) return true;
  }
  return false;
}

namespace {

// wsPMCExtensionSupport(header, true): permessage-deflate among the offers.
bool offers_deflate(const std::vector<std::string_view>& extensions) {
  for (auto list : extensions) {
    const bool found = any_part(list, ',', [](std::string_view ext) {
      return any_part(trim(ext), ';', [](std::string_view p) { return iequals(trim(p), "permessage-deflate"); });
    });
    if (found) return true;
  }
  return false;
}

upgrade_decision refuse(int status, std::string reason) {
  upgrade_decision d;
  d.refusal = upgrade_refusal{status, std::move(reason)};
  return d;
}

}  // namespace

upgrade_decision check_upgrade(const upgrade_request& req, const origin_policy& origins, bool compression_enabled) {
  if (req.method != "GET") return refuse(405, "request method must be GET");
  if (req.host.empty()) return refuse(400, "'Host' missing in request");
  if (!header_contains(req.upgrade, "websocket")) return refuse(400, "invalid value for header 'Upgrade'");
  if (!header_contains(req.connection, "Upgrade")) return refuse(400, "invalid value for header 'Connection'");
  if (req.key.empty()) return refuse(400, "key missing");
  if (!header_contains(req.version, "13")) return refuse(400, "invalid version");
  if (auto why = origins.check(req.origin, req.host)) return refuse(403, "origin not allowed: " + *why);
  upgrade_decision d;
  const std::string_view path = req.target.substr(0, req.target.find('?'));
  if (path.starts_with("/leafnode")) d.kind = upgrade_kind::leafnode;
  if (path.starts_with("/mqtt")) d.kind = upgrade_kind::mqtt;
  d.compress = compression_enabled && offers_deflate(req.extensions);
  return d;
}

int close_status_for(std::string_view reason) {
  if (reason == "Client Closed") return 1000;
  if (reason.starts_with("Slow Consumer") || reason == "Maximum Connections Exceeded" ||
      reason == "Maximum Control Line Exceeded" || reason == "Maximum Subscriptions Exceeded" ||
      reason.starts_with("Authentication")) {
    return 1008;
  }
  if (reason == "Parse Error" || reason == "Protocol Violation" || reason == "Bad Client Protocol Version") return 1002;
  if (reason == "Maximum Message Payload Exceeded") return 1009;
  if (reason == "Server Shutdown") return 1001;
  // The reference sends 1006 for a stale connection, a code RFC 6455 7.4.1
  // forbids on the wire (clients fail on it): "going away" says the same.
  if (reason == "Stale Connection") return 1001;
  return 1011;
}

}  // namespace natrium::native

// Minimal NATS client connection for the load generator: plain blocking POSIX
// sockets, one big receive buffer and a hand-written MSG/HMSG parser.
// Deliberately independent of the natrium core so it can measure any server.
#pragma once

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

using Clock = std::chrono::steady_clock;

struct Error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

inline std::string errno_str(const std::string& what) {
  return what + ": " + std::strerror(errno);
}

// One delivered message. For HMSG the header block is in headers; payload is the body.
struct Msg {
  std::string_view subject, sid, reply, headers;
  const char* payload = nullptr;
  size_t len = 0;
};

inline const char* kConnect =
    "CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,"
    "\"no_responders\":true,\"protocol\":1,\"name\":\"natrium_bench\","
    "\"lang\":\"c++\",\"version\":\"0.1\"}\r\n";

class Conn {
 public:
  Conn() = default;
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;
  ~Conn() {
    if (fd_ >= 0) ::close(fd_);
  }

  // Connects, reads INFO, sends CONNECT and waits for the PONG of a PING.
  void open(const std::string& host, int port, int timeout_ms) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string ps = std::to_string(port);
    if (int rc = ::getaddrinfo(host.c_str(), ps.c_str(), &hints, &res); rc != 0)
      throw Error("getaddrinfo " + host + ": " + gai_strerror(rc));
    int fd = -1;
    for (addrinfo* a = res; a; a = a->ai_next) {
      fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
      if (fd < 0) continue;
      if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) break;
      ::close(fd);
      fd = -1;
    }
    ::freeaddrinfo(res);
    if (fd < 0) throw Error(errno_str("connect " + host + ":" + ps));
    fd_ = fd;
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // Bound every blocking write so a stalled server cannot hang the bench.
    timeval tv{};
    tv.tv_sec = timeout_ms / 1000;
    tv.tv_usec = (timeout_ms % 1000) * 1000;
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);

    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (!info_seen_) {
      wait_fill(deadline, "INFO");
      drain([](const Msg&) {});
    }
    write_all(kConnect, std::strlen(kConnect));
    flush([](const Msg&) { throw Error("unexpected MSG during handshake"); }, timeout_ms);
  }

  int fd() const { return fd_; }
  uint64_t pongs() const { return pongs_; }

  void write_all(const char* p, size_t n) {
    while (n > 0) {
      ssize_t w = ::send(fd_, p, n, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) throw Error("write timed out (server not reading)");
        throw Error(errno_str("write"));
      }
      p += w;
      n -= static_cast<size_t>(w);
    }
  }
  void write_all(std::string_view s) { write_all(s.data(), s.size()); }

  // One read() into the free tail of the buffer; call when poll() said readable.
  // Throws on EOF or error.
  void read_some() {
    if (rpos_ > 0) {  // compact: keep the unparsed tail at the front
      std::memmove(buf_.data(), buf_.data() + rpos_, rlen_ - rpos_);
      rlen_ -= rpos_;
      rpos_ = 0;
    }
    if (buf_.size() - rlen_ < (64u << 10)) buf_.resize(buf_.size() * 2);
    for (;;) {
      ssize_t r = ::recv(fd_, buf_.data() + rlen_, buf_.size() - rlen_, 0);
      if (r > 0) {
        rlen_ += static_cast<size_t>(r);
        bytes_in_ += static_cast<uint64_t>(r);
        return;
      }
      if (r == 0) throw Error("connection closed by server" + last_err_suffix());
      if (errno == EINTR) continue;
      throw Error(errno_str("read") + last_err_suffix());
    }
  }

  // poll() for up to timeout_ms, then read_some(). Returns false on timeout.
  bool fill(int timeout_ms) {
    pollfd p{fd_, POLLIN, 0};
    int rc = ::poll(&p, 1, timeout_ms);
    if (rc < 0) {
      if (errno == EINTR) return false;
      throw Error(errno_str("poll"));
    }
    if (rc == 0) return false;
    read_some();
    return true;
  }

  void wait_fill(Clock::time_point deadline, const char* what) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0 || !fill(static_cast<int>(left)))
      throw Error(std::string("timed out waiting for ") + what);
  }

  // Parses every complete protocol message in the buffer, calling on_msg for
  // MSG/HMSG. Answers server PINGs, counts PONGs, throws on -ERR.
  // Returns the number of messages delivered.
  template <class OnMsg>
  size_t drain(OnMsg&& on_msg) {
    const char* b = buf_.data();
    size_t p = rpos_;
    size_t n = 0;
    while (p < rlen_) {
      const char* s = b + p;
      size_t avail = rlen_ - p;
      const char* nl = static_cast<const char*>(std::memchr(s, '\n', avail));
      if (!nl) {
        if (avail > (64u << 10)) throw Error("protocol line too long");
        break;
      }
      size_t linelen = static_cast<size_t>(nl - s) + 1;
      size_t cl = linelen - 1;
      if (cl > 0 && s[cl - 1] == '\r') --cl;
      std::string_view line(s, cl);
      if (line.size() > 4 && (line.compare(0, 4, "MSG ") == 0 || line.compare(0, 5, "HMSG ") == 0)) {
        bool hmsg = line[0] == 'H';
        std::string_view tok[6];
        size_t nt = split(line.substr(hmsg ? 5 : 4), tok, 6);
        Msg m;
        size_t hdr = 0, total = 0;
        if (!hmsg && (nt == 3 || nt == 4)) {
          total = to_num(tok[nt - 1]);
        } else if (hmsg && (nt == 4 || nt == 5)) {
          hdr = to_num(tok[nt - 2]);
          total = to_num(tok[nt - 1]);
          if (hdr > total) throw Error("bad HMSG sizes: " + std::string(line));
        } else {
          throw Error("bad message line: " + std::string(line));
        }
        if (avail < linelen + total + 2) break;  // body not complete yet
        m.subject = tok[0];
        m.sid = tok[1];
        if (nt == (hmsg ? 5u : 4u)) m.reply = tok[2];
        m.headers = std::string_view(s + linelen, hdr);
        m.payload = s + linelen + hdr;
        m.len = total - hdr;
        on_msg(m);
        ++n;
        p += linelen + total + 2;
        continue;
      }
      p += linelen;
      if (line == "PING") {
        write_all("PONG\r\n", 6);
      } else if (line == "PONG") {
        ++pongs_;
      } else if (line.compare(0, 4, "INFO") == 0) {
        info_seen_ = true;
      } else if (line == "+OK") {
      } else if (line.compare(0, 4, "-ERR") == 0) {
        last_err_ = std::string(line);
        rpos_ = p;
        throw Error("server error: " + last_err_);
      } else if (!line.empty()) {
        throw Error("unexpected protocol line: " + std::string(line.substr(0, 80)));
      }
    }
    rpos_ = p;
    if (rpos_ == rlen_) rpos_ = rlen_ = 0;
    return n;
  }

  // Sends PING and reads (dispatching MSGs) until the matching PONG.
  template <class OnMsg>
  void flush(OnMsg&& on_msg, int timeout_ms) {
    uint64_t want = pongs_ + 1;
    write_all("PING\r\n", 6);
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    drain(on_msg);
    while (pongs_ < want) {
      wait_fill(deadline, "PONG");
      drain(on_msg);
    }
  }

 private:
  static size_t split(std::string_view s, std::string_view* out, size_t max) {
    size_t n = 0, i = 0;
    while (i < s.size()) {
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
      if (i >= s.size()) break;
      size_t j = i;
      while (j < s.size() && s[j] != ' ' && s[j] != '\t') ++j;
      if (n == max) return max + 1;
      out[n++] = s.substr(i, j - i);
      i = j;
    }
    return n;
  }
  static size_t to_num(std::string_view s) {
    if (s.empty() || s.size() > 12) throw Error("bad size field: " + std::string(s));
    size_t v = 0;
    for (char c : s) {
      if (c < '0' || c > '9') throw Error("bad size field: " + std::string(s));
      v = v * 10 + static_cast<size_t>(c - '0');
    }
    return v;
  }
  std::string last_err_suffix() const { return last_err_.empty() ? "" : " (" + last_err_ + ")"; }

  int fd_ = -1;
  std::vector<char> buf_ = std::vector<char>(4u << 20);
  size_t rpos_ = 0, rlen_ = 0;
  uint64_t pongs_ = 0, bytes_in_ = 0;
  bool info_seen_ = false;
  std::string last_err_;
};

}  // namespace bench

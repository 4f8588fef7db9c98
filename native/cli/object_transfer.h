#pragma once
// The pieces of moving object bytes: SHA-256 (OpenSSL), NUIDs, digests as the
// clients write them, JetStream publish acknowledgements, and a publisher that
// keeps a window of chunks in flight and checks every acknowledgement.
#include <nats/nats.h>

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace natrium::cli {

class context;

class sha256 {
 public:
  sha256();
  ~sha256();
  sha256(const sha256&) = delete;
  sha256& operator=(const sha256&) = delete;
  void update(const std::string& bytes);
  // The 32-byte digest; call once.
  std::string finish();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// A fresh NUID (22 characters), the id nats.js and nats.go give an object's chunks.
std::string new_nuid();

// The 32 digest bytes of "SHA-256=<base64 or base64url, padded or not>" (or
// 64 hex digits); throws cli_error naming `object` otherwise.
std::string parse_digest(const std::string& digest, const std::string& object);

// The stream sequence in a publish acknowledgement; throws cli_error for an
// error reply, a no-responders status or a reply that is not an ack.
std::uint64_t parse_pub_ack(natsMsg* reply, const std::string& subject);

struct chunk_result {
  std::uint64_t size = 0;
  std::uint64_t chunks = 0;
  std::string sha256;  // 32 bytes
};

// Publishes a file in chunks on one subject, `window` unacknowledged at most.
class chunk_publisher {
 public:
  chunk_publisher(context& ctx, std::string subject, int window = 32);
  ~chunk_publisher();
  chunk_publisher(const chunk_publisher&) = delete;
  chunk_publisher& operator=(const chunk_publisher&) = delete;
  // Reads `in` to its end in `chunk_size` pieces; returns once every chunk is acknowledged.
  chunk_result publish_all(std::FILE* in, std::size_t chunk_size);

 private:
  void await_ack();

  context& ctx_;
  std::string subject_, inbox_;
  natsSubscription* sub_ = nullptr;
  int window_;
  int in_flight_ = 0;
};

}  // namespace natrium::cli

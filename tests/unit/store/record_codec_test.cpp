#include <catch2/catch.hpp>

#include "core/store/record_codec.h"

using namespace natrium::store;

TEST_CASE("crc32c: known vectors", "[store][codec]") {
  CHECK(crc32c("") == 0u);
  CHECK(crc32c("123456789") == 0xE3069283u);
  CHECK(crc32c(std::string(32, '\0')) == 0x8A9136AAu);
}

TEST_CASE("record codec: message round trip and corruption", "[store][codec]") {
  const stored_msg m{42, -7, "orders.new", "NATS/1.0\r\n\r\n", std::string("pay\0load", 8)};
  const std::string rec = encode_message(m);
  CHECK(rec.size() == message_fixed_len + 10 + 12 + 8);
  CHECK(decode_message(rec).value() == m);
  CHECK(peek_subject(rec).value() == "orders.new");
  CHECK(peek_timestamp(rec).value() == -7);
  for (std::size_t i = 0; i < rec.size(); ++i) {
    std::string bad = rec;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    CHECK_FALSE(decode_message(bad).ok());
  }
  for (std::size_t n = 0; n < rec.size(); ++n) CHECK_FALSE(decode_message(rec.substr(0, n)).ok());
  CHECK_FALSE(decode_message(rec + "x").ok());
  CHECK_FALSE(decode_consumer(rec).ok());  // wrong kind
}

TEST_CASE("record codec: consumer and stream records", "[store][codec]") {
  consumer_state c;
  c.delivered_consumer_seq = 1;
  c.delivered_stream_seq = 2;
  c.ack_floor_consumer_seq = 3;
  c.ack_floor_stream_seq = 4;
  c.pending = {{10, {5, 99}}, {11, {6, -1}}};
  c.redelivered = {{10, 3}};
  const std::string rc = encode_consumer(c);
  CHECK(decode_consumer(rc).value() == c);
  std::string bad = rc;
  bad[20] = static_cast<char>(bad[20] ^ 0x10);
  CHECK_FALSE(decode_consumer(bad).ok());
  CHECK_FALSE(decode_consumer(rc.substr(0, rc.size() - 1)).ok());

  stream_state s;
  s.msgs = 3;
  s.bytes = 100;
  s.first_seq = 5;
  s.last_seq = 9;
  s.first_ts_ns = 11;
  s.last_ts_ns = 12;
  s.num_subjects = 2;
  const auto d = decode_stream_state(encode_stream_state(s));
  REQUIRE(d.ok());
  CHECK(d.value().num_deleted == 2);
  s.num_deleted = 2;
  CHECK(d.value() == s);
}

TEST_CASE("crc32c: every implementation agrees at every length and alignment", "[store][codec]") {
  std::string buf(300, '\0');
  for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<char>((i * 131 + 7) & 0xFF);
  CHECK(crc32c_portable("123456789") == 0xE3069283u);
  for (std::size_t off = 0; off < 9; ++off)
    for (std::size_t len = 0; off + len <= buf.size(); len += 1 + len / 8) {
      const std::string_view d = std::string_view(buf).substr(off, len);
      INFO("off " << off << " len " << len);
      REQUIRE(crc32c(d) == crc32c_portable(d));
      REQUIRE(crc32c(d.substr(len / 2), crc32c(d.substr(0, len / 2))) == crc32c(d));  // chaining
    }
}

TEST_CASE("record codec: message metadata without copies", "[store][codec]") {
  const stored_msg m{42, -7, "orders.new", "NATS/1.0\r\n\r\n", std::string("pay\0load", 8)};
  const std::string rec = encode_message(m);
  for (const bool verify : {true, false}) {
    const auto mm = decode_message_meta(rec, verify);
    REQUIRE(mm.ok());
    CHECK(mm.value().seq == 42);
    CHECK(mm.value().timestamp_ns == -7);
    CHECK(mm.value().subject == "orders.new");
    CHECK(mm.value().subject.data() == rec.data() + message_fixed_len);  // a view, not a copy
    CHECK(mm.value().headers_len == 12);
    CHECK(mm.value().payload_len == 8);
  }
  std::string bad_payload = rec;
  bad_payload.back() = 'X';
  CHECK_FALSE(decode_message_meta(bad_payload, true).ok());
  CHECK(decode_message_meta(bad_payload, false).ok());  // structure only
  for (std::size_t n = 0; n < rec.size(); ++n) {
    CHECK_FALSE(decode_message_meta(rec.substr(0, n), false).ok());
    CHECK_FALSE(decode_message_meta(rec.substr(0, n), true).ok());
  }
  CHECK_FALSE(decode_message_meta(rec + "x", false).ok());
  std::string bad_kind = rec;
  bad_kind[0] = static_cast<char>(record_kind::consumer);
  CHECK_FALSE(decode_message_meta(bad_kind, false).ok());
}

TEST_CASE("record codec: catalog records", "[store][codec]") {
  const std::string value = std::string("{\"name\":\"ORDERS\"}\0\xff", 19);
  const std::string rec = encode_catalog("streams/ORDERS", value);
  CHECK(decode_catalog(rec, "streams/ORDERS").value() == value);
  CHECK(decode_catalog(encode_catalog("k", ""), "k").value().empty());
  const auto misplaced = decode_catalog(rec, "streams/OTHER");
  REQUIRE_FALSE(misplaced.ok());
  CHECK(misplaced.err().text.find("key mismatch") != std::string::npos);
  for (std::size_t i = 0; i < rec.size(); ++i) {
    std::string bad = rec;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    CHECK_FALSE(decode_catalog(bad, "streams/ORDERS").ok());
  }
  for (std::size_t n = 0; n < rec.size(); ++n) CHECK_FALSE(decode_catalog(rec.substr(0, n), "streams/ORDERS").ok());
  CHECK_FALSE(decode_message(rec).ok());  // wrong kind
}

"""A small NATS client over a raw socket for the process tests: CONNECT, PUB,
HPUB, SUB, PING, and a reader thread that parses MSG/HMSG and hands each
message to its subscription's callback. Standard library only.

Callbacks run on the reader thread, one at a time, in the order the server
sent the messages. `closed` is set once the server closes the connection
(or is killed); sends after that raise ConnectionError.
"""
import itertools
import json
import socket
import threading
import time
import traceback


class Msg:
    __slots__ = ("subject", "reply", "headers", "payload")

    def __init__(self, subject, reply, headers, payload):
        self.subject = subject
        self.reply = reply
        self.headers = headers  # the raw header block (bytes) or None
        self.payload = payload

    def header(self, name):
        """The value of header `name` (str) or None."""
        if not self.headers:
            return None
        want = name.lower().encode()
        for line in self.headers.split(b"\r\n")[1:]:
            k, sep, v = line.partition(b":")
            if sep and k.strip().lower() == want:
                return v.strip().decode()
        return None

    def status(self):
        """The status code of a status message ("NATS/1.0 408 ...") or None."""
        if not self.headers:
            return None
        first = self.headers.split(b"\r\n", 1)[0].split()
        return int(first[1]) if len(first) >= 2 and first[1].isdigit() else None


def msg_id_header(msg_id):
    return b"NATS/1.0\r\nNats-Msg-Id: " + msg_id.encode() + b"\r\n\r\n"


class Client:
    _names = itertools.count(1)

    def __init__(self, port, name=None, timeout=5):
        self.name = name or "c%d" % next(Client._names)
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.send_lock = threading.Lock()
        self.subs = {}
        self.next_sid = itertools.count(1)
        self.pongs = []
        self.pong_lock = threading.Lock()
        self.errors = []
        self.closed = threading.Event()
        self.buf = bytearray()
        # INFO, then CONNECT + PING answered by PONG, synchronously.
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before INFO")
            self.buf += chunk
        line, _, rest = bytes(self.buf).partition(b"\r\n")
        if not line.startswith(b"INFO "):
            raise ConnectionError("expected INFO, got %r" % line[:80])
        self.info = json.loads(line[5:])
        self.buf = bytearray(rest)
        connect = {"verbose": False, "pedantic": False, "headers": True, "no_responders": True,
                   "protocol": 1, "name": self.name, "lang": "python-wire", "version": "0"}
        self.sock.sendall(b"CONNECT " + json.dumps(connect).encode() + b"\r\nPING\r\n")
        while b"PONG\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before PONG")
            self.buf += chunk
            if b"-ERR" in self.buf:
                raise ConnectionError(bytes(self.buf).decode(errors="replace"))
        self.buf = bytearray(bytes(self.buf).split(b"PONG\r\n", 1)[1])
        self.sock.settimeout(None)
        self.inbox_prefix = "_INBOX.%s.%x" % (self.name, id(self) & 0xFFFFFF)
        self.requests = {}
        self.req_ids = itertools.count(1)
        self.req_lock = threading.Lock()
        self.reader = threading.Thread(target=self._read_loop, daemon=True)
        self.reader.start()
        self.subscribe(self.inbox_prefix + ".*", self._on_reply)

    # --- sending -----------------------------------------------------------

    def send(self, data):
        if self.closed.is_set():
            raise ConnectionError("connection closed")
        with self.send_lock:
            try:
                self.sock.sendall(data)
            except OSError as e:
                self.closed.set()
                raise ConnectionError(str(e)) from e

    @staticmethod
    def pub_bytes(subject, payload=b"", reply=None, headers=None):
        r = (" " + reply) if reply else ""
        if headers is None:
            return b"PUB %s%s %d\r\n%s\r\n" % (subject.encode(), r.encode(), len(payload), payload)
        return b"HPUB %s%s %d %d\r\n%s%s\r\n" % (subject.encode(), r.encode(), len(headers),
                                                 len(headers) + len(payload), headers, payload)

    def publish(self, subject, payload=b"", reply=None, headers=None):
        self.send(self.pub_bytes(subject, payload, reply, headers))

    def subscribe(self, subject, callback, queue=None):
        sid = next(self.next_sid)
        self.subs[sid] = callback
        q = (" " + queue) if queue else ""
        self.send(b"SUB %s%s %d\r\n" % (subject.encode(), q.encode(), sid))
        return sid

    def unsubscribe(self, sid):
        self.subs.pop(sid, None)
        self.send(b"UNSUB %d\r\n" % sid)

    def flush(self, timeout=10):
        ev = threading.Event()
        with self.pong_lock:
            self.pongs.append(ev)
        self.send(b"PING\r\n")
        if not ev.wait(timeout):
            raise TimeoutError("no PONG within %ss" % timeout)

    def close(self):
        self.closed.set()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()

    # --- requests ----------------------------------------------------------

    def new_inbox(self):
        return "%s.%d" % (self.inbox_prefix, next(self.req_ids))

    def _on_reply(self, m):
        with self.req_lock:
            slot = self.requests.pop(m.subject, None)
        if slot is not None:
            slot[1] = m
            slot[0].set()

    def request(self, subject, payload=b"", timeout=5, headers=None):
        """The reply Msg, or raises TimeoutError."""
        inbox = self.new_inbox()
        slot = [threading.Event(), None]
        with self.req_lock:
            self.requests[inbox] = slot
        self.publish(subject, payload, inbox, headers)
        if not slot[0].wait(timeout):
            with self.req_lock:
                self.requests.pop(inbox, None)
            raise TimeoutError("no reply to %s within %ss" % (subject, timeout))
        return slot[1]

    def request_json(self, subject, body=None, timeout=5):
        payload = b"" if body is None else json.dumps(body).encode()
        m = self.request(subject, payload, timeout)
        if m.status() is not None:
            raise AssertionError("status %d from %s" % (m.status(), subject))
        return json.loads(m.payload)

    # --- reading -----------------------------------------------------------

    def _read_loop(self):
        try:
            while True:
                chunk = self.sock.recv(1 << 20)
                if not chunk:
                    break
                self.buf += chunk
                self._parse()
        except OSError:
            pass
        finally:
            self.closed.set()
            with self.pong_lock:
                for ev in self.pongs:
                    ev.set()  # wake waiters; they see `closed`

    def _parse(self):
        buf = self.buf
        pos = 0
        n = len(buf)
        while pos < n:
            eol = buf.find(b"\r\n", pos)
            if eol < 0:
                break
            line = bytes(buf[pos:eol])
            if line.startswith(b"MSG ") or line.startswith(b"HMSG "):
                parts = line.split()
                hmsg = parts[0] == b"HMSG"
                total = int(parts[-1])
                end = eol + 2 + total
                if end + 2 > n:
                    break
                body = bytes(buf[eol + 2:end])
                subject = parts[1].decode()
                sid = int(parts[2])
                if hmsg:
                    hlen = int(parts[-2])
                    reply = parts[3].decode() if len(parts) == 6 else None
                    m = Msg(subject, reply, body[:hlen], body[hlen:])
                else:
                    reply = parts[3].decode() if len(parts) == 5 else None
                    m = Msg(subject, reply, None, body)
                pos = end + 2
                cb = self.subs.get(sid)
                if cb is not None:
                    try:
                        cb(m)
                    except ConnectionError:
                        raise
                    except Exception as e:  # a test bug: keep reading, keep the evidence
                        traceback.print_exc()
                        self.errors.append("callback for %s: %r" % (subject, e))
            elif line == b"PING":
                pos = eol + 2
                self.send(b"PONG\r\n")
            elif line == b"PONG":
                pos = eol + 2
                with self.pong_lock:
                    if self.pongs:
                        self.pongs.pop(0).set()
            elif line.startswith(b"-ERR"):
                pos = eol + 2
                self.errors.append(line.decode(errors="replace"))
            else:  # +OK, INFO
                pos = eol + 2
        del buf[:pos]


def wait_for(pred, timeout, step=0.01):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return True
        time.sleep(step)
    return pred()

#!/usr/bin/env python3
"""Crash tests of natrium-server's JetStream file store: SIGKILL the server
while clients publish asynchronously and while they ack, restart it on the
same store directory, and check that everything the server acknowledged
(a PubAck, an empty ack reply) survived; flip a byte of a stored message and
check that the server reports it instead of serving it.

Usage: jetstream_crash_test.py PATH/TO/natrium-server   (standard library only)
The kill points come from a seed: NATRIUM_CRASH_SEED=<n> repeats a run; without
it the seed is random and printed. Every server runs on a free loopback port
with its store in a temp dir on disk, and is stopped by PID.
"""
import base64
import json
import os
import random
import re
import signal
import sys
import tempfile
import threading
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from natrium_process import ServerProcess
from nats_wire import Client, msg_id_header, wait_for

SERVER = None
SEED = None
NS = 1_000_000_000


class JetStreamServer:
    """natrium-server -js on one store directory, started again after each crash."""

    def __init__(self, root):
        self.root = root
        self.store = os.path.join(root, "store")
        self.starts = 0
        self.proc = None

    def start(self):
        self.starts += 1
        log = os.path.join(self.root, "server-%d.log" % self.starts)
        self.proc = ServerProcess(SERVER, ["-a", "127.0.0.1", "-p", "-1", "-l", log, "-js", "-sd", self.store], log)
        return self.proc

    @property
    def port(self):
        return self.proc.port

    def kill(self):
        """SIGKILL: no chance to flush anything."""
        self.proc.proc.send_signal(signal.SIGKILL)
        self.proc.proc.wait(timeout=10)
        self.proc.stop()

    def stop(self):
        return self.proc.stop(signal.SIGTERM)

    def data_file(self):
        return os.path.join(self.store, "jetstream", "natrium", "data.mdb")


def create_stream(c, name, subjects, **extra):
    cfg = {"name": name, "subjects": subjects, "storage": "file"}
    cfg.update(extra)
    r = c.request_json("$JS.API.STREAM.CREATE." + name, cfg)
    assert "error" not in r, r
    return r


def stream_state(c, name):
    r = c.request_json("$JS.API.STREAM.INFO." + name)
    assert "error" not in r, r
    return r["state"]


class AsyncPublisher:
    """Publishes with Nats-Msg-Id and up to `window` PubAcks outstanding, on
    its own connection, until stopped, `limit` messages went out, or the
    server dies. `acked[msg_id] = seq` for every PubAck received."""

    def __init__(self, port, name, subject, rng, window, sent, acked, errors, limit=None, payload_len=(8, 400)):
        self.c = Client(port, name)
        self.name = name
        self.subject = subject
        self.rng = rng
        self.window = threading.Semaphore(window)
        self.sent = sent
        self.acked = acked
        self.errors = errors
        self.limit = limit
        self.payload_len = payload_len
        self.ids = {}  # reply token -> msg id
        self.stop = threading.Event()
        self.count = 0
        self.lock = threading.Lock()
        self.c.subscribe("ACK.%s.*" % name, self.on_ack)
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def on_ack(self, m):
        token = m.subject.rsplit(".", 1)[1]
        with self.lock:
            msg_id = self.ids.pop(token, None)
        if msg_id is None:
            self.errors.append("%s: unexpected PubAck on %s" % (self.name, m.subject))
            return
        try:
            r = json.loads(m.payload)
        except ValueError:
            self.errors.append("%s: bad PubAck %r (status %r)" % (self.name, m.payload, m.headers))
            return
        if "error" in r or "seq" not in r:
            self.errors.append("%s: PubAck error for %s: %r" % (self.name, msg_id, r))
        else:
            self.acked[msg_id] = r["seq"]
        self.window.release()

    def run(self):
        try:
            while not self.stop.is_set() and not self.c.closed.is_set():
                if self.limit is not None and self.count >= self.limit:
                    return
                if not self.window.acquire(timeout=0.05):
                    continue
                n = 1
                while n < 32 and self.window.acquire(blocking=False):
                    n += 1
                if self.limit is not None:
                    extra = max(0, self.count + n - self.limit)
                    for _ in range(extra):
                        self.window.release()
                    n -= extra
                out = []
                for _ in range(n):
                    self.count += 1
                    msg_id = "%s-%d" % (self.name, self.count)
                    body = (msg_id + "|").encode() + self.rng.randbytes(self.rng.randint(*self.payload_len))
                    self.sent[msg_id] = body
                    with self.lock:
                        self.ids[str(self.count)] = msg_id
                    out.append(Client.pub_bytes(self.subject, body, "ACK.%s.%d" % (self.name, self.count),
                                                msg_id_header(msg_id)))
                self.c.send(b"".join(out))
        except ConnectionError:
            pass

    def join(self, timeout=10):
        self.stop.set()
        self.thread.join(timeout)
        assert not self.thread.is_alive()

    def outstanding(self):
        with self.lock:
            return len(self.ids)

    def close(self):
        self.join()
        self.c.close()


def get_messages(c, stream, seqs, window=512, timeout=60):
    """MSG.GET of each seq, pipelined: {seq: (msg id, payload)} or {seq: error dict}."""
    results = {}
    done = threading.Event()
    seqs = list(seqs)
    if not seqs:
        return results
    sem = threading.Semaphore(window)
    lock = threading.Lock()

    def on_reply(m):
        seq = int(m.subject.rsplit(".", 1)[1])
        r = json.loads(m.payload)
        if "message" in r:
            msg = r["message"]
            hdrs = base64.b64decode(msg.get("hdrs", "")) if "hdrs" in msg else b""
            msg_id = None
            for line in hdrs.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"nats-msg-id":
                    msg_id = v.strip().decode()
            if msg["seq"] != seq:
                r = {"error": {"description": "MSG.GET %d answered seq %d" % (seq, msg["seq"])}}
            else:
                r = (msg_id, base64.b64decode(msg.get("data", "")))
        with lock:
            results[seq] = r
            if len(results) == len(seqs):
                done.set()
        sem.release()

    token = "GET%x" % random.getrandbits(32)
    c.subscribe(token + ".*", on_reply)
    subject = "$JS.API.STREAM.MSG.GET." + stream
    deadline = time.time() + timeout
    for i in range(0, len(seqs), 64):
        chunk = seqs[i:i + 64]
        for _ in chunk:
            if not sem.acquire(timeout=max(0.0, deadline - time.time())):
                raise TimeoutError("MSG.GET replies stopped")
        c.send(b"".join(Client.pub_bytes(subject, b'{"seq":%d}' % q, "%s.%d" % (token, q)) for q in chunk))
    if not done.wait(max(0.0, deadline - time.time())):
        raise TimeoutError("MSG.GET: %d of %d replies" % (len(results), len(seqs)))
    return results


class CrashCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="natrium-crash-test-", dir="/tmp")
        self.server = JetStreamServer(self.tmp.name)
        self.clients = []
        self.rng = random.Random("%s/%s" % (SEED, self.id()))

    def tearDown(self):
        for c in self.clients:
            c.close()
        if self.server.proc is not None:
            self.server.proc.stop(signal.SIGKILL)
        self.tmp.cleanup()

    def client(self, name=None):
        c = Client(self.server.port, name)
        self.clients.append(c)
        return c

    def note(self, text):
        print("[seed %s] %s: %s" % (SEED, self.id().rsplit(".", 1)[1], text), flush=True)

    def server_log(self):
        return self.server.proc.log_text()


class PublishCrashTest(CrashCase):
    ROUNDS = 3
    PUBLISHERS = 2
    WINDOW = 128  # per publisher: 256 in flight

    def test_every_acknowledged_message_survives_sigkill(self):
        self.server.start()
        c = self.client("admin")
        create_stream(c, "CRASH", ["crash.>"])
        sent, errors = {}, []
        durable = {}  # seq -> msg id, seen after a restart: must stay
        acked_total = 0
        for rnd in range(1, self.ROUNDS + 1):
            acked = {}
            pubs = [AsyncPublisher(self.server.port, "r%dp%d" % (rnd, i), "crash.%d" % i,
                                   random.Random(self.rng.random()), self.WINDOW, sent, acked, errors)
                    for i in range(self.PUBLISHERS)]
            delay = self.rng.uniform(0.2, 2.0)
            time.sleep(delay)
            self.server.kill()
            for p in pubs:
                p.close()
                errors += p.c.errors
            for cl in self.clients:
                cl.close()
            self.clients = []
            self.assertEqual(errors, [])
            acked_total += len(acked)
            # Two ids acknowledged at the same seq would be a lost message.
            by_seq = {}
            for msg_id, seq in acked.items():
                self.assertNotIn(seq, by_seq, "seq %d acknowledged for %s and %s" % (seq, by_seq.get(seq), msg_id))
                by_seq[seq] = msg_id
            self.server.start()
            c = self.client("check%d" % rnd)
            state = stream_state(c, "CRASH")
            last = state["last_seq"]
            got = get_messages(c, "CRASH", range(1, last + 1))
            self.check_round(rnd, state, got, acked, sent, durable)
            self.note("round %d: killed after %.0f ms, %d PubAcks received, %d messages sent unacked, "
                      "stream has %d (last seq %d)" % (rnd, delay * 1000, len(acked),
                                                      sum(p.count for p in pubs) - len(acked), state["messages"], last))
        self.assertGreater(acked_total, 0)
        self.assertEqual(self.server.stop(), 0)

    def check_round(self, rnd, state, got, acked, sent, durable):
        last = state["last_seq"]
        max_acked = max(acked.values(), default=0)
        self.assertGreaterEqual(last, max_acked, "round %d: acknowledged seq %d but the stream ends at %d"
                                % (rnd, max_acked, last))
        # No limits and no deletes: seqs are contiguous from 1.
        self.assertEqual(state["messages"], last, "round %d: state %r has gaps" % (rnd, state))
        if last:
            self.assertEqual(state["first_seq"], 1, state)
        missing = [q for q, r in got.items() if not isinstance(r, tuple)]
        self.assertEqual(missing, [], "round %d: in the state but not retrievable: %r" % (
            rnd, {q: got[q] for q in missing[:5]}))
        seen = {}
        for q in range(1, last + 1):
            msg_id, payload = got[q]
            self.assertIn(msg_id, sent, "round %d: seq %d holds a message nobody sent" % (rnd, q))
            self.assertEqual(payload, sent[msg_id], "round %d: seq %d (%s) payload differs" % (rnd, q, msg_id))
            self.assertNotIn(msg_id, seen, "round %d: %s stored twice, at %s and %d" % (rnd, msg_id, seen.get(msg_id), q))
            seen[msg_id] = q
            if q in durable:
                self.assertEqual(durable[q], msg_id, "round %d: seq %d changed after a crash" % (rnd, q))
        self.assertGreaterEqual(last, len(durable), "round %d: messages seen after an earlier restart are gone" % rnd)
        lost = sorted((seq, msg_id) for msg_id, seq in acked.items() if seen.get(msg_id) != seq)
        self.assertEqual(lost, [], "round %d: %d acknowledged messages lost or moved, first %r" % (
            rnd, len(lost), lost[:5]))
        for q in range(1, last + 1):
            durable[q] = got[q][0]


class AckWorker:
    """Pulls from a durable consumer (a few requests outstanding) and acks each
    message with a reply subject; `confirmed[seq] = (worker, time)` once the
    ack reply for a stream seq came back. A delivery of a confirmed seq is a
    violation."""

    BATCH = 64
    EXPIRES_NS = 300_000_000

    def __init__(self, port, stream, consumer, confirmed, violations, name, outstanding=4):
        self.c = Client(port, name)
        self.stream = stream
        self.consumer = consumer
        self.confirmed = confirmed
        self.violations = violations
        self.lock = threading.Lock()
        self.pulls = {}  # token -> [sent time, messages left, sid]
        self.tokens = 0
        self.outstanding = outstanding
        self.delivered = 0
        self.redelivered = 0
        self.statuses = {}
        self.c.subscribe("AA.%s.*" % name, self.on_ack_reply)
        self.name = name
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def pull(self):
        """One pull request on its own reply subject and subscription."""
        with self.lock:
            self.tokens += 1
            token = self.tokens
            self.pulls[token] = [time.time(), self.BATCH, None]
        reply = "DLV.%s.%d" % (self.name, token)
        self.pulls[token][2] = self.c.subscribe(reply, lambda m: self.on_msg(token, m))
        body = json.dumps({"batch": self.BATCH, "expires": self.EXPIRES_NS}).encode()
        self.c.publish("$JS.API.CONSUMER.MSG.NEXT.%s.%s" % (self.stream, self.consumer), body, reply)

    def finish(self, token):
        """The request is over: forget it (the lock is held)."""
        p = self.pulls.pop(token, None)
        if p is not None and p[2] is not None:
            self.c.unsubscribe(p[2])

    def on_msg(self, token, m):
        status = m.status()
        with self.lock:
            p = self.pulls.get(token)
            if status is not None:
                self.statuses[status] = self.statuses.get(status, 0) + 1
                self.finish(token)
            elif p is not None:
                p[1] -= 1
                if p[1] == 0:
                    self.finish(token)
        if status is not None:
            return
        # $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<ts>.<pending>
        t = m.reply.split(".")
        dc, sseq = int(t[4]), int(t[5])
        self.delivered += 1
        if dc > 1:
            self.redelivered += 1
        if sseq in self.confirmed:
            # delivered again after its ack was confirmed: (seq, by, delivery count, when)
            self.violations.append((sseq, self.name, dc, time.time()))
        try:
            self.c.publish(m.reply, b"", "AA.%s.%d" % (self.name, sseq))
        except ConnectionError:
            pass

    def on_ack_reply(self, m):
        if m.payload or m.headers:
            self.c.errors.append("ack reply is not empty: %r %r" % (m.headers, m.payload))
        seq = int(m.subject.rsplit(".", 1)[1])
        if seq not in self.confirmed:
            self.confirmed[seq] = (self.name, time.time())

    def run(self):
        try:
            while not self.stop.is_set() and not self.c.closed.is_set():
                now = time.time()
                with self.lock:
                    for token in [t for t, p in self.pulls.items() if now - p[0] > self.EXPIRES_NS / NS + 1]:
                        self.finish(token)
                    need = self.outstanding - len(self.pulls)
                for _ in range(need):
                    self.pull()
                time.sleep(0.005)
        except ConnectionError:
            pass

    def close(self):
        self.stop.set()
        self.thread.join(10)
        self.c.close()


def contiguous_floor(seqs):
    n = 0
    while n + 1 in seqs:
        n += 1
    return n


class AckCrashTest(CrashCase):
    ROUNDS = 3
    MESSAGES = 60000

    def fill(self, stream, subject, n):
        sent, acked, errors = {}, {}, []
        p = AsyncPublisher(self.server.port, "fill", subject, random.Random(1), 256, sent, acked, errors, limit=n,
                           payload_len=(8, 64))
        self.assertTrue(wait_for(lambda: len(acked) == n or errors, 60), "filled %d of %d" % (len(acked), n))
        p.close()
        self.assertEqual(errors, [])

    def consumer_info(self, c):
        r = c.request_json("$JS.API.CONSUMER.INFO.ACKS.W")
        self.assertNotIn("error", r)
        return r

    def check_info(self, rnd, info, confirmed):
        """What is wrong with CONSUMER.INFO after restart `rnd`, given the
        confirmed acks (a list of texts; empty if nothing)."""
        problems = []
        n = self.MESSAGES
        floor = info["ack_floor"]["stream_seq"]
        delivered = info["delivered"]["stream_seq"]
        want_floor = contiguous_floor(confirmed)
        if floor < want_floor:
            problems.append("round %d: ack floor %d, but acks of 1..%d were confirmed" % (rnd, floor, want_floor))
        if delivered < floor:
            problems.append("round %d: delivered %d below the ack floor %d" % (rnd, delivered, floor))
        if info["num_pending"] != n - delivered:
            problems.append("round %d: num_pending %d, want %d - %d" % (rnd, info["num_pending"], n, delivered))
        # Confirmed acks above the floor are not pending: at most this many are.
        above = sum(1 for q in confirmed if floor < q <= delivered)
        if info["num_ack_pending"] > delivered - floor - above:
            problems.append("round %d: num_ack_pending %d, but only %d of the %d deliveries above the ack floor %d "
                            "are unconfirmed" % (rnd, info["num_ack_pending"], delivered - floor - above,
                                                 delivered - floor, floor))
        beyond = sorted(q for q in confirmed if q > delivered)
        if beyond:
            problems.append("round %d: %d confirmed acks above delivered %d, first %r" % (
                rnd, len(beyond), delivered, beyond[:5]))
        return problems

    def test_every_confirmed_ack_survives_sigkill(self):
        self.server.start()
        c = self.client("admin")
        create_stream(c, "ACKS", ["acks.>"])
        self.fill("ACKS", "acks.x", self.MESSAGES)
        r = c.request_json("$JS.API.CONSUMER.DURABLE.CREATE.ACKS.W", {
            "stream_name": "ACKS",
            "config": {"durable_name": "W", "ack_policy": "explicit", "ack_wait": 2 * NS, "deliver_policy": "all",
                       "max_ack_pending": 100000, "max_waiting": 512}})
        self.assertNotIn("error", r)
        confirmed, violations, problems, kills = {}, [], [], {}
        for rnd in range(1, self.ROUNDS + 1):
            w = AckWorker(self.server.port, "ACKS", "W", confirmed, violations, "w%d" % rnd)
            delay = self.rng.uniform(0.2, 1.5)
            time.sleep(delay)
            kills["w%d" % rnd] = time.time()
            self.server.kill()
            w.close()
            problems += w.c.errors
            for cl in self.clients:
                cl.close()
            self.clients = []
            self.server.start()
            c = self.client("check%d" % rnd)
            info = self.consumer_info(c)
            self.note("round %d: killed after %.0f ms; %d deliveries (%d redeliveries), %d acks confirmed in all; "
                      "after restart ack floor %d, delivered %d, ack pending %d, pending %d" % (
                          rnd, delay * 1000, w.delivered, w.redelivered, len(confirmed),
                          info["ack_floor"]["stream_seq"], info["delivered"]["stream_seq"],
                          info["num_ack_pending"], info["num_pending"]))
            problems += self.check_info(rnd, info, confirmed)
        # Drain: what is left comes (unacked deliveries again after ack_wait),
        # and nothing confirmed comes again.
        w = AckWorker(self.server.port, "ACKS", "W", confirmed, violations, "drain")

        def drained():
            info = self.consumer_info(c)
            return info["num_pending"] == 0 and info["num_ack_pending"] == 0 and \
                info["ack_floor"]["stream_seq"] == self.MESSAGES
        ok = wait_for(drained, 20, step=0.2)
        w.close()
        problems += w.c.errors
        if violations:
            seqs = sorted(v[0] for v in violations)
            by_round = {}
            for seq, worker, dc, at in violations:
                rnd = confirmed[seq][0]
                by_round.setdefault(rnd, []).append((seq, confirmed[seq][1] - kills[rnd]))
            problems.append("%d stream seqs delivered again after their ack was confirmed (seqs %d..%d); %s" % (
                len(seqs), seqs[0], seqs[-1], "; ".join(
                    "%d confirmed to %s, their ack replies read by the client at %+.1f..%+.1f ms from the SIGKILL" % (
                        len(v), r, min(x[1] for x in v) * 1000, max(x[1] for x in v) * 1000)
                    for r, v in sorted(by_round.items()))))
        if problems:
            self.fail("lost acks (seed %s):\n  %s" % (SEED, "\n  ".join(map(str, problems))))
        self.assertTrue(ok, "consumer did not drain: %r" % self.consumer_info(c))
        # Not every ack gets confirmed: one made durable just before a SIGKILL
        # may never see its AckAck, and is (rightly) not redelivered. What must
        # hold is above: nothing confirmed came again, and everything drained.
        self.assertEqual(stream_state(c, "ACKS")["messages"], self.MESSAGES)
        self.assertEqual(self.server.stop(), 0)


class CorruptionTest(CrashCase):
    """A flipped byte in a stored message: reported, never served."""

    def flip_marker(self, marker):
        """Flips one byte of `marker` everywhere it is in data.mdb (LMDB keeps
        old copies of pages); returns how many copies there were."""
        path = self.server.data_file()
        with open(path, "r+b") as f:
            data = f.read()
            offsets = [m.start() for m in re.finditer(re.escape(marker), data)]
            for off in offsets:
                f.seek(off + len(marker) // 2)
                f.write(bytes([data[off + len(marker) // 2] ^ 0x20]))
            f.flush()
            os.fsync(f.fileno())
        return len(offsets)

    def corrupt_one(self, payload_len):
        """Stores 20 messages (duplicate window 1 s, so recovery reads only the
        newest one) with a marker in message 10 of `payload_len` bytes, stops the
        server, and flips a byte of the marker on disk."""
        self.server.start()
        c = self.client("admin")
        create_stream(c, "CORR", ["corr.>"], duplicate_window=NS)
        marker = ("CORRUPT-ME-%08x" % self.rng.getrandbits(32)).encode()
        payloads = {}
        for i in range(1, 21):
            body = (marker if i == 10 else b"plain-%d-" % i).ljust(payload_len, b".")
            payloads[i] = body
            m = c.request("corr.x", body, headers=msg_id_header("m%d" % i))
            self.assertEqual(json.loads(m.payload)["seq"], i)
        self.assertIn(b'"data"', c.request("$JS.API.STREAM.MSG.GET.CORR", b'{"seq":10}').payload)
        time.sleep(1.2)  # out of the duplicate window
        for cl in self.clients:
            cl.close()
        self.clients = []
        self.assertEqual(self.server.stop(), 0)
        copies = self.flip_marker(marker)
        self.assertGreaterEqual(copies, 1, "marker not found in data.mdb")
        self.note("payload %d bytes: flipped a byte in %d cop%s of the marker" % (
            payload_len, copies, "y" if copies == 1 else "ies"))
        return marker, payloads

    def observe_after_restart(self, marker, payloads):
        """Starts the server again; asserts the corrupted message is not served
        and that the server logged an error; describes what it did."""
        try:
            self.server.start()
        except AssertionError as e:
            text = str(e)
            self.assertRegex(text, r"\[(ERR|FTL)\]", "the server did not start and logged no error")
            self.assertNotIn(marker[:-4], text.encode())
            line = [l for l in text.splitlines() if "[ERR]" in l or "[FTL]" in l]
            self.note("the server refused to start: %s" % (line[:2],))
            return "refused to start"
        c = self.client("after")
        r = json.loads(c.request("$JS.API.STREAM.MSG.GET.CORR", b'{"seq":10}').payload)
        self.assertNotIn("message", r, "the corrupted message was served: %r" % r)
        self.assertIn("error", r)
        self.assertTrue(self.server.proc.wait_log("[ERR]", 3), "no error in the log:\n" + self.server_log())
        errs = [l.split("] ", 2)[-1] for l in self.server_log().splitlines() if "[ERR]" in l]
        other = json.loads(c.request("$JS.API.STREAM.MSG.GET.CORR", b'{"seq":11}').payload)
        pub = c.request("corr.x", b"after corruption", timeout=5)
        info = c.request_json("$JS.API.STREAM.INFO.CORR")
        self.note("MSG.GET of the corrupted seq 10 -> %s; log: %r; MSG.GET seq 11 afterwards -> %s; "
                  "a publish afterwards -> %s; STREAM.INFO state -> %s" % (
                      json.dumps(r), errs, "ok" if "message" in other else json.dumps(other),
                      pub.payload.decode(errors="replace") or pub.headers,
                      json.dumps(info.get("state", info.get("error")))))
        if "message" in other:
            self.assertEqual(base64.b64decode(other["message"]["data"]), payloads[11])
        return "started"

    def test_large_record_checked_on_read(self):
        # Records over 2048 bytes are not checksummed by the startup scan.
        marker, payloads = self.corrupt_one(4096)
        self.assertEqual(self.observe_after_restart(marker, payloads), "started")

    def test_small_record(self):
        # Small records are checksummed by the startup scan: the server starts,
        # logs the corrupt message and reports it as lost in the stream state;
        # the rest of the stream is served and writes go on.
        marker, payloads = self.corrupt_one(100)
        self.assertEqual(self.observe_after_restart(marker, payloads), "started")
        c = self.client("lost")
        info = c.request_json("$JS.API.STREAM.INFO.CORR")
        self.assertEqual(info["state"]["lost"]["msgs"], [10])
        self.assertIn("message 10 is corrupt", self.server_log())
        pub = json.loads(c.request("corr.x", b"after corruption", timeout=5).payload)
        self.assertNotIn("error", pub)


if __name__ == "__main__":
    SERVER = os.path.abspath(sys.argv.pop(1))
    SEED = os.environ.get("NATRIUM_CRASH_SEED") or str(random.SystemRandom().getrandbits(32))
    print("jetstream_crash_test: seed %s (NATRIUM_CRASH_SEED=%s repeats it)" % (SEED, SEED), flush=True)
    unittest.main(verbosity=2)

#!/usr/bin/env python3
"""Startup time of natrium-server holding a 1,000,000-message file stream:
fill the stream, stop the server, start it again on the same store, and time
from the process start until STREAM.INFO answers with every message.

The issue asks for under 1 s; machines are noisy, so the test asserts the
median of three restarts against a generous bound (NATRIUM_STARTUP_BOUND_S,
3 s by default) and prints every measurement.

Usage: jetstream_startup_test.py PATH/TO/natrium-server   (standard library only)
NATRIUM_STARTUP_MESSAGES changes the message count (1,000,000 by default).
"""
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from natrium_process import ServerProcess, read_file
from nats_wire import Client, wait_for

SERVER = None
MESSAGES = int(os.environ.get("NATRIUM_STARTUP_MESSAGES", "1000000"))
BOUND_S = float(os.environ.get("NATRIUM_STARTUP_BOUND_S", "3"))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def log_time(text, needle):
    """Seconds of the day of the first log line containing `needle`."""
    for line in text.splitlines():
        if needle in line:
            m = re.match(r"\[\d+\] \S+ (\d\d):(\d\d):(\d\d\.\d+) ", line)
            if m:
                return int(m.group(1)) * 3600 + int(m.group(2)) * 60 + float(m.group(3))
    return None


class StartupTimeTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="natrium-startup-test-", dir="/tmp")
        self.store = os.path.join(self.tmp.name, "store")
        self.procs = []

    def tearDown(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
            if p.stderr:
                p.stderr.close()
        self.tmp.cleanup()

    def fill(self):
        log = os.path.join(self.tmp.name, "fill.log")
        s = ServerProcess(SERVER, ["-a", "127.0.0.1", "-p", "-1", "-l", log, "-js", "-sd", self.store], log)
        self.procs.append(s.proc)
        c = Client(s.port, "fill")
        r = c.request_json("$JS.API.STREAM.CREATE.BIG", {"name": "BIG", "subjects": ["big"], "storage": "file"})
        self.assertNotIn("error", r)
        t0 = time.time()
        chunk = 10000
        for base in range(0, MESSAGES, chunk):
            n = min(chunk, MESSAGES - base)
            c.send(b"".join(b"PUB big 16\r\n%016d\r\n" % (base + i) for i in range(n)))
            if (base // chunk) % 5 == 4:
                c.flush(60)  # keep what the server has not read bounded

        def count():
            return c.request_json("$JS.API.STREAM.INFO.BIG", timeout=30)["state"]["messages"]
        self.assertTrue(wait_for(lambda: count() >= MESSAGES, 180, step=0.5), "stored %d" % count())
        self.assertEqual(count(), MESSAGES)
        print("filled %d messages in %.1f s; data.mdb is %.0f MB" % (
            MESSAGES, time.time() - t0,
            os.path.getsize(os.path.join(self.store, "jetstream", "natrium", "data.mdb")) / 1e6), flush=True)
        c.close()
        self.assertEqual(s.stop(signal.SIGTERM), 0)

    def timed_start(self, name):
        """Seconds from the process start until STREAM.INFO answers with every
        message; returns (seconds, process, log text)."""
        port = free_port()
        log = os.path.join(self.tmp.name, name + ".log")
        t0 = time.monotonic()
        proc = subprocess.Popen([SERVER, "-a", "127.0.0.1", "-p", str(port), "-l", log, "-js", "-sd", self.store],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.procs.append(proc)
        deadline = t0 + 60
        c = None
        while c is None:
            self.assertIsNone(proc.poll(), "the server exited: " + read_file(log))
            self.assertLess(time.monotonic(), deadline, "no client port: " + read_file(log))
            try:
                c = Client(port, "probe")
            except OSError:
                time.sleep(0.002)
        while True:
            state = c.request_json("$JS.API.STREAM.INFO.BIG", timeout=30)["state"]
            if state["messages"] == MESSAGES:
                break
            self.assertLess(time.monotonic(), deadline, "stream state %r" % state)
        elapsed = time.monotonic() - t0
        c.close()
        return elapsed, proc, read_file(log)

    def test_restart_with_a_million_messages(self):
        self.fill()
        times = []
        for i in range(3):
            elapsed, proc, text = self.timed_start("restart-%d" % i)
            js = log_time(text, "Starting JetStream")
            ready = log_time(text, "Server is ready")
            print("restart %d (after SIGTERM): STREAM.INFO with %d messages %.3f s after the process start "
                  "(log: JetStream start to ready %.3f s)" % (
                      i + 1, MESSAGES, elapsed, (ready - js) if js is not None and ready is not None else -1),
                  flush=True)
            times.append(elapsed)
            proc.send_signal(signal.SIGTERM)
            self.assertEqual(proc.wait(timeout=30), 0)
        # Once more after SIGKILL: recovery does not depend on a clean stop.
        elapsed, proc, _ = self.timed_start("restart-kill")
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        elapsed, proc, _ = self.timed_start("restart-after-kill")
        print("restart after SIGKILL: %.3f s" % elapsed, flush=True)
        proc.send_signal(signal.SIGTERM)
        self.assertEqual(proc.wait(timeout=30), 0)
        times.sort()
        print("startup with %d messages: median %.3f s (target < 1 s, asserted < %.1f s)" % (
            MESSAGES, times[1], BOUND_S), flush=True)
        self.assertLess(times[1], BOUND_S)


if __name__ == "__main__":
    SERVER = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

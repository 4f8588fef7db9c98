#!/usr/bin/env python3
"""Tests of natrium-server's JetStream startup as a process: -js / -sd and the
jetstream {} block create the store directory, log the reference's lines,
advertise JetStream in INFO, and report the same directory and limits in
/varz and /jsz; a store directory that cannot be used stops the server.

Usage: jetstream_test.py PATH/TO/natrium-server   (standard library only)
Every server runs on a free loopback port in a temp dir, and is stopped by PID.
Where /usr/sbin/nats-server exists, its startup lines are compared with ours.
"""
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from natrium_process import ServerProcess, read_file

SERVER = None
REFERENCE = "/usr/sbin/nats-server"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def startup_lines(text):
    """The JetStream lines of a log, without the "[PID] date time [INF] " prefix."""
    out = []
    for line in text.splitlines():
        m = re.match(r"\[\d+\] \S+ \S+ \[(\w+)\] (.*)$", line)
        if m and ("JetStream" in m.group(2) or m.group(2).startswith("  Max ") or
                  m.group(2).startswith("  Store Directory") or "JETSTREAM" in m.group(2)):
            out.append("[%s] %s" % (m.group(1), m.group(2)))
    return out


class JetStreamCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="natrium-js-test-")
        self.dir = self.tmp.name
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop(signal.SIGKILL)
        self.tmp.cleanup()

    def start(self, *args, env=None, name="server.log"):
        log = os.path.join(self.dir, name)
        s = ServerProcess(SERVER, ["-a", "127.0.0.1", "-p", "-1", "-l", log, *args], log, env=env)
        self.servers.append(s)
        return s

    def run_reference(self, args, env=None):
        """The reference's log for `args` (it exits after a moment), or None without it."""
        if not os.access(REFERENCE, os.X_OK):
            return None
        log = os.path.join(self.dir, "reference.log")
        proc = subprocess.Popen([REFERENCE, "-a", "127.0.0.1", "-p", "-1", "-l", log, *args],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        deadline = time.time() + 10
        while "Server is ready" not in read_file(log) and proc.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
        return read_file(log)

    def http_json(self, port, path):
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=5) as r:
            return json.loads(r.read())


class StartupTest(JetStreamCase):
    def test_js_and_store_dir_flags(self):
        store = os.path.join(self.dir, "store")
        http = free_port()
        s = self.start("-js", "-sd", store, "-m", str(http))
        js_dir = os.path.join(store, "jetstream")
        text = s.log_text()
        self.assertIn("[INF] Starting JetStream", text)
        self.assertIn("[INF] ---------------- JETSTREAM ----------------", text)
        self.assertRegex(text, r"\[INF\]   Max Memory:      \d+(\.\d\d [KMGTPE])?B")
        self.assertRegex(text, r"\[INF\]   Max Storage:     \d+(\.\d\d [KMGTPE])?B")
        self.assertIn('[INF]   Store Directory: "%s"' % js_dir, text)
        self.assertNotIn("[ERR]", text)
        self.assertNotIn("[WRN]", text)
        # As the reference: JetStream starts before the client listener.
        self.assertLess(text.index("Starting JetStream"), text.index("Listening for client connections"))
        self.assertTrue(os.path.isdir(js_dir))
        self.assertEqual(os.stat(js_dir).st_mode & 0o777, 0o750 & ~current_umask())
        self.assertTrue(os.path.isfile(os.path.join(js_dir, "natrium", "data.mdb")))
        # INFO says so once the engine answers; this is the lead's part.
        self.assertIs(s.info().get("jetstream"), True)
        varz = self.http_json(http, "/varz")
        self.assertEqual(varz["jetstream"]["config"]["store_dir"], js_dir)
        jsz = self.http_json(http, "/jsz")
        self.assertEqual(jsz["config"]["store_dir"], js_dir)
        self.assertEqual(jsz["config"]["max_memory"], varz["jetstream"]["config"]["max_memory"])
        self.assertEqual(s.stop(), 0)
        text = s.log_text()
        self.assertIn("[INF] JetStream Shutdown", text)
        # A second start opens the same store.
        s = self.start("-js", "-sd", store, name="again.log")
        self.assertIn('Store Directory: "%s"' % js_dir, s.log_text())
        self.assertNotIn("[ERR]", s.log_text())
        self.assertEqual(s.stop(), 0)

    def test_config_block_limits_and_reload(self):
        store = os.path.join(self.dir, "data")
        conf = os.path.join(self.dir, "js.conf")
        with open(conf, "w") as f:
            f.write('jetstream {\n  store_dir: "%s"\n  max_memory_store: "64M"\n  max_file_store: "1G"\n}\n' % store)
        s = self.start("-c", conf)
        lines = startup_lines(s.log_text())
        self.assertIn("[INF]   Max Memory:      64.00 MB", lines)
        self.assertIn("[INF]   Max Storage:     1.00 GB", lines)
        self.assertIn('[INF]   Store Directory: "%s/jetstream"' % store, lines)
        reference = self.run_reference(["-c", conf])
        if reference is not None:
            self.assertEqual([l for l in lines if l.startswith("[INF]   ")],
                             [l for l in startup_lines(reference) if l.startswith("[INF]   ")])
        # A reload keeps JetStream; changing its limits is refused, as the reference does.
        s.proc.send_signal(signal.SIGHUP)
        self.assertTrue(s.wait_log("Reloaded server configuration"))
        self.assertIs(s.info().get("jetstream"), True)
        with open(conf, "w") as f:
            f.write('jetstream {\n  store_dir: "%s"\n  max_memory_store: "32M"\n  max_file_store: "1G"\n}\n' % store)
        s.proc.send_signal(signal.SIGHUP)
        self.assertTrue(s.wait_log("config reload not supported for jetstream max memory and store"))
        self.assertEqual(s.stop(), 0)

    def test_default_store_dir_is_under_tmpdir(self):
        tmp = os.path.join(self.dir, "tmp")
        os.mkdir(tmp)
        env = dict(os.environ, TMPDIR=tmp + "/")
        s = self.start("-js", env=env)
        js_dir = os.path.join(tmp, "nats", "jetstream")
        self.assertIn('Store Directory: "%s"' % js_dir, s.log_text())
        self.assertTrue(os.path.isdir(os.path.join(js_dir, "natrium")))
        self.assertEqual(s.stop(), 0)
        reference = self.run_reference(["-js"], env=env)
        if reference is not None:
            self.assertIn('Store Directory: "%s"' % js_dir, reference)

    def test_unusable_store_dir_stops_the_server(self):
        not_a_dir = os.path.join(self.dir, "file")
        with open(not_a_dir, "w") as f:
            f.write("x")
        log = os.path.join(self.dir, "fail.log")
        r = subprocess.run([SERVER, "-a", "127.0.0.1", "-p", "-1", "-l", log, "-js", "-sd", not_a_dir],
                           capture_output=True, text=True, timeout=20)
        self.assertEqual(r.returncode, 1)
        text = read_file(log)
        self.assertIn("[INF] Starting JetStream", text)
        self.assertIn("Can't start JetStream: storage directory is not a directory", text)
        self.assertNotIn("Server is ready", text)
        reference = self.run_reference(["-js", "-sd", not_a_dir])
        if reference is not None:
            self.assertIn("Can't start JetStream: storage directory is not a directory", reference)


def current_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


if __name__ == "__main__":
    SERVER = sys.argv.pop(1)
    unittest.main(verbosity=2)

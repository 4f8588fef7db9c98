#!/usr/bin/env python3
"""Tests of natrium-server's configuration file as a process: a nats-server
config starts it unchanged, flags override the file, -t, warnings with
file:line, the ports file, random ports, reload.

Usage: config_test.py PATH/TO/natrium-server   (standard library only)
Every server runs on a free loopback port in a temp dir, and is stopped by PID.
Where /usr/sbin/nats-server exists, the same files are checked with its -t.
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

from natrium_process import ServerProcess, read_file, recv_until

SERVER = None
REFERENCE = "/usr/sbin/nats-server"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(args, timeout=10):
    return subprocess.run([SERVER] + args, capture_output=True, text=True, timeout=timeout)


def reference_check(path):
    """nats-server -t on the file: (exit code, stderr), or None without the reference."""
    if not os.access(REFERENCE, os.X_OK):
        return None
    r = subprocess.run([REFERENCE, "-c", path, "-t"], capture_output=True, text=True, timeout=10)
    return r.returncode, r.stderr




class Server(ServerProcess):
    def __init__(self, args, log, cwd=None, env=None):
        super().__init__(SERVER, args, log, cwd=cwd, env=env)


class ServerCase(unittest.TestCase):
    """Temp dir, config files and servers stopped by PID after each test."""

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="natrium-config-test-")
        self.dir = self.tmp.name
        self.servers = []

    def tearDown(self):
        for s in self.servers:
            s.stop(signal.SIGKILL)
        self.tmp.cleanup()

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def start(self, args, log, **kw):
        s = Server(args, log, **kw)
        self.servers.append(s)
        return s

    def assert_reference_accepts(self, path):
        checked = reference_check(path)
        if checked is not None:
            self.assertEqual(checked[0], 0, checked[1])
            self.assertIn("configuration file %s is valid" % path, checked[1])


class ConfigTest(ServerCase):
    def test_reference_config_starts_unchanged(self):
        log = os.path.join(self.dir, "n.log")
        pid = os.path.join(self.dir, "n.pid")
        port = free_port()
        self.write("limits.conf", "max_payload: 512KB\nmax_control_line: 2KB\n")
        conf = self.write("n.conf", """# A nats-server 2.9.10 configuration.
NAME = "natrium-alpha"
listen: 127.0.0.1:%d
server_name: $NAME
include limits.conf
max_connections: 100
max_subscriptions = 50
max_pending 32MB
ping_interval: "30s"
ping_max: 3
write_deadline: "5s"
debug: false
trace: false
logtime: true
logfile: "%s"
pid_file: "%s"
ports_file_dir: "%s"
lame_duck_duration: "45s"
lame_duck_grace_period: "5s"
jetstream {
  store_dir: "%s"
  max_memory_store: 64MB
  max_file_store: 1GB
}
cluster {
  name: natrium
  listen: 127.0.0.1:%d
  routes: [
    nats-route://127.0.0.1:%d
  ]
}
""" % (port, log, pid, self.dir, os.path.join(self.dir, "js"), free_port(), free_port()))
        self.assert_reference_accepts(conf)
        s = self.start(["-c", conf], log)
        self.assertEqual(s.port, port)
        info = s.info()
        self.assertEqual(info["server_name"], "natrium-alpha")
        self.assertEqual(info["max_payload"], 512 * 1024)
        self.assertEqual(info["port"], port)
        text = s.log_text()
        self.assertIn("[INF] Using configuration file: %s" % conf, text)
        self.assertNotIn("JetStream is not supported yet", text)
        self.assertIn("clustering is not supported yet; ignoring it", text)
        self.assertNotIn("[ERR]", text)
        self.assertEqual(read_file(pid).strip(), str(s.proc.pid))
        self.assertEqual(s.stop(), 0)

    def test_flags_override_the_file(self):
        log = os.path.join(self.dir, "n.log")
        file_port, flag_port = free_port(), free_port()
        conf = self.write("n.conf", 'listen: 127.0.0.1:%d\nserver_name: "from-file"\nmax_payload: 2KB\n'
                                    'debug: true\nlogfile: "%s"\n' % (file_port, log))
        self.assert_reference_accepts(conf)
        s = self.start(["-p", str(flag_port), "--server_name=from-flag", "-c", conf, "-D=false"], log)
        self.assertEqual(s.port, flag_port)
        info = s.info()
        self.assertEqual(info["server_name"], "from-flag")
        self.assertEqual(info["max_payload"], 2048)  # not given as a flag: the file's
        self.assertNotIn("[DBG]", s.log_text())

    def test_check_flag_success_and_failures(self):
        good = self.write("good.conf", "port: 4222\nmax_payload: 1MB\n")
        r = run(["-c", good, "-t"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(r.stderr, "nats-server: configuration file %s is valid\n" % good)
        self.assertEqual(reference_check(good) or (0, ""), (0, r.stderr))  # the same text as the reference
        cases = {
            "type.conf": ("port: 4222\nmax_payload: \"big\"\n",
                          ':2:1: invalid value for "max_payload": expected an integer, got a string ("big")'),
            "syntax.conf": ("port: 4222\nmax_payload: [1,\n", ":3:1: Unexpected EOF processing array."),
            "duration.conf": ("write_deadline: 10\n",
                              ':1:1: invalid use of field "write_deadline": write_deadline should be converted '
                              'to a duration'),
        }
        for name, (text, message) in cases.items():
            path = self.write(name, text)
            r = run(["-c", path, "-t"])
            self.assertEqual(r.returncode, 1, name)
            self.assertEqual(r.stderr, "nats-server: " + path + message + "\n")
            checked = reference_check(path)
            if checked is not None:
                self.assertEqual(checked[0], 1, name)  # the reference rejects these too
        r = run(["-t"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("must specify [-c, --config] option to check configuration file syntax", r.stderr)
        r = run(["-c", os.path.join(self.dir, "missing.conf"), "-t"])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, "nats-server: open %s: no such file or directory\n" %
                         os.path.join(self.dir, "missing.conf"))

    def test_bad_file_stops_the_start(self):
        conf = self.write("bad.conf", "port: -1\nauthorization {\n  user: a\n  password: b\n}\n")
        r = run(["-c", conf, "-a", "127.0.0.1"])
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stderr, "nats-server: %s:2:1: authorization is not supported yet\n" % conf)

    def test_unknown_key_warns_with_file_and_line_and_starts(self):
        log = os.path.join(self.dir, "n.log")
        conf = self.write("n.conf", "port: -1\nhost: 127.0.0.1\n  no_such_key: 1\nlogfile: \"%s\"\n" % log)
        s = self.start(["-c", conf], log)
        self.assertIn('[WRN] %s:3:3: unknown field "no_such_key"' % conf, s.log_text())
        r = run(["-c", conf, "-t"])  # -t lists it but the file is valid for Natrium
        self.assertEqual(r.returncode, 0)
        self.assertIn('%s:3:3: unknown field "no_such_key"' % conf, r.stderr)

    def test_ports_file(self):
        log = os.path.join(self.dir, "n.log")
        conf = self.write("n.conf", "listen: 127.0.0.1:-1\nports_file_dir: \"%s\"\nlogfile: \"%s\"\n" % (self.dir, log))
        s = self.start(["-c", conf], log)
        path = os.path.join(self.dir, "natrium-server_%d.ports" % s.proc.pid)
        self.assertEqual(json.loads(read_file(path)), {"nats": ["nats://127.0.0.1:%d" % s.port]})
        self.assertEqual(s.stop(), 0)
        self.assertFalse(os.path.exists(path))  # removed on exit

    def test_ports_file_with_monitoring(self):
        log = os.path.join(self.dir, "n.log")
        conf = self.write("n.conf", "listen: 127.0.0.1:-1\nhttp: 127.0.0.1:-1\nports_file_dir: \"%s\"\n"
                                    "logfile: \"%s\"\n" % (self.dir, log))
        self.assert_reference_accepts(conf)
        s = self.start(["-c", conf], log)
        m = re.search(r"Starting http monitor on 127\.0\.0\.1:(\d+)", s.log_text())
        self.assertIsNotNone(m, s.log_text())
        path = os.path.join(self.dir, "natrium-server_%d.ports" % s.proc.pid)
        self.assertEqual(json.loads(read_file(path)), {"nats": ["nats://127.0.0.1:%d" % s.port],
                                                       "monitoring": ["http://127.0.0.1:%s" % m.group(1)]})

    def test_ports_file_flag_and_all_interfaces(self):
        log = os.path.join(self.dir, "n.log")
        s = self.start(["-p", "-1", "-l", log, "--ports_file_dir", self.dir], log)
        path = os.path.join(self.dir, "natrium-server_%d.ports" % s.proc.pid)
        urls = json.loads(read_file(path))["nats"]
        self.assertIn("nats://127.0.0.1:%d" % s.port, urls)  # 0.0.0.0: every interface address

    def test_random_port(self):
        log = os.path.join(self.dir, "n.log")
        conf = self.write("n.conf", "port: -1\nnet: 127.0.0.1\nlogfile: \"%s\"\n" % log)
        self.assert_reference_accepts(conf)
        s = self.start(["-c", conf], log)
        self.assertNotEqual(s.port, 4222)
        self.assertEqual(s.info()["port"], s.port)

    def test_environment_variable(self):
        log = os.path.join(self.dir, "n.log")
        conf = self.write("n.conf", "listen: $NATRIUM_TEST_LISTEN\nserver_name: $NATRIUM_TEST_NAME\n"
                                    "logfile: \"%s\"\n" % log)
        env = dict(os.environ, NATRIUM_TEST_LISTEN="127.0.0.1:-1", NATRIUM_TEST_NAME="env-name")
        s = self.start(["-c", conf], log, env=env)
        self.assertEqual(s.info()["server_name"], "env-name")

    def test_reload_rereads_the_file_and_keeps_the_flags(self):
        log = os.path.join(self.dir, "n.log")
        conf = self.write("n.conf", "listen: 127.0.0.1:-1\nmax_payload: 1KB\nlogfile: \"%s\"\n" % log)
        s = self.start(["-c", conf, "--server_name", "keep"], log)
        self.assertEqual(s.info()["max_payload"], 1024)
        self.write("n.conf", "listen: 127.0.0.1:-1\nmax_payload: 4KB\nlogfile: \"%s\"\nserver_name: other\n" % log)
        s.proc.send_signal(signal.SIGHUP)
        self.assertTrue(s.wait_log("Reloaded server configuration"), s.log_text())
        info = s.info()
        self.assertEqual(info["max_payload"], 4096)
        self.assertEqual(info["server_name"], "keep")  # the flag still wins
        self.write("n.conf", "listen: 127.0.0.1:-1\nmax_payload: \"x\"\n")
        s.proc.send_signal(signal.SIGHUP)
        self.assertTrue(s.wait_log('Failed to reload server configuration: %s:2:1: invalid value for "max_payload"'
                                   % conf), s.log_text())
        self.assertEqual(s.info()["max_payload"], 4096)  # the old config stays


class LifecycleTest(ServerCase):
    """Reload, lame duck and log rotation, driven by config files."""

    def connect(self, s):
        sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        self.assertTrue(recv_until(sock, b"\r\n").startswith(b"INFO "))
        sock.sendall(b'CONNECT {"verbose":false,"protocol":1}\r\nPING\r\n')
        self.assertIn(b"PONG", recv_until(sock, b"PONG"))
        return sock

    def test_reload_enforces_a_new_max_payload_on_a_live_connection(self):
        log = os.path.join(self.dir, "r.log")
        conf = self.write("r.conf", 'listen: 127.0.0.1:-1\nmax_payload: 4KB\nlogfile: "%s"\n' % log)
        s = self.start(["-c", conf], log)
        sock = self.connect(s)
        sock.sendall(b"PUB a 2000\r\n" + b"x" * 2000 + b"\r\nPING\r\n")
        self.assertIn(b"PONG", recv_until(sock, b"PONG"))
        self.write("r.conf", 'listen: 127.0.0.1:-1\nmax_payload: 1KB\nlogfile: "%s"\n' % log)
        s.proc.send_signal(signal.SIGHUP)
        self.assertTrue(s.wait_log("Reloaded: max_payload = 1024"), s.log_text())
        sock.sendall(b"PUB a 2000\r\n")
        self.assertIn(b"-ERR 'Maximum Payload Violation'", recv_until(sock, b"Violation"))
        sock.close()

    def test_lame_duck_tells_clients_then_closes_them_and_exits(self):
        log = os.path.join(self.dir, "l.log")
        conf = self.write("l.conf", 'listen: 127.0.0.1:-1\nlame_duck_duration: "30s"\n'
                                    'lame_duck_grace_period: "1s"\nlogfile: "%s"\n' % log)
        self.assert_reference_accepts(conf)
        s = self.start(["-c", conf], log)
        sock = self.connect(s)
        t0 = time.time()
        s.proc.send_signal(signal.SIGUSR2)
        info = recv_until(sock, b"\r\n")
        self.assertTrue(info.startswith(b"INFO {"), info)
        self.assertTrue(json.loads(info.split(b"\r\n")[0][5:]).get("ldm"), info)
        with self.assertRaises(OSError):  # new clients are refused
            socket.create_connection(("127.0.0.1", s.port), timeout=2).recv(1)
            raise OSError("connected")
        sock.settimeout(10)
        rest = b""
        while True:
            chunk = sock.recv(4096)
            if not chunk:
                break
            rest += chunk
        self.assertGreaterEqual(time.time() - t0, 0.9)  # not before the grace period
        self.assertEqual(s.proc.wait(timeout=10), 0)
        self.assertIn("Entering lame duck mode, stop accepting new clients", s.log_text())
        sock.close()

    def test_log_size_limit_rotates_the_log_file(self):
        log = os.path.join(self.dir, "rot.log")
        conf = self.write("rot.conf", 'listen: 127.0.0.1:-1\nlogfile: "%s"\nlog_size_limit: 600\ndebug: true\n' % log)
        s = self.start(["-c", conf], log)
        for _ in range(5):
            self.connect(s).close()
        deadline = time.time() + 5
        backups = []
        while not backups and time.time() < deadline:
            backups = [f for f in os.listdir(self.dir) if re.match(r"rot\.log\.\d{4}(\.\d\d){5}\.\d{9}$", f)]
            time.sleep(0.05)
        self.assertTrue(backups, os.listdir(self.dir))
        self.assertTrue(s.wait_log("Rotated log, backup saved as"), s.log_text())




if __name__ == "__main__":
    SERVER = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

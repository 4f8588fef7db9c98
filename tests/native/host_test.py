#!/usr/bin/env python3
"""Tests of natrium-server as a process: flags, logs, pid file, signals.

Usage: host_test.py PATH/TO/natrium-server   (standard library only)
Every server runs on a free loopback port in a temp dir, and is stopped by PID.
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

from natrium_process import ServerProcess, recv_until

SERVER = None


def run(args, timeout=10):
    return subprocess.run([SERVER] + args, capture_output=True, text=True, timeout=timeout)


class Server(ServerProcess):
    """natrium-server on a free loopback port (-p -1), logging to a file in a temp dir."""

    def __init__(self, *args):
        self.dir = tempfile.TemporaryDirectory(prefix="natrium-host-test-")
        log = os.path.join(self.dir.name, "server.log")
        try:
            super().__init__(SERVER, ["-a", "127.0.0.1", "-p", "-1", "-l", log, *args], log)
        except AssertionError:
            self.dir.cleanup()
            raise

    def close(self):
        self.stop(signal.SIGKILL)
        self.dir.cleanup()


read_until = recv_until


class FlagsTest(unittest.TestCase):
    def test_help_exits_zero_with_usage(self):
        for flag in ("-h", "--help"):
            r = run([flag])
            self.assertEqual(r.returncode, 0)
            self.assertIn("Usage: natrium-server", r.stdout)

    def test_unknown_flag_prints_usage_and_exits_one(self):
        r = run(["--no-such-flag"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("flag provided but not defined: -no-such-flag", r.stderr)
        self.assertIn("Usage: natrium-server", r.stderr)

    def test_missing_value_and_bad_value_exit_one(self):
        self.assertEqual(run(["-p"]).returncode, 1)
        self.assertEqual(run(["-p", "abc"]).returncode, 1)

    def test_version(self):
        for flag in ("-v", "--version", "-version"):
            r = run([flag])
            self.assertEqual(r.returncode, 0)
            self.assertRegex(r.stdout, r"natrium-server: v\d+\.\d+\.\d+ \(compatible with nats-server v2\.9\.10\)")


class ProcessTest(unittest.TestCase):
    def test_one_or_two_dashes_name_pid_file_and_log_lines(self):
        with tempfile.TemporaryDirectory() as d:
            pid_file = os.path.join(d, "n.pid")
            s = Server("--server_name=alpha", "-P", pid_file)
            try:
                with open(pid_file) as f:
                    self.assertEqual(int(f.read().strip()), s.proc.pid)
                sock = s.connect()
                info = read_until(sock, b"\r\n")
                self.assertTrue(info.startswith(b"INFO {"))
                self.assertIn(b'"server_name":"alpha"', info)
                self.assertIn(b'"port":%d' % s.port, info)
                sock.close()
                self.assertRegex(s.log_text(), r"\[\d+\] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6} \[INF\] Server is ready")
            finally:
                s.close()

    def test_later_flags_are_accepted_with_a_warning(self):
        s = Server("-m", "8222", "--cluster_name", "c1", "-cluster", "nats://127.0.0.1:1",
                   "-routes", "nats://127.0.0.1:2")
        try:
            log = s.log_text()
            self.assertIn("[WRN] clustering (--cluster_name) is not supported yet; ignoring it", log)
        finally:
            s.close()

    def test_trace_shows_protocol(self):
        s = Server("-DV")
        try:
            sock = s.connect()
            read_until(sock, b"\r\n")
            sock.sendall(b'CONNECT {"verbose":false}\r\nPING\r\n')
            self.assertIn(b"PONG", read_until(sock, b"PONG"))
            deadline = time.time() + 3
            while "<<- [PING]" not in s.log_text() and time.time() < deadline:
                time.sleep(0.05)
            log = s.log_text()
            self.assertIn("[TRC] 127.0.0.1:", log)
            self.assertIn("<<- [PING]", log)
            self.assertIn("->> [PONG]", log)
            self.assertIn("[DBG]", log)
            sock.close()
        finally:
            s.close()

    def test_sigterm_and_sigint_exit_zero_with_clients_connected(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            s = Server()
            try:
                sock = s.connect()
                read_until(sock, b"\r\n")
                sock.sendall(b'CONNECT {"verbose":false}\r\nSUB a 1\r\nPING\r\n')
                read_until(sock, b"PONG")
                t0 = time.time()
                self.assertEqual(s.stop(sig), 0)
                self.assertLess(time.time() - t0, 4)
                self.assertIn("Server Exiting..", s.log_text())
                sock.close()
            finally:
                s.close()


class SignalTest(unittest.TestCase):
    def wait_log(self, s, text, timeout=5):
        deadline = time.time() + timeout
        while text not in s.log_text() and time.time() < deadline:
            time.sleep(0.05)
        return text in s.log_text()

    def test_sigusr1_reopens_the_log_file(self):
        s = Server()
        try:
            os.rename(s.log, s.log + ".1")
            s.proc.send_signal(signal.SIGUSR1)
            self.assertTrue(self.wait_log(s, "Reopened log file"))
            with open(s.log + ".1") as f:
                self.assertIn("Server is ready", f.read())
            self.assertNotIn("Server is ready", s.log_text())
        finally:
            s.close()

    def test_sighup_reloads_and_keeps_connections(self):
        s = Server()
        try:
            sock = s.connect()
            read_until(sock, b"\r\n")
            sock.sendall(b'CONNECT {"verbose":false}\r\nSUB a 1\r\nPING\r\n')
            read_until(sock, b"PONG")
            s.proc.send_signal(signal.SIGHUP)
            self.assertTrue(self.wait_log(s, "Reloaded server configuration"))
            sock.sendall(b"PUB a 2\r\nhi\r\nPING\r\n")
            self.assertIn(b"MSG a 1 2\r\nhi\r\n", read_until(sock, b"PONG"))
            sock.close()
        finally:
            s.close()

    def test_sigusr2_with_no_clients_exits_zero(self):
        s = Server()
        try:
            s.proc.send_signal(signal.SIGUSR2)
            self.assertEqual(s.proc.wait(timeout=5), 0)
            self.assertIn("Entering lame duck mode, stop accepting new clients", s.log_text())
        finally:
            s.close()

    def test_signal_command_with_pid_file_and_pid(self):
        with tempfile.TemporaryDirectory() as d:
            pid_file = os.path.join(d, "s.pid")
            s = Server("-P", pid_file)
            try:
                r = run(["--signal", "reload", "-P", pid_file])
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertTrue(self.wait_log(s, "Reloaded server configuration"))
                self.assertEqual(run(["--signal", "bogus=%d" % s.proc.pid]).returncode, 1)
                self.assertEqual(run(["--signal", "reload=notapid"]).returncode, 1)
                r = run(["--signal", "quit=%d" % s.proc.pid])
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(s.proc.wait(timeout=5), 0)
            finally:
                s.close()


if __name__ == "__main__":
    SERVER = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)

"""Shared by the process-level tests: start natrium-server (or any server with
nats-server's flags), wait for "Server is ready" in its log, talk to it, and
stop exactly the PID started. Standard library only."""
import json
import re
import signal
import socket
import subprocess
import time


def read_file(path):
    try:
        with open(path) as f:
            return f.read()
    except FileNotFoundError:
        return ""


def recv_until(sock, needle, timeout=5):
    """Bytes from `sock` until `needle` appears, the peer closes, or `timeout` passes."""
    sock.settimeout(timeout)
    data = b""
    deadline = time.time() + timeout
    while needle not in data and time.time() < deadline:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    return data


class ServerProcess:
    """`binary args...`, logging to `log`; ready once the log says so (10 s at most)."""

    def __init__(self, binary, args, log, cwd=None, env=None):
        self.log = log
        self.proc = subprocess.Popen([binary] + list(args), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     cwd=cwd, env=env)
        deadline = time.time() + 10
        while time.time() < deadline:
            text = self.log_text()
            m = re.search(r"Listening for client connections on [^\s]+:(\d+)", text)
            if m and "Server is ready" in text:
                self.port = int(m.group(1))
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        err = self.proc.stderr.read().decode() if self.proc.poll() is not None else ""
        self.stop(signal.SIGKILL)
        raise AssertionError("server did not start: " + self.log_text() + err)

    def log_text(self):
        return read_file(self.log)

    def wait_log(self, text, timeout=5):
        deadline = time.time() + timeout
        while text not in self.log_text() and time.time() < deadline:
            time.sleep(0.05)
        return text in self.log_text()

    def connect(self):
        return socket.create_connection(("127.0.0.1", self.port), timeout=5)

    def info(self):
        with self.connect() as s:
            line = recv_until(s, b"\r\n").split(b"\r\n")[0]
        assert line.startswith(b"INFO "), line
        return json.loads(line[5:])

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc.stderr:
            self.proc.stderr.close()
        return self.proc.returncode

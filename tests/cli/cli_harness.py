"""Shared by the `natrium` command-line tool's tests (tests/cli/*_test.py):
start a server (natrium-server or nats-server, with JetStream in a temp dir) on
a free port, run `natrium` against it, and stop exactly the PID started.
Standard library only.

    with Server(server_binary) as srv:
        r = run_cli(cli_binary, srv, "stream", "info", "ORDERS")
        assert r.rc == 0, r.err

Each test script takes CLI_BINARY SERVER_BINARY on its command line and runs
its test functions (names starting with test_) in order, printing one line
each, and exits 1 on the first failure (see main()).
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "native"))
from natrium_process import ServerProcess  # noqa: E402


class Result:
    def __init__(self, rc, out, err):
        self.rc, self.out, self.err = rc, out, err

    def __repr__(self):
        return f"rc={self.rc}\n--- stdout\n{self.out}\n--- stderr\n{self.err}"


class Server:
    """A server with JetStream (`-js -sd <temp>`) on a port it picks itself."""

    def __init__(self, binary, extra_args=()):
        self.binary = binary
        self.dir = tempfile.mkdtemp(prefix="natrium-cli-")
        log = os.path.join(self.dir, "server.log")
        self.proc = ServerProcess(binary, ["-a", "127.0.0.1", "-p", "-1", "-l", log, "-js", "-sd",
                                           os.path.join(self.dir, "store")] + list(extra_args), log)
        self.port = self.proc.port
        self.url = f"nats://127.0.0.1:{self.port}"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        self.proc.stop(signal.SIGTERM)
        shutil.rmtree(self.dir, ignore_errors=True)


def run_cli(cli, server, *args, input=None, timeout=30, env=None):
    """`natrium -s <server url> args...` (server may be None or a URL string); returns a Result."""
    e = dict(os.environ)
    e.pop("NATS_URL", None)
    e["NO_COLOR"] = "1"
    e["COLUMNS"] = "160"
    if env:
        e.update(env)
    cmd = [cli]
    if server is not None:
        cmd += ["-s", server if isinstance(server, str) else server.url]
    cmd += list(args)
    p = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=timeout, env=e)
    return Result(p.returncode, p.stdout, p.stderr)


def start_cli(cli, server, *args, env=None):
    """A long-running `natrium` (sub, reply, watch): a Popen with text pipes; stop it with stop_cli."""
    e = dict(os.environ)
    e.pop("NATS_URL", None)
    e["NO_COLOR"] = "1"
    if env:
        e.update(env)
    cmd = [cli, "-s", server if isinstance(server, str) else server.url] + list(args)
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=e)


def stop_cli(proc, timeout=5):
    """Stops a start_cli process (SIGINT, then SIGKILL); returns (rc, stdout, stderr)."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
    return proc.returncode, out, err


def wait_for(pred, timeout=5, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if pred():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def main(tests):
    """Runs `tests` (functions taking (cli, server_binary)) with sys.argv[1:3]."""
    if len(sys.argv) != 3:
        print(f"usage: {sys.argv[0]} CLI_BINARY SERVER_BINARY", file=sys.stderr)
        sys.exit(2)
    cli, server = sys.argv[1], sys.argv[2]
    for t in tests:
        started = time.time()
        try:
            t(cli, server)
        except Exception:  # noqa: BLE001 - report and fail
            traceback.print_exc()
            print(f"FAIL {t.__name__} ({time.time() - started:.1f}s)")
            sys.exit(1)
        print(f"ok   {t.__name__} ({time.time() - started:.1f}s)")

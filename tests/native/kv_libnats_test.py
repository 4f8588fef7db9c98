#!/usr/bin/env python3
"""Runs kv_libnats_test (the KV store through the C client libnats) against a
server started here with JetStream in a temp store directory.

Usage: kv_libnats_test.py SERVER KV_LIBNATS_TEST
SERVER is natrium-server or /usr/sbin/nats-server (same flags). The server
picks a free loopback port (-p -1), is stopped by its PID, and the temp
directory is removed. Exit status is the C program's. Standard library only.
"""
import os
import signal
import subprocess
import sys
import tempfile

from natrium_process import ServerProcess

CLIENT_TIMEOUT_S = 90

# libnats 3.4.1's kvStore_PurgeDeletes never frees the watch entries that are
# not markers; under the ASan presets LeakSanitizer would report them. Full
# malloc stacks let the suppression see the libnats frame.
LSAN_SUPPRESSIONS = "leak:kvStore_PurgeDeletes\n"


def client_env(tmp):
    supp = os.path.join(tmp, "lsan.supp")
    with open(supp, "w") as f:
        f.write(LSAN_SUPPRESSIONS)
    env = dict(os.environ)
    env["LSAN_OPTIONS"] = ":".join(filter(None, [env.get("LSAN_OPTIONS"), "suppressions=" + supp]))
    env["ASAN_OPTIONS"] = ":".join(filter(None, [env.get("ASAN_OPTIONS"), "fast_unwind_on_malloc=0"]))
    return env


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    server, client = sys.argv[1], sys.argv[2]
    with tempfile.TemporaryDirectory(prefix="natrium-kv-libnats-") as tmp:
        log = os.path.join(tmp, "server.log")
        store = os.path.join(tmp, "store")
        proc = ServerProcess(server, ["-a", "127.0.0.1", "-p", "-1", "-l", log, "-js", "-sd", store], log)
        try:
            url = "nats://127.0.0.1:%d" % proc.port
            print("server %s (pid %d) on %s" % (server, proc.proc.pid, url), flush=True)
            try:
                r = subprocess.run([client, url], timeout=CLIENT_TIMEOUT_S, env=client_env(tmp))
                rc = r.returncode
            except subprocess.TimeoutExpired:
                print("FAIL: %s did not finish within %d s" % (client, CLIENT_TIMEOUT_S), flush=True)
                rc = 1
            if rc != 0:
                print("--- server log (last 40 lines) ---")
                print("\n".join(proc.log_text().splitlines()[-40:]), flush=True)
        finally:
            proc.stop(signal.SIGTERM)
    return rc


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""natrium kv add|put|get|create|update|del|purge|ls|history|watch|status|rm
against a server (natrium-server or nats-server): exact revisions, exit codes,
and a watch that sees the initial values and then live changes in order."""
import json
import queue
import signal
import threading

from cli_harness import Server, main, run_cli, start_cli


def ok(r):
    assert r.rc == 0, r
    return r


def js(r):
    return json.loads(ok(r).out)


def test_round_trip(cli, server_bin):
    with Server(server_bin) as srv:
        r = ok(run_cli(cli, srv, "kv", "add", "cfg", "--history", "5", "--ttl", "1h", "--description", "settings"))
        assert "KV_cfg" in r.out and "settings" in r.out, r
        assert ok(run_cli(cli, srv, "kv", "put", "cfg", "a", "one")).out.strip() == "1"
        assert ok(run_cli(cli, srv, "kv", "put", "cfg", "a", "two")).out.strip() == "2"
        assert ok(run_cli(cli, srv, "kv", "put", "cfg", "b", input="from stdin")).out.strip() == "3"
        r = ok(run_cli(cli, srv, "kv", "get", "cfg", "a"))
        assert "cfg > a revision: 2" in r.out and "two" in r.out, r
        assert ok(run_cli(cli, srv, "kv", "get", "cfg", "a", "--raw")).out == "two"
        assert ok(run_cli(cli, srv, "kv", "get", "cfg", "a", "--revision", "1", "--raw")).out == "one"
        assert ok(run_cli(cli, srv, "kv", "get", "cfg", "b", "--raw")).out == "from stdin"
        e = js(run_cli(cli, srv, "kv", "get", "cfg", "a", "--json"))
        assert (e["key"], e["revision"], e["operation"], e["value"]) == ("a", 2, "PUT", "two"), e
        r = ok(run_cli(cli, srv, "kv", "history", "cfg", "a"))
        assert "one" in r.out and "two" in r.out, r

        ok(run_cli(cli, srv, "kv", "del", "cfg", "a", "-f"))
        r = run_cli(cli, srv, "kv", "get", "cfg", "a")
        assert r.rc == 1 and "key not found" in r.err, r
        h = js(run_cli(cli, srv, "kv", "history", "cfg", "a", "--json"))
        assert [(x["revision"], x["operation"]) for x in h] == [(1, "PUT"), (2, "PUT"), (4, "DEL")], h

        ok(run_cli(cli, srv, "kv", "purge", "cfg", "b", "-f"))
        h = js(run_cli(cli, srv, "kv", "history", "cfg", "b", "--json"))
        assert [(x["revision"], x["operation"]) for x in h] == [(5, "PURGE")], h
        r = run_cli(cli, srv, "kv", "get", "cfg", "b")
        assert r.rc == 1 and "key not found" in r.err, r

        assert ok(run_cli(cli, srv, "kv", "put", "cfg", "c", "three")).out.strip() == "6"
        assert js(run_cli(cli, srv, "kv", "ls", "cfg", "--json")) == ["c"]
        assert ok(run_cli(cli, srv, "kv", "ls", "cfg")).out.split() == ["c"]
        buckets = js(run_cli(cli, srv, "kv", "ls", "--json"))
        assert [b["bucket"] for b in buckets] == ["cfg"], buckets
        r = ok(run_cli(cli, srv, "kv", "ls"))
        assert "cfg" in r.out and "settings" in r.out, r

        st = js(run_cli(cli, srv, "kv", "status", "cfg", "--json"))
        assert (st["bucket"], st["stream"], st["history"], st["ttl"]) == ("cfg", "KV_cfg", 5, 3600 * 10**9), st
        assert st["values"] == 5 and st["storage"] == "file" and st["replicas"] == 1, st  # a1 a2 a4 b5 c6
        r = ok(run_cli(cli, srv, "kv", "status", "cfg"))
        assert "KV_cfg" in r.out and "1h0m0s" in r.out, r

        r = run_cli(cli, srv, "kv", "rm", "cfg")  # no terminal, no -f: refused
        assert r.rc == 2 and "-f" in r.err, r
        ok(run_cli(cli, srv, "kv", "rm", "cfg", "-f"))
        r = run_cli(cli, srv, "kv", "status", "cfg")
        assert r.rc == 1 and "bucket cfg not found" in r.err, r
        assert js(run_cli(cli, srv, "kv", "ls", "--json")) == []


def test_create_update_and_limits(cli, server_bin):
    with Server(server_bin) as srv:
        ok(run_cli(cli, srv, "kv", "add", "m", "--storage", "memory", "--max-value-size", "128",
                   "--max-bucket-size", "1MB"))
        st = js(run_cli(cli, srv, "kv", "status", "m", "--json"))
        assert (st["storage"], st["max_value_size"], st["max_bucket_size"]) == ("memory", 128, 1024 * 1024), st
        assert ok(run_cli(cli, srv, "kv", "create", "m", "x", "v1")).out.strip() == "1"
        r = run_cli(cli, srv, "kv", "create", "m", "x", "again")
        assert r.rc == 1, r
        assert ok(run_cli(cli, srv, "kv", "update", "m", "x", "v2", "1")).out.strip() == "2"
        r = run_cli(cli, srv, "kv", "update", "m", "x", "v3", "1")
        assert r.rc == 1, r
        r = run_cli(cli, srv, "kv", "put", "m", "y", "x" * 300)  # over --max-value-size
        assert r.rc == 1, r
        assert ok(run_cli(cli, srv, "kv", "get", "m", "x", "--raw")).out == "v2"
        r = run_cli(cli, srv, "kv", "get", "nope", "x")
        assert r.rc == 1 and "bucket nope not found" in r.err, r
        r = run_cli(cli, srv, "kv", "add", "bad", "--storage", "tape")
        assert r.rc == 2, r


class LineReader:
    """The lines a start_cli process prints, read by a thread (select() on a
    buffered pipe misses lines already in Python's buffer)."""

    def __init__(self, proc):
        self.lines = queue.Queue()
        self.thread = threading.Thread(target=self._run, args=(proc.stdout,), daemon=True)
        self.thread.start()

    def _run(self, stream):
        for line in stream:
            self.lines.put(line.rstrip("\n"))

    def next(self, timeout=10):
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError("watch printed nothing") from None

    def rest(self):
        self.thread.join(timeout=10)
        out = []
        while not self.lines.empty():
            out.append(self.lines.get())
        return out


def test_watch(cli, server_bin):
    with Server(server_bin) as srv:
        ok(run_cli(cli, srv, "kv", "add", "w", "--history", "3"))
        ok(run_cli(cli, srv, "kv", "put", "w", "a", "1"))
        ok(run_cli(cli, srv, "kv", "put", "w", "b", "2"))
        p = start_cli(cli, srv, "kv", "watch", "w", "--count", "4")
        reader = LineReader(p)
        try:
            first = [reader.next(), reader.next()]
            ok(run_cli(cli, srv, "kv", "put", "w", "c", "3"))
            ok(run_cli(cli, srv, "kv", "del", "w", "a", "-f"))
            rc = p.wait(timeout=10)
            rest = reader.rest()
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        assert rc == 0, (rc, p.stderr.read())
        lines = first + rest
        tails = [line.split("] ", 1)[1] for line in lines]
        assert tails == ["PUT w > a: 1", "PUT w > b: 2", "PUT w > c: 3", "DEL w > a"], lines
        assert all(line.startswith("[") for line in lines), lines

        # a key filter, and SIGINT ends the watch cleanly
        p = start_cli(cli, srv, "kv", "watch", "w", "c")
        reader = LineReader(p)
        try:
            assert reader.next().endswith("PUT w > c: 3")
            p.send_signal(signal.SIGINT)
            rc = p.wait(timeout=10)
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
        assert rc == 0 and reader.rest() == [], (rc, p.stderr.read())


if __name__ == "__main__":
    main([test_round_trip, test_create_update_and_limits, test_watch])

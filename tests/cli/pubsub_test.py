#!/usr/bin/env python3
"""natrium pub|sub|request|reply against a server (natrium-server or nats-server)."""
import json
import signal
import subprocess
import threading

from cli_harness import Server, main, run_cli, start_cli, wait_for


class Background:
    """A long-running natrium (sub, reply) whose output is collected as it comes, so a
    test can wait for "Subscribing on" before publishing. Killed on exit if still running."""

    def __init__(self, cli, srv, *args):
        self.proc = start_cli(cli, srv, *args)
        self.out, self.err = [], []
        self.pumps = [threading.Thread(target=self._pump, args=(f, into), daemon=True)
                      for f, into in ((self.proc.stdout, self.out), (self.proc.stderr, self.err))]
        for t in self.pumps:
            t.start()

    @staticmethod
    def _pump(f, into):
        for line in f:
            into.append(line)

    def stdout(self):
        return "".join(self.out)

    def stderr(self):
        return "".join(self.err)

    def wait_ready(self, text, timeout=10):
        wait_for(lambda: text in self.stderr() or self.proc.poll() is not None, timeout, f"'{text}'")
        assert self.proc.poll() is None, f"exited early rc={self.proc.returncode}\n{self.stdout()}\n{self.stderr()}"

    def wait(self, timeout=10):
        """Waits for the process to exit by itself; returns its exit code."""
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running after {timeout}s\n{self.stdout()}\n{self.stderr()}")
        for t in self.pumps:
            t.join(5)
        return rc

    def stop(self, sig=signal.SIGINT, timeout=5):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.wait(timeout)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def test_pub_sub_round_trip(cli, server_bin):
    with Server(server_bin) as srv:
        with Background(cli, srv, "sub", "orders.>", "--count", "3") as sub:
            sub.wait_ready("Subscribing on orders.>")
            r = run_cli(cli, srv, "pub", "orders.new", "order {{Count}}", "--count", "3")
            assert r.rc == 0, r
            assert "Published 3 messages" in r.out, r
            assert sub.wait() == 0, sub.stderr()
            out = sub.stdout()
        assert '[#1] Received on "orders.new"' in out, out
        assert '[#3] Received on "orders.new"' in out, out
        i1, i2, i3 = out.index("order 1\n"), out.index("order 2\n"), out.index("order 3\n")
        assert i1 < i2 < i3, out
        assert "[#4]" not in out, out


def test_pub_single_and_templates(cli, server_bin):
    with Server(server_bin) as srv:
        with Background(cli, srv, "sub", "t", "--count", "2", "--raw") as sub:
            sub.wait_ready("Subscribing on t")
            r = run_cli(cli, srv, "pub", "t", "{{ID}}|{{TimeStamp}}|{{Random(3,3)}}|{{Unknown}}")
            assert r.rc == 0, r
            assert 'Published' in r.out and 'bytes to "t"' in r.out, r
            r = run_cli(cli, srv, "pub", "t", "--quiet", "{{.Count}}")
            assert r.rc == 0 and r.out == "", r
            assert sub.wait() == 0, sub.stderr()
            lines = sub.stdout().splitlines()
        assert len(lines) == 2, lines
        ident, stamp, rnd, unknown = lines[0].split("|")
        assert len(ident) >= 16 and ident.isalnum(), ident
        assert len(stamp) == 20 and stamp[4] == "-" and stamp[10] == "T" and stamp.endswith("Z"), stamp
        assert rnd == "3" and unknown == "{{Unknown}}", lines
        assert lines[1] == "1", lines


def test_pub_body_from_stdin(cli, server_bin):
    with Server(server_bin) as srv:
        with Background(cli, srv, "sub", "in", "--count", "2", "--raw") as sub:
            sub.wait_ready("Subscribing on in")
            r = run_cli(cli, srv, "pub", "in", input="from stdin\n")
            assert r.rc == 0, r
            r = run_cli(cli, srv, "pub", "in", "-", input="dash\n")
            assert r.rc == 0, r
            assert sub.wait() == 0, sub.stderr()
            assert sub.stdout() == "from stdin\ndash\n", sub.stdout()


def test_headers_shown(cli, server_bin):
    with Server(server_bin) as srv:
        with Background(cli, srv, "sub", "h.*", "--count", "2") as sub:
            sub.wait_ready("Subscribing on h.*")
            r = run_cli(cli, srv, "pub", "h.a", "with headers", "-H", "Trace-Id:abc", "-H", "Seq: {{Count}}",
                        "--reply", "answers")
            assert r.rc == 0, r
            r = run_cli(cli, srv, "pub", "h.b", "plain")
            assert r.rc == 0, r
            assert sub.wait() == 0, sub.stderr()
            out = sub.stdout()
        assert '[#1] Received on "h.a" with reply "answers"\nTrace-Id: abc\nSeq: 1\n\nwith headers\n' in out, out
        assert '[#2] Received on "h.b"\nplain\n' in out, out
        with Background(cli, srv, "--json", "sub", "j", "--count", "1") as sub:
            sub.wait_ready("Subscribing on j")
            assert run_cli(cli, srv, "pub", "j", "body", "-H", "K:v").rc == 0
            assert sub.wait() == 0, sub.stderr()
            j = json.loads(sub.stdout())
        assert j["subject"] == "j" and j["data"] == "body" and j["headers"] == {"K": ["v"]}, j
        r = run_cli(cli, srv, "pub", "j", "x", "-H", "no-colon")
        assert r.rc == 2 and "key:value" in r.err, r


def test_queue_group_shares_messages(cli, server_bin):
    with Server(server_bin) as srv:
        with Background(cli, srv, "sub", "work", "--queue", "q", "--raw") as a, \
                Background(cli, srv, "sub", "work", "--queue", "q", "--raw") as b:
            a.wait_ready("in group q")
            b.wait_ready("in group q")
            r = run_cli(cli, srv, "pub", "work", "job {{Count}}", "--count", "10")
            assert r.rc == 0, r
            wait_for(lambda: len(a.stdout().splitlines()) + len(b.stdout().splitlines()) >= 10, 10, "10 jobs")
            assert a.stop() == 0, a.stderr()
            assert b.stop(signal.SIGTERM) == 0, b.stderr()
            got = a.stdout().splitlines() + b.stdout().splitlines()
        assert sorted(got) == sorted(f"job {i}" for i in range(1, 11)), got


def test_request_reply(cli, server_bin):
    with Server(server_bin) as srv:
        with Background(cli, srv, "reply", "svc", "answer {{Count}} to {{Request}}", "--count", "1") as rep:
            rep.wait_ready('Listening on "svc"')
            r = run_cli(cli, srv, "request", "svc", "hello")
            assert r.rc == 0, r
            assert "Received with rtt" in r.out and "answer 1 to hello" in r.out, r
            assert rep.wait() == 0, rep.stderr()
            assert '[#1] Received on "svc" with reply' in rep.stdout() and "hello" in rep.stdout(), rep.stdout()
        with Background(cli, srv, "reply", "echo", "--echo", "--count", "1") as rep:
            rep.wait_ready('Listening on "echo"')
            r = run_cli(cli, srv, "request", "echo", "ping", "-H", "Who:me", "--raw")
            assert r.rc == 0 and r.out == "ping\n", r
            r2 = run_cli(cli, srv, "--timeout", "300ms", "request", "echo", "again")
            assert r2.rc == 1, r2  # the responder has exited after --count 1
            assert rep.wait() == 0, rep.stderr()


def test_request_echo_headers(cli, server_bin):
    with Server(server_bin) as srv:
        with Background(cli, srv, "reply", "echo", "--echo", "--count", "1") as rep:
            rep.wait_ready('Listening on "echo"')
            r = run_cli(cli, srv, "request", "echo", "body", "-H", "Who:me")
            assert r.rc == 0, r
            assert "Who: me\n\nbody\n" in r.out, r
            assert rep.wait() == 0, rep.stderr()


def test_request_without_responders(cli, server_bin):
    with Server(server_bin) as srv:
        r = run_cli(cli, srv, "request", "nobody.home", "hi")
        assert r.rc == 1, r
        assert "no responders" in r.err, r
        # Something subscribed that never answers: a timeout, also exit 1.
        with Background(cli, srv, "sub", "silent") as sub:
            sub.wait_ready("Subscribing on silent")
            r = run_cli(cli, srv, "--timeout", "300ms", "request", "silent", "hi")
            assert r.rc == 1, r
            assert "no reply" in r.err, r
            assert sub.stop(signal.SIGTERM) == 0, sub.stderr()


if __name__ == "__main__":
    main([test_pub_sub_round_trip, test_pub_single_and_templates, test_pub_body_from_stdin, test_headers_shown,
          test_queue_group_shares_messages, test_request_reply, test_request_echo_headers,
          test_request_without_responders])

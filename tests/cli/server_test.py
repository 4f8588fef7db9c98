#!/usr/bin/env python3
"""natrium server info|ping|check against a server (natrium-server or nats-server)."""
import json
import os
import subprocess
import tempfile

from cli_harness import Server, main, run_cli, wait_for


def test_info_table_and_json(cli, server_bin):
    with Server(server_bin) as srv:
        r = run_cli(cli, srv, "server", "info")
        assert r.rc == 0, r
        assert f"Server {srv.url}" in r.out, r
        assert "JetStream" in r.out and "enabled" in r.out, r
        r = run_cli(cli, srv, "server", "info", "--json")
        assert r.rc == 0, r
        j = json.loads(r.out)
        assert j["url"] == srv.url, j
        assert j["jetstream"]["streams"] == 0, j


def test_unreachable_server_exits_1(cli, server_bin):
    with Server(server_bin) as srv:
        url = srv.url
    r = run_cli(cli, url, "--timeout", "1s", "server", "info")
    assert r.rc == 1, r
    assert "could not connect" in r.err, r


def test_usage_errors_exit_2(cli, server_bin):
    r = run_cli(cli, None)
    assert r.rc == 2, r
    r = run_cli(cli, None, "--timeout", "soon", "server", "info")
    assert r.rc == 2, r


def test_ping(cli, server_bin):
    with Server(server_bin) as srv:
        r = run_cli(cli, srv, "server", "ping", "--count", "3", "--interval", "0s")
        assert r.rc == 0, r
        assert r.out.count("seq=") == 3 and "3 pings, rtt min/avg/max = " in r.out, r
        r = run_cli(cli, srv, "--json", "server", "ping", "--count", "2", "--interval", "1ms")
        assert r.rc == 0, r
        j = json.loads(r.out)
        assert len(j["rtt_ns"]) == 2 and 0 < j["min_ns"] <= j["avg_ns"] <= j["max_ns"], j


def check(cli, srv, *args):
    return run_cli(cli, srv, "--timeout", "2s", "server", "check", *args)


def test_check_connection(cli, server_bin):
    with Server(server_bin) as srv:
        r = check(cli, srv, "connection")
        assert r.rc == 0, r
        assert r.out.startswith("OK Connection ") and " | connect_time=" in r.out and " rtt=" in r.out, r
        r = check(cli, srv, "connection", "--rtt-warn", "0s")
        assert r.rc == 1 and r.out.startswith("WARNING Connection WARNING:rtt "), r
        r = check(cli, srv, "connection", "--rtt-warn", "0s", "--rtt-critical", "0s")
        assert r.rc == 2 and r.out.startswith("CRITICAL Connection"), r
        r = check(cli, srv, "connection", "--rtt-warn", "soon")
        assert r.rc == 3 and r.out.startswith("UNKNOWN Connection"), r
        r = check(cli, srv, "--json", "connection")
        assert r.rc == 0 and json.loads(r.out)["status"] == "OK", r
        url = srv.url
    r = check(cli, url, "connection")
    assert r.rc == 2, r
    assert r.out.startswith("CRITICAL Connection CRITICAL:could not connect"), r


def test_check_jetstream(cli, server_bin):
    with Server(server_bin) as srv:
        r = check(cli, srv, "jetstream")
        assert r.rc == 0 and r.out.startswith("OK JetStream"), r
        r = check(cli, srv, "jetstream", "--streams-warn", "0")
        assert r.rc == 1 and "WARNING:streams 0>=0" in r.out, r
        r = check(cli, srv, "jetstream", "--consumers-critical", "0")
        assert r.rc == 2, r


def js_request(cli, srv, api, body):
    r = run_cli(cli, srv, "request", "--raw", "$JS.API." + api, json.dumps(body))
    assert r.rc == 0, r
    reply = json.loads(r.out)
    assert "error" not in reply, reply
    return reply


def test_check_stream_and_consumer_lag(cli, server_bin):
    with Server(server_bin) as srv:
        # Created with natrium's own request command through the JetStream API.
        js_request(cli, srv, "STREAM.CREATE.S", {"name": "S", "subjects": ["s.>"], "storage": "memory"})
        js_request(cli, srv, "CONSUMER.DURABLE.CREATE.S.C",
                   {"stream_name": "S", "config": {"durable_name": "C", "ack_policy": "explicit",
                                                   "deliver_policy": "all"}})
        r = run_cli(cli, srv, "pub", "s.a", "m {{Count}}", "--count", "5")
        assert r.rc == 0, r
        wait_for(lambda: check(cli, srv, "consumer", "--stream", "S", "--consumer", "C").out.find("pending 5") > 0,
                 5, "5 pending")

        r = check(cli, srv, "stream", "--stream", "S")
        assert r.rc == 0 and r.out.startswith("OK Stream S OK:messages 5"), r
        r = check(cli, srv, "stream", "--stream", "S", "--msgs-warn", "5", "--lag-critical", "1")
        assert r.rc == 1 and "WARNING:messages 5>=5" in r.out, r
        r = check(cli, srv, "stream", "--stream", "NOPE")
        assert r.rc == 2 and r.out.startswith("CRITICAL Stream NOPE"), r

        cc = ("consumer", "--stream", "S", "--consumer", "C")
        r = check(cli, srv, *cc)
        assert r.rc == 0 and r.out.startswith("OK Consumer S > C"), r
        assert "pending=5;;" not in r.out and " pending=5 " in r.out, r
        r = check(cli, srv, *cc, "--pending-warn", "3", "--pending-critical", "10")
        assert r.rc == 1 and "WARNING:pending 5>=3" in r.out and "pending=5;3;10" in r.out, r
        r = check(cli, srv, *cc, "--pending-warn", "3", "--pending-critical", "5")
        assert r.rc == 2 and "CRITICAL:pending 5>=5" in r.out, r
        r = check(cli, srv, *cc, "--pending-warn", "6")
        assert r.rc == 0, r

        # Pull one message without acking it: 4 pending, 1 awaiting its ack.
        r = run_cli(cli, srv, "request", "--raw", "$JS.API.CONSUMER.MSG.NEXT.S.C", '{"batch":1}')
        assert r.rc == 0 and r.out == "m 1\n", r
        wait_for(lambda: "ack_pending=1" in check(cli, srv, *cc).out, 5, "1 ack pending")
        r = check(cli, srv, *cc, "--ack-pending-warn", "1", "--pending-critical", "5")
        assert r.rc == 1 and "WARNING:ack pending 1>=1" in r.out and "OK:pending 4" in r.out, r
        r = check(cli, srv, *cc, "--ack-outstanding-critical", "1")
        assert r.rc == 2, r

        r = check(cli, srv, "consumer", "--stream", "S", "--consumer", "NOPE")
        assert r.rc == 2 and r.out.startswith("CRITICAL Consumer S > NOPE"), r


def test_completion(cli, server_bin):
    r = run_cli(cli, None, "completion", "bash")
    assert r.rc == 0, r
    for word in ("pub", "sub", "request", "reply", "server", "check", "--pending-critical", "complete -o default"):
        assert word in r.out, word
    with tempfile.TemporaryDirectory() as d:
        script = os.path.join(d, "natrium.bash")
        with open(script, "w") as f:
            f.write(r.out)

        def complete(*words):
            cmd = (f'source {script}; COMP_WORDS=({" ".join(repr(w) for w in words)}); '
                   f'COMP_CWORD={len(words) - 1}; _natrium; echo "${{COMPREPLY[*]}}"')
            p = subprocess.run(["bash", "-c", cmd], capture_output=True, text=True, timeout=10)
            assert p.returncode == 0, p.stderr
            return p.stdout.split()

        assert complete("natrium", "ser") == ["server"]
        assert complete("natrium", "server", "ch") == ["check"]
        assert complete("natrium", "-s", "nats://x:1", "server", "check", "consumer", "--pend") == \
            ["--pending-warn", "--pending-critical"]
        assert "--timeout" in complete("natrium", "sub", "--t")
        assert set(complete("natrium", "server", "")) == {"info", "ping", "check"}
    r = run_cli(cli, None, "completion", "zsh")
    assert r.rc == 0 and "compdef _natrium natrium" in r.out and "'server:" in r.out, r
    r = run_cli(cli, None, "completion", "fish")
    assert r.rc == 2, r


if __name__ == "__main__":
    main([test_info_table_and_json, test_unreachable_server_exits_1, test_usage_errors_exit_2, test_ping,
          test_check_connection, test_check_jetstream, test_check_stream_and_consumer_lag, test_completion])

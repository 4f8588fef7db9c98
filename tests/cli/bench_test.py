#!/usr/bin/env python3
"""natrium bench: smoke runs with tiny counts against natrium-server (numbers
are never asserted, only that each run checked what it received and exited 0,
and the shape of the table, --json and --csv output), plus --compare against
a second server."""
import json
import os
import tempfile

from cli_harness import Server, main, run_cli


def bench(cli, srv, *args, timeout=20):
    r = run_cli(cli, srv, "bench", *args, timeout=timeout)
    assert r.rc == 0, r
    return r


def test_core_pubsub(cli, server_bin):
    with Server(server_bin) as srv:
        r = bench(cli, srv, "bench.core", "--pub", "1", "--sub", "1", "--msgs", "2000")
        assert "natrium bench (pubsub)" in r.out, r
        for col in ("Role", "Msgs/s", "MB/s", "p50", "p99"):
            assert col in r.out, r
        lines = [line for line in r.out.splitlines() if "│ pub" in line or "│ sub" in line]
        assert len(lines) == 2 and all("2,000" in line for line in lines), r
        # several clients: an "all" row per role
        r = bench(cli, srv, "bench.core", "--pub", "2", "--sub", "2", "--msgs", "2000", "--size", "16")
        assert sum("│ all" in line for line in r.out.splitlines()) == 2, r
        # publishers only
        bench(cli, srv, "bench.core", "--pub", "1", "--msgs", "2000")


def test_request_reply(cli, server_bin):
    with Server(server_bin) as srv:
        r = bench(cli, srv, "bench.rr", "--request", "--msgs", "200")
        assert "natrium bench (request)" in r.out and "req" in r.out and "rep" in r.out, r
        r = bench(cli, srv, "bench.rr", "--request", "--pub", "2", "--sub", "2", "--msgs", "200", "--json")
        j = json.loads(r.out)
        assert j["mode"] == "request" and j["ok"] is True, j
        assert {"reqs_per_s", "p50_us", "p90_us", "p99_us"} <= set(j["metrics"]), j
        assert sum(row["msgs"] for row in j["rows"] if row["role"] == "req" and row["client"] != "all") == 200, j


def test_request_without_repliers_fails(cli, server_bin):
    with Server(server_bin) as srv:
        r = run_cli(cli, srv, "--timeout", "1s", "bench", "bench.none", "--request", "--sub", "0", "--msgs", "10")
        assert r.rc == 1, r
        assert "no responders" in r.err, r


def test_js_sync_and_async(cli, server_bin):
    with Server(server_bin) as srv:
        r = bench(cli, srv, "bench.js", "--js", "--sync", "--msgs", "500")
        assert "natrium bench (js)" in r.out and "sync" in r.out, r
        r = bench(cli, srv, "bench.js", "--js", "--msgs", "500", "--inflight", "64", "--pull", "--json")
        j = json.loads(r.out)
        assert {"pub_msgs_per_s", "ack_p50_us", "ack_p99_us", "pull_msgs_per_s"} <= set(j["metrics"]), j
        assert [row["msgs"] for row in j["rows"]] == [500, 500], j
        # the stream was deleted afterwards
        r = run_cli(cli, srv, "stream", "info", "benchstream")
        assert r.rc == 1, r


def test_js_keep_and_purge(cli, server_bin):
    with Server(server_bin) as srv:
        bench(cli, srv, "bench.keep", "--js", "--msgs", "100", "--stream", "KEEP", "--keep", "--storage", "memory")
        r = run_cli(cli, srv, "bench", "bench.keep", "--js", "--msgs", "100", "--stream", "KEEP")
        assert r.rc == 1 and "already exists" in r.err, r
        bench(cli, srv, "bench.keep", "--js", "--msgs", "100", "--stream", "KEEP", "--purge", "--pull", "--sub", "2",
              "--pub", "2")


def test_kv(cli, server_bin):
    with Server(server_bin) as srv:
        r = bench(cli, srv, "unused", "--kv", "--msgs", "200")
        assert "natrium bench (kv)" in r.out and "put" in r.out and "get" in r.out, r
        r = bench(cli, srv, "unused", "--kv", "--msgs", "200", "--sync", "--pub", "2", "--json")
        j = json.loads(r.out)
        assert {"puts_per_s", "put_p50_us", "gets_per_s", "get_p50_us", "get_p99_us"} <= set(j["metrics"]), j


def test_json_keys(cli, server_bin):
    with Server(server_bin) as srv:
        r = bench(cli, srv, "bench.json", "--pub", "1", "--sub", "1", "--msgs", "1000", "--json")
        j = json.loads(r.out)
        for key in ("mode", "description", "server", "rows", "metrics", "ok"):
            assert key in j, j
        assert j["server"] == srv.url, j
        assert {"pub_msgs_per_s", "pub_mb_per_s", "sub_msgs_per_s", "sub_mb_per_s", "p50_us", "p90_us",
                "p99_us"} <= set(j["metrics"]), j
        for row in j["rows"]:
            assert {"role", "client", "msgs", "bytes", "elapsed_s", "msgs_per_s", "mb_per_s"} <= set(row), row
            assert row["msgs"] == 1000, row


def test_csv(cli, server_bin):
    with Server(server_bin) as srv, tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "out.csv")
        bench(cli, srv, "bench.csv", "--pub", "1", "--sub", "1", "--msgs", "1000", "--csv", path)
        with open(path) as f:
            lines = f.read().splitlines()
        assert lines[0].startswith("server,run,mode,role,client,msgs,bytes,elapsed_s,msgs_per_s,mb_per_s,p50_us"), lines
        assert len(lines) == 3, lines
        assert lines[1].startswith(srv.url + ",1,pubsub,pub,1,1000,"), lines


def test_compare(cli, server_bin):
    with Server(server_bin) as a, Server(server_bin) as b, tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "cmp.csv")
        r = bench(cli, a, "bench.cmp", "--pub", "1", "--sub", "1", "--msgs", "2000", "--compare", b.url,
                  "--rounds", "2", "--csv", path)
        assert "A/B" in r.out and "Better" in r.out, r
        assert f"A: {a.url}" in r.out and f"B: {b.url}" in r.out, r
        rows = [line for line in r.out.splitlines() if "sub msgs/s" in line]
        assert len(rows) == 1 and "higher" in rows[0], r
        assert any("p50" in line and "lower" in line for line in r.out.splitlines()), r
        assert "A round 2/2" in r.err and "B round 2/2" in r.err, r
        with open(path) as f:
            lines = f.read().splitlines()
        assert len(lines) == 1 + 2 * 2 * 2, lines  # header + 2 rounds x 2 servers x (pub, sub)
        r = bench(cli, a, "bench.cmp", "--request", "--msgs", "200", "--compare", b.url, "--rounds", "1", "--json")
        j = json.loads(r.out)
        assert j["a"]["url"] == a.url and j["b"]["url"] == b.url and j["rounds"] == 1, j
        m = {x["key"]: x for x in j["metrics"]}
        assert m["reqs_per_s"]["higher_is_better"] is True and m["p50_us"]["higher_is_better"] is False, m
        assert m["p50_us"]["ratio"] is not None, m
        r = bench(cli, a, "bench.cmpjs", "--js", "--msgs", "200", "--compare", b.url, "--rounds", "1")
        assert "ack p50" in r.out, r


def test_usage_errors(cli, server_bin):
    with Server(server_bin) as srv:
        for args in (["x", "--js", "--kv"], ["x", "--pull"], ["x.*", "--pub", "1"], ["x", "--size", "lots"],
                     ["x", "--js", "--keep", "--compare", srv.url]):
            r = run_cli(cli, srv, "bench", *args)
            assert r.rc == 2, (args, r)


if __name__ == "__main__":
    main([test_core_pubsub, test_request_reply, test_request_without_repliers_fails, test_js_sync_and_async,
          test_js_keep_and_purge, test_kv, test_json_keys, test_csv, test_compare, test_usage_errors])

#!/usr/bin/env python3
"""natrium stream add|edit|info|ls|rm|purge|get|view|report against a server
(natrium-server or nats-server): only what both servers do is asserted."""
import base64
import json
import os
import sys

from cli_harness import Server, main, run_cli

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "native"))
from nats_wire import Client  # noqa: E402

NS_PER_DAY = 86400 * 10**9


def publish(srv, subject_bodies):
    """Publishes (subject, body, headers-or-None) and waits for each PubAck; returns the sequences."""
    c = Client(srv.port)
    try:
        seqs = []
        for subject, body, headers in subject_bodies:
            r = c.request(subject, body.encode(), headers=headers)
            ack = json.loads(r.payload)
            assert "error" not in ack, ack
            seqs.append(ack["seq"])
        return seqs
    finally:
        c.close()


def header(k, v):
    return f"NATS/1.0\r\n{k}: {v}\r\n\r\n".encode()


def add_orders(cli, srv, *extra):
    r = run_cli(cli, srv, "stream", "add", "ORDERS", "--subjects", "orders.>", "--storage", "file", "--retention",
                "limits", "--max-age", "7d", "--replicas", "1", "--defaults", *extra)
    assert r.rc == 0, r
    return r


def info_json(cli, srv, name):
    r = run_cli(cli, srv, "stream", "info", name, "--json")
    assert r.rc == 0, r
    return json.loads(r.out)


def test_add_and_info(cli, server_bin):
    with Server(server_bin) as srv:
        r = add_orders(cli, srv)
        assert "Stream ORDERS was created" in r.out, r
        r = run_cli(cli, srv, "stream", "info", "ORDERS")
        assert r.rc == 0, r
        for text in ("Information for Stream ORDERS", "Subjects: orders.>", "Storage: File", "Retention: Limits",
                     "Maximum Age: 7d", "Maximum Messages: unlimited", "Replicas: 1", "State:", "Messages: 0"):
            assert text in r.out, (text, r)
        j = info_json(cli, srv, "ORDERS")
        c = j["config"]
        assert c["name"] == "ORDERS" and c["subjects"] == ["orders.>"], c
        assert c["storage"] == "file" and c["retention"] == "limits", c
        assert c["max_age"] == 7 * NS_PER_DAY and c["num_replicas"] == 1, c
        assert j["state"]["messages"] == 0, j


def test_add_every_limit(cli, server_bin):
    with Server(server_bin) as srv:
        r = run_cli(cli, srv, "stream", "add", "JOBS", "--subjects", "jobs.new,jobs.retry", "--subjects", "jobs.dead",
                    "--storage", "memory", "--retention", "workq", "--discard", "new", "--max-msgs", "1000",
                    "--max-bytes", "1MiB", "--max-msg-size", "1KB", "--max-msgs-per-subject", "50",
                    "--max-consumers", "10", "--dupe-window", "1m", "--description", "job queue", "--allow-rollup",
                    "--deny-delete", "--defaults")
        assert r.rc == 0, r
        c = info_json(cli, srv, "JOBS")["config"]
        assert c["subjects"] == ["jobs.new", "jobs.retry", "jobs.dead"], c
        assert c["storage"] == "memory" and c["retention"] == "workqueue" and c["discard"] == "new", c
        assert c["max_msgs"] == 1000 and c["max_bytes"] == 1024 * 1024 and c["max_msg_size"] == 1024, c
        assert c["max_msgs_per_subject"] == 50 and c["max_consumers"] == 10, c
        assert c["duplicate_window"] == 60 * 10**9 and c["description"] == "job queue", c
        assert c["allow_rollup_hdrs"] and c["deny_delete"] and not c.get("deny_purge", False), c
        r = run_cli(cli, srv, "stream", "info", "JOBS")
        for text in ("Retention: WorkQueue", "Storage: Memory", "Maximum Bytes: 1.0 MiB", "Maximum Messages: 1,000",
                     "Description: job queue", "Discard Policy: New", "Allows Msg Delete: false", "Allows Rollups: true"):
            assert text in r.out, (text, r)


def test_add_without_subjects(cli, server_bin):
    with Server(server_bin) as srv:
        # No terminal and no --defaults: the missing subjects are a usage error, nothing is created.
        r = run_cli(cli, srv, "stream", "add", "EVENTS", input="")
        assert r.rc == 2 and "--subjects" in r.err, r
        r = run_cli(cli, srv, "stream", "info", "EVENTS")
        assert r.rc == 1 and "stream EVENTS not found" in r.err, r
        # --defaults: the server's default subject, the stream's name.
        r = run_cli(cli, srv, "stream", "add", "EVENTS", "--defaults")
        assert r.rc == 0, r
        assert info_json(cli, srv, "EVENTS")["config"]["subjects"] == ["EVENTS"]
        r = run_cli(cli, srv, "stream", "add", "--defaults", input="")
        assert r.rc == 2 and "NAME" in r.err, r


def test_ls(cli, server_bin):
    with Server(server_bin) as srv:
        r = run_cli(cli, srv, "stream", "ls")
        assert r.rc == 0 and "No streams defined" in r.out, r
        add_orders(cli, srv, "--description", "all orders")
        r = run_cli(cli, srv, "stream", "add", "AUDIT", "--subjects", "audit.>", "--defaults")
        assert r.rc == 0, r
        publish(srv, [("orders.new", "x", None)])
        r = run_cli(cli, srv, "stream", "ls")
        assert r.rc == 0, r
        row = [line for line in r.out.splitlines() if "ORDERS" in line]
        assert len(row) == 1 and "all orders" in row[0], r
        cells = [c.strip() for c in row[0].split("│")[1:-1]]
        assert cells[3] == "1", cells  # messages
        assert "AUDIT" in r.out, r
        r = run_cli(cli, srv, "stream", "ls", "--names")
        assert r.rc == 0 and sorted(r.out.split()) == ["AUDIT", "ORDERS"], r
        r = run_cli(cli, srv, "stream", "ls", "--names", "--subject", "audit.x")
        assert r.rc == 0 and r.out.split() == ["AUDIT"], r
        r = run_cli(cli, srv, "stream", "ls", "--json")
        assert r.rc == 0, r
        assert sorted(s["config"]["name"] for s in json.loads(r.out)) == ["AUDIT", "ORDERS"], r


def test_edit(cli, server_bin):
    with Server(server_bin) as srv:
        add_orders(cli, srv)
        r = run_cli(cli, srv, "stream", "edit", "ORDERS", "--description", "edited", "--max-msgs", "500",
                    "--subjects", "orders.>,returns.>")
        assert r.rc == 0 and "Stream ORDERS was updated" in r.out, r
        c = info_json(cli, srv, "ORDERS")["config"]
        assert c["description"] == "edited" and c["max_msgs"] == 500, c
        assert c["subjects"] == ["orders.>", "returns.>"], c
        assert c["max_age"] == 7 * NS_PER_DAY, c  # untouched
        # A change the server refuses: its error, exit 1.
        r = run_cli(cli, srv, "stream", "edit", "ORDERS", "--retention", "workq")
        assert r.rc == 1 and "retention" in r.err, r
        r = run_cli(cli, srv, "stream", "edit", "ORDERS")
        assert r.rc == 2 and "nothing to change" in r.err, r
        r = run_cli(cli, srv, "stream", "edit", "NOPE", "--max-msgs", "5")
        assert r.rc == 1 and "stream NOPE not found" in r.err, r


def test_get_and_view(cli, server_bin):
    with Server(server_bin) as srv:
        add_orders(cli, srv)
        publish(srv, [(f"orders.{'eu' if i % 2 else 'us'}.{i}", f"body-{i}", header("X-Order", str(i)))
                      for i in range(1, 6)])
        r = run_cli(cli, srv, "stream", "get", "ORDERS", "3")
        assert r.rc == 0, r
        assert "ORDERS#3" in r.out and "orders.eu.3" in r.out and "body-3" in r.out and "X-Order: 3" in r.out, r
        r = run_cli(cli, srv, "stream", "get", "ORDERS", "--last-for", "orders.us.4")
        assert r.rc == 0 and "body-4" in r.out, r
        r = run_cli(cli, srv, "stream", "get", "ORDERS", "2", "--json")
        assert r.rc == 0, r
        m = json.loads(r.out)["message"]
        assert m["seq"] == 2 and base64.b64decode(m["data"]) == b"body-2", m
        r = run_cli(cli, srv, "stream", "get", "ORDERS", "99")
        assert r.rc == 1 and "no message with sequence 99 in stream ORDERS" in r.err, r
        r = run_cli(cli, srv, "stream", "get", "NOPE", "1")
        assert r.rc == 1 and "stream NOPE not found" in r.err, r
        r = run_cli(cli, srv, "stream", "get", "ORDERS")
        assert r.rc == 2, r
        # view without a terminal: one page from --id, then exit.
        r = run_cli(cli, srv, "stream", "view", "ORDERS", "--id", "2", "--count", "2", input="")
        assert r.rc == 0, r
        assert "body-2" in r.out and "body-3" in r.out and "body-1" not in r.out and "body-4" not in r.out, r
        r = run_cli(cli, srv, "stream", "view", "ORDERS", "--subject", "orders.eu.>", input="")
        assert r.rc == 0, r
        bodies = [line for line in r.out.splitlines() if line.startswith("body-")]
        assert bodies == ["body-1", "body-3", "body-5"], r
        r = run_cli(cli, srv, "stream", "view", "ORDERS", input="")
        assert r.rc == 0 and r.out.count("subject orders.") == 5, r
        r = run_cli(cli, srv, "stream", "view", "NOPE", input="")
        assert r.rc == 1 and "stream NOPE not found" in r.err, r


def test_purge(cli, server_bin):
    with Server(server_bin) as srv:
        add_orders(cli, srv)
        publish(srv, [(f"orders.{k}", "x", None) for k in ("a", "a", "b", "b", "b", "c")])
        r = run_cli(cli, srv, "stream", "purge", "ORDERS", input="")
        assert r.rc != 0 and "--force" in r.err, r
        assert info_json(cli, srv, "ORDERS")["state"]["messages"] == 6
        r = run_cli(cli, srv, "stream", "purge", "ORDERS", "--subject", "orders.a", "-f")
        assert r.rc == 0 and "Purged 2 messages" in r.out, r
        r = run_cli(cli, srv, "stream", "purge", "ORDERS", "--subject", "orders.b", "--keep", "1", "-f")
        assert r.rc == 0 and "Purged 2 messages" in r.out, r
        assert info_json(cli, srv, "ORDERS")["state"]["messages"] == 2
        r = run_cli(cli, srv, "stream", "purge", "ORDERS", "-f", "--json")
        assert r.rc == 0 and json.loads(r.out)["purged"] == 2, r
        assert info_json(cli, srv, "ORDERS")["state"]["messages"] == 0
        r = run_cli(cli, srv, "stream", "purge", "NOPE", "-f")
        assert r.rc == 1 and "stream NOPE not found" in r.err, r


def test_rm(cli, server_bin):
    with Server(server_bin) as srv:
        add_orders(cli, srv)
        r = run_cli(cli, srv, "stream", "rm", "ORDERS", input="")
        assert r.rc != 0 and "--force" in r.err, r
        assert run_cli(cli, srv, "stream", "info", "ORDERS").rc == 0
        r = run_cli(cli, srv, "stream", "rm", "ORDERS", "-f")
        assert r.rc == 0 and "Stream ORDERS was deleted" in r.out, r
        r = run_cli(cli, srv, "stream", "info", "ORDERS")
        assert r.rc == 1 and "stream ORDERS not found" in r.err, r
        r = run_cli(cli, srv, "stream", "rm", "ORDERS", "-f")
        assert r.rc == 1 and "stream ORDERS not found" in r.err, r


def test_report(cli, server_bin):
    with Server(server_bin) as srv:
        add_orders(cli, srv)
        r = run_cli(cli, srv, "stream", "add", "CACHE", "--subjects", "cache.>", "--storage", "memory", "--defaults")
        assert r.rc == 0, r
        publish(srv, [("orders.x", "12345", None), ("orders.y", "12345", None)])
        r = run_cli(cli, srv, "stream", "report")
        assert r.rc == 0, r
        for h in ("Stream", "Storage", "Replicas", "Consumers", "Messages", "Bytes", "Deleted", "Lost"):
            assert h in r.out, (h, r)
        rows = {c[0]: c for c in ([x.strip() for x in line.split("│")[1:-1]] for line in r.out.splitlines()
                                  if line.startswith("│"))}
        assert rows["ORDERS"][1] == "File" and rows["ORDERS"][4] == "2", rows
        assert rows["CACHE"][1] == "Memory" and rows["CACHE"][4] == "0", rows


def test_usage_errors(cli, server_bin):
    with Server(server_bin) as srv:
        for args in (["stream", "add", "X", "--subjects", "x", "--max-age", "forever", "--defaults"],
                     ["stream", "add", "X", "--subjects", "x", "--storage", "tape", "--defaults"],
                     ["stream", "add", "X", "--subjects", "x", "--max-bytes", "lots", "--defaults"],
                     ["stream", "add", "X", "--subjects", "x", "--no-such-flag", "--defaults"],
                     ["stream", "info"],
                     ["stream"]):
            r = run_cli(cli, srv, *args, input="")
            assert r.rc == 2, (args, r)
        assert run_cli(cli, srv, "stream", "info", "X").rc == 1  # nothing was created
        for sub in ("add", "edit", "info", "ls", "rm", "purge", "get", "view", "report"):
            r = run_cli(cli, srv, "stream", sub, "--help")
            assert r.rc == 0 and "Examples:" in r.out and "natrium stream" in r.out, (sub, r)


if __name__ == "__main__":
    main([test_add_and_info, test_add_every_limit, test_add_without_subjects, test_ls, test_edit, test_get_and_view,
          test_purge, test_rm, test_report, test_usage_errors])

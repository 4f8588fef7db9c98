#!/usr/bin/env python3
"""natrium consumer add|edit|info|ls|rm|next|report against a server
(natrium-server or nats-server): only what both servers do is asserted.
The lag (`consumer ls`: ack pending, unprocessed) is the issue's Done-when line."""
import json
import os
import sys
import time

from cli_harness import Server, main, run_cli

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "native"))
from nats_wire import Client  # noqa: E402


def publish(srv, n, subject="orders.new"):
    """Publishes n messages ("order-1".."order-n") and waits for each PubAck."""
    c = Client(srv.port)
    try:
        for i in range(1, n + 1):
            ack = json.loads(c.request(subject, f"order-{i}".encode()).payload)
            assert "error" not in ack, ack
    finally:
        c.close()


def orders(cli, srv):
    r = run_cli(cli, srv, "stream", "add", "ORDERS", "--subjects", "orders.>", "--defaults")
    assert r.rc == 0, r


def add_analytics(cli, srv, *extra):
    r = run_cli(cli, srv, "consumer", "add", "ORDERS", "analytics", "--pull", "--ack", "explicit", "--filter",
                "orders.>", "--defaults", *extra)
    assert r.rc == 0, r
    return r


def info_json(cli, srv, name):
    r = run_cli(cli, srv, "consumer", "info", "ORDERS", name, "--json")
    assert r.rc == 0, r
    return json.loads(r.out)


def table_rows(out):
    """{first cell: [cells]} of a rendered table."""
    rows = {}
    for line in out.splitlines():
        if line.startswith("│"):
            cells = [c.strip() for c in line.split("│")[1:-1]]
            rows[cells[0]] = cells
    return rows


def test_add_pull_and_info(cli, server_bin):
    with Server(server_bin) as srv:
        orders(cli, srv)
        r = add_analytics(cli, srv, "--description", "daily reports", "--max-deliver", "5", "--max-pending", "100", "--backoff", "1s,5s")
        assert "Consumer analytics was created on stream ORDERS" in r.out, r
        r = run_cli(cli, srv, "consumer", "info", "ORDERS", "analytics")
        assert r.rc == 0, r
        for text in ("Information for Consumer ORDERS > analytics", "Pull Mode: true", "Filter Subject: orders.>",
                     "Deliver Policy: All", "Ack Policy: Explicit", "Maximum Deliveries: 5",
                     "Max Ack Pending: 100", "Backoff: 1s, 5s", "Description: daily reports",
                     "Unprocessed Messages: 0"):
            assert text in r.out, (text, r)
        j = info_json(cli, srv, "analytics")
        c = j["config"]
        assert j["name"] == "analytics" and j["stream_name"] == "ORDERS", j
        assert c["durable_name"] == "analytics" and c["ack_policy"] == "explicit", c
        assert c["filter_subject"] == "orders.>" and c["max_deliver"] == 5 and c["max_ack_pending"] == 100, c
        assert c["backoff"] == [10**9, 5 * 10**9], c
        assert "deliver_subject" not in c, c


def test_add_push(cli, server_bin):
    with Server(server_bin) as srv:
        orders(cli, srv)
        r = run_cli(cli, srv, "consumer", "add", "ORDERS", "audit", "--push", "--target", "audit.orders", "--deliver",
                    "new", "--ack", "none", "--heartbeat", "5s", "--flow-control", "--defaults")
        assert r.rc == 0, r
        c = info_json(cli, srv, "audit")["config"]
        assert c["deliver_subject"] == "audit.orders" and c["deliver_policy"] == "new", c
        assert c["ack_policy"] == "none" and c["flow_control"] and c["idle_heartbeat"] == 5 * 10**9, c
        r = run_cli(cli, srv, "consumer", "info", "ORDERS", "audit")
        assert "Delivery Subject: audit.orders" in r.out and "Pull Mode" not in r.out, r
        # From a sequence; --push without --target is a usage error.
        publish(srv, 4)
        r = run_cli(cli, srv, "consumer", "add", "ORDERS", "from3", "--deliver", "3", "--defaults")
        assert r.rc == 0, r
        j = info_json(cli, srv, "from3")
        assert j["config"]["deliver_policy"] == "by_start_sequence" and j["config"]["opt_start_seq"] == 3, j
        assert j["num_pending"] == 2, j
        r = run_cli(cli, srv, "consumer", "add", "ORDERS", "nowhere", "--push", "--defaults", input="")
        assert r.rc == 2 and "--target" in r.err, r


def test_lag_in_ls(cli, server_bin):
    with Server(server_bin) as srv:
        orders(cli, srv)
        add_analytics(cli, srv)
        r = run_cli(cli, srv, "consumer", "add", "ORDERS", "idle", "--description", "never pulls", "--defaults")
        assert r.rc == 0, r
        publish(srv, 5)
        r = run_cli(cli, srv, "consumer", "next", "ORDERS", "analytics", "--count", "2", "--no-ack")
        assert r.rc == 0, r
        assert "order-1" in r.out and "order-2" in r.out and "order-3" not in r.out, r
        assert "Acknowledged" not in r.out, r
        r = run_cli(cli, srv, "consumer", "ls", "ORDERS")
        assert r.rc == 0, r
        assert "Consumers for Stream ORDERS" in r.out, r
        rows = table_rows(r.out)
        head = rows["Name"]
        a = dict(zip(head, rows["analytics"]))
        assert a["Ack Pending"] == "2" and a["Unprocessed"] == "3" and a["Redelivered"] == "0", a
        assert a["Last Delivery"].endswith("ago"), a
        i = dict(zip(head, rows["idle"]))
        assert i["Ack Pending"] == "0" and i["Unprocessed"] == "5" and i["Description"] == "never pulls", i
        assert i["Last Delivery"] == "never", i
        r = run_cli(cli, srv, "consumer", "ls", "ORDERS", "--json")
        assert r.rc == 0, r
        by_name = {c["name"]: c for c in json.loads(r.out)}
        assert by_name["analytics"]["num_ack_pending"] == 2 and by_name["analytics"]["num_pending"] == 3, by_name
        r = run_cli(cli, srv, "consumer", "ls", "ORDERS", "--names")
        assert r.rc == 0 and sorted(r.out.split()) == ["analytics", "idle"], r
        r = run_cli(cli, srv, "consumer", "info", "ORDERS", "analytics")
        for text in ("Outstanding Acks: 2 out of maximum", "Unprocessed Messages: 3",
                     "Last Delivered Message: Consumer sequence: 2 Stream sequence: 2",
                     "Acknowledgment Floor: Consumer sequence: 0 Stream sequence: 0"):
            assert text in r.out, (text, r)
        r = run_cli(cli, srv, "consumer", "ls", "NOPE")
        assert r.rc == 1 and "stream NOPE not found" in r.err, r


def test_next_acks(cli, server_bin):
    with Server(server_bin) as srv:
        orders(cli, srv)
        add_analytics(cli, srv)
        publish(srv, 5)
        r = run_cli(cli, srv, "consumer", "next", "ORDERS", "analytics", "--count", "3")
        assert r.rc == 0, r
        assert r.out.count("Acknowledged message") == 3, r
        j = info_json(cli, srv, "analytics")
        assert j["num_ack_pending"] == 0 and j["num_pending"] == 2, j
        assert j["ack_floor"]["stream_seq"] == 3 and j["delivered"]["stream_seq"] == 3, j
        r = run_cli(cli, srv, "consumer", "next", "ORDERS", "analytics", "--json")
        assert r.rc == 0, r
        m = json.loads(r.out.splitlines()[0])
        assert m["data"] == "order-4" and m["stream_seq"] == 4 and m["subject"] == "orders.new", m
        # Nothing left: exit 1 once the wait is over.
        run_cli(cli, srv, "consumer", "next", "ORDERS", "analytics")
        started = time.time()
        r = run_cli(cli, srv, "consumer", "next", "ORDERS", "analytics", "--wait", "500ms")
        assert r.rc == 1 and "no message" in r.err, r
        assert time.time() - started < 5, r
        r = run_cli(cli, srv, "consumer", "next", "ORDERS", "nope")
        assert r.rc == 1 and "consumer nope not found on stream ORDERS" in r.err, r


def test_report(cli, server_bin):
    with Server(server_bin) as srv:
        orders(cli, srv)
        add_analytics(cli, srv, "--wait", "1m")
        r = run_cli(cli, srv, "consumer", "add", "ORDERS", "audit", "--push", "--target", "audit.x", "--ack", "none",
                    "--defaults")
        assert r.rc == 0, r
        publish(srv, 4)
        assert run_cli(cli, srv, "consumer", "next", "ORDERS", "analytics", "--no-ack").rc == 0
        r = run_cli(cli, srv, "consumer", "report", "ORDERS")
        assert r.rc == 0, r
        rows = table_rows(r.out)
        head = rows["Consumer"]
        assert head == ["Consumer", "Mode", "Ack Policy", "Ack Wait", "Ack Pending", "Redelivered", "Unprocessed",
                        "All Pending"], head
        a = dict(zip(head, rows["analytics"]))
        assert a["Mode"] == "Pull" and a["Ack Policy"] == "Explicit" and a["Ack Wait"] == "1m0s", a
        assert a["Ack Pending"] == "1" and a["Unprocessed"] == "3" and a["All Pending"] == "4", a
        assert dict(zip(head, rows["audit"]))["Mode"] == "Push", rows


def test_edit(cli, server_bin):
    with Server(server_bin) as srv:
        orders(cli, srv)
        add_analytics(cli, srv)
        r = run_cli(cli, srv, "consumer", "edit", "ORDERS", "analytics", "--description", "edited", "--max-deliver",
                    "10")
        assert r.rc == 0 and "was updated" in r.out, r
        c = info_json(cli, srv, "analytics")["config"]
        assert c["description"] == "edited" and c["max_deliver"] == 10 and c["filter_subject"] == "orders.>", c
        r = run_cli(cli, srv, "consumer", "edit", "ORDERS", "analytics")
        assert r.rc == 2 and "nothing to change" in r.err, r
        r = run_cli(cli, srv, "consumer", "edit", "ORDERS", "ghost", "--description", "x")
        assert r.rc == 1 and "consumer ghost not found on stream ORDERS" in r.err, r


def test_rm_and_not_found(cli, server_bin):
    with Server(server_bin) as srv:
        orders(cli, srv)
        add_analytics(cli, srv)
        r = run_cli(cli, srv, "consumer", "rm", "ORDERS", "analytics", input="")
        assert r.rc != 0 and "--force" in r.err, r
        assert run_cli(cli, srv, "consumer", "info", "ORDERS", "analytics").rc == 0
        r = run_cli(cli, srv, "consumer", "rm", "ORDERS", "analytics", "-f")
        assert r.rc == 0 and "was deleted" in r.out, r
        r = run_cli(cli, srv, "consumer", "info", "ORDERS", "analytics")
        assert r.rc == 1 and "consumer analytics not found on stream ORDERS" in r.err, r
        r = run_cli(cli, srv, "consumer", "info", "ORDERS", "payment-service")
        assert r.rc == 1 and r.err.strip() == "natrium: consumer payment-service not found on stream ORDERS", r
        r = run_cli(cli, srv, "consumer", "info", "NOPE", "x")
        assert r.rc == 1 and "stream NOPE not found" in r.err, r
        r = run_cli(cli, srv, "consumer", "add", "NOPE", "x", "--defaults")
        assert r.rc == 1 and "stream NOPE not found" in r.err, r
        r = run_cli(cli, srv, "consumer", "ls", "ORDERS")
        assert r.rc == 0 and "No consumers" in r.out, r


def test_usage_errors(cli, server_bin):
    with Server(server_bin) as srv:
        orders(cli, srv)
        for args in (["consumer", "add", "ORDERS", "x", "--ack", "sometimes", "--defaults"],
                     ["consumer", "add", "ORDERS", "x", "--deliver", "whenever", "--defaults"],
                     ["consumer", "add", "ORDERS", "x", "--wait", "long", "--defaults"],
                     ["consumer", "add", "ORDERS", "x", "--pull", "--push", "--target", "t", "--defaults"],
                     ["consumer", "add", "ORDERS", "--defaults"],
                     ["consumer", "add", "ORDERS"],
                     ["consumer", "info", "ORDERS"],
                     ["consumer", "next", "ORDERS", "x", "--count", "0"],
                     ["consumer"]):
            r = run_cli(cli, srv, *args, input="")
            assert r.rc == 2, (args, r)
        r = run_cli(cli, srv, "consumer", "ls", "ORDERS")
        assert "No consumers" in r.out, r  # nothing was created
        for sub in ("add", "edit", "info", "ls", "rm", "next", "report"):
            r = run_cli(cli, srv, "consumer", sub, "--help")
            assert r.rc == 0 and "Examples:" in r.out and "natrium consumer" in r.out, (sub, r)


if __name__ == "__main__":
    main([test_add_pull_and_info, test_add_push, test_lag_in_ls, test_next_acks, test_report, test_edit,
          test_rm_and_not_found, test_usage_errors])

#!/usr/bin/env python3
"""natrium server info|ping|check against a server (natrium-server or nats-server)."""
import json

from cli_harness import Server, main, run_cli


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


if __name__ == "__main__":
    main([test_info_table_and_json, test_unreachable_server_exits_1, test_usage_errors_exit_2])

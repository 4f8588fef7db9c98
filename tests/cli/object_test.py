#!/usr/bin/env python3
"""natrium object add|put|get|ls|info|status|rm against a server (natrium-server
or nats-server): a 3 MiB round trip with the digest the official clients
compute, replacement and deletion purging chunks, stdin/stdout, and interop
with nats.js (js.views.os) when tests/conformance/node_modules exists."""
import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile

from cli_harness import Server, main, run_cli

NATS_JS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "conformance", "node_modules", "nats")


def ok(r):
    assert r.rc == 0, r
    return r


def js(r):
    return json.loads(ok(r).out)


def digest(data):
    return "SHA-256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode()


class TempDir:
    def __enter__(self):
        self.path = tempfile.mkdtemp(prefix="natrium-obj-")
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.path, ignore_errors=True)

    def file(self, name, data=None):
        p = os.path.join(self.path, name)
        if data is not None:
            with open(p, "wb") as f:
                f.write(data)
        return p


def read(path):
    with open(path, "rb") as f:
        return f.read()


def test_round_trip(cli, server_bin):
    data = os.urandom(3 * 1024 * 1024)
    with Server(server_bin) as srv, TempDir() as tmp:
        r = ok(run_cli(cli, srv, "object", "add", "files", "--description", "test files"))
        assert "OBJ_files" in r.out and "test files" in r.out, r
        src = tmp.file("big.bin", data)
        r = ok(run_cli(cli, srv, "object", "put", "files", src))
        assert "big.bin" in r.out and "24" in r.out, r
        info = js(run_cli(cli, srv, "object", "info", "files", "big.bin", "--json"))
        assert (info["name"], info["bucket"], info["size"], info["chunks"]) == ("big.bin", "files", len(data), 24), info
        assert info["digest"] == digest(data), info
        assert info["options"]["max_chunk_size"] == 128 * 1024 and not info["deleted"], info
        assert len(info["nuid"]) == 22, info

        out = tmp.file("out.bin")
        r = ok(run_cli(cli, srv, "object", "get", "files", "big.bin", "-O", out))
        assert "digest verified" in r.out, r
        assert read(out) == data

        listing = js(run_cli(cli, srv, "object", "ls", "files", "--json"))
        assert [o["name"] for o in listing] == ["big.bin"], listing
        assert "big.bin" in ok(run_cli(cli, srv, "object", "ls", "files")).out
        stores = js(run_cli(cli, srv, "object", "ls", "--json"))
        assert [s["bucket"] for s in stores] == ["files"], stores
        st = js(run_cli(cli, srv, "object", "status", "files", "--json"))
        assert st["stream"] == "OBJ_files" and st["size"] > len(data), st

        r = run_cli(cli, srv, "object", "rm", "files", "big.bin")  # no terminal, no -f
        assert r.rc == 2, r
        ok(run_cli(cli, srv, "object", "rm", "files", "big.bin", "-f"))
        for cmd in (["info", "files", "big.bin"], ["get", "files", "big.bin", "-O", out]):
            r = run_cli(cli, srv, "object", *cmd)
            assert r.rc == 1 and "not found" in r.err, r
        assert js(run_cli(cli, srv, "object", "ls", "files", "--json")) == []
        st = js(run_cli(cli, srv, "object", "status", "files", "--json"))
        assert st["size"] < 4096, st  # chunks purged, only the deletion marker left

        ok(run_cli(cli, srv, "object", "rm", "files", "-f"))
        r = run_cli(cli, srv, "object", "status", "files")
        assert r.rc == 1 and "object store files not found" in r.err, r


def test_replace_stdin_and_empty(cli, server_bin):
    with Server(server_bin) as srv, TempDir() as tmp:
        ok(run_cli(cli, srv, "object", "add", "b", "--storage", "memory"))
        first, second = os.urandom(300 * 1024), os.urandom(200 * 1024)
        ok(run_cli(cli, srv, "object", "put", "b", tmp.file("one", first), "--name", "docs/report.pdf"))
        ok(run_cli(cli, srv, "object", "put", "b", tmp.file("two", second), "--name", "docs/report.pdf"))
        out = tmp.file("report.pdf")
        ok(run_cli(cli, srv, "object", "get", "b", "docs/report.pdf", "-O", out))
        assert read(out) == second
        st = js(run_cli(cli, srv, "object", "status", "b", "--json"))
        assert len(second) < st["size"] < len(second) + 4096, st  # the first version's chunks are gone

        p = subprocess.run([cli, "-s", srv.url, "object", "put", "b", "-", "--name", "piped"], input=first,
                           capture_output=True)
        assert p.returncode == 0, p
        p = subprocess.run([cli, "-s", srv.url, "object", "get", "b", "piped", "-O", "-"], capture_output=True)
        assert p.returncode == 0 and p.stdout == first, p.stderr
        r = run_cli(cli, srv, "object", "put", "b", "-")
        assert r.rc == 2 and "--name" in r.err, r

        ok(run_cli(cli, srv, "object", "put", "b", tmp.file("empty", b"")))
        info = js(run_cli(cli, srv, "object", "info", "b", "empty", "--json"))
        assert (info["size"], info["chunks"], info["digest"]) == (0, 0, digest(b"")), info
        ok(run_cli(cli, srv, "object", "get", "b", "empty", "-O", tmp.file("empty.out")))
        assert read(tmp.file("empty.out")) == b""
        names = [o["name"] for o in js(run_cli(cli, srv, "object", "ls", "b", "--json"))]
        assert names == ["docs/report.pdf", "empty", "piped"], names


NODE_SCRIPT = r"""
const { connect } = require(process.argv[2]);
const crypto = require("crypto");
const fs = require("fs");
(async () => {
  const [, , , url, op, bucket, name, file] = process.argv;
  const nc = await connect({ servers: url });
  const os = await nc.jetstream().views.os(bucket);
  if (op === "get") {
    const data = await os.getBlob(name);
    fs.writeFileSync(file, data);
  } else {
    await os.putBlob({ name }, new Uint8Array(fs.readFileSync(file)));
  }
  await nc.close();
})().catch((e) => { console.error(e); process.exit(1); });
"""


def test_nats_js_interop(cli, server_bin):
    if shutil.which("node") is None or not os.path.isdir(NATS_JS):
        print("note: node or tests/conformance/node_modules (npm ci) missing; nats.js interop not checked")
        return
    data = os.urandom(1024 * 1024 + 12345)
    with Server(server_bin) as srv, TempDir() as tmp:
        script = tmp.file("os.js", NODE_SCRIPT.encode())

        def node(*args):
            p = subprocess.run(["node", script, NATS_JS, srv.url] + list(args), capture_output=True, text=True,
                               timeout=60)
            assert p.returncode == 0, p.stderr

        ok(run_cli(cli, srv, "object", "add", "shared"))
        ok(run_cli(cli, srv, "object", "put", "shared", tmp.file("mine", data), "--name", "from/natrium"))
        node("get", "shared", "from/natrium", tmp.file("by-node"))
        assert read(tmp.file("by-node")) == data

        node("put", "shared", "from/node", tmp.file("mine"))
        info = js(run_cli(cli, srv, "object", "info", "shared", "from/node", "--json"))
        assert info["digest"] == digest(data) and info["size"] == len(data), info
        ok(run_cli(cli, srv, "object", "get", "shared", "from/node", "-O", tmp.file("by-natrium")))
        assert read(tmp.file("by-natrium")) == data


if __name__ == "__main__":
    main([test_round_trip, test_replace_stdin_and_empty, test_nats_js_interop])

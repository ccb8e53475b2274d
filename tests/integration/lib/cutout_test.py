# SPDX-License-Identifier: AGPL-3.0-or-later
"""Shared helpers of the integration tests: TAP output, a throwaway instance,
a running `cutout serve`, and a small HTTP client (standard library only)."""
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time

CUTOUT = os.environ.get("CUTOUT", "build/src/app/cutout")
ROOT = os.environ.get("CUTOUT_ROOT", os.getcwd())

_n = 0
_failed = 0


def open_log(path):
    """A new, empty log file for a server's stderr, opened O_APPEND: the test
    reads it (seek(0), read) through the same open file as the server and its
    children write to; without O_APPEND a write landing after the seek would
    overwrite the log's first lines."""
    open(path, "wb").close()
    return open(path, "a+b")


def ok(cond, desc):
    global _n, _failed
    _n += 1
    print(("ok %d - %s" if cond else "not ok %d - %s") % (_n, desc), flush=True)
    if not cond:
        _failed += 1
    return cond


def skip(desc):
    global _n
    _n += 1
    print("ok %d # SKIP %s" % (_n, desc), flush=True)


def diag(msg):
    for line in str(msg).splitlines():
        print("# " + line, flush=True)


def done():
    print("1..%d" % _n, flush=True)
    sys.exit(1 if _failed else 0)


def run(args, env=None, input=None, check=False, timeout=120):
    e = dict(os.environ)
    if env:
        e.update(env)
    p = subprocess.run([CUTOUT] + args, env=e, input=input, capture_output=True,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise RuntimeError("cutout %s failed: %s" % (" ".join(args), p.stderr.decode()))
    return p


# Fast key derivation for tests; production defaults are far higher.
FAST_CONF = {
    "argon2_opslimit": "1",
    "argon2_memlimit": "8M",
    "officer_argon2_opslimit": "1",
    "officer_argon2_memlimit": "8M",
}


# CUTOUT_TEST_STORE=postgresql (tests/integration/pg-run, beside a throwaway
# cluster named by CUTOUT_PG_URI): each instance gets a database of its own.
_pg_dbs = [0]


def pg_location():
    """A fresh database of the cluster of CUTOUT_PG_URI, as a location; None on SQLite."""
    if os.environ.get("CUTOUT_TEST_STORE") != "postgresql":
        return None
    uri = os.environ["CUTOUT_PG_URI"]
    _pg_dbs[0] += 1
    name = "cutout_i%d" % _pg_dbs[0]
    subprocess.run(["createdb", name], check=True, timeout=60)
    return re.sub(r"^(postgresql://[^/?]*/)[^?]*", lambda m: m.group(1) + name, uri)


def store_location(inst):
    """The instance's store location: its cutout.conf's `store`, else its store.db."""
    loc = "store.db"
    for line in open(os.path.join(inst, "cutout.conf")).read().splitlines():
        m = re.match(r"\s*store\s*=\s*(\S+)", line)
        if m:
            loc = m.group(1)
    if loc.startswith("postgres"):
        return loc
    loc = loc[len("sqlite:"):] if loc.startswith("sqlite:") else loc
    return os.path.join(inst, loc)


def copy_instance(src, dst):
    """A copy of instance src at dst, its store too (a new database on PostgreSQL,
    made from src's: src must have no open connection)."""
    shutil.copytree(src, dst, symlinks=True)
    loc = store_location(src)
    if not loc.startswith("postgres"):
        return dst
    _pg_dbs[0] += 1
    name = "cutout_i%d" % _pg_dbs[0]
    old = re.match(r"^postgresql://[^/?]*/([^?]*)", loc).group(1)
    subprocess.run(["createdb", "-T", old, name], check=True, timeout=60)
    new = re.sub(r"^(postgresql://[^/?]*/)[^?]*", lambda m: m.group(1) + name, loc)
    path = os.path.join(dst, "cutout.conf")
    conf = [l for l in open(path).read().splitlines() if not re.match(r"\s*store\s*=", l)]
    open(path, "w").write("\n".join(conf + ["store = %s" % new]) + "\n")
    return dst


def ledger_entries(inst):
    """The text of every ledger entry, in order, from either backend."""
    loc = store_location(inst)
    if loc.startswith("postgres"):
        p = subprocess.run(["psql", "-XAt", loc, "-c",
                            "SELECT encode(entry, 'hex') FROM ledger_entry ORDER BY idx"],
                           capture_output=True, check=True, timeout=60)
        return [bytes.fromhex(l).decode() for l in p.stdout.decode().split()]
    import sqlite3
    db = sqlite3.connect(loc)
    rows = [bytes(r[0]).decode() for r in db.execute("SELECT entry FROM ledger_entry ORDER BY idx")]
    db.close()
    return rows


def make_instance(conf=None):
    """Creates an instance in a temporary directory (its store on PostgreSQL when
    CUTOUT_TEST_STORE=postgresql); returns its path."""
    base = tempfile.mkdtemp(prefix="cutout-test-")
    d = os.path.join(base, "inst")
    pg = pg_location()
    run(["init", d, "--organisation", "Test Org"] + (["--store", pg] if pg else []), check=True)
    settings = dict(FAST_CONF)
    settings.update(conf or {})
    path = os.path.join(d, "cutout.conf")
    with open(path) as f:
        lines = f.read().splitlines()
    out = []
    for line in lines:
        m = re.match(r"\s*([a-z_0-9]+)\s*=", line)
        if m and m.group(1) in settings:
            continue
        out.append(line)
    for k, v in settings.items():
        out.append("%s = %s" % (k, v))
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return d


# ---- officers ----
#
# A login consumes its TOTP time step: the same code is refused twice, so a
# script logs in at most once per 30 s step. The tests run each officer command
# with libfaketime (from tools/deps) a step further in the future than the last
# one, and compute the code for that time.
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
_fake_offset = [0]


def totp(secret_b32, t, digits=6):
    """RFC 6238 (SHA-1, 30 s) code of secret_b32 at unix time t."""
    import base64
    import hashlib
    import hmac
    import struct
    s = secret_b32.upper()
    key = base64.b32decode(s + "=" * (-len(s) % 8))
    mac = hmac.new(key, struct.pack(">Q", int(t) // 30), hashlib.sha1).digest()
    off = mac[19] & 15
    v = struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF
    return "%0*d" % (digits, v % 10 ** digits)


def fake_time_env():
    """Environment that runs cutout one TOTP step later than any call before; and that time."""
    _fake_offset[0] += 30
    off = _fake_offset[0]
    return {"LD_PRELOAD": FAKETIME_LIB, "FAKETIME": "+%ds" % off,
            "DONT_FAKE_MONOTONIC": "1"}, time.time() + off


class Officer:
    def __init__(self, inst, name, password, secret=None):
        self.inst, self.name, self.password, self.secret = inst, name, password, secret

    def env(self, extra=None):
        """Environment for one logged-in command (CUTOUT_OFFICER/PASSWORD/TOTP)."""
        e, t = fake_time_env()
        e.update({"CUTOUT_OFFICER": self.name, "CUTOUT_PASSWORD": self.password,
                  "CUTOUT_TOTP": totp(self.secret, t) if self.secret else "000000"})
        if extra:
            e.update(extra)
        return e

    def enrol(self):
        e = {"CUTOUT_OFFICER": self.name, "CUTOUT_PASSWORD": self.password}
        e1, _ = fake_time_env()
        e1.update(e)
        p = run(["officer", "enrol", "-d", self.inst], env=e1, check=True)
        m = re.search(rb"secret: ([A-Z2-7]+)", p.stdout)
        secret = m.group(1).decode()
        e2, t = fake_time_env()
        e2.update(e)
        e2["CUTOUT_TOTP"] = totp(secret, t)
        run(["officer", "enrol", "-d", self.inst, "--secret-from", "-"], env=e2,
            input=secret.encode(), check=True)
        self.secret = secret
        return self


def bootstrap_officer(inst, name="chief", roles="admin,intake",
                      password="the chief has a long password", clearance="SECRET//SOURCE"):
    """The first admin (with the admin identity), enrolled: an Officer. The default
    clearance covers the default marking of submissions (SECRET//SOURCE)."""
    run(["officer", "add", name, "-d", inst, "--role", roles, "--clearance", clearance,
         "--nationality", "GBR", "--admin-identity", os.path.join(inst, "admin-identity.txt")],
        env={"CUTOUT_NEW_PASSWORD": password}, check=True)
    return Officer(inst, name, password).enrol()


def add_officer(admin, name, roles, password, clearance="SECRET//SOURCE", nationality="GBR"):
    """A new officer added by admin, enrolled: an Officer."""
    run(["officer", "add", name, "-d", admin.inst, "--role", roles, "--clearance", clearance,
         "--nationality", nationality], env=admin.env({"CUTOUT_NEW_PASSWORD": password}),
        check=True)
    return Officer(admin.inst, name, password).enrol()


class Server:
    """`cutout serve DIR` on a free loopback port; stops by itself."""

    def __init__(self, instance, extra=None, log_dir=None):
        self.instance = instance
        self.log = open_log(os.path.join(log_dir or os.path.dirname(instance), "serve.log"))
        self.proc = subprocess.Popen(
            [CUTOUT, "serve", instance, "--intake-listen", "127.0.0.1:0", "--desk-listen",
             "127.0.0.1:0"] + (extra or []),
            stdout=subprocess.PIPE, stderr=self.log)
        self.port = None
        deadline = time.time() + 30
        while time.time() < deadline:
            line = self.proc.stdout.readline().decode()
            if not line:
                break
            m = re.search(r"intake: http://127\.0\.0\.1:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
                break
        if self.port is None:
            self.stop()
            raise RuntimeError("server did not start")

    def conn(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)

    def request(self, method, path, body=None, headers=None):
        c = self.conn()
        try:
            c.request(method, path, body=body, headers=headers or {})
            r = c.getresponse()
            data = r.read()
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data
        finally:
            c.close()

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.flush()
        self.log.seek(0)
        return self.log.read()


def multipart(fields, files=(), boundary=None):
    """fields: [(name, str)], files: [(name, filename, bytes, type)] -> (body, content_type)."""
    b = boundary or "----cutouttest" + secrets.token_hex(8)
    out = []
    for name, value in fields:
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n" % (b, name)).encode())
        out.append(value.encode() if isinstance(value, str) else value)
        out.append(b"\r\n")
    for name, filename, data, ctype in files:
        fn = filename.replace("\\", "\\\\").replace('"', '\\"')
        out.append(("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
                    "Content-Type: %s\r\n\r\n" % (b, name, fn, ctype)).encode())
        out.append(data)
        out.append(b"\r\n")
    out.append(("--%s--\r\n" % b).encode())
    return b"".join(out), "multipart/form-data; boundary=%s" % b


def api_json(server, method, path, token=None, body=None, ctype=None):
    h = {}
    if token:
        h["Authorization"] = "Bearer " + token
    if ctype:
        h["Content-Type"] = ctype
    st, hd, data = server.request(method, path, body=body, headers=h)
    try:
        j = json.loads(data) if data else None
    except ValueError:
        j = None
    return st, j, hd


def cleanup(instance):
    shutil.rmtree(os.path.dirname(instance), ignore_errors=True)


def segment_blobs(path):
    """The tokens of the large blobs in a store's segment file (core/store/blob_segment.c):
    the table of 32-byte entries at 4 KiB, a blob's first extent has seq 0."""
    heads = set()
    if not os.path.exists(path):
        return heads
    with open(path, "rb") as f:
        f.seek(4096)
        table = f.read(32 << 20)
    for i in range(0, len(table) - 31, 32):
        token = int.from_bytes(table[i:i + 8], "little") & ((1 << 63) - 1)
        if token and int.from_bytes(table[i + 16:i + 20], "little") == 0:
            heads.add(token)
    return heads

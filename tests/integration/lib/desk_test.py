# SPDX-License-Identifier: AGPL-3.0-or-later
"""Helpers of the desk tests: TOTP codes (RFC 6238, in Python), `cutout demo`
on an existing fast test instance (both doors, a pre-enrolled demo admin),
and a small browser-like HTTP client with its own cookie jar."""
import base64
import hashlib
import hmac
import http.client
import os
import re
import signal
import struct
import subprocess
import time
import urllib.parse

from cutout_test import CUTOUT, open_log


def totp(secret_b32, t=None, step_offset=0):
    """The 6-digit RFC 6238 (SHA-1, 30 s) code of secret_b32 at time t."""
    s = secret_b32.upper().replace(" ", "")
    key = base64.b32decode(s + "=" * (-len(s) % 8))
    counter = int((time.time() if t is None else t) // 30) + step_offset
    mac = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    v = (struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000
    return "%06d" % v


class Demo:
    """`cutout demo DIR` on an instance made by make_instance: both doors on
    free ports and the demo officer's credentials."""

    def __init__(self, instance, extra=None, command="demo", log_dir=None):
        self.instance = instance
        self.log = open_log(os.path.join(log_dir or os.path.dirname(instance), "demo.log"))
        if command == "demo":
            args = [CUTOUT, "demo", instance, "--port", "0", "--desk-port", "0"]
        else:
            args = [CUTOUT, "serve", instance, "--intake-listen", "127.0.0.1:0",
                    "--desk-listen", "127.0.0.1:0"]
        self.proc = subprocess.Popen(args + (extra or []), stdout=subprocess.PIPE,
                                     stderr=self.log)
        self.intake = self.desk = None
        self.name = self.password = self.secret = self.uri = None
        self.text = ""
        deadline = time.time() + 60
        while time.time() < deadline and (self.intake is None or self.desk is None):
            line = self.proc.stdout.readline().decode()
            if not line:
                break
            self.text += line
            for key, attr in (("name", "name"), ("password", "password"),
                              ("TOTP secret", "secret"), ("otpauth URI", "uri")):
                m = re.match(r"\s+%s:\s+(\S.*?)\s*$" % key, line)
                if m:
                    setattr(self, attr, m.group(1))
            m = re.search(r"intake: http://127\.0\.0\.1:(\d+)/", line)
            if m:
                self.intake = int(m.group(1))
            m = re.search(r"desk: http://127\.0\.0\.1:(\d+)/", line)
            if m:
                self.desk = int(m.group(1))
        if self.intake is None or self.desk is None:
            self.stop()
            raise RuntimeError("demo did not start: " + self.text)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.flush()
        self.log.seek(0)
        return self.log.read()


class Client:
    """One browser: a cookie jar, no redirects followed."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}
        self.last_set_cookie = []

    def request(self, method, path, body=None, headers=None):
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            c.request(method, path, body=body, headers=h)
            r = c.getresponse()
            data = r.read()
            self.last_set_cookie = r.headers.get_all("Set-Cookie") or []
            for sc in self.last_set_cookie:
                name, _, rest = sc.partition("=")
                value = rest.split(";", 1)[0]
                if "Max-Age=0" in sc or value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = value
            return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data
        finally:
            c.close()

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, fields, csrf=True):
        """fields: dict or list of pairs; the page's CSRF token is added unless csrf is False
        or a string (then that value is sent)."""
        pairs = list(fields.items()) if isinstance(fields, dict) else list(fields)
        if csrf is True:
            pairs.append(("csrf", self.csrf))
        elif isinstance(csrf, str):
            pairs.append(("csrf", csrf))
        body = urllib.parse.urlencode(pairs)
        return self.request("POST", path, body=body,
                            headers={"Content-Type": "application/x-www-form-urlencoded"})

    csrf = ""

    def page(self, path):
        """GET that remembers the page's CSRF token."""
        st, hd, data = self.get(path)
        m = re.search(rb'name="csrf" value="([^"]*)"', data)
        if m:
            self.csrf = m.group(1).decode()
        return st, hd, data

    def login(self, name, password, code):
        self.page("/login")
        return self.post("/login", {"name": name, "password": password, "totp": code})

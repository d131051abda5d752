#!/usr/bin/env python3
# Test/benchmark helper for mlenv: serves a directory on 127.0.0.1 over HTTP(S), emulating a PyPI
# simple index (PEP 691 JSON / PEP 503 HTML chosen by Accept) and conda channels (repodata.json,
# .bz2 made on the fly), with ETag/Last-Modified/304, ranges, auth, delays and a per-request log,
# so tests can exercise mlenv's HTTP client and cache. Stdlib only.
#   serve:   scripts/serve-index.py --directory DIR [--port 0] [--port-file F] [--log F] ...
#   certs:   scripts/serve-index.py make-ca OUTDIR   (ca.pem, server.pem, server-key.pem via openssl)
import argparse, base64, binascii, bz2, hashlib, hmac, mimetypes, os, re, secrets, signal, socketserver
import ssl, subprocess, sys, tempfile, threading, time
from datetime import timezone
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

PEP691 = "application/vnd.pypi.simple.v1+json"
OCTET = "application/octet-stream"
TYPES = {".json": "application/json", ".html": "text/html", ".metadata": "text/plain",
         ".whl": OCTET, ".zst": OCTET, ".bz2": OCTET, ".conda": OCTET}
QUIET = (ConnectionError, TimeoutError, ssl.SSLError)


class Server(ThreadingHTTPServer):
    daemon_threads, request_queue_size = True, 128

    def server_bind(self):  # skip HTTPServer's reverse DNS lookup
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", self.server_address[1]

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], QUIET):
            super().handle_error(request, client_address)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version, sys_version = "mlenv-test-index", ""
    timeout = 60

    def setup(self):
        if isinstance(self.request, ssl.SSLSocket):  # handshake in the worker thread, not in accept()
            self.request.settimeout(self.timeout)
            self.request.do_handshake()
        super().setup()

    def log_message(self, *args):
        pass

    def log_request(self, code="-", size="-"):
        srv = self.server
        if srv.log is None:
            return
        h = getattr(self, "headers", None)
        cond = " conditional" if h is not None and ("If-None-Match" in h or "If-Modified-Since" in h) else ""
        line = f"{getattr(self, 'command', None) or '-'} {getattr(self, 'path', '-')} {getattr(code, 'value', code)}{cond}\n"
        with srv.lock:
            srv.log.write(line)
            srv.log.flush()

    def do_GET(self):
        self.serve(True)

    def do_HEAD(self):
        self.serve(False)

    def not_allowed(self):
        self.reply(405, "method not allowed", [("Allow", "GET, HEAD")])

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = not_allowed

    def reply(self, code, text, headers=(), body=True):
        data = (text + "\n").encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(data)

    def authorized(self):
        o = self.server.opts
        if not o.basic_auth and not o.bearer:
            return True
        scheme, _, cred = self.headers.get("Authorization", "").strip().partition(" ")
        scheme, cred = scheme.lower(), cred.strip()
        if o.basic_auth and scheme == "basic":
            try:
                got = base64.b64decode(cred, validate=True)
            except (binascii.Error, ValueError):
                return False
            return hmac.compare_digest(got, o.basic_auth.encode())
        if o.bearer and scheme == "bearer":
            return hmac.compare_digest(cred.encode(), o.bearer.encode())
        return False

    def inside(self, path):
        root = self.server.root
        return path == root or path.startswith(root + os.sep)

    def pick_index(self, d):
        js, html = os.path.join(d, "index.json"), os.path.join(d, "index.html")
        accept = self.headers.get("Accept", "").strip()
        want_json = accept in ("", "*/*") or PEP691 in accept or "vnd.pypi.simple.latest+json" in accept
        options = [(js, PEP691), (html, "text/html")] if want_json else [(html, "text/html"), (js, PEP691)]
        for f, ctype in options:
            if os.path.isfile(f) and self.inside(os.path.realpath(f)):
                return f, ctype
        return None

    def resolve(self):
        """-> ("redirect", location) | (file, ctype, compress, vary) | None (404)."""
        raw = self.path
        if raw.startswith(("http://", "https://")):
            raw = urlsplit(raw).path or "/"
        raw, _, query = raw.split("#", 1)[0].partition("?")
        rel = unquote(raw)
        parts = [p for p in rel.split("/") if p not in ("", ".")]
        if "\0" in rel or ".." in parts:
            return None
        path = os.path.realpath(os.path.join(self.server.root, *parts))
        if not self.inside(path):
            return None
        if os.path.isdir(path):
            index = self.pick_index(path)
            if index is None:
                return None  # no directory listings
            if not rel.endswith("/"):
                return "redirect", raw + "/" + ("?" + query if query else "")
            return index[0], index[1], False, True
        if rel.endswith("/"):
            return None
        if os.path.isfile(path):
            ext = os.path.splitext(path)[1].lower()
            return path, TYPES.get(ext) or mimetypes.guess_type(path)[0] or OCTET, False, False
        if path.endswith("repodata.json.bz2"):
            src = os.path.realpath(path[:-4])
            if self.inside(src) and os.path.isfile(src):
                return src, OCTET, True, False
        return None

    def load(self, fpath, compress):
        """-> (bytes or None for a plain file, size, etag, mtime); etags and .bz2 bodies are cached."""
        st = os.stat(fpath)
        key = (fpath, st.st_mtime_ns, st.st_size, compress)
        srv = self.server
        with srv.lock:
            hit = srv.cache.get(key)
        if hit is None:
            with open(fpath, "rb") as f:
                if compress:
                    data = bz2.compress(f.read())
                    digest = hashlib.sha256(data)
                else:
                    data, digest = None, hashlib.file_digest(f, "sha256")
            hit = (data, len(data) if compress else st.st_size, f'"{digest.hexdigest()[:16]}"')
            with srv.lock:
                srv.cache[key] = hit
        return hit + (st.st_mtime,)

    def not_modified(self, etag, mtime):
        inm = self.headers.get("If-None-Match")
        if inm is not None:
            tags = [t.strip().removeprefix("W/") for t in inm.split(",")]
            return "*" in tags or (etag is not None and etag in tags)
        ims = self.headers.get("If-Modified-Since")
        if ims:
            try:
                dt = parsedate_to_datetime(ims)
            except (TypeError, ValueError, IndexError):
                return False
            if dt.tzinfo is None:
                dt = dt.replace(tzinfo=timezone.utc)
            return int(mtime) <= dt.timestamp()
        return False

    def byte_range(self, size, etag):
        """-> None (whole body), (start, end) inclusive, or "416"."""
        spec = self.headers.get("Range")
        if_range = self.headers.get("If-Range")
        if not spec or (if_range is not None and if_range.strip() != etag):
            return None
        m = re.fullmatch(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", spec)
        if not m or m.group(1) == m.group(2) == "":
            return None  # malformed or multi-range: ignore, serve everything
        a, b = m.groups()
        if a == "":
            n = int(b)
            return (max(0, size - n), size - 1) if n > 0 and size > 0 else "416"
        start, end = int(a), (int(b) if b else size - 1)
        if start >= size:
            return "416"
        return (start, min(end, size - 1)) if start <= end else None

    def serve(self, with_body):
        o = self.server.opts
        if o.delay:
            time.sleep(o.delay)
        if not self.authorized():
            chal = ([("WWW-Authenticate", 'Basic realm="mlenv-test"')] if o.basic_auth else []) + \
                   ([("WWW-Authenticate", 'Bearer realm="mlenv-test"')] if o.bearer else [])
            return self.reply(401, "unauthorized", chal)
        res = self.resolve()
        if res is None:
            return self.reply(404, "not found")
        if res[0] == "redirect":
            return self.reply(301, "moved", [("Location", res[1])])
        fpath, ctype, compress, vary = res
        try:
            data, size, etag, mtime = self.load(fpath, compress)
        except OSError:
            return self.reply(404, "not found")
        if o.no_etag:
            etag = None
        headers = [("Cache-Control", f"max-age={o.max_age}"), ("Last-Modified", formatdate(mtime, usegmt=True))]
        headers += [("ETag", etag)] if etag else []
        headers += [("Vary", "Accept")] if vary else []
        if self.not_modified(etag, mtime):
            self.send_response(304)
            for k, v in headers:
                self.send_header(k, v)
            return self.end_headers()
        rng = self.byte_range(size, etag)
        if rng == "416":
            return self.reply(416, "range not satisfiable", [("Content-Range", f"bytes */{size}")])
        start, end = rng or (0, size - 1)
        self.send_response(206 if rng else 200)
        for k, v in headers + [("Content-Type", ctype), ("Accept-Ranges", "bytes"),
                               ("Content-Length", str(end - start + 1))]:
            self.send_header(k, v)
        if rng:
            self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.end_headers()
        if not with_body:
            return
        if data is not None:
            return self.wfile.write(data[start:end + 1])
        with open(fpath, "rb") as f:
            f.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = f.read(min(left, 1 << 16))
                if not chunk:
                    break
                self.wfile.write(chunk)
                left -= len(chunk)


def serve(argv):
    p = argparse.ArgumentParser(prog="serve-index.py", description="Serve DIR on 127.0.0.1 as a test package index.")
    p.add_argument("--directory", required=True)
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--log")
    p.add_argument("--max-age", type=int, default=0)
    p.add_argument("--no-etag", action="store_true")
    p.add_argument("--basic-auth", metavar="USER:PASS")
    p.add_argument("--bearer", metavar="TOKEN")
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    p.add_argument("--delay", type=float, default=0.0)
    o = p.parse_args(argv)
    if not os.path.isdir(o.directory):
        p.error(f"not a directory: {o.directory}")
    if bool(o.tls_cert) != bool(o.tls_key):
        p.error("--tls-cert and --tls-key go together")
    if o.basic_auth is not None and ":" not in o.basic_auth:
        p.error("--basic-auth wants USER:PASS")
    server = Server(("127.0.0.1", o.port), Handler)
    server.opts, server.root = o, os.path.realpath(o.directory)
    server.lock, server.cache = threading.Lock(), {}
    server.log = open(o.log, "a", encoding="utf-8") if o.log else None
    if o.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(o.tls_cert, o.tls_key)
        server.socket = ctx.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    port = server.server_address[1]
    if o.port_file:
        tmp = f"{o.port_file}.{os.getpid()}.tmp"
        with open(tmp, "w") as f:
            f.write(f"{port}\n")
        os.replace(tmp, o.port_file)
    print(f"port {port}", flush=True)

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        if server.log:
            server.log.close()


CERT_CONFIG = """
[req]
distinguished_name = dn
prompt = no
[dn]
CN = mlenv-test
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""


def make_ca(argv):
    p = argparse.ArgumentParser(prog="serve-index.py make-ca",
                                description="Make a test CA and a 127.0.0.1/localhost server certificate.")
    p.add_argument("outdir")
    outdir = p.parse_args(argv).outdir

    def run(*args):
        r = subprocess.run(["openssl", *args], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"openssl {args[0]} failed:\n{r.stderr}")
    try:
        run("version")
    except FileNotFoundError:
        sys.exit("make-ca needs the openssl command-line tool")
    os.makedirs(outdir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        cfg, ca_key, csr = (os.path.join(tmp, n) for n in ("openssl.cnf", "ca-key.pem", "server.csr"))
        ca, cert, key = (os.path.join(outdir, n) for n in ("ca.pem", "server.pem", "server-key.pem"))
        with open(cfg, "w") as f:
            f.write(CERT_CONFIG)
        run("req", "-x509", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca,
            "-days", "30", "-config", cfg, "-extensions", "ca_ext", "-subj", "/CN=mlenv test CA")
        run("req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
            "-config", cfg, "-subj", "/CN=127.0.0.1")
        run("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-set_serial", "0x" + secrets.token_hex(8),
            "-days", "30", "-sha256", "-extfile", cfg, "-extensions", "server_ext", "-out", cert)
        os.chmod(key, 0o600)
    print(f"wrote {ca}, {cert}, {key}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["make-ca"]:
        make_ca(sys.argv[2:])
    else:
        serve(sys.argv[1:])

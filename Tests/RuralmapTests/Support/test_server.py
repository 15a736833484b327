#!/usr/bin/env python3
"""A real HTTP server on 127.0.0.1 for ruralmapd's network tests (started by the tests themselves).

Serves files from --root with ETag / Last-Modified / 304, plus fault routes:
  /flaky/N/<file>      answers 500 to the first N requests (per path), then the file
  /flaky429/N/<file>   answers 429 with Retry-After: 1 to the first N requests, then the file
  /status/<code>       answers that status (Retry-After: 1 on 429/503)
  /truncate/<file>     announces the full Content-Length, sends half, closes
  /stall/<file>        sends a little, then stalls forever (low-speed timeout)
  /silent              accepts and never answers
  /gzip/<file>         Content-Encoding: gzip of the file
  /badgzip             Content-Encoding: gzip with a corrupt body
  /redirect-loop       redirects to itself
  /redirect-file       redirects to file:///etc/passwd
  /big                 an endless body (size cap)
  /count/<path>        how many requests <path> received
Webhook receivers (POST), and what they received (GET):
  POST /hook/ok/<name>        records the request, answers 200
  POST /hook/flaky/N/<name>   records it, answers 500 to the first N, then 200
  POST /hook/silent/<name>    records it, never answers
  GET  /hook/log/<name>       the requests received: [{"status", "headers", "body"}]
Prints the port on stdout once listening."""
import argparse, email.utils, gzip, hashlib, http.server, json, os, socketserver, sys, threading, time

counts = {}
hooks = {}
lock = threading.Lock()

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass

    def send_body(self, body, status=200, headers=None):
        self.send_response(status)
        for k, v in (headers or {}).items(): self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def serve_file(self, rel):
        path = os.path.join(ROOT, rel)
        if not os.path.isfile(path): return self.send_body(b"not found", 404)
        data = open(path, "rb").read()
        etag = '"%s"' % hashlib.sha1(data).hexdigest()
        mtime = email.utils.formatdate(os.path.getmtime(path), usegmt=True)
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304); self.send_header("ETag", etag); self.send_header("Content-Length", "0"); self.end_headers(); return
        self.send_body(data, 200, {"ETag": etag, "Last-Modified": mtime})

    def do_POST(self):
        p = self.path.lstrip("/")
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        parts = p.split("/")
        name = parts[-1]
        with lock:
            log = hooks.setdefault(name, [])
            n = len(log) + 1
            status = None if parts[1] == "silent" else (500 if parts[1] == "flaky" and n <= int(parts[2]) else 200)
            log.append({"status": status, "headers": dict(self.headers.items()), "body": body.decode("utf-8", "replace")})
        if status is None:
            time.sleep(120); return
        self.send_body(b"{}", status, {"Content-Type": "application/json"})

    def do_GET(self):
        p = self.path.lstrip("/")
        if p.startswith("hook/log/"):
            with lock: data = json.dumps(hooks.get(p[9:], [])).encode()
            return self.send_body(data, 200, {"Content-Type": "application/json"})
        with lock: counts[p] = counts.get(p, 0) + 1; n = counts[p]
        if p.startswith("count/"):
            return self.send_body(str(counts.get(p[6:], 0)).encode())
        if p.startswith("flaky/"):
            _, times, rel = p.split("/", 2)
            return self.send_body(b"oops", 500) if n <= int(times) else self.serve_file(rel)
        if p.startswith("flaky429/"):
            _, times, rel = p.split("/", 2)
            return self.send_body(b"slow down", 429, {"Retry-After": "1"}) if n <= int(times) else self.serve_file(rel)
        if p.startswith("status/"):
            code = int(p.split("/")[1])
            return self.send_body(b"status", code, {"Retry-After": "1"} if code in (429, 503) else {})
        if p.startswith("truncate/"):
            data = open(os.path.join(ROOT, p[9:]), "rb").read()
            self.send_response(200); self.send_header("Content-Length", str(len(data))); self.end_headers()
            self.wfile.write(data[: len(data) // 2]); self.wfile.flush()
            self.close_connection = True
            return
        if p.startswith("stall/"):
            self.send_response(200); self.send_header("Content-Length", "500000"); self.end_headers()
            self.wfile.write(b"x" * 1000); self.wfile.flush(); time.sleep(60); return
        if p == "silent":
            time.sleep(60); return
        if p.startswith("gzip/"):
            data = gzip.compress(open(os.path.join(ROOT, p[5:]), "rb").read())
            return self.send_body(data, 200, {"Content-Encoding": "gzip"})
        if p == "badgzip":
            return self.send_body(b"\x1f\x8b\x08\x00garbage-not-gzip" * 10, 200, {"Content-Encoding": "gzip"})
        if p == "redirect-loop":
            return self.send_body(b"", 302, {"Location": "/redirect-loop"})
        if p == "redirect-file":
            return self.send_body(b"", 302, {"Location": "file:///etc/passwd"})
        if p == "big":
            self.send_response(200); self.send_header("Content-Length", str(1 << 30)); self.end_headers()
            try:
                for _ in range(1 << 14): self.wfile.write(b"y" * 65536)
            except Exception: pass
            return
        return self.serve_file(p)

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    args = ap.parse_args()
    ROOT = args.root
    srv = Server(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()

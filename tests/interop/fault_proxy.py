"""A test-only HTTP proxy in front of an S3 endpoint that misbehaves on a
share of requests: 500 InternalError, 503 SlowDown, a connection reset
before any answer, a request carried out upstream whose answer is lost (the
connection resets instead), or a stalled answer (delivered late).

    python3 fault_proxy.py UPSTREAM_URL FAULT_RATE SEED [FAIL_WRITES_AFTER]

With FAIL_WRITES_AFTER = N, the first N writes (PUT, POST) go through and
every later one fails for good with 503 SlowDown: an outage that outlasts
any retry.

Prints its own "http://127.0.0.1:PORT" on the first line, then serves until
killed; on SIGTERM it prints a JSON summary of what it did to stderr.
"""
import http.client
import json
import random
import signal
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse

upstream = urlparse(sys.argv[1])
rate = float(sys.argv[2])
rng = random.Random(int(sys.argv[3]))
fail_writes_after = int(sys.argv[4]) if len(sys.argv) > 4 else None
lock = threading.Lock()
counts = {"forwarded": 0, "500": 0, "503": 0, "reset": 0, "lost-answer": 0, "stall": 0}
writes = 0


KINDS = ["500", "503", "reset", "lost-answer", "stall"]
faults = 0


def pick(method):
    # Whether to misbehave is random; how rotates, so every kind shows up.
    global faults, writes
    with lock:
        if fail_writes_after is not None and method in ("PUT", "POST"):
            writes += 1
            if writes > fail_writes_after:
                return "503"
        if rng.random() >= rate:
            return "forward"
        faults += 1
        return KINDS[(faults - 1) % len(KINDS)]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        fault = pick(self.command)
        with lock:
            counts["forwarded" if fault == "forward" else fault] += 1
        if fault == "reset":
            self.reset()
            return
        if fault in ("500", "503"):
            code, name = (500, "InternalError") if fault == "500" else (503, "SlowDown")
            payload = f"<Error><Code>{name}</Code><Message>injected</Message></Error>".encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/xml")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if fault == "stall":
            time.sleep(1.5)
        conn = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection",)}
        conn.request(self.command, self.path, body=body if body else None, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        if fault == "lost-answer":
            conn.close()
            self.reset()
            return
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() in ("transfer-encoding", "connection", "content-length", "server", "date"):
                continue
            self.send_header(k, v)
        # A HEAD answer has no body but the object's length.
        length = resp.getheader("Content-Length", "0") if self.command == "HEAD" else str(len(data))
        self.send_header("Content-Length", length)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        conn.close()

    def reset(self):
        # RST instead of FIN: the client sees a reset connection.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.connection.close()
        self.close_connection = True

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = handle_any


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)


def stop(*_):
    print(json.dumps(counts), file=sys.stderr, flush=True)
    threading.Thread(target=server.shutdown).start()


signal.signal(signal.SIGTERM, stop)
server.serve_forever()

"""Receivers for alert deliveries, served by the tests on a loopback address of their choice: a
webhook that collects JSON POSTs, and an SMTP server that collects messages."""

from __future__ import annotations

import json
import socketserver
import threading
from email import message_from_bytes
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Serving:
    """Start in a thread on entering, shut down on leaving."""

    def __enter__(self) -> Any:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


class Webhook(_Serving, ThreadingHTTPServer):
    """Collects JSON POSTs (and the Host header each came with); `status` is what it answers."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), _WebhookHandler)
        self.received: list[dict] = []
        self.hosts: list[str] = []
        self.status = 204

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{self.server_address[0]}:{self.port}/hook"

    def documents(self) -> list[str]:
        return [doc["url"].rsplit("/", 1)[-1] for payload in self.received for doc in payload["documents"]]


class _WebhookHandler(BaseHTTPRequestHandler):
    server: Webhook

    def log_message(self, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.server.status < 300:
            self.server.received.append(json.loads(body))
            self.server.hosts.append(self.headers["Host"])
        self.send_response(self.server.status)
        self.send_header("Content-Length", "0")
        self.end_headers()


class SmtpSink(_Serving, socketserver.ThreadingTCPServer):
    """Just enough SMTP to take a message: every command is accepted, DATA is collected."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        super().__init__((host, port), _SmtpHandler)
        self.messages: list[Message] = []

    @property
    def port(self) -> int:
        return self.server_address[1]


class _SmtpHandler(socketserver.StreamRequestHandler):
    server: SmtpSink

    def handle(self) -> None:
        self.wfile.write(b"220 sink ready\r\n")
        data: list[bytes] | None = None
        for line in self.rfile:
            if data is not None:
                if line == b".\r\n":
                    self.server.messages.append(message_from_bytes(b"".join(data)))
                    data = None
                    self.wfile.write(b"250 queued\r\n")
                else:
                    data.append(line[1:] if line.startswith(b"..") else line)
                continue
            command = line[:4].upper()
            if command == b"DATA":
                data = []
                self.wfile.write(b"354 go ahead\r\n")
            elif command == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")

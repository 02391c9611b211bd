#!/usr/bin/python3
"""A real SMTP server for the mail specs (Debian's python3-aiosmtpd).

Each accepted message goes to DIR/NNNN.eml, and what the spec checks goes to
DIR/NNNN.json: the envelope, whether TLS and AUTH were used, and the message
as Python's email package reads it (decoded subject, parts, headers, the
longest line). Files in DIR change the answer to DATA at once:
DIR/reply holds a reply ("550 5.1.1 no such user") to give instead of 250;
DIR/delay holds seconds to wait after the message is written and before 250
is said (the window in which the sender may die). Prints
"listening on http://127.0.0.1:PORT" (the line the specs' helpers wait for).
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import socket
import ssl
import sys
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def read(path):
    try:
        with open(path) as f:
            return f.read().strip()
    except OSError:
        return ""


def summary(raw, envelope, session):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    parts = []
    for part in msg.walk():
        if part.get_content_maintype() == "multipart":
            continue
        parts.append({"type": part.get_content_type(),
                      "charset": part.get_content_charset(),
                      "encoding": part.get("Content-Transfer-Encoding", ""),
                      "content": part.get_content()})
    return {
        "mail_from": envelope.mail_from,
        "rcpt_tos": envelope.rcpt_tos,
        "tls": session.ssl is not None,
        "authenticated": bool(session.authenticated),
        "to": str(msg["To"]),
        "from": str(msg["From"]),
        "subject": str(msg["Subject"]),
        "raw_subject": raw.split(b"\r\n\r\n")[0].decode("ascii", "replace"),
        "date": str(msg["Date"]) if msg["Date"] else None,
        "message_id": str(msg["Message-ID"]) if msg["Message-ID"] else None,
        "mime_version": msg["MIME-Version"],
        "content_type": msg.get_content_type(),
        "list_unsubscribe": msg["List-Unsubscribe"],
        "list_unsubscribe_post": msg["List-Unsubscribe-Post"],
        "parts": parts,
        "longest_line": max(len(line) for line in raw.split(b"\r\n")),
    }


class Handler:
    def __init__(self, folder):
        self.folder = folder
        self.count = len([f for f in os.listdir(folder) if f.endswith(".json")])

    async def handle_DATA(self, server, session, envelope):
        reply = read(os.path.join(self.folder, "reply"))
        if reply:
            print("refused with " + reply, flush=True)
            return reply
        self.count += 1
        base = os.path.join(self.folder, "%04d" % self.count)
        raw = envelope.original_content or envelope.content
        with open(base + ".eml.tmp", "wb") as f:
            f.write(raw)
        os.rename(base + ".eml.tmp", base + ".eml")
        with open(base + ".json.tmp", "w") as f:
            json.dump(summary(raw, envelope, session), f, ensure_ascii=False)
        os.rename(base + ".json.tmp", base + ".json")
        delay = read(os.path.join(self.folder, "delay"))
        if delay:
            await asyncio.sleep(float(delay))
        return "250 OK"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--auth", help="USER:PASSWORD required")
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    kwargs = {}
    if args.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(args.cert, args.key)
        kwargs.update(tls_context=ctx, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)

        def check(server, session, envelope, mechanism, data):
            ok = data.login.decode() == user and data.password.decode() == password
            return AuthResult(success=ok)
        kwargs.update(authenticator=check, auth_required=True, auth_require_tls=bool(args.cert))
    port = args.port or free_port()
    signal.pthread_sigmask(signal.SIG_BLOCK, [signal.SIGTERM, signal.SIGINT])
    controller = Controller(Handler(args.dir), hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    print("listening on http://127.0.0.1:%d" % port, flush=True)
    signal.sigwait([signal.SIGTERM, signal.SIGINT])
    controller.stop()


if __name__ == "__main__":
    main()

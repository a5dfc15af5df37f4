"""An SMTP server that keeps every message as a file (make serve-prod, the topology tests): the
production settings send mail over SMTP, so the local topology gives them somewhere to send it.

    python -m deploy.local.smtp_sink PORT MAILDIR
"""

import socketserver
import sys
import time
from pathlib import Path


class Session(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.reply("220 gbv-local-sink")
        while line := self.rfile.readline():
            verb = line.decode("utf-8", "replace").strip().split(" ", 1)[0].upper()
            if verb in {"EHLO", "HELO"}:
                self.reply("250 gbv-local-sink")
            elif verb == "DATA":
                self.reply("354 end with <CRLF>.<CRLF>")
                message = []
                while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                    message.append(data[1:] if data.startswith(b"..") else data)
                name = f"{time.time_ns()}.eml"
                (self.server.maildir / name).write_bytes(b"".join(message))
                self.reply("250 kept as " + name)
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:  # MAIL, RCPT, RSET, NOOP
                self.reply("250 ok")


class Sink(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    port, maildir = int(sys.argv[1]), Path(sys.argv[2])
    maildir.mkdir(parents=True, exist_ok=True)
    with Sink(("127.0.0.1", port), Session) as server:
        server.maildir = maildir
        server.serve_forever()


if __name__ == "__main__":
    main()

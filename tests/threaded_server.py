"""`python -m tests.threaded_server`: the project's WSGI application on runserver's threaded server.

Prints the port it listens on (on loopback, chosen by the system), then serves until killed. The
settings module and DATABASE_URL come from the environment (see tests/concurrency.py).
"""

import socket

# A slow link, made small on both ends: a streamed export fills these buffers within its first few
# hundred rows, so the server stays inside the export (its database cursor open) until the client
# reads on, as it would for a large export downloaded over a slow connection.
SLOW_LINK_BUFFER = 8192


def serve():
    import django

    django.setup()
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler, get_internal_wsgi_application

    class SlowLinkServer(ThreadedWSGIServer):
        def server_bind(self):
            # The connections it accepts inherit this small send buffer.
            self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SLOW_LINK_BUFFER)
            super().server_bind()

    server = SlowLinkServer(("127.0.0.1", 0), WSGIRequestHandler)
    server.set_app(get_internal_wsgi_application())
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    serve()

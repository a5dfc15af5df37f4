"""Render deploy/nginx/gbv.conf.template: `python deploy/nginx/render.py --server-name gbv.example.org
--app 127.0.0.1:8001 --app 127.0.0.1:8002 > /etc/nginx/sites-available/gbv.conf`.

Standard library only, so it runs before the virtualenv exists; deploy/local/ renders the same
template for `make serve-prod` and the topology tests.
"""

import argparse
import re
import sys
from pathlib import Path

TEMPLATE = Path(__file__).with_name("gbv.conf.template")


def render(
    server_name,
    apps,
    tls_certificate,
    tls_certificate_key,
    static_root="/srv/gbv/staticfiles",
    media_root="/srv/gbv/media",
    https_port=443,
    http_port=80,
    log_dir="/var/log/nginx",
    acme_root="/var/www/letsencrypt",
    max_fails=2,
    fail_timeout=10,
):
    values = {
        "SERVER_NAME": server_name,
        "UPSTREAM_SERVERS": "\n".join(
            f"    server {app} max_fails={max_fails} fail_timeout={fail_timeout}s;" for app in apps
        ),
        "TLS_CERTIFICATE": tls_certificate,
        "TLS_CERTIFICATE_KEY": tls_certificate_key,
        "STATIC_ROOT": str(static_root).rstrip("/"),
        "MEDIA_ROOT": str(media_root).rstrip("/"),
        "HTTPS_PORT": str(https_port),
        "HTTPS_PORT_SUFFIX": "" if int(https_port) == 443 else f":{https_port}",
        "HTTP_PORT": str(http_port),
        "LOG_DIR": str(log_dir).rstrip("/"),
        "ACME_ROOT": str(acme_root),
    }
    text = re.sub(r"@@([A-Z_]+)@@", lambda match: values[match[1]], TEMPLATE.read_text())
    return text


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server-name", required=True)
    parser.add_argument("--app", action="append", required=True, help="an app server, host:port (repeat)")
    parser.add_argument("--tls-certificate", default=None, help="default: Let's Encrypt's path for the name")
    parser.add_argument("--tls-certificate-key", default=None)
    parser.add_argument("--static-root", default="/srv/gbv/staticfiles")
    parser.add_argument("--media-root", default="/srv/gbv/media")
    parser.add_argument("--https-port", type=int, default=443)
    parser.add_argument("--http-port", type=int, default=80)
    parser.add_argument("--log-dir", default="/var/log/nginx")
    parser.add_argument("--acme-root", default="/var/www/letsencrypt")
    args = parser.parse_args(argv)
    live = f"/etc/letsencrypt/live/{args.server_name}"
    sys.stdout.write(
        render(
            args.server_name,
            args.app,
            args.tls_certificate or f"{live}/fullchain.pem",
            args.tls_certificate_key or f"{live}/privkey.pem",
            args.static_root,
            args.media_root,
            args.https_port,
            args.http_port,
            args.log_dir,
            args.acme_root,
        )
    )


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Renders the nginx site for Đối thoại from dialogue.conf.in (standard library only: runs with any python3).

    deploy/nginx/render.py --server-name doithoai.example.vn > /etc/nginx/sites-available/dialogue
    deploy/nginx/render.py --standalone DIR --ports 8001,8002,8003 ...   (DIR/nginx.conf and DIR/dialogue.conf,
                                                                         for nginx -p DIR -c DIR/nginx.conf)

The defaults are the production layout of docs/deployment.md: the app in /srv/dialogue, three web processes on
127.0.0.1:8001-8003 (systemd's dialogue-web@8001 … @8003), HTTPS on 443 and a redirect on 80. Every name between at-signs in the
template must be filled: a template with a name this script does not know is an error, not a silent gap.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SITE_TEMPLATE = HERE / "dialogue.conf.in"
MAIN_TEMPLATE = HERE / "nginx.conf.in"
TOKEN = re.compile(r"@([A-Z_]+)@")


class RenderError(ValueError):
    pass


def fill(template: str, values: dict[str, str]) -> str:
    missing = sorted({name for name in TOKEN.findall(template) if name not in values})
    if missing:
        raise RenderError(f"no value for {', '.join(missing)}")
    return TOKEN.sub(lambda m: values[m.group(1)], template)


def parse_ports(text: str) -> list[int]:
    try:
        ports = [int(p) for p in text.split(",") if p.strip()]
    except ValueError:
        raise RenderError(f"--ports must be numbers separated by commas, not {text!r}") from None
    if not ports or any(not 0 < p < 65536 for p in ports) or len(set(ports)) != len(ports):
        raise RenderError(f"--ports must be distinct ports between 1 and 65535, not {text!r}")
    return ports


def listen(address: str, port: int) -> str:
    return f"{address}:{port}" if address else str(port)


def site_values(args: argparse.Namespace, log_dir: Path) -> dict[str, str]:
    ports = parse_ports(args.ports)
    for name in ("https_port", "http_port"):
        if not 0 < getattr(args, name) < 65536:
            raise RenderError(f"--{name.replace('_', '-')} must be a port between 1 and 65535")
    static_root = Path(args.app_dir) / "static"
    upstreams = "\n".join(
        # max_fails/fail_timeout: a process that refuses connections is left out for 10 s, then tried again.
        f"    server {args.backend_address}:{port} max_fails=1 fail_timeout=10s;"
        for port in ports
    )
    return {
        "UPSTREAM_SERVERS": upstreams,
        "SERVER_NAME": args.server_name,
        "HTTP_LISTEN": listen(args.listen_address, args.http_port),
        "HTTPS_LISTEN": listen(args.listen_address, args.https_port),
        # The port the phones see, in the Host passed to the app and in redirects; none for the standard one.
        "HTTPS_PORT_SUFFIX": "" if args.https_port == 443 else f":{args.https_port}",
        "CERTIFICATE": args.certificate,
        "CERTIFICATE_KEY": args.certificate_key,
        "STATIC_ROOT": str(static_root),
        "ACCESS_LOG": str(log_dir / "dialogue.access.log"),
        "ERROR_LOG": str(log_dir / "dialogue.error.log"),
    }


def render_site(args: argparse.Namespace, log_dir: Path) -> str:
    return fill(SITE_TEMPLATE.read_text(encoding="utf-8"), site_values(args, log_dir))


def write_standalone(args: argparse.Namespace) -> Path:
    prefix = Path(args.standalone).resolve()
    for sub in ("logs", "tmp"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    log_dir = Path(args.log_dir).resolve() if args.log_dir else prefix / "logs"
    (prefix / "dialogue.conf").write_text(render_site(args, log_dir), encoding="utf-8")
    main = fill(MAIN_TEMPLATE.read_text(encoding="utf-8"), {"PREFIX": str(prefix)})
    (prefix / "nginx.conf").write_text(main, encoding="utf-8")
    return prefix / "nginx.conf"


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--server-name", default="_", help="the host name(s) phones use, e.g. doithoai.example.vn")
    p.add_argument("--ports", default="8001,8002,8003", help="ports of the web processes, comma-separated")
    p.add_argument("--backend-address", default="127.0.0.1", help="where the web processes listen")
    p.add_argument("--listen-address", default="", help="address nginx listens on (default: every address)")
    p.add_argument("--https-port", type=int, default=443)
    p.add_argument("--http-port", type=int, default=80)
    p.add_argument("--app-dir", default="/srv/dialogue", help="the checkout; its static/ is served by nginx")
    p.add_argument("--certificate", default="/etc/dialogue/tls/fullchain.pem")
    p.add_argument("--certificate-key", default="/etc/dialogue/tls/privkey.pem")
    p.add_argument("--log-dir", default=None, help="default /var/log/nginx, or DIR/logs with --standalone")
    p.add_argument("--standalone", metavar="DIR", help="write DIR/nginx.conf and DIR/dialogue.conf")
    p.add_argument("--output", "-o", help="write the site here instead of standard output")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.standalone:
            print(write_standalone(args))
            return 0
        site = render_site(args, Path(args.log_dir or "/var/log/nginx"))
    except RenderError as exc:
        print(f"render.py: {exc}", file=sys.stderr)
        return 2
    if args.output:
        Path(args.output).write_text(site, encoding="utf-8")
    else:
        sys.stdout.write(site)
    return 0


if __name__ == "__main__":
    sys.exit(main())

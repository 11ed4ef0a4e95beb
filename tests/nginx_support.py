"""The shipped nginx configuration (deploy/nginx/referrals.conf) made runnable on this machine: its certificate,
log, static and upstream paths replaced by this machine's, everything else as shipped."""

import shutil
import subprocess
from pathlib import Path

import pytest

from referrals.web.pages import STATIC_DIR

SHIPPED = Path(__file__).parents[1] / "deploy" / "nginx" / "referrals.conf"
NGINX = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None)
needs_nginx = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed here (apt-get install -y nginx-light): the shipped configuration "
                          "was not run by nginx")


def configure(folder: Path, **replacements: str) -> Path:
    """Write nginx.conf (the main file) and referrals.conf (the shipped one, with `replacements` and this machine's
    paths) into `folder`; answer the main file. Every replaced text must be in the shipped file."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=referrals.example.com",
                    "-addext", "subjectAltName=DNS:referrals.example.com,IP:127.0.0.1",
                    "-keyout", str(folder / "key.pem"), "-out", str(folder / "cert.pem")],
                   check=True, capture_output=True, timeout=60)
    (folder / "logs").mkdir(exist_ok=True)
    conf = SHIPPED.read_text()
    for shipped, here in {
        "/etc/letsencrypt/live/referrals.example.com/fullchain.pem": str(folder / "cert.pem"),
        "/etc/letsencrypt/live/referrals.example.com/privkey.pem": str(folder / "key.pem"),
        "/var/log/nginx/": f"{folder / 'logs'}/",
        "/opt/referrals/static/": f"{STATIC_DIR}/",
        "/var/www/letsencrypt": str(folder),
        **replacements,
    }.items():
        assert shipped in conf, f"{shipped!r} is no longer in {SHIPPED}"
        conf = conf.replace(shipped, here)
    (folder / "referrals.conf").write_text(conf)
    mime = "include /etc/nginx/mime.types;" if Path("/etc/nginx/mime.types").exists() else ""
    # (nginx's workers, as nobody, could not write there: the tests send nothing nginx would buffer to a file)
    temporary = " ".join(f"{kind}_temp_path {folder}/{kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi",
                                                                          "scgi"))
    main = folder / "nginx.conf"
    main.write_text(f"pid {folder}/nginx.pid;\nerror_log {folder}/error.log;\nevents {{}}\n"
                    f"http {{\n {mime}\n access_log {folder}/access.log;\n {temporary}\n"
                    f" include {folder}/referrals.conf;\n}}\n")
    return main


def command(main: Path, *args: str) -> list[str]:
    return [NGINX or "nginx", "-p", str(main.parent), "-e", str(main.parent / "error.log"), "-c", str(main), *args]

"""Start the Streamlit dashboard as a child process (used by ``dashboard`` and ``demo``)."""

from __future__ import annotations

import errno
import socket
import subprocess
import sys

from langnghe.errors import UserError
from langnghe.settings import PROJECT_ROOT, Settings, subprocess_env

APP = PROJECT_ROOT / "dashboard" / "app.py"


def check_port_free(port: int, host: str = "127.0.0.1") -> None:
    """Fail with a clear message when the port is taken (before any work is done)."""
    if not 0 < port < 65536:
        raise UserError(f"port {port} is not a valid TCP port. Choose one between 1024 and 65535 with --port.")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise UserError(
                    f"port {port} is already in use. Stop the program using it or choose another with --port."
                ) from exc
            raise


def streamlit_command(port: int, headless: bool = True) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(APP),
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--server.headless", "true" if headless else "false",
        "--browser.gatherUsageStats", "false",
        "--global.developmentMode", "false",
        "--client.toolbarMode", "minimal",
    ]


def launch_dashboard(settings: Settings, port: int, headless: bool = False) -> int:
    check_port_free(port)
    env = subprocess_env(settings, LANGNGHE_HOME=str(settings.home.resolve()))
    try:
        return subprocess.run(streamlit_command(port, headless), env=env, check=False).returncode
    except KeyboardInterrupt:
        return 0

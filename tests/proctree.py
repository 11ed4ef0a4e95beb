"""Which processes a server runs and which of them accepted a connection, read from /proc (Linux), so a test can
tell the web processes of `referrals serve --processes N` apart without the server saying anything about itself."""

import os
import socket
from pathlib import Path


def children(pid: int) -> list[int]:
    """The processes whose parent is `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return sorted(found)


def command_line(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def web_processes(server_pid: int) -> list[int]:
    """The interpreters uvicorn spawned to serve (not multiprocessing's resource tracker)."""
    return [pid for pid in children(server_pid) if "spawn_main" in command_line(pid)]


def open_files(pid: int) -> set[str]:
    """The paths this process holds open."""
    fds = Path("/proc") / str(pid) / "fd"
    found = set()
    for fd in fds.iterdir():
        try:
            found.add(os.readlink(fd))
        except OSError:
            continue
    return found


def _socket_inode(server_port: int, client_port: int) -> int | None:
    """The inode of the server's end of the connection from 127.0.0.1:client_port to server_port."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].split(":")[1], 16)
        remote_port = int(fields[2].split(":")[1], 16)
        if local_port == server_port and remote_port == client_port:
            return int(fields[9])
    return None


def owner(inode: int, candidates: list[int]) -> int | None:
    target = f"socket:[{inode}]"
    for pid in candidates:
        fds = Path("/proc") / str(pid) / "fd"
        try:
            if any(os.readlink(fd) == target for fd in fds.iterdir()):
                return pid
        except OSError:
            continue
    return None


def answered_by(server_port: int, candidates: list[int], path: str = "/healthz") -> tuple[int, int | None]:
    """One request on a new connection: its status and the process holding the server's end of it."""
    with socket.create_connection(("127.0.0.1", server_port), timeout=10) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        head = conn.recv(65536).decode("latin-1")
        status = int(head.split()[1])
        inode = _socket_inode(server_port, conn.getsockname()[1])  # the connection is still open here
        return status, owner(inode, candidates) if inode else None

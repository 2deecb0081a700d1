"""Which process is at the other end of a loopback TCP connection, where the operating system can tell (Linux).

Linux lists every TCP socket of the network namespace in /proc/net/tcp (and tcp6), one line each with its local and
remote address (hex, the port as four hex digits) and its inode. The connecting process's socket is the line whose
local port is the connection's remote port and whose remote port is the server's port; the process holding it has a
`/proc/<pid>/fd/<n>` link reading `socket:[<inode>]`. Only the processes the caller names are searched, so the cost is
one read of the socket table and a few directory listings, whatever else runs on the machine.

Elsewhere (macOS has no /proc, and no call that names the process behind a TCP peer) `SUPPORTED` is False.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

SUPPORTED = os.path.exists("/proc/net/tcp")


def socket_inode(server_port: int, peer_port: int) -> int | None:
    """The inode of the connecting socket of the loopback connection peer_port -> server_port; None if not listed."""
    local = f":{peer_port:04X}"
    remote = f":{server_port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            with open(table) as listing:
                next(listing, None)  # the column titles
                for line in listing:
                    fields = line.split()
                    if len(fields) > 9 and fields[1].endswith(local) and fields[2].endswith(remote):
                        inode = int(fields[9])
                        if inode:  # 0: a socket in TIME_WAIT, held by no process
                            return inode
        except (OSError, ValueError):
            continue
    return None


def holds_socket(pid: int, inode: int) -> bool:
    """Whether the process `pid` has the socket `inode` open."""
    target = f"socket:[{inode}]"
    directory = f"/proc/{pid}/fd"
    try:
        names = os.listdir(directory)
    except OSError:
        return False  # ended, or not ours to look at
    for name in names:
        try:
            if os.readlink(f"{directory}/{name}") == target:
                return True
        except OSError:
            continue
    return False


def connected_from(server_port: int, peer_port: int, candidates: Iterable[int]) -> int | None:
    """The first of `candidates` holding the connecting end of peer_port -> server_port, or None.

    `candidates` is consumed lazily, so a caller can name the likeliest process first and a costly search last.
    """
    inode = socket_inode(server_port, peer_port)
    if inode is None:
        return None
    for pid in candidates:
        if holds_socket(pid, inode):
            return pid
    return None

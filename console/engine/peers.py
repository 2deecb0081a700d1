"""Which process is at the other end of a loopback TCP connection, where the operating system can tell (Linux).

The connecting process's socket is found by its four addresses: from the server's side, its local port is the
connection's remote port and its remote port is the server's. Linux answers for that one socket over netlink (the
sock_diag interface, `SOCK_DIAG_BY_FAMILY` with an exact `inet_diag_req_v2`, as `ss` uses it: a few tens of
microseconds); where that is unavailable, /proc/net/tcp (and tcp6) lists every TCP socket, one line each with its
local and remote address (hex, the port as four hex digits) and its inode, which is slower on a busy machine. The
process holding that socket has a `/proc/<pid>/fd/<n>` link reading `socket:[<inode>]`. Only the processes the caller
names are searched, so the cost does not grow with whatever else runs on the machine.

Elsewhere (macOS has no /proc, and no call that names the process behind a TCP peer) `SUPPORTED` is False.
"""

from __future__ import annotations

import os
import socket
import struct
from collections.abc import Iterable

SUPPORTED = os.path.exists("/proc/net/tcp")

# linux/netlink.h, linux/sock_diag.h, linux/inet_diag.h
_NETLINK_SOCK_DIAG = 4
_SOCK_DIAG_BY_FAMILY = 20
_NLM_F_REQUEST = 1
_NLMSG_HEADER = struct.Struct("=LHHLL")  # length, type, flags, sequence, port id
_NO_COOKIE = 0xFFFFFFFF
_ALL_STATES = 0xFFFFFFFF
# In the reply: the netlink header (16 bytes), then inet_diag_msg: family, state, timer, retransmits (4 bytes), the
# socket id (48), expires, receive queue, send queue, uid (4 bytes each), then the inode.
_INODE_OFFSET = 16 + 4 + 48 + 16
_LOOPBACK = socket.inet_aton("127.0.0.1") + bytes(12)


def _diag_inode(server_port: int, peer_port: int) -> int | None:
    """The inode from netlink's sock_diag; None when it does not know the socket or cannot be asked."""
    request = (struct.pack("=BBBBI", socket.AF_INET, socket.IPPROTO_TCP, 0, 0, _ALL_STATES)
               + struct.pack("!HH", peer_port, server_port) + _LOOPBACK + _LOOPBACK
               + struct.pack("=III", 0, _NO_COOKIE, _NO_COOKIE))
    message = _NLMSG_HEADER.pack(_NLMSG_HEADER.size + len(request), _SOCK_DIAG_BY_FAMILY, _NLM_F_REQUEST, 1, 0)
    try:
        with socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM, _NETLINK_SOCK_DIAG) as link:
            link.settimeout(1.0)
            link.send(message + request)
            reply = link.recv(8192)
    except (OSError, AttributeError):  # AttributeError: no AF_NETLINK on this system
        return None
    if len(reply) < _INODE_OFFSET + 4 or _NLMSG_HEADER.unpack_from(reply)[1] != _SOCK_DIAG_BY_FAMILY:
        return None  # an error message: no such socket (or no TCP diagnostics in this kernel)
    return struct.unpack_from("=I", reply, _INODE_OFFSET)[0] or None


def socket_inode(server_port: int, peer_port: int) -> int | None:
    """The inode of the connecting socket of the loopback connection peer_port -> server_port; None if not listed."""
    inode = _diag_inode(server_port, peer_port)
    if inode is not None:
        return inode
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


def hung_up(conn: socket.socket) -> bool:
    """Whether the peer of `conn` has closed its end (the serving thread may not have noticed yet)."""
    try:
        return conn.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
    except (BlockingIOError, InterruptedError):
        return False  # open, nothing to read
    except OSError:
        return True

"""Capture of a worker's output (stdout and stderr share one pipe, as on Lambda) into per-invocation logs.

A pump thread keeps the pipe drained so a chatty handler never blocks on a full pipe. The engine cuts the stream at
invocation boundaries with `take()`, which first drains the pipe itself under the same lock: everything the worker
wrote before it posted its response is already in the pipe then, so it lands in the right invocation's log.

A runtime client given Lambda's telemetry log descriptor (`_LAMBDA_TELEMETRY_LOG_FD`, on the same pipe, so records
and prints keep their order) writes each log record as one frame: a 4-byte big-endian type whose upper half is
0xA55A, a 4-byte length, an 8-byte timestamp in microseconds since the epoch, then the message (the format AWS's
runtime interface client documents for its telemetry sink). The capture unwraps each frame into its message, whole
and on lines of its own, so a multi-line record such as a traceback reads as written. Bytes that only look like the
start of a frame (the magic, but a type or timestamp no client would write) pass through as plain output.
"""

from __future__ import annotations

import os
import select
import struct
import threading
import time

DEFAULT_LOG_LIMIT = 1 << 20  # bytes kept per invocation
_TAIL = 64 * 1024  # of which the last part is always kept: Lambda's LogResult is the log's tail
_FRAME = struct.Struct(">IIQ")  # type, length, timestamp (microseconds)
_MAGIC = b"\xa5\x5a"
# A frame's timestamp is the time it was written: one further than this from the time it is read is not a frame.
_FRAME_CLOCK_SLACK_US = 24 * 3600 * 1_000_000


def _is_frame_header(frame_type: int, timestamp_us: int) -> bool:
    return frame_type >> 16 == 0xA55A and frame_type & 0xFF00 == 0 and (
        abs(timestamp_us - time.time_ns() // 1000) < _FRAME_CLOCK_SLACK_US)


class LogCapture:
    """Reads a pipe in the background and hands out what was written since the last `take()`, capped."""

    def __init__(self, fd: int, limit: int = DEFAULT_LOG_LIMIT) -> None:
        os.set_blocking(fd, False)
        self._fd = fd
        self._limit = max(limit, 2 * _TAIL)
        self._lock = threading.Lock()
        self._head = bytearray()
        self._tail = bytearray()
        self._dropped = 0
        self._eof = False
        self._closed = False
        self._pending = bytearray()  # bytes that may begin a frame, held until its header is complete
        self._frame_left = 0  # bytes of the current frame's message still to come
        self._last = 10  # the last byte passed on ("\n": at the start of a line)
        self._thread = threading.Thread(target=self._pump, name="worker-log", daemon=True)
        self._thread.start()

    def _pump(self) -> None:
        poller = select.poll()
        poller.register(self._fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        while not self._eof and not self._closed:
            try:
                if not poller.poll(500):
                    continue
            except (OSError, ValueError):
                return
            with self._lock:
                if self._closed:
                    return
                self._drain()

    def _drain(self) -> None:
        """Read all that is in the pipe now. Caller holds the lock."""
        while not self._eof:
            try:
                chunk = os.read(self._fd, 65_536)
            except BlockingIOError:
                return
            except OSError:
                self._eof = True
                return
            if not chunk:
                self._eof = True
                if self._pending:  # the writer is gone: what looked like a frame's start was plain output
                    self._append(bytes(self._pending))
                    self._pending.clear()
                return
            self._append(self._unframe(chunk))

    def _unframe(self, chunk: bytes) -> bytes:
        """Plain output passes through; each frame becomes its message on lines of its own. Caller holds the lock."""
        buffer = self._pending
        buffer += chunk
        out = bytearray()
        pos, size = 0, len(buffer)
        while pos < size:
            if self._frame_left:
                part = min(self._frame_left, size - pos)
                out += buffer[pos:pos + part]
                pos += part
                self._frame_left -= part
                if not self._frame_left and buffer[pos - 1] != 10:
                    out += b"\n"
                continue
            start = buffer.find(_MAGIC, pos)
            if start < 0:
                end = size - 1 if buffer[size - 1] == 0xA5 else size  # a last 0xA5 may begin the magic
                out += buffer[pos:end]
                pos = end
                break
            out += buffer[pos:start]
            if size - start < _FRAME.size:
                pos = start  # wait for the rest of the header
                break
            frame_type, length, timestamp = _FRAME.unpack_from(buffer, start)
            if not _is_frame_header(frame_type, timestamp):
                out += buffer[start:start + 1]
                pos = start + 1
                continue
            pos = start + _FRAME.size
            if length:
                last = out[-1] if out else self._last
                if last != 10:
                    out += b"\n"  # a record starts a line of its own
                self._frame_left = length
        del buffer[:pos]
        if out:
            self._last = out[-1]
        return bytes(out)

    def _append(self, chunk: bytes) -> None:
        room = self._limit - _TAIL - len(self._head)
        if room > 0:
            self._head += chunk[:room]
            chunk = chunk[room:]
        if chunk:
            self._tail += chunk
            if len(self._tail) > _TAIL:
                cut = len(self._tail) - _TAIL
                self._dropped += cut
                del self._tail[:cut]

    def take(self) -> bytes:
        """Everything written since the last take (head and tail of it when it was over the limit)."""
        with self._lock:
            if not self._closed:
                self._drain()
            data = bytes(self._head)
            if self._dropped:
                data += f"\n... [log cut: {self._dropped} bytes omitted] ...\n".encode()
            data += self._tail
            self._head.clear()
            self._tail.clear()
            self._dropped = 0
            return data

    def close(self) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                os.close(self._fd)
            except OSError:
                pass

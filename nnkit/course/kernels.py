"""Kernel clients that cannot miss a message: the cure for the stalls of nbclient runs.

What stalled. nbclient (under the site build, the benchmarks, ``jupyter nbconvert
--execute``) waits for each reply with ``await socket.poll(timeout)`` on an asyncio ZeroMQ
socket. pyzmq wakes that poll from the socket's file descriptor, which is edge-triggered: now
and then, on a busy machine, the edge is missed, and the poll sleeps although the reply is
already there. It wakes only when its timeout fires, and then finds the message at once.
``benchmarks/stalls.py`` measured it: runs in which one cell's reply arrived exactly
``timeout`` seconds late, with the kernel idle; with no timeout (nbconvert's default) that is
a hang. The kernel is not the cause: ipykernel 6.31 and 7.4 stalled alike. nbval is immune:
it uses the blocking client, whose poll is level-triggered.

The cure. :func:`patch_missed_wakeups` makes every asyncio channel poll in short slices; each
slice ends with a level-triggered check, so a missed edge costs at most ``SLICE`` seconds.
"""
from __future__ import annotations

import time
from queue import Empty

SLICE = 0.25  # seconds: the longest a missed wake-up can now delay a message


async def _get_msg_in_slices(self, timeout: float | None = None) -> dict:
    """``AsyncZMQSocketChannel.get_msg`` with the same contract, polling ``SLICE`` at a time."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        wait = SLICE if deadline is None else max(0.0, min(SLICE, deadline - time.monotonic()))
        if await self.socket.poll(int(wait * 1000)):
            return await self._recv()
        if deadline is not None and time.monotonic() >= deadline:
            raise Empty


def patch_missed_wakeups() -> None:
    """Make jupyter_client's asyncio channels poll in slices (idempotent; this process only)."""
    from jupyter_client.channels import AsyncZMQSocketChannel

    if AsyncZMQSocketChannel.get_msg is not _get_msg_in_slices:
        AsyncZMQSocketChannel.get_msg = _get_msg_in_slices  # type: ignore[method-assign]

"""The cure for missed ZeroMQ wake-ups: asyncio channels poll in short slices."""
import asyncio
from queue import Empty

import pytest

from nnkit.course import kernels


class MissedWakeUp:
    """A socket whose message is there from the start, but whose poll sleeps through it
    (a missed edge) unless asked with a timeout, as pyzmq's asyncio poll behaves."""

    def __init__(self, message_after_polls=None):
        self.polls, self.ready_after = [], message_after_polls

    async def poll(self, timeout_ms):
        self.polls.append(timeout_ms)
        if self.ready_after is not None and len(self.polls) > self.ready_after:
            return 1  # the slice's final level-triggered check finds the message
        await asyncio.sleep(timeout_ms / 1000)
        return 0


class Channel:
    def __init__(self, socket):
        self.socket = socket

    async def _recv(self):
        return {"msg_type": "execute_reply"}


def test_a_waiting_message_is_found_within_one_slice_even_without_a_timeout():
    channel = Channel(MissedWakeUp(message_after_polls=2))
    msg = asyncio.run(kernels._get_msg_in_slices(channel, timeout=None))
    assert msg == {"msg_type": "execute_reply"}
    # Three slices of 250 ms, not one endless poll: a missed edge costs at most a slice.
    assert channel.socket.polls == [250, 250, 250], channel.socket.polls


def test_no_message_raises_empty_at_the_deadline_and_slices_never_overshoot_it():
    channel = Channel(MissedWakeUp(message_after_polls=None))
    with pytest.raises(Empty):
        asyncio.run(kernels._get_msg_in_slices(channel, timeout=0.6))
    polls = channel.socket.polls
    assert polls[:2] == [250, 250] and all(0 <= p <= 250 for p in polls), polls
    assert sum(polls) <= 600, f"the slices add up to more than the timeout: {polls}"


def test_patch_is_idempotent_and_replaces_jupyter_clients_async_get_msg():
    from jupyter_client.channels import AsyncZMQSocketChannel

    original = AsyncZMQSocketChannel.get_msg
    try:
        kernels.patch_missed_wakeups()
        kernels.patch_missed_wakeups()
        assert AsyncZMQSocketChannel.get_msg is kernels._get_msg_in_slices
    finally:
        AsyncZMQSocketChannel.get_msg = original

"""Two test servers on one port, on two loopback addresses: a name that moves from one address to
the other (DNS rebinding) then reaches either server with the same URL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from socketserver import BaseServer
from typing import TypeVar

First = TypeVar("First", bound=BaseServer)
Second = TypeVar("Second", bound=BaseServer)


@contextmanager
def servers_on_one_port(
    first: Callable[[int], First], second: Callable[[int], Second]
) -> Iterator[tuple[First, Second]]:
    """`first(0)` picks a free port and `second(port)` takes the same one on its own address; the
    port may be in use on the second address (any loopback client holds one), so a few tries.
    Both are started (`with` them) and stopped at the end."""
    for _ in range(5):
        with ExitStack() as stack:
            one = stack.enter_context(first(0))
            try:
                other = second(one.server_address[1])
            except OSError:
                continue
            yield one, stack.enter_context(other)
            return
    raise RuntimeError("no port free on both addresses")

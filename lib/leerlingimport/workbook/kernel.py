"""The kernel a run's notebooks execute in: one per run, reset between notebooks.

Starting a kernel and importing the package costs seconds; the five notebooks of a run share
one kernel, whose namespace is reset before every notebook (so a notebook only sees what it
defines itself; the imported modules stay loaded). The kernel talks to the runner over Unix
sockets (files in the temporary folder), not TCP on the loopback. Everything papermill does
runs in a context of its own, whose event loop is closed at the end: papermill's loop must not
leak into other threads (stack.md #7).
"""

from __future__ import annotations

import contextvars
import secrets
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from jupyter_client.manager import AsyncKernelManager
from traitlets import default

T = TypeVar("T")
RESET = "get_ipython().reset(new_session=False)"


class LocalKernelManager(AsyncKernelManager):
    """A kernel over Unix sockets, which stops the clients it handed out (papermill does not
    stop those of a kernel it did not start)."""

    def client(self, **kwargs: Any) -> Any:
        made = super().client(**kwargs)
        self._clients = [*getattr(self, "_clients", []), made]
        return made

    def stop_clients(self) -> None:
        for made in getattr(self, "_clients", []):
            made.stop_channels()
        self._clients = []

    @default("transport")
    def _transport(self) -> str:
        return "ipc"

    @default("ip")
    def _ip(self) -> str:
        return str(Path(tempfile.gettempdir()) / f"leerlingimport-{secrets.token_hex(6)}")


@dataclass
class Kernel:
    """A kernel for one run's notebooks, started by the first of them."""

    context: contextvars.Context
    manager: LocalKernelManager
    used: bool = False

    def run(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call ``function`` (papermill) in the kernel's context, with its manager; the
        namespace the previous notebook left is cleared first."""
        if self.used and self.alive():
            self.context.run(_execute, self.manager, RESET)
        self.used = True
        try:
            return self.context.run(function, *args, km=self.manager, **kwargs)
        finally:
            self.manager.stop_clients()

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return bool(self.context.run(run_sync(self.manager.is_alive)))


@contextmanager
def kernel() -> Iterator[Kernel]:
    """One kernel for a run, shut down (and its event loop closed) at the end."""
    context = contextvars.Context()
    session = Kernel(context, context.run(LocalKernelManager, kernel_name="python3"))
    try:
        yield session
    finally:
        context.run(_shut_down, session.manager)


def _execute(manager: LocalKernelManager, code: str) -> None:
    from jupyter_core.utils import run_sync

    client = manager.client()
    client.start_channels()
    try:
        run_sync(client.execute_interactive)(code, timeout=60, store_history=False)
    finally:
        manager.stop_clients()


def _shut_down(manager: LocalKernelManager) -> None:
    import asyncio

    from jupyter_core.utils import ensure_event_loop, run_sync

    try:
        manager.stop_clients()
        if manager.has_kernel:
            run_sync(manager.shutdown_kernel)(now=True)
    finally:
        ensure_event_loop().close()
        asyncio.set_event_loop(None)

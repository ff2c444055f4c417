"""A SQLite file's transactions run whole in a process of their own, for a process that computes.

A runner's process computes runs and writes their events and results. On its writer thread a transaction
shared the interpreter lock with the computation, and the process's lowered CPU priority with it: an event
batch of 4 ms of work held SQLite's one write lock 6–7 ms at the median and a run's data 150 ms at worst,
while the API's posts waited for the lock. Here the transaction runs in a process that does nothing else,
started before its parent lowers its own priority, so the lock is held for the work alone. Each
transaction is a picklable function of a blocking session (a module-level function, or a partial of one);
its answer, or its exception, comes back over the pipe.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import pickle
import signal
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

import structlog
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from infra_mind.logs import configure_logging
from infra_mind.store.sqlite_writer import SqliteWriter

T = TypeVar("T")
log = structlog.get_logger(__name__)

STOP_TIMEOUT_S = 10.0


class WriterGone(OSError):
    """The writer process exited: a transaction sent to it may or may not have been committed."""


class WriterProcess:
    def __init__(
        self, database_url: str, *, wait_s: float, first: bool, log_level: str, log_json: bool
    ) -> None:
        """Starts the process now, with this process's CPU priority."""
        self._args = (database_url, wait_s, first)
        self._logging = (log_level, log_json)
        self._connection, self._process = self._start()
        self._closed = False
        # One transaction at a time, as on the writer thread: its answer is the next message on the pipe.
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-writes")

    def _start(self) -> tuple[Connection, BaseProcess]:
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(
            target=serve_transactions,
            args=(*self._args, theirs, *self._logging),
            name="infra-mind-sqlite-writer",
            daemon=True,
        )
        process.start()
        theirs.close()
        return ours, process

    async def run(self, work: Callable[[Session], T]) -> T:
        """`work` in one transaction in the writer process, committed when it returns, rolled back if it
        raises. Cancelling the caller does not cut it off: the transaction ends either way."""
        self._refuse_if_closed()
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._call, work)

    def _refuse_if_closed(self) -> None:
        if self._closed:
            raise WriterGone("the database's writer process was stopped: the database is disposed of")

    def _call(self, work: Callable[[Session], T]) -> T:
        # Also here: a transaction queued before `close` finds the process stopped.
        self._refuse_if_closed()
        if not self._process.is_alive():
            # Whatever ended it, the next transaction gets a new one (with this process's priority now).
            log.warning("store.writer_process_restarted", exit_code=self._process.exitcode)
            self._connection.close()
            self._connection, self._process = self._start()
        try:
            self._connection.send(work)
            done, value = self._connection.recv()
        except (OSError, EOFError) as exc:
            self._reap()
            raise WriterGone(
                f"the database's writer process exited (exit code {self._process.exitcode})"
            ) from exc
        if done:
            return value  # type: ignore[no-any-return]
        raise value

    def _reap(self) -> None:
        """The process is told to stop or has closed its end of the pipe: it is exiting, or is made to."""
        self._process.join(STOP_TIMEOUT_S)
        if self._process.is_alive():
            log.warning("store.writer_process_killed", pid=self._process.pid, waited_s=STOP_TIMEOUT_S)
            self._process.kill()
            self._process.join()

    async def close(self) -> None:
        """Lets the transaction under way finish, then stops the process."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._stop)
        self._thread.shutdown()

    def _stop(self) -> None:
        self._closed = True
        with contextlib.suppress(OSError):
            self._connection.send(None)
        self._reap()
        self._connection.close()


def serve_transactions(
    database_url: str, wait_s: float, first: bool, connection: Connection, log_level: str, log_json: bool
) -> None:
    """The process's entry point: runs each function it receives until it receives None or its parent's
    end of the pipe closes (the parent exited, however it ended). Ctrl-C reaches the whole process group;
    the parent stops this process in order. A SIGTERM (a service manager stopping the group) ends it once
    the transaction under way is answered."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stop = _StopBetweenTransactions()
    signal.signal(signal.SIGTERM, stop.requested)
    configure_logging(log_level, json=log_json)
    writer = SqliteWriter(make_url(database_url), wait_s=wait_s, first=first)
    try:
        while not stop.asked:
            try:
                work = connection.recv()
            except EOFError:
                return
            except Exception as exc:
                work = partial(_unreadable, exc=exc)
            if work is None:
                return
            with stop.deferred():
                if not _send(connection, _run(writer, work)):
                    return
    except _Stopped:
        return
    finally:
        writer.dispose()
        connection.close()


def _unreadable(_session: Session, exc: Exception) -> None:
    """A function this process could not unpickle: its error, answered like any other."""
    raise exc


class _Stopped(BaseException):
    """Raised by the SIGTERM handler while the process waits for work; not an Exception, so that no
    handler of a transaction's errors takes it for one."""


class _StopBetweenTransactions:
    def __init__(self) -> None:
        self.asked = False
        self._busy = False

    def requested(self, _signum: int, _frame: object) -> None:
        self.asked = True
        if not self._busy:
            raise _Stopped()

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        """A SIGTERM meanwhile takes effect once the transaction is answered."""
        self._busy = True
        try:
            yield
        finally:
            self._busy = False


def _run(writer: SqliteWriter, work: Callable[[Session], Any]) -> tuple[bool, Any]:
    try:
        return True, writer.transaction(work)
    except Exception as exc:
        # The traceback stays here; the parent's log shows it as the exception's note.
        exc.add_note(f"in the writer process:\n{traceback.format_exc()}")
        return False, _picklable(exc)


def _send(connection: Connection, reply: tuple[bool, Any]) -> bool:
    """False once the parent is gone."""
    try:
        try:
            connection.send(reply)
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            connection.send((False, RuntimeError(f"the transaction's answer cannot be sent back: {exc}")))
    except OSError:
        return False
    return True


def _picklable(exc: Exception) -> Exception:
    """The exception itself when it survives the pipe, else one that says what it was."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc

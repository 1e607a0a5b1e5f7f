"""torch.multiprocessing.spawn: start ``nprocs`` processes running ``fn(i, *args)`` and wait for
them, raising in the parent what made the first one fail.

As torch does it: each child gets a file to write its traceback to when ``fn`` raises, and
exits with status 1; ``ProcessContext.join`` waits for any child to end, and when one failed,
terminates the others and raises ProcessRaisedException carrying the child's traceback text,
or ProcessExitedException when the child died without one (an exit status, a signal).
Children are started as Note [child processes] in _context.py says.
"""

import ctypes
import logging
import multiprocessing.connection
import os
import pickle
import signal
import sys
import tempfile
import time
import warnings

from . import _context

log = logging.getLogger(__name__)


class ProcessException(Exception):
    __slots__ = ["error_index", "error_pid"]

    def __init__(self, msg: str, error_index: int, error_pid: int):
        super().__init__(msg)
        self.msg = msg
        self.error_index = error_index
        self.error_pid = error_pid

    def __reduce__(self):
        return type(self), (self.msg, self.error_index, self.error_pid)


class ProcessRaisedException(ProcessException):
    """Exception raised when a process failed due to an exception raised by the code."""


class ProcessExitedException(ProcessException):
    """Exception raised when a process failed due to signal or exited with a specific code."""

    __slots__ = ["exit_code"]

    def __init__(self, msg, error_index, error_pid, exit_code, signal_name=None):
        super().__init__(msg, error_index, error_pid)
        self.exit_code = exit_code
        self.signal_name = signal_name

    def __reduce__(self):
        args = (self.msg, self.error_index, self.error_pid, self.exit_code, self.signal_name)
        return type(self), args


def _set_parent_death_signal(sig):
    """On Linux, have the kernel send ``sig`` to this process when its parent ends (torch's
    prctl(PR_SET_PDEATHSIG)), so that a child does not outlive a parent that was killed."""
    if sys.platform != "linux":
        return
    try:
        ctypes.CDLL(None).prctl(1, int(sig))  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _wrap(fn, i, args, error_file):
    _set_parent_death_signal(signal.SIGINT)
    try:
        fn(i, *args)
    except KeyboardInterrupt:
        pass  # SIGINT: the parent is gone or is stopping us
    except Exception:  # noqa: BLE001 - reported to the parent, with its traceback
        import traceback

        with open(error_file, "wb") as fh:
            pickle.dump(traceback.format_exc(), fh)
        sys.exit(1)


class ProcessContext:
    """The processes ``start_processes(..., join=False)`` started: ``pids()``, and ``join()``
    to wait for them."""

    def __init__(self, processes, error_files):
        self.error_files = error_files
        self.processes = processes
        self.sentinels = {process.sentinel: index for index, process in enumerate(processes)}

    def pids(self):
        return [int(process.pid) for process in self.processes]

    def _join_procs_with_timeout(self, timeout):
        end = time.monotonic() + timeout
        for process in self.processes:
            process.join(max(0, end - time.monotonic()))

    def join(self, timeout=None, grace_period=None):
        """Wait up to ``timeout`` seconds for a process to end. Returns True once all have
        ended successfully, False while some are still running; when one failed, ends the
        others (SIGTERM after ``grace_period``, then SIGKILL) and raises its error."""
        if len(self.sentinels) == 0:
            return True
        ready = multiprocessing.connection.wait(self.sentinels.keys(), timeout=timeout)
        error_index = None
        for sentinel in ready:
            index = self.sentinels.pop(sentinel)
            process = self.processes[index]
            process.join()
            if process.exitcode != 0:
                error_index = index
                break
        if error_index is None:
            return len(self.sentinels) == 0
        self._stop_others(grace_period)
        raise self._error(error_index)

    def _stop_others(self, grace_period):
        if grace_period is not None:
            self._join_procs_with_timeout(grace_period)
        for process in self.processes:
            if process.is_alive():
                log.warning("Terminating process %s via signal SIGTERM", process.pid)
                process.terminate()
        self._join_procs_with_timeout(30 if grace_period is None else grace_period)
        for process in self.processes:
            if process.is_alive():
                log.warning(
                    "Unable to shutdown process %s via SIGTERM , forcefully exiting via SIGKILL",
                    process.pid,
                )
                process.kill()
            process.join()

    def _error(self, error_index):
        """The exception that reports how process ``error_index`` failed."""
        failed_process = self.processes[error_index]
        if not os.access(self.error_files[error_index], os.R_OK):
            exitcode = failed_process.exitcode
            if exitcode < 0:
                try:
                    name = signal.Signals(-exitcode).name
                except ValueError:
                    name = f"<Unknown signal {-exitcode}>"
                return ProcessExitedException(
                    f"process {error_index:d} terminated with signal {name}",
                    error_index=error_index,
                    error_pid=failed_process.pid,
                    exit_code=exitcode,
                    signal_name=name,
                )
            return ProcessExitedException(
                f"process {error_index:d} terminated with exit code {exitcode:d}",
                error_index=error_index,
                error_pid=failed_process.pid,
                exit_code=exitcode,
            )
        with open(self.error_files[error_index], "rb") as fh:
            original_trace = pickle.load(fh)
        msg = f"\n\n-- Process {error_index:d} terminated with the following error:\n"
        msg += original_trace
        return ProcessRaisedException(msg, error_index, failed_process.pid)


class SpawnContext(ProcessContext):
    def __init__(self, processes, error_files):
        warnings.warn("SpawnContext is renamed to ProcessContext since 1.4 release.", stacklevel=2)
        super().__init__(processes, error_files)


def _error_file():
    """A free path for a child's traceback: it exists only once the child wrote one."""
    tf = tempfile.NamedTemporaryFile(  # noqa: SIM115
        prefix="pytorch-errorfile-", suffix=".pickle", delete=False
    )
    tf.close()
    os.unlink(tf.name)
    return tf.name


def start_processes(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    """Start ``nprocs`` processes running ``fn(i, *args)`` with the ``start_method`` context
    (Note [child processes]); wait for them when ``join``, else return their ProcessContext.
    """
    mp = _context.default_context.get_context(start_method)
    error_files, processes = [], []
    for i in range(nprocs):
        error_file = _error_file()
        process = mp.Process(target=_wrap, args=(fn, i, args, error_file), daemon=daemon)
        process.start()
        error_files.append(error_file)
        processes.append(process)
    context = ProcessContext(processes, error_files)
    if not join:
        return context
    while not context.join():
        pass


def spawn(fn, args=(), nprocs=1, join=True, daemon=False, start_method="spawn"):
    r"""Spawns ``nprocs`` processes that run ``fn`` with ``args``.

    If one of the processes exits with a non-zero exit status, the remaining processes are
    killed and an exception is raised with the cause of termination. In the case an exception
    was caught in the child process, it is forwarded and its traceback is included in the
    exception raised in the parent process.

    Args:
        fn (function): the entry point of each process, called as ``fn(i, *args)`` where ``i``
            is the process index. It must be defined at the top level of a module, so that it
            can be pickled.
        args (tuple): Arguments passed to ``fn`` (tensors arrive as copies: Note [no shared
            memory] in _context.py).
        nprocs (int): Number of processes to spawn.
        join (bool): Perform a blocking join on all processes.
        daemon (bool): The spawned processes' daemon flag.
        start_method (str): (deprecated) always ``spawn``; use ``start_processes()`` for
            another method.

    Returns:
        None if ``join`` is ``True``, :class:`ProcessContext` if ``join`` is ``False``.

    Differences from torch: children are started from jtorch's forkserver rather than as
    fresh interpreters, and run jax on the CPU only (Note [child processes] in _context.py).
    """
    if start_method != "spawn":
        msg = (
            f"This method only supports start_method=spawn (got: {start_method}).\n"
            "To use a different start_method use:\n\t\t"
            " torch.multiprocessing.start_processes(...)"
        )
        warnings.warn(msg, FutureWarning, stacklevel=2)
    return start_processes(fn, args, nprocs, join, daemon, start_method="spawn")

"""Every process a build starts ends when the build's main process ends, however it ends (SIGKILL too).

A scheduler or a CI timeout kills the ``corpus`` process with SIGKILL; its pool workers, the resource
tracker, a Dask cluster and Prefect's temporary server would then run on forever, re-parented to init. A
parent-death signal (``PR_SET_PDEATHSIG``) only covers the processes we start ourselves, and only their
first generation. So the main process marks its environment with a token that every descendant inherits
(each is started after the mark: the pool, uvicorn, Dask's nannies) and starts a small watcher in its own
session. The watcher blocks on a pidfd of the main process; when that process is gone it sends SIGKILL to
every process of this user whose initial environment carries the token, a few rounds until none is left.

What it leaves alone: processes started before the mark, processes that clear their environment, and other
users' processes (their ``/proc/<pid>/environ`` is not readable).
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

LIFELINE_ENV = "CORPUS_LIFELINE"

WATCHER = r"""
import os, select, signal, sys, time
parent, marker = int(sys.argv[1]), ("%s=%s" % (sys.argv[2], sys.argv[3])).encode() + b"\0"
try:
    handle = os.pidfd_open(parent)
    select.select([handle], [], [])
except (AttributeError, OSError):  # no pidfd (old kernel): poll
    while True:
        try:
            os.kill(parent, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
for _ in range(25):  # a dying pool may still start a replacement worker: repeat until none is left
    found = 0
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open("/proc/%s/environ" % name, "rb") as handle:
                environ = b"\0" + handle.read()
        except OSError:
            continue
        if b"\0" + marker in environ:
            found += 1
            try:
                os.kill(int(name), signal.SIGKILL)
            except OSError:
                pass
    if not found:
        break
    time.sleep(0.2)
"""


def start_lifeline() -> subprocess.Popen | None:
    """Mark this process's environment and start the watcher; returns it (None off Linux)."""
    if not os.path.isdir("/proc"):
        return None
    token = f"{os.getpid()}-{uuid.uuid4().hex}"
    environment = {key: value for key, value in os.environ.items() if key != LIFELINE_ENV}
    watcher = subprocess.Popen([sys.executable, "-c", WATCHER, str(os.getpid()), LIFELINE_ENV, token],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True, env=environment)
    os.environ[LIFELINE_ENV] = token  # inherited by everything started from now on
    return watcher

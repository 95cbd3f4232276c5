"""Runs commands for bench/bench_eval.py from a small process, and says what each took.

Linux keeps a process's peak resident memory across exec: a command forked from a process
holding 300 MiB reports a peak of at least 300 MiB, whatever it used itself. The benchmark
grows (it generates tables and holds scenario lanes), so it starts this process first, while
it is small, and has it start every command it measures.

Takes one JSON request a line on standard input: ``{"command": [...], "stdout": path,
"stderr": path, "timeout": seconds, "memory": bytes}``. Runs the command with its output in
those files, stops it when it runs longer than ``timeout`` or holds more than ``memory``
resident, and writes one JSON line back: ``wall`` and ``cpu`` (user + system) seconds,
``peak`` resident bytes (all three the command's own, from wait4), ``status`` and
``stopped`` (why it was stopped, or null). Imports nothing beyond the standard library and
runs with ``python -S``, so that it stays a few MiB.
"""

import json
import os
import sys
import time


def resident(pid):
    """The resident memory of a running process in bytes (0 where /proc cannot tell)."""
    try:
        with open(f"/proc/{pid}/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, IndexError, ValueError):
        return 0


def launch(request):
    with open(request["stdout"], "wb") as out, open(request["stderr"], "wb") as err:
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            try:
                os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                os.execv(request["command"][0], request["command"])
            finally:
                os._exit(127)
        stopped = None
        while True:
            # wait4, not wait: it gives the command's own CPU time and peak memory.
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            elapsed = time.perf_counter() - start
            if stopped is None and elapsed > request["timeout"]:
                stopped = f"stopped after {request['timeout']:.0f} s"
            elif stopped is None and resident(pid) > request["memory"]:
                stopped = f"stopped at {request['memory'] / 2**30:.1f} GiB after {elapsed:.0f} s"
            if stopped:
                os.kill(pid, 9)
            time.sleep(0.02)
        return {
            "wall": time.perf_counter() - start,
            "cpu": usage.ru_utime + usage.ru_stime,
            "peak": usage.ru_maxrss * 1024,  # KiB on Linux
            "status": os.waitstatus_to_exitcode(status),
            "stopped": stopped,
        }


def main():
    for line in sys.stdin:
        sys.stdout.write(json.dumps(launch(json.loads(line))) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()

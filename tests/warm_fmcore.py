"""Run ``fmcore`` commands in processes forked from a warm interpreter, for ``tests/test_docs.py``.

Importing torch and fmcore costs 2.5 s on an idle machine (8 s on a loaded one), far more than most
documented commands. A :class:`WarmFmcore` server imports them (and the installed plugins' modules)
once; each command then runs as ``fmcore`` would, in a fresh child process forked from it: its own
working directory, environment, ``sys.argv``, stdout and stderr files and exit status. The server
is single-threaded and runs no torch operation itself, so forking it is safe.

Run as a script, this module is the server: it reads one JSON request per line from stdin and
answers each with a line holding the child's exit status.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

_WORD = re.compile(r"""\s*(?:(?P<single>'[^']*')|(?P<double>"[^"$`\\]*")|(?P<comment>\#.*)|(?P<plain>[^\s'"]+))""")
_SPECIAL = re.compile(r"[|&;<>()$`*?\[\]{}~!\\]")


def plain_argv(command: str) -> list[str] | None:
    """The arguments after ``fmcore`` when ``command`` is a plain ``fmcore ...`` invocation (quoted
    words, no shell operators, expansions or globs), else ``None``."""
    words: list[str] = []
    at = 0
    while at < len(command.rstrip()):
        match = _WORD.match(command, at)
        if match is None:
            return None
        at = match.end()
        if match["comment"] is not None:
            break
        if match["plain"] is not None:
            if _SPECIAL.search(match["plain"]) or "'" in match["plain"] or '"' in match["plain"]:
                return None
            words.append(match["plain"])
        else:
            words.append((match["single"] or match["double"])[1:-1])
    return words[1:] if words[:1] == ["fmcore"] else None


class WarmFmcore:
    """A server process; :meth:`run` runs one ``fmcore`` command in a child forked from it."""

    def __init__(self, env: dict[str, str]):
        self.process = subprocess.Popen([sys.executable, __file__], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, env=env)
        self.files = Path(tempfile.mkdtemp(prefix="warm-fmcore-"))

    def run(self, argv: list[str], cwd: Path, env: dict[str, str], timeout: float) -> tuple[int, str, str]:
        """``fmcore ARGV`` in ``cwd`` under ``env``: (exit status, stdout, stderr)."""
        out, err = self.files / "stdout", self.files / "stderr"
        request = {"argv": argv, "cwd": str(cwd), "env": env, "stdout": str(out), "stderr": str(err),
                   "timeout": timeout}
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the warm fmcore server exited ({self.process.poll()}) before answering")
        status = int(answer)
        texts = out.read_text(errors="replace"), err.read_text(errors="replace")
        out.unlink()
        err.unlink()
        return (status, *texts)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=60)
        self.files.rmdir()


def _child(request: dict) -> None:
    """In the forked child: become ``fmcore ARGV`` and exit with its status."""
    import fmcore.cli

    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    files = ((0, os.devnull, os.O_RDONLY), (1, request["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC),
             (2, request["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC))
    for fd, path, mode in files:  # stdin: not the server's requests
        opened = os.open(path, mode, 0o644)
        os.dup2(opened, fd)
        os.close(opened)
    sys.stdout = open(1, "w", closefd=False)
    sys.stderr = open(2, "w", closefd=False, buffering=1)
    sys.argv = ["fmcore", *request["argv"]]
    status = 1
    try:
        fmcore.cli.main()
        status = 0
    except SystemExit as stop:
        status = stop.code if isinstance(stop.code, int) else (0 if stop.code is None else 1)
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status)


def _wait(pid: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
        time.sleep(0.02)


def _serve() -> None:
    from importlib.metadata import entry_points

    import fmcore.cli  # noqa: F401  (torch, fmcore and the CLI)

    try:
        import matplotlib.pyplot  # noqa: F401  (for --plot)
    except ImportError:
        pass
    for entry in entry_points(group="fmcore"):
        try:
            __import__(entry.module)
        except Exception:  # a broken plugin is the child's to report, as fmcore would
            pass
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        sys.stdout.write(f"{_wait(pid, request['timeout'])}\n")
        sys.stdout.flush()


if __name__ == "__main__":
    _serve()

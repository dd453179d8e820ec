"""``python -m benchmarks``: run the benchmark sections and print (or write) the page.

    python -m benchmarks                                   # every section (~40 min on 2 cores)
    python -m benchmarks --quick --only overhead likelihood
    python -m benchmarks --compile --digits runs/digits --write docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys

import torch

from benchmarks import page, peers
from benchmarks.sections import BY_NAME, SECTIONS, Section, run
from fmcore.runs import atomic


def parser() -> argparse.ArgumentParser:
    listing = "\n".join(f"  {s.name:12s} {s.summary}" + (f" (needs {s.option})" if s.option else "")
                        for s in SECTIONS)
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0],
                                epilog="sections:\n" + listing, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (a few minutes)")
    p.add_argument("--smoke", action="store_true", help="seconds-long runs of the sections that offer one (tests)")
    p.add_argument("--only", nargs="+", metavar="NAME", choices=list(BY_NAME), help="run only these sections")
    p.add_argument("--write", metavar="FILE", help="also write the page to FILE (e.g. docs/benchmarks.md)")
    p.add_argument("--compile", action="store_true", help="add the torch.compile section")
    p.add_argument("--digits", metavar="RUN", help="add the guided-digits section for this trained digits run")
    p.add_argument("--threads", type=int, default=0, metavar="N", help="torch threads (default: torch's choice)")
    p.add_argument("--peers", nargs="*", metavar="NAME", choices=list(peers.PEERS),
                   help=f"peers to compare with (default: all of {', '.join(peers.PEERS)}; none: --peers)")
    return p


def chosen(args: argparse.Namespace, p: argparse.ArgumentParser) -> list[Section]:
    """The sections to run, in page order: ``--only`` or all, opt-in ones only with their option."""
    enabled = {"compile": args.compile, "digits": args.digits is not None}
    for name in args.only or ():
        if not enabled.get(name, True):
            p.error(f"section '{name}' needs {BY_NAME[name].option}")
    return [s for s in SECTIONS if (args.only is None or s.name in args.only) and enabled.get(s.name, True)]


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections, printing each as it finishes; 1 if any failed."""
    argv = sys.argv[1:] if argv is None else argv
    p = parser()
    args = p.parse_args(argv)
    if args.threads < 0:
        p.error("--threads must be positive (0: torch's choice)")
    if args.threads:
        torch.set_num_threads(args.threads)
    peers.select(args.peers)
    sections = chosen(args, p)
    if args.write and not os.path.isdir(os.path.dirname(os.path.abspath(args.write))):
        p.error(f"--write {args.write}: its directory does not exist")
    parts = [page.INTRO, page.header(shlex.join(["python", "-m", "benchmarks", *argv]), args.quick)]
    print("\n\n".join(parts), flush=True)
    ok = True
    for section in sections:
        options = {"run": args.digits} if section.name == "digits" else {}
        text, passed = run(section, quick=args.quick, smoke=args.smoke, options=options)
        ok = ok and passed
        print("\n" + text, flush=True)
        parts.append(text)
    parts.append(f"_{page.load().capitalize()} at the end of the run._")
    print("\n" + parts[-1], flush=True)
    if args.write:
        atomic.write_text(args.write, "\n\n".join(parts) + "\n")
        print(f"\nwrote {args.write}", file=sys.stderr)
    return 0 if ok else 1


def run_alone(name: str) -> None:
    """``python -m benchmarks.NAME [options]``: the runner with ``--only NAME``."""
    sys.exit(main(["--only", name, *sys.argv[1:]]))


if __name__ == "__main__":
    sys.exit(main())

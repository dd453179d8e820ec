"""Speed and quality studies (not part of the test suite), run with one command::

    python -m benchmarks [--quick] [--only NAME ...] [--write docs/benchmarks.md]

The page is a header (command, machine, versions) and one section per benchmark module. A module
listed in :data:`benchmarks.sections.SECTIONS` provides

- ``section(quick: bool) -> str``: run the benchmark and return its markdown, starting with a
  ``## Title`` heading (the runner adds the registered title if it does not), then its tables and a
  short note on the targets met or missed, and by how much. ``quick=True`` must take well under a
  minute or two on 2 cores; the full run of all sections about 40 minutes. Opt-in sections take
  keyword options too (``digits``: ``section(quick, run=RUN)``).
- optionally ``smoke() -> str``: the same report at the smallest sizes, in seconds (``--smoke``,
  used by the tests).

Modules are imported only when their section runs; one that does not exist yet, or whose imports
fail, is reported on the page instead of stopping the run. Peers (other libraries) are reached only
through :mod:`benchmarks.peers`, which skips a missing one. Timings go through
:func:`benchmarks.timing.timed` (interleaved repeats) and are reported as ratios.
"""

"""One collection cycle (the app layer above crawler, triage and nlp): crawl (a child process) → score → cluster.

Crawls run as ``langnghe crawl`` subprocesses because Twisted's reactor cannot be
restarted inside one process; the same function serves ``langnghe run``, the demo and
the scheduler.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from langnghe.errors import UserError
from langnghe.settings import Settings, subprocess_env


@dataclass
class CycleSummary:
    cycle_id: str
    crawl_returncode: int | None = None
    score_line: str = ""
    cluster_line: str = ""
    seconds: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)


def crawl_subprocess(
    settings: Settings,
    sources_file: Path | None = None,
    cycle_id: str | None = None,
    sources: list[str] | None = None,
    extra_env: dict[str, str] | None = None,
    timeout: float | None = None,
    jobdir: Path | None = None,
) -> int:
    """Run ``langnghe crawl`` in a child process; returns its exit code."""
    cmd = [sys.executable, "-m", "langnghe", "crawl"]
    if sources_file is not None:
        cmd += ["--sources", str(sources_file)]
    for name in sources or []:
        cmd += ["--source", name]
    if cycle_id:
        cmd += ["--cycle-id", cycle_id]
    if jobdir is not None:
        cmd += ["--jobdir", str(jobdir)]
    env = subprocess_env(settings, **(extra_env or {}))
    try:
        return subprocess.run(cmd, env=env, timeout=timeout, check=False, preexec_fn=_die_with_parent).returncode
    except subprocess.TimeoutExpired:
        return 124


def _die_with_parent() -> None:
    """In the child: get SIGTERM when the parent dies (Linux), so a killed scheduler
    leaves no orphan crawl writing behind the next cycle's back. The crawl stops
    cleanly on SIGTERM and its job folder lets the next cycle resume it."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def run_cycle(
    settings: Settings,
    sources_file: Path | None = None,
    analyzer=None,
    cycle_id: str | None = None,
    extra_env: dict[str, str] | None = None,
    progress: bool = True,
) -> CycleSummary:
    """Crawl every enabled source, then score what is new, then cluster it."""
    from triage.clustering import cluster_items
    from triage.scoring import print_progress, score_pending

    started = time.perf_counter()
    summary = CycleSummary(cycle_id=cycle_id or uuid.uuid4().hex[:12])
    t = time.perf_counter()
    summary.crawl_returncode = crawl_subprocess(settings, sources_file, summary.cycle_id, extra_env=extra_env)
    summary.stages["crawl"] = time.perf_counter() - t
    if summary.crawl_returncode not in (0, 1):
        raise UserError(
            f"the crawl stopped with exit code {summary.crawl_returncode}; nothing was scored. "
            "Read the crawl's messages above, fix the cause and run again."
        )
    t = time.perf_counter()
    scored = score_pending(settings, analyzer=analyzer, progress=print_progress if progress else None)
    summary.score_line = scored.line()
    summary.stages["score"] = time.perf_counter() - t
    t = time.perf_counter()
    summary.cluster_line = cluster_items(settings).line()
    summary.stages["cluster"] = time.perf_counter() - t
    summary.seconds = time.perf_counter() - started
    return summary

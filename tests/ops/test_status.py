"""`langnghe status` prints cycles, queues, gaps and model versions (as a real process)."""

import os
import subprocess
import sys


def test_status_after_a_cycle(settings):
    from triage.cycles import cycle_run
    from triage.migrate import upgrade

    upgrade(settings)
    with cycle_run(settings, "nightly@2026-11-27T01:00+07:00", "nightly"):
        pass
    env = {k: v for k, v in os.environ.items() if not k.startswith("LANGNGHE_")}
    env["LANGNGHE_HOME"] = str(settings.home)
    out = subprocess.run([sys.executable, "-m", "langnghe", "status"], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "nightly@2026-11-27T01:00+07:00" in out.stdout and " ok " in out.stdout
    assert "rebuttal 0, support 0" in out.stdout
    assert "category-" in out.stdout and "unknown" not in out.stdout

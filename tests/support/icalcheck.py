"""Run every .ics the project emits through shared/tools/ical-check (real clients' parsers).

The script is found through ICAL_CHECK_SCRIPT, else next to the work tree
(<repo>/../shared/tools/ical-check/check_ics.sh). Without it, or without its parsers
installed, the test is skipped, unless REQUIRE_ICAL_CHECK is set (CI), where it fails.
"""

import os
import subprocess
from itertools import count
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEFAULT_SCRIPT = REPO.parent / "shared" / "tools" / "ical-check" / "check_ics.sh"
NOT_INSTALLED = 2  # check_ics.sh's exit code when setup.sh has not run
_names = count()


def ical_check_script() -> Path:
    return Path(os.environ.get("ICAL_CHECK_SCRIPT", DEFAULT_SCRIPT))


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_ICAL_CHECK"):
        pytest.fail(f"ical-check is required but {reason}")
    pytest.skip(f"ical-check unavailable: {reason}")


def assert_ical_check_passes(ics_bytes: bytes, tmp_path: Path, name: str = "invite") -> None:
    """Fail with every parser's verdict when any of them rejects `ics_bytes`."""
    script = ical_check_script()
    if not script.is_file():
        _unavailable(f"{script} does not exist")
    path = tmp_path / f"{name}-{next(_names)}.ics"
    path.write_bytes(ics_bytes)
    result = subprocess.run([str(script), str(path)], capture_output=True, text=True,
                            timeout=120, check=False)
    if result.returncode == NOT_INSTALLED:
        _unavailable(result.stderr.strip() or result.stdout.strip())
    assert result.returncode == 0, (
        f"ical-check rejected {path.name}:\n{result.stdout}\n{result.stderr}\n"
        f"--- ics ---\n{ics_bytes.decode(errors='replace')}")

"""What the live-index benchmarks share (benchmarks/compare-uv --live, benchmarks/live-index):
which index to ask, uv's form of the cutoff, and how to describe the tools, machine and checkout
in a report. No registry host is written here: the index comes from --index-url, PIP_INDEX_URL
or pip's default, asked of pip at run time."""
import os
import platform
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def live_index_url(explicit, tool):
    if explicit:
        return explicit
    if os.environ.get("PIP_INDEX_URL"):
        return os.environ["PIP_INDEX_URL"]
    ask = "from pip._internal.models.index import PyPI; print(PyPI.simple_url)"
    for python in (sys.executable, os.path.join(ROOT, ".venv-tools/bin/python")):
        answer = subprocess.run([python, "-c", ask], capture_output=True, text=True)
        if answer.returncode == 0 and answer.stdout.strip():
            return answer.stdout.strip()
    sys.exit(f"{tool}: no index URL (give --index-url, set PIP_INDEX_URL, or install pip)")


def rfc3339(cutoff):
    """uv's form of the cutoff: a bare date is midnight UTC at its start (mlenv's reading)."""
    return cutoff + "T00:00:00Z" if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cutoff) else cutoff


def scratch(name):
    """A directory kept between runs, under the system's temporary directory."""
    return os.path.join(tempfile.gettempdir(), "mlenv-bench", name)


def tool_version(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=30).stdout.strip() or "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


def machine():
    pretty = "Linux"
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    pretty = line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return f"{pretty}, {os.cpu_count()} cores, {platform.machine()}"


def checkout():
    head = tool_version(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"])
    dirty = tool_version(["git", "--no-optional-locks", "-C", ROOT, "status", "--porcelain", "--untracked-files=no", "--", "Sources"])
    return f"checkout at {head}" + (", Sources/ modified" if dirty not in ("", "?") else "")


NOTES_MARKER = "<!-- hand-written notes -->"


def write_report(path, report):
    """Writes `report` to `path`, keeping the hand-written notes below NOTES_MARKER of the
    previous version."""
    kept = ""
    if os.path.exists(path):
        with open(path) as f:
            previous = f.read()
        if NOTES_MARKER in previous:
            kept = previous[previous.index(NOTES_MARKER):]
    with open(path, "w") as f:
        f.write(report + ("\n" + kept if kept else ""))

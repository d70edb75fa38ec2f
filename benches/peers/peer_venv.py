"""Shared by the peer scripts: run under a venv outside the repository that has the
peer package, creating it on first use."""
import importlib.util
import os
import subprocess
import sys
from pathlib import Path


def ensure(package: str, venv_name: str, script: str) -> None:
    """Returns if `package` imports here; else re-executes `script` with the Python of
    ~/.cache/<venv_name>, installing `package` there from PyPI first if needed."""
    if importlib.util.find_spec(package) is not None:
        return
    venv = Path.home() / ".cache" / venv_name
    py = venv / "bin" / "python"
    if not py.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "-q", package], check=True)
    os.execv(str(py), [str(py), script] + sys.argv[1:])

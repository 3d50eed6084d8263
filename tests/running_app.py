"""`python app.py` in a subprocess on a free localhost port: the app as its users start it,
for the app tests and for bench/load.py."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RunningApp:
    """`python app.py` in a subprocess on a free port, with its console in a log file."""

    def __init__(self, data: Path, index: Path, log: Path, timeout: float = 600):
        self.port = free_port()
        self.data, self.index = data, index
        self.url = f"http://127.0.0.1:{self.port}/"
        self.log_path = log
        env = os.environ | {"PYTHONUNBUFFERED": "1", "GRADIO_ANALYTICS_ENABLED": "False",
                            "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        with open(log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, str(ROOT / "app.py"), "--port", str(self.port),
                 "--data", str(data), "--index", str(index)],
                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"app.py exited with {self.proc.returncode}:\n{self.log}")
            try:
                with urllib.request.urlopen(self.url, timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"app.py did not answer on {self.url} within {timeout}s:\n{self.log}")

    @property
    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

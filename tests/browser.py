"""Load a local HTML file in headless Chromium (Debian's ``chromium`` package): dump its DOM, take a screenshot.

No Python browser driver: Chromium's own ``--dump-dom`` and ``--screenshot`` switches do it. Each call uses a
new empty profile and resolves no host names, so a page that links CDN assets (GX Data Docs does) loads
offline, fast and the same way every time. CI installs Chromium with ``.ci/install-browser.sh``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

# Debian installs /usr/bin/chromium; other names cover local machines with Chrome or snap Chromium.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Flags from the machine notes: no sandbox (root in a container), no GPU, no background traffic.
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Every host name fails at once: CDN stylesheets/scripts are skipped instead of waited for.
    "--host-resolver-rules=MAP * ~NOTFOUND",
)
# A page load that takes longer than this is a hung browser, not a slow page.
TIMEOUT_SECONDS = 60


def find_chromium() -> str | None:
    """Path of a Chromium/Chrome executable on PATH, or ``None``."""
    for name in CANDIDATES:
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(args: list[str]) -> subprocess.CompletedProcess:
    executable = find_chromium()
    if executable is None:
        raise FileNotFoundError("no chromium on PATH (install it with .ci/install-browser.sh)")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        command = [executable, *HEADLESS_FLAGS, f"--user-data-dir={profile}", *args]
        completed = subprocess.run(command, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    if completed.returncode != 0:
        stderr = completed.stderr.decode(errors="replace")[-500:]
        raise RuntimeError(f"chromium exited {completed.returncode}: {stderr}")
    return completed


def dump_dom(html_file: str | Path) -> str:
    """The DOM of ``html_file`` after Chromium loaded it (scripts run), serialised as HTML."""
    url = Path(html_file).resolve().as_uri()
    return _run(["--dump-dom", url]).stdout.decode("utf-8", errors="replace")


def screenshot(html_file: str | Path, png_file: str | Path, width: int = 1280, height: int = 2000) -> Path:
    """Render ``html_file`` into ``png_file`` (``width`` x ``height`` pixels); return the PNG's path."""
    png_file = Path(png_file).resolve()
    url = Path(html_file).resolve().as_uri()
    _run([f"--screenshot={png_file}", f"--window-size={width},{height}", url])
    if not png_file.is_file():
        raise RuntimeError(f"chromium wrote no screenshot to {png_file}")
    return png_file


def png_size(png_file: str | Path) -> tuple[int, int]:
    """(width, height) from a PNG's IHDR chunk.

    >>> import struct, zlib
    >>> header = b"\\x89PNG\\r\\n\\x1a\\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(">II", 3, 2)
    >>> path = Path(tempfile.mkdtemp()) / "x.png"
    >>> _ = path.write_bytes(header + b"\\x08\\x02\\x00\\x00\\x00")
    >>> png_size(path)
    (3, 2)
    """
    data = Path(png_file).read_bytes()[:24]
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError(f"{png_file} is not a PNG")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")

"""Render the report of a build folder and take a PNG screenshot of it in headless Chromium.

The README's screenshot comes from this script, and tests/test_report.py calls the same function, so what the
test checks is what the README shows:

    python tools/screenshot_report.py BUILD_DIR --output docs/report.png [--previous OLD_MANIFEST.json]

Chromium runs with the flags of tests/browser.py (new empty profile, no network, no GPU) plus
``--hide-scrollbars`` so the picture has no scrollbar. The page itself has no script and no external asset.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "tests"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import browser  # noqa: E402  (tests/browser.py: the one Chromium invocation of the project)

from pipeline.report import render_report  # noqa: E402

# Window of the screenshot: wide enough for the two-column layout, tall enough for the header, the funnel,
# the script mix and the removals by rule.
WIDTH = 1280
HEIGHT = 2000


def screenshot_report(build_dir: Path, png_file: Path, previous_manifest: dict | None = None,
                      width: int = WIDTH, height: int = HEIGHT) -> Path:
    """Write ``build_dir/report.html``, then its screenshot to ``png_file``; return the PNG's path."""
    report = render_report(Path(build_dir), previous_manifest)
    png_file = Path(png_file).resolve()
    png_file.parent.mkdir(parents=True, exist_ok=True)
    browser._run(["--hide-scrollbars", f"--screenshot={png_file}", f"--window-size={width},{height}",
                  report.resolve().as_uri()])
    if not png_file.is_file():
        raise RuntimeError(f"chromium wrote no screenshot to {png_file}")
    return png_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build_dir", type=Path, help="build output folder (holds manifest.json)")
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "report.png", help="PNG to write")
    parser.add_argument("--previous", type=Path, help="manifest.json of the previous build, for the diff")
    parser.add_argument("--width", type=int, default=WIDTH)
    parser.add_argument("--height", type=int, default=HEIGHT)
    args = parser.parse_args(argv)
    previous = json.loads(args.previous.read_text(encoding="utf-8")) if args.previous else None
    png = screenshot_report(args.build_dir, args.output, previous, args.width, args.height)
    print(f"wrote {png} ({args.width}x{args.height}) and {args.build_dir / 'report.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

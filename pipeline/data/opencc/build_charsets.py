"""Rebuild ``script_charsets.json`` (the character sets used by ``pipeline.stages.script.detect_script``).

Run with ``python pipeline/data/opencc/build_charsets.py``. It dumps OpenCC's shipped character
dictionaries with the ``opencc_dict`` tool that comes in the official wheel and keeps:

- traditional-only: keys of TSCharacters/TSCharactersExt whose candidates do not include the key itself
  (發 → 发; 乾 → 干 乾 is left out because 乾 is also correct Simplified, as in 乾隆);
- simplified-only: keys of STCharacters whose candidates do not include the key itself
  (发 → 發 髮; 后 → 後 后 is left out: 后 is also correct Traditional, as in 皇后), minus the Taiwan and
  Hong Kong standard forms listed as keys of TWVariantsRev/HKVariantsRev (群, 着).

A character in both sets is dropped from both. The test suite rebuilds the sets and compares, so an
OpenCC upgrade that changes its dictionaries shows up as a failing test, not as silent drift.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import opencc

OUTPUT = Path(__file__).with_name("script_charsets.json")


def opencc_share_dir() -> Path:
    return Path(opencc.__file__).parent / "clib" / "share" / "opencc"


def _dump(dictionary: str, workdir: Path) -> dict[str, list[str]]:
    tool = Path(opencc.__file__).parent / "clib" / "bin" / "opencc_dict"
    target = workdir / f"{dictionary}.txt"
    subprocess.run(
        [str(tool), "-i", str(opencc_share_dir() / f"{dictionary}.ocd2"), "-o", str(target),
         "-f", "ocd2", "-t", "text"],
        check=True,
    )
    entries = {}
    for line in target.read_text(encoding="utf-8").splitlines():
        key, _, values = line.partition("\t")
        entries[key] = values.split(" ")
    return entries


def build_charsets() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        ts = _dump("TSCharacters", workdir) | _dump("TSCharactersExt", workdir)
        st = _dump("STCharacters", workdir)
        regional = _dump("TWVariantsRev", workdir) | _dump("HKVariantsRev", workdir)
    traditional = {k for k, v in ts.items() if len(k) == 1 and k not in v}
    # Taiwan and Hong Kong standard forms (群, 峰, 着 ...) are STCharacters keys too (群 → 羣) but are
    # correct Traditional where they are written: they are not evidence of Simplified.
    simplified = {k for k, v in st.items() if len(k) == 1 and k not in v and k not in regional}
    both = traditional & simplified
    return {
        "opencc_version": opencc.__version__,
        "traditional_only": "".join(sorted(traditional - both)),
        "simplified_only": "".join(sorted(simplified - both)),
    }


if __name__ == "__main__":
    charsets = build_charsets()
    OUTPUT.write_text(json.dumps(charsets, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {OUTPUT}: {len(charsets['traditional_only'])} traditional-only, "
          f"{len(charsets['simplified_only'])} simplified-only", file=sys.stderr)

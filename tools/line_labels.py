"""Write the line model's weak labels of the dev set to ``pipeline/data/line_labels.tsv`` (no page text).

    python tools/line_labels.py [--devset ../shared/devset]          # regenerate; rows checked by eye stay
    python tools/line_labels.py --uncertain [--page FILE]            # print the lines worth a look (locally)

Rows marked ``checked`` are kept as they are (when their line hash still matches); every other row is the
``weak_labels`` of the line. ``--uncertain`` prints, to the terminal only, the lines whose weak label the
shipped model disagrees with (its most likely role), so a person can look and set role + ``checked`` in the
file. Never commit what it prints: the dev set is third-party text.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from pipeline.config import BuildConfig
from pipeline.evaluation.devset import default_devset_dir
from pipeline.models import lines


def print_uncertain(devset: Path, only: str | None) -> None:
    from pipeline.stages import artifacts

    model = artifacts._line_model(BuildConfig().artifacts)
    stored = lines.stored_labels()
    for page, document in lines.dev_documents(devset):
        if only and page.file != only:
            continue
        views = artifacts.rule_pass_view(document, kept_only=False)
        page_roles = stored.get((page.file, document.article_index or 0), {})
        roles = [page_roles.get(v.number, ("", "?", ""))[1:] for v in views]
        for start, stop in lines.segments(views):
            scores = lines.role_scores(model, lines.segment_features(views, start, stop))
            for view, score, (role, source) in zip(views[start:stop], scores, roles[start:stop], strict=True):
                best = max(score, key=score.get)
                if best != role and source != "checked":
                    print(f"{page.file}\t{view.number}\tlabel={role}\tmodel={best}:{score[best]:.2f}\t{view.text[:80]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--devset", type=Path, default=default_devset_dir())
    parser.add_argument("--uncertain", action="store_true")
    parser.add_argument("--page")
    args = parser.parse_args()
    if args.devset is None:
        raise SystemExit("no dev set: pass --devset")
    if args.uncertain:
        print_uncertain(args.devset, args.page)
        return
    rows = lines.dev_label_rows(args.devset)
    lines.write_labels(rows)
    print(f"{len(rows)} rows written to {lines.LABELS_PATH}")


if __name__ == "__main__":
    main()

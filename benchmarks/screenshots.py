"""The pictures of ``wordalign show`` in the README, made anew.

    python benchmarks/screenshots.py      # writes docs/show-report.png, docs/show-heatmap.png, docs/show-grid.txt

The first five De-En gold pairs, aligned with the defaults (float32), drawn with their gold: the
terminal grid of pair 2, the HTML report in headless Chromium (Debian's ``chromium``), the heatmap
of pair 2. Needs ``wordalign[plot]`` and chromium.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from _common import GOLD, ROOT

from wordalign.cli import run

DOCS = ROOT / "docs"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for name in ("src", "tgt", "gold"):
            lines = (GOLD / "deen" / f"{name}.txt").read_text(encoding="utf-8").splitlines()[:5]
            (folder / f"{name}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        files = [str(folder / "src.txt"), str(folder / "tgt.txt")]
        links = folder / "links.txt"
        assert run(["align", *files, "-f", "scores", "-o", str(links), "--dtype", "float32", "-q"]) == 0
        common = [*files, str(links), "--gold", str(folder / "gold.txt")]
        assert run(["show", *common, "--pair", "2", "-o", str(DOCS / "show-grid.txt")]) == 0
        assert run(["show", *common, "--pair", "2", "-f", "png", "-o", str(DOCS / "show-heatmap.png"),
                    "--dtype", "float32", "-q"]) == 0
        report = folder / "report.html"
        assert run(["show", *common, "-f", "html", "-o", str(report)]) == 0
        browser = shutil.which("chromium")
        subprocess.run([browser, *FLAGS, f"--user-data-dir={folder / 'profile'}", "--window-size=1000,640",
                        f"--screenshot={DOCS / 'show-report.png'}", report.as_uri()], check=True, capture_output=True)
    print("wrote", *sorted(path.name for path in DOCS.iterdir()))


if __name__ == "__main__":
    main()

"""Copy the latest measured tables from benchmarks/results/ into README.md.

    python benchmarks/update_readme.py

Every block ``<!-- BEGIN results/NAME.md --> … <!-- END results/NAME.md -->`` in the README is
replaced by the current content of ``benchmarks/results/NAME.md`` (its headings moved three levels
down, to sit under the README's own); numbers are never typed by hand.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"(<!-- BEGIN (results/[\w.-]+) -->\n).*?(<!-- END \2 -->)", re.S)


def main() -> None:
    readme = ROOT / "README.md"

    def fill(match: re.Match) -> str:
        content = (ROOT / "benchmarks" / match.group(2)).read_text(encoding="utf-8")
        content = re.sub(r"^#", "####", content, flags=re.M)
        return match.group(1) + content.rstrip("\n") + "\n" + match.group(3)

    text, count = BLOCK.subn(fill, readme.read_text(encoding="utf-8"))
    readme.write_text(text, encoding="utf-8")
    print(f"updated {count} result blocks in README.md")


if __name__ == "__main__":
    main()

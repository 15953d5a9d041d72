"""Write the train/dev/test splits of the bilingual gold sets (rerun: python data/make_splits.py).

Contiguous line ranges, following the usual practice (Nagata et al. 2020; Wu et al. 2023):
the first lines train, the rest test, and dev is the tail of the train part, so tuning never
sees a test sentence. Zh-En has only the 450-sentence set: it is split 300/150 the same way.
KFTT has its own dev (653) and test (582) parts.
"""

from pathlib import Path

GOLD = Path(__file__).resolve().parent / "gold"
FILES = ("src.txt", "tgt.txt", "gold.txt")

# set: (source set, {split: (first line, end line)}) -- 0-based, end exclusive
SPLITS = {
    "deen": ("deen", {"train": (0, 250), "dev": (250, 300), "test": (300, 508)}),
    "enfr": ("enfr", {"train": (0, 250), "dev": (250, 300), "test": (300, 447)}),
    "roen": ("roen", {"train": (0, 125), "dev": (125, 150), "test": (150, 248)}),
    "zhen": ("zhen", {"train": (0, 250), "dev": (250, 300), "test": (300, 450)}),
    "jaen": ("jaen_kftt_dev", {"train": (0, 553), "dev": (553, 653)}),
}


def main() -> None:
    for name, (source, splits) in SPLITS.items():
        lines = {f: (GOLD / source / f).read_text(encoding="utf-8").splitlines() for f in FILES}
        for split, (begin, end) in splits.items():
            out = GOLD / "splits" / f"{name}_{split}"
            out.mkdir(parents=True, exist_ok=True)
            for f in FILES:
                assert end <= len(lines[f]), (source, f)
                (out / f).write_text("\n".join(lines[f][begin:end]) + "\n", encoding="utf-8")
    print(f"wrote splits under {GOLD / 'splits'}")


if __name__ == "__main__":
    main()

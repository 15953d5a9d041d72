"""``wordalign show``: the terminal grid (golden), the HTML report in a real headless browser, the heatmap's pixels."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from wordalign.cli import run

GOLDEN = Path(__file__).parent / "golden"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# As the machine's notes advise for a closed network: no background connections, a fresh profile.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def pairs(tmp_path):
    src = tmp_path / "src.txt"
    src.write_text("Das Haus ist klein .\nDas stimmt nicht !\nein Test\n", encoding="utf-8")
    tgt = tmp_path / "tgt.txt"
    tgt.write_text("The house is small .\nBut this is not what happens .\na test\n", encoding="utf-8")
    links = tmp_path / "links.txt"
    links.write_text("0-0:0.81 1-1:0.93 2-2:0.7 3-3:0.88 4-4:0.9\n0-1 1-5 2-3 3-6\n0-0 0-1\n", encoding="utf-8")
    gold = tmp_path / "gold.txt"
    gold.write_text("0-0 1-1 2-2 3-3 4-4\n0-1 1-2 1-5 2-3 3-6 1?4\n0-0 1-1\n", encoding="utf-8")
    return src, tgt, links, gold


def test_terminal_grid_golden(pairs, capsys):
    src, tgt, links, gold = pairs
    assert run(["show", str(src), str(tgt), str(links), "--gold", str(gold)]) == 0
    text = capsys.readouterr().out
    if os.environ.get("WORDALIGN_UPDATE_GOLDEN"):
        (GOLDEN / "show.txt").write_text(text, encoding="utf-8")
    assert text == (GOLDEN / "show.txt").read_text(encoding="utf-8")


def test_show_checks_its_input(pairs, tmp_path, capsys):
    src, tgt, links, gold = pairs
    far = tmp_path / "far.txt"
    far.write_text("0-0\n0-9\n0-0\n")
    assert run(["show", str(src), str(tgt), str(far)]) == 2
    assert "far.txt:2: link 0-9 points past the sentence" in capsys.readouterr().err
    short = tmp_path / "short.txt"
    short.write_text("0-0\n")
    assert run(["show", str(src), str(tgt), str(short), "-o", str(tmp_path / "out")]) == 2
    assert "short.txt:2: 1 lines for 3 sentence pairs" in capsys.readouterr().err and not (tmp_path / "out").exists()
    assert run(["show", str(src), str(tgt), str(links), "--pair", "4"]) == 2
    assert "--pair 4: the file has pairs 1 to 3" in capsys.readouterr().err
    assert run(["show", str(src), str(tgt), str(links), "-f", "png"]) == 2
    assert "a png heatmap is written to a file: give -o FILE.png" in capsys.readouterr().err


def chromium(*args: str, tmp_path: Path) -> subprocess.CompletedProcess:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is missing: .ci/run installs it (apt-get install chromium)")
        pytest.skip("no chromium here: apt-get install chromium")
    return subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
                          capture_output=True, text=True, timeout=120)


def test_html_report_renders_in_a_browser_searches_and_sorts(pairs, tmp_path):
    from PIL import Image

    src, tgt, links, gold = pairs
    report = tmp_path / "report.html"
    assert run(["show", str(src), str(tgt), str(links), "--gold", str(gold), "-f", "html", "-o", str(report)]) == 0
    html = report.read_text(encoding="utf-8")
    assert "http" not in html.replace("http://www.w3.org/2000/svg", "")  # self-contained: nothing fetched
    page = report.as_uri()
    loaded = chromium("--enable-logging=stderr", "--v=0", "--dump-dom", page, tmp_path=tmp_path)
    assert 'data-ready="yes"' in loaded.stdout  # the script ran to its end
    assert "Uncaught" not in loaded.stderr and ":ERROR:CONSOLE" not in loaded.stderr
    assert loaded.stdout.count('class="pair"') == 3 and loaded.stdout.count("<line ") >= 3 + 11
    searched = chromium("--dump-dom", page + "#q=stimmt", tmp_path=tmp_path).stdout
    assert searched.count('class="pair"') == 1 and 'data-number="2"' in searched
    worst = chromium("--dump-dom", page + "#sort=aer", tmp_path=tmp_path).stdout
    assert worst.index('data-number="3"') < worst.index('data-number="1"')  # pair 3 has the highest AER
    shot = tmp_path / "shot.png"
    chromium("--window-size=900,500", f"--screenshot={shot}", page, tmp_path=tmp_path)
    image = Image.open(shot).convert("RGB")
    assert image.size == (900, 500)
    colours = {colour for _, colour in image.getcolors(maxcolors=1 << 24)}
    assert len(colours) > 50  # words, lines in three colours: not blank
    assert (26, 152, 80) in colours  # the colour of correct links


def test_heatmap_marks_links_in_their_cells(pairs, tmp_path, capsys):
    from PIL import Image

    from wordalign.display.heatmap import cell_centre

    src, tgt, links, gold = pairs
    out = tmp_path / "pair1.png"
    assert run(["show", str(src), str(tgt), str(links), "--gold", str(gold), "--pair", "1", "-f", "png", "-o",
                str(out), "--dtype", "float32", "-q"]) == 0
    image = Image.open(out).convert("RGB")
    assert image.size == (round((1.4 + 0.35 * 5 + 1.0) * 100), round((1.2 + 0.35 * 5 + 0.2) * 100))
    for i in range(5):
        for j in range(5):
            red = image.getpixel(cell_centre(i, j, 5, 5)) == (255, 0, 0)
            assert red == (i == j), (i, j)  # links 0-0 … 4-4, and nothing else


def test_heatmap_without_matplotlib_says_how_to_install_it_before_the_model_loads(pairs, tmp_path, capsys,
                                                                                    monkeypatch):
    import sys

    import wordalign.align.aligner

    src, tgt, links, gold = pairs
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # as if not installed
    monkeypatch.setattr(wordalign.align.aligner, "Aligner", lambda *a, **k: pytest.fail("the model loaded"))
    assert run(["show", str(src), str(tgt), str(links), "-f", "png", "-o", str(tmp_path / "h.png")]) == 2
    assert "the heatmap needs matplotlib: pip install 'wordalign[plot]'" in capsys.readouterr().err


def test_html_survives_hostile_words_keeps_pair_numbers_and_reads_jsonl_links(tmp_path):
    src = tmp_path / "src.txt"
    src.write_text("<!--<script> a\n</script> b\nc\n", encoding="utf-8")
    tgt = tmp_path / "tgt.txt"
    tgt.write_text("x y\nz w\nv\n", encoding="utf-8")
    links = tmp_path / "links.jsonl"
    links.write_text('{"signature": "s"}\n' + "".join('{"links": [[0, 0]], "scores": [0.5]}\n' for _ in range(3)))
    report = tmp_path / "r.html"
    assert run(["show", str(src), str(tgt), str(links), "-f", "html", "--pair", "2", "--pair", "3", "-o",
                str(report), "-q"]) == 0
    dom = chromium("--dump-dom", report.as_uri(), tmp_path=tmp_path).stdout
    assert 'data-ready="yes"' in dom and 'data-number="2"' in dom and 'data-number="3"' in dom
    assert 'data-number="1"' not in dom


def test_bad_scores_empty_gold_and_heatmap_outputs_are_refused(pairs, tmp_path, capsys):
    src, tgt, links, gold = pairs
    bad = tmp_path / "nan.txt"
    bad.write_text("0-0:nan\n0-0\n0-0\n")
    assert run(["show", str(src), str(tgt), str(bad)]) == 2
    assert "nan.txt:1: malformed link '0-0:nan'" in capsys.readouterr().err
    empty = tmp_path / "empty_gold.txt"
    empty.write_text("")
    assert run(["show", str(src), str(tgt), str(links), "--gold", str(empty)]) == 2
    assert "empty_gold.txt:1: 0 lines for 3 sentence pairs" in capsys.readouterr().err
    assert run(["show", str(src), str(tgt), str(links), "-f", "svg", "-o", "-"]) == 2
    assert "give -o FILE.svg" in capsys.readouterr().err
    assert run(["show", str(src), str(tgt), str(links), "-f", "png", "--pair", "1", "--pair", "2", "-o",
                str(tmp_path / "h")]) == 2
    assert "a heatmap draws one pair" in capsys.readouterr().err


def test_svg_heatmap_is_an_svg_whatever_the_file_is_called(pairs, tmp_path):
    src, tgt, links, gold = pairs
    out = tmp_path / "heatmap"
    assert run(["show", str(src), str(tgt), str(links), "-f", "svg", "-o", str(out), "--dtype", "float32", "-q"]) == 0
    assert out.read_text(encoding="utf-8").lstrip().startswith("<?xml") and "<svg" in out.read_text(encoding="utf-8")
    assert not Path(f"{out}.part").exists()

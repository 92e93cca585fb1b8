"""The HTML report's pieces: durations, settings tables, diagrams, figures, the written file."""
import math
import os

import numpy as np
import pytest
from matplotlib.figure import Figure

from tinygrad231n.report import Report, format_seconds


@pytest.mark.parametrize("seconds, text", [
    (0, "0.0 s"), (0.43, "0.4 s"), (9.94, "9.9 s"), (9.96, "10 s"), (58.4, "58 s"), (59.6, "1 m 0 s"),
    (98, "1 m 38 s"), (np.float32(98.0), "1 m 38 s"), (3599.6, "1 h 0 m"), (3720, "1 h 2 m"), (90061, "25 h 1 m"),
])
def test_format_seconds_reads_like_a_person_would_say_it(seconds, text):
    assert format_seconds(seconds) == text


@pytest.mark.parametrize("bad", [math.nan, math.inf, -1.0, "58", None, True])
def test_format_seconds_refuses_what_is_not_a_duration(bad):
    with pytest.raises(ValueError, match="format_seconds: expected a finite number of seconds >= 0"):
        format_seconds(bad)


def test_key_values_is_a_two_column_table_in_the_given_order():
    report = Report("r")
    report.key_values({"learning rate": 1e-7, "reg": 5000.0, "hidden": 500, "<b>": "x & y", "decay": None},
                      caption="Kept settings")
    part = report.parts[-1]
    assert "<caption>Kept settings</caption>" in part
    rows = part.split("<tr>")[1:]
    assert rows[0].startswith("<td>learning rate</td><td>1e-07</td>")  # small floats keep their digits
    assert "<td>reg</td><td>5000</td>" in rows[1] and "<td>hidden</td><td>500</td>" in rows[2]
    assert "<td>&lt;b&gt;</td><td>x &amp; y</td>" in rows[3]  # escaped
    assert "<td>decay</td><td>-</td>" in rows[4] and len(rows) == 5


def test_a_diagram_fits_its_column_and_a_click_shows_it_full_size():
    report = Report("r")
    report.svg('<?xml version="1.0"?>\n<!DOCTYPE svg>\n<svg width="900pt"><g/></svg>', "The graph")
    part = report.parts[-1]
    assert part.startswith('<figure class="diagram" onclick="this.classList.toggle(\'full\')"><svg width="900pt">')
    assert "<?xml" not in part and "click the diagram to see it full size" in part
    page = report.to_html()
    assert ".diagram svg { display: block; max-width: 100%; height: auto;" in page
    assert ".diagram.full svg { max-width: none;" in page
    with pytest.raises(ValueError, match="Report.svg: expected an SVG document"):
        report.svg("not an svg")


def test_the_page_scales_on_a_phone_and_keeps_margins():
    page = Report("r").to_html()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "padding: 0 1.5em" in page  # text never touches the window's edge


def test_figures_are_inlined_as_png(tmp_path):
    fig = Figure()
    fig.subplots().plot([1, 2, 3])
    report = Report("A <run>")
    report.section("Curves")
    report.figure(fig, "loss & accuracy")
    report.table(["model", "val acc"], [["svm", 0.41234], ["knn", None]])
    path = report.write(str(tmp_path / "report.html"))
    page = open(path).read()
    assert "<title>A &lt;run&gt;</title>" in page and "<h2>Curves</h2>" in page
    assert 'src="data:image/png;base64,iVBORw0KGgo' in page  # the PNG signature, base64
    assert "<figcaption>loss &amp; accuracy</figcaption>" in page
    assert "<td>0.412</td>" in page and "<td>-</td>" in page
    assert os.listdir(tmp_path) == ["report.html"]


def test_a_pyplot_figure_is_closed_once_inlined():
    plt = pytest.importorskip("matplotlib.pyplot")
    fig = plt.figure()
    Report("r").figure(fig)
    assert fig.number not in plt.get_fignums()


def test_a_text_table_escapes_its_cells_and_reads_from_the_left():
    report = Report("t")
    report.table(["#", "caption"], [[1, "a cat on the <UNK> & more"]], kind="text", caption="Captions <val>")
    page = report.to_html()
    assert '<table class="text"><caption>Captions &lt;val&gt;</caption>' in page
    assert "<td>a cat on the &lt;UNK&gt; &amp; more</td>" in page and "<UNK>" not in page
    assert "table.text td" in page  # the style that aligns them left
    with pytest.raises(ValueError, match="kind must be"):
        report.table(["a"], [[1]], kind="sentences")

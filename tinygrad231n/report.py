"""A self-contained HTML report: figures inlined as base64 PNG, diagrams as inline SVG.

    report = Report("CS231n assignments 1 and 2, reproduced")
    report.section("kNN")
    report.figure(fig, "Cross-validation on k")
    report.svg(svg_text, "The loss graph")          # fits the column; a click shows it full size
    report.table(["model", "val"], rows)
    report.key_values({"learning rate": 1e-3, "time": format_seconds(98)}, "Settings")
    report.write("runs/demo/report.html")   # atomic: the old report or the new one, never half
"""
import base64
import html
import io
import math
import numbers

from .atomic import write_text

STYLE = """
* { box-sizing: border-box; }
body { font-family: Helvetica, Arial, sans-serif; line-height: 1.4; color: #222;
       max-width: 1100px; margin: 2em auto; padding: 0 1.5em; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
figure { margin: 1em 0; } figcaption { color: #555; font-size: .9em; }
img { max-width: 100%; height: auto; }
.table { overflow-x: auto; }  /* a wide table scrolls inside itself on a narrow window */
table { border-collapse: collapse; margin: .5em 0; }
td, th { border: 1px solid #ccc; padding: .3em .7em; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
table.key-values td { text-align: left; } table.key-values td:first-child { color: #555; }
table.text td, table.text th { text-align: left; }  /* sentences (captions) read from the left */
caption { text-align: left; color: #555; font-size: .9em; padding-bottom: .2em; }
/* A diagram is scaled down to the column so the whole graph shows at once; a click toggles its
   natural size (scrolling inside the figure), a second click fits it again. */
.diagram svg { display: block; max-width: 100%; height: auto; cursor: zoom-in; }
.diagram.full { overflow: auto; } .diagram.full svg { max-width: none; cursor: zoom-out; }
"""


class Report:
    """An HTML page built section by section."""

    def __init__(self, title):
        self.title = title
        self.parts = [f"<h1>{html.escape(title)}</h1>"]

    def section(self, title):
        self.parts.append(f"<h2>{html.escape(title)}</h2>")

    def text(self, paragraph):
        self.parts.append(f"<p>{html.escape(paragraph)}</p>")

    def figure(self, fig, caption=""):
        """Inline a matplotlib figure as a PNG; a pyplot figure is closed (figures hold a lot of memory)."""
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        if getattr(fig.canvas, "manager", None) is not None:  # only pyplot's figures have a manager
            import matplotlib.pyplot as plt
            plt.close(fig)
        encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
        self.parts.append(f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{encoded}">'
                          f"<figcaption>{html.escape(caption)}</figcaption></figure>")

    def svg(self, svg_text, caption=""):
        """Inline an SVG document (e.g. a graph diagram from viz.to_svg), minus its XML prologue."""
        start = svg_text.find("<svg")
        if start < 0:
            raise ValueError(f"Report.svg: expected an SVG document, got text starting {svg_text[:40]!r}")
        hint = " (click the diagram to see it full size)"
        self.parts.append(f'<figure class="diagram" onclick="this.classList.toggle(\'full\')">{svg_text[start:]}'
                          f"<figcaption>{html.escape(caption)}{hint}</figcaption></figure>")

    def table(self, headers, rows, kind="numbers", caption=""):
        """Rows under headers, every cell escaped; kind "numbers" aligns cells right (after the first),
        "text" aligns them left (cells of sentences)."""
        if kind not in ("numbers", "text"):
            raise ValueError(f"Report.table: kind must be 'numbers' or 'text', got {kind!r}")
        head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v, '.3f'))}</td>" for v in row) + "</tr>"
                       for row in rows)
        title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
        css = ' class="text"' if kind == "text" else ""
        self.parts.append(f'<div class="table"><table{css}>{title}<tr>{head}</tr>{body}</table></div>')

    def key_values(self, mapping, caption=""):
        """A dict as a two-column table (name, value), in the dict's order, under an optional caption."""
        rows = "".join(f"<tr><td>{html.escape(str(key))}</td><td>{html.escape(_cell(value, '.4g'))}</td></tr>"
                       for key, value in mapping.items())
        title = f"<caption>{html.escape(caption)}</caption>" if caption else ""
        self.parts.append(f'<div class="table"><table class="key-values">{title}{rows}</table></div>')

    def to_html(self):
        return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>{html.escape(self.title)}</title><style>{STYLE}</style></head><body>\n"
                + "\n".join(self.parts) + "\n</body></html>\n")

    def write(self, path):
        write_text(path, self.to_html())
        return path


def format_seconds(seconds):
    """A duration as a person reads it: "0.4 s", "58 s", "1 m 38 s", "1 h 2 m"."""
    if not _is_number(seconds) or not math.isfinite(seconds) or seconds < 0:
        raise ValueError(f"format_seconds: expected a finite number of seconds >= 0, got {seconds!r}")
    if seconds < 9.95:
        return f"{seconds:.1f} s"
    total = round(seconds)
    if total < 60:
        return f"{total} s"
    if total < 3600:
        return f"{total // 60} m {total % 60} s"
    total_minutes = round(seconds / 60)
    return f"{total_minutes // 60} h {total_minutes % 60} m"


def _is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _cell(value, real_format):
    """A table cell's text: "-" for nothing, a non-integer number in `real_format` (".3f" for
    accuracies; ".4g" for settings, so 1e-07 and 5000 both read right), anything else as str()."""
    if value is None:
        return "-"
    if _is_number(value) and not isinstance(value, numbers.Integral):
        return format(value, real_format)
    return str(value)

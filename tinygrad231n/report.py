"""A self-contained HTML report: figures inlined as base64 PNG, diagrams as inline SVG.

    report = Report("CS231n assignment 1, reproduced")
    report.section("kNN")
    report.figure(fig, "Cross-validation on k")
    report.svg(svg_text, "The loss graph")
    report.table(["model", "val"], rows)
    report.write("runs/demo/report.html")   # atomic: the old report or the new one, never half
"""
import base64
import html
import io

import matplotlib.pyplot as plt

from .atomic import write_text

STYLE = """
body { font-family: Helvetica, Arial, sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }
h1 { font-size: 1.6em; } h2 { border-bottom: 1px solid #ccc; padding-bottom: .2em; margin-top: 2em; }
figure { margin: 1em 0; } figcaption { color: #555; font-size: .9em; }
img, svg { max-width: 100%; height: auto; }
table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: .3em .7em; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
.diagram { overflow-x: auto; } .diagram svg { max-width: none; }  /* wide graphs scroll rather than shrink */
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
        """Inline a matplotlib figure as a PNG, then close it (figures hold a lot of memory)."""
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
        self.parts.append(f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{encoded}">'
                          f"<figcaption>{html.escape(caption)}</figcaption></figure>")

    def svg(self, svg_text, caption=""):
        """Inline an SVG document (e.g. a graph diagram from viz.to_svg), minus its XML prologue."""
        start = svg_text.find("<svg")
        self.parts.append(f'<figure class="diagram">{svg_text[start:]}'
                          f"<figcaption>{html.escape(caption)}</figcaption></figure>")

    def table(self, headers, rows):
        head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
        body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>" for row in rows)
        self.parts.append(f"<table><tr>{head}</tr>{body}</table>")

    def to_html(self):
        return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(self.title)}</title>'
                f"<style>{STYLE}</style></head><body>\n" + "\n".join(self.parts) + "\n</body></html>\n")

    def write(self, path):
        write_text(path, self.to_html())
        return path


def _cell(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)

"""What the report needs of each model, kept in the run folder so a later run can rebuild the report.

    save_material(run_dir, fitted, graph_svg)       # RUN/report_material/<model>.npz
    material = load_material(run_dir, name)        # Material(figures, notes, test_predictions, graph_svg)

`reproduce --only MODEL` into a folder that already holds the other models' results retrains MODEL
only; the report still covers every model, from this material. The figures are the typed ones of
models.fitting, stored field by field ("figure0.TrainingCurves.loss_history", ...).
"""
import dataclasses
import os
from typing import Optional

import numpy as np

from models.fitting import FIGURES
from tinygrad231n.atomic import save_npz

FOLDER = "report_material"
_KINDS = {kind.__name__: kind for kind in FIGURES}


@dataclasses.dataclass
class Material:
    figures: list
    notes: list
    test_predictions: np.ndarray
    graph_svg: Optional[str] = None


def material_path(run_dir, name):
    return os.path.join(run_dir, FOLDER, f"{name}.npz")


def save_material(run_dir, fitted, graph_svg=None):
    """Write `fitted`'s figures, notes, test predictions and loss diagram (SVG text) atomically."""
    arrays = {"test_predictions": np.asarray(fitted.test_predictions), "notes": np.array(fitted.notes, dtype=str)}
    if graph_svg is not None:
        arrays["graph_svg"] = np.array(graph_svg)
    for i, figure in enumerate(fitted.figures):
        for field in dataclasses.fields(figure):
            arrays[f"figure{i}.{type(figure).__name__}.{field.name}"] = np.asarray(getattr(figure, field.name))
    os.makedirs(os.path.join(run_dir, FOLDER), exist_ok=True)
    save_npz(material_path(run_dir, fitted.name), **arrays)


def load_material(run_dir, name):
    """The Material saved for model `name` in `run_dir`; FileNotFoundError if there is none."""
    path = material_path(run_dir, name)
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path}: no report material for {name} (was it trained by an older version?)")
    with np.load(path) as archive:
        figures = {}
        for key in archive.files:
            if key.startswith("figure"):
                position, kind, field = key.split(".")
                figures.setdefault(int(position[len("figure"):]), (kind, {}))[1][field] = archive[key]
        return Material([_KINDS[kind](**fields) for _, (kind, fields) in sorted(figures.items())],
                        [str(note) for note in archive["notes"]], archive["test_predictions"],
                        str(archive["graph_svg"]) if "graph_svg" in archive.files else None)

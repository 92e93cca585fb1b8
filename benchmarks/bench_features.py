"""Time CS231n's features (HOG + 10-bin hue histogram) on all 60,000 CIFAR-10 images.

    python benchmarks/bench_features.py [--data /tmp/cifar/cifar-10-batches-py] [--dtype uint8|float64]

The batch kernels run on every image after a warm-up call (which compiles them, or loads numba's
cache). The per-image numpy references (CS231n's own definitions) run on --reference-images images
and are extrapolated to the full set; the two are also compared on those images. Without the data
at --data, random uint8 images of the same shape stand in (the time barely depends on content).
"""
import argparse
import time

import numba
import numpy as np

from models.features import default_feature_fns, extract_features
from tinygrad231n.data import DataNotFoundError, load_cifar10
from tinygrad231n.kernels.color_histogram import hue_histogram_reference
from tinygrad231n.kernels.hog import hog_reference

CIFAR_IMAGES = 60_000


def load_images(root):
    """All train and test images as (60000, 32, 32, 3) uint8, or random ones if the data is absent."""
    try:
        X_train, _, X_test, _ = load_cifar10(root)
        return np.concatenate([X_train, X_test]), f"CIFAR-10 from {root}"
    except DataNotFoundError:
        rng = np.random.default_rng(0)
        return rng.integers(0, 256, (CIFAR_IMAGES, 32, 32, 3), dtype=np.uint8), "random uint8 images (no data found)"


def time_call(fn, repeats):
    """(result of the last call, best wall time in seconds, all times)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return result, min(times), times


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/tmp/cifar/cifar-10-batches-py")
    parser.add_argument("--dtype", choices=["uint8", "float64"], default="uint8",
                        help="pixel type handed to the kernels (CS231n's notebook uses float64)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--reference-images", type=int, default=500)
    args = parser.parse_args()

    images, source = load_images(args.data)
    images = images.astype(args.dtype, copy=False)
    print(f"{len(images)} images {images.shape[1:]} {images.dtype}: {source}; numba threads: {numba.get_num_threads()}")

    extract_features(images[:8])  # warm-up: compile or load the cached kernels
    features, best, times = time_call(lambda: extract_features(images), args.repeats)
    print(f"batch kernels, HOG + hue (nbin=10), all {len(images)} images: best {best:.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in times)}) -> features {features.shape}")

    n_ref = min(args.reference_images, len(images))
    per_image = [hog_reference, lambda image: hue_histogram_reference(image, nbin=10)]
    reference, ref_time, _ = time_call(lambda: extract_features(images[:n_ref], per_image), 1)
    extrapolated = ref_time * len(images) / n_ref
    print(f"per-image numpy reference, {n_ref} images: {ref_time:.2f} s -> EXTRAPOLATED to {len(images)} images: "
          f"{extrapolated:.0f} s ({extrapolated / best:.0f}x the batch kernels)")

    batch = extract_features(images[:n_ref], default_feature_fns())
    print(f"max |kernel - reference| over those {n_ref} images: {np.abs(batch - reference).max():.2e}")


if __name__ == "__main__":
    main()

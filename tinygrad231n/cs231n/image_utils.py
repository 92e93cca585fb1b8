"""CS231n's image_utils: loading images, SqueezeNet's preprocessing and its inverse, a gentle blur.

    img = load_image("kitten.jpg", size=224)       # (H, W, 3) uint8, shorter side 224
    x = preprocess_image(img)                      # float32, per-channel standardized
    img = deprocess_image(x, rescale=True)         # back to uint8

Images are read with Pillow (the cs231n extra); the assignment uses imageio.
"""
import http.client
import io
import threading
import urllib.error
import urllib.request

import numpy as np

from tinygrad231n.extras import require

from .fast_layers import conv_forward_fast

Image = require("PIL.Image", extra="cs231n", needed_for="loading images (cs231n.image_utils)")

__all__ = ["blur_image", "preprocess_image", "deprocess_image", "image_from_url", "load_image",
           "SQUEEZENET_MEAN", "SQUEEZENET_STD"]

SQUEEZENET_MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
SQUEEZENET_STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
URL_TIMEOUT_S = 10.0  # image_from_url's limit: COCO's images (~200 KB) come in well under it


def blur_image(X):
    """A very gentle blur of images X (N, 3, H, W), used as a regularizer when generating images:
    each channel convolved with [[1, 2, 1], [2, 188, 2], [1, 2, 1]] / 200 (zero padding)."""
    w_blur = np.zeros((3, 3, 3, 3))
    for channel in range(3):
        w_blur[channel, channel] = np.array([[1, 2, 1], [2, 188, 2], [1, 2, 1]]) / 200.0
    return conv_forward_fast(X, w_blur, np.zeros(3), {"stride": 1, "pad": 1})[0]


def preprocess_image(img):
    """(H, W, 3) pixels 0..255 -> float32 (img / 255 - SQUEEZENET_MEAN) / SQUEEZENET_STD."""
    return (img.astype(np.float32) / 255.0 - SQUEEZENET_MEAN) / SQUEEZENET_STD


def deprocess_image(img, rescale=False):
    """The inverse of preprocess_image, as uint8 clipped to 0..255; with rescale, the values are
    first stretched to fill 0..1."""
    img = img * SQUEEZENET_STD + SQUEEZENET_MEAN
    if rescale:
        low, high = img.min(), img.max()
        img = (img - low) / (high - low)
    return np.clip(255 * img, 0.0, 255.0).astype(np.uint8)


def image_from_url(url, timeout=URL_TIMEOUT_S):
    """The image at `url` as a numpy array, or None with one line printed saying why, as the
    assignment's does ("URL Error: ..." or "HTTP Error: ..."; the notebooks skip a None).

    Gives up after `timeout` seconds in all (name lookup included, which a socket timeout does not
    cover), so without a network it fails in that time instead of hanging.
    """
    try:
        data = _fetch_within(url, timeout)
    except urllib.error.HTTPError as err:
        print("HTTP Error: ", err.code, url)
        return None
    except urllib.error.URLError as err:
        print("URL Error: ", err.reason, url)
        return None
    except (OSError, http.client.HTTPException, ValueError) as err:  # timeouts, resets; ValueError: unknown url type
        print("URL Error: ", err, url)
        return None
    return np.asarray(Image.open(io.BytesIO(data)))


def _fetch_within(url, timeout):
    """The bytes at `url`, read in a helper thread that is abandoned (it is a daemon) after `timeout`
    seconds: urlopen's own timeout bounds each socket operation, not the name lookup or the total."""
    outcome = {}

    def fetch():
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                outcome["data"] = response.read()
        except Exception as err:  # handed to the caller, which reports it
            outcome["error"] = err

    thread = threading.Thread(target=fetch, name="image_from_url", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"no answer within {timeout:g} s")
    if "error" in outcome:
        raise outcome["error"]
    return outcome["data"]


def load_image(filename, size=None):
    """The image file as a numpy array (H, W[, C]); with size, resized (bilinear) so that its
    shorter side is `size` pixels, keeping the aspect ratio. (The assignment passes the new shape
    to PIL as (height, width) where PIL reads (width, height); here the aspect ratio is kept.)"""
    img = np.asarray(Image.open(filename))
    if size is None:
        return img
    height, width = img.shape[:2]
    scale = float(size) / min(height, width)
    new_size = (int(width * scale), int(height * scale))  # PIL's order: (width, height)
    return np.asarray(Image.fromarray(img).resize(new_size, resample=Image.BILINEAR))

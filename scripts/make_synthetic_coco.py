#!/usr/bin/env python3
"""Write a small SYNTHETIC captioning set in the layout of CS231n's COCO files (it is not COCO).

    python scripts/make_synthetic_coco.py --out /tmp/synthetic_coco
    python -c "from tinygrad231n.data import load_coco_data; load_coco_data('/tmp/synthetic_coco')"

Captions that a model can learn from the features (see tinygrad231n/data/coco_synthetic.py), the same
files for the same --seed; the files are marked synthetic, and load_coco_data warns when it reads them.
"""
import argparse
import sys

from tinygrad231n.data.coco_synthetic import write_synthetic_coco
from tinygrad231n.errors import InputError
from tinygrad231n.paths import check_output_dir


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="folder to write the files in (made if missing)")
    parser.add_argument("--train", type=int, default=300, help="training images, one caption each")
    parser.add_argument("--val", type=int, default=100, help="validation images, one caption each")
    parser.add_argument("--seed", type=int, default=0, help="the same seed writes the same files")
    args = parser.parse_args()
    try:
        folder = write_synthetic_coco(check_output_dir(args.out, what="--out"), args.train, args.val, args.seed)
    except InputError as err:
        sys.exit(f"make_synthetic_coco: {err}")
    print(f"wrote a SYNTHETIC captioning set (not COCO) to {folder}: {args.train} train + {args.val} val captions")


if __name__ == "__main__":
    main()

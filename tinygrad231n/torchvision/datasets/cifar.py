"""torchvision.datasets.CIFAR10 on the project's CIFAR-10 reader (tinygrad231n.data.cifar10).

    train = CIFAR10("./cs231n/datasets", train=True, download=True, transform=T.ToTensor())
    img, label = train[0]          # transform(img (32, 32, 3) uint8), an int in 0..9

As torchvision: the official python-version batches live in `root/cifar-10-batches-py`; `.data`
is uint8 (N, 32, 32, 3), `.targets` a list of ints, `.classes` the 10 names. Where torchvision
hands the transform a PIL image, this hands it the uint8 (32, 32, 3) array itself (what ToTensor,
RandomCrop and RandomHorizontalFlip here take). download=True fetches the official archive, md5-
checked and installed atomically (tinygrad231n.data.download), only when the batches are missing or
do not load; every load checks all batches' sizes and the class names.
"""
import os
from pathlib import Path

from tinygrad231n.data.cifar10 import BATCHES_DIR, CLASSES, DataError, DataNotFoundError, load_cifar10
from tinygrad231n.data.download import OFFICIAL_MD5, OFFICIAL_URL, download_cifar10
from tinygrad231n.torch.utils.data import Dataset

__all__ = ["CIFAR10"]


class CIFAR10(Dataset):
    """CIFAR-10's training set (50,000 images; train=True) or test set (10,000; train=False).

    `transform` is applied to each image, `target_transform` to each label, as they are read.
    """

    base_folder = BATCHES_DIR
    url = OFFICIAL_URL  # what download=True fetches, and the archive's md5 (torchvision's names)
    tgz_md5 = OFFICIAL_MD5

    def __init__(self, root, train=True, transform=None, target_transform=None, download=False):
        self.root = os.path.expanduser(root) if isinstance(root, str) else root
        self.train = train
        self.transform = transform
        self.target_transform = target_transform
        folder = Path(self.root) / self.base_folder
        try:
            arrays = load_cifar10(folder)
        except DataError as err:
            if not download:
                raise _not_here(folder, err) from None
            download_cifar10(self.root, url=self.url, md5=self.tgz_md5)  # replaces a copy that does not load
            arrays = load_cifar10(folder)
        images, labels = arrays[:2] if train else arrays[2:]
        self.data = images
        self.targets = labels.tolist()
        self.classes = list(CLASSES)
        self.class_to_idx = {name: i for i, name in enumerate(self.classes)}

    def __getitem__(self, index):
        """(image, label): the image (32, 32, 3) uint8 through `transform`, the label int through
        `target_transform`."""
        img, target = self.data[index], self.targets[index]
        if self.transform is not None:
            img = self.transform(img)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return img, target

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        lines = [f"Dataset {type(self).__name__}", f"    Number of datapoints: {len(self)}",
                 f"    Root location: {self.root}", f"    Split: {'Train' if self.train else 'Test'}"]
        if self.transform is not None:
            lines.append(f"    StandardTransform\n    Transform: {self.transform}")
        return "\n".join(lines)


def _not_here(folder, err):
    """The one-line error for batches that are missing (or broken) with download=False."""
    if isinstance(err, DataNotFoundError):
        return DataNotFoundError(f"CIFAR10: dataset not found: no CIFAR-10 batches in {folder}",
                                 "pass download=True to fetch them (md5-checked), or run `tinygrad231n download`")
    return DataError(f"CIFAR10: the batches in {folder} do not load ({err.problem})",
                     "pass download=True to fetch a fresh copy, or delete the folder and run `tinygrad231n download`")

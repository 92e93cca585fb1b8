"""DataLoader: batches from a dataset, in the order a sampler gives, as torch.utils.data.DataLoader.

    loader = DataLoader(dataset, batch_size=64, sampler=SubsetRandomSampler(range(49000)))
    for t, (x, y) in enumerate(loader):     # x, y: the collated batch (default_collate)
        ...
    len(loader)                             # batches per epoch

Who picks the indices: `batch_sampler` if given; else a BatchSampler over `sampler`, or over a
RandomSampler (shuffle=True) or SequentialSampler. `batch_size=None` turns batching off: each sample
comes out alone, through default_convert. The combinations PyTorch refuses are refused here, each in
one line. Batches are made in this process: num_workers must be 0 (there are no worker processes),
the settings of workers are refused or ignored as PyTorch does with num_workers=0, and pin_memory has
nothing to pin (everything is on the CPU). The arguments are PyTorch's, in its order.
"""
from tinygrad231n.errors import InputError
from tinygrad231n.torch.utils.data.collate import default_collate, default_convert
from tinygrad231n.torch.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler

__all__ = ["DataLoader"]


def _check_workers(num_workers):
    """Only 0 is possible here; PyTorch's message for a negative count, ours for a positive one."""
    if isinstance(num_workers, bool) or not isinstance(num_workers, int):
        raise InputError(f"DataLoader: num_workers should be an integer, got {num_workers!r}")
    if num_workers < 0:
        raise InputError("DataLoader: num_workers option should be non-negative; "
                         "use num_workers=0 to disable multiprocessing.")
    if num_workers > 0:
        raise InputError(f"DataLoader: num_workers={num_workers} is not supported (batches are made in this "
                         "process, there are no worker processes); use num_workers=0")


def _check_worker_settings(timeout, multiprocessing_context, prefetch_factor, persistent_workers):
    """The settings of worker processes: PyTorch refuses these with num_workers=0 (and ignores the others:
    worker_init_fn, in_order, pin_memory_device)."""
    if timeout < 0:
        raise InputError("DataLoader: timeout option should be non-negative")
    if multiprocessing_context is not None:
        raise InputError("DataLoader: multiprocessing_context can only be used with multi-process loading "
                         "(num_workers > 0), and there is none here")
    if prefetch_factor is not None:
        raise InputError("DataLoader: prefetch_factor option could only be specified in multiprocessing "
                         "(num_workers > 0); set prefetch_factor to None")
    if persistent_workers:
        raise InputError("DataLoader: persistent_workers option needs num_workers > 0; set it to False")


class DataLoader:
    """Iterates over `dataset` in batches; see the module's docstring.

    `generator` (a numpy Generator) is what shuffle=True draws from; None means the front's generator
    (tinygrad231n.torch.random, reseeded by torch.manual_seed). The order differs from PyTorch's.
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=None, persistent_workers=False,
                 pin_memory_device="", in_order=True):
        _check_workers(num_workers)
        _check_worker_settings(timeout, multiprocessing_context, prefetch_factor, persistent_workers)
        shuffle = bool(shuffle)  # PyTorch's default is None, which means False
        if sampler is not None and shuffle:
            raise InputError("DataLoader: sampler option is mutually exclusive with shuffle "
                             "(a sampler already decides the order); give one of them")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise InputError("DataLoader: batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise InputError("DataLoader: batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            sampler = RandomSampler(dataset, generator=generator) if shuffle else SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)  # checks batch_size and drop_last
        self.dataset = dataset
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        self.num_workers = 0
        self.pin_memory = pin_memory
        self.generator = generator
        if collate_fn is None:
            collate_fn = default_collate if batch_sampler is not None else default_convert
        self.collate_fn = collate_fn

    def __iter__(self):
        if self.batch_sampler is None:
            return (self.collate_fn(self.dataset[index]) for index in self.sampler)
        return (self.collate_fn([self.dataset[index] for index in indices]) for indices in self.batch_sampler)

    def __len__(self):
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)

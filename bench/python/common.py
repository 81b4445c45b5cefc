"""Shared helpers for the PyTorch / numpy anchors: one thread, JSON result line, peak RSS."""
import json
import resource
import sys

RESULT_PREFIX = "BENCH_RESULT "


def emit(value):
    value["peakRssMb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    sys.stdout.write(RESULT_PREFIX + json.dumps(value) + "\n")
    sys.stdout.flush()


def single_thread_torch():
    import torch

    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass  # already set once in this process
    return torch


def mnist(torch, data_dir):
    """MNIST's IDX files as float32 images in [0, 1] (n×784) and int64 labels: train, then test."""
    import os

    import numpy as np

    def images(name):
        raw = np.fromfile(os.path.join(data_dir, name), dtype=np.uint8, offset=16)
        return torch.from_numpy(raw.reshape(-1, 784).astype(np.float32) / 255.0)

    def labels(name):
        return torch.from_numpy(np.fromfile(os.path.join(data_dir, name), dtype=np.uint8, offset=8).astype(np.int64))

    return (
        images("train-images-idx3-ubyte"),
        labels("train-labels-idx1-ubyte"),
        images("t10k-images-idx3-ubyte"),
        labels("t10k-labels-idx1-ubyte"),
    )

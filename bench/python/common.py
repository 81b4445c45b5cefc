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

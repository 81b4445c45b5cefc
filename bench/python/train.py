"""The benchmark models in PyTorch on one CPU thread, on the arrays Node exported.

usage: train.py <mnist|mnist-cnn|imdb> <data_dir> <examples>
RMSprop matches TF.js's: rho (alpha) 0.9, epsilon 1e-7, no momentum.
"""
import os
import sys
import time

import numpy as np

from common import emit, single_thread_torch

torch = single_thread_torch()
name, data_dir, examples = sys.argv[1], sys.argv[2], int(sys.argv[3])
torch.manual_seed(1)
gen = torch.Generator().manual_seed(1)


def load(file, dtype):
    return np.fromfile(os.path.join(data_dir, file), dtype=dtype)


if name in ("mnist", "mnist-cnn"):
    sizes, batch, epochs = [784, 512, 10], 128, 1
    x_all = torch.from_numpy(load("mnist-x.f32", np.float32).reshape(-1, 784)[:examples].copy())
    if name == "mnist-cnn":
        # NCHW, PyTorch's layout; the TF.js side trains NHWC on the same pixels.
        x_all = x_all.reshape(-1, 1, 28, 28)
    y_all = torch.from_numpy(load("mnist-y.i32", np.int32)[:examples].astype(np.int64))
    n = x_all.shape[0]

    def batch_inputs(idx):
        return x_all[idx]

    loss_fn = torch.nn.CrossEntropyLoss()
else:
    sizes, batch, epochs = [10000, 16, 16, 1], 512, 4
    ptr = torch.from_numpy(load("imdb-ptr.i32", np.int32).astype(np.int64))
    col = torch.from_numpy(load("imdb-col.i32", np.int32).astype(np.int64))
    y_all = torch.from_numpy(load("imdb-y.i32", np.int32).astype(np.float32))[:examples]
    n = y_all.shape[0]

    def batch_inputs(idx):
        # The same work the harness does per batch: a zeroed dense block with ones written in.
        starts, ends = ptr[idx], ptr[idx + 1]
        lengths = ends - starts
        rows = torch.repeat_interleave(torch.arange(len(idx)), lengths)
        cols = torch.cat([col[s:e] for s, e in zip(starts.tolist(), ends.tolist())])
        x = torch.zeros(len(idx), 10000)
        x[rows, cols] = 1.0
        return x

    bce = torch.nn.BCEWithLogitsLoss()

    def loss_fn(out, y):
        return bce(out.squeeze(1), y)

layers = []
if name == "mnist-cnn":
    # Conv2D(8, 3×3, relu) - MaxPool(2) - Flatten - Dense(10); Keras's glorot_uniform and zero biases.
    conv, dense = torch.nn.Conv2d(1, 8, 3), torch.nn.Linear(13 * 13 * 8, 10)
    for layer in (conv, dense):
        torch.nn.init.xavier_uniform_(layer.weight)
        torch.nn.init.zeros_(layer.bias)
    layers = [conv, torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(), dense]
    sizes = []
for i in range(1, len(sizes)):
    linear = torch.nn.Linear(sizes[i - 1], sizes[i])
    torch.nn.init.xavier_normal_(linear.weight)
    torch.nn.init.zeros_(linear.bias)
    layers.append(linear)
    if i < len(sizes) - 1:
        layers.append(torch.nn.ReLU())
# Softmax / sigmoid live inside the loss (the numerically stable form); same FLOPs.
model = torch.nn.Sequential(*layers)
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)

started = time.perf_counter()
last_loss, correct = 0.0, 0
for epoch in range(epochs):
    order = torch.randperm(n, generator=gen)
    total, correct = 0.0, 0
    for s in range(0, n, batch):
        idx = order[s : s + batch]
        x, y = batch_inputs(idx), y_all[idx]
        opt.zero_grad()
        out = model(x)
        loss = loss_fn(out, y)
        loss.backward()
        opt.step()
        total += loss.item() * len(idx)
        with torch.no_grad():
            pred = out.argmax(1) if name != "imdb" else (out.squeeze(1) > 0).float()
            correct += int((pred == y).sum())
    last_loss = total / n
seconds = time.perf_counter() - started
emit({
    "examples": n * epochs,
    "trainSeconds": seconds,
    "examplesPerSecond": n * epochs / seconds,
    "loss": last_loss,
    "accuracy": correct / n,
    "torch": torch.__version__,
    "threads": torch.get_num_threads(),
})

"""PyTorch's whole script for what `stepwise grade` does, timed from process start by the caller.

usage: grade_mnist.py <mnist_idx_dir> <hidden_units> <epochs>
Imports torch, reads MNIST's IDX files, trains 784-<hidden>relu-10 with RMSprop 1e-3 (TF.js's rho 0.9,
epsilon 1e-7), batch 128, on the first 80% of the 60k training images (Keras's validationSplit 0.2 keeps
the last 20% for validation, as the grader does), reports validation accuracy per epoch and test
accuracy at the end. One thread.
"""
import sys

from common import emit, mnist, single_thread_torch

torch = single_thread_torch()
data_dir, hidden, epochs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.manual_seed(1)
gen = torch.Generator().manual_seed(1)


x_all, y_all, x_test, y_test = mnist(torch, data_dir)
split = int(x_all.shape[0] * 0.8)
x_train, y_train, x_val, y_val = x_all[:split], y_all[:split], x_all[split:], y_all[split:]

layers = [torch.nn.Linear(784, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 10)]
for layer in (layers[0], layers[2]):
    torch.nn.init.xavier_normal_(layer.weight)
    torch.nn.init.zeros_(layer.bias)
model = torch.nn.Sequential(*layers)
opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
loss_fn = torch.nn.CrossEntropyLoss()


def accuracy(x, y):
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


val_accuracy = 0.0
for epoch in range(epochs):
    order = torch.randperm(split, generator=gen)
    for s in range(0, split, 128):
        idx = order[s : s + 128]
        opt.zero_grad()
        loss = loss_fn(model(x_train[idx]), y_train[idx])
        loss.backward()
        opt.step()
    val_accuracy = accuracy(x_val, y_val)
emit({"valAccuracy": val_accuracy, "testAccuracy": accuracy(x_test, y_test), "torch": torch.__version__})

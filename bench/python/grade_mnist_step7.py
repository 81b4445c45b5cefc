"""PyTorch's whole script for the trainings of `stepwise grade mnist-regularize --previous`, timed from process start by the caller.

usage: grade_mnist_step7.py <mnist_idx_dir> <before_epochs> <after_epochs> <dropout_rate> <l2>
What the grader trains for a step-7 MNIST submission of 784-512relu(L2)-dropout-10 with a step-6
784-512relu-512relu-10 model, all with RMSprop 1e-3 (TF.js's rho 0.9, epsilon 1e-7), batch 128,
shuffled every epoch:
  1. the step-6 model for <before_epochs> on 48,000 images, loss and accuracy on the 12,000
     validation images after every epoch (validationSplit 0.2: a seeded permutation, as the grader's);
  2. the step-7 model for <after_epochs> on the same split, validated likewise;
  3. the step-7 model again, from scratch, on all 60,000 images for <after_epochs> (the grader's
     final model: no early stopping, so the configured epochs) without validation;
  4. its predictions on the 10,000 test images.
Training loss and accuracy are accumulated per batch, as the grader's history records them. The L2
penalty is added to the loss (Keras adds l2·Σw² of the kernel). One thread.
"""
import sys

from common import emit, mnist, single_thread_torch

torch = single_thread_torch()
data_dir = sys.argv[1]
before_epochs, after_epochs = int(sys.argv[2]), int(sys.argv[3])
rate, l2 = float(sys.argv[4]), float(sys.argv[5])
torch.manual_seed(1)
gen = torch.Generator().manual_seed(1)


x_all, y_all, x_test, y_test = mnist(torch, data_dir)
order = torch.randperm(x_all.shape[0], generator=gen)
cut = round(x_all.shape[0] * 0.8)
train_idx, val_idx = order[:cut].sort().values, order[cut:].sort().values
x_train, y_train, x_val, y_val = x_all[train_idx], y_all[train_idx], x_all[val_idx], y_all[val_idx]


def dense(n_in, n_out):
    layer = torch.nn.Linear(n_in, n_out)
    torch.nn.init.xavier_normal_(layer.weight)
    torch.nn.init.zeros_(layer.bias)
    return layer


def step6_model():
    return torch.nn.Sequential(dense(784, 512), torch.nn.ReLU(), dense(512, 512), torch.nn.ReLU(), dense(512, 10)), None


def step7_model():
    hidden = dense(784, 512)
    return torch.nn.Sequential(hidden, torch.nn.ReLU(), torch.nn.Dropout(rate), dense(512, 10)), hidden.weight


loss_fn = torch.nn.CrossEntropyLoss()


def evaluate(model, x, y):
    model.eval()
    with torch.no_grad():
        out = model(x)
        result = float(loss_fn(out, y)), float((out.argmax(1) == y).float().mean())
    model.train()
    return result


def fit(build, x, y, epochs, validate):
    model, penalized = build()
    opt = torch.optim.RMSprop(model.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)
    n = x.shape[0]
    history = []
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        loss_sum, correct = 0.0, 0
        for s in range(0, n, 128):
            idx = perm[s : s + 128]
            yb = y[idx]
            opt.zero_grad()
            out = model(x[idx])
            loss = loss_fn(out, yb)
            if penalized is not None and l2 > 0:
                loss = loss + l2 * (penalized**2).sum()
            loss.backward()
            opt.step()
            loss_sum += float(loss) * idx.shape[0]
            correct += int((out.argmax(1) == yb).sum())
        epoch = {"loss": loss_sum / n, "accuracy": correct / n}
        if validate:
            epoch["valLoss"], epoch["valAccuracy"] = evaluate(model, x_val, y_val)
        history.append(epoch)
    return model, history


_, before = fit(step6_model, x_train, y_train, before_epochs, True)
_, after = fit(step7_model, x_train, y_train, after_epochs, True)
final, _ = fit(step7_model, x_all, y_all, after_epochs, False)
_, test_accuracy = evaluate(final, x_test, y_test)
emit(
    {
        "beforeValAccuracy": before[-1]["valAccuracy"],
        "afterValAccuracy": after[-1]["valAccuracy"],
        "testAccuracy": test_accuracy,
        "torch": torch.__version__,
    }
)

"""A learner's training script, unchanged for torch and jtorch: MNIST-sized random data in a
TensorDataset, a DataLoader, an MLP, Adam, and per step the running loss and accuracy.

    python benchmarks/scripts/mnist_mlp.py [epochs]             # torch
    python -m jtorch benchmarks/scripts/mnist_mlp.py [epochs]   # jtorch (lazy mode)

Prints one line per epoch: loss, accuracy and milliseconds per step.
"""

import sys
import time

import torch
import torch.nn as nn  # noqa: PLR0402 - as learners write it
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
torch.set_num_threads(1)
images = torch.randn(6400, 1, 28, 28)
labels = torch.randint(0, 10, (6400,))
loader = DataLoader(TensorDataset(images, labels), batch_size=64, shuffle=True)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
model = nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10)).to(device)
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(int(sys.argv[1]) if len(sys.argv) > 1 else 4):
    start, running, correct = time.perf_counter(), 0.0, 0
    for x, y in loader:
        x, y = x.to(device), y.to(device)
        outputs = model(x.view(-1, 28 * 28))
        loss = criterion(outputs, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item()
        _, predicted = torch.max(outputs.data, 1)
        correct += (predicted == y).sum().item()
    ms = (time.perf_counter() - start) / len(loader) * 1e3
    print(
        f"epoch {epoch} loss {running / len(loader):.4f} acc {correct / 6400:.3f} {ms:.3f} ms/step"
    )

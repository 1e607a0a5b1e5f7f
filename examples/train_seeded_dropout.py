"""A seeded training run: random data, an MLP with dropout, a shuffling DataLoader, Adam.

Not from the learner's notes: written for issue 7 (torch's CPU random streams) as the whole
script a beginner writes once `torch.manual_seed(0)` should make a run repeatable. Every
random number it uses comes from the one seed: the synthetic data (`randn`, `rand`), the
layers' default initialisation, the dropout masks and the DataLoader's shuffled order.
"""

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)  # the same numbers on every run

# A synthetic regression problem: y = x @ w + noise
n_samples, n_features = 256, 4
x = torch.randn(n_samples, n_features)
true_w = torch.rand(n_features, 1) * 2 - 1
y = x @ true_w + 0.1 * torch.randn(n_samples, 1)
print("data:", x.shape, y.shape)
print("true weights:", true_w.flatten())

dataset = TensorDataset(x, y)
loader = DataLoader(dataset, batch_size=16, shuffle=True)

# A small MLP with the layers' default initialisation and dropout after the hidden layer
model = nn.Sequential(
    nn.Linear(n_features, 32),
    nn.ReLU(),
    nn.Dropout(0.2),
    nn.Linear(32, 1),
)
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=0.01)

for epoch in range(3):
    model.train()  # dropout on
    total = 0.0
    for batch_x, batch_y in loader:
        optimizer.zero_grad()
        loss = criterion(model(batch_x), batch_y)
        loss.backward()
        optimizer.step()
        total += loss.item()
    loss = total / len(loader)
    print(f"epoch {epoch + 1}: mean loss {loss:.6f}")

model.eval()  # dropout off
with torch.no_grad():
    prediction = model(x[:5])
print("predictions:", prediction)
print("targets:", y[:5])

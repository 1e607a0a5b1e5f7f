"""A custom Dataset (override __len__ and __getitem__) loaded in shuffled batches.

From the learner's notes (seed 002), which describe the Dataset subclass and
`torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True)` in running text.
"""

import torch
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)  # added: the same order on every run


class SquaresDataset(Dataset):
    def __init__(self, n):
        self.x = torch.arange(n, dtype=torch.float32)

    def __len__(self):
        # 返回数据集大小
        return len(self.x)

    def __getitem__(self, index):
        # 根据索引获取数据样本
        return self.x[index], self.x[index] ** 2


dataset = SquaresDataset(10)
print("size:", len(dataset), "item 3:", dataset[3])
batch_size = 4
loader = DataLoader(dataset, batch_size=batch_size, shuffle=True)
seen = []
for inputs, targets in loader:
    print(inputs.shape, inputs, targets)
    seen += inputs.tolist()
print("every sample once:", sorted(seen) == dataset.x.tolist())

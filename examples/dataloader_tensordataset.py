"""Wrapping tensors in a TensorDataset and loading them in mini-batches with DataLoader.

From the learner's notes (seed 003): `import torch.utils.data as Data`,
`Data.TensorDataset()`, `Data.DataLoader(dataset=..., batch_size=...)`. The notes'
`import torch.utils.data import Data` is not valid Python; the import below is what they mean.
`shuffle=False` keeps the batches the same on every run.
"""

import torch
import torch.utils.data as Data

x = torch.linspace(1, 10, 10)
y = torch.linspace(10, 1, 10)

# 把数据传入Dataset进行包装
torch_dataset = Data.TensorDataset(x, y)
print("dataset size:", len(torch_dataset), "first item:", torch_dataset[0])

loader = Data.DataLoader(dataset=torch_dataset, batch_size=4, shuffle=False)
for epoch in range(2):
    for step, (batch_x, batch_y) in enumerate(loader):
        print("epoch", epoch, "step", step, "x", batch_x, "y", batch_y)

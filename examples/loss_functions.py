"""The loss functions the notes list, on small fixed inputs.

From the learner's notes (seed 004), which give the constructors.
"""

import torch

# 均方误差损失：torch.nn.MSELoss()
mse = torch.nn.MSELoss()
prediction = torch.tensor([2.5, 0.0, 2.0, 8.0])
target = torch.tensor([3.0, -0.5, 2.0, 7.0])
print(mse, mse(prediction, target))

# 交叉熵损失：torch.nn.CrossEntropyLoss()
ce = torch.nn.CrossEntropyLoss()
logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3]], requires_grad=True)
labels = torch.tensor([0, 1])
loss = ce(logits, labels)
print(ce, loss)
loss.backward()
print(logits.grad)

# 二分类交叉熵损失：torch.nn.BCELoss()
bce = torch.nn.BCELoss()
probabilities = torch.sigmoid(torch.tensor([0.8, -1.2, 2.0]))
print(bce, bce(probabilities, torch.tensor([1.0, 0.0, 1.0])))

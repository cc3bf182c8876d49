#!/usr/bin/python3
"""Golden fixture for on-device training: two optimizer steps in PyTorch.

A CIFAR ResNet-8 (the zoo's resnet-cifar family, ConvCam names) gets seeded random weights,
then takes two steps on two fixed 16x16 batches (train mode: BatchNorm uses batch statistics and
updates its running ones), once with SGD (momentum, coupled weight decay) and once with
AdamW, under cross-entropy with label smoothing. Writes tests/fixtures/train-step.safetensors:
the weights before ("before.<name>"), after SGD ("sgd.<name>") and after AdamW
("adamw.<name>"), the batches (NCHW) and labels, and the settings in the metadata.
tests/unit/train-step-parity.test.ts repeats the steps with the TF.js trainer.

Run with Debian's python (torch 1.13): /usr/bin/python3 tools/train_step_fixture.py
"""
import copy
import json
import os
import sys

import torch
import torch.nn as nn

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
from golden_fixtures import CifarResNet, randomise  # noqa: E402
from safetensors_io import write_safetensors  # noqa: E402

SETTINGS = {
    'depth': 8,
    'batch': 4,
    # 16x16 inputs keep the test quick: TF.js's cpu backend computes conv filter gradients slowly.
    'size': 16,
    'label_smoothing': 0.1,
    'sgd': {'lr': 0.05, 'momentum': 0.9, 'weight_decay': 5e-4},
    'adamw': {'lr': 1e-3, 'betas': [0.9, 0.999], 'eps': 1e-8, 'weight_decay': 0.05},
}


def run(model, opt, batches):
    loss_fn = nn.CrossEntropyLoss(label_smoothing=SETTINGS['label_smoothing'])
    model.train()
    losses = []
    for x, y in batches:
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses


def main():
    torch.manual_seed(0)
    g = torch.Generator().manual_seed(7)
    base = CifarResNet(SETTINGS['depth'], 10)
    randomise(base, 3)
    b = SETTINGS['batch']
    batches = [(torch.randn(b, 3, SETTINGS['size'], SETTINGS['size'], generator=g), torch.randint(0, 10, (b,), generator=g)) for _ in range(2)]

    tensors = {f'before.{k}': v.clone() for k, v in base.state_dict().items() if v.dtype == torch.float32}
    sgd_model = copy.deepcopy(base)
    s = SETTINGS['sgd']
    sgd_losses = run(sgd_model, torch.optim.SGD(sgd_model.parameters(), lr=s['lr'], momentum=s['momentum'], weight_decay=s['weight_decay']), batches)
    adam_model = copy.deepcopy(base)
    a = SETTINGS['adamw']
    adam_losses = run(adam_model, torch.optim.AdamW(adam_model.parameters(), lr=a['lr'], betas=tuple(a['betas']), eps=a['eps'], weight_decay=a['weight_decay']), batches)
    for prefix, m in (('sgd', sgd_model), ('adamw', adam_model)):
        tensors.update({f'{prefix}.{k}': v for k, v in m.state_dict().items() if v.dtype == torch.float32})
    for i, (x, y) in enumerate(batches):
        tensors[f'x{i}'] = x
        tensors[f'y{i}'] = y.float()
    meta = {
        'settings': json.dumps(SETTINGS),
        'losses': json.dumps({'sgd': sgd_losses, 'adamw': adam_losses}),
        'source': f'torch {torch.__version__}',
    }
    path = os.path.join(ROOT, 'tests', 'fixtures', 'train-step.safetensors')
    write_safetensors(path, tensors, meta)
    print(f'wrote {path} ({os.path.getsize(path) / 1024:.0f} KiB); losses sgd {sgd_losses} adamw {adam_losses}')


if __name__ == '__main__':
    main()

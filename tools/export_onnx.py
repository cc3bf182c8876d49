#!/usr/bin/python3
"""Peers for npm run bench: the benchmarked architectures in PyTorch, exported to ONNX.

For each model, writes to bench-models/ (git-ignored; MobileNetV2 alone is ~14 MB per file):
  <id>.safetensors  the state dict (float32, PyTorch names: TF.js loads it by name) and
                    "__input__", the fixed NCHW input all three runtimes get;
  <id>.onnx         torch.onnx.export of the same module with the same weights (opset 13).
airbench-cifar10 uses the shipped weights and includes the app's six-view test-time
augmentation (as TF.js runs it); the others get seeded random weights (latency only).

  /usr/bin/python3 tools/export_onnx.py [--out bench-models] [--models a,b]
  /usr/bin/python3 tools/export_onnx.py --time [--threads 2] [--runs 10]   # the PyTorch peer: JSON lines
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
sys.path.insert(0, os.path.join(ROOT, 'training'))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402
from golden_fixtures import CifarResNet, randomise  # noqa: E402
import train_airbench as T  # noqa: E402


class AirbenchTTA(nn.Module):
    """airbench tta_level=2 as models/families/airbench.ts runs it: the six views (the image,
    shifted up-left and down-right with reflect padding, and their mirrors) as one batch."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        self.register_buffer('rev', torch.arange(31, -1, -1))

    def forward(self, x):
        p = F.pad(x, (1, 1, 1, 1), mode='reflect')
        views = torch.cat([x, p[:, :, 0:32, 0:32], p[:, :, 2:34, 2:34]])
        views = torch.cat([views, views.index_select(3, self.rev)])
        n = x.shape[0]
        l = self.net(views).view(6, n, -1)
        return 0.25 * (l[0] + l[3]) + 0.125 * (l[1] + l[4] + l[2] + l[5])


def airbench():
    # The widths come from the settings stored in the shipped file, so the export matches it.
    sd, meta, _ = read_safetensors(os.path.join(ROOT, 'public', 'models', 'cifar10-airbench', 'weights.safetensors'))
    cfg = json.loads(meta['config'])['net']
    net = T.AirbenchNet(cfg['widths'], cfg['batchnorm_momentum'], cfg['scaling_factor'])
    net.load_state_dict(sd, strict=False)
    return net, AirbenchTTA(net), (1, 3, 32, 32)


class CifarResNetExport(CifarResNet):
    # The reference's avg_pool2d(out, out.size()[3]) does not trace; the mean is the same.
    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        return self.linear(out.mean((2, 3)))


def resnet20():
    m = CifarResNetExport(20, 10)
    randomise(m, 20)
    return m, m, (1, 3, 32, 32)


def mobilenet_v2():
    m = torchvision.models.mobilenet_v2()
    randomise(m, 2)
    return m, m, (1, 3, 224, 224)


MODELS = {'airbench-cifar10': airbench, 'resnet20-cifar10': resnet20, 'mobilenet-v2-imagenet': mobilenet_v2}


def build(mid):
    weights_module, run_module, shape = MODELS[mid]()
    run_module.eval()
    x = torch.randn(shape, generator=torch.Generator().manual_seed(1))
    return weights_module, run_module, x


def export(out, ids):
    os.makedirs(out, exist_ok=True)
    for mid in ids:
        weights_module, run_module, x = build(mid)
        tensors = {k: v for k, v in weights_module.state_dict().items() if v.dtype == torch.float32}
        tensors['__input__'] = x
        write_safetensors(os.path.join(out, f'{mid}.safetensors'), tensors, {'torch': torch.__version__})
        onnx = os.path.join(out, f'{mid}.onnx')
        torch.onnx.export(run_module, x, onnx, input_names=['input'], output_names=['logits'], opset_version=13)
        print(f'{mid}: {os.path.getsize(onnx) / 1e6:.1f} MB onnx', file=sys.stderr)


def time_torch(ids, threads, warmup, runs, max_s):
    torch.set_num_threads(threads)
    for mid in ids:
        _, m, x = build(mid)
        with torch.no_grad():
            t = time.perf_counter()
            for i in range(max(1, warmup)):
                torch.softmax(m(x), 1)
                if i == 0:
                    first = (time.perf_counter() - t) * 1e3
            times, start = [], time.perf_counter()
            for _ in range(runs):
                t = time.perf_counter()
                torch.softmax(m(x), 1)
                times.append((time.perf_counter() - t) * 1e3)
                if len(times) >= 3 and time.perf_counter() - start > max_s:
                    break
        print(json.dumps({'id': mid, 'threads': threads, 'torch': torch.__version__, 'firstMs': first, 'times': times}), flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(ROOT, 'bench-models'))
    ap.add_argument('--models', default=','.join(MODELS))
    ap.add_argument('--time', action='store_true')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--runs', type=int, default=10)
    ap.add_argument('--max-seconds', type=float, default=20)
    a = ap.parse_args()
    ids = [m for m in a.models.split(',') if m in MODELS]
    if a.time:
        time_torch(ids, a.threads, a.warmup, a.runs, a.max_seconds)
    else:
        export(a.out, ids)


if __name__ == '__main__':
    main()

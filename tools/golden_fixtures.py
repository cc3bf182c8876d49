#!/usr/bin/python3
"""Golden fixtures for the model zoo's numerical parity with PyTorch/torchvision.

Builds reduced-width versions of the torchvision architectures (torchvision's own classes and
blocks, with narrower layers swapped in where the constructor hard-codes widths), gives them
seeded random weights with non-trivial BatchNorm running statistics, LayerNorm affine
parameters and ConvNeXt layer scales, runs a random NCHW input in eval mode and writes one
safetensors file per model to tests/fixtures/parity/: every state-dict tensor (float32, by its
PyTorch name), "__input__" (NCHW) and "__logits__", with the ConvCam family and builder config
in the metadata. tests/unit/zoo-parity.test.ts rebuilds each model in TF.js from that config,
loads the weights by name and compares the logits.

Families torchvision lacks (CIFAR ResNet with option-A shortcuts, MobileNet v1, LeNet-5) get a
small PyTorch reference written here from the papers, with the names ConvCam uses.

Run with Debian's python (torch 1.13, torchvision 0.14): /usr/bin/python3 tools/golden_fixtures.py
[name ...] (only the fixtures named, e.g. vgg_cifar; all by default).
"""
import functools
import importlib
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision
from torchvision.models import resnet as tv_resnet
from torchvision.models.convnext import CNBlock, CNBlockConfig, ConvNeXt

# torchvision.models.googlenet is shadowed by the function of that name.
tv_googlenet = importlib.import_module('torchvision.models.googlenet')

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'parity')
sys.path.insert(0, os.path.join(ROOT, 'tools'))
from safetensors_io import write_safetensors  # noqa: E402


def randomise(model, seed):
    """Seeded weights; BatchNorm/LayerNorm/layer-scale values far from their defaults."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                fan_in = m.weight[0].numel()
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * (2.0 / fan_in) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
            elif isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(0.5 + torch.rand(c, generator=g))
                m.bias.copy_(torch.randn(c, generator=g) * 0.1)
                m.running_mean.copy_(torch.randn(c, generator=g) * 0.2)
                m.running_var.copy_(0.5 + torch.rand(c, generator=g))
            elif isinstance(m, nn.LayerNorm):
                m.weight.copy_(0.5 + torch.rand(m.weight.shape, generator=g))
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
            if hasattr(m, 'layer_scale') and isinstance(m.layer_scale, nn.Parameter):
                m.layer_scale.copy_(0.5 + torch.rand(m.layer_scale.shape, generator=g))


ONLY = set(sys.argv[1:])


def save(name, family, config, model, input_shape, seed, out=OUT):
    # The models are still built (in the same order) when skipped, so the global RNG, which
    # some references draw their initial values from, is the same for every fixture.
    if ONLY and name not in ONLY:
        return
    randomise(model, seed)
    model.eval()
    x = torch.randn(input_shape, generator=torch.Generator().manual_seed(seed + 1))
    with torch.no_grad():
        logits = model(x)
    tensors = {k: v for k, v in model.state_dict().items() if v.dtype == torch.float32}
    tensors['__input__'] = x
    tensors['__logits__'] = logits
    meta = {'family': family, 'config': json.dumps(config), 'source': f'torch {torch.__version__}, torchvision {torchvision.__version__}'}
    path = os.path.join(out, f'{name}.safetensors')
    write_safetensors(path, tensors, meta)
    n = sum(p.numel() for p in model.parameters())
    print(f'{name:22s} params {n:8d}  logits {tuple(logits.shape)}  {os.path.getsize(path) / 1024:.0f} KiB')


# ---- torchvision models with reduced widths ----

class NarrowResNet(tv_resnet.ResNet):
    """torchvision's ResNet with every width divided by `div` (its blocks and forward unchanged)."""

    def __init__(self, block, layers, div, num_classes):
        self._div = div
        self._first = True
        super().__init__(block, layers, num_classes=num_classes)
        stem = 64 // div
        self.conv1 = nn.Conv2d(3, stem, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(stem)
        self.fc = nn.Linear(512 // div * block.expansion, num_classes)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        if self._first:
            self.inplanes = 64 // self._div
            self._first = False
        return super()._make_layer(block, planes // self._div, blocks, stride, dilate)


def narrow_googlenet(div, num_classes):
    def conv_block(cin, cout, **kw):
        return tv_googlenet.BasicConv2d(cin if cin == 3 else cin // div, cout // div, **kw)

    m = tv_googlenet.GoogLeNet(num_classes=num_classes, aux_logits=False, transform_input=True, init_weights=False,
                               blocks=[conv_block, lambda *a: tv_googlenet.Inception(*a, conv_block=conv_block), tv_googlenet.InceptionAux])
    m.fc = nn.Linear(1024 // div, num_classes)
    return m


def narrow_alexnet(widths, hidden, num_classes):
    m = torchvision.models.AlexNet(num_classes=num_classes)
    cin = 3
    for idx, cout in zip([0, 3, 6, 8, 10], widths):
        old = m.features[idx]
        m.features[idx] = nn.Conv2d(cin, cout, old.kernel_size, old.stride, old.padding)
        cin = cout
    m.classifier[1] = nn.Linear(cin * 36, hidden)
    m.classifier[4] = nn.Linear(hidden, hidden)
    m.classifier[6] = nn.Linear(hidden, num_classes)
    return m


def narrow_vgg(cfg, hidden, num_classes):
    from torchvision.models.vgg import VGG, make_layers
    m = VGG(make_layers(cfg, batch_norm=True), num_classes=num_classes, init_weights=False)
    last = [v for v in cfg if v != 'M'][-1]
    m.classifier[0] = nn.Linear(last * 49, hidden)
    m.classifier[3] = nn.Linear(hidden, hidden)
    m.classifier[6] = nn.Linear(hidden, num_classes)
    return m


# ---- the CIFAR-10 line (issue 14): 32x32 input, ~10-80M MACs, <= 1M parameters ----

def alexnet_cifar(conv1, widths, hidden, num_classes=10):
    """AlexNet's paper layout on torchvision's AlexNet names: conv -> ReLU -> LRN -> overlapping
    3/2 max-pool after conv1 and conv2, a 3/2 max-pool after conv5, dropout in the MLP.
    conv1 is (kernel, stride, padding): AlexNet (5, 2, 2), ZFNet (3, 1, 1), the only difference."""
    k, s, p = conv1
    a, b, c, d, e = widths
    m = torchvision.models.AlexNet(num_classes=num_classes)
    lrn = lambda: nn.LocalResponseNorm(5, alpha=1e-4, beta=0.75, k=2.0)
    m.features = nn.Sequential(
        nn.Conv2d(3, a, k, s, p), nn.ReLU(inplace=True), lrn(), nn.MaxPool2d(3, 2),
        nn.Conv2d(a, b, 5, padding=2), nn.ReLU(inplace=True), lrn(), nn.MaxPool2d(3, 2),
        nn.Conv2d(b, c, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(c, d, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(d, e, 3, padding=1), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2))
    m.avgpool = nn.AdaptiveAvgPool2d(1)
    m.classifier[1] = nn.Linear(e, hidden)
    m.classifier[4] = nn.Linear(hidden, hidden)
    m.classifier[6] = nn.Linear(hidden, num_classes)
    # He init (the paper's N(0, 0.01) and PyTorch's default both let the signal fade through
    # eight layers, two LRNs and no BatchNorm: the first smoke run stayed at chance).
    for mod in m.modules():
        if isinstance(mod, (nn.Conv2d, nn.Linear)):
            nn.init.kaiming_normal_(mod.weight, nonlinearity='relu')
            nn.init.zeros_(mod.bias)
    return m


ALEXNET_CIFAR = dict(widths=[32, 64, 96, 96, 64], hidden=256)


def vgg_cifar(cfg, hidden, num_classes=10):
    """torchvision's VGG-BN with five 2x2 pools (32 -> 1) and the MLP on the 1x1 map."""
    m = narrow_vgg(cfg, hidden, num_classes)
    m.avgpool = nn.AdaptiveAvgPool2d(1)
    m.classifier[0] = nn.Linear([v for v in cfg if v != 'M'][-1], hidden)
    return m


VGG11_CIFAR = [16, 'M', 32, 'M', 64, 64, 'M', 128, 128, 'M', 128, 128, 'M']
VGG16_CIFAR = [16, 16, 'M', 32, 32, 'M', 64, 64, 64, 'M', 128, 128, 128, 'M', 128, 128, 128, 'M']


def googlenet_cifar(div, num_classes=10):
    """torchvision's GoogLeNet at 1/div width with a 3x3 stride-1 conv1 (7x7 stride 2), so the
    Inception stages run at 8, 4 and 2 pixels."""
    m = narrow_googlenet(div, num_classes)
    m.transform_input = False
    m.conv1 = tv_googlenet.BasicConv2d(3, 64 // div, kernel_size=3, stride=1, padding=1)
    return m


def mobilenet_v2_cifar(width_mult, num_classes=10):
    """torchvision's MobileNetV2 with the 24-channel stage at stride 1: 32 -> 16 -> 16 -> 8 -> 4
    -> 2 (four downsamplings instead of five). A stride-1 stem instead trains ~1/5 slower on the
    CPU, for the expanded 32x32 maps."""
    setting = [[1, 16, 1, 1], [6, 24, 2, 1], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]]
    return torchvision.models.mobilenet_v2(width_mult=width_mult, num_classes=num_classes, inverted_residual_setting=setting)


class CNBlock1x1(CNBlock):
    """torchvision's CNBlock, same parameters and math, with its two Linears run as 1x1 convs:
    Debian's torch multiplies matrices with a generic BLAS but convolves with oneDNN, which
    trains the CIFAR ConvNeXt several times faster on the CPU."""

    def forward(self, x):
        dw, _, norm, fc1, act, fc2, _ = self.block
        y = norm(dw(x).permute(0, 2, 3, 1)).permute(0, 3, 1, 2)
        y = F.conv2d(act(F.conv2d(y, fc1.weight[:, :, None, None], fc1.bias)), fc2.weight[:, :, None, None], fc2.bias)
        return x + self.stochastic_depth(self.layer_scale * y)


def convnext_cifar(dims, depths, num_classes=10, patch=2):
    """torchvision's ConvNeXt with a patch x patch stride-patch stem (4 on ImageNet)."""
    blocks = [CNBlockConfig(d, dims[i + 1] if i < 3 else None, n) for i, (d, n) in enumerate(zip(dims, depths))]
    m = ConvNeXt(blocks, num_classes=num_classes, block=CNBlock1x1)
    m.features[0][0] = nn.Conv2d(3, dims[0], patch, patch)
    return m


# ---- references for families torchvision lacks (ConvCam names) ----

class CifarBlock(nn.Module):
    """github.com/akamaster/pytorch_resnet_cifar10's BasicBlock with option A."""

    def __init__(self, cin, planes, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.pad = planes // 4 if stride != 1 or cin != planes else -1

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        sc = x if self.pad < 0 else F.pad(x[:, :, ::2, ::2], (0, 0, 0, 0, self.pad, self.pad), 'constant', 0)
        return F.relu(out + sc)


class CifarResNet(nn.Module):
    def __init__(self, depth, num_classes):
        super().__init__()
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(3, 16, 3, 1, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        cin = 16
        for s, planes in enumerate([16, 32, 64]):
            blocks = []
            for i in range(n):
                blocks.append(CifarBlock(cin, planes, 2 if i == 0 and s > 0 else 1))
                cin = planes
            setattr(self, f'layer{s + 1}', nn.Sequential(*blocks))
        self.linear = nn.Linear(64, num_classes)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.layer3(self.layer2(self.layer1(out)))
        return self.linear(F.avg_pool2d(out, out.size()[3]).flatten(1))


def conv_bn_relu(cin, cout, k, stride=1, groups=1):
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, (k - 1) // 2, groups=groups, bias=False), nn.BatchNorm2d(cout), nn.ReLU())


class DepthwiseSeparable(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.dw = conv_bn_relu(cin, cin, 3, stride, cin)
        self.pw = conv_bn_relu(cin, cout, 1)

    def forward(self, x):
        return self.pw(self.dw(x))


class MobileNetV1(nn.Module):
    BLOCKS = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2), (512, 1), (512, 1), (512, 1), (512, 1), (512, 1), (1024, 2), (1024, 1)]

    def __init__(self, alpha, num_classes, stem_stride=2):
        super().__init__()
        c = lambda n: max(int(n * alpha), 8)
        layers, cin = [conv_bn_relu(3, c(32), 3, stem_stride)], c(32)
        for cout, s in self.BLOCKS:
            layers.append(DepthwiseSeparable(cin, c(cout), s))
            cin = c(cout)
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(cin, num_classes)

    def forward(self, x):
        return self.classifier(self.features(x).mean((2, 3)))


class LeNetModern(nn.Module):
    def __init__(self, in_channels=1):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(400, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc3(F.relu(self.fc2(F.relu(self.fc1(x.flatten(1))))))


C3_TABLE = [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 0], [5, 0, 1], [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 0],
            [4, 5, 0, 1], [5, 0, 1, 2], [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5], [0, 1, 2, 3, 4, 5]]


class Subsample(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(c))
        self.bias = nn.Parameter(torch.randn(c) * 0.1)

    def forward(self, x):
        return F.avg_pool2d(x, 2) * 4 * self.weight[:, None, None] + self.bias[:, None, None]


class PartialConv(nn.Module):
    """C3: one 5x5 kernel per Table I connection, packed in table order."""

    def __init__(self):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(60, 5, 5) * 0.2)
        self.bias = nn.Parameter(torch.randn(16) * 0.1)

    def forward(self, x):
        outs, j = [], 0
        for ins in C3_TABLE:
            w = self.weight[j:j + len(ins)][None]
            outs.append(F.conv2d(x[:, ins], w))
            j += len(ins)
        return torch.cat(outs, 1) + self.bias[:, None, None]


class LeNet1998(nn.Module):
    def __init__(self, in_channels=1):
        super().__init__()
        self.c1, self.s2, self.c3, self.s4 = nn.Conv2d(in_channels, 6, 5), Subsample(6), PartialConv(), Subsample(16)
        self.c5, self.f6, self.output = nn.Conv2d(16, 120, 5), nn.Linear(120, 84), nn.Linear(84, 10)

    def forward(self, x):
        f = lambda a: 1.7159 * torch.tanh(2 * a / 3)
        x = f(self.s4(f(self.c3(f(self.s2(f(self.c1(x))))))))
        return self.output(f(self.f6(f(self.c5(x)).flatten(1))))


def main():
    torch.set_num_threads(1)
    torch.manual_seed(0)
    os.makedirs(OUT, exist_ok=True)
    save('resnet_basic', 'resnet', {'block': 'basic', 'layers': [2, 2, 2, 2], 'widths': [4, 8, 16, 32], 'stem': 4, 'numClasses': 10},
         NarrowResNet(tv_resnet.BasicBlock, [2, 2, 2, 2], 16, 10), (2, 3, 48, 48), 1)
    save('resnet_bottleneck', 'resnet', {'block': 'bottleneck', 'layers': [2, 1, 1, 1], 'widths': [4, 8, 16, 32], 'stem': 4, 'numClasses': 10},
         NarrowResNet(tv_resnet.Bottleneck, [2, 1, 1, 1], 16, 10), (2, 3, 48, 48), 2)
    save('googlenet', 'googlenet', {'widthDiv': 8, 'transformInput': True, 'numClasses': 10},
         narrow_googlenet(8, 10), (2, 3, 64, 64), 3)
    save('alexnet', 'alexnet', {'widths': [8, 16, 16, 16, 8], 'hidden': 32, 'numClasses': 10},
         narrow_alexnet([8, 16, 16, 16, 8], 32, 10), (2, 3, 96, 96), 4)
    vgg_cfg = [8, 8, 'M', 16, 'M', 16, 16, 'M']
    save('vgg_bn', 'vgg', {'cfg': vgg_cfg, 'batchNorm': True, 'hidden': 32, 'numClasses': 10},
         narrow_vgg(vgg_cfg, 32, 10), (2, 3, 40, 40), 5)
    save('mobilenet_v2', 'mobilenet-v2', {'widthMult': 0.1, 'numClasses': 10},
         torchvision.models.mobilenet_v2(width_mult=0.1, num_classes=10), (2, 3, 48, 48), 6)
    save('mobilenet_v3_large', 'mobilenet-v3', {'widthMult': 0.1, 'numClasses': 10},
         torchvision.models.mobilenet_v3_large(width_mult=0.1, num_classes=10), (2, 3, 48, 48), 7)
    blocks = [CNBlockConfig(8, 16, 1), CNBlockConfig(16, 24, 1), CNBlockConfig(24, 32, 2), CNBlockConfig(32, None, 1)]
    save('convnext', 'convnext', {'dims': [8, 16, 24, 32], 'depths': [1, 1, 2, 1], 'numClasses': 10},
         ConvNeXt(blocks, num_classes=10), (2, 3, 64, 64), 8)
    save('resnet_cifar8', 'resnet-cifar', {'depth': 8, 'numClasses': 10}, CifarResNet(8, 10), (2, 3, 32, 32), 9)
    save('mobilenet_v1', 'mobilenet-v1', {'alpha': 0.125, 'numClasses': 10}, MobileNetV1(0.125, 10), (2, 3, 64, 64), 10)
    save('lenet_modern', 'lenet', {'variant': 'modern', 'numClasses': 10, 'inChannels': 1}, LeNetModern(), (2, 1, 32, 32), 11)
    save('lenet_1998', 'lenet', {'variant': 'lecun1998', 'numClasses': 10, 'inChannels': 1}, LeNet1998(), (2, 1, 32, 32), 12)

    # The CIFAR-10 line (issue 14) at reduced width, with the CIFAR configs' structure.
    small_alex = dict(widths=[8, 16, 16, 16, 8], hidden=32)
    save('alexnet_cifar', 'alexnet', {'conv1': [5, 2, 2], 'lrn': True, 'pool': 1, **small_alex, 'numClasses': 10},
         alexnet_cifar((5, 2, 2), **small_alex), (2, 3, 32, 32), 13)
    save('zfnet_cifar', 'zfnet', {'layout': 'alexnet', 'conv1': [3, 1, 1], 'lrn': True, 'pool': 1, **small_alex, 'numClasses': 10},
         alexnet_cifar((3, 1, 1), **small_alex), (2, 3, 32, 32), 14)
    vgg_small = [4, 'M', 8, 'M', 16, 16, 'M', 32, 32, 'M', 32, 32, 'M']
    save('vgg_cifar', 'vgg', {'cfg': vgg_small, 'batchNorm': True, 'hidden': 16, 'pool': 1, 'numClasses': 10},
         vgg_cifar(vgg_small, 16), (2, 3, 32, 32), 15)
    save('googlenet_cifar', 'googlenet', {'widthDiv': 8, 'conv1': [3, 1, 1], 'numClasses': 10}, googlenet_cifar(8), (2, 3, 32, 32), 16)
    save('mobilenet_v1_cifar', 'mobilenet-v1', {'alpha': 0.125, 'stemStride': 1, 'numClasses': 10},
         MobileNetV1(0.125, 10, stem_stride=1), (2, 3, 32, 32), 17)
    save('mobilenet_v2_cifar', 'mobilenet-v2', {'widthMult': 0.1, 'strides': [2, 1, 1, 2, 2, 1, 2, 1], 'numClasses': 10},
         mobilenet_v2_cifar(0.1), (2, 3, 32, 32), 18)
    save('convnext_cifar', 'convnext', {'dims': [8, 16, 24, 32], 'depths': [1, 1, 2, 1], 'stemPatch': 2, 'numClasses': 10},
         convnext_cifar([8, 16, 24, 32], [1, 1, 2, 1]), (2, 3, 32, 32), 19)

    # timm's MobileNetV3 uses BatchNorm eps 1e-5 (torchvision 1e-3): models/timm.ts shifts the
    # running variance on import; tests/unit/timm.test.ts checks it on this fixture.
    save('mobilenet_v3_bn_eps_1e-5', 'mobilenet-v3', {'widthMult': 0.1, 'numClasses': 10},
         torchvision.models.mobilenet_v3_large(width_mult=0.1, num_classes=10, norm_layer=functools.partial(nn.BatchNorm2d, eps=1e-5)),
         (2, 3, 48, 48), 7, out=os.path.dirname(OUT))


if __name__ == '__main__':
    sys.exit(main())

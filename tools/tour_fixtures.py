"""PyTorch references for the Tour's feature maps, deconvnet, guided backprop and Grad-CAM
(workers/tour/feature-maps.ts, workers/tour/explain.ts), on the small parity models that
tools/golden_fixtures.py already made: the reduced CIFAR AlexNet (a plain stack) and the
CIFAR ResNet-8 (shortcuts). Each method is written here from its paper, in PyTorch, on the
fixture's weights and first input; tests/unit/tour-explain.test.ts compares.

    /usr/bin/python3 tools/tour_fixtures.py      # writes tests/fixtures/tour/*.safetensors

Conventions the TF.js side shares: the deconvnet zeroes every activation of the layer but the
channel's largest (first in row-major order), rectifies at every ReLU, passes LRN unchanged,
unpools by the switches of max-pooling (values of overlapping windows that share a switch
add: the transpose of max-pooling), and transposes each conv with its own filters, no bias.
"""
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from golden_fixtures import C3_TABLE, CifarResNet, LeNet1998, alexnet_cifar  # noqa: E402
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

ROOT = os.path.dirname(HERE)
PARITY = os.path.join(ROOT, 'tests', 'fixtures', 'parity')
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'tour')

torch.set_num_threads(1)


def load(model, name):
    tensors, meta, _ = read_safetensors(os.path.join(PARITY, f'{name}.safetensors'))
    state = {k: v for k, v in tensors.items() if not k.startswith('__')}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not unexpected and all(k.endswith('num_batches_tracked') for k in missing), (missing, unexpected)
    model.eval()
    return tensors['__input__'][:1].clone(), meta


def deconvnet(features, x, target, channel):
    inputs, switches = [], {}
    y = x
    with torch.no_grad():
        for i, m in enumerate(features[:target + 1]):
            inputs.append(y)
            if isinstance(m, nn.MaxPool2d):
                y, switches[i] = F.max_pool2d(y, m.kernel_size, m.stride, m.padding, ceil_mode=m.ceil_mode, return_indices=True)
            else:
                y = m(y)
        plane = y[0, channel].flatten()
        best = int(torch.argmax(plane))
        r = torch.zeros_like(y)
        r[0, channel].view(-1)[best] = plane[best]
        for i in reversed(range(target + 1)):
            m, shape = features[i], inputs[i].shape
            if isinstance(m, nn.Conv2d):
                k, s, p = m.kernel_size[0], m.stride[0], m.padding[0]
                op = shape[-1] - ((r.shape[-1] - 1) * s - 2 * p + k)
                r = F.conv_transpose2d(r, m.weight, stride=s, padding=p, output_padding=op)
            elif isinstance(m, nn.ReLU):
                r = F.relu(r)
            elif isinstance(m, nn.MaxPool2d):
                n, c = shape[0], shape[1]
                out = torch.zeros(n, c, shape[2] * shape[3])
                out.scatter_add_(2, switches[i].view(n, c, -1), r.reshape(n, c, -1))
                r = out.view(shape)
    return r, best, float(plane[best])


def deconvnet_lenet1998(m, x, target, channel):
    """LeNet-5 (1998): its squashing is rectified on the way down, S2/S4 go back to their 2x2
    windows times their coefficient, and C3 transposes as the dense kernel its table implies."""
    squash = lambda a: 1.7159 * torch.tanh(2 * a / 3)
    dense = torch.zeros(16, 6, 5, 5)
    j = 0
    for o, ins in enumerate(C3_TABLE):
        for i in ins:
            dense[o, i] = m.c3.weight[j]
            j += 1
    steps = [('c1', m.c1), ('tanh', squash), ('s2', m.s2), ('tanh', squash), ('c3', m.c3), ('tanh', squash), ('s4', m.s4), ('tanh', squash), ('c5', m.c5)]
    names = [n for n, _ in steps]
    t = names.index(target)
    with torch.no_grad():
        y = x
        for _, f in steps[:t + 1]:
            y = f(y)
        plane = y[0, channel].flatten()
        best = int(torch.argmax(plane))
        r = torch.zeros_like(y)
        r[0, channel].view(-1)[best] = plane[best]
        for name, f in reversed(steps[:t + 1]):
            if name in ('c1', 'c5'):
                r = F.conv_transpose2d(r, f.weight)
            elif name == 'c3':
                r = F.conv_transpose2d(r, dense)
            elif name == 'tanh':
                r = F.relu(r)
            else:
                r = F.interpolate(r, scale_factor=2, mode='nearest') * f.weight[:, None, None]
    return r, best, float(plane[best])


class GuidedReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return g * (x > 0).float() * (g > 0).float()


def guided_backprop(model, x, cls):
    relu = F.relu
    F.relu = lambda t, inplace=False: GuidedReLU.apply(t)
    try:
        z = x.clone().requires_grad_(True)
        model(z)[0, cls].backward()
    finally:
        F.relu = relu
    return z.grad


def grad_cam(model, layer, x, cls):
    kept = {}

    def hook(module, inputs, output):  # returns None, so the output is unchanged
        output.retain_grad()
        kept['a'] = output

    h = layer.register_forward_hook(hook)
    try:
        model(x)[0, cls].backward()
    finally:
        h.remove()
    a = kept['a']
    w = a.grad.mean(dim=(2, 3), keepdim=True)
    return F.relu((w * a).sum(1))[0].detach()


def main():
    os.makedirs(OUT, exist_ok=True)
    # The plain stack: feature maps and the deconvnet.
    alex = alexnet_cifar((5, 2, 2), widths=[8, 16, 16, 16, 8], hidden=32)
    for m in alex.modules():
        if isinstance(m, nn.ReLU):
            m.inplace = False
    x, _ = load(alex, 'alexnet_cifar')
    out = {'input': x}
    with torch.no_grad():
        out['fmap.features.4'] = alex.features[:5](x)
        out['logits'] = alex(x)
    # A channel of conv2 (through pool1 and conv1) and of conv5 (through every kind of step).
    for target, channel in [(4, 5), (12, 3)]:
        r, best, value = deconvnet(alex.features, x, target, channel)
        out[f'deconv.features.{target}.{channel}'] = r
        out[f'deconv.features.{target}.{channel}.at'] = torch.tensor([best, value])
    write_safetensors(os.path.join(OUT, 'alexnet_cifar.safetensors'), out, {'weights': 'tests/fixtures/parity/alexnet_cifar.safetensors'})

    # LeNet-5 (1998): trainable subsampling, the partial C3 and the squashing function.
    lenet = LeNet1998()
    x, _ = load(lenet, 'lenet_1998')
    out = {'input': x}
    for target, channel in [('c3', 7), ('c5', 11)]:
        r, best, value = deconvnet_lenet1998(lenet, x, target, channel)
        out[f'deconv.{target}.{channel}'] = r
        out[f'deconv.{target}.{channel}.at'] = torch.tensor([best, value])
    write_safetensors(os.path.join(OUT, 'lenet_1998.safetensors'), out, {'weights': 'tests/fixtures/parity/lenet_1998.safetensors'})

    # Shortcuts: guided backprop and Grad-CAM (at layer3, the last 4-D stage) for the top-1 class.
    res = CifarResNet(8, 10)
    x, _ = load(res, 'resnet_cifar8')
    with torch.no_grad():
        logits = res(x)
    cls = int(torch.argmax(logits[0]))
    out = {
        'input': x,
        'logits': logits,
        'class': torch.tensor([float(cls)]),
        'guided': guided_backprop(res, x, cls),
        'gradcam.layer3': grad_cam(res, res.layer3, x, cls),
    }
    write_safetensors(os.path.join(OUT, 'resnet_cifar8.safetensors'), out, {'weights': 'tests/fixtures/parity/resnet_cifar8.safetensors'})
    for f in sorted(os.listdir(OUT)):
        print(f, os.path.getsize(os.path.join(OUT, f)), 'bytes')


if __name__ == '__main__':
    main()

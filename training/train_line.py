#!/usr/bin/env python3
"""Train the seed's line of CNNs on CIFAR-10 with one recipe and one budget (issue 14).

Every family gets the same budget (epochs, schedule shape, augmentation, label smoothing,
batch size), so the table compares architectures, not effort; only the optimiser's peak
learning rate and weight decay may differ per family, and they are recorded in the settings
file and the log. The models are the PyTorch references of tools/golden_fixtures.py, whose
state-dict names are the ones ConvCam's TF.js families load.

  /usr/bin/python3 training/train_line.py --config training/line.json --model resnet20-cifar10

Checkpoints after every epoch (training/line/<id>.ckpt.pt, git-ignored), so a run that is
stopped resumes where it was; the per-epoch log goes to training/line/<id>.log.json as it
runs, and the weights to public/models/<id>/weights.safetensors (float32, PyTorch layouts).
"""
import argparse, json, math, os, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
sys.path.insert(0, os.path.join(ROOT, 'training'))
from safetensors_io import write_safetensors  # noqa: E402
from train_airbench import load_batches, normalize, augment, evaluate  # noqa: E402
import golden_fixtures as ref  # noqa: E402

# Card id -> the PyTorch reference, built as its TF.js card's config says.
MODELS = {
    'lenet5-cifar10': lambda: ref.LeNet1998(in_channels=3),
    'lenet5-modern-cifar10': lambda: ref.LeNetModern(in_channels=3),
    'resnet20-cifar10': lambda: ref.CifarResNet(20, 10),
    'resnet56-cifar10': lambda: ref.CifarResNet(56, 10),
    'alexnet-cifar10': lambda: ref.alexnet_cifar((5, 2, 2), **ref.ALEXNET_CIFAR),
    # ZFNet's change to AlexNet, scaled to 32x32: a smaller first filter with a smaller stride.
    'zfnet-cifar10': lambda: ref.alexnet_cifar((3, 1, 1), **ref.ALEXNET_CIFAR),
    'vgg11-cifar10': lambda: ref.vgg_cifar(ref.VGG11_CIFAR, 128),
    'vgg16-cifar10': lambda: ref.vgg_cifar(ref.VGG16_CIFAR, 128),
    'googlenet-cifar10': lambda: ref.googlenet_cifar(4),
    'mobilenet-v1-cifar10': lambda: ref.MobileNetV1(0.5, 10, stem_stride=1),
    'mobilenet-v2-cifar10': lambda: ref.mobilenet_v2_cifar(0.5),
    'convnext-cifar10': lambda: ref.convnext_cifar([24, 48, 96, 192], [1, 1, 3, 1]),
}


def lr_at(step, total, warmup, peak):
    """Linear warm-up, then cosine to zero: the one schedule shape for every family."""
    if step < warmup:
        return peak * (step + 1) / warmup
    return 0.5 * peak * (1 + math.cos(math.pi * (step - warmup) / max(1, total - warmup)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--config', default=os.path.join(ROOT, 'training', 'line.json'))
    ap.add_argument('--model', required=True, choices=sorted(MODELS))
    ap.add_argument('--threads', type=int, default=0, help='torch threads (0: as many as cores)')
    # Same arithmetic in another memory layout: ResNet-56 trains 1.25x faster so on this machine
    # (160 -> 200 img/s at 2 threads). Recorded in the log, as the images/s it gives differ.
    ap.add_argument('--channels-last', action='store_true', help='train in channels-last layout')
    args = ap.parse_args()
    settings = json.load(open(args.config))
    budget, per = settings['budget'], settings['families'][args.model]
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(budget['seed'])
    gen = torch.Generator().manual_seed(budget['seed'])

    train_x, train_y = load_batches([f'data_batch_{i}.bin' for i in range(1, 6)])
    test_x, test_y = load_batches(['test_batch.bin'])
    test_x = normalize(test_x)
    model = MODELS[args.model]()
    if args.channels_last:
        model = model.to(memory_format=torch.channels_last)
    params = sum(p.numel() for p in model.parameters())
    decay = [p for n, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for n, p in model.named_parameters() if p.ndim <= 1]
    groups = [{'params': decay, 'weight_decay': per['weight_decay']}, {'params': no_decay, 'weight_decay': 0}]
    # The optimiser is a per-family choice (issue 14 allows it): SGD unless the family's settings say AdamW,
    # which ConvNeXt is trained with in its paper and which it needed here (48% with SGD at this budget).
    if per.get('optimizer', 'sgd') == 'adamw':
        opt = torch.optim.AdamW(groups, lr=per['lr'], betas=(0.9, 0.999))
    else:
        opt = torch.optim.SGD(groups, lr=per['lr'], momentum=0.9, nesterov=True)
    bs, epochs = budget['batch_size'], budget['epochs']
    steps_per_epoch = len(train_x) // bs
    total, warmup = epochs * steps_per_epoch, budget['warmup_epochs'] * steps_per_epoch

    out_dir = os.path.join(ROOT, 'training', 'line')
    os.makedirs(out_dir, exist_ok=True)
    ckpt_path = os.path.join(out_dir, f'{args.model}.ckpt.pt')
    log_path = os.path.join(out_dir, f'{args.model}.log.json')
    log = {'model': args.model, 'params': params, 'budget': budget, 'family_settings': per, 'torch': torch.__version__,
           'threads': torch.get_num_threads(), 'channels_last': args.channels_last, 'epochs': []}
    start = 0
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['opt'])
        gen.set_state(ck['gen'])
        log, start = ck['log'], ck['epoch']
        print(f'resuming {args.model} after epoch {start}')

    loss_fn = nn.CrossEntropyLoss(label_smoothing=budget['label_smoothing'])
    for epoch in range(start, epochs):
        model.train()
        t0, seen, loss_sum = time.time(), 0, 0.0
        order = torch.randperm(len(train_x), generator=gen)
        for i in range(steps_per_epoch):
            idx = order[i * bs:(i + 1) * bs]
            x = augment(normalize(train_x[idx]), budget['translate'], gen)
            for g in opt.param_groups:
                g['lr'] = lr_at(epoch * steps_per_epoch + i, total, warmup, per['lr'])
            loss = loss_fn(model(x), train_y[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            if not math.isfinite(loss.item()):
                raise SystemExit(f'loss is {loss.item()} at epoch {epoch + 1}, step {i}: lower the learning rate')
            seen += len(idx)
            loss_sum += loss.item() * len(idx)
        secs = time.time() - t0
        acc = evaluate(model, test_x, test_y)
        log['epochs'].append({'epoch': epoch + 1, 'train_loss': loss_sum / seen, 'test_top1': acc, 'seconds': secs, 'images_per_s': seen / secs})
        print(f'{args.model} epoch {epoch + 1}/{epochs}: loss {loss_sum / seen:.4f}, test top-1 {acc:.4f}, {seen / secs:.0f} img/s', flush=True)
        torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'gen': gen.get_state(), 'log': log, 'epoch': epoch + 1}, ckpt_path)
        json.dump(log, open(log_path, 'w'), indent=1)

    model.eval()
    log['final'] = {'test_top1': evaluate(model, test_x, test_y), 'test_top1_mirror': evaluate(model, test_x, test_y, tta=1),
                    'train_seconds': sum(e['seconds'] for e in log['epochs'])}
    json.dump(log, open(log_path, 'w'), indent=1)
    weights_dir = os.path.join(ROOT, 'public', 'models', args.model)
    os.makedirs(weights_dir, exist_ok=True)
    tensors = {k: v for k, v in model.state_dict().items() if v.dtype == torch.float32}
    write_safetensors(os.path.join(weights_dir, 'weights.safetensors'), tensors,
                      {'model': args.model, 'recipe': 'training/train_line.py + training/line.json'})
    print(json.dumps(log['final']))


if __name__ == '__main__':
    main()

#!/usr/bin/env python3
"""Train ConvCam's embedded CIFAR-10 model (an airbench-style net) on the CPU.

Recipe after Keller Jordan, "94% on CIFAR-10 in 3.29 seconds on a single GPU"
(arXiv:2404.00498, airbench94) at its full widths 64-256-256, trained longer:
whitening 2x2 conv, three conv groups with frozen-scale BatchNorm and GELU,
Nesterov SGD on summed label-smoothed loss, triangular LR, lookahead EMA.

Settings live in training/airbench.json; the output is
public/models/cifar10-airbench/weights.safetensors (conv and linear weights int8 per output
channel, the rest float32; PyTorch layouts) and the per-epoch log training/airbench.log.json.
Run: /usr/bin/python3 training/train_airbench.py [--config training/airbench.json] [--ship]
A run checkpoints after every epoch (training/<config name>.ckpt.pt, git-ignored) and resumes
from there when started again with the same settings.
"""
import argparse, hashlib, json, math, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

CIFAR = os.path.join(ROOT, '..', 'shared', 'data', 'cifar-10-batches-bin')
MEAN = (0.4914, 0.4822, 0.4465)
STD = (0.2470, 0.2435, 0.2616)


def load_batches(names):
    raw = np.concatenate([np.fromfile(os.path.join(CIFAR, n), dtype=np.uint8).reshape(-1, 3073) for n in names])
    labels = torch.from_numpy(raw[:, 0].astype(np.int64))
    images = torch.from_numpy(raw[:, 1:].reshape(-1, 3, 32, 32).copy())
    return images, labels


def normalize(u8):
    x = u8.float() / 255.0
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x - mean) / std


class BatchNorm(nn.BatchNorm2d):
    # Scale fixed at 1, only the shift trains (airbench's choice).
    def __init__(self, n, momentum):
        super().__init__(n, eps=1e-12, momentum=1 - momentum)
        self.weight.requires_grad = False


class Conv(nn.Conv2d):
    def __init__(self, cin, cout):
        super().__init__(cin, cout, kernel_size=3, padding=1, bias=False)
        w = self.weight.data
        torch.nn.init.dirac_(w[:w.size(1)])


class ConvGroup(nn.Module):
    def __init__(self, cin, cout, bn_momentum):
        super().__init__()
        self.conv1 = Conv(cin, cout)
        self.norm1 = BatchNorm(cout, bn_momentum)
        self.conv2 = Conv(cout, cout)
        self.norm2 = BatchNorm(cout, bn_momentum)

    def forward(self, x):
        x = F.gelu(self.norm1(F.max_pool2d(self.conv1(x), 2)))
        return F.gelu(self.norm2(self.conv2(x)))


class AirbenchNet(nn.Module):
    def __init__(self, widths, bn_momentum, scale):
        super().__init__()
        self.whiten = nn.Conv2d(3, 24, kernel_size=2, padding=0, bias=True)
        self.whiten.weight.requires_grad = False
        self.block1 = ConvGroup(24, widths[0], bn_momentum)
        self.block2 = ConvGroup(widths[0], widths[1], bn_momentum)
        self.block3 = ConvGroup(widths[1], widths[2], bn_momentum)
        self.head = nn.Linear(widths[2], 10, bias=False)
        self.scale = scale

    def forward(self, x):
        x = F.gelu(self.whiten(x))
        x = self.block3(self.block2(self.block1(x)))
        x = F.adaptive_max_pool2d(x, 1).flatten(1)
        return self.head(x) * self.scale


def init_whitening(layer, images, eps=5e-4):
    c, h, w = 3, 2, 2
    patches = images.unfold(2, h, 1).unfold(3, w, 1).transpose(1, 3).reshape(-1, c, h, w).float()
    # float64 and a clamp: the fp32 covariance of ~5M patches can give tiny negative eigenvalues.
    flat = patches.reshape(len(patches), -1).double()
    cov = flat.T @ flat / len(flat)
    evals, evecs = torch.linalg.eigh(cov, UPLO='U')
    evals, evecs = evals.clamp_min(0).float(), evecs.float()
    evals = evals.flip(0).view(-1, 1, 1, 1)
    evecs = evecs.T.reshape(c * h * w, c, h, w).flip(0)
    scaled = evecs / torch.sqrt(evals + eps)
    layer.weight.data[:] = torch.cat((scaled, -scaled))


def augment(x, translate, gen):
    # Random flip and a random translation with reflect padding, per image.
    n = len(x)
    flip = torch.rand(n, generator=gen) < 0.5
    x = torch.where(flip.view(-1, 1, 1, 1), x.flip(3), x)
    if translate:
        p = translate
        padded = F.pad(x, (p, p, p, p), mode='reflect')
        dx = torch.randint(0, 2 * p + 1, (n,), generator=gen)
        dy = torch.randint(0, 2 * p + 1, (n,), generator=gen)
        out = torch.empty_like(x)
        for i in range(2 * p + 1):
            for j in range(2 * p + 1):
                m = (dy == i) & (dx == j)
                if m.any():
                    out[m] = padded[m, :, i:i + 32, j:j + 32]
        x = out
    return x


def tta_logits(model, x, level):
    """airbench's test-time augmentation: 0 none, 1 mirror, 2 mirror + 1-pixel translations."""
    def mirror(v):
        return 0.5 * (model(v) + model(v.flip(3)))
    if level == 0:
        return model(x)
    if level == 1:
        return mirror(x)
    p = F.pad(x, (1, 1, 1, 1), mode='reflect')
    return 0.5 * mirror(x) + 0.25 * (mirror(p[:, :, 0:32, 0:32]) + mirror(p[:, :, 2:34, 2:34]))


@torch.no_grad()
def evaluate(model, x, y, tta=0):
    model.eval()
    correct = 0
    for i in range(0, len(x), 1000):
        logits = tta_logits(model, x[i:i + 1000], tta)
        correct += (logits.argmax(1) == y[i:i + 1000]).sum().item()
    return correct / len(x)


TTA_NAMES = ('top1', 'top1_mirror', 'top1_mirror_translate')
TEST_SET = 'the shared CIFAR-10 test set, 10,000 images'


def top1_by_tta(model, x, y, levels):
    """Top-1 at each TTA level in `levels`, named as the logs' `shipped` figures are."""
    return {TTA_NAMES[t]: evaluate(model, x, y, tta=t) for t in levels}


def store_and_remeasure(model, tensors, path, meta, measure, **fmt):
    """The last step of shipping a run (this script's ship() and ship_line.py): writes `tensors` to
    `path` (write_safetensors with `fmt`), loads the stored weights back into `model` and measures
    again. Returns those figures and the file's record (path from the root, bytes, sha256)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    write_safetensors(path, tensors, meta, **fmt)
    stored, _, raw = read_safetensors(path)
    model.load_state_dict(stored, strict=False)
    return measure(), {'file': os.path.relpath(path, ROOT), 'bytes': len(raw), 'sha256': hashlib.sha256(raw).hexdigest()}


JEMALLOC = '/usr/lib/x86_64-linux-gnu/libjemalloc.so.2'


def malloc_hint():
    """Batches of 1024 need tensors of hundreds of MB; glibc maps and unmaps each one, and the page
    faults took 75% of the time on this project's machine (117 against 378 img/s with jemalloc
    keeping its pages, measured with --bench). Says how to run faster when that is not set."""
    if 'jemalloc' not in os.environ.get('LD_PRELOAD', ''):
        print(f'hint: apt-get install libjemalloc2, then run with LD_PRELOAD={JEMALLOC} '
              'MALLOC_CONF=dirty_decay_ms:-1,muzzy_decay_ms:-1 (about 3x faster here; same arithmetic)', flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--config', default=os.path.join(ROOT, 'training', 'airbench.json'))
    ap.add_argument('--bench', action='store_true', help='time a few steps per width and exit')
    ap.add_argument('--out', default=os.path.join(ROOT, 'public', 'models', 'cifar10-airbench'))
    ap.add_argument('--log', default=None, help='where to write the JSON log (default: next to the config)')
    ap.add_argument('--ship', action='store_true',
                    help="skip training: store and measure the finished run's checkpoint (training/<config name>.ckpt.pt)")
    args = ap.parse_args()
    cfg = json.load(open(args.config))
    log_path = args.log or args.config.replace('.json', '.log.json')
    ckpt_path = args.config.replace('.json', '.ckpt.pt')
    malloc_hint()
    torch.manual_seed(cfg['seed'])
    torch.set_num_threads(cfg.get('threads', os.cpu_count()))
    gen = torch.Generator().manual_seed(cfg['seed'])

    if args.bench:
        for widths in ([40, 160, 160], [64, 256, 256]):
            m = AirbenchNet(widths, 0.6, 1 / 9)
            x = torch.randn(256, 3, 32, 32)
            y = torch.randint(0, 10, (256,))
            for k in range(4):
                if k == 1:
                    t0 = time.time()
                F.cross_entropy(m(x), y).backward()
            n = sum(p.numel() for p in m.parameters())
            print(f'widths {widths}: params {n} train img/s {3 * 256 / (time.time() - t0):.0f}', flush=True)
        return

    if args.ship:
        model = AirbenchNet(cfg['net']['widths'], cfg['net']['batchnorm_momentum'], cfg['net']['scaling_factor'])
        model.load_state_dict(torch.load(ckpt_path)['model'])
        log = json.load(open(log_path))
        if len(log['log']) != math.ceil(cfg['opt']['epochs']):
            sys.exit(f"the log has {len(log['log'])} of {cfg['opt']['epochs']} epochs: finish the run first")
        ship(model, cfg, args.out, log_path, log, log['log'][-1]['seconds'])
        return

    train_x, train_y = load_batches([f'data_batch_{i}.bin' for i in range(1, 6)])
    test_x, test_y = load_batches(['test_batch.bin'])
    train_x, test_x = normalize(train_x), normalize(test_x)

    o = cfg['opt']
    bs, momentum, epochs = o['batch_size'], o['momentum'], o['epochs']
    model = AirbenchNet(cfg['net']['widths'], cfg['net']['batchnorm_momentum'], cfg['net']['scaling_factor'])
    if cfg.get('init'):
        # A later stage starts from an earlier stage's weights (see training/README.md).
        sd, _, _ = read_safetensors(os.path.join(ROOT, cfg['init']))
        missing, unexpected = model.load_state_dict(sd, strict=False)
        assert not unexpected and all(k.endswith('num_batches_tracked') for k in missing), (missing, unexpected)
    else:
        init_whitening(model.whiten, train_x[:5000])
    # channels_last is ~1.5x faster for oneDNN convolutions on this CPU.
    model = model.to(memory_format=torch.channels_last)

    kilostep_scale = 1024 * (1 + 1 / (1 - momentum))
    lr = o['lr'] / kilostep_scale
    wd = o['weight_decay'] * bs / kilostep_scale
    lr_biases = lr * o['bias_scaler']
    norm_biases = [p for k, p in model.named_parameters() if 'norm' in k and p.requires_grad]
    # The whitening bias trains with the other weights at the base rate (frozen after
    # whiten_bias_epochs); only BatchNorm biases get bias_scaler.
    others = [p for k, p in model.named_parameters() if 'norm' not in k and p.requires_grad]
    opt = torch.optim.SGD([
        dict(params=norm_biases, lr=lr_biases, weight_decay=wd / lr_biases),
        dict(params=others, lr=lr, weight_decay=wd / lr),
    ], momentum=momentum, nesterov=True)
    base_lrs = [g['lr'] for g in opt.param_groups]

    steps_per_epoch = len(train_x) // bs
    total = int(epochs * steps_per_epoch)
    warm = int(total * o.get('warmup', 0.23))

    peak, end = o.get('lr_peak', 1.0), o.get('lr_end', 0.07)

    def lr_factor(step):
        if step < warm:
            f = step / warm
            return (0.2 * (1 - f) + f) * peak
        f = (step - warm) / (total - warm)
        return (1 - f) * peak + end * f

    alpha = 0.95 ** 5 * (torch.arange(total + 1) / total) ** 3
    ema = {k: v.clone() for k, v in model.state_dict().items() if v.dtype.is_floating_point}

    def lookahead(decay):
        sd = model.state_dict()
        for k, e in ema.items():
            e.lerp_(sd[k], 1 - decay)
            sd[k].copy_(e)

    print(f'params {sum(p.numel() for p in model.parameters())}, {total} steps of {bs}', flush=True)
    step, t0 = 0, time.time()
    log = []
    if os.path.exists(ckpt_path):
        ck = torch.load(ckpt_path)
        if ck['config'] != cfg:
            sys.exit(f'{ckpt_path} is of other settings: move it away to start afresh')
        if ck['step'] >= total:
            sys.exit(f'{ckpt_path} is of a finished run: --ship stores it')
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['opt'])
        gen.set_state(ck['gen'])
        for k, v in ck['ema'].items():
            ema[k].copy_(v)
        step, log = ck['step'], ck['log']
        t0 -= log[-1]['seconds'] if log else 0  # the log's seconds go on from the earlier session's
        print(f'resuming after step {step} (epoch {len(log)})', flush=True)
    while step < total:
        epoch = step // steps_per_epoch
        model.whiten.bias.requires_grad = epoch < o['whiten_bias_epochs']
        perm = torch.randperm(len(train_x), generator=gen)
        model.train()
        for i in range(steps_per_epoch):
            if step >= total:
                break
            idx = perm[i * bs:(i + 1) * bs]
            xb = augment(train_x[idx], cfg['aug']['translate'], gen).contiguous(memory_format=torch.channels_last)
            for g, b in zip(opt.param_groups, base_lrs):
                g['lr'] = b * lr_factor(step)
            loss = F.cross_entropy(model(xb), train_y[idx], label_smoothing=o['label_smoothing'], reduction='none').sum()
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            if not math.isfinite(loss.item()):
                sys.exit(f'loss is {loss.item()} at step {step}: stopping')
            if step % 10 == 0:
                print(f'  step {step} loss/img {loss.item() / bs:.3f} {time.time() - t0:.0f}s', flush=True)
            if step % 5 == 0:
                lookahead(alpha[step].item())
        acc = evaluate(model, test_x, test_y)
        el = time.time() - t0
        log.append(dict(epoch=epoch + 1, step=step, test_acc=acc, seconds=round(el)))
        print(f'epoch {epoch + 1} step {step}/{total} loss/img {loss.item() / bs:.3f} test {acc:.4f} {el:.0f}s '
              f'{step * bs / el:.0f} img/s', flush=True)
        # Each epoch: an interrupted run resumes here, exactly (the generator's state is kept too).
        torch.save(dict(config=cfg, model=model.state_dict(), opt=opt.state_dict(), gen=gen.get_state(), ema=ema, step=step, log=log),
                   ckpt_path)
        json.dump(dict(config=cfg, log=log, torch=torch.__version__), open(log_path, 'w'), indent=1)
    lookahead(1.0)
    torch.save(dict(config=cfg, model=model.state_dict(), step=step, log=log), ckpt_path)
    ship(model, cfg, args.out, log_path, dict(config=cfg, log=log, torch=torch.__version__), time.time() - t0)


def ship(model, cfg, out, log_path, log, seconds):
    """Stores the finished weights as the settings' `storage` says (int8 per output channel, or
    fp16 for the older runs) and measures PyTorch top-1 before and after, with each TTA level."""
    test_x, test_y = load_batches(['test_batch.bin'])
    test_x = normalize(test_x)

    def measure():
        return top1_by_tta(model, test_x, test_y, (0, 1, 2))
    storage = cfg.get('storage', 'fp16')
    fp32 = measure()
    sd = {k: v for k, v in model.state_dict().items() if v.dtype.is_floating_point}
    meta = dict(recipe='training/train_airbench.py', config=json.dumps(cfg), pytorch=torch.__version__, seconds=round(seconds))
    stored, record = store_and_remeasure(model, sd, os.path.join(out, 'weights.safetensors'), meta, measure,
                                         **({'int8': True} if storage == 'int8' else {'dtype': torch.float16}))
    log['shipped'] = {**record, 'storage': storage, 'pytorch_fp32': fp32, f'pytorch_{storage}': stored, 'dataset': TEST_SET}
    json.dump(log, open(log_path, 'w'), indent=1)
    print(json.dumps(log['shipped'], indent=1), flush=True)


if __name__ == '__main__':
    main()

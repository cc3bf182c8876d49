#!/usr/bin/env python3
"""Ships a model of the CIFAR-10 line once training/train_line.py has finished it.

From the run's last checkpoint: measures PyTorch top-1 on the shared test set in float32 and
after int8 storage (one view and with mirror TTA), writes the int8 file the app ships
(public/models/<id>/weights.safetensors: conv and linear weights int8 per output channel,
the rest float32; models/safetensors.ts reads it), adds the figures to the run's log, and
writes the parity fixture tests/unit/line-parity.test.ts checks TF.js against: PyTorch's
logits, with the shipped weights, on seeded random inputs (no CIFAR-10 pixels are committed).

  /usr/bin/python3 training/ship_line.py --model resnet20-cifar10
"""
import argparse, hashlib, json, os, sys
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'training'))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402
from train_airbench import load_batches, normalize, evaluate  # noqa: E402
from train_line import MODELS  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True, choices=sorted(MODELS))
    args = ap.parse_args()
    line = os.path.join(ROOT, 'training', 'line')
    ck = torch.load(os.path.join(line, f'{args.model}.ckpt.pt'))
    log = ck['log']
    if ck['epoch'] != log['budget']['epochs']:
        raise SystemExit(f"{args.model} has trained {ck['epoch']} of {log['budget']['epochs']} epochs: finish it first")
    model = MODELS[args.model]()
    model.load_state_dict(ck['model'])
    model.eval()
    test_x, test_y = load_batches(['test_batch.bin'])
    test_x = normalize(test_x)
    fp32 = {'top1': evaluate(model, test_x, test_y), 'top1_mirror': evaluate(model, test_x, test_y, tta=1)}

    out_dir = os.path.join(ROOT, 'public', 'models', args.model)
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, 'weights.safetensors')
    tensors = {k: v for k, v in model.state_dict().items() if v.dtype == torch.float32}
    write_safetensors(path, tensors, {'model': args.model, 'recipe': 'training/train_line.py + training/line.json'}, int8=True)
    shipped, _, raw = read_safetensors(path)
    model.load_state_dict(shipped, strict=False)
    int8 = {'top1': evaluate(model, test_x, test_y), 'top1_mirror': evaluate(model, test_x, test_y, tta=1)}
    log['shipped'] = {'file': os.path.relpath(path, ROOT), 'bytes': len(raw), 'sha256': hashlib.sha256(raw).hexdigest(),
                      'pytorch_fp32': fp32, 'pytorch_int8': int8, 'dataset': 'the shared CIFAR-10 test set, 10,000 images'}
    json.dump(log, open(os.path.join(line, f'{args.model}.log.json'), 'w'), indent=1)

    g = torch.Generator().manual_seed(2024)
    x = torch.randn((4, 3, 32, 32), generator=g)
    with torch.no_grad():
        logits = model(x)
    fixtures = os.path.join(ROOT, 'tests', 'fixtures', 'line')
    os.makedirs(fixtures, exist_ok=True)
    write_safetensors(os.path.join(fixtures, f'{args.model}.safetensors'), {'input': x, 'logits': logits},
                      {'weights_sha256': log['shipped']['sha256'], 'torch': torch.__version__})
    print(json.dumps(log['shipped'], indent=1))


if __name__ == '__main__':
    main()

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
import argparse, json, os, sys
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, 'training'))
sys.path.insert(0, os.path.join(ROOT, 'tools'))
from safetensors_io import write_safetensors  # noqa: E402
from train_airbench import TEST_SET, load_batches, normalize, store_and_remeasure, top1_by_tta  # noqa: E402
from train_line import MODELS  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--model', required=True, choices=sorted(MODELS))
    ap.add_argument('--threads', type=int, default=os.cpu_count(),
                    help="PyTorch threads for measuring (default: every core; torch's own default here is 1)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    line = os.path.join(ROOT, 'training', 'line')
    ck = torch.load(os.path.join(line, f'{args.model}.ckpt.pt'))
    log = ck['log']
    if ck['epoch'] != log['budget']['epochs']:
        raise SystemExit(f"{args.model} has trained {ck['epoch']} of {log['budget']['epochs']} epochs: finish it first")
    model = MODELS[args.model]()
    model.load_state_dict(ck['model'])
    # channels-last only speeds up measuring (oneDNN); the stored tensors are written contiguous.
    model.eval().to(memory_format=torch.channels_last)
    test_x, test_y = load_batches(['test_batch.bin'])
    test_x = normalize(test_x).contiguous(memory_format=torch.channels_last)

    def measure():
        return top1_by_tta(model, test_x, test_y, (0, 1))
    fp32 = measure()
    path = os.path.join(ROOT, 'public', 'models', args.model, 'weights.safetensors')
    tensors = {k: v for k, v in model.state_dict().items() if v.dtype == torch.float32}
    meta = {'model': args.model, 'recipe': 'training/train_line.py + training/line.json'}
    int8, record = store_and_remeasure(model, tensors, path, meta, measure, int8=True)
    log['shipped'] = {**record, 'pytorch_fp32': fp32, 'pytorch_int8': int8, 'dataset': TEST_SET}
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

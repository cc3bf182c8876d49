#!/usr/bin/env python3
"""Golden fixture for the shipped airbench weights: PyTorch logits on 8 CIFAR-10 test
images, for tests/unit/airbench-parity.test.ts (which never needs Python).
Run after training: /usr/bin/python3 training/airbench_golden.py"""
import hashlib, json, os, sys
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_airbench as T  # noqa: E402
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

ROOT = T.ROOT
WEIGHTS = os.path.join(ROOT, 'public', 'models', 'cifar10-airbench', 'weights.safetensors')
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'airbench-golden.safetensors')


def main():
    cfg = json.load(open(os.path.join(ROOT, 'training', 'airbench.json')))
    sd, _, raw = read_safetensors(WEIGHTS)
    sha = hashlib.sha256(raw).hexdigest()
    model = T.AirbenchNet(cfg['net']['widths'], cfg['net']['batchnorm_momentum'], cfg['net']['scaling_factor'])
    missing, unexpected = model.load_state_dict(sd, strict=False)
    assert not unexpected and all(k.endswith('num_batches_tracked') for k in missing), (missing, unexpected)
    model.eval()
    x, y = T.load_batches(['test_batch.bin'])
    x = T.normalize(x[:8])
    with torch.no_grad():
        logits = model(x)
        logits_tta = T.tta_logits(model, x, 2)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    write_safetensors(OUT, {'input': x, 'logits': logits, 'logits_tta': logits_tta, 'labels': y[:8].float()},
                      {'weights_sha256': sha, 'torch': torch.__version__})
    print(f'wrote {OUT}; PyTorch top-1 on these 8: {(logits.argmax(1) == y[:8]).sum().item()}/8')


if __name__ == '__main__':
    main()

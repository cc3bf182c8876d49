#!/usr/bin/env python3
"""Golden fixture for the shipped airbench weights: PyTorch logits, one view and six-view TTA,
on seeded random inputs (no CIFAR-10 pixels are committed), for
tests/unit/airbench-parity.test.ts (which never needs Python). The net's widths come from the
settings stored in the weights file, so the fixture always describes the file that ships.
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
    sd, meta, raw = read_safetensors(WEIGHTS)
    net = json.loads(meta['config'])['net']
    model = T.AirbenchNet(net['widths'], net['batchnorm_momentum'], net['scaling_factor'])
    missing, unexpected = model.load_state_dict(sd, strict=False)
    assert not unexpected and all(k.endswith('num_batches_tracked') for k in missing), (missing, unexpected)
    model.eval()
    x = torch.randn((8, 3, 32, 32), generator=torch.Generator().manual_seed(2024))
    with torch.no_grad():
        logits = model(x)
        logits_tta = T.tta_logits(model, x, 2)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    write_safetensors(OUT, {'input': x, 'logits': logits, 'logits_tta': logits_tta},
                      {'weights_sha256': hashlib.sha256(raw).hexdigest(), 'torch': torch.__version__})
    print(f'wrote {OUT} (widths {net["widths"]})')


if __name__ == '__main__':
    main()

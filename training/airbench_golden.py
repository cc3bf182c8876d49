#!/usr/bin/env python3
"""Golden fixture for the shipped airbench weights: PyTorch logits on 8 CIFAR-10 test
images, for tests/unit/airbench-parity.test.ts (which never needs Python).
Run after training: /usr/bin/python3 training/airbench_golden.py"""
import hashlib, json, os, struct, sys
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_airbench as T  # noqa: E402

ROOT = T.ROOT
WEIGHTS = os.path.join(ROOT, 'public', 'models', 'cifar10-airbench', 'weights.safetensors')
OUT = os.path.join(ROOT, 'tests', 'fixtures', 'airbench-golden.safetensors')


def read_safetensors(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    out = {}
    for k, e in header.items():
        if k == '__metadata__':
            continue
        a, b = e['data_offsets']
        dt = {'F16': np.float16, 'F32': np.float32}[e['dtype']]
        out[k] = torch.from_numpy(np.frombuffer(raw[8 + n + a:8 + n + b], dtype=dt).reshape(e['shape']).astype(np.float32))
    return out, hashlib.sha256(raw).hexdigest()


def main():
    cfg = json.load(open(os.path.join(ROOT, 'training', 'airbench.json')))
    sd, sha = read_safetensors(WEIGHTS)
    model = T.AirbenchNet(cfg['net']['widths'], cfg['net']['batchnorm_momentum'], cfg['net']['scaling_factor'])
    missing, unexpected = model.load_state_dict(sd, strict=False)
    assert not unexpected and all(k.endswith('num_batches_tracked') for k in missing), (missing, unexpected)
    model.eval()
    x, y = T.load_batches(['test_batch.bin'])
    x = T.normalize(x[:8])
    with torch.no_grad():
        logits = model(x)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    tensors = {'input': x, 'logits': logits, 'labels': y[:8].float()}
    header, blobs, off = {}, [], 0
    for k, t in tensors.items():
        b = t.contiguous().numpy().astype(np.float32).tobytes()
        header[k] = {'dtype': 'F32', 'shape': list(t.shape), 'data_offsets': [off, off + len(b)]}
        off += len(b)
        blobs.append(b)
    header['__metadata__'] = {'weights_sha256': sha, 'torch': torch.__version__}
    hj = json.dumps(header).encode()
    hj += b' ' * ((8 - len(hj) % 8) % 8)
    with open(OUT, 'wb') as f:
        f.write(struct.pack('<Q', len(hj)) + hj + b''.join(blobs))
    print(f'wrote {OUT}; PyTorch top-1 on these 8: {(logits.argmax(1) == y[:8]).sum().item()}/8')


if __name__ == '__main__':
    main()

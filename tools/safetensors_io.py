"""Minimal safetensors reader/writer for the fixture and training scripts.

Hand-written because Debian 12 packages no python3-safetensors and these scripts must run
with Debian's python3-torch alone. The format: an 8-byte little-endian header length, a
JSON header (name -> dtype, shape, data_offsets; optional __metadata__), raw data.
"""
import json
import struct

import numpy as np
import torch

_NP = {'F32': np.float32, 'F16': np.float16, 'I8': np.int8}
_DTYPE = {torch.float32: 'F32', torch.float16: 'F16', torch.int8: 'I8'}


def is_int8_weight(name, t):
    """Conv and linear weights (two or more axes) go int8; biases and norms stay float."""
    return t.ndim >= 2 and name.endswith('.weight')


def quantize_int8(w):
    """Symmetric per-output-channel int8, as models/safetensors.ts reads it: w ~ q * scale."""
    w = w.detach().float()
    amax = w.abs().reshape(len(w), -1).amax(1)
    scale = torch.where(amax > 0, amax / 127, torch.ones_like(amax))
    q = torch.round(w / scale.view(-1, *[1] * (w.ndim - 1))).clamp(-127, 127).to(torch.int8)
    return q, scale


def dequantize_int8(q, scale):
    return q.float() * scale.view(-1, *[1] * (q.ndim - 1))


def write_safetensors(path, tensors, metadata=None, dtype=torch.float32, int8=False):
    """With int8, conv and linear weights are stored as `<name>` I8 + `<name>_scale` F32 per output channel."""
    items = []
    for name, t in tensors.items():
        if int8 and is_int8_weight(name, t):
            q, scale = quantize_int8(t)
            items += [(name, q), (name + '_scale', scale.float())]
        else:
            items.append((name, t.detach().to(dtype)))
    header, offset, blobs = {}, 0, []
    for name, t in items:
        a = t.cpu().contiguous().numpy()
        b = a.tobytes()
        header[name] = {'dtype': _DTYPE[t.dtype], 'shape': list(a.shape), 'data_offsets': [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    hj = json.dumps(header, separators=(',', ':')).encode()
    hj += b' ' * ((8 - len(hj) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    """Returns ({name: float32 tensor}, metadata, raw bytes); int8 weights come back dequantised."""
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    out = {}
    for k, e in header.items():
        a, b = e['data_offsets']
        arr = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=_NP[e['dtype']]).reshape(e['shape'])
        out[k] = torch.from_numpy(arr.astype(np.float32))
    for k in [k for k, e in header.items() if e['dtype'] == 'I8']:
        out[k] = dequantize_int8(out[k], out.pop(k + '_scale'))
    return out, meta, raw

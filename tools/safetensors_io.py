"""Minimal safetensors reader/writer for the fixture and training scripts.

Hand-written because Debian 12 packages no python3-safetensors and these scripts must run
with Debian's python3-torch alone. The format: an 8-byte little-endian header length, a
JSON header (name -> dtype, shape, data_offsets; optional __metadata__), raw data.
"""
import json
import struct

import numpy as np
import torch

_NP = {'F32': np.float32, 'F16': np.float16}
_DTYPE = {torch.float32: 'F32', torch.float16: 'F16'}


def write_safetensors(path, tensors, metadata=None, dtype=torch.float32):
    header, offset, blobs = {}, 0, []
    for name, t in tensors.items():
        a = t.detach().cpu().contiguous().to(dtype).numpy()
        b = a.tobytes()
        header[name] = {'dtype': _DTYPE[dtype], 'shape': list(a.shape), 'data_offsets': [offset, offset + len(b)]}
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
    """Returns ({name: float32 tensor}, metadata, raw bytes)."""
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    out = {}
    for k, e in header.items():
        a, b = e['data_offsets']
        arr = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=_NP[e['dtype']]).reshape(e['shape'])
        out[k] = torch.from_numpy(arr.astype(np.float32))
    return out, meta, raw

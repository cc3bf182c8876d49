#!/usr/bin/env python3
"""Renders the PWA's PNG icons (the same drawing as public/icon.svg) with Pillow."""
import os
from PIL import Image, ImageDraw

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'public', 'icons')


def draw(size, maskable=False):
    s = size / 512
    img = Image.new('RGB', (size, size), '#111418')
    d = ImageDraw.Draw(img)
    k = 0.8 if maskable else 1.0  # maskable icons keep content in the central safe zone
    c, r = 256 * s, 170 * s * k
    d.ellipse([c - r, c - r, c + r, c + r], outline='#4a9eff', width=max(1, round(36 * s * k)))
    for i in range(3):
        for j in range(3):
            x0 = c + (-70 + 50 * j) * s * k
            y0 = c + (-70 + 50 * i) * s * k
            d.rectangle([x0, y0, x0 + 40 * s * k, y0 + 40 * s * k], fill='#4a9eff' if (i, j) == (1, 1) else '#eeeeff')
    return img


os.makedirs(OUT, exist_ok=True)
draw(192).save(os.path.join(OUT, 'icon-192.png'))
draw(512).save(os.path.join(OUT, 'icon-512.png'))
draw(512, maskable=True).save(os.path.join(OUT, 'icon-512-maskable.png'))
draw(180).save(os.path.join(OUT, 'apple-touch-icon.png'))

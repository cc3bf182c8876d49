// Pure logic, unit-tested: turn browser errors into messages a person can act on.

export function cameraErrorMessage(e: unknown): string {
  const name = (e as { name?: string })?.name ?? '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'Camera permission was denied. Allow camera access for this site in the browser settings, or classify an image file instead.';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'No camera was found on this device. You can still classify an image file.';
    case 'NotReadableError':
    case 'AbortError':
      return 'The camera could not be started: another app may be using it.';
    case 'NoMediaDevices':
      return 'This browser gives no camera access here (it needs HTTPS or localhost). You can still classify an image file.';
    default:
      return `The camera could not be started: ${(e as Error)?.message ?? String(e)}`;
  }
}

const IMAGE_EXT = /\.(png|jpe?g|gif|webp|bmp|avif|svg|ico)$/i;

/** A first check by type and name; decoding can still fail later. */
export function fileRejection(file: { name: string; type: string; size: number }): string | null {
  if (file.size === 0) return `"${file.name}" is empty.`;
  const looksImage = file.type ? file.type.startsWith('image/') : IMAGE_EXT.test(file.name);
  return looksImage ? null : `"${file.name}" is not an image (${file.type || 'unknown type'}). Pick a PNG, JPEG, WebP or GIF file.`;
}

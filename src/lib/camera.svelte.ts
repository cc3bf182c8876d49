// Camera state: devices, the live stream, errors, and pausing while the tab is hidden.
import { cameraErrorMessage } from './errors';

export type Facing = 'user' | 'environment';

export class Camera {
  stream = $state<MediaStream | null>(null);
  devices = $state<MediaDeviceInfo[]>([]);
  deviceId = $state<string>('');
  facing = $state<Facing>('environment');
  error = $state<string | null>(null);
  starting = $state(false);
  hidden = $state(typeof document !== 'undefined' && document.hidden);

  constructor() {
    document.addEventListener('visibilitychange', () => {
      this.hidden = document.hidden;
      // Stop the sensor while hidden, so a backgrounded tab uses neither camera nor GPU.
      for (const t of this.stream?.getVideoTracks() ?? []) t.enabled = !document.hidden;
    });
  }

  get active(): boolean {
    return this.stream !== null;
  }

  async start(): Promise<void> {
    this.error = null;
    if (!navigator.mediaDevices?.getUserMedia) {
      this.error = cameraErrorMessage({ name: 'NoMediaDevices' });
      return;
    }
    this.starting = true;
    this.stop();
    try {
      const video: MediaTrackConstraints = this.deviceId
        ? { deviceId: { exact: this.deviceId } }
        : { facingMode: { ideal: this.facing } };
      video.width = { ideal: 640 };
      video.height = { ideal: 480 };
      this.stream = await navigator.mediaDevices.getUserMedia({ video, audio: false });
      const all = await navigator.mediaDevices.enumerateDevices();
      this.devices = all.filter((d) => d.kind === 'videoinput');
      this.deviceId = this.stream.getVideoTracks()[0]?.getSettings().deviceId ?? this.deviceId;
    } catch (e) {
      this.error = cameraErrorMessage(e);
    } finally {
      this.starting = false;
    }
  }

  /** Front/back on phones: flip the facing mode and forget a chosen device. */
  async flip(): Promise<void> {
    this.facing = this.facing === 'user' ? 'environment' : 'user';
    this.deviceId = '';
    await this.start();
  }

  async choose(deviceId: string): Promise<void> {
    this.deviceId = deviceId;
    await this.start();
  }

  stop(): void {
    for (const t of this.stream?.getTracks() ?? []) t.stop();
    this.stream = null;
  }
}

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
  /** Whether the open view classifies frames (Live, Compare); Train and Models do not. */
  inUse = $state(true);

  constructor() {
    document.addEventListener('visibilitychange', () => {
      this.hidden = document.hidden;
      this.applyEnabled();
    });
  }

  get active(): boolean {
    return this.stream !== null;
  }

  /** On, but paused because the open view classifies nothing. */
  get parked(): boolean {
    return this.active && !this.inUse;
  }

  setInUse(inUse: boolean): void {
    this.inUse = inUse;
    this.applyEnabled();
  }

  // A disabled track stops the sensor's frames, so a hidden tab or a view that classifies
  // nothing uses neither camera nor GPU; the stream (and its permission) is kept.
  private applyEnabled(): void {
    for (const t of this.stream?.getVideoTracks() ?? []) t.enabled = !this.hidden && this.inUse;
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
      this.applyEnabled();
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

// Installing the app, and whether the network is there. Chromium fires `beforeinstallprompt`
// when the app can be installed; the event is kept so that the Install button can show the
// browser's own prompt later (the prompt may only be shown from a user's tap).

/** The part of Chromium's BeforeInstallPromptEvent used here (not in TypeScript's DOM types). */
export interface InstallPromptEvent extends Event {
  prompt(): Promise<unknown>;
  readonly userChoice: Promise<{ outcome: 'accepted' | 'dismissed' }>;
}

export class Pwa {
  /** The browser offers installation now. */
  canInstall = $state(false);
  /** The app was installed from this page. */
  installed = $state(false);
  online = $state(typeof navigator === 'undefined' || navigator.onLine);
  private offer: InstallPromptEvent | null = null;

  constructor(target: EventTarget = window) {
    target.addEventListener('beforeinstallprompt', (e) => {
      e.preventDefault();
      this.offer = e as InstallPromptEvent;
      this.canInstall = true;
    });
    target.addEventListener('appinstalled', () => {
      this.offer = null;
      this.canInstall = false;
      this.installed = true;
    });
    target.addEventListener('online', () => (this.online = true));
    target.addEventListener('offline', () => (this.online = false));
  }

  /** Shows the browser's install prompt; an offer is good for one prompt, accepted or not. */
  async install(): Promise<void> {
    const offer = this.offer;
    if (!offer) return;
    this.offer = null;
    this.canInstall = false;
    await offer.prompt();
    if ((await offer.userChoice).outcome === 'accepted') this.installed = true;
  }
}

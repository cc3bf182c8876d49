// The app's state, shared by its views: the camera, the Live session, the zoo and the Compare
// session at once; the Train and Models views' state (training, storage, shipped models) only
// when one of them first opens, with its code, so that start-up runs no more than Live needs.
import { Camera } from './camera.svelte';
import { Session } from './session.svelte';
import { Zoo } from './zoo.svelte';
import { CompareSession } from './compare.svelte';
import { ModelsWorker } from './models-worker';
import { Pwa } from './pwa.svelte';
import { engineOptions } from '../../workers/contracts/plan';
import type { EngineOptions } from '../../workers/contracts/inference-protocol';
import type { TrainState } from './train.svelte';
import type { DeviceStorage } from './storage.svelte';
import type { ShippedModels } from './shipped-models.svelte';
import type { RealMobileNets } from './real-mobilenets.svelte';
import type { TeachState } from './teach.svelte';
import type { TourState } from './tour.svelte';

/** The Train and Models views' state. */
export interface Workshop {
  train: TrainState;
  storage: DeviceStorage;
  shipped: ShippedModels;
  /** The imported TensorFlow Lite MobileNets side by side (Models view). */
  real: RealMobileNets;
}

export class AppState {
  /** The id of the open view (src/views.ts lists them). */
  view = $state('live');
  /** The header's engine details (backend, threads, frame import) are shown. */
  detailsOpen = $state(false);
  readonly engine: EngineOptions;
  readonly camera = new Camera();
  readonly session: Session;
  readonly zoo: Zoo;
  readonly compare: CompareSession;
  readonly pwa = new Pwa();
  private workshopLoad: Promise<Workshop> | null = null;
  private teachLoad: Promise<TeachState> | null = null;
  private tourLoad: Promise<TourState> | null = null;
  private realLoad: Promise<RealMobileNets> | null = null;

  // ?backend=, ?frameImport=, ?threads= choose the engine (workers/contracts/plan.ts says what each
  // means); ?faults lets the tests inject faults (src/lib/faults.ts) and, with ?stall=S, shorten
  // the download stall timeout.
  constructor(search: string) {
    this.engine = engineOptions(search);
    this.session = new Session(this.engine);
    this.zoo = new Zoo(new ModelsWorker(this.engine));
    this.compare = new CompareSession(this.engine);
    this.zoo.onWeightsChanged((id, change) => this.session.weightsChanged(id, change));
    this.zoo.onWeightsChanged((id, change) => this.compare.weightsChanged(id, change));
  }

  /**
   * Starts the live model; the models worker (stored weights for the picker) starts after it,
   * so the two do not compete for the cores while the first answer is on its way.
   */
  async start(): Promise<void> {
    await this.session.start();
    await this.zoo.refresh();
  }

  /** The Train and Models views' state, created once, when the first of them opens. */
  workshop(): Promise<Workshop> {
    this.workshopLoad ??= Promise.all([import('./train.svelte'), import('./storage.svelte'), import('./shipped-models.svelte'), this.realMobileNets()]).then(
      ([t, s, m, real]) => {
        // Its worker starts when the Train view first opens (TrainState.open).
        const train = new t.TrainState(this.engine, this.zoo);
        return {
          train,
          storage: new s.DeviceStorage(this.session, this.compare, this.zoo, train),
          shipped: new m.ShippedModels(this.zoo.worker),
          real,
        };
      },
    );
    return this.workshopLoad;
  }

  /** The Teach view's state, created when it first opens and kept while the app runs (its worker starts then too). */
  teach(): Promise<TeachState> {
    this.teachLoad ??= import('./teach.svelte').then((t) => new t.TeachState(this.engine, this.zoo));
    return this.teachLoad;
  }

  /** The real MobileNets' latency, one for the Models view and the Tour (measured once, shown in both). */
  private realMobileNets(): Promise<RealMobileNets> {
    this.realLoad ??= import('./real-mobilenets.svelte').then((r) => new r.RealMobileNets(this.engine));
    return this.realLoad;
  }

  /** The Tour's state, created when it first opens (its worker starts then too). */
  tour(): Promise<TourState> {
    this.tourLoad ??= Promise.all([import('./tour.svelte'), this.realMobileNets()]).then(
      ([t, real]) => new t.TourState(this.engine, { usable: () => this.zoo.usable, tflite: () => this.zoo.tflite, real }),
    );
    return this.tourLoad;
  }

  /** A trained model's "Use": the Live view, with it. */
  async useModel(id: string): Promise<void> {
    this.view = 'live';
    await this.session.selectModel(id);
  }
}

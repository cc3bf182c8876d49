// Newest wins, for refreshes that may overlap: each takes a turn, and a reply that arrives
// after a newer turn began is dropped, so an older, slower answer never overwrites a newer one.
export class Newest {
  private turn = 0;

  /** Starts a turn; the returned check is true while no newer turn has started. */
  take(): () => boolean {
    const mine = ++this.turn;
    return () => mine === this.turn;
  }
}

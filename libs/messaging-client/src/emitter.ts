/** A small typed event emitter: `on` returns its own unsubscribe function; a throwing listener does not stop the others. */
export class TypedEmitter<Events extends { [K in keyof Events]: (payload: any) => void }> {
  private readonly listeners = new Map<keyof Events, Set<(payload: any) => void>>();

  constructor(private readonly onListenerError: (err: unknown, event: keyof Events) => void = () => undefined) {}

  on<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => this.off(event, listener);
  }

  once<K extends keyof Events>(event: K, listener: Events[K]): () => void {
    const off = this.on(event, ((payload: Parameters<Events[K]>[0]) => {
      off();
      listener(payload);
    }) as Events[K]);
    return off;
  }

  off<K extends keyof Events>(event: K, listener: Events[K]): void {
    this.listeners.get(event)?.delete(listener);
  }

  emit<K extends keyof Events>(event: K, payload: Parameters<Events[K]>[0]): void {
    for (const listener of [...(this.listeners.get(event) ?? [])]) {
      try {
        listener(payload);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }

  removeAll(): void {
    this.listeners.clear();
  }
}

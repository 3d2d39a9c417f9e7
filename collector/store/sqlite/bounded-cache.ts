/**
 * A bounded map for the store's write-through caches: when the map is full, the entry set longest
 * ago goes (a read does not move an entry: reordering a Map on every hit costs more than the rare
 * reload it saves, and the store's hot entries are set again by every save). Values are shared, so
 * they must be treated as immutable (the desk core returns new objects, it never changes the ones
 * it is given).
 */
export class BoundedCache<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next();
      if (!oldest.done) this.map.delete(oldest.value);
    }
  }

  delete(key: K): void {
    this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}

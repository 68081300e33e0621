// Caches keyed by one file's objects (its migration, sections, ops, types), started
// afresh for every file the engine checks.
//
// Why not a module-level WeakMap: V8's scavenger (Node 20) keeps every entry of a
// WeakMap whose table has reached the old generation alive, so all that a file's
// analyses computed, and the file's model with it, survived the young-generation GCs,
// was promoted and left for full GCs on the GC threads (measured: ~93 KB promoted per
// file, 2 MB per scavenge). A table made for each file stays young and dies with it.

let generation = 0;

/** Called by the engine before each file's rules: every FileCache forgets the last file. */
export function startFileGeneration(): void {
  generation++;
}

/** WeakMap semantics for one file at a time: entries of earlier files are dropped. */
export class FileCache<K extends object, V> {
  private map = new WeakMap<K, V>();
  private generation = generation;

  private current(): WeakMap<K, V> {
    if (this.generation !== generation) {
      this.map = new WeakMap();
      this.generation = generation;
    }
    return this.map;
  }

  get(key: K): V | undefined {
    return this.current().get(key);
  }

  set(key: K, value: V): void {
    this.current().set(key, value);
  }
}

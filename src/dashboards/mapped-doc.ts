import type { Fix, JsonPath, Position } from '../core/types.js';
import type { SourceDocument } from './source.js';

// A dashboard normalised from another shape (schema v2 into the classic model) keeps classic paths in
// its model, so the rules, the SQL extraction and the interpolation read it like any dashboard. This
// map turns each classic path back into the path of the value in the file, so positions stay exact.

interface TrieNode {
  target?: JsonPath;
  children?: Map<string, TrieNode>;
}

const keyOf = (seg: string | number): string => (typeof seg === 'number' ? `#${seg}` : `.${seg}`);

/** Classic (model) path prefixes → paths in the original document. The longest mapped prefix wins. */
export class PathMap {
  private readonly root: TrieNode = {};

  set(model: JsonPath, original: JsonPath): void {
    let node = this.root;
    for (const seg of model) {
      node.children ??= new Map();
      let next = node.children.get(keyOf(seg));
      if (!next) node.children.set(keyOf(seg), (next = {}));
      node = next;
    }
    node.target = original;
  }

  translate(path: JsonPath): JsonPath {
    let node: TrieNode | undefined = this.root;
    let best: JsonPath = this.root.target ?? [];
    let used = 0;
    for (let i = 0; i < path.length && node; i++) {
      node = node.children?.get(keyOf(path[i]!));
      if (node?.target) {
        best = node.target;
        used = i + 1;
      }
    }
    return used === path.length ? best : [...best, ...path.slice(used)];
  }
}

// A map holds a few hundred paths per dashboard: built again when a position is asked for, and only the
// most recently used few kept (as the position trees are), so a thousand v2 dashboards hold none.
const MAPS_KEPT = 8;
const maps = new Map<MappedDoc, PathMap>();

/** A document seen through a PathMap: locate() takes model paths and answers positions in the file. */
export class MappedDoc implements SourceDocument {
  constructor(
    private readonly base: SourceDocument,
    /** Builds the map (again): the same conversion that built the model. */
    private readonly build: () => PathMap,
  ) {}

  private get paths(): PathMap {
    let map = maps.get(this);
    if (map) maps.delete(this);
    else {
      map = this.build();
      if (maps.size >= MAPS_KEPT) maps.delete(maps.keys().next().value!);
    }
    maps.set(this, map);
    return map;
  }

  get file(): string {
    return this.base.file;
  }

  get text(): string {
    return this.base.text;
  }

  get value(): unknown {
    return this.base.value;
  }

  locate(path: JsonPath, opts?: { key?: boolean }): Position {
    return this.base.locate(this.paths.translate(path), opts);
  }

  locateInString(path: JsonPath, offsetInValue: number): Position {
    return this.base.locateInString(this.paths.translate(path), offsetInValue);
  }

  replaceValue(path: JsonPath, value: string | number): Fix | undefined {
    return this.base.replaceValue(this.paths.translate(path), value);
  }

  insertInString(path: JsonPath, offset: number, text: string): Fix | undefined {
    return this.base.insertInString(this.paths.translate(path), offset, text);
  }
}

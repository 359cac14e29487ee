// A V8 heap snapshot (.heapsnapshot) as a graph with a dominator tree, so the heap
// can be split by what holds it: an object's retained size is what the garbage
// collector would free if that object went away (as in Chrome DevTools). The
// dominators come from the iterative algorithm of Cooper, Harvey and Kennedy,
// over every edge except weak ones.
import { readFileSync } from 'node:fs';

interface RawSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export class HeapGraph {
  readonly count: number;
  readonly selfSize: Float64Array;
  readonly retained: Float64Array;
  readonly idom: Int32Array;
  readonly #raw: RawSnapshot;
  readonly #nodeWidth: number;
  readonly #edgeWidth: number;
  readonly #firstEdge: Int32Array;
  readonly #typeNames: string[];
  readonly #edgeTypeNames: string[];

  constructor(path: string) {
    this.#raw = JSON.parse(readFileSync(path, 'utf8')) as RawSnapshot;
    const meta = this.#raw.snapshot.meta;
    this.#nodeWidth = meta.node_fields.length;
    this.#edgeWidth = meta.edge_fields.length;
    this.#typeNames = meta.node_types[0];
    this.#edgeTypeNames = meta.edge_types[0];
    this.count = this.#raw.nodes.length / this.#nodeWidth;
    this.selfSize = new Float64Array(this.count);
    this.#firstEdge = new Int32Array(this.count + 1);
    const sizeAt = meta.node_fields.indexOf('self_size');
    const edgeCountAt = meta.node_fields.indexOf('edge_count');
    let edge = 0;
    for (let i = 0; i < this.count; i += 1) {
      this.selfSize[i] = this.#raw.nodes[i * this.#nodeWidth + sizeAt] ?? 0;
      this.#firstEdge[i] = edge;
      edge += this.#raw.nodes[i * this.#nodeWidth + edgeCountAt] ?? 0;
    }
    this.#firstEdge[this.count] = edge;
    this.idom = this.#dominators();
    this.retained = this.#retainedSizes();
  }

  type(node: number): string {
    return this.#typeNames[this.#raw.nodes[node * this.#nodeWidth] ?? 0] ?? '?';
  }

  name(node: number): string {
    return this.#raw.strings[this.#raw.nodes[node * this.#nodeWidth + 1] ?? 0] ?? '';
  }

  /** Outgoing edges as [edge type, edge name, target node]. */
  *edges(node: number): Generator<[string, string, number]> {
    const e = this.#raw.edges;
    for (let i = this.#firstEdge[node] ?? 0; i < (this.#firstEdge[node + 1] ?? 0); i += 1) {
      const at = i * this.#edgeWidth;
      const type = this.#edgeTypeNames[e[at] ?? 0] ?? '?';
      const nameOrIndex = e[at + 1] ?? 0;
      const name =
        type === 'element' || type === 'hidden' ? String(nameOrIndex) : (this.#raw.strings[nameOrIndex] ?? '');
      yield [type, name, (e[at + 2] ?? 0) / this.#nodeWidth];
    }
  }

  /** The target of a named property edge. */
  property(node: number, name: string): number | undefined {
    for (const [type, edgeName, to] of this.edges(node)) if (type === 'property' && edgeName === name) return to;
    return undefined;
  }

  #dominators(): Int32Array {
    const n = this.count;
    const postorder = new Int32Array(n).fill(-1);
    const order: number[] = [];
    const visited = new Uint8Array(n);
    const stack: number[] = [0];
    const cursor = new Int32Array(n);
    visited[0] = 1;
    for (let i = 0; i < n; i += 1) cursor[i] = this.#firstEdge[i] ?? 0;
    const e = this.#raw.edges;
    const weak = this.#edgeTypeNames.indexOf('weak');
    // Depth-first, iteratively: a fleet's heap is far too deep for recursion.
    while (stack.length) {
      const v = stack[stack.length - 1] ?? 0;
      if ((cursor[v] ?? 0) < (this.#firstEdge[v + 1] ?? 0)) {
        const at = (cursor[v] ?? 0) * this.#edgeWidth;
        cursor[v] = (cursor[v] ?? 0) + 1;
        if (e[at] === weak) continue;
        const to = (e[at + 2] ?? 0) / this.#nodeWidth;
        if (!visited[to]) {
          visited[to] = 1;
          stack.push(to);
        }
      } else {
        stack.pop();
        postorder[v] = order.length;
        order.push(v);
      }
    }
    // Predecessors of reachable nodes, in compressed rows.
    const predCount = new Int32Array(n + 1);
    for (let v = 0; v < n; v += 1) {
      if (!visited[v]) continue;
      for (let i = this.#firstEdge[v] ?? 0; i < (this.#firstEdge[v + 1] ?? 0); i += 1) {
        if (e[i * this.#edgeWidth] === weak) continue;
        const to = (e[i * this.#edgeWidth + 2] ?? 0) / this.#nodeWidth;
        predCount[to + 1] = (predCount[to + 1] ?? 0) + 1;
      }
    }
    for (let v = 0; v < n; v += 1) predCount[v + 1] = (predCount[v + 1] ?? 0) + (predCount[v] ?? 0);
    const preds = new Int32Array(predCount[n] ?? 0);
    const fill = predCount.slice(0, n);
    for (let v = 0; v < n; v += 1) {
      if (!visited[v]) continue;
      for (let i = this.#firstEdge[v] ?? 0; i < (this.#firstEdge[v + 1] ?? 0); i += 1) {
        if (e[i * this.#edgeWidth] === weak) continue;
        const to = (e[i * this.#edgeWidth + 2] ?? 0) / this.#nodeWidth;
        preds[fill[to] ?? 0] = v;
        fill[to] = (fill[to] ?? 0) + 1;
      }
    }
    const idom = new Int32Array(n).fill(-1);
    idom[0] = 0;
    const intersect = (a: number, b: number): number => {
      let x = a;
      let y = b;
      while (x !== y) {
        while ((postorder[x] ?? 0) < (postorder[y] ?? 0)) x = idom[x] ?? 0;
        while ((postorder[y] ?? 0) < (postorder[x] ?? 0)) y = idom[y] ?? 0;
      }
      return x;
    };
    for (let changed = true; changed; ) {
      changed = false;
      for (let k = order.length - 2; k >= 0; k -= 1) {
        const v = order[k] ?? 0;
        let best = -1;
        for (let i = predCount[v] ?? 0; i < (predCount[v + 1] ?? 0); i += 1) {
          const p = preds[i] ?? 0;
          if (idom[p] === -1) continue;
          best = best === -1 ? p : intersect(p, best);
        }
        if (best !== -1 && idom[v] !== best) {
          idom[v] = best;
          changed = true;
        }
      }
    }
    this.#order = order;
    return idom;
  }

  #order: number[] = [];

  #retainedSizes(): Float64Array {
    const retained = Float64Array.from(this.selfSize);
    // Postorder visits every node before its dominator.
    for (const v of this.#order) {
      if (v === 0) continue;
      const d = this.idom[v] ?? -1;
      if (d >= 0) retained[d] = (retained[d] ?? 0) + (retained[v] ?? 0);
    }
    return retained;
  }
}

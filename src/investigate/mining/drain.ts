import { maskedTokens, WILDCARD } from "./mask.js";

/**
 * Online log template mining after Drain (He, Zhu, Zheng, Lyu: "Drain: An Online Log Parsing Approach
 * with Fixed Depth Tree", ICWS 2017). Each message is masked (see mask.ts), routed through a
 * fixed-depth tree — first by token count, then by its leading tokens — to a small list of
 * candidate templates, and joins the most similar one if the similarity reaches the threshold;
 * positions where they differ become `<*>`. Otherwise it starts a new template.
 *
 * Two deliberate departures from the paper:
 * - Routing skips tokens already masked to `<*>`: log lines usually begin with a timestamp, and
 *   routing on it would waste a tree level; the first meaningful words (level, logger, verb)
 *   separate templates far better.
 * - When two differing tokens are `key=...` with the same key, the template keeps `key=<*>`.
 */

export interface TemplateMinerOptions {
  /** Fraction of positions that must match a template's tokens to join it. Default 0.5. */
  similarityThreshold?: number;
  /** How many leading (non-`<*>`) tokens the tree routes on. Default 3. */
  depth?: number;
  /** Distinct tokens per tree node; further tokens share the node's `<*>` child. Default 100. */
  maxChildren?: number;
  /** Raw messages kept per template, the first ones seen. Default 3. */
  maxSamples?: number;
}

export interface Template {
  id: number;
  /** Masked tokens joined by single spaces, `<*>` where messages vary. */
  template: string;
  count: number;
  samples: string[];
}

export interface MinedMessage {
  templateId: number;
  template: string;
  /** This message started a new template. */
  isNew: boolean;
}

interface Cluster {
  id: number;
  tokens: string[];
  template: string;
  wildcards: number;
  count: number;
  samples: string[];
}

interface TreeNode {
  children: Map<string, TreeNode>;
  wildcard: TreeNode | undefined;
  clusters: Cluster[];
}

export class TemplateMiner {
  private readonly threshold: number;
  private readonly depth: number;
  private readonly maxChildren: number;
  private readonly maxSamples: number;
  private readonly byLength = new Map<number, TreeNode>();
  private readonly clusters: Cluster[] = [];

  constructor(options: TemplateMinerOptions = {}) {
    this.threshold = options.similarityThreshold ?? 0.5;
    this.depth = options.depth ?? 3;
    this.maxChildren = options.maxChildren ?? 100;
    this.maxSamples = options.maxSamples ?? 3;
    if (!(this.threshold > 0 && this.threshold <= 1))
      throw new RangeError("similarityThreshold must be in (0, 1]");
    if (this.depth < 0 || this.maxChildren < 0 || this.maxSamples < 0) {
      throw new RangeError("depth, maxChildren and maxSamples must not be negative");
    }
  }

  add(message: string): MinedMessage {
    const tokens = maskedTokens(message);
    const leaf = this.leaf(tokens, true) as TreeNode;
    const match = this.bestCluster(leaf.clusters, tokens);
    if (match === undefined) {
      const cluster: Cluster = {
        id: this.clusters.length + 1,
        tokens,
        template: tokens.join(" "),
        wildcards: countWildcards(tokens),
        count: 1,
        samples: this.maxSamples > 0 ? [message] : [],
      };
      leaf.clusters.push(cluster);
      this.clusters.push(cluster);
      return { templateId: cluster.id, template: cluster.template, isNew: true };
    }
    generalize(match, tokens);
    match.count++;
    if (match.samples.length < this.maxSamples) match.samples.push(message);
    return { templateId: match.id, template: match.template, isNew: false };
  }

  /** The template a message would join, without learning from it. */
  match(message: string): Template | undefined {
    const tokens = maskedTokens(message);
    const leaf = this.leaf(tokens, false);
    const cluster = leaf && this.bestCluster(leaf.clusters, tokens);
    return cluster && snapshot(cluster);
  }

  /** All templates, most frequent first (ties: oldest first). */
  templates(): Template[] {
    return [...this.clusters].sort((a, b) => b.count - a.count || a.id - b.id).map(snapshot);
  }

  get size(): number {
    return this.clusters.length;
  }

  /** The tree leaf for these tokens; without `create`, undefined when no template can be there. */
  private leaf(tokens: readonly string[], create: boolean): TreeNode | undefined {
    let node = this.byLength.get(tokens.length);
    if (node === undefined) {
      if (!create) return undefined;
      node = newNode();
      this.byLength.set(tokens.length, node);
    }
    let routed = 0;
    for (const token of tokens) {
      if (routed >= this.depth) break;
      if (token === WILDCARD) continue;
      routed++;
      const next: TreeNode | undefined = this.child(node, token, create);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  /**
   * Tokens with digits are likely values (Drain's heuristic), so they share the `<*>` child, as do
   * tokens arriving once a node is full. A node never loses children, so a token always routes
   * the same way: lookups and insertions agree.
   */
  private child(node: TreeNode, token: string, create: boolean): TreeNode | undefined {
    if (!hasDigit(token)) {
      const exact = node.children.get(token);
      if (exact !== undefined) return exact;
      if (node.children.size < this.maxChildren) {
        if (!create) return undefined;
        const fresh = newNode();
        node.children.set(token, fresh);
        return fresh;
      }
    }
    if (node.wildcard === undefined && create) node.wildcard = newNode();
    return node.wildcard;
  }

  /**
   * The cluster with the highest share of positions equal to the message's tokens, if at least
   * the threshold. A template's `<*>` counts as equal only to a masked token: counting it as a
   * match for anything would let over-general templates swallow unrelated messages. Ties go to
   * the template with more `<*>` (as in Drain), then to the older one.
   */
  private bestCluster(clusters: readonly Cluster[], tokens: readonly string[]): Cluster | undefined {
    const n = tokens.length;
    if (n === 0) return clusters[0];
    const needed = Math.ceil(this.threshold * n - 1e-9);
    let best: Cluster | undefined;
    let bestMatches = -1;
    for (const cluster of clusters) {
      const template = cluster.tokens;
      let matches = 0;
      for (let i = 0; i < n; i++) {
        if (template[i] === tokens[i]) matches++;
        else if (matches + (n - i - 1) < needed) break;
      }
      if (matches < needed) continue;
      if (matches > bestMatches || (matches === bestMatches && best && cluster.wildcards > best.wildcards)) {
        best = cluster;
        bestMatches = matches;
      }
    }
    return best;
  }
}

/** Turns the positions where the message differs from the template into wildcards. */
function generalize(cluster: Cluster, tokens: readonly string[]): void {
  const template = cluster.tokens;
  let changed = false;
  for (let i = 0; i < template.length; i++) {
    const current = template[i] as string;
    const incoming = tokens[i] as string;
    if (current === incoming || current === WILDCARD) continue;
    const merged = mergeTokens(current, incoming);
    if (merged !== current) {
      template[i] = merged;
      changed = true;
    }
  }
  if (changed) {
    cluster.template = template.join(" ");
    cluster.wildcards = countWildcards(template);
  }
}

/** `status=200` and `status=<*>` → `status=<*>`; anything else that differs → `<*>`. */
function mergeTokens(a: string, b: string): string {
  const eq = a.indexOf("=");
  if (eq > 0 && b.length > eq && b.charCodeAt(eq) === 61 && a.startsWith(b.slice(0, eq))) {
    return `${a.slice(0, eq + 1)}${WILDCARD}`;
  }
  return WILDCARD;
}

function countWildcards(tokens: readonly string[]): number {
  let count = 0;
  for (const token of tokens) if (token.includes(WILDCARD)) count++;
  return count;
}

function hasDigit(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c >= 48 && c <= 57) return true;
  }
  return false;
}

function newNode(): TreeNode {
  return { children: new Map(), wildcard: undefined, clusters: [] };
}

function snapshot(cluster: Cluster): Template {
  return { id: cluster.id, template: cluster.template, count: cluster.count, samples: [...cluster.samples] };
}

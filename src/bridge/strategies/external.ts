import type { BridgeStrategy, Proposal } from "../strategy.js";

const maxNoteChars = 1000;

/**
 * A diff proposed elsewhere (another AI-SRE, a human), so fixloop can validate and verify it like
 * its own. Prose before the first file header (a `git format-patch` message) is kept as its rationale.
 */
export function externalStrategy(diff: string, source: string): BridgeStrategy {
  return {
    name: "external",
    async propose(): Promise<Proposal> {
      if (!diff.trim()) return { noCandidate: `${source} is empty` };
      const firstHeader = diff.search(/^(diff --git |--- )/m);
      const note = (firstHeader > 0 ? diff.slice(0, firstHeader) : "").trim().slice(0, maxNoteChars);
      return { diff, rationale: `External patch from ${source}${note ? `: ${note}` : "."}` };
    },
  };
}

import { ModelFailure } from "./failure.js";
import type { Price } from "./prices.js";

/**
 * What one incident may spend on the model: tokens (in + out) and, when the model's price is
 * known, dollars. Checked before every call with the call's worst case, so a call that could
 * overspend is not made.
 */
export interface BudgetLimits {
  maxTokens: number;
  maxCostUsd: number;
}

/** A call whose answer may not even be this long is not worth making. */
const minOutputTokens = 256;

export class Budget {
  inputTokens = 0;
  outputTokens = 0;

  constructor(
    readonly limits: BudgetLimits,
    readonly price: Price | undefined,
  ) {}

  get costUsd(): number | undefined {
    return this.price && costOf(this.price, this.inputTokens, this.outputTokens);
  }

  /**
   * The largest answer (in tokens) the next call may ask for, given its input of about
   * `inputTokens`; a ModelFailure when not even a short answer fits.
   */
  allow(inputTokens: number, wantedOutput: number): number {
    const tokensLeft = this.limits.maxTokens - this.inputTokens - this.outputTokens - inputTokens;
    let allowed = Math.min(wantedOutput, tokensLeft);
    if (this.price && this.price.outputPerMTok > 0) {
      const dollarsLeft = this.limits.maxCostUsd - (this.costUsd ?? 0) - costOf(this.price, inputTokens, 0);
      allowed = Math.min(allowed, Math.floor((dollarsLeft * 1e6) / this.price.outputPerMTok));
    }
    if (allowed < minOutputTokens)
      throw new ModelFailure(`the incident's model budget is spent (${this.describe()})`, "budget");
    return allowed;
  }

  charge(inputTokens: number, outputTokens: number): void {
    this.inputTokens += inputTokens;
    this.outputTokens += outputTokens;
  }

  /** e.g. "12,345 of 250,000 tokens, $0.07 of $1.00". */
  describe(): string {
    const used = this.inputTokens + this.outputTokens;
    const cost = this.costUsd;
    return `${used.toLocaleString("en-US")} of ${this.limits.maxTokens.toLocaleString("en-US")} tokens${
      cost === undefined ? ", cost unknown" : `, $${cost.toFixed(2)} of $${this.limits.maxCostUsd.toFixed(2)}`
    }`;
  }
}

function costOf(price: Price, inputTokens: number, outputTokens: number): number {
  return (inputTokens * price.inputPerMTok + outputTokens * price.outputPerMTok) / 1e6;
}

import type { WatchSignal } from "../conditions.js";
import type { WatchComparator } from "./comparator.js";
import { compareDownstreamCalls, compareDownstreamErrors } from "./downstream.js";
import { compareErrorRate } from "./error-rate.js";
import { compareLatency } from "./latency.js";
import { compareCrash, compareRss } from "./process.js";

/** The comparator for each kind of watched signal. */
export const watchComparators: Record<WatchSignal["kind"], WatchComparator> = {
  error_rate: compareErrorRate,
  latency: compareLatency,
  downstream_error_rate: compareDownstreamErrors,
  downstream_calls_per_request: compareDownstreamCalls,
  rss_mb: compareRss,
  crash: compareCrash,
};

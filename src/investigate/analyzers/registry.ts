import type { Analyzer } from "./analyzer.js";
import { downstreamAnalyzer } from "./downstream.js";
import { errorSignatureAnalyzer } from "./error-signature.js";
import { failingAttributeAnalyzer } from "./failing-attribute.js";
import { runbookAnalyzer } from "./runbook.js";
import { sloAnalyzer } from "./slo.js";
import { suspectChangeAnalyzer } from "./suspect-change.js";

/** Every analyzer, in run order: later ones read what earlier ones concluded. */
export const analyzers: readonly Analyzer[] = [
  errorSignatureAnalyzer,
  failingAttributeAnalyzer,
  sloAnalyzer,
  suspectChangeAnalyzer,
  downstreamAnalyzer,
  runbookAnalyzer,
];

/**
 * Suggestions for mistyped command names.
 */
import { editDistance } from "../suggest.js";

/** Returns the candidate closest to `text` within edit distance 2, ties going to the earlier one, or null. */
export function closestByEditDistance(text: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const distance = editDistance(text, candidate, bestDistance - 1);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/**
 * Value changes between kernel versions that generation accepts. Any other
 * enumerator whose value differs between two generated versions is a UAPI
 * break and fails generation. Each entry gives the reason the change is harmless.
 * Sentinels (`__MAX_*`, `MAX_*`) are exempt: their value is a count of the
 * members before them and grows with every release.
 */
export interface AllowedBreak {
  /** The C enum and enumerator. */
  readonly enumName: string;
  readonly name: string;
  /** The two versions between which the value changes. */
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

export const ALLOWED_BREAKS: readonly AllowedBreak[] = [];

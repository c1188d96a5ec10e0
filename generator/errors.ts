/**
 * Located generator errors. Every problem in a header is collected with its
 * file, 1-based line and column and the offending source line, then reported
 * together so one run shows all of them.
 */

/** One problem in an input file. */
export class GeneratorError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    readonly detail: string,
    /** The source line the problem is on, without its line terminator. */
    readonly sourceLine = "",
  ) {
    super(`${file}:${line}:${column}: ${detail}`);
    this.name = "GeneratorError";
  }

  /** Formats the error with the offending line and a caret under the column. */
  render(): string {
    if (this.sourceLine === "") return this.message;
    // Tabs before the column are kept, so the caret lines up however a terminal expands them.
    const before = this.sourceLine.slice(0, Math.max(0, this.column - 1));
    const caret = [...before].map((char) => (char === "\t" ? "\t" : " ")).join("") + "^";
    return `${this.message}\n    ${this.sourceLine}\n    ${caret}`;
  }
}

/** All problems found in one run; thrown once after collecting them. */
export class GeneratorErrors extends Error {
  constructor(readonly errors: readonly GeneratorError[]) {
    super(GeneratorErrors.summary(errors));
    this.name = "GeneratorErrors";
  }

  private static summary(errors: readonly GeneratorError[]): string {
    const count = errors.length === 1 ? "1 error" : `${errors.length} errors`;
    return `${errors.map((error) => error.message).join("\n")}\n${count}`;
  }

  /** Formats every error with its source line, then the count. */
  render(): string {
    const count = this.errors.length === 1 ? "1 error" : `${this.errors.length} errors`;
    return `${this.errors.map((error) => error.render()).join("\n")}\n${count}`;
  }
}

/**
 * A problem that is not tied to a line of input: a bad argument or a missing
 * file. `showUsage` is set where the arguments themselves are malformed, so
 * the command's usage text helps.
 */
export class UsageError extends Error {
  override name = "UsageError";

  constructor(
    message: string,
    readonly showUsage = false,
  ) {
    super(message);
  }
}

/** A file system failure while reading or writing an output or cache directory. */
export class OutputError extends Error {
  override name = "OutputError";
}

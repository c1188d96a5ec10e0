/**
 * Object-like macros and their expansion, for the initializers of enumerators
 * and the conditions of `#if`. Expansion works on preprocessing tokens, so
 * `#define A 1 + 2` makes `A * 3` equal 7, as in C.
 */
import type { PpToken } from "./pptokens.js";

/** A macro and the 1-based line of its #define, or null for a macro from a `-D` define. */
export type Macro =
  | { readonly kind: "object"; readonly body: readonly PpToken[]; readonly line: number | null }
  | { readonly kind: "function"; readonly line: number | null };

/** Thrown when expansion meets something this generator does not expand. */
export class ExpansionError extends Error {}

/** The macros defined so far in a header, in the order the preprocessor reads them. */
export class MacroTable {
  private readonly macros = new Map<string, Macro>();

  constructor(predefined: ReadonlyMap<string, string> = new Map(), lex?: (text: string) => PpToken[]) {
    for (const [name, value] of predefined) {
      this.macros.set(name, { kind: "object", body: lex === undefined ? [] : lex(value), line: null });
    }
  }

  define(name: string, macro: Macro): void {
    this.macros.set(name, macro);
  }

  undefine(name: string): void {
    this.macros.delete(name);
  }

  isDefined(name: string): boolean {
    return this.macros.has(name);
  }

  lookup(name: string): Macro | undefined {
    return this.macros.get(name);
  }

  /**
   * Returns whether the preprocessor would replace an identifier standing alone:
   * true for an object-like macro unless it expands to that same name, as
   * `#define BPF_A BPF_A` does. A function-like macro name without `(` stays.
   */
  replacesName(name: string): boolean {
    const macro = this.macros.get(name);
    if (macro === undefined || macro.kind === "function") return false;
    const expanded = this.expand([{ kind: "identifier", text: name, offset: 0 }]);
    return !(expanded.length === 1 && expanded[0]?.text === name);
  }

  /** Returns whether any token names a macro, so that the text needs expanding before it is parsed. */
  mentionsMacro(tokens: readonly PpToken[]): boolean {
    return tokens.some((token) => token.kind === "identifier" && this.macros.has(token.text));
  }

  /**
   * Expands object-like macros in `tokens`. A macro is not expanded again
   * inside its own expansion (C11 6.10.3.4). A function-like macro followed
   * by `(` raises an ExpansionError; without `(` its name stays as it is.
   */
  expand(tokens: readonly PpToken[], hidden: ReadonlySet<string> = new Set()): PpToken[] {
    const result: PpToken[] = [];
    for (let index = 0; index < tokens.length; index++) {
      const token = tokens[index];
      if (token === undefined) continue;
      const macro = token.kind === "identifier" && !hidden.has(token.text) ? this.macros.get(token.text) : undefined;
      if (macro === undefined) {
        result.push(token);
        continue;
      }
      if (macro.kind === "function") {
        if (tokens[index + 1]?.text === "(") {
          throw new ExpansionError(
            `${token.text} is a function-like macro, which this generator does not expand`,
          );
        }
        result.push(token);
        continue;
      }
      if (hidden.size > 200) throw new ExpansionError(`macro expansion of ${token.text} nests too deeply`);
      const nested = new Set(hidden).add(token.text);
      for (const expanded of this.expand(macro.body, nested)) result.push(expanded);
    }
    return result;
  }
}

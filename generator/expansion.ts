/**
 * Expressions that need the preprocessor first: `#if` conditions, and
 * initializers that name a macro. Macros are expanded at the token level,
 * then tree-sitter parses the expanded text and the evaluator reads it.
 */
import type Parser from "tree-sitter";
import type { TypedValue } from "./ctypes.js";
import { EvaluationError, evaluate, type EvaluationScope } from "./evaluate.js";
import { ExpansionError, type MacroTable } from "./macros.js";
import { lexPpTokens, spliceLines, type PpToken } from "./pptokens.js";

const SNIPPET_PREFIX = "enum __bpf_uapi_snippet { __bpf_uapi_value = ";
const SNIPPET_SUFFIX = " };";

const PREPROCESSOR_SCOPE: EvaluationScope = {
  lookup: () => undefined,
  resolveType: () => null,
  preprocessor: true,
};

export class ExpressionReader {
  constructor(
    private readonly macros: MacroTable,
    private readonly parser: Parser,
  ) {}

  /** Evaluates the text of an `#if` or `#elif` condition. */
  condition(text: string): boolean {
    return this.evaluateTokens(this.conditionTokens(text), PREPROCESSOR_SCOPE, text).value !== 0n;
  }

  /** Returns whether an initializer's text names a macro, so that it needs expanding before it is parsed. */
  needsExpansion(text: string): boolean {
    return this.macros.mentionsMacro(lexPpTokens(spliceLines(text)));
  }

  /** Expands the macros in an initializer's text and evaluates the result. */
  initializer(text: string, scope: EvaluationScope): TypedValue {
    return this.evaluateTokens(this.macros.expand(lexPpTokens(spliceLines(text))), scope, text);
  }

  /** Tokens of an `#if` condition with `defined` resolved, macros expanded and other names as 0. */
  private conditionTokens(text: string): PpToken[] {
    const tokens = lexPpTokens(spliceLines(text));
    const resolved: PpToken[] = [];
    for (let index = 0; index < tokens.length; index++) {
      const token = tokens[index];
      if (token === undefined) continue;
      if (token.text !== "defined") {
        resolved.push(token);
        continue;
      }
      const parenthesized = tokens[index + 1]?.text === "(";
      const name = tokens[index + (parenthesized ? 2 : 1)];
      if (name === undefined || name.kind !== "identifier" || (parenthesized && tokens[index + 3]?.text !== ")")) {
        throw new ExpansionError(`"defined" needs a macro name: ${text}`);
      }
      resolved.push({ kind: "number", text: this.macros.isDefined(name.text) ? "1" : "0", offset: token.offset });
      index += parenthesized ? 3 : 1;
    }
    return this.macros
      .expand(resolved)
      .map((token) => (token.kind === "identifier" ? { kind: "number", text: "0", offset: token.offset } : token));
  }

  /**
   * Parses expanded tokens as one expression with tree-sitter and evaluates
   * it. An expansion that is not exactly one expression, such as `1, B`
   * that would add an enumerator, is an error.
   */
  private evaluateTokens(tokens: readonly PpToken[], scope: EvaluationScope, source: string): TypedValue {
    const text = tokens.map((token) => token.text).join(" ");
    const tree = this.parser.parse(`${SNIPPET_PREFIX}${text}${SNIPPET_SUFFIX}`);
    const enumerators = tree.rootNode.descendantsOfType("enumerator");
    const value = enumerators[0]?.childForFieldName("value");
    if (tree.rootNode.hasError || enumerators.length !== 1 || value === undefined || value === null || value.text !== text) {
      throw new ExpansionError(`"${text}" is not a valid C expression after macro expansion`);
    }
    try {
      return evaluate(value, scope);
    } catch (error) {
      if (!(error instanceof EvaluationError)) throw error;
      const unchanged = lexPpTokens(spliceLines(source)).map((token) => token.text).join(" ") === text;
      throw new ExpansionError(unchanged ? error.message : `${error.message} (after macro expansion: ${text})`);
    }
  }
}

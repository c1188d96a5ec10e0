/**
 * Walks a tree-sitter-c tree in document order as the C preprocessor would:
 * it records object-like macros, evaluates conditionals and visits only the
 * active branches, and evaluates each definition of a target enum when it
 * meets it, with the macros and enumerators defined before that point.
 */
import type Parser from "tree-sitter";
import type { SyntaxNode } from "tree-sitter";
import { enumeratorType, type TypedValue } from "./ctypes.js";
import { GeneratorError } from "./errors.js";
import { EvaluationError, evaluate, type EvaluationScope } from "./evaluate.js";
import { ExpansionError, MacroTable } from "./macros.js";
import { lexPpTokens, spliceLines, type PpToken } from "./pptokens.js";
import { sourceLine, type HeaderText } from "./source.js";

/** An enumerator after evaluation, with its 1-based position. */
export interface RawEnumerator {
  readonly name: string;
  readonly value: bigint;
  readonly line: number;
  readonly column: number;
}

/** An active definition of a target enum. */
export interface RawEnum {
  readonly tag: string;
  readonly line: number;
  readonly column: number;
  readonly enumerators: readonly RawEnumerator[];
}

type EnumeratorHandler = (node: SyntaxNode) => void;

const VALUE_MIN = -(1n << 63n);
const VALUE_MAX = (1n << 64n) - 1n;

export class HeaderWalker {
  readonly enums = new Map<string, RawEnum>();
  readonly errors: GeneratorError[] = [];
  private readonly enumerators = new Map<string, TypedValue>();
  private readonly scope: EvaluationScope = {
    lookup: (name) => this.enumerators.get(name),
    preprocessor: false,
  };

  constructor(
    private readonly header: HeaderText,
    private readonly tags: ReadonlySet<string>,
    private readonly macros: MacroTable,
    private readonly parser: Parser,
  ) {}

  /**
   * Visits a node and, through conditionals, the nodes the preprocessor keeps.
   * Inside an enum body, `onEnumerator` receives each active enumerator.
   */
  visit(node: SyntaxNode, onEnumerator: EnumeratorHandler | null = null): void {
    switch (node.type) {
      case "preproc_def":
        this.define(node);
        return;
      case "preproc_function_def": {
        const name = node.childForFieldName("name");
        if (name !== null) this.macros.define(name.text, { kind: "function" });
        return;
      }
      case "preproc_call":
        this.directive(node);
        return;
      case "preproc_if":
      case "preproc_elif":
      case "preproc_ifdef":
      case "preproc_elifdef":
        this.conditional(node, onEnumerator);
        return;
      case "preproc_else":
        this.visitBody(node, [], onEnumerator);
        return;
      case "enumerator":
        onEnumerator?.(node);
        return;
      case "enum_specifier":
        this.enumSpecifier(node);
        return;
      default:
        for (const child of node.namedChildren) this.visit(child, onEnumerator);
    }
  }

  private define(node: SyntaxNode): void {
    const name = node.childForFieldName("name");
    if (name === null) return;
    const value = node.childForFieldName("value");
    const body = value === null ? [] : lexPpTokens(spliceLines(value.text));
    this.macros.define(name.text, { kind: "object", body });
  }

  private directive(node: SyntaxNode): void {
    const directive = node.childForFieldName("directive")?.text ?? "";
    const argument = node.childForFieldName("argument")?.text ?? "";
    if (directive === "#undef") {
      const name = lexPpTokens(argument)[0];
      if (name !== undefined) this.macros.undefine(name.text);
    } else if (directive === "#error") {
      this.fail(node, `#error ${argument.trim()}`);
    }
  }

  /** Visits the children of a conditional branch, leaving out its condition and alternative. */
  private visitBody(
    node: SyntaxNode,
    skip: ReadonlyArray<SyntaxNode | null>,
    onEnumerator: EnumeratorHandler | null,
  ): void {
    for (const child of node.namedChildren) {
      if (skip.some((other) => other !== null && other.startIndex === child.startIndex && other.type === child.type)) {
        continue;
      }
      this.visit(child, onEnumerator);
    }
  }

  private conditional(node: SyntaxNode, onEnumerator: EnumeratorHandler | null): void {
    const alternative = node.childForFieldName("alternative");
    const taken = this.branchTaken(node);
    if (taken === null) return;
    if (taken) {
      const condition = node.childForFieldName("condition") ?? node.childForFieldName("name");
      this.visitBody(node, [condition, alternative], onEnumerator);
    } else if (alternative !== null) {
      this.visit(alternative, onEnumerator);
    }
  }

  /** Whether a conditional's branch is active; null after reporting an error. */
  private branchTaken(node: SyntaxNode): boolean | null {
    if (node.type === "preproc_ifdef" || node.type === "preproc_elifdef") {
      const name = node.childForFieldName("name");
      if (name === null) return this.fail(node, `${node.type} without a macro name`);
      const negated = node.child(0)?.text.endsWith("ndef") ?? false;
      return this.macros.isDefined(name.text) !== negated;
    }
    const condition = node.childForFieldName("condition");
    if (condition === null) return this.fail(node, "#if without a condition");
    try {
      return this.evaluateTokens(this.conditionTokens(condition), true).value !== 0n;
    } catch (error) {
      return this.failWith(condition, error, "in #if condition");
    }
  }

  /** Tokens of an `#if` condition with `defined` resolved, macros expanded and other names as 0. */
  private conditionTokens(condition: SyntaxNode): PpToken[] {
    const tokens = lexPpTokens(spliceLines(condition.text));
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
        throw new ExpansionError(`"defined" needs a macro name: ${condition.text}`);
      }
      resolved.push({ kind: "number", text: this.macros.isDefined(name.text) ? "1" : "0", offset: token.offset });
      index += parenthesized ? 3 : 1;
    }
    return this.macros
      .expand(resolved)
      .map((token) => (token.kind === "identifier" ? { kind: "number", text: "0", offset: token.offset } : token));
  }

  /** Parses expanded tokens as an expression with tree-sitter and evaluates it. */
  private evaluateTokens(tokens: readonly PpToken[], preprocessor: boolean): TypedValue {
    const text = tokens.map((token) => token.text).join(" ");
    const snippet = `enum __bpf_uapi_snippet { __bpf_uapi_value = ${text} };`;
    const tree = this.parser.parse(snippet);
    const value = tree.rootNode.descendantsOfType("enumerator")[0]?.childForFieldName("value");
    if (tree.rootNode.hasError || value === undefined || value === null) {
      throw new ExpansionError(`"${text}" is not a valid C expression after macro expansion`);
    }
    const scope: EvaluationScope = preprocessor ? { lookup: () => undefined, preprocessor: true } : this.scope;
    try {
      return evaluate(value, scope);
    } catch (error) {
      if (error instanceof EvaluationError) throw new ExpansionError(`${error.message} (after macro expansion: ${text})`);
      throw error;
    }
  }

  private enumSpecifier(node: SyntaxNode): void {
    const name = node.childForFieldName("name");
    const body = node.childForFieldName("body");
    if (name === null || body === null || !this.tags.has(name.text)) return;
    const tag = name.text;
    if (node.hasError) {
      const broken = firstError(node) ?? node;
      this.fail(broken, `enum ${tag}: syntax error in the definition - fix the C syntax of this enum`);
      return;
    }
    const earlier = this.enums.get(tag);
    if (earlier !== undefined) {
      this.fail(name, `enum ${tag}: defined again - the first definition is at line ${earlier.line}`);
      return;
    }
    const position = this.position(node);
    const enumerators = new EnumeratorReader(this, tag).read(body);
    if (enumerators !== null) this.enums.set(tag, { tag, ...position, enumerators });
  }

  /** Evaluates an enumerator's initializer, expanding macros first when it names one. */
  evaluateInitializer(value: SyntaxNode): TypedValue {
    const tokens = lexPpTokens(spliceLines(value.text));
    if (!this.macros.mentionsMacro(tokens)) return evaluate(value, this.scope);
    return this.evaluateTokens(this.macros.expand(tokens), false);
  }

  /** Records an enumerator so later initializers can name it; false if the name is taken. */
  declareEnumerator(name: string, value: bigint): boolean {
    if (this.enumerators.has(name)) return false;
    this.enumerators.set(name, { value, type: enumeratorType(value) });
    return true;
  }

  position(node: SyntaxNode): { line: number; column: number } {
    return { line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
  }

  fail(node: SyntaxNode, message: string): null {
    const { line, column } = this.position(node);
    this.errors.push(new GeneratorError(this.header.path, line, column, message, sourceLine(this.header, line)));
    return null;
  }

  failWith(node: SyntaxNode, error: unknown, context: string): null {
    if (error instanceof EvaluationError) return this.fail(error.node.startIndex >= node.startIndex ? error.node : node, `${context}: ${error.message}`);
    if (error instanceof ExpansionError) return this.fail(node, `${context}: ${error.message}`);
    throw error;
  }
}

/** Reads the enumerators of one enum body, following conditionals inside it. */
class EnumeratorReader {
  private readonly enumerators: RawEnumerator[] = [];
  private next: bigint = 0n;
  private failed = false;

  constructor(
    private readonly walker: HeaderWalker,
    private readonly tag: string,
  ) {}

  read(body: SyntaxNode): RawEnumerator[] | null {
    const onEnumerator = (node: SyntaxNode): void => {
      if (!this.failed) this.enumerator(node);
    };
    for (const child of body.namedChildren) this.walker.visit(child, onEnumerator);
    return this.failed ? null : this.enumerators;
  }

  private enumerator(node: SyntaxNode): void {
    const name = node.childForFieldName("name");
    if (name === null) return;
    const context = `enum ${this.tag}: ${name.text}`;
    const initializer = node.childForFieldName("value");
    let value = this.next;
    if (initializer !== null) {
      try {
        value = this.walker.evaluateInitializer(initializer).value;
      } catch (error) {
        this.failed = true;
        this.walker.failWith(initializer, error, context);
        return;
      }
    }
    if (value < VALUE_MIN || value > VALUE_MAX) {
      this.failed = true;
      this.walker.fail(node, `${context}: value ${value} is outside the range of every C integer type`);
      return;
    }
    if (!this.walker.declareEnumerator(name.text, value)) {
      this.failed = true;
      this.walker.fail(name, `${context}: redeclaration of enumerator ${name.text} - C allows each name once`);
      return;
    }
    this.enumerators.push({ name: name.text, value, ...this.walker.position(name) });
    this.next = value + 1n;
  }
}

function firstError(node: SyntaxNode): SyntaxNode | null {
  if (node.type === "ERROR" || node.isMissing) return node;
  for (const child of node.children) {
    if (!child.hasError && !child.isMissing) continue;
    const found = firstError(child);
    if (found !== null) return found;
  }
  return null;
}

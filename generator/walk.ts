/**
 * Walks a tree-sitter-c tree in document order as the C preprocessor would:
 * it records object-like macros and integer typedefs, evaluates conditionals
 * and visits only the active branches, and evaluates each definition of a
 * target enum when it meets it, with the macros, typedefs and enumerators
 * defined before that point.
 */
import type Parser from "tree-sitter";
import type { SyntaxNode } from "tree-sitter";
import { enumeratorType, standardIntegerType, type CastTarget, type TypedValue } from "./ctypes.js";
import { EnumeratorReader, type EnumBodyHost, type RawEnumerator } from "./enumerators.js";
import { GeneratorError } from "./errors.js";
import { EvaluationError, evaluate, type EvaluationScope } from "./evaluate.js";
import { ExpressionReader } from "./expansion.js";
import { ExpansionError, MacroTable } from "./macros.js";
import { lexPpTokens, spliceLines, type PpToken } from "./pptokens.js";
import { directiveEnd } from "./scanner.js";
import { positionAt, sourceLine, type HeaderText } from "./source.js";

export type { RawEnumerator } from "./enumerators.js";

/** An active definition of a target enum. */
export interface RawEnum {
  readonly tag: string;
  readonly line: number;
  readonly column: number;
  readonly enumerators: readonly RawEnumerator[];
}

type EnumeratorHandler = (node: SyntaxNode) => void;

export class HeaderWalker implements EnumBodyHost {
  readonly enums = new Map<string, RawEnum>();
  readonly errors: GeneratorError[] = [];
  private readonly enumerators = new Map<string, TypedValue>();
  /** Typedef names that denote a standard integer type, for casts. */
  private readonly typedefs = new Map<string, CastTarget>();
  private readonly expressions: ExpressionReader;
  private readonly scope: EvaluationScope = {
    lookup: (name) => this.enumerators.get(name),
    resolveType: (words) => this.resolveType(words),
    preprocessor: false,
  };

  constructor(
    private readonly header: HeaderText,
    private readonly tags: ReadonlySet<string>,
    private readonly macros: MacroTable,
    parser: Parser,
  ) {
    this.expressions = new ExpressionReader(macros, parser);
  }

  /**
   * Visits a node and, through conditionals, the nodes the preprocessor keeps.
   * Inside an enum body, `onEnumerator` receives each active enumerator.
   */
  visit(node: SyntaxNode, onEnumerator: EnumeratorHandler | null = null): void {
    switch (node.type) {
      case "preproc_def":
      case "preproc_function_def":
        this.define(node);
        return;
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
      case "type_definition":
        this.typedef(node);
        break;
      case "ERROR":
        this.brokenDefinition(node);
        break;
    }
    for (const child of node.namedChildren) this.visit(child, onEnumerator);
  }

  private define(node: SyntaxNode): void {
    const name = node.childForFieldName("name");
    if (name === null) return;
    const line = this.position(node).line;
    // The body is read from the header text up to the directive's end,
    // because tree-sitter ends it at a newline inside a block comment.
    if (node.type === "preproc_function_def") {
      this.macros.define(name.text, { kind: "function", line });
      return;
    }
    const bodyText = this.header.text.slice(name.endIndex, directiveEnd(this.header.text, node.startIndex));
    // Most of a header's macros are never used in an enum, so a body is lexed on first use.
    let body: PpToken[] | undefined;
    this.macros.define(name.text, {
      kind: "object",
      get body() {
        body ??= lexPpTokens(spliceLines(bodyText));
        return body;
      },
      line,
    });
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
    // Node ids are plain properties; comparing positions would cross into native code per child.
    const skipped = new Set(skip.flatMap((other) => (other === null ? [] : [other.id])));
    for (const child of node.namedChildren) {
      if (!skipped.has(child.id)) this.visit(child, onEnumerator);
    }
  }

  private conditional(node: SyntaxNode, onEnumerator: EnumeratorHandler | null): void {
    if (node.children.some((child) => child.isMissing && child.type === "#endif")) {
      const directive = node.child(0)?.text ?? "#if";
      this.fail(node, `${directive} without a matching #endif - add the #endif`);
      return;
    }
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

  /** Decides whether a conditional's branch is active; returns null after reporting an error. */
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
      return this.expressions.condition(condition.text);
    } catch (error) {
      return this.failWith(condition, error, "in #if condition");
    }
  }

  private enumSpecifier(node: SyntaxNode): void {
    const name = node.childForFieldName("name");
    const body = node.childForFieldName("body");
    if (name === null || body === null || !this.tags.has(name.text)) return;
    const tag = name.text;
    if (this.definitionBroken(node, name, tag)) return;
    const earlier = this.enums.get(tag);
    if (earlier !== undefined) {
      this.fail(name, `enum ${tag}: defined again - the first definition is at line ${earlier.line}`);
      return;
    }
    const position = this.position(node);
    const enumerators = new EnumeratorReader(this, tag).read(body);
    if (enumerators !== null) this.enums.set(tag, { tag, ...position, enumerators });
  }

  /** Reports a definition that the preprocessor would change or that is not valid C; false if it is sound. */
  private definitionBroken(node: SyntaxNode, name: SyntaxNode, tag: string): boolean {
    const macroLine = this.replacingMacroLine(tag) ?? this.replacingMacroLine("enum");
    if (macroLine !== null) {
      const where = macroLine === "-D" ? "by -D" : `at line ${macroLine}`;
      this.fail(name, `enum ${tag}: the tag is a macro defined ${where}, so the preprocessor replaces it - undefine the macro`);
      return true;
    }
    // The cheap string searches come first: lexing and walking a whole enum is
    // the slow path, needed only when the text has a replaced byte or a directive.
    const text = node.text;
    const invalid = text.includes("\uFFFD") ? lexPpTokens(text).find((token) => token.text.includes("\uFFFD")) : undefined;
    if (invalid !== undefined) {
      const offset = node.startIndex + invalid.offset + invalid.text.indexOf("\uFFFD");
      const detail = "C identifiers and literals here must be ASCII, so remove the byte";
      this.failAt(offset, `enum ${tag}: invalid UTF-8 byte - ${detail}`);
      return true;
    }
    const calls = text.includes("#") ? node.descendantsOfType("preproc_call") : [];
    const inside = calls.find((call) => call.child(0)?.text !== "#error");
    if (inside !== undefined) {
      // NOTE: tree-sitter-c 0.24 has no place for #define or #undef in an
      // enumerator list and breaks the list around one, so it is reported.
      const directive = inside.child(0)?.text ?? "";
      this.fail(inside, `enum ${tag}: ${directive} inside the enum body is not supported - move it before or after the enum`);
      return true;
    }
    if (node.hasError) {
      this.fail(firstError(node) ?? node, `enum ${tag}: syntax error in the definition - fix the C syntax of this enum`);
      return true;
    }
    return false;
  }

  /**
   * Reports a target enum definition that tree-sitter could not parse at all,
   * such as one cut off before its `}`: the keyword, the tag and `{` then
   * stand directly in an ERROR node.
   */
  private brokenDefinition(node: SyntaxNode): void {
    const children = node.children;
    for (let index = 0; index + 2 < children.length; index++) {
      const [keyword, tag, brace] = [children[index], children[index + 1], children[index + 2]];
      if (keyword?.type !== "enum" || tag === undefined || brace?.type !== "{" || !this.tags.has(tag.text)) continue;
      this.fail(keyword, `enum ${tag.text}: syntax error in the definition - fix the C syntax of this enum`);
    }
  }

  /** Records `typedef <integer type> NAME;`, the only typedef form a cast in an initializer can use. */
  private typedef(node: SyntaxNode): void {
    const declarator = node.childForFieldName("declarator");
    if (declarator?.type !== "type_identifier") return;
    this.typedefs.delete(declarator.text);
    const tokens = lexPpTokens(node.text);
    const words = tokens.slice(1, -2);
    const simple = tokens[0]?.text === "typedef" && tokens.at(-1)?.text === ";" && tokens.at(-2)?.text === declarator.text;
    if (node.hasError || !simple || !words.every((token) => token.kind === "identifier")) return;
    const target = this.resolveType(words.map((token) => token.text));
    if (target !== null) this.typedefs.set(declarator.text, { ...target, name: declarator.text });
  }

  private resolveType(words: readonly string[]): CastTarget | null {
    const typedef = words.length === 1 && words[0] !== undefined ? this.typedefs.get(words[0]) : undefined;
    return typedef ?? standardIntegerType(words);
  }

  /** Evaluates an enumerator's initializer, expanding macros first when it names one. */
  evaluateInitializer(value: SyntaxNode): TypedValue {
    if (!this.expressions.needsExpansion(value.text)) return evaluate(value, this.scope);
    return this.expressions.initializer(value.text, this.scope);
  }

  declareEnumerator(name: string, value: bigint): boolean {
    if (this.enumerators.has(name)) return false;
    this.enumerators.set(name, { value, type: enumeratorType(value) });
    return true;
  }

  replacingMacroLine(name: string): number | "-D" | null {
    if (!this.macros.replacesName(name)) return null;
    return this.macros.lookup(name)?.line ?? "-D";
  }

  position(node: SyntaxNode): { line: number; column: number } {
    return { line: node.startPosition.row + 1, column: node.startPosition.column + 1 };
  }

  /** Returns the header text between two offsets, without a call into tree-sitter. */
  textAt(start: number, end: number): string {
    return this.header.text.slice(start, end);
  }

  /** Returns the position of an offset, without a call into tree-sitter. */
  positionAt(offset: number): { line: number; column: number } {
    return positionAt(this.header, offset);
  }

  fail(node: SyntaxNode, message: string): null {
    const { line, column } = this.position(node);
    this.errors.push(new GeneratorError(this.header.path, line, column, message, sourceLine(this.header, line)));
    return null;
  }

  /** Reports an error at an offset of the header text. */
  private failAt(offset: number, message: string): void {
    let line = 1;
    while (line < this.header.lineStarts.length && (this.header.lineStarts[line] ?? Infinity) <= offset) line++;
    const column = offset - (this.header.lineStarts[line - 1] ?? 0) + 1;
    this.errors.push(new GeneratorError(this.header.path, line, column, message, sourceLine(this.header, line)));
  }

  failWith(node: SyntaxNode, error: unknown, context: string): null {
    if (error instanceof EvaluationError) return this.fail(error.node.startIndex >= node.startIndex ? error.node : node, `${context}: ${error.message}`);
    if (error instanceof ExpansionError) return this.fail(node, `${context}: ${error.message}`);
    throw error;
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

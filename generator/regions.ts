/**
 * The fast path: find the parts of a header that extraction needs, so that
 * tree-sitter parses only those (through its `includedRanges` option) instead
 * of the whole file. The parts are every definition of a target enum and the
 * directives and typedefs that can change one (see findRegions). The scan is
 * lexical only: it skips comments, string and character literals, and finds
 * the token sequence `enum TAG {`.
 */
import { lexPpTokens } from "./pptokens.js";
import { isIdentifierPart, Scanner } from "./scanner.js";

/** A span of the text, with the 0-based row and column of both ends. */
export interface TextRange {
  readonly startIndex: number;
  readonly endIndex: number;
  readonly startPosition: { row: number; column: number };
  readonly endPosition: { row: number; column: number };
}

/** A span of the text as offsets, end exclusive. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** Result of the lexical scan. */
export interface ScanResult {
  /**
   * Ranges that hold preprocessor directives, definitions of the target
   * enums or `typedef <identifiers> NAME;`, in order and without overlaps.
   */
  readonly regions: Span[];
  /**
   * Each `__attribute__((...))` between `enum` and a tag, which tree-sitter-c
   * 0.24 reads as the tag, so the parser is given spaces in its place.
   */
  readonly enumAttributes: Span[];
  /** Start offset of each lexical definition of a target enum, active or not. */
  readonly definitions: Array<{ readonly tag: string; readonly start: number }>;
}

/** A `#define` or `#undef` line and the macro it names. */
interface MacroDirective extends Span {
  readonly name: string;
}

/**
 * Scans `text` for the parts extraction needs: the target enum definitions,
 * every conditional directive (they decide which definitions are active),
 * every `#error`, and only those `#define`/`#undef` lines and typedefs whose
 * name an enum, a conditional or another kept macro uses. bpf.h defines
 * hundreds of macros that no enum needs, and a BTF dump declares thousands
 * of typedefs.
 */
export function findRegions(text: string, tags: ReadonlySet<string>): ScanResult {
  const scanner = new Scanner(text);
  const result: ScanResult = { regions: [], enumAttributes: [], definitions: [] };
  const macros: MacroDirective[] = [];
  const typedefs: MacroDirective[] = [];
  while (scanner.skipTrivia()) {
    const start = scanner.index;
    const code = text.charCodeAt(start);
    if (code === 0x23 && scanner.startsLine(start)) {
      const end = Math.min(scanner.directiveEnd(start) + 1, text.length);
      const macro = macroDirectiveName(text, start + 1, end);
      if (macro === null) result.regions.push({ start, end });
      else if (macro !== "") macros.push({ start, end, name: macro });
      scanner.index = end;
    } else if (code === 0x22 || code === 0x27) {
      scanner.skipQuoted();
    } else if (isIdentifierPart(code)) {
      // Identifiers are compared in place: slicing each one would allocate a string per word.
      const length = scanner.skipIdentifier() - start;
      if (length === 4 && text.startsWith("enum", start)) {
        const end = enumDefinitionEnd(scanner, tags, result.enumAttributes, (tag) => result.definitions.push({ tag, start }));
        if (end !== -1) result.regions.push({ start, end });
      } else if (length === 7 && text.startsWith("typedef", start)) {
        const typedef = typedefDeclaration(scanner);
        if (typedef !== null) typedefs.push({ start, ...typedef });
      }
    } else {
      scanner.index++;
    }
  }
  const used = identifiersIn(text, result.regions);
  for (const name of [...tags, "enum"]) used.add(name);
  const keptMacros = usedMacros(text, macros, used);
  const keptTypedefs = typedefs.filter((typedef) => used.has(typedef.name));
  for (const { start, end } of [...keptMacros, ...keptTypedefs]) result.regions.push({ start, end });
  result.regions.sort((a, b) => a.start - b.start);
  return result;
}

/** Collects every identifier in the given parts of the text. */
function identifiersIn(text: string, spans: readonly Span[]): Set<string> {
  const names = new Set<string>();
  for (const span of spans) {
    for (const token of lexPpTokens(text.slice(span.start, span.end))) {
      if (token.kind === "identifier") names.add(token.text);
    }
  }
  return names;
}

/**
 * For a directive whose text after `#` starts at `from`: the macro name of a
 * `#define` or `#undef`, "" for a directive that extraction ignores
 * (`#include`, `#pragma`, `#line`), or null for one that is always kept
 * (conditionals, `#error`, and anything unrecognized).
 */
function macroDirectiveName(text: string, from: number, end: number): string | null {
  const directive = wordAfterBlanks(text, from, end);
  if (directive.word === "define" || directive.word === "undef") {
    const name = wordAfterBlanks(text, directive.end, end);
    return name.word === "" ? null : name.word;
  }
  if (directive.word === "include" || directive.word === "pragma" || directive.word === "line") return "";
  return null;
}

/**
 * Reads the identifier after spaces and tabs at `from`, or "" when something
 * else comes first (a comment, a continuation), which keeps the directive.
 */
function wordAfterBlanks(text: string, from: number, end: number): { word: string; end: number } {
  let start = from;
  while (start < end && (text.charCodeAt(start) === 0x20 || text.charCodeAt(start) === 0x09)) start++;
  let stop = start;
  while (stop < end && isIdentifierPart(text.charCodeAt(stop))) stop++;
  const first = text.charCodeAt(start);
  const startsIdentifier = stop > start && !(first >= 0x30 && first <= 0x39);
  return { word: startsIdentifier ? text.slice(start, stop) : "", end: stop };
}

/**
 * Returns the `#define`/`#undef` lines of macros in `used`, adding the identifiers
 * of each kept body to `used` until nothing changes, since a kept macro may
 * expand to others.
 */
function usedMacros(text: string, macros: readonly MacroDirective[], used: Set<string>): MacroDirective[] {
  const byName = new Map<string, MacroDirective[]>();
  for (const macro of macros) byName.set(macro.name, [...(byName.get(macro.name) ?? []), macro]);
  const kept: MacroDirective[] = [];
  const pending = [...used].filter((name) => byName.has(name));
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    const directives = byName.get(name) ?? [];
    byName.delete(name);
    kept.push(...directives);
    for (const identifier of identifiersIn(text, directives)) {
      if (used.has(identifier)) continue;
      used.add(identifier);
      if (byName.has(identifier)) pending.push(identifier);
    }
  }
  return kept;
}

/**
 * After the keyword `typedef`, reads `typedef <identifiers> NAME;`, the only
 * form that can name an integer type for a cast, and returns its end and
 * NAME. Otherwise returns null with the scanner after `typedef`, so that an
 * enum definition in a longer typedef is still found.
 */
function typedefDeclaration(scanner: Scanner): { end: number; name: string } | null {
  const afterKeyword = scanner.index;
  let words = 0;
  let nameStart = afterKeyword;
  while (scanner.skipTrivia() && isIdentifierPart(scanner.text.charCodeAt(scanner.index))) {
    nameStart = scanner.index;
    scanner.skipIdentifier();
    words++;
  }
  if (words >= 2 && scanner.text[scanner.index] === ";") {
    const name = scanner.text.slice(nameStart, scanner.index);
    scanner.index++;
    return { end: scanner.index, name };
  }
  scanner.index = afterKeyword;
  return null;
}

/**
 * After the keyword `enum`, reads an optional `__attribute__((...))` and the
 * tag. For a target tag followed by `{`, returns the end of the definition:
 * the matching `}` and the declarators up to `;`. Otherwise returns -1 and
 * leaves the scanner after what it read.
 */
function enumDefinitionEnd(
  scanner: Scanner,
  tags: ReadonlySet<string>,
  attributes: Span[],
  onDefinition: (tag: string) => void,
): number {
  const text = scanner.text;
  for (;;) {
    if (!scanner.skipTrivia()) return -1;
    const afterKeyword = scanner.index;
    const word = scanner.readIdentifier();
    if (word === "") return -1;
    if (word === "__attribute__" || word === "__attribute") {
      if (!scanner.skipTrivia() || text[scanner.index] !== "(" || !scanner.skipBalanced(0x28, 0x29)) return -1;
      attributes.push({ start: afterKeyword, end: scanner.index });
      continue;
    }
    if (!tags.has(word) || !scanner.skipTrivia() || text[scanner.index] !== "{") {
      scanner.index = afterKeyword + word.length;
      return -1;
    }
    onDefinition(word);
    if (!scanner.skipBalanced(0x7b, 0x7d)) return text.length;
    return declaratorsEnd(scanner);
  }
}

/** Extends a definition over the declarators after its `}` up to and including `;`. */
function declaratorsEnd(scanner: Scanner): number {
  const text = scanner.text;
  const closeBrace = scanner.index;
  while (scanner.skipTrivia()) {
    const code = text.charCodeAt(scanner.index);
    if (code === 0x3b) return scanner.index + 1;
    if (code === 0x7b || code === 0x7d || (code === 0x23 && scanner.startsLine(scanner.index))) return closeBrace;
    if (code === 0x28) {
      if (!scanner.skipBalanced(0x28, 0x29)) return closeBrace;
      continue;
    }
    scanner.index++;
  }
  return closeBrace;
}

/** Turns offset ranges into tree-sitter ranges with 0-based rows and columns. */
export function toTextRanges(
  regions: readonly Span[],
  lineStarts: readonly number[],
): TextRange[] {
  let line = 0;
  const position = (offset: number): { row: number; column: number } => {
    while (line + 1 < lineStarts.length && (lineStarts[line + 1] ?? Infinity) <= offset) line++;
    return { row: line, column: offset - (lineStarts[line] ?? 0) };
  };
  return regions.map((region) => {
    const startPosition = position(region.start);
    const endPosition = position(region.end);
    return { startIndex: region.start, endIndex: region.end, startPosition, endPosition };
  });
}

/**
 * Extraction: one header in, the target enums out, each enumerator with its
 * value and position. By default tree-sitter parses only the preprocessor
 * directives, integer typedefs and the target enum definitions (see
 * regions.ts); `fullParse` parses the whole file, and both must give the
 * same result. Both parse the text with the attributes after `enum` blanked.
 */
import Parser from "tree-sitter";
import C from "tree-sitter-c";
import { ENUM_SPECS } from "../src/enums.js";
import { GeneratorError, GeneratorErrors } from "./errors.js";
import { MacroTable } from "./macros.js";
import { lexPpTokens } from "./pptokens.js";
import { findRegions, toTextRanges, type ScanResult, type Span } from "./regions.js";
import { positionAt, sourceLine, type HeaderText } from "./source.js";
import { HeaderWalker, type RawEnum } from "./walk.js";

export interface ExtractOptions {
  /** Parse the whole file instead of only the parts extraction needs. */
  readonly fullParse?: boolean;
  /** Macros defined before the header, as `-D NAME=VALUE` defines them for a compiler. */
  readonly defines?: ReadonlyMap<string, string>;
}

const TARGET_TAGS: ReadonlySet<string> = new Set(ENUM_SPECS.map((spec) => spec.cName));

let sharedParser: Parser | null = null;

/** Returns the process's tree-sitter parser for C, created on first use. */
export function cParser(): Parser {
  if (sharedParser === null) {
    sharedParser = new Parser();
    sharedParser.setLanguage(C as unknown as Parser.Language);
  }
  return sharedParser;
}

/** Replaces each span with spaces, keeping line breaks so that every position stays the same. */
function blankSpans(text: string, spans: readonly Span[]): string {
  if (spans.length === 0) return text;
  let result = "";
  let cursor = 0;
  for (const span of spans) {
    result += text.slice(cursor, span.start) + text.slice(span.start, span.end).replace(/[^\r\n]/g, " ");
    cursor = span.end;
  }
  return result + text.slice(cursor);
}

/**
 * Reports a required enum whose only definitions are in inactive
 * preprocessor branches, at the first of them, so the error explains why the
 * header defines no such enum. It runs only after a walk without errors, so a
 * broken definition is never called inactive.
 */
function inactiveDefinitions(header: HeaderText, scan: ScanResult, found: ReadonlyMap<string, RawEnum>): GeneratorError[] {
  const errors: GeneratorError[] = [];
  for (const spec of ENUM_SPECS) {
    if (!spec.required || found.has(spec.cName)) continue;
    const definition = scan.definitions.find((candidate) => candidate.tag === spec.cName);
    if (definition === undefined) continue;
    const { line, column } = positionAt(header, definition.start);
    const message = `enum ${spec.cName}: its definition is in an inactive #if branch, so the header defines no enum ${spec.cName} - define the controlling macro with -D NAME`;
    errors.push(new GeneratorError(header.path, line, column, message, sourceLine(header, line)));
  }
  return errors;
}

/**
 * Extracts the active definitions of the target enums. Raises
 * GeneratorErrors with every located problem found in the header.
 */
export function extractEnums(header: HeaderText, options: ExtractOptions = {}): Map<string, RawEnum> {
  const parser = cParser();
  const scan = findRegions(header.text, TARGET_TAGS);
  // A string input makes node.text a substring; a callback input would re-read chunks for every node.
  const input = blankSpans(header.text, scan.enumAttributes);
  let tree: Parser.Tree;
  if (options.fullParse === true) {
    tree = parser.parse(input);
  } else {
    const includedRanges = toTextRanges(scan.regions, header.lineStarts);
    tree = includedRanges.length === 0 ? parser.parse("") : parser.parse(input, undefined, { includedRanges });
  }
  const macros = new MacroTable(options.defines, lexPpTokens);
  const walker = new HeaderWalker(header, TARGET_TAGS, macros, parser);
  walker.visit(tree.rootNode);
  if (walker.errors.length > 0) throw new GeneratorErrors(walker.errors);
  const inactive = inactiveDefinitions(header, scan, walker.enums);
  if (inactive.length > 0) throw new GeneratorErrors(inactive);
  return walker.enums;
}

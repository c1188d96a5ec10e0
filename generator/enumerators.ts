/**
 * Reading the enumerators of one enum definition: each value, explicit or
 * one more than the previous, checked against the range GCC can represent.
 */
import type { SyntaxNode, TreeCursor } from "tree-sitter";
import type { TypedValue } from "./ctypes.js";

/** An enumerator after evaluation, with its 1-based position. */
export interface RawEnumerator {
  readonly name: string;
  readonly value: bigint;
  readonly line: number;
  readonly column: number;
}

/** Walker services the reader uses for an enum body. */
export interface EnumBodyHost {
  /** Visits a body child, calling `onEnumerator` for each enumerator in an active branch. */
  visit(node: SyntaxNode, onEnumerator: (node: SyntaxNode) => void): void;
  evaluateInitializer(value: SyntaxNode): TypedValue;
  /** Records an enumerator so later initializers can name it; false if the name is taken. */
  declareEnumerator(name: string, value: bigint): boolean;
  /** The line of the #define when the preprocessor would replace `name`, else null. */
  replacingMacroLine(name: string): number | "-D" | null;
  position(node: SyntaxNode): { line: number; column: number };
  /** Reads the header text between two offsets, without a call into tree-sitter. */
  textAt(start: number, end: number): string;
  /** Returns the position of an offset, without a call into tree-sitter. */
  positionAt(offset: number): { line: number; column: number };
  fail(node: SyntaxNode, message: string): null;
  failWith(node: SyntaxNode, error: unknown, context: string): null;
}

/**
 * One enumerator as the reader takes it. Its node comes from `node`, or for
 * one read through a cursor, from the cursor when an error message needs it.
 */
interface EnumeratorEntry {
  readonly nameText: string;
  /** Offset of the name in the header text. */
  readonly nameStart: number;
  readonly initializer: SyntaxNode | null;
  readonly node: SyntaxNode | null;
  readonly cursor: TreeCursor | null;
}

function entryNode(entry: EnumeratorEntry): SyntaxNode {
  return entry.node ?? (entry.cursor as TreeCursor).currentNode;
}

function entryName(entry: EnumeratorEntry): SyntaxNode {
  const node = entryNode(entry);
  return node.childForFieldName("name") ?? node;
}

const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;
const UNSIGNED_LONG_MAX = (1n << 64n) - 1n;

/** Reads the enumerators of one enum body, following conditionals inside it. */
export class EnumeratorReader {
  private readonly enumerators: RawEnumerator[] = [];
  private next = 0n;
  private min = 0n;
  private max = 0n;
  private failed = false;

  constructor(
    private readonly host: EnumBodyHost,
    private readonly tag: string,
  ) {}

  /**
   * Returns the enumerators, or null after reporting an error. The body's own
   * enumerators are read through a tree cursor, which costs about a third of
   * what node objects cost in calls into tree-sitter's native code.
   * Conditionals and what they contain go through the walker.
   */
  read(body: SyntaxNode): RawEnumerator[] | null {
    const onEnumerator = (node: SyntaxNode): void => {
      if (!this.failed) this.enumerator(node);
    };
    const cursor = body.walk();
    for (let more = cursor.gotoFirstChild(); more && !this.failed; more = cursor.gotoNextSibling()) {
      if (!cursor.nodeIsNamed) continue;
      const type = cursor.nodeType;
      if (type === "enumerator") this.enumeratorAt(cursor);
      else if (type !== "comment") this.host.visit(cursor.currentNode, onEnumerator);
    }
    if (!this.failed && this.enumerators.length === 0) {
      this.host.fail(body, `enum ${this.tag}: no enumerators - C requires at least one`);
      return null;
    }
    return this.failed ? null : this.enumerators;
  }

  /** Reads the enumerator at the cursor, leaving the cursor where it was. */
  private enumeratorAt(cursor: TreeCursor): void {
    if (!cursor.gotoFirstChild()) return;
    if (cursor.currentFieldName !== "name") {
      cursor.gotoParent();
      this.enumerator(cursor.currentNode);
      return;
    }
    const nameStart = cursor.startIndex;
    const nameText = this.host.textAt(nameStart, cursor.endIndex);
    let initializer: SyntaxNode | null = null;
    while (cursor.gotoNextSibling()) {
      // Read afresh: TypeScript would keep the narrowing from the name check above.
      const field: string = cursor.currentFieldName;
      if (field === "value") initializer = cursor.currentNode;
    }
    cursor.gotoParent();
    this.accept({ nameText, nameStart, initializer, node: null, cursor });
  }

  private enumerator(node: SyntaxNode): void {
    const name = node.childForFieldName("name");
    if (name === null) return;
    this.accept({
      nameText: name.text,
      nameStart: name.startIndex,
      initializer: node.childForFieldName("value"),
      node,
      cursor: null,
    });
  }

  private accept(entry: EnumeratorEntry): void {
    const { nameText, initializer } = entry;
    const context = `enum ${this.tag}: ${nameText}`;
    const macroLine = this.host.replacingMacroLine(nameText);
    if (macroLine !== null) {
      const where = macroLine === "-D" ? "by -D" : `at line ${macroLine}`;
      const remedy = "undefine the macro or rename the enumerator";
      this.stop(entryName(entry), `${context}: the enumerator name is a macro defined ${where}, so the preprocessor replaces it - ${remedy}`);
      return;
    }
    const value = this.value(initializer, context);
    if (value === null) return;
    if (!this.inRange(entry, context, value)) return;
    if (!this.host.declareEnumerator(nameText, value)) {
      this.stop(entryName(entry), `${context}: redeclaration of enumerator ${nameText} - C allows each name once`);
      return;
    }
    this.enumerators.push({ name: nameText, value, ...this.host.positionAt(entry.nameStart) });
    this.next = value + 1n;
  }

  /** Returns the enumerator's explicit or implicit value, or null after reporting an error. */
  private value(initializer: SyntaxNode | null, context: string): bigint | null {
    if (initializer === null) return this.next;
    try {
      return this.host.evaluateInitializer(initializer).value;
    } catch (error) {
      this.failed = true;
      return this.host.failWith(initializer, error, context);
    }
  }

  /**
   * Checks that the value, and all values so far together, fit one GCC
   * integer type. GCC only warns when an enum needs both a negative value
   * and one above LONG_MAX, then reads the large ones as negative.
   */
  private inRange(entry: EnumeratorEntry, context: string, value: bigint): boolean {
    if (value < LONG_MIN || value > UNSIGNED_LONG_MAX) {
      this.stop(entryNode(entry), `${context}: value ${value} is outside the range of every C integer type`);
      return false;
    }
    const min = this.enumerators.length === 0 || value < this.min ? value : this.min;
    const max = this.enumerators.length === 0 || value > this.max ? value : this.max;
    if (min < 0n && max > LONG_MAX) {
      const remedy = "keep every value within long or within unsigned long";
      this.stop(entryNode(entry), `${context}: the values ${min} to ${max} fit no single integer type - ${remedy}`);
      return false;
    }
    this.min = min;
    this.max = max;
    return true;
  }

  private stop(node: SyntaxNode, message: string): void {
    this.failed = true;
    this.host.fail(node, message);
  }
}

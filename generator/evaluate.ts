/**
 * An evaluator for C integer constant expressions over tree-sitter-c nodes,
 * with BigInt arithmetic in the C types GCC uses on LP64 targets. Anything
 * that cannot be known from the header alone is an error, never a guess.
 */
import type { SyntaxNode } from "tree-sitter";
import { INT, LONG, UNSIGNED_LONG, castTo, commonType, fits, wrap } from "./ctypes.js";
import type { CastTarget, IntegerType, TypedValue } from "./ctypes.js";
import { LiteralError, parseCharLiteral, parseIntegerLiteral } from "./literals.js";
import { lexPpTokens } from "./pptokens.js";

/** An error in an expression, located at the node that caused it. */
export class EvaluationError extends Error {
  constructor(
    message: string,
    readonly node: SyntaxNode,
  ) {
    super(message);
  }
}

export interface EvaluationScope {
  /** Returns the value of an identifier, or undefined when it is not known. */
  lookup(name: string): TypedValue | undefined;
  /**
   * Returns the integer type that the words of a type name denote (`unsigned
   * long`, or a typedef name), or null when this scope cannot resolve it.
   * Without it, a cast is an error.
   */
  resolveType?(words: readonly string[]): CastTarget | null;
  /** In `#if`, arithmetic is done in intmax_t and uintmax_t (C11 6.10.1). */
  readonly preprocessor: boolean;
}

function truth(value: boolean): TypedValue {
  return { value: value ? 1n : 0n, type: INT };
}

/** Applies the integer promotions, and in `#if` the widening to intmax_t or uintmax_t. */
function promote(operand: TypedValue, scope: EvaluationScope): TypedValue {
  if (!scope.preprocessor || operand.type.bits === 64) return operand;
  return { value: operand.value, type: operand.type.signed ? LONG : UNSIGNED_LONG };
}

/** Evaluates an integer constant expression node. */
export function evaluate(node: SyntaxNode, scope: EvaluationScope): TypedValue {
  switch (node.type) {
    case "number_literal":
      return numberLiteral(node, scope);
    case "char_literal":
      return promote(literal(node, () => parseCharLiteral(node.text)), scope);
    case "parenthesized_expression":
      return evaluate(onlyExpression(node), scope);
    case "identifier":
      return identifier(node, scope);
    case "unary_expression":
      return unary(node, scope);
    case "binary_expression":
      return binary(node, scope);
    case "conditional_expression":
      return conditional(node, scope);
    case "cast_expression":
      return cast(node, scope);
    case "sizeof_expression":
    case "alignof_expression":
      throw new EvaluationError(`${node.text} depends on the target's type sizes, which a header does not define`, node);
    case "call_expression":
      if (typedefCast(node, scope) !== null) return castCall(node, scope);
      throw new EvaluationError(
        `${node.text} is a call or a function-like macro, which this generator does not expand`,
        node,
      );
    case "true":
    case "false":
      throw new EvaluationError(`${node.text} is not an integer constant in C before C23`, node);
    default:
      throw new EvaluationError(`${node.type.replaceAll("_", " ")} "${node.text}" is not an integer constant expression`, node);
  }
}

function literal(node: SyntaxNode, read: () => TypedValue): TypedValue {
  try {
    return read();
  } catch (error) {
    if (error instanceof LiteralError) throw new EvaluationError(error.message, node);
    throw error;
  }
}

/**
 * tree-sitter-c folds a sign into the literal after an operator or `=`, so
 * `-1` arrives as one number_literal. The sign is the unary operator of C,
 * applied in the literal's type.
 */
function numberLiteral(node: SyntaxNode, scope: EvaluationScope): TypedValue {
  const text = node.text;
  const sign = text[0] === "-" || text[0] === "+" ? text[0] : "";
  const operand = promote(literal(node, () => parseIntegerLiteral(text.slice(sign.length).trimStart())), scope);
  if (sign !== "-") return operand;
  return checked(-operand.value, operand.type, node);
}

function onlyExpression(node: SyntaxNode): SyntaxNode {
  const inner = node.namedChildren.filter((child) => child.type !== "comment");
  if (inner.length !== 1 || inner[0] === undefined) {
    throw new EvaluationError(`unexpected content in parentheses: ${node.text}`, node);
  }
  return inner[0];
}

function identifier(node: SyntaxNode, scope: EvaluationScope): TypedValue {
  const value = scope.lookup(node.text);
  if (value === undefined) {
    throw new EvaluationError(
      `undefined identifier ${node.text} - it is neither an earlier enumerator nor a macro defined in this header`,
      node,
    );
  }
  return promote(value, scope);
}

function field(node: SyntaxNode, name: string): SyntaxNode {
  const child = node.childForFieldName(name);
  if (child === null) throw new EvaluationError(`incomplete expression: ${node.text}`, node);
  return child;
}

/** Reports signed overflow, which C leaves undefined and GCC rejects in a constant expression. */
function checked(value: bigint, type: IntegerType, node: SyntaxNode): TypedValue {
  if (type.signed && !fits(value, type)) {
    throw new EvaluationError(`signed overflow: ${node.text} does not fit in ${type.name}`, node);
  }
  return { value: wrap(value, type), type };
}

function unary(node: SyntaxNode, scope: EvaluationScope): TypedValue {
  const operator = field(node, "operator").type;
  const operand = evaluate(field(node, "argument"), scope);
  switch (operator) {
    case "+":
      return operand;
    case "-":
      return checked(-operand.value, operand.type, node);
    case "~":
      return { value: wrap(~operand.value, operand.type), type: operand.type };
    case "!":
      return truth(operand.value === 0n);
    default:
      throw new EvaluationError(`operator ${operator} is not allowed in a constant expression`, node);
  }
}

function conditional(node: SyntaxNode, scope: EvaluationScope): TypedValue {
  const condition = evaluate(field(node, "condition"), scope);
  const consequence = evaluate(field(node, "consequence"), scope);
  const alternative = evaluate(field(node, "alternative"), scope);
  const type = commonType(consequence.type, alternative.type);
  const chosen = condition.value !== 0n ? consequence : alternative;
  return { value: wrap(chosen.value, type), type };
}

function cast(node: SyntaxNode, scope: EvaluationScope): TypedValue {
  const typeNode = field(node, "type");
  const operand = evaluate(field(node, "value"), scope);
  const words = lexPpTokens(typeNode.text);
  const target = words.every((word) => word.kind === "identifier")
    ? (scope.resolveType?.(words.map((word) => word.text)) ?? null)
    : null;
  if (target === null) {
    throw new EvaluationError(
      `cast to ${typeNode.text} needs a type this header does not define - only standard integer types are known`,
      typeNode,
    );
  }
  return promote(castTo(target, operand), scope);
}

/**
 * Without knowing typedef names, tree-sitter reads `(u32)(x)` as a call and
 * `(u32)-1` as a subtraction. Returns the cast target when `node` has such a
 * parenthesized typedef name as its function or left operand, else null.
 */
function typedefCast(node: SyntaxNode, scope: EvaluationScope): CastTarget | null {
  const head = node.childForFieldName(node.type === "call_expression" ? "function" : "left");
  if (head?.type !== "parenthesized_expression") return null;
  const inner = head.namedChildren.filter((child) => child.type !== "comment");
  if (inner.length !== 1 || inner[0]?.type !== "identifier") return null;
  if (scope.lookup(inner[0].text) !== undefined) return null;
  return scope.resolveType?.([inner[0].text]) ?? null;
}

function castCall(node: SyntaxNode, scope: EvaluationScope): TypedValue {
  const target = typedefCast(node, scope);
  const argumentsNode = field(node, "arguments");
  const operands = argumentsNode.namedChildren.filter((child) => child.type !== "comment");
  if (target === null || operands.length !== 1 || operands[0] === undefined) {
    throw new EvaluationError(`${node.text} is not a cast of one operand`, node);
  }
  return promote(castTo(target, evaluate(operands[0], scope)), scope);
}

/**
 * Reads `(u32) - 1` as a cast of `-1`. A cast binds tighter than every binary
 * operator, so a right operand that is itself a binary or conditional
 * expression (`(u8) - 1 * 2`) was grouped wrongly by tree-sitter, and is
 * reported instead.
 */
function castUnary(node: SyntaxNode, target: CastTarget, scope: EvaluationScope): TypedValue {
  const operator = field(node, "operator").type;
  const right = field(node, "right");
  if ((operator !== "-" && operator !== "+") || right.type === "binary_expression" || right.type === "conditional_expression") {
    throw new EvaluationError(`cast in ${node.text} is ambiguous here - put its operand in parentheses`, node);
  }
  const operand = evaluate(right, scope);
  const signed = operator === "-" ? checked(-operand.value, operand.type, node) : operand;
  return promote(castTo(target, signed), scope);
}

function binary(node: SyntaxNode, scope: EvaluationScope): TypedValue {
  const target = typedefCast(node, scope);
  if (target !== null) return castUnary(node, target, scope);
  const operator = field(node, "operator").type;
  const left = evaluate(field(node, "left"), scope);
  if (operator === "&&" && left.value === 0n) return truth(false);
  if (operator === "||" && left.value !== 0n) return truth(true);
  const right = evaluate(field(node, "right"), scope);
  if (operator === "&&" || operator === "||") return truth(right.value !== 0n);
  if (operator === "<<" || operator === ">>") return shift(node, operator, left, right);
  const type = commonType(left.type, right.type);
  const a = wrap(left.value, type);
  const b = wrap(right.value, type);
  switch (operator) {
    case "+":
      return checked(a + b, type, node);
    case "-":
      return checked(a - b, type, node);
    case "*":
      return checked(a * b, type, node);
    case "/":
    case "%":
      if (b === 0n) throw new EvaluationError(`division by zero in ${node.text}`, node);
      return checked(operator === "/" ? a / b : a % b, type, node);
    case "&":
      return { value: wrap(a & b, type), type };
    case "|":
      return { value: wrap(a | b, type), type };
    case "^":
      return { value: wrap(a ^ b, type), type };
    case "==":
      return truth(a === b);
    case "!=":
      return truth(a !== b);
    case "<":
      return truth(a < b);
    case "<=":
      return truth(a <= b);
    case ">":
      return truth(a > b);
    case ">=":
      return truth(a >= b);
    default:
      throw new EvaluationError(`operator ${operator} is not allowed in a constant expression`, node);
  }
}

/**
 * Shifts in the type of the left operand. A count below 0 or at least the
 * type's width is undefined in C and rejected. A left shift keeps the low
 * bits of the result, as GCC does for a signed operand.
 */
function shift(node: SyntaxNode, operator: "<<" | ">>", left: TypedValue, right: TypedValue): TypedValue {
  const type = left.type;
  if (right.value < 0n || right.value >= BigInt(type.bits)) {
    throw new EvaluationError(
      `shift count ${right.value} is out of range for ${type.name}, which has ${type.bits} bits`,
      node,
    );
  }
  const value = operator === "<<" ? left.value << right.value : left.value >> right.value;
  return { value: wrap(value, type), type };
}


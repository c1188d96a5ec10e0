/**
 * bpf-uapi: the bpf.h enums and delegate tables of the newest shipped Linux
 * release, and a parser, formatter and linter for the BPF filesystem
 * delegation mount options (`delegate_cmds`, `delegate_maps`,
 * `delegate_progs`, `delegate_attachs`, Linux 6.9+).
 *
 * Other versions are separate entry points: `bpf-uapi/v6.1`,
 * `bpf-uapi/next`, and `bpf-uapi/VERSION/constants` for const objects in
 * place of TypeScript enums.
 *
 * @example
 * ```ts
 * import { BpfCmd, format, parse } from "bpf-uapi";
 *
 * const { masks } = parse("delegate_cmds=map_create:prog_load");
 * masks.cmds === ((1n << BigInt(BpfCmd.BPF_MAP_CREATE)) | (1n << BigInt(BpfCmd.BPF_PROG_LOAD))); // true
 * format(masks); // "delegate_cmds=map_create:prog_load"
 * ```
 *
 * @packageDocumentation
 */

// The enums and tables of DEFAULT_KERNEL. A test checks that this path
// follows DEFAULT_KERNEL when a newer release is generated.
export * from "../generated/v6.18/index.js";

export { DEFAULT_KERNEL, KERNELS, KERNEL_TABLES, type Kernel } from "../generated/index.js";
export { NAME_HISTORY, type NameSpan } from "../generated/history.js";
export { kernelsHaving } from "./history.js";

export { parse, type DelegateMasks, type Diagnostic, type ParseMode, type ParseOptions, type ParseResult } from "./parse.js";
export { format, formatOption } from "./format.js";
export { lint, type Lint, type LintCode } from "./lint.js";
export { parseSystemd, SYSTEMD_SETTINGS, systemdName, toSystemd } from "./systemd.js";
export { decodeMountField, readBpffsMounts, type BpffsMount } from "./mounts.js";
export { diffKernels, type AliasChange, type KernelDiff, type NamedBit, type OptionDiff } from "./diff.js";
export { compareKernelLabels, resolveKernel, shippedKernels } from "./kernel.js";
export { BpfUapiError, DelegationError, type Errno, type RejectionDetails } from "./errors.js";
export { DELEGATION_SINCE, MASK_BITS, MASK_KEYS, type DelegateOption, type MaskKey } from "./enums.js";
export { nullPrototype, type DelegateName, type DelegateTable, type KernelTables } from "./tables.js";

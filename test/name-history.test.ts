/**
 * Tests of kernelsHaving and of the remedies built from the shipped
 * versions that have a delegate name.
 */
import { describe, expect, it } from "vitest";

import type { DelegateOption } from "../src/enums.js";
import { BpfUapiError } from "../src/errors.js";
import { compareReleases, kernelsHaving, type NameSpan } from "../src/history.js";
import { nameSpanRemedy } from "../src/suggest.js";
import { shippedSpan } from "./support/shipped.js";

describe("kernelsHaving", () => {
  // The spans of names the shipped tables have are derived from those
  // tables, so adding a shipped version does not break these cases.
  const cases: { option: DelegateOption; name: string; want: NameSpan | null }[] = [
    { option: "delegate_cmds", name: "map_create", want: shippedSpan("cmds", "map_create") },
    { option: "delegate_cmds", name: "MAP_CREATE", want: shippedSpan("cmds", "map_create") },
    { option: "delegate_cmds", name: "prog_run", want: shippedSpan("cmds", "prog_run") },
    { option: "delegate_cmds", name: "token_create", want: shippedSpan("cmds", "token_create") },
    { option: "delegate_cmds", name: "prog_assoc_struct_ops", want: shippedSpan("cmds", "prog_assoc_struct_ops") },
    { option: "delegate_maps", name: "insn_array", want: shippedSpan("maps", "insn_array") },
    { option: "delegate_progs", name: "netfilter", want: shippedSpan("progs", "netfilter") },
    { option: "delegate_attachs", name: "netkit_peer", want: shippedSpan("attachs", "netkit_peer") },
    { option: "delegate_cmds", name: "kprobe", want: null },
    { option: "delegate_cmds", name: "bpf_map_create", want: null },
    { option: "delegate_cmds", name: "__max_bpf_cmd", want: null },
    { option: "delegate_cmds", name: "common_attrs", want: null },
    { option: "delegate_cmds", name: "map_\u212Areate", want: null },
    { option: "delegate_cmds", name: "any", want: null },
    { option: "delegate_cmds", name: "", want: null },
  ];

  it("derives spans for shipped names", () => {
    for (const { option, name, want } of cases.slice(0, 8)) expect(want, `${option} ${name}`).not.toBeNull();
  });

  it.each(cases)("$option $name", ({ option, name, want }) => {
    expect(kernelsHaving(option, name)).toEqual(want);
  });

  it("rejects a non-delegate option", () => {
    const call = (): NameSpan | null => kernelsHaving("delegate_links" as DelegateOption, "map_create");
    expect(call).toThrow(BpfUapiError);
    expect(call).toThrow('option: "delegate_links" is not a delegate option - use one of delegate_cmds, delegate_maps, delegate_progs, delegate_attachs');
  });

  it("rejects a non-string name", () => {
    const call = (): NameSpan | null => kernelsHaving("delegate_cmds", 5 as unknown as string);
    expect(call).toThrow('name: expected a string, got number - pass a name such as "map_create"');
  });
});

describe("compareReleases", () => {
  const cases: { left: string; right: string; want: number }[] = [
    { left: "6.1", right: "6.18", want: -1 },
    { left: "6.18", right: "6.12-custom", want: 1 },
    { left: "6.18", right: "v6.18.44-foo", want: 0 },
    { left: "next", right: "6.18", want: 1 },
    { left: "6.1", right: "6.18-custom", want: -1 },
  ];

  it.each(cases)("$left against $right", ({ left, right, want }) => {
    expect(Math.sign(compareReleases(left, right))).toBe(want);
  });
});

describe("nameSpanRemedy", () => {
  const cases: { name: string; span: NameSpan; kernel: string; want: string }[] = [
    {
      name: "prog_assoc_struct_ops",
      span: { first: "next", last: "next" },
      kernel: "6.18",
      want: "prog_assoc_struct_ops needs a newer kernel: the first shipped version that has it is next",
    },
    {
      name: "token_create",
      span: { first: "6.18", last: "next" },
      kernel: "6.12.3-custom",
      want: "token_create needs a newer kernel: the first shipped version that has it is 6.18",
    },
    {
      name: "old_name",
      span: { first: "6.1", last: "6.1" },
      kernel: "6.18",
      want: "old_name needs an older kernel: the last shipped version that has it is 6.1",
    },
    {
      name: "arena",
      span: { first: "6.18", last: "next" },
      kernel: "6.18",
      want: "arena is missing from the 6.18 tables, although shipped versions 6.18 and next have it",
    },
    {
      name: "arena",
      span: { first: "6.18", last: "6.18" },
      kernel: "6.18",
      want: "arena is missing from the 6.18 tables, although shipped version 6.18 has it",
    },
  ];

  it.each(cases)("$name on $kernel", ({ name, span, kernel, want }) => {
    expect(nameSpanRemedy(name, span, kernel)).toBe(want);
  });
});

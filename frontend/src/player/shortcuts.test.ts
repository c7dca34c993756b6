import { describe, expect, it } from "vitest";
import { commandFor, keyBelongsToTarget } from "./shortcuts";

const key = (name: string, modifiers: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}) => ({
  key: name,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...modifiers,
});

describe("commandFor", () => {
  it("maps the usual video-site keys", () => {
    expect(commandFor(key(" "))).toEqual({ type: "toggle-play" });
    expect(commandFor(key("K"))).toEqual({ type: "toggle-play" });
    expect(commandFor(key("j"))).toEqual({ type: "seek-by", seconds: -10 });
    expect(commandFor(key("l"))).toEqual({ type: "seek-by", seconds: 10 });
    expect(commandFor(key("ArrowLeft"))).toEqual({ type: "seek-by", seconds: -5 });
    expect(commandFor(key("ArrowRight"))).toEqual({ type: "seek-by", seconds: 5 });
    expect(commandFor(key("f"))).toEqual({ type: "toggle-fullscreen" });
    expect(commandFor(key("m"))).toEqual({ type: "toggle-mute" });
    expect(commandFor(key("0"))).toEqual({ type: "seek-to-fraction", fraction: 0 });
    expect(commandFor(key("7"))).toEqual({ type: "seek-to-fraction", fraction: 0.7 });
  });

  it("leaves browser shortcuts and other keys alone", () => {
    expect(commandFor(key("f", { ctrlKey: true }))).toBeNull();
    expect(commandFor(key("l", { metaKey: true }))).toBeNull();
    expect(commandFor(key("x"))).toBeNull();
    expect(commandFor(key("Tab"))).toBeNull();
  });
});

describe("keyBelongsToTarget", () => {
  it("lets fields, lists and buttons keep their own keys", () => {
    const input = document.createElement("input");
    const range = Object.assign(document.createElement("input"), { type: "range" });
    const button = document.createElement("button");
    expect(keyBelongsToTarget(input, "k")).toBe(true);
    expect(keyBelongsToTarget(document.createElement("select"), "ArrowRight")).toBe(true);
    expect(keyBelongsToTarget(range, "ArrowRight")).toBe(false);
    expect(keyBelongsToTarget(button, " ")).toBe(true);
    expect(keyBelongsToTarget(button, "k")).toBe(false);
    expect(keyBelongsToTarget(document.body, " ")).toBe(false);
  });
});

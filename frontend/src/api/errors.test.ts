import { describe, expect, it } from "vitest";
import { ApiError, describeFailure, detailText, fieldErrors, isAbort, NETWORK_DOWN, SESSION_EXPIRED } from "./errors";

describe("detailText", () => {
  it("reads a string detail", () => {
    expect(detailText({ detail: "Video not found" })).toBe("Video not found");
  });

  const signupBody = {
    detail: [
      {
        loc: ["body", "password"],
        msg: "String should have at least 8 characters",
        type: "string_too_short",
        ctx: { min_length: 8 },
      },
      { loc: ["body", "email"], msg: "value is not a valid email address: An email address must have an @-sign.", type: "value_error" },
    ],
  };

  it("puts FastAPI validation issues in plain words with their field names, never the validator's text", () => {
    expect(detailText(signupBody)).toBe(
      "Password: use at least 8 characters. Email: enter an email address like name@example.com.",
    );
  });

  it("calls the login form's username field Email", () => {
    expect(detailText({ detail: [{ loc: ["body", "username"], msg: "Field required", type: "missing" }] })).toBe(
      "Email: this is required.",
    );
  });

  it("gives each refused field its own plain message", () => {
    expect(fieldErrors(signupBody)).toEqual({
      password: "Use at least 8 characters.",
      email: "Enter an email address like name@example.com.",
    });
    expect(fieldErrors({ detail: "Not Found" })).toEqual({});
  });

  it("returns null for bodies without a detail", () => {
    expect(detailText(null)).toBeNull();
    expect(detailText("Internal Server Error")).toBeNull();
    expect(detailText({ detail: [] })).toBeNull();
  });
});

describe("describeFailure", () => {
  it("says a taken email is taken", () => {
    expect(describeFailure("signup", 409, { detail: "An account with this email already exists" })).toMatch(
      /already exists.*Log in instead/,
    );
  });

  it("says a wrong password on login, but an expired session elsewhere", () => {
    expect(describeFailure("login", 401, { detail: "Incorrect email or password" })).toBe("Wrong email or password.");
    expect(describeFailure("list", 401, { detail: "Not authenticated" })).toBe(SESSION_EXPIRED);
  });

  it("names the upload limit from the 413 detail", () => {
    expect(describeFailure("upload", 413, { detail: "The upload is larger than the limit of 2147483648 bytes" })).toBe(
      "This file is too large to upload. The limit is 2.15 GB.",
    );
    expect(describeFailure("upload", 413, null)).toBe("This file is too large to upload.");
  });

  it("says a non-video is not a video", () => {
    expect(describeFailure("upload", 415, { detail: "The file is not a supported video container" })).toMatch(
      /not a video Vidvault can store/,
    );
  });

  it("explains validation failures", () => {
    const body = {
      detail: [{ loc: ["body", "title"], msg: "String should have at most 200 characters", type: "string_too_long", ctx: { max_length: 200 } }],
    };
    expect(describeFailure("rename", 422, body)).toBe("Please check your input. Title: use at most 200 characters.");
  });

  it("turns Retry-After into minutes for throttled logins", () => {
    expect(describeFailure("login", 429, { detail: "Too many" }, "600")).toBe(
      "Too many failed login attempts. Wait 10 minutes and try again.",
    );
    expect(describeFailure("login", 429, { detail: "Too many" }, null)).toMatch(/Wait a few minutes/);
    expect(describeFailure("signup", 429, { detail: "Too many" }, "3600")).toBe(
      "Too many accounts were created from this network. Wait 60 minutes and try again.",
    );
  });

  it("reports a missing video and server trouble", () => {
    expect(describeFailure("load", 404, { detail: "Video not found" })).toMatch(/does not exist/);
    expect(describeFailure("list", 503, { detail: "The database is unavailable" })).toMatch(/temporarily unavailable/);
    expect(describeFailure("list", 502, null)).toBe("The server ran into a problem (HTTP 502). Try again in a moment.");
  });

  it("falls back to the detail and the status", () => {
    expect(describeFailure("delete", 418, { detail: "I'm a teapot" })).toBe("I'm a teapot (HTTP 418).");
    expect(describeFailure("delete", 400, null)).toBe("The request failed (HTTP 400).");
  });
});

describe("ApiError and isAbort", () => {
  it("keeps the status, null for a network failure", () => {
    const error = new ApiError(NETWORK_DOWN, null);
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBeNull();
    expect(error.message).toMatch(/Cannot reach/);
  });

  it("recognises aborts only", () => {
    expect(isAbort(new DOMException("stop", "AbortError"))).toBe(true);
    expect(isAbort(new Error("AbortError"))).toBe(false);
  });
});

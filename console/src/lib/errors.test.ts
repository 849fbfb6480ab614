import { describe, expect, it } from "vitest";

import { describeError, isUnauthenticated } from "./errors";

describe("errors as a person reads them", () => {
  it("head the server's message with a Chinese title from its code", () => {
    const error = { graphQLErrors: [{ message: "诉求处于“已提出”状态，不能签收", extensions: { code: "INVALID_TRANSITION" } }] };
    expect(describeError(error)).toEqual({ code: "INVALID_TRANSITION", title: "当前状态不允许此操作", detail: "诉求处于“已提出”状态，不能签收", field: undefined });
  });

  it("name the field when the server does", () => {
    const error = { graphQLErrors: [{ message: "统一社会信用代码校验位错误", extensions: { code: "INVALID_INPUT", field: "uscc" } }] };
    expect(describeError(error)?.field).toBe("uscc");
  });

  it("say the server is unreachable without showing the network's words", () => {
    expect(describeError({ networkError: new Error("Failed to fetch") })).toMatchObject({ code: "NETWORK", title: "无法连接服务器" });
  });

  it("send an expired sign-in back to 登录", () => {
    expect(isUnauthenticated({ graphQLErrors: [{ message: "the token has expired", extensions: { code: "UNAUTHENTICATED" } }] })).toBe(true);
    expect(isUnauthenticated(null)).toBe(false);
  });
});

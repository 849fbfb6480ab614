// What a person reads when something fails: a Chinese heading from the error's code, and the
// server's own message as it gave it (the API's words, never a stack or a request).

export interface GraphQLErrorLike {
  message: string;
  extensions?: Record<string, unknown>;
}

export interface ErrorLike {
  graphQLErrors?: readonly GraphQLErrorLike[];
  networkError?: { message?: string } | Error | null;
  message?: string;
  response?: { status?: number };
}

export const ERROR_TITLES: Record<string, string> = {
  UNAUTHENTICATED: "登录已失效，请重新登录",
  FORBIDDEN: "无权执行此操作",
  INVALID_TRANSITION: "当前状态不允许此操作",
  INVALID_INPUT: "填写的内容有误",
  NOT_FOUND: "未找到该记录，或无权查看",
  CONFLICT: "与已有记录冲突",
  SERVICE_UNAVAILABLE: "服务暂时不可用，请稍后重试",
  INTERNAL: "系统内部错误，已记录，请稍后重试",
};

export interface DescribedError {
  code: string;
  title: string;
  detail: string;
  field?: string;
}

/** The first error of a failed request, described for a person. */
export function describeError(error: ErrorLike | null | undefined): DescribedError | null {
  if (!error) return null;
  const first = error.graphQLErrors?.[0];
  if (first) {
    const code = String(first.extensions?.code ?? "INTERNAL");
    const field = first.extensions?.field;
    return {
      code,
      title: ERROR_TITLES[code] ?? "操作未成功",
      detail: first.message,
      field: typeof field === "string" ? field : undefined,
    };
  }
  if (error.networkError) {
    return {
      code: "NETWORK",
      title: "无法连接服务器",
      detail: "请检查网络连接后重试。",
    };
  }
  return { code: "INTERNAL", title: "操作未成功", detail: error.message ?? "" };
}

/** Whether the error means the token is gone or expired (back to 登录). */
export function isUnauthenticated(error: ErrorLike | null | undefined): boolean {
  return describeError(error)?.code === "UNAUTHENTICATED";
}

// A mutation as a person uses it: send, remember its position (read-your-writes), say it worked
// or why it did not, and hand back whether it succeeded.
import { App } from "antd";
import { useCallback, useState } from "react";
import { type AnyVariables, type TypedDocumentNode, useMutation } from "urql";

import { type DescribedError, describeError } from "../lib/errors";

export function useAction<D extends Record<string, unknown>, V extends AnyVariables>(
  document: TypedDocumentNode<D, V>,
) {
  const [state, execute] = useMutation<D, V>(document);
  const [error, setError] = useState<DescribedError | null>(null);
  const { message } = App.useApp();

  const run = useCallback(
    async (variables: V, done?: string): Promise<D | null> => {
      setError(null);
      const result = await execute(variables, { requestPolicy: "network-only" });
      if (result.error || !result.data) {
        const described = describeError(result.error);
        setError(described);
        if (described) message.error(`${described.title}：${described.detail}`, 6);
        return null;
      }
      if (done) message.success(done);
      return result.data;
    },
    [execute, message],
  );

  return { run, fetching: state.fetching, error, clearError: () => setError(null) };
}

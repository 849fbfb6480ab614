import { Alert } from "antd";

import type { DescribedError } from "../lib/errors";

/** A refused action or a failed read, as it stays on screen: what failed and the server's words. */
export function ErrorAlert({ error, onClose }: { error: DescribedError | null; onClose?: () => void }) {
  if (!error) return null;
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={error.title}
      description={error.detail}
      closable={onClose ? { onClose } : undefined}
      style={{ marginBottom: 16 }}
      data-testid="action-error"
    />
  );
}

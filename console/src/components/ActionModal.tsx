import { Form, Modal } from "antd";
import type { ReactNode } from "react";

import type { DescribedError } from "../lib/errors";
import { ErrorAlert } from "./ErrorAlert";

/** One action's form in a dialog; a refusal stays on screen in the dialog. */
export function ActionModal<V extends object>({
  title,
  open,
  okText,
  busy,
  error,
  onCancel,
  onSubmit,
  children,
  initialValues,
}: {
  title: string;
  open: boolean;
  okText: string;
  busy: boolean;
  error: DescribedError | null;
  onCancel: () => void;
  onSubmit: (values: V) => void;
  children: ReactNode;
  initialValues?: Partial<V>;
}) {
  const [form] = Form.useForm<V>();
  return (
    <Modal
      title={title}
      open={open}
      okText={okText}
      cancelText="取消"
      confirmLoading={busy}
      onCancel={onCancel}
      onOk={() => form.submit()}
      destroyOnHidden
      forceRender
    >
      <ErrorAlert error={error} />
      <Form<V> form={form} layout="vertical" onFinish={onSubmit} initialValues={initialValues} preserve={false}>
        {children}
      </Form>
    </Modal>
  );
}

import { Button, Card, Form, Input, Result, Select, Space } from "antd";
import { useState } from "react";
import { useNavigate } from "react-router-dom";

import { ErrorAlert } from "../../components/ErrorAlert";
import { PageTitle } from "../../components/common";
import { useAction } from "../../components/useAction";
import type { IssueCategory } from "../../gql/graphql";
import { newIdempotencyKey } from "../../lib/idempotency";
import { CATEGORY_LABELS, optionsOf } from "../../lib/labels";
import { SubmitDirectReportMutation } from "../../operations";

/** 提交直报: a business-environment problem or suggestion, straight to the bureau. */
export default function SubmitReport() {
  const navigate = useNavigate();
  const submit = useAction(SubmitDirectReportMutation);
  const [key, setKey] = useState(newIdempotencyKey);
  const [done, setDone] = useState<string | null>(null);
  const [form] = Form.useForm();

  if (done) {
    return (
      <Result
        status="success"
        title="直报已提交"
        subTitle="督导员派单后，承办部门须在5个工作日内答复。"
        extra={[
          <Button type="primary" key="view" onClick={() => navigate(`/issues/${done}`)}>查看直报</Button>,
          <Button key="again" onClick={() => { setDone(null); form.resetFields(); }}>继续提交</Button>,
        ]}
      />
    );
  }
  return (
    <>
      <PageTitle title="提交直报">营商环境问题及建议直报：提交后由督导员派单，办理结果在“我的直报”中查看。</PageTitle>
      <Card size="small" style={{ maxWidth: 720 }}>
        <ErrorAlert error={submit.error} onClose={submit.clearError} />
        <Form
          form={form}
          layout="vertical"
          disabled={submit.fetching}
          onFinish={async (v: { category: IssueCategory; title: string; description: string }) => {
            const r = await submit.run({ input: { ...v, idempotencyKey: key } }, "直报已提交");
            if (r) {
              setKey(newIdempotencyKey());
              setDone(r.submitDirectReport.issue.id);
            }
          }}
        >
          <Form.Item name="category" label="问题类别" rules={[{ required: true, message: "请选择问题类别" }]}>
            <Select options={optionsOf(CATEGORY_LABELS)} listHeight={360} showSearch={{ optionFilterProp: "label" }} placeholder="选择类别" />
          </Form.Item>
          <Form.Item name="title" label="标题" rules={[{ required: true, whitespace: true, message: "请填写标题" }]}>
            <Input maxLength={200} showCount />
          </Form.Item>
          <Form.Item name="description" label="问题或建议" rules={[{ required: true, whitespace: true, message: "请填写问题或建议" }]}>
            <Input.TextArea rows={6} maxLength={2000} showCount />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={submit.fetching}>提交</Button>
          </Space>
        </Form>
      </Card>
    </>
  );
}

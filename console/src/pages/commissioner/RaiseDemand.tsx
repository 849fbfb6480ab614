import { Alert, Button, Card, Form, Input, Select, Space } from "antd";
import { useState } from "react";
import { useNavigate, useParams } from "react-router-dom";

import { ErrorAlert } from "../../components/ErrorAlert";
import { PageTitle } from "../../components/common";
import { useAction } from "../../components/useAction";
import type { IssueCategory } from "../../gql/graphql";
import { newIdempotencyKey } from "../../lib/idempotency";
import { CATEGORY_LABELS, optionsOf } from "../../lib/labels";
import { RaiseDemandMutation } from "../../operations";

/** 提出诉求 from a visit: the demand points back at the visit it was heard in. */
export default function RaiseDemand() {
  const { id = "", visitId = "" } = useParams();
  const navigate = useNavigate();
  const raise = useAction(RaiseDemandMutation);
  const [key] = useState(newIdempotencyKey);
  const [category, setCategory] = useState<IssueCategory | null>(null);

  async function submit(v: { category: IssueCategory; title: string; description: string }) {
    const done = await raise.run(
      { input: { enterpriseId: id, visitId, category: v.category, title: v.title, description: v.description, idempotencyKey: key } },
      "诉求已提出，等待督导员派单",
    );
    if (done) navigate(`/issues/${done.raiseDemand.issue.id}`, { replace: true });
  }

  return (
    <>
      <PageTitle title="提出诉求">走访中听到的企业诉求，提交后由督导员派单给承办部门。</PageTitle>
      <Card size="small" style={{ maxWidth: 720 }}>
        <ErrorAlert error={raise.error} onClose={raise.clearError} />
        {category === "URGENT_HIRING" && (
          <Alert type="warning" showIcon style={{ marginBottom: 12 }} title="紧急用工诉求须在派单后4小时内签收、3个工作日内办结。" />
        )}
        <Form layout="vertical" onFinish={submit} disabled={raise.fetching}>
          <Form.Item name="category" label="诉求类别" rules={[{ required: true, message: "请选择诉求类别" }]}>
            <Select options={optionsOf(CATEGORY_LABELS)} listHeight={360} showSearch={{ optionFilterProp: "label" }} onChange={setCategory} placeholder="选择类别" />
          </Form.Item>
          <Form.Item name="title" label="诉求标题" rules={[{ required: true, whitespace: true, message: "请填写诉求标题" }]}>
            <Input maxLength={200} showCount />
          </Form.Item>
          <Form.Item name="description" label="诉求内容" rules={[{ required: true, whitespace: true, message: "请填写诉求内容" }]}>
            <Input.TextArea rows={5} maxLength={2000} showCount />
          </Form.Item>
          <Space>
            <Button type="primary" htmlType="submit" loading={raise.fetching}>
              提交诉求
            </Button>
            <Button onClick={() => navigate(`/enterprises/${id}`)}>取消</Button>
          </Space>
        </Form>
      </Card>
    </>
  );
}

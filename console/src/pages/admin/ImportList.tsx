import { InboxOutlined } from "@ant-design/icons";
import { Alert, Button, Card, Checkbox, Space, Statistic, Table, Tag, Typography, Upload } from "antd";
import { useState } from "react";

import { ErrorAlert } from "../../components/ErrorAlert";
import { PageTitle } from "../../components/common";
import { useAction } from "../../components/useAction";
import type { ImportEnterprisesMutation as Answer } from "../../gql/graphql";
import { toBase64, uploadProblem } from "../../lib/upload";
import { ImportEnterprisesMutation } from "../../operations";

type Report = Answer["importEnterprises"];
type Line = Report["lines"][number];

const OUTCOME_COLOURS: Record<string, string> = {
  IMPORTED: "green",
  ASSIGNED: "green",
  UNCHANGED: "default",
  INVALID: "red",
  NOT_IMPORTED: "blue",
  FAILED: "red",
};

/** 名单导入: upload the bureau's list, see what every row would become, then import. */
export default function ImportList() {
  const importing = useAction(ImportEnterprisesMutation);
  const [file, setFile] = useState<{ name: string; content: string } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [report, setReport] = useState<Report | null>(null);
  const [skipInvalid, setSkipInvalid] = useState(false);

  async function choose(chosen: File) {
    setReport(null);
    importing.clearError();
    const why = uploadProblem(chosen.name, chosen.size);
    setProblem(why);
    if (why) return;
    const content = toBase64(new Uint8Array(await chosen.arrayBuffer()));
    setFile({ name: chosen.name, content });
    const answer = await importing.run({ input: { filename: chosen.name, contentBase64: content, dryRun: true } });
    if (answer) setReport(answer.importEnterprises);
  }

  async function confirm() {
    if (!file) return;
    const answer = await importing.run(
      { input: { filename: file.name, contentBase64: file.content, dryRun: false, skipInvalid } },
      "导入完成",
    );
    if (answer) setReport(answer.importEnterprises);
  }

  const invalid = report?.counts.find((c) => c.outcome === "INVALID")?.rows ?? 0;
  const pending = report?.counts.find((c) => c.outcome === "NOT_IMPORTED")?.rows ?? 0;
  return (
    <>
      <PageTitle title="企业名单导入">
        上传“一对一”服务企业名单（.xlsx 或 .csv），先逐行预览，确认后再导入；重复导入同一文件不会重复写入。
      </PageTitle>
      <Card size="small" style={{ marginBottom: 16 }}>
        <Upload.Dragger
          accept=".xlsx,.csv"
          showUploadList={false}
          beforeUpload={(chosen) => {
            void choose(chosen);
            return false; // read here and sent through GraphQL, never posted by the widget
          }}
          disabled={importing.fetching}
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">点击或拖入企业名单文件</p>
          <p className="ant-upload-hint">表头：序号、企业名称、统一社会信用代码、所属区县、所属产业、联系人、联系电话、服务专员</p>
        </Upload.Dragger>
        {file && <Typography.Text type="secondary">已选择：{file.name}</Typography.Text>}
      </Card>
      {problem && <Alert type="error" showIcon title={problem} style={{ marginBottom: 16 }} />}
      <ErrorAlert error={importing.error} onClose={importing.clearError} />
      {report && (
        <Card
          size="small"
          title={report.dryRun ? "预览（尚未写入）" : report.applied ? "导入结果" : "未导入"}
          extra={
            report.dryRun &&
            pending > 0 && (
              <Space wrap>
                {invalid > 0 && (
                  <Checkbox checked={skipInvalid} onChange={(e) => setSkipInvalid(e.target.checked)}>
                    跳过 {invalid} 行有误的，导入其余
                  </Checkbox>
                )}
                <Button type="primary" loading={importing.fetching} disabled={invalid > 0 && !skipInvalid} onClick={confirm}>
                  确认导入
                </Button>
              </Space>
            )
          }
        >
          <Space wrap size="large" style={{ marginBottom: 12 }}>
            {report.counts.map((c) => (
              <Statistic key={c.outcome} title={c.outcomeLabel} value={c.rows} suffix="行" />
            ))}
          </Space>
          {report.dryRun && invalid > 0 && (
            <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={`有 ${invalid} 行有误：改正文件后重新上传，或勾选“跳过”只导入无误的行。`} />
          )}
          <Table<Line>
            size="small"
            rowKey="row"
            dataSource={report.lines}
            scroll={{ x: true }}
            pagination={{ pageSize: 50, showSizeChanger: false, showTotal: (t) => `共 ${t} 行` }}
            columns={[
              { title: "行号", dataIndex: "row", width: 70 },
              { title: "企业名称", dataIndex: "name" },
              { title: "统一社会信用代码", dataIndex: "uscc" },
              { title: "结果", key: "outcome", render: (_, l) => <Tag color={OUTCOME_COLOURS[l.outcome]}>{l.outcomeLabel}</Tag> },
              { title: "说明", dataIndex: "detail" },
            ]}
          />
        </Card>
      )}
    </>
  );
}

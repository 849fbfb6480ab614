import { Card, Typography } from "antd";

import { NotAvailable, PageTitle } from "../../components/common";

/** 名单导入: the spreadsheet import runs on the server's command line until the API offers it. */
export default function ImportList() {
  return (
    <>
      <PageTitle title="企业名单导入" />
      <NotAvailable title="网页上传名单暂不可用">
        接口目前不提供名单上传和逐行导入报告预览，网页端无法上传表格。请在服务器上用命令导入（先预览、再导入）：
      </NotAvailable>
      <Card size="small" style={{ maxWidth: 760, margin: "0 auto" }}>
        <Typography.Paragraph>
          <Typography.Text strong>1. 预览（不写入）：</Typography.Text>
          <Typography.Text code>espcrm import enterprises 企业名单.xlsx --dry-run</Typography.Text>
        </Typography.Paragraph>
        <Typography.Paragraph>
          逐行检查统一社会信用代码校验位、区县、文件内和已登记的重复，报告写在 <Typography.Text code>企业名单.xlsx.import-report.csv</Typography.Text>。
        </Typography.Paragraph>
        <Typography.Paragraph>
          <Typography.Text strong>2. 确认导入：</Typography.Text>
          <Typography.Text code>espcrm import enterprises 企业名单.xlsx --commissioners 专员对照表.csv</Typography.Text>
        </Typography.Paragraph>
        <Typography.Paragraph type="secondary">有任何无效行时整份文件不导入，除非加 --skip-invalid；已登记且内容相同的企业记为“未变化”，重复导入不会重复写入。</Typography.Paragraph>
      </Card>
    </>
  );
}

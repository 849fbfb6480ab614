import { DownloadOutlined } from "@ant-design/icons";
import { Button, Space, Typography } from "antd";
import { useState } from "react";
import { useClient } from "urql";

import { ErrorAlert } from "../../components/ErrorAlert";
import type { ReportKind } from "../../gql/graphql";
import { saveFile } from "../../lib/download";
import { type DescribedError, describeError } from "../../lib/errors";
import { ReportFileQuery } from "../../operations";
import { useSession } from "../../session-context";

const FILES: { kind: ReportKind; label: string }[] = [
  { kind: "XLSX", label: "晾晒通报（xlsx）" },
  { kind: "LEAGUE_PNG", label: "排名图（PNG）" },
  { kind: "KPI_PNG", label: "主要指标图（PNG）" },
];

/** 下载晾晒通报: the same files `espcrm report` writes, for city-wide supervisors and admins. */
export function ReportDownloads({ period }: { period: string }) {
  const client = useClient();
  const { claims } = useSession();
  const [busy, setBusy] = useState<ReportKind | null>(null);
  const [error, setError] = useState<DescribedError | null>(null);
  if (claims.districts?.length) {
    return <Typography.Text type="secondary">晾晒通报文件列出全市各区县的超期事项，仅限全市范围的督导下载。</Typography.Text>;
  }

  async function download(kind: ReportKind) {
    setBusy(kind);
    setError(null);
    const result = await client.query(ReportFileQuery, { period, kind }, { requestPolicy: "network-only" }).toPromise();
    setBusy(null);
    if (result.error || !result.data) {
      setError(describeError(result.error));
      return;
    }
    try {
      saveFile(result.data.reportFile);
    } catch (e) {
      setError({ code: "DOWNLOAD", title: "下载失败", detail: (e as Error).message });
    }
  }

  return (
    <>
      <ErrorAlert error={error} onClose={() => setError(null)} />
      <Space wrap style={{ marginBottom: 12 }}>
        {FILES.map((f) => (
          <Button key={f.kind} icon={<DownloadOutlined />} loading={busy === f.kind} disabled={busy !== null} onClick={() => download(f.kind)}>
            {f.label}
          </Button>
        ))}
      </Space>
    </>
  );
}

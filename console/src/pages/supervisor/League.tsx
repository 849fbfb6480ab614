import { DownloadOutlined } from "@ant-design/icons";
import { Button, Card, Space, Table, Tag } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { useQuery } from "urql";

import { Chart, type ChartOption } from "../../components/Chart";
import { PageTitle, QueryState } from "../../components/common";
import type { LeagueQuery as Result } from "../../gql/graphql";
import { toCsv } from "../../lib/kpi";
import { leagueKpiLabel } from "../../lib/labels";
import { slicePage } from "../../lib/pagination";
import { formatRate, periodLabel } from "../../lib/time";
import { ISSUES } from "../../client";
import { LeagueQuery } from "../../operations";
import { currentQuarter, PeriodPicker } from "./PeriodPicker";
import { ReportDownloads } from "./ReportDownloads";

type Row = Result["leagueTable"]["rows"][number];
const PAGE = 20;

/** 区县晾晒（排名）: every district ranked for a period; a district opens its late and open items. */
export default function League() {
  const [params, setParams] = useSearchParams();
  const period = params.get("period") ?? currentQuarter();
  const [page, setPage] = useState(1);
  const [result, reexecute] = useQuery({ query: LeagueQuery, variables: { period }, context: ISSUES });
  const table = result.data?.leagueTable;
  const rows = useMemo(() => table?.rows ?? [], [table]);
  const kpis = rows[0]?.rates ?? [];
  const totalWeight = kpis.reduce((sum, k) => sum + k.weight, 0) || 1;
  const nowrap = (text: React.ReactNode) => <span style={{ whiteSpace: "nowrap" }}>{text}</span>;

  const columns: ColumnsType<Row> = [
    { title: "排名", key: "rank", width: 70, render: (_, r) => (r.rank === null ? <Tag>不参与排名</Tag> : r.rank) },
    { title: "区县", key: "district", render: (_, r) => nowrap(<Link to={`/supervisor/league/${encodeURIComponent(r.district)}?period=${period}`}>{r.district}</Link>) },
    { title: "综合得分", key: "score", render: (_, r) => nowrap(r.score === null ? "样本不足" : r.score.toFixed(1)) },
    ...kpis.map((k, i) => ({
      title: `${leagueKpiLabel(k.kpi, k.label)}（权重${Math.round((k.weight / totalWeight) * 100)}%）`,
      key: k.kpi,
      render: (_: unknown, r: Row) => formatRate(r.rates[i]?.rate),
    })),
    { title: nowrap("退单次数"), key: "refusals", render: (_, r) => r.kpis.dispatchRefusals },
    { title: nowrap("重办次数"), key: "reworks", render: (_, r) => r.kpis.reworks },
  ];

  const chart: ChartOption = useMemo(() => {
    const ranked = rows.filter((r) => r.score !== null);
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 40, right: 16, top: 16, bottom: 90 },
      xAxis: { type: "category", data: ranked.map((r) => r.district), axisLabel: { rotate: 45, interval: 0 } },
      yAxis: { type: "value", max: 100 },
      series: [{ name: "综合得分", type: "bar", data: ranked.map((r) => Math.round((r.score ?? 0) * 10) / 10), itemStyle: { color: "#1f5fbf" } }],
    };
  }, [rows]);

  function download() {
    const header = ["排名", "区县", "综合得分", ...kpis.map((k) => leagueKpiLabel(k.kpi, k.label)), "退单次数", "重办次数"];
    const body = rows.map((r) => [r.rank, r.district, r.score === null ? null : r.score.toFixed(1), ...r.rates.map((x) => formatRate(x.rate)), r.kpis.dispatchRefusals, r.kpis.reworks]);
    const url = URL.createObjectURL(new Blob([toCsv(header, body)], { type: "text/csv;charset=utf-8" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `区县晾晒-${period}.csv`;
    a.click();
    URL.revokeObjectURL(url);
  }

  return (
    <>
      <PageTitle
        title="区县晾晒"
        extra={
          <Space wrap>
            <PeriodPicker value={period} onChange={(p) => { setParams({ period: p }); setPage(1); }} />
            <Button icon={<DownloadOutlined />} onClick={download} disabled={!rows.length}>
              导出表格（CSV）
            </Button>
          </Space>
        }
      >
        {periodLabel(period)}各区县按加权得分排名；点击区县查看其超期和在办诉求。
      </PageTitle>
      <ReportDownloads period={period} />
      <QueryState fetching={result.fetching} error={result.error} empty={!table} retry={() => reexecute({ requestPolicy: "network-only" })}>
        <Card size="small" style={{ marginBottom: 16 }}>
          <Table<Row>
            rowKey="district"
            size="small"
            columns={columns}
            dataSource={slicePage(rows, page - 1, PAGE)}
            scroll={{ x: true }}
            pagination={{ current: page, pageSize: PAGE, total: rows.length, onChange: setPage, showTotal: (t) => `共 ${t} 个区县`, showSizeChanger: false }}
          />
        </Card>
        <Card size="small" title="综合得分">
          <Chart option={chart} height={360} label="各区县综合得分" />
        </Card>
      </QueryState>
    </>
  );
}

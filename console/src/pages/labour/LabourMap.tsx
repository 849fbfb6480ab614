import { Card, Segmented, Space, Table } from "antd";
import type { ColumnsType } from "antd/es/table";
import { useMemo } from "react";
import { useSearchParams } from "react-router-dom";
import { useQuery } from "urql";

import { ISSUES } from "../../client";
import { Chart, type ChartOption } from "../../components/Chart";
import { PageTitle, QueryState } from "../../components/common";
import { graphql } from "../../gql";
import type { LabourMapQuery as Result, LabourDimension } from "../../gql/graphql";
import { periodLabel } from "../../lib/time";
import { currentQuarter, PeriodPicker } from "../supervisor/PeriodPicker";

const LabourMapQuery = graphql(`
  query LabourMap($period: String!, $dimension: LabourDimension!) {
    labourMap(period: $period, dimension: $dimension) {
      period
      rows { key label enterprises shortfall previousShortfall shortfallChange openVacancies openVacanciesChange placed }
    }
    topShortageOccupations(period: $period, first: 10) { key label openVacancies openVacanciesChange }
  }
`);

type Row = Result["labourMap"]["rows"][number];
const DIMENSIONS: { value: LabourDimension; label: string }[] = [
  { value: "DISTRICT", label: "按区县" },
  { value: "INDUSTRY", label: "按产业集群" },
  { value: "OCCUPATION", label: "按职业（工种）" },
];
const change = (n: number) => (n > 0 ? `+${n}` : String(n));

/** 用工需求地图: shortfall and open vacancies at the period's end, the change since its start. */
export default function LabourMap() {
  const [params, setParams] = useSearchParams();
  const period = params.get("period") ?? currentQuarter();
  const dimension = (params.get("by") ?? "DISTRICT") as LabourDimension;
  const [result, reexecute] = useQuery({ query: LabourMapQuery, variables: { period, dimension }, context: ISSUES });
  const rows = useMemo(() => result.data?.labourMap.rows ?? [], [result.data]);
  const top = result.data?.topShortageOccupations ?? [];
  const keyTitle = DIMENSIONS.find((d) => d.value === dimension)?.label.slice(1) ?? "";

  const columns: ColumnsType<Row> = [
    { title: keyTitle, key: "label", render: (_, r) => r.label },
    { title: "缺工企业数", key: "enterprises", render: (_, r) => r.enterprises },
    { title: "缺工人数", key: "shortfall", render: (_, r) => r.shortfall },
    { title: "较期初变化", key: "shortfallChange", render: (_, r) => change(r.shortfallChange) },
    { title: "在招岗位人数", key: "open", render: (_, r) => r.openVacancies },
    { title: "较期初变化", key: "openChange", render: (_, r) => change(r.openVacanciesChange) },
    { title: "本期安置人数", key: "placed", render: (_, r) => r.placed },
  ];

  const chart: ChartOption = useMemo(() => {
    const shown = rows.slice(0, 20);
    return {
      tooltip: { trigger: "axis" },
      legend: { data: ["缺工人数", "期初缺工人数"] },
      grid: { left: 40, right: 16, top: 32, bottom: 90 },
      xAxis: { type: "category", data: shown.map((r) => r.label), axisLabel: { rotate: 45, interval: 0 } },
      yAxis: { type: "value" },
      series: [
        { name: "缺工人数", type: "bar", data: shown.map((r) => r.shortfall), itemStyle: { color: "#1f5fbf" } },
        { name: "期初缺工人数", type: "bar", data: shown.map((r) => r.previousShortfall), itemStyle: { color: "#bfbfbf" } },
      ],
    };
  }, [rows]);

  return (
    <>
      <PageTitle
        title="用工需求地图"
        extra={
          <Space wrap>
            <PeriodPicker value={period} onChange={(p) => setParams({ period: p, by: dimension })} />
            <Segmented options={DIMENSIONS} value={dimension} onChange={(d) => setParams({ period, by: String(d) })} />
          </Space>
        }
      >
        {periodLabel(period)}期末各{keyTitle}的缺工人数与在招岗位，以及较期初的变化。
      </PageTitle>
      <QueryState fetching={result.fetching} error={result.error} empty={!result.data} retry={() => reexecute({ requestPolicy: "network-only" })}>
        <Card size="small" style={{ marginBottom: 16 }}>
          <Table<Row> rowKey="key" size="small" columns={columns} dataSource={rows} scroll={{ x: true }} pagination={{ pageSize: 20, showSizeChanger: false }} />
        </Card>
        <Card size="small" title="缺工人数" style={{ marginBottom: 16 }}>
          <Chart option={chart} height={360} label={`按${keyTitle}的缺工人数`} />
        </Card>
        <Card size="small" title="全市紧缺职业（工种）前十">
          <Table rowKey="key" size="small" pagination={false} dataSource={top}
            columns={[
              { title: "职业（工种）", key: "label", render: (_, r) => r.label },
              { title: "在招岗位人数", key: "open", render: (_, r) => r.openVacancies },
              { title: "较期初变化", key: "change", render: (_, r) => change(r.openVacanciesChange) },
            ]} />
        </Card>
      </QueryState>
    </>
  );
}

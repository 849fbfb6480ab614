import { Card, Col, Progress, Row, Select, Space, Statistic, Tag, Typography } from "antd";
import { useMemo, useState } from "react";
import { useQuery } from "urql";

import { Chart, type ChartOption } from "../../components/Chart";
import { PageTitle, QueryState } from "../../components/common";
import { DISTRICT_OPTIONS } from "../../lib/districts";
import { readAgainstTarget, type TargetKpi } from "../../lib/kpi";
import { KPI_TARGETS } from "../../lib/labels";
import { formatRate, periodLabel, periodRange } from "../../lib/time";
import { ISSUES } from "../../client";
import { KpisQuery, LeagueQuery } from "../../operations";
import { currentQuarter, PeriodPicker } from "./PeriodPicker";

const TARGETS = Object.keys(KPI_TARGETS) as TargetKpi[];

/** 指标看板: the plan's targets (办结率 98 %, 紧急用工响应率 100 %, 满意率 92 %) by period and district. */
export default function KpiDashboard() {
  const [period, setPeriod] = useState(currentQuarter);
  const [district, setDistrict] = useState<string | null>(null);
  const range = periodRange(period);
  const [kpis, reexecute] = useQuery({ query: KpisQuery, variables: { ...range, district }, context: ISSUES });
  const [league] = useQuery({ query: LeagueQuery, variables: { period }, context: ISSUES });
  const k = kpis.data?.kpis;
  const readings = TARGETS.map((t) => readAgainstTarget(t, k?.[t]));

  const byDistrict: ChartOption = useMemo(() => {
    const rows = (league.data?.leagueTable.rows ?? []).filter((r) => r.kpis.issuesRaised > 0);
    const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
    return {
      tooltip: { trigger: "axis", valueFormatter: (v: unknown) => (v === null || v === undefined ? "样本不足" : `${v}%`) },
      legend: { top: 0 },
      grid: { left: 40, right: 16, bottom: 90, top: 40 },
      xAxis: { type: "category", data: rows.map((r) => r.district), axisLabel: { rotate: 45, interval: 0 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: TARGETS.map((t) => ({
        name: KPI_TARGETS[t].label,
        type: "bar",
        data: rows.map((r) => pct(r.kpis[t])),
        markLine: { symbol: "none", silent: true, data: [{ yAxis: KPI_TARGETS[t].target * 100, name: `目标` }], lineStyle: { type: "dashed" }, label: { formatter: `${KPI_TARGETS[t].label}目标 {c}%` } },
      })),
    };
  }, [league.data]);

  const againstTargets: ChartOption = useMemo(
    () => ({
      tooltip: { trigger: "axis" },
      grid: { left: 90, right: 40, top: 20, bottom: 30 },
      xAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", data: readings.map((r) => r.label) },
      series: [
        { name: "实际", type: "bar", data: readings.map((r) => (r.rate === null ? null : Math.round(r.rate * 1000) / 10)), itemStyle: { color: "#1f5fbf" }, label: { show: true, position: "right", formatter: "{c}%" } },
        { name: "目标", type: "bar", data: readings.map((r) => r.target * 100), itemStyle: { color: "#d9d9d9" } },
      ],
    }),
    [readings.map((r) => r.rate).join()], // eslint-disable-line react-hooks/exhaustive-deps
  );

  return (
    <>
      <PageTitle title="指标看板" extra={<Space wrap><PeriodPicker value={period} onChange={setPeriod} /><Select allowClear showSearch placeholder="全市" aria-label="区县" style={{ width: 180 }} options={DISTRICT_OPTIONS} value={district} onChange={(v) => setDistrict(v ?? null)} /></Space>}>
        {periodLabel(period)}（{range.from} 至 {range.to}）· {district ?? "全市"}
      </PageTitle>
      <QueryState fetching={kpis.fetching} error={kpis.error} empty={!k} retry={() => reexecute({ requestPolicy: "network-only" })}>
        {k && (
          <>
            <Row gutter={[16, 16]}>
              {readings.map((r) => (
                <Col xs={24} md={8} key={r.kpi}>
                  <Card size="small">
                    <Statistic title={`${r.label}（目标 ${formatRate(r.target, 0)}）`} value={r.rate === null ? "样本不足" : formatRate(r.rate)} styles={{ content: { color: r.verdict === "missed" ? "#cf1322" : r.verdict === "met" ? "#389e0d" : undefined } }} />
                    <Progress percent={r.rate === null ? 0 : Math.round(r.rate * 1000) / 10} status={r.verdict === "missed" ? "exception" : r.verdict === "met" ? "success" : "normal"} showInfo={false} />
                    <Tag color={r.verdict === "met" ? "green" : r.verdict === "missed" ? "red" : "default"}>{r.verdict === "met" ? "达标" : r.verdict === "missed" ? "未达标" : "样本不足"}</Tag>
                    {r.rate !== null && r.rate > 1 && <Typography.Text type="secondary" style={{ fontSize: 12 }}>本期关闭数含此前提出的诉求，可超过100%</Typography.Text>}
                  </Card>
                </Col>
              ))}
            </Row>
            <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
              {[
                ["服务企业", k.enterprisesServed, "户"],
                ["走访次数", k.visitCount, "次"],
                ["走访企业", k.enterprisesVisited, "户"],
                ["政策宣传服务活动", k.policyEvents, "场"],
                ["提出诉求", k.issuesRaised, "件"],
                ["已关闭", k.issuesClosed, "件"],
                ["退单次数", k.dispatchRefusals, "次"],
                ["重办次数", k.reworks, "次"],
              ].map(([title, value, suffix]) => (
                <Col xs={12} md={6} key={title as string}>
                  <Card size="small">
                    <Statistic title={title as string} value={value as number} suffix={suffix as string} />
                  </Card>
                </Col>
              ))}
              <Col xs={12} md={6}>
                <Card size="small">
                  <Statistic title="按时签收率" value={formatRate(k.onTimeAcceptRate)} />
                </Card>
              </Col>
              <Col xs={12} md={6}>
                <Card size="small">
                  <Statistic title="按时办结率" value={formatRate(k.onTimeResolveRate)} />
                </Card>
              </Col>
            </Row>
            <Card size="small" title="实际与目标" style={{ marginTop: 16 }}>
              <Chart option={againstTargets} height={200} label={readings.map((r) => r.text).join("；")} />
            </Card>
            {!district && (
              <Card size="small" title="各区县指标（有诉求的区县）" style={{ marginTop: 16 }}>
                <QueryState fetching={league.fetching} error={league.error} empty={!league.data}>
                  <Chart option={byDistrict} height={380} label="各区县办结率、紧急用工响应率、满意率" />
                </QueryState>
              </Card>
            )}
            <Typography.Paragraph type="secondary" style={{ marginTop: 12 }}>
              办结率 = 已关闭 ÷（提出 − 不予受理）；紧急用工响应率 = 时限内签收的紧急用工诉求 ÷ 已派单的紧急用工诉求；满意率 =（满意 + 基本满意）÷ 已评价诉求。无可计算样本时显示“样本不足”。
            </Typography.Paragraph>
          </>
        )}
      </QueryState>
    </>
  );
}

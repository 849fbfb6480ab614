import { Card, Col, Row, Statistic, Tabs } from "antd";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { useQuery } from "urql";

import { IssueList } from "../../components/IssueList";
import { PageTitle, QueryState } from "../../components/common";
import { formatRate, periodLabel, periodRange } from "../../lib/time";
import { KpisQuery } from "../../operations";
import { currentQuarter } from "./PeriodPicker";

/** A district's drill-down: its KPIs for the period, and its late and open items now. */
export default function LeagueDistrict() {
  const { district = "" } = useParams();
  const [params] = useSearchParams();
  const period = params.get("period") ?? currentQuarter();
  const [kpis] = useQuery({ query: KpisQuery, variables: { ...periodRange(period), district } });
  const k = kpis.data?.kpis;
  return (
    <>
      <PageTitle title={`${district} · ${periodLabel(period)}`} extra={<Link to={`/supervisor/league?period=${period}`}>返回区县晾晒</Link>} />
      <QueryState fetching={kpis.fetching} error={kpis.error} empty={!k}>
        {k && (
          <Row gutter={[12, 12]} style={{ marginBottom: 16 }}>
            {[
              ["办结率", formatRate(k.closureRate)],
              ["紧急用工响应率", formatRate(k.urgentHiringResponseRate)],
              ["满意率", formatRate(k.satisfactionRate)],
              ["按时签收率", formatRate(k.onTimeAcceptRate)],
              ["按时办结率", formatRate(k.onTimeResolveRate)],
              ["提出诉求", `${k.issuesRaised} 件`],
              ["已关闭", `${k.issuesClosed} 件`],
              ["退单 / 重办", `${k.dispatchRefusals} / ${k.reworks}`],
            ].map(([title, value]) => (
              <Col xs={12} md={6} key={title}>
                <Card size="small">
                  <Statistic title={title} value={value} />
                </Card>
              </Col>
            ))}
          </Row>
        )}
      </QueryState>
      <Tabs
        items={[
          { key: "late", label: "超期诉求", children: <IssueList filter={{ district, overdue: true, status: ["DISPATCHED", "IN_PROGRESS", "SUSPENDED"] }} columns={["source", "category", "status", "department", "resolveDue"]} emptyText="该区县没有超期诉求" /> },
          { key: "open", label: "在办诉求", children: <IssueList filter={{ district, status: ["RAISED", "DISPATCHED", "IN_PROGRESS", "SUSPENDED", "RESOLVED", "AWAITING_EVALUATION"] }} columns={["source", "category", "status", "department", "resolveDue"]} emptyText="该区县没有在办诉求" /> },
        ]}
      />
    </>
  );
}

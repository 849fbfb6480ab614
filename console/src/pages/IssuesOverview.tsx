import { Select, Space, Switch } from "antd";
import { useState } from "react";

import { IssueList } from "../components/IssueList";
import { PageTitle } from "../components/common";
import type { IssueCategory, IssueKind, IssueStatus } from "../gql/graphql";
import { DISTRICT_OPTIONS } from "../lib/districts";
import { CATEGORY_LABELS, KIND_LABELS, STATUS_LABELS, optionsOf } from "../lib/labels";
import { useSession } from "../session-context";

/** 诉求总览: every issue this person may read, filtered. */
export default function IssuesOverview() {
  const { claims } = useSession();
  const [status, setStatus] = useState<IssueStatus[]>([]);
  const [category, setCategory] = useState<IssueCategory | null>(null);
  const [kind, setKind] = useState<IssueKind | null>(null);
  const [district, setDistrict] = useState<string | null>(null);
  const [overdue, setOverdue] = useState(false);
  const wide = claims.role === "SUPERVISOR" || claims.role === "ADMIN";
  const filter = { status: status.length ? status : null, category, kind, district, overdue: overdue || null };
  return (
    <>
      <PageTitle title={claims.role === "COMMISSIONER" ? "企业诉求" : claims.role === "DEPARTMENT" ? "全部诉求" : "诉求总览"} />
      <Space wrap style={{ marginBottom: 12 }}>
        <Select mode="multiple" allowClear placeholder="状态" style={{ minWidth: 200 }} options={optionsOf(STATUS_LABELS)} onChange={setStatus} />
        <Select allowClear placeholder="类别" style={{ width: 140 }} listHeight={360} options={optionsOf(CATEGORY_LABELS)} onChange={(v) => setCategory(v ?? null)} />
        {wide && <Select allowClear placeholder="类型" style={{ width: 130 }} options={optionsOf(KIND_LABELS)} onChange={(v) => setKind(v ?? null)} />}
        {wide && <Select allowClear showSearch placeholder="所属区县" style={{ width: 180 }} options={DISTRICT_OPTIONS} onChange={(v) => setDistrict(v ?? null)} />}
        <Space>
          <Switch checked={overdue} onChange={setOverdue} />
          <span>只看超期</span>
        </Space>
      </Space>
      <IssueList key={JSON.stringify(filter)} filter={filter} columns={["source", "category", "status", "raisedAt", "department", "resolveDue"]} />
    </>
  );
}

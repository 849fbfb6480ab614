import { Segmented, Space } from "antd";
import { useState } from "react";

import { IssueList } from "../../components/IssueList";
import { PageTitle } from "../../components/common";

/** 催办督办: open issues, the late ones first, to urge (催办), supervise (督办) or notify (通报). */
export default function Escalation() {
  const [which, setWhich] = useState<"overdue" | "all">("overdue");
  return (
    <>
      <PageTitle title="催办督办">对超期或进展缓慢的诉求依次催办、督办、通报；记录在案并计入晾晒，不改变诉求状态。</PageTitle>
      <Space style={{ marginBottom: 12 }}>
        <Segmented
          value={which}
          onChange={(v) => setWhich(v as "overdue" | "all")}
          options={[
            { value: "overdue", label: "已超期" },
            { value: "all", label: "全部在办" },
          ]}
        />
      </Space>
      <IssueList
        key={which}
        filter={{ status: ["DISPATCHED", "IN_PROGRESS", "SUSPENDED"], overdue: which === "overdue" ? true : null }}
        columns={["source", "category", "status", "department", "acceptDue", "resolveDue"]}
        emptyText={which === "overdue" ? "没有超期的诉求" : "没有在办的诉求"}
      />
    </>
  );
}

import { IssueList } from "../../components/IssueList";
import { PageTitle } from "../../components/common";
import { useSession } from "../../session-context";

/** 办理中: accepted and being worked, the nearest resolution deadline first. */
export default function Working() {
  const { claims } = useSession();
  return (
    <>
      <PageTitle title="办理中">本部门已签收的诉求，按办结时限先后排列；暂停期间不计时限。</PageTitle>
      <IssueList
        filter={{ status: ["IN_PROGRESS", "SUSPENDED"], departmentId: claims.department_id ?? null }}
        columns={["source", "category", "status", "resolveDue"]}
        byDeadline
        emptyText="没有办理中的诉求"
      />
    </>
  );
}

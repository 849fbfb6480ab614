import { IssueList } from "../../components/IssueList";
import { PageTitle } from "../../components/common";
import { useSession } from "../../session-context";

/** 待签收: dispatches to this department, the nearest deadline first. */
export default function Inbox() {
  const { claims } = useSession();
  return (
    <>
      <PageTitle title="待签收">派给本部门、等待签收的诉求，按签收时限先后排列；紧急用工须在派单后4小时内签收。</PageTitle>
      <IssueList
        filter={{ status: ["DISPATCHED"], departmentId: claims.department_id ?? null }}
        columns={["source", "category", "acceptDue", "resolveDue"]}
        byDeadline
        emptyText="没有待签收的诉求"
      />
    </>
  );
}
